"""Day 3: databases and caching (RDS PostgreSQL Multi-AZ, ElastiCache Redis)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Fn
from constructs import Construct

from week5.catalog import Lab
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.database import PostgresDatabase
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.lab import LabStack
from week5.settings import CourseSettings
from week5.userdata import PSQL_SCRIPT, install_psql_client

_WEEK5 = Path(__file__).resolve().parent.parent / "week5"
CACHE_DEMO_APP = _WEEK5 / "apps" / "cache_demo.py"
CACHE_DEMO_COMPOSE = _WEEK5 / "compose" / "cache-demo.yml"


class Day3Lab1Stack(LabStack):
    """Day 3 Lab 1 - RDS PostgreSQL 구성: Multi-AZ db.t3.micro and a psql client.

    Step 1: RDS PostgreSQL 17, db.t3.micro, Multi-AZ, in the private subnets of a two-AZ VPC;
    its security group admits 5432 only from the client's security group. Step 2: a client host
    in a public subnet (no inbound port; Session Manager) with ``psql`` and ``sudo lab-psql``,
    which reads the generated credentials from Secrets Manager and connects over TLS; create a
    table and insert rows from there. Step 3 (by hand, as the course asks): the manual snapshot,
    with the AWS CLI command in the outputs. A manual snapshot is not part of the stack and
    outlives ``cdk destroy``: delete it with the ``DeleteSnapshotCommand`` output.

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
        self.database.allow_from(self.client)
        self.database.secret.grant_read(self.client.role)

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
    the app host's. Step 2: the app host (public subnet, HTTP 80) runs ``week5/apps/cache_demo.py``
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
        self.cache.allow_from(self.app_host)
        url = Fn.join("", ["http://", self.app_host.public_ip])
        CfnOutput(self, "AppUrl", value=url, description="the demo's index page")
        CfnOutput(self, "CacheAsideUrl", value=Fn.join("", [url, "/products/1"]))
        CfnOutput(self, "CompareUrl", value=Fn.join("", [url, "/compare/1"]))
        CfnOutput(self, "SessionUrl", value=Fn.join("", [url, "/session"]))
        CfnOutput(self, "RedisEndpoint", value=self.cache.endpoint)
        CfnOutput(self, "AppSsmCommand", value=self.app_host.ssm_command)
