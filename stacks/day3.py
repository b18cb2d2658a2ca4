"""Day 3: databases and caching (RDS PostgreSQL Multi-AZ, ElastiCache Redis)."""

from __future__ import annotations

from typing import List

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Tags
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR
from week5.constructs import userdata
from week5.constructs.access import grant_asset_read, grant_put_only
from week5.constructs.bucket import private_bucket
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.cleanup import LeftoverCleanup
from week5.constructs.commands import failover_command, interactive_command
from week5.constructs.database import PostgresDatabase
from week5.constructs.host import LabHost
from week5.constructs.secret import generated_password
from week5.constructs.userdata import PSQL_SCRIPT, install_psql_client
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.waf import ProxyHeaders, regional_web_acl
from week5.constructs.web_tier import HaWebTier
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack
from week5.synth.nag import acknowledge

#: Day 3 Lab 1's app ("애플리케이션 연동 테스트"), run on the client host as ``sudo lab-app``.
RDS_APP = APPS_DIR / "rds_app.py"
LAB_APP_SCRIPT = "/usr/local/bin/lab-app"
#: The app, its Python 3.11 venv and AWS's RDS CA bundle on the client host.
LAB_APP_DIR = "/opt/week5/lab-app"
#: psycopg as the tests pin it (requirements-dev.txt); 3.3 needs Python 3.10 or later.
PSYCOPG_PIN = "psycopg[binary]==3.3.9"
CACHE_DEMO_APP = APPS_DIR / "cache_demo.py"
CACHE_DEMO_COMPOSE = COMPOSE_DIR / "cache-demo.yml"
FINTECH_API = APPS_DIR / "fintech_api"
FINTECH_COMPOSE = COMPOSE_DIR / "fintech-api.yml"
#: Transaction records move to S3 Glacier Flexible Retrieval after this long (장기 보관).
ARCHIVE_TO_GLACIER_AFTER = Duration.days(30)
#: Where the API servers write each committed transfer in the archive bucket.
ARCHIVE_PREFIX = "transfers/"
#: The API's liveness path (the load balancer's check) and readiness path (its stores).
FINTECH_LIVENESS_PATH = "/health"
FINTECH_READY_PATH = "/ready"
#: The headers API Gateway writes on each request it forwards to the ALB: the caller's address
#: (WAF's per-caller rate limit counts it) and a token only API Gateway sends.
CLIENT_IP_HEADER = "x-week5-client-ip"
ORIGIN_HEADER = "x-week5-origin"


def lab_app_wrapper(*, region: str, secret_arn: str) -> str:
    """``lab-app``: the database secret's fields into libpq's variables, TLS with the server's
    certificate checked against AWS's RDS CA bundle (verify-full), then the app.

    ``LAB_APP_PYTHON``, ``LAB_APP`` and ``LAB_APP_CA`` point elsewhere only in the tests (sudo
    clears them on the host).
    """
    return "\n".join(
        [
            "#!/bin/bash",
            "# lab-app: Day 3 Lab 1's app; the credentials come from Secrets Manager at each start.",
            "set -euo pipefail",
            *userdata.libpq_env_from_secret(
                region=region,
                secret_arn=secret_arn,
                sslmode="verify-full",
                sslrootcert=f"${{LAB_APP_CA:-{LAB_APP_DIR}/rds-ca.pem}}",
            ),
            f'exec "${{LAB_APP_PYTHON:-{LAB_APP_DIR}/bin/python}}" '
            f'"${{LAB_APP:-{LAB_APP_DIR}/rds_app.py}}" "$@"',
        ]
    )


def install_lab_app(*, region: str, secret_arn: str) -> List[str]:
    """Python 3.11 with the pinned psycopg, the RDS CA bundle, the app and ``lab-app``."""
    return [
        "dnf install -y python3.11 python3.11-pip",
        f"python3.11 -m venv {LAB_APP_DIR}",
        f"{LAB_APP_DIR}/bin/pip install --no-cache-dir '{PSYCOPG_PIN}'",
        f"curl -fsSL --retry 5 -o {LAB_APP_DIR}/rds-ca.pem "
        f"https://truststore.pki.rds.amazonaws.com/{region}/{region}-bundle.pem",
        *userdata.write_file(f"{LAB_APP_DIR}/rds_app.py", RDS_APP.read_text(encoding="utf-8")),
        *userdata.write_file(
            LAB_APP_SCRIPT, lab_app_wrapper(region=region, secret_arn=secret_arn), mode="0755"
        ),
    ]


class Day3Lab1Stack(LabStack):
    """Day 3 Lab 1 - RDS PostgreSQL 구성: Multi-AZ db.t3.micro and a psql client.

    Step 1: RDS PostgreSQL 17, db.t3.micro, Multi-AZ, in the private subnets of a two-AZ VPC;
    its security group admits 5432 only from the client's security group. Step 2: a client host
    in a public subnet (no inbound port; Session Manager) with ``psql`` and ``sudo lab-psql``,
    which reads the generated credentials from Secrets Manager and connects over TLS; create a
    table and insert rows from there. The "애플리케이션 연동 테스트" is ``sudo lab-app``
    (``week5/assets/apps/rds_app.py``): with the same secret it connects over TLS with the
    server's certificate checked (verify-full, AWS's RDS CA bundle), writes a row and reads the
    latest back; ``AppTestCommand`` runs it from the student's terminal through Session
    Manager. Step 3 (by hand, as the course asks): the manual snapshot,
    with the AWS CLI command in the outputs. A manual snapshot is not part of the stack, so a
    LeftoverCleanup deletes every manual snapshot of the lab's database when the stack is
    deleted; ``DeleteSnapshotCommand`` deletes it sooner. Step 3's 복원 (optional: it takes
    longer than the step's 5 minutes): ``RestoreDbCommand`` makes a single-AZ database from the
    snapshot in the lab's subnet group and security group, with the course's tags;
    ``RestoredDbEndpointCommand`` waits for it and prints its host for ``lab-psql -h``;
    ``DeleteRestoredDbCommand`` deletes it, and must before ``cdk destroy`` (it holds the
    stack's subnet group and security group).

    The private subnets have no NAT (RDS needs none), and the client sits in a public subnet
    with no inbound rule, which saves a NAT gateway's $0.064 an hour.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.database = PostgresDatabase(
            self,
            "Database",
            vpc=vpc,
            multi_az=True,
            database_name="week5",
            name=f"{self.name_prefix}-db",
        )
        self.client = LabHost(
            self,
            "Client",
            vpc=vpc,
            subnet=self.network.public_subnets[0],
            user_data_lines=install_psql_client(
                region=self.region, secret_arn=self.database.secret.secret_arn
            )
            + install_lab_app(region=self.region, secret_arn=self.database.secret.secret_arn),
            key_name=settings.key_name,
            name=f"{self.name_prefix}-psql-client",
        )
        self.database.grant_connect(self.client)  # client → PostgreSQL 5432, and its secret

        # Step 3's manual snapshot is not the stack's: this deletes it (and any other manual
        # snapshot of the lab's database) when the stack is deleted.
        self.snapshot_cleanup = LeftoverCleanup(
            self, "SnapshotCleanup", databases=[self.database.instance]
        )
        snapshot_id = f"week5-{settings.student}-day3-manual"
        db_id = self.database.instance.instance_identifier
        CfnOutput(
            self,
            "DbEndpoint",
            value=self.database.endpoint,
            description="Step 1: RDS PostgreSQL 엔드포인트",
        )
        CfnOutput(
            self,
            "DbSecretName",
            value=self.database.secret.secret_name,
            description="DB 사용자 이름과 비밀번호를 담은 Secrets Manager 비밀",
        )
        CfnOutput(
            self,
            "ClientSsmCommand",
            value=self.client.ssm_command,
            description="Step 2: psql 클라이언트에 Session Manager로 셸 열기 (sudo lab-psql)",
        )
        CfnOutput(
            self,
            "PsqlCommand",
            value=f"sudo {PSQL_SCRIPT}",
            description="Step 2: ClientSsmCommand 세션 안에서, 테이블 생성과 데이터 삽입",
        )
        CfnOutput(
            self,
            "AppCommand",
            # The full path, as PsqlCommand's: sudo's secure_path may leave out /usr/local/bin.
            value=f"sudo {LAB_APP_SCRIPT}",
            description="Step 2 애플리케이션 연동 테스트: 세션 안에서 (write TEXT, read N)",
        )
        CfnOutput(
            self,
            "AppTestCommand",
            value=interactive_command(
                f"sudo {LAB_APP_SCRIPT}",
                target=self.client.instance.instance_id,
                region=self.region,
            ),
            description="Step 2 애플리케이션 연동 테스트: 내 터미널에서 TLS로 쓰고 읽기",
        )
        CfnOutput(
            self,
            "SnapshotCommand",
            value=Fn.join(
                "",
                [
                    f"aws rds create-db-snapshot --region {self.region} --db-instance-identifier ",
                    db_id,
                    f" --db-snapshot-identifier {snapshot_id}",
                ],
            ),
            description="Step 3: 수동 스냅샷 만들기 "
            "(CloudFormation 밖의 것: 스택을 지울 때 SnapshotCleanup이 지움)",
        )
        # Step 3's 복원: a new database from the manual snapshot, beside the lab's, in its subnet
        # group and security group (the client reaches it as it reaches the lab's), single-AZ,
        # with the course's tags (`week5 status` and `week5 cleanup` find it by them). It is
        # not the stack's, and while it exists the stack's subnet group and security group
        # cannot be deleted: DeleteRestoredDbCommand comes before `cdk destroy`.
        # Two commands a line, after `;`, not `&&`: Windows PowerShell 5.1 refuses `&&`.
        restored_id = f"week5-{settings.student}-day3-restored"
        subnet_group = self.database.instance.node.find_child("SubnetGroup")
        # Each tag in single quotes: PowerShell splits an unquoted word at its commas (the
        # values are the course's tags, checked at synth, with no quote).
        tags = " ".join(f"'Key={key},Value={value}'" for key, value in self.course_tags.items())
        CfnOutput(
            self,
            "RestoreDbCommand",
            value=Fn.join(
                "",
                [
                    f"aws rds wait db-snapshot-available --region {self.region} "
                    f"--db-snapshot-identifier {snapshot_id}; "
                    f"aws rds restore-db-instance-from-db-snapshot --region {self.region} "
                    f"--db-snapshot-identifier {snapshot_id} "
                    f"--db-instance-identifier {restored_id} "
                    f"--db-instance-class {self.database.instance_type} --no-multi-az "
                    "--db-subnet-group-name ",
                    subnet_group.subnet_group_name,
                    " --vpc-security-group-ids ",
                    self.database.security_group.security_group_id,
                    f" --no-publicly-accessible --tags {tags} "
                    "--query DBInstance.DBInstanceStatus --output text",
                ],
            ),
            description="Step 3 복원 (선택, 5분을 넘음): 스냅샷이 준비되면 새 DB로 복원 "
            "(단일 AZ db.t3.micro, 약 $0.03/시간, 생성에 5-15분; 스택 밖이라 "
            "DeleteRestoredDbCommand로 지움)",
        )
        CfnOutput(
            self,
            "RestoredDbEndpointCommand",
            value=f"aws rds wait db-instance-available --region {self.region} "
            f"--db-instance-identifier {restored_id}; "
            f"aws rds describe-db-instances --region {self.region} "
            f"--db-instance-identifier {restored_id} "
            "--query 'DBInstances[0].Endpoint.Address' --output text",
            description="Step 3 복원: 복원한 DB가 준비되길 기다려 주소 출력 (세션 안에서 "
            "sudo lab-psql -h <주소>: 같은 사용자와 비밀번호, Step 2의 테이블이 그대로)",
        )
        CfnOutput(
            self,
            "DeleteRestoredDbCommand",
            value=f"aws rds delete-db-instance --region {self.region} "
            f"--db-instance-identifier {restored_id} --skip-final-snapshot "
            "--delete-automated-backups --query DBInstance.DBInstanceStatus --output text; "
            f"aws rds wait db-instance-deleted --region {self.region} "
            f"--db-instance-identifier {restored_id}",
            description="Step 4: cdk destroy 전에 복원한 DB 삭제 (약 5분 기다림: 남아 있으면 "
            "서브넷 그룹과 보안 그룹을 못 지워 스택이 DELETE_FAILED)",
        )
        CfnOutput(
            self,
            "DeleteSnapshotCommand",
            value=f"aws rds delete-db-snapshot --region {self.region} "
            f"--db-snapshot-identifier {snapshot_id}",
            description="Step 4: 수동 스냅샷 삭제 (저장 용량만큼 과금: 복원을 확인했거나 "
            "복원하지 않는다면 바로; 남겨도 cdk destroy 때 SnapshotCleanup이 지움)",
        )


class Day3Lab2Stack(LabStack):
    """Day 3 Lab 2 - Redis 캐싱 구현: ElastiCache Redis and a Cache-Aside demo app.

    Step 1: an ElastiCache Redis OSS replication group (one cache.t3.micro node, TLS, AUTH
    token in Secrets Manager) in the private subnets; its security group admits 6379 only from
    the app host's. Step 2: the app host (public subnet, HTTP 80) runs
    ``week5/assets/apps/cache_demo.py`` in a container, and beside it the database it caches:
    PostgreSQL 17 in a container on the same host (no published port, password generated into
    Secrets Manager), which the app creates and seeds on its first connection (20 products,
    100,000 reviews). ``/products/<id>`` reads Cache-Aside (miss, then hit); ``/compare/<id>``
    is the "성능 비교": the product page's query (the product, its review count and average,
    its latest reviews) timed on that database against the same page from Redis, measured on
    the host (``CompareCommand``). Step 3: ``/session`` keeps a session in Redis. ``/health``
    answers while the process runs; ``/ready`` reports the database and Redis. A database
    container costs nothing beyond the host; an RDS instance would add about $0.03 an hour.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.cache = RedisCache(self, "Cache", vpc=vpc, name=f"{self.name_prefix}-cache")
        #: The password of the PostgreSQL container the demo caches (read at boot into .env).
        self.catalog_password = generated_password(
            self, "CatalogDbPassword", description=f"{self.node.path}: catalogue database"
        )
        #: The demo's source, uploaded by ``cdk deploy`` (too large to sit in user data).
        self.app_source = s3_assets.Asset(self, "CacheDemoSource", path=str(CACHE_DEMO_APP))
        lines = (
            userdata.install_docker()
            + userdata.download_asset(
                self.app_source, f"{userdata.APP_DIR}/cache_demo.py", self.region
            )
            + userdata.compose_up(
                CACHE_DEMO_COMPOSE,
                region=self.region,
                env={"REDIS_HOST": self.cache.endpoint, "REDIS_PORT": str(REDIS_PORT)},
                secret_env={
                    "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
                    "POSTGRES_PASSWORD": self.catalog_password.secret_arn,
                },
            )
        )
        self.app_host = LabHost(
            self,
            "AppHost",
            vpc=vpc,
            subnet=self.network.public_subnets[0],
            user_data_lines=lines,
            internet_ports=(80,),
            ssh_cidr=settings.ssh_cidr,
            key_name=settings.key_name,
            name=f"{self.name_prefix}-cache-demo",
        )
        grant_asset_read(self.app_source, self.app_host)
        self.catalog_password.grant_read(self.app_host)
        self.cache.grant_connect(self.app_host)  # app host → Redis 6379, and its AUTH token
        url = Fn.join("", ["http://", self.app_host.public_ip])
        CfnOutput(self, "AppUrl", value=url, description="캐싱 데모 첫 페이지")
        def page(output_id: str, path: str, description: str) -> None:
            """An output: one of the demo's pages on this host."""
            CfnOutput(self, output_id, value=Fn.join("", [url, path]), description=description)

        page("CacheAsideUrl", "/products/1", "Step 2: 두 번 열면 miss, 그다음 hit")
        page("CompareUrl", "/compare/1?n=20", "Step 2 성능 비교: PostgreSQL 쿼리 vs Redis (ms)")
        CfnOutput(
            self,
            "CompareCommand",
            value=Fn.join(
                "",
                ['for id in 1 2 3; do curl -s "', url, '/compare/$id?n=20"; echo; done'],
            ),
            description="Step 2 성능 비교: 상품 3개, 각 20회, 이 호스트에서 측정; bash "
            "(CloudShell, macOS/Linux, WSL): Windows PowerShell은 CompareUrl을 브라우저로",
        )
        page("SessionUrl", "/session", "Step 3: 새로고침할 때마다 visits가 늘어남")
        page("ReadyUrl", "/ready", "PostgreSQL과 Redis 상태")
        CfnOutput(
            self,
            "RedisEndpoint",
            value=self.cache.endpoint,
            description="Step 1: ElastiCache Redis 엔드포인트 (TLS)",
        )
        CfnOutput(
            self,
            "AppSsmCommand",
            value=self.app_host.ssm_command,
            description="앱 호스트에 Session Manager로 셸 열기",
        )


class Day3CaseStack(LabStack):
    """Day 3 Session 4 case - FinTech 플랫폼: the diagram's services, wired the way AWS allows.

    The diagram reads "사용자 → WAF → ALB → API Gateway → Lambda/ECS → RDS → ElastiCache → S3".
    An ALB cannot forward to API Gateway, and WAF attaches to an ALB (or a REST API), not to an
    HTTP API. What is built instead: WAF (AWS's common, SQL-injection and known-bad-input rule
    groups, plus a per-caller rate limit) on an internet-facing ALB in front of the API servers;
    API Gateway (an HTTP API with throttling and access logs) as the public API entry, proxying
    to that ALB, so every request, through either door, passes WAF's rule groups. WAF sees API
    Gateway's addresses, not its callers', so API Gateway writes two headers on each request it
    forwards (parameter mapping, overwriting what the caller sent): the caller's address
    (``x-week5-client-ip``, ``$context.identity.sourceIp``) and a token only it sends
    (``x-week5-origin``: the UUID of the stack's id, known only once deployed). WAF's
    ``RatePerForwardedIp`` counts requests with that token by the caller's address,
    ``RatePerIp`` the rest (direct callers of the ALB) by their own: 1,000 requests in 5
    minutes per caller either way, so one flooding caller is blocked alone. The stage's
    throttle (50 requests a second, bursts of 100) is shared by the whole API. HTTPS ends at
    API Gateway; its hop to the ALB is plain HTTP (a certificate needs a domain). The
    API servers are EC2 (Week 5 teaches EC2; FAQ Q4) in a ``HaWebTier`` of 2 to 4 running the
    course's Node API compose file
    with ``week5/assets/apps/fintech_api`` (balances cached in Redis, transfers as locking PostgreSQL
    transactions), shipped as an S3 asset with its lock file. RDS PostgreSQL 17 is Multi-AZ (ACID
    data, failover); Redis holds the balances; every committed transfer is written to the archive
    bucket (``transfers/YYYY/MM/DD/<id>.json``, put-only for the API's role), whose lifecycle
    moves it to Glacier after 30 days: ``varies_by_storage_class``, since S3's default since
    September 2024 moves no object under 128 KB and each record is about 150 bytes. The private
    subnets reach S3 through a gateway endpoint (no charge), so the archive is written with the
    NAT instance or AZ-A down.

    The target group checks liveness (``/health``: the process answers, no store is called), so
    an RDS Multi-AZ failover (60-120 s) or a Redis outage replaces no instance; ``/ready``
    reports PostgreSQL, Redis and the archive, and each new instance waits for it before it
    signals CloudFormation. The API starts and answers ``/health`` while the database is away,
    creates its tables when it answers, serves cached balances meanwhile and reads past Redis
    when the cache is away. ``FailoverWatchCommand`` and ``DbFailoverCommand`` show it.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        # S3 from the private subnets without the NAT instance (a single point of failure in
        # Public-A): archive writes go on with it or AZ-A down. A gateway endpoint costs nothing.
        self.s3_endpoint = vpc.add_gateway_endpoint(
            "S3Endpoint",
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[ec2.SubnetSelection(subnets=self.network.private_subnets)],
        )
        # Its own Name (what is left unnamed under the VPC is named after the VPC).
        Tags.of(self.s3_endpoint).add("Name", f"{self.name_prefix}-s3-endpoint")
        self.database = PostgresDatabase(
            self,
            "Database",
            vpc=vpc,
            multi_az=True,
            database_name="fintech",
            name=f"{self.name_prefix}-db",
        )
        self.cache = RedisCache(self, "Cache", vpc=vpc, name=f"{self.name_prefix}-cache")
        # S3's default minimum size (all_storage_classes_128K, since September 2024) transitions
        # no object under 128 KB, and a transfer's record is about 150 bytes: without
        # varies_by_storage_class nothing would ever reach Glacier. Glacier bills each object
        # 40 KB of metadata (8 KB at Standard's rate, 32 KB at Glacier's) and a transition
        # request: for records this small that costs more than Standard; production batches them
        # (one object an hour or a day).
        self.archive = private_bucket(
            self,
            "Archive",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ToGlacier",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER,
                            transition_after=ARCHIVE_TO_GLACIER_AFTER,
                        )
                    ],
                )
            ],
            transition_default_minimum_object_size=(
                s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS
            ),
            access_logs_reason="Server access logs need a log bucket that outlives the stack and "
            "bills after the lab; the archive holds exports only the API servers write.",
        )
        #: The API's source (server.js, package.json, package-lock.json), uploaded by
        #: ``cdk deploy``: the lock file alone is larger than EC2's 16 KB of user data.
        self.api_source = s3_assets.Asset(
            self, "ApiSource", path=str(FINTECH_API), exclude=["node_modules"]
        )
        lines = (
            userdata.install_docker()
            + userdata.download_asset(self.api_source, userdata.APP_DIR, self.region)
            + userdata.compose_up(
                FINTECH_COMPOSE,
                region=self.region,
                env={
                    "AWS_REGION": self.region,
                    "DB_HOST": self.database.endpoint,
                    "REDIS_HOST": self.cache.endpoint,
                    "REDIS_PORT": str(REDIS_PORT),
                    "ARCHIVE_BUCKET": self.archive.bucket_name,
                },
                secret_env={
                    "DB_USER": (self.database.secret.secret_arn, "username"),
                    "DB_PASSWORD": (self.database.secret.secret_arn, "password"),
                    "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
                },
            )
        )
        # The load balancer checks liveness (/health: the process answers, no store is
        # called), so an RDS Multi-AZ failover (60-120 s) replaces no instance; /ready reports
        # PostgreSQL and Redis, and each new instance waits for it before it signals.
        self.api_servers = HaWebTier(
            self,
            "ApiServers",
            vpc=vpc,
            health_check_path=FINTECH_LIVENESS_PATH,
            ready_path=FINTECH_READY_PATH,
            user_data_lines=lines,
        )
        grant_asset_read(self.api_source, self.api_servers)
        self.database.grant_connect(self.api_servers)  # API servers → PostgreSQL, its secret
        self.cache.grant_connect(self.api_servers)  # API servers → Redis, its AUTH token
        # Write-only, one prefix: the API servers archive records, and never read or delete them.
        grant_put_only(
            self.archive,
            self.api_servers,
            ARCHIVE_PREFIX,
            reason="Each committed transfer gets a new object key; the API servers may only put "
            f"objects under {ARCHIVE_PREFIX} in the archive bucket, never read or delete them.",
        )

        # What API Gateway writes on each request it forwards, so WAF counts its callers one by
        # one: the caller's address, and a token only API Gateway sends (the UUID at the end of
        # the stack's id: known once deployed, in no source file).
        self.proxy_headers = ProxyHeaders(
            client_ip_header=CLIENT_IP_HEADER,
            origin_header=ORIGIN_HEADER,
            origin_token=Fn.select(2, Fn.split("/", self.stack_id)),
        )
        # AWS's common, SQL-injection ("SQL Injection 차단") and known-bad-input rule groups,
        # then 1,000 requests per 5 minutes per caller: through API Gateway by the address it
        # forwards (RatePerForwardedIp), directly to the ALB by the source address (RatePerIp).
        self.web_acl = regional_web_acl(
            self, "WebAcl", metric_name="Week5FinTech", proxy=self.proxy_headers
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WafOnAlb",
            resource_arn=self.api_servers.alb.load_balancer_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
        self.http_api = self._api_gateway()

        api = self.http_api.api_endpoint
        CfnOutput(self, "ApiGatewayUrl", value=api, description="API 주소: API Gateway → WAF → ALB")
        CfnOutput(
            self, "AlbUrl", value=self.api_servers.url, description="WAF 뒤의 로드 밸런서 주소"
        )
        CfnOutput(
            self,
            "ArchiveBucket",
            value=self.archive.bucket_name,
            description="거래 내역 아카이브 S3 버킷",
        )
        CfnOutput(
            self,
            "DbEndpoint",
            value=self.database.endpoint,
            description="트랜잭션 DB (Multi-AZ PostgreSQL) 엔드포인트",
        )
        # Each request twice: curl for bash (CloudShell, macOS/Linux, WSL), and a PowerShell
        # twin. In Windows PowerShell 5.1 `curl` is Invoke-WebRequest (curl.exe is curl), and
        # 5.1 hands a native program the JSON body's double quotes unescaped, so the transfer's
        # twin posts with Invoke-RestMethod, a cmdlet, and prints the answer as JSON.
        transfer = '{"from":"alice","to":"bob","amount":1000}'
        for output_id, description, bash, powershell in (
            (
                "ReadyCommand",
                "PostgreSQL, Redis, 아카이브 상태 (로드 밸런서는 /health만 확인)",
                f"curl -s {api}{FINTECH_READY_PATH}",
                f"curl.exe -s {api}{FINTECH_READY_PATH}",
            ),
            (
                "BalanceExample",
                "Redis 캐시: 첫 요청 miss, 다음 hit (30초)",
                f"curl -s {api}/accounts/alice/balance",
                f"curl.exe -s {api}/accounts/alice/balance",
            ),
            (
                "TransferExample",
                "PostgreSQL 트랜잭션, 커밋되면 S3 아카이브 (archive.key)",
                f"curl -s -X POST -H 'Content-Type: application/json' -d '{transfer}' "
                f"{api}/transfers",
                f"Invoke-RestMethod -Method Post -Uri {api}/transfers -ContentType "
                f"application/json -Body '{transfer}' | ConvertTo-Json -Compress -Depth 5",
            ),
        ):
            CfnOutput(
                self,
                output_id,
                value=bash,
                description=f"{description}; bash (CloudShell, macOS/Linux, WSL): Windows "
                f"PowerShell은 {output_id}PowerShell",
            )
            CfnOutput(
                self,
                f"{output_id}PowerShell",
                value=powershell,
                description=f"{description} (Windows PowerShell)",
            )
        CfnOutput(
            self,
            "ArchiveListCommand",
            value=f"aws s3 ls --region {self.region} --recursive "
            f"s3://{self.archive.bucket_name}/{ARCHIVE_PREFIX}",
            description="S3 거래 내역 아카이브 (30일 뒤 Glacier)",
        )
        CfnOutput(
            self,
            "DbFailoverCommand",
            value=failover_command(
                self.database.instance.instance_identifier, region=self.region
            ),
            description="Multi-AZ 장애 조치 (60-120초); FailoverWatchCommand로 지켜보기",
        )
        CfnOutput(
            self,
            "FailoverWatchCommand",
            value=f"while true; do date +%T; curl -s --max-time 5 {self.api_servers.url}"
            f"{FINTECH_LIVENESS_PATH}; echo; curl -s --max-time 5 {self.api_servers.url}"
            f"{FINTECH_READY_PATH}; echo; aws elbv2 describe-target-health --region "
            f"{self.region} --target-group-arn {self.api_servers.target_group.target_group_arn} "
            "--query 'TargetHealthDescriptions[].TargetHealth.State' --output text; sleep 5; done",
            description="장애 조치 중: /health와 대상은 healthy, /ready는 db unavailable 후 복구; "
            "bash (CloudShell, macOS/Linux, WSL): Windows PowerShell은 "
            "FailoverWatchCommandPowerShell",
        )
        CfnOutput(
            self,
            "FailoverWatchCommandPowerShell",
            # '' after each curl.exe, as the bash line's echo: its answer ends in no newline
            value=f"while ($true) {{ Get-Date -Format HH:mm:ss; curl.exe -s --max-time 5 "
            f"{self.api_servers.url}{FINTECH_LIVENESS_PATH}; ''; curl.exe -s --max-time 5 "
            f"{self.api_servers.url}{FINTECH_READY_PATH}; ''; aws elbv2 describe-target-health "
            f"--region {self.region} --target-group-arn "
            f"{self.api_servers.target_group.target_group_arn} "
            "--query 'TargetHealthDescriptions[].TargetHealth.State' --output text; "
            "Start-Sleep 5 }",
            description="FailoverWatchCommand와 같은 5초마다의 확인 (Windows PowerShell, "
            "Ctrl+C로 끝)",
        )

    def _api_gateway(self) -> apigw.HttpApi:
        api = apigw.HttpApi(
            self,
            "HttpApi",
            api_name=f"{self.name_prefix}-api",
            description="Day 3 case: public API entry, proxied to the WAF-protected ALB",
            # The $default route sends the request's whole path on to this URL ("When the
            # $default route receives a request, API Gateway sends the full request path to the
            # integration", the HTTP API routes guide): no {proxy} variable, which only a
            # route with a {proxy+} path has.
            # HTTPS ends here: API Gateway's URL is https, its hop to the ALB is plain HTTP (an
            # ALB certificate needs a domain). The headers tell WAF who the caller is.
            default_integration=integrations.HttpUrlIntegration(
                "Alb",
                f"http://{self.api_servers.alb.load_balancer_dns_name}",
                parameter_mapping=self.proxy_headers.parameter_mapping(),
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=logs.RetentionDays.ONE_WEEK,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # HttpApi takes no access-log or throttle settings for its default stage, and an
        # HttpStage of our own named $default would replace it (a deployed API's update would
        # then fail: CloudFormation makes the new $default before it deletes the old one).
        stage = api.default_stage.node.default_child
        stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format='{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
            '"route":"$context.routeKey","status":"$context.status"}',
        )
        # The whole API's limit (API Gateway's account default is 10,000 a second): far above
        # a class's curl loops, far below what would run up the ALB's and the API servers' bill.
        stage.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_burst_limit=100, throttling_rate_limit=50
        )
        acknowledge(
            api,
            "AwsSolutions-APIG4",
            "The case's API is public like the course's; authentication (Cognito/JWT) is a "
            "later topic, and WAF plus throttling guard the door.",
        )
        return api
