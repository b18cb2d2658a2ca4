"""Day 4: load balancing and high availability (ALB, Auto Scaling)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Fn
from aws_cdk import aws_cloudfront as cloudfront
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR, SITES_DIR
from week5.constructs import userdata
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.database import MysqlDatabase, PostgresDatabase
from week5.constructs.static_site import (
    StaticSite,
    bucket_behavior,
    load_balancer_behavior,
    private_bucket,
)
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier, ScalingMetric
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack

TIER_APP = APPS_DIR / "tier_app.py"
GHOST_COMPOSE = COMPOSE_DIR / "ghost.yml"
NEWS_STATIC_SITE = SITES_DIR / "news-static"
#: Ghost serves the articles under this path; CloudFront sends it to the ALB.
NEWS_PATH = "/news/"
#: Ghost 5 needs about 1 GiB for itself; a t3.micro's 1 GiB also holds Docker and the OS.
GHOST_INSTANCE_TYPE = "t3.small"
#: Requests per target per minute before the group adds a news server (속보 traffic).
NEWS_REQUESTS_PER_TARGET = 1000
#: The app tier's port behind its internal ALB (the web tier keeps 80).
APP_TIER_PORT = 8080

#: How long the load test keeps every vCPU busy: longer than target tracking's 3-minute alarm.
LOAD_TEST_SECONDS = 600


class Day4Lab1Stack(LabStack):
    """Day 4 Lab 1 - ALB + ASG 구성: a web service that scales itself.

    Step 1: a launch template (Amazon Linux 2023, IMDSv2, encrypted gp3) whose user data serves an
    nginx page naming the instance and its AZ. Step 2: an internet-facing ALB in the two public
    subnets, a target group with a health check on ``/``. Step 3: an Auto Scaling group of min 2,
    max 4 in the two private subnets (one NAT gateway in Public-A for their packages), ELB health
    checks, and target tracking at 50 % average CPU. The 부하 테스트: the ``LoadTestCommand``
    output runs ``stress-ng`` on the group's instances through Session Manager; within about five
    minutes the group scales out, and after the test it scales back in. Reload the ``AlbUrl`` to
    see the instances and AZs take turns.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.SINGLE_GATEWAY, name_prefix=self.name_prefix
        )
        self.web = HaWebTier(self, "Web", vpc=self.network.vpc)
        group = self.web.asg.auto_scaling_group_name
        CfnOutput(self, "AlbUrl", value=self.web.url, description="reload to see the balancing")
        CfnOutput(self, "AutoScalingGroupName", value=group)
        CfnOutput(
            self,
            "LoadTestCommand",
            value=Fn.join(
                "",
                [
                    f"aws ssm send-command --region {self.region} "
                    "--document-name AWS-RunShellScript "
                    "--targets Key=tag:aws:autoscaling:groupName,Values=",
                    group,
                    ' --parameters \'commands=["dnf install -y stress-ng",'
                    f'"stress-ng --cpu 0 --timeout {LOAD_TEST_SECONDS}s"]\'',
                ],
            ),
            description="부하 테스트: every vCPU busy for 10 minutes",
        )
        CfnOutput(
            self,
            "WatchScalingCommand",
            value=Fn.join(
                "",
                [
                    f"aws autoscaling describe-scaling-activities --region {self.region} "
                    "--max-items 5 --auto-scaling-group-name ",
                    group,
                ],
            ),
        )


class Day4ChallengeStack(LabStack):
    """Day 4 Challenge - 고가용성 아키텍처: web, app and database tiers, each across two AZs.

    Multi-AZ 인프라: the course VPC with a NAT gateway in each AZ, so losing one AZ leaves the
    other's instances their way out. Web Tier: an internet-facing ALB and an ASG (2 to 4) whose
    nginx serves a page naming the instance and AZ and proxies ``/api/`` to the app tier. App
    Tier: an internal ALB that admits only the web tier, and an ASG (2 to 4) running
    ``week5/assets/apps/tier_app.py`` on 8080, which names its instance and AZ and probes the database.
    DB Tier: Multi-AZ RDS PostgreSQL that admits only the app tier. One request to
    ``ApiUrl`` crosses all three tiers. 장애 테스트: ``DbFailoverCommand`` fails the database
    over to its standby and ``KillWebInstanceCommand`` terminates a web instance; reload
    ``ApiUrl`` meanwhile and watch the answers move to the other AZ and come back.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.GATEWAY_PER_AZ, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = PostgresDatabase(self, "Database", vpc=vpc, multi_az=True)
        self.web = HaWebTier(
            self,
            "Web",
            vpc=vpc,
            user_data_lines=userdata.web_page(
                '<p><a href="/api/">/api/</a>: the app tier behind the internal ALB</p>'
            ),
        )
        self.app = HaWebTier(
            self,
            "App",
            vpc=vpc,
            internet_facing=False,
            app_port=APP_TIER_PORT,
            health_check_path="/api/health",
            user_data_lines=userdata.python_service(
                "tier-app",
                TIER_APP,
                {"PORT": str(APP_TIER_PORT), "DB_HOST": self.database.endpoint},
            ),
        )
        self.app.grant_connect(self.web)  # web → internal ALB (80)
        # app → DB 5432: the app probes the port and holds no credentials, so no secret.
        self.database.connections.allow_default_port_from(
            self.app, "PostgreSQL 5432 from a granted security group"
        )
        self.web.add_boot_lines(*userdata.nginx_proxy("/api/", self.app.alb.load_balancer_dns_name))

        CfnOutput(self, "AlbUrl", value=self.web.url, description="the web tier")
        CfnOutput(
            self,
            "ApiUrl",
            value=f"{self.web.url}/api/",
            description="web -> internal ALB -> app -> database, in one request",
        )
        CfnOutput(
            self,
            "DbFailoverCommand",
            value=(
                f"aws rds reboot-db-instance --region {self.region} --force-failover "
                f"--db-instance-identifier {self.database.instance.instance_identifier}"
            ),
            description="장애 테스트: the standby in the other AZ takes over (1-2 minutes)",
        )
        CfnOutput(
            self,
            "KillWebInstanceCommand",
            value=Fn.join(
                "",
                [
                    f"aws autoscaling terminate-instance-in-auto-scaling-group --region "
                    f"{self.region} --no-should-decrement-desired-capacity --instance-id "
                    f"$(aws autoscaling describe-auto-scaling-groups --region {self.region} "
                    "--auto-scaling-group-names ",
                    self.web.asg.auto_scaling_group_name,
                    " --query 'AutoScalingGroups[0].Instances[0].InstanceId' --output text)",
                ],
            ),
            description="장애 테스트: the ALB stops sending to it, the ASG replaces it",
        )


class Day4CaseStack(LabStack):
    """Day 4 Session 4 case - News & Media 플랫폼 (Ghost), as the course's diagram maps it.

    "CloudFront (글로벌 CDN)": one distribution. "S3 (정적 콘텐츠)": its default path, a private
    bucket (``week5/assets/sites/news-static``). "ALB (동적 API) → ASG (뉴스 서버)": ``/news/*`` goes to
    an internet-facing ALB and an Auto Scaling group of 2 to 4 t3.small hosts running the
    course's Ghost compose file; it scales on requests per target, and CloudFront keeps
    Ghost's pages for the 60 s their ``Cache-Control`` allows, so a breaking-news spike mostly
    stops at the edge. "RDS Read Replica": MySQL 8.4 with one read replica in AZ-B (Ghost itself
    writes and reads the primary; the replica serves reports and read-only tools).
    "ElastiCache (인기 기사 캐싱)": a Redis node whose endpoint and AUTH token the hosts receive.
    "S3 (미디어 파일)": a private media bucket served at ``/media/*``; ``MediaUploadCommand``
    puts a file there. Ghost's ``url`` is CloudFront's address over HTTP: CloudFront reaches the
    ALB over HTTP, and a Ghost configured for https would redirect those requests in a loop.
    Viewers still get HTTPS (CloudFront redirects). Ghost's admin is ``<NewsUrl>ghost/``.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = MysqlDatabase(
            self, "Database", vpc=vpc, database_name="ghost", read_replicas=1
        )
        self.cache = RedisCache(self, "Cache", vpc=vpc)
        self.news = HaWebTier(
            self,
            "News",
            vpc=vpc,
            instance_type=GHOST_INSTANCE_TYPE,
            health_check_path=NEWS_PATH,
            scaling_metric=ScalingMetric.REQUESTS_PER_TARGET,
            scaling_target=NEWS_REQUESTS_PER_TARGET,
            user_data_lines=userdata.install_docker(),
        )
        self.media = private_bucket(self, "Media")
        self.site = StaticSite(
            self,
            "Site",
            content_dir=NEWS_STATIC_SITE,
            behaviors={
                f"{NEWS_PATH}*": load_balancer_behavior(
                    self.news.alb,
                    cache_policy=cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
                ),
                "/media/*": bucket_behavior(self.media),
            },
        )
        news_url = f"http://{self.site.distribution.distribution_domain_name}{NEWS_PATH}"
        self.news.add_boot_lines(
            *userdata.compose_up(
                GHOST_COMPOSE,
                region=self.region,
                env={
                    "DB_HOST": self.database.endpoint,
                    "SITE_URL": news_url,
                    "REDIS_HOST": self.cache.endpoint,
                    "REDIS_PORT": str(REDIS_PORT),
                },
                secret_env={
                    "DB_USER": (self.database.secret.secret_arn, "username"),
                    "DB_PASSWORD": (self.database.secret.secret_arn, "password"),
                    "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
                },
            )
        )
        self.database.grant_connect(self.news)  # news servers → MySQL 3306, and its secret
        self.cache.grant_connect(self.news)  # news servers → Redis 6379, and its AUTH token

        CfnOutput(self, "SiteUrl", value=self.site.url, description="CloudFront: static front page")
        CfnOutput(
            self,
            "NewsUrl",
            value=f"{self.site.url}{NEWS_PATH}",
            description="Ghost through CloudFront and the ALB; the admin is <NewsUrl>ghost/",
        )
        CfnOutput(self, "DbEndpoint", value=self.database.endpoint, description="writes")
        CfnOutput(
            self,
            "ReadReplicaEndpoint",
            value=self.database.replica_endpoints[0],
            description="reads: reports and read-only tools",
        )
        CfnOutput(self, "RedisEndpoint", value=self.cache.endpoint)
        CfnOutput(
            self,
            "MediaUploadCommand",
            value=f"aws s3 cp photo.jpg s3://{self.media.bucket_name}/media/photo.jpg",
            description="then open <SiteUrl>/media/photo.jpg",
        )
