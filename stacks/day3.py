"""Day 3: databases and caching (RDS PostgreSQL Multi-AZ, ElastiCache Redis)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR
from week5.constructs import userdata
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.cleanup import LeftoverCleanup
from week5.constructs.database import PostgresDatabase
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.userdata import PSQL_SCRIPT, install_psql_client
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack
from week5.synth.nag import acknowledge

CACHE_DEMO_APP = APPS_DIR / "cache_demo.py"
CACHE_DEMO_COMPOSE = COMPOSE_DIR / "cache-demo.yml"
FINTECH_API = APPS_DIR / "fintech_api"
FINTECH_COMPOSE = COMPOSE_DIR / "fintech-api.yml"
#: Transaction records move to S3 Glacier Flexible Retrieval after this long (장기 보관).
ARCHIVE_TO_GLACIER_AFTER = Duration.days(30)
#: Where the API servers write transaction exports in the archive bucket.
ARCHIVE_PREFIX = "transfers/"
#: Requests per 5 minutes from one IP before WAF blocks it (a simple flood guard).
WAF_RATE_LIMIT = 1000
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",  # the case's "SQL Injection 차단"
    "AWSManagedRulesKnownBadInputsRuleSet",
)


class Day3Lab1Stack(LabStack):
    """Day 3 Lab 1 - RDS PostgreSQL 구성: Multi-AZ db.t3.micro and a psql client.

    Step 1: RDS PostgreSQL 17, db.t3.micro, Multi-AZ, in the private subnets of a two-AZ VPC;
    its security group admits 5432 only from the client's security group. Step 2: a client host
    in a public subnet (no inbound port; Session Manager) with ``psql`` and ``sudo lab-psql``,
    which reads the generated credentials from Secrets Manager and connects over TLS; create a
    table and insert rows from there. Step 3 (by hand, as the course asks): the manual snapshot,
    with the AWS CLI command in the outputs. A manual snapshot is not part of the stack, so a
    LeftoverCleanup deletes every manual snapshot of the lab's database when the stack is
    deleted; ``DeleteSnapshotCommand`` deletes it sooner.

    The private subnets have no NAT (RDS needs none), and the client sits in a public subnet
    with no inbound rule, which saves a NAT gateway's $0.064 an hour.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.database = PostgresDatabase(
            self, "Database", vpc=vpc, multi_az=True, database_name="week5"
        )
        self.client = LabHost(
            self,
            "Client",
            vpc=vpc,
            subnet=self.network.public_subnets[0],
            user_data_lines=install_psql_client(
                region=self.region, secret_arn=self.database.secret.secret_arn
            ),
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
        CfnOutput(self, "DbEndpoint", value=self.database.endpoint)
        CfnOutput(self, "DbSecretName", value=self.database.secret.secret_name)
        CfnOutput(self, "ClientSsmCommand", value=self.client.ssm_command)
        CfnOutput(self, "PsqlCommand", value=f"sudo {PSQL_SCRIPT}")
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
        )
        CfnOutput(
            self,
            "DeleteSnapshotCommand",
            value=f"aws rds delete-db-snapshot --region {self.region} "
            f"--db-snapshot-identifier {snapshot_id}",
        )


class Day3Lab2Stack(LabStack):
    """Day 3 Lab 2 - Redis 캐싱 구현: ElastiCache Redis and a Cache-Aside demo app.

    Step 1: an ElastiCache Redis OSS replication group (one cache.t3.micro node, TLS, AUTH
    token in Secrets Manager) in the private subnets; its security group admits 6379 only from
    the app host's. Step 2: the app host (public subnet, HTTP 80) runs ``week5/assets/apps/cache_demo.py``
    in a container: ``/products/<id>`` reads Cache-Aside (miss, then hit), ``/compare/<id>``
    times a read from the source against Redis (the "성능 비교" step). Step 3: ``/session`` keeps
    a session in Redis. The source is the demo's stand-in (an in-memory catalogue with a database's
    latency), so the lab needs no RDS; the same app runs against PostgreSQL with DATABASE_URL.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.cache = RedisCache(self, "Cache", vpc=vpc)
        self.app_host = DockerHost(
            self,
            "AppHost",
            vpc=vpc,
            subnet=self.network.public_subnets[0],
            compose_file=CACHE_DEMO_COMPOSE,
            app_files={"cache_demo.py": CACHE_DEMO_APP},
            compose_env={"REDIS_HOST": self.cache.endpoint, "REDIS_PORT": str(REDIS_PORT)},
            compose_secrets={"REDIS_AUTH_TOKEN": self.cache.auth_secret},
            ssh_cidr=settings.ssh_cidr,
            key_name=settings.key_name,
            name=f"{self.name_prefix}-cache-demo",
        )
        self.cache.grant_connect(self.app_host)  # app host → Redis 6379, and its AUTH token
        url = Fn.join("", ["http://", self.app_host.public_ip])
        CfnOutput(self, "AppUrl", value=url, description="the demo's index page")
        CfnOutput(self, "CacheAsideUrl", value=Fn.join("", [url, "/products/1"]))
        CfnOutput(self, "CompareUrl", value=Fn.join("", [url, "/compare/1"]))
        CfnOutput(self, "SessionUrl", value=Fn.join("", [url, "/session"]))
        CfnOutput(self, "RedisEndpoint", value=self.cache.endpoint)
        CfnOutput(self, "AppSsmCommand", value=self.app_host.ssm_command)


class Day3CaseStack(LabStack):
    """Day 3 Session 4 case - FinTech 플랫폼: the diagram's services, wired the way AWS allows.

    The diagram reads "사용자 → WAF → ALB → API Gateway → Lambda/ECS → RDS → ElastiCache → S3".
    An ALB cannot forward to API Gateway, and WAF attaches to an ALB (or a REST API), not to an
    HTTP API. What is built instead: WAF (AWS's common, SQL-injection and known-bad-input rule
    groups, plus a per-IP rate limit) on an internet-facing ALB in front of the API servers; API
    Gateway (an HTTP API with throttling and access logs) as the public API entry, proxying to
    that ALB, so every request, through either door, passes WAF. The API servers are EC2 (Week 5
    teaches EC2; FAQ Q4) in a ``HaWebTier`` of 2 to 4 running the course's Node API compose file
    with ``week5/assets/apps/fintech_api`` (balances cached in Redis, transfers as locking PostgreSQL
    transactions). RDS PostgreSQL 17 is Multi-AZ (ACID data, failover); Redis holds balances and
    sessions; the archive bucket's lifecycle moves transaction records to Glacier after 30 days.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = PostgresDatabase(
            self, "Database", vpc=vpc, multi_az=True, database_name="fintech"
        )
        self.cache = RedisCache(self, "Cache", vpc=vpc)
        lines = userdata.install_docker() + userdata.compose_up(
            FINTECH_COMPOSE,
            region=self.region,
            env={
                "AWS_REGION": self.region,
                "DB_HOST": self.database.endpoint,
                "REDIS_HOST": self.cache.endpoint,
                "REDIS_PORT": str(REDIS_PORT),
            },
            secret_env={
                "DB_USER": (self.database.secret.secret_arn, "username"),
                "DB_PASSWORD": (self.database.secret.secret_arn, "password"),
                "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
            },
            files={
                "server.js": FINTECH_API / "server.js",
                "package.json": FINTECH_API / "package.json",
            },
        )
        self.api_servers = HaWebTier(
            self, "ApiServers", vpc=vpc, health_check_path="/health", user_data_lines=lines
        )
        self.database.grant_connect(self.api_servers)  # API servers → PostgreSQL, its secret
        self.cache.grant_connect(self.api_servers)  # API servers → Redis, its AUTH token

        self.archive = s3.Bucket(
            self,
            "Archive",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
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
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        # Write-only, one prefix: the API servers archive records, and never read or delete them.
        iam.Grant.add_to_principal(
            grantee=self.api_servers,
            actions=["s3:PutObject"],
            resource_arns=[self.archive.arn_for_objects(f"{ARCHIVE_PREFIX}*")],
        )
        acknowledge(
            self.api_servers.role,
            f"AwsSolutions-IAM5[Resource::<{self.resolve(self.archive.node.default_child.logical_id)}"
            f".Arn>/{ARCHIVE_PREFIX}*]",
            "Each export gets a new object key; the API servers may only put objects under "
            f"{ARCHIVE_PREFIX} in the archive bucket, never read or delete them.",
        )
        acknowledge(
            self.archive,
            "AwsSolutions-S1",
            "Server access logs need a log bucket that outlives the stack and bills after the "
            "lab; the archive holds exports only the API servers write.",
        )

        self.web_acl = self._web_acl()
        wafv2.CfnWebACLAssociation(
            self,
            "WafOnAlb",
            resource_arn=self.api_servers.alb.load_balancer_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
        self.http_api = self._api_gateway()

        CfnOutput(self, "ApiGatewayUrl", value=self.http_api.api_endpoint)
        CfnOutput(self, "AlbUrl", value=self.api_servers.url, description="behind WAF")
        CfnOutput(self, "ArchiveBucket", value=self.archive.bucket_name)
        CfnOutput(self, "DbEndpoint", value=self.database.endpoint)
        CfnOutput(
            self,
            "TransferExample",
            value=Fn.join(
                "",
                [
                    "curl -s -X POST -H 'Content-Type: application/json' "
                    '-d \'{"from":"alice","to":"bob","amount":1000}\' ',
                    self.http_api.api_endpoint,
                    "/transfers",
                ],
            ),
        )

    def _web_acl(self) -> wafv2.CfnWebACL:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=index,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=visibility(group),
            )
            for index, group in enumerate(WAF_MANAGED_RULE_GROUPS)
        ]
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RatePerIp",
                priority=len(rules),
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=WAF_RATE_LIMIT, aggregate_key_type="IP"
                    )
                ),
                visibility_config=visibility("RatePerIp"),
            )
        )
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("Week5FinTech"),
            rules=rules,
        )

    def _api_gateway(self) -> apigw.HttpApi:
        api = apigw.HttpApi(
            self,
            "HttpApi",
            description="Day 3 case: public API entry, proxied to the WAF-protected ALB",
            default_integration=integrations.HttpUrlIntegration(
                "Alb", f"http://{self.api_servers.alb.load_balancer_dns_name}/{{proxy}}"
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=logs.RetentionDays.ONE_WEEK,
            removal_policy=RemovalPolicy.DESTROY,
        )
        stage = api.default_stage.node.default_child
        stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format='{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
            '"route":"$context.routeKey","status":"$context.status"}',
        )
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
