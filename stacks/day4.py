"""Day 4: load balancing and high availability (ALB, Auto Scaling)."""

from __future__ import annotations

from typing import List

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR, SITES_DIR
from week5.constructs import userdata
from week5.constructs.access import grant_put_only
from week5.constructs.bucket import private_bucket
from week5.constructs.cache import RedisCache
from week5.constructs.commands import (
    asg_run_command,
    db_az_command,
    failover_command,
    request_load,
    scaling_activities_command,
    terminate_instance_command,
)
from week5.constructs.database import MysqlDatabase, PostgresDatabase
from week5.constructs.host import DockerHost
from week5.constructs.static_site import (
    StaticSite,
    bucket_behavior,
    load_balancer_behavior,
)
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier, ScalingMetric
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack

TIER_APP = APPS_DIR / "tier_app.py"
GHOST_COMPOSE = COMPOSE_DIR / "ghost.yml"
NEWS_CACHE_COMPOSE = COMPOSE_DIR / "news-cache.yml"
NEWS_CACHE_APP = APPS_DIR / "news_cache.py"
NEWS_STATIC_SITE = SITES_DIR / "news-static"
#: Ghost serves the articles under this path; CloudFront sends it to the ALB.
NEWS_PATH = "/news/"
#: The news servers' liveness, the ALB's check: their own process, not Ghost or Redis.
NEWS_LIVENESS_PATH = "/healthz"
#: Ghost 5 needs about 1 GiB for itself; a t3.micro's 1 GiB also holds Docker and the OS.
GHOST_INSTANCE_TYPE = "t3.small"
GHOST_PORT = 2368
#: Where the media bucket keeps Ghost's uploaded images: the same path as Ghost's own URLs.
GHOST_IMAGES_PATH = f"{NEWS_PATH}content/images/"
#: The writer's Ghost content folder on the host (ghost.yml mounts ./content).
GHOST_CONTENT_DIR = f"{userdata.APP_DIR}/content"
#: The writer's report on the read replica (ghost.yml's replica-report), after the replica's
#: endpoint: the report gets it from the command line, so Ghost's host need not wait for the
#: replica's six minutes before it boots.
REPLICA_REPORT_COMMAND = (
    f"docker compose -f {userdata.APP_DIR}/docker-compose.yml run --rm replica-report"
)
#: A news server runs a small Python proxy: a t3.micro is plenty.
NEWS_INSTANCE_TYPE = "t3.micro"
#: Launch to serving the front page: Docker, a Python image, and the writer's Ghost up (its
#: image pull and first migration run while the news servers boot).
NEWS_BOOT_TIME = Duration.minutes(6)
#: Requests per target per minute before the group adds a news server (속보 traffic).
NEWS_REQUESTS_PER_TARGET = 1000
#: The case's load test, from each of the two first news servers: 25 requests a second on
#: ``PopularUrl`` through CloudFront is 3,000 a minute at the ALB, 1,500 per target, above
#: NEWS_REQUESTS_PER_TARGET: target tracking asks for 3 servers (2 x 1,500 / 1,000). The
#: servers that join do not run it, so at 3 the figure is back at the target.
NEWS_LOAD_PER_SECOND = 25
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
        # 1-minute metrics: the load test (LOAD_TEST_SECONDS) must see the group scale out
        self.web = HaWebTier(self, "Web", vpc=self.network.vpc, detailed_monitoring=True)
        group = self.web.asg.auto_scaling_group_name
        CfnOutput(
            self,
            "AlbUrl",
            value=self.web.url,
            description="Step 2: ALB 주소 (새로고침하면 다른 인스턴스가 응답)",
        )
        CfnOutput(
            self, "AutoScalingGroupName", value=group, description="Step 3: Auto Scaling 그룹 이름"
        )
        CfnOutput(
            self,
            "LoadTestCommand",
            value=asg_run_command(
                ["dnf install -y stress-ng", f"stress-ng --cpu 0 --timeout {LOAD_TEST_SECONDS}s"],
                group=group,
                region=self.region,
            ),
            description="Step 3: 부하 테스트 (모든 vCPU를 10분 동안 바쁘게)",
        )
        CfnOutput(
            self,
            "WatchScalingCommand",
            value=scaling_activities_command(group, region=self.region),
            description="Step 3: 확장과 축소 활동 보기 (최근 5건)",
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
    over to its standby (``DbAzCommand``, before and after, shows the database's AZ and its
    standby's swap) and ``KillWebInstanceCommand`` terminates a web instance; reload ``ApiUrl``
    meanwhile and watch the answers move to the other AZ and come back.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.GATEWAY_PER_AZ, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = PostgresDatabase(
            self, "Database", vpc=vpc, multi_az=True, name=f"{self.name_prefix}-db"
        )
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
            # Liveness for the ALB; each instance signals once the database's port answers.
            health_check_path="/api/health",
            ready_path="/api/ready",
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

        CfnOutput(self, "AlbUrl", value=self.web.url, description="웹 티어 ALB 주소")
        CfnOutput(
            self,
            "ApiUrl",
            value=f"{self.web.url}/api/",
            description="한 번의 요청이 웹 → 내부 ALB → 앱 → DB를 모두 거침",
        )
        CfnOutput(
            self,
            "DbFailoverCommand",
            value=failover_command(
                self.database.instance.instance_identifier,
                region=self.region,
            ),
            description="장애 테스트: 다른 AZ의 대기 DB가 넘겨받음 (1-2분)",
        )
        CfnOutput(
            self,
            "DbAzCommand",
            value=db_az_command(self.database.instance.instance_identifier, region=self.region),
            description="장애 조치 전후에 실행: DB의 AZ와 대기 DB의 AZ (장애 조치 뒤 서로 바뀜)",
        )
        CfnOutput(
            self,
            "KillWebInstanceCommand",
            value=terminate_instance_command(
                self.web.asg.auto_scaling_group_name, region=self.region
            ),
            description="장애 테스트: ALB가 요청을 끊고 ASG가 새 인스턴스로 바꿈",
        )


class Day4CaseStack(LabStack):
    """Day 4 Session 4 case - News & Media 플랫폼 (Ghost), as the course's diagram maps it.

    "CloudFront (글로벌 CDN)": one distribution. "S3 (정적 콘텐츠)": its default path, a private
    bucket (``week5/assets/sites/news-static``). "ALB (동적 API) → ASG (뉴스 서버)": ``/news/*``
    goes to an ALB that admits only CloudFront, over an Auto Scaling group of 2 to 4 news servers
    that scales on requests per target.

    One writer and a cached read path. Ghost runs one process per site (its routes and
    settings live in that process's memory), so two Ghosts on one database would not serve the
    same site. Exactly one Ghost runs, on the writer host (the course's Ghost compose file); the
    news servers run ``week5/assets/apps/news_cache.py``, which answers reads from one cache
    they all share, "ElastiCache (인기 기사 캐싱)", fetches what is missing or stale from Ghost
    (about once per page per max-age: the servers take no lock, so two that miss one page at
    once both ask), counts the most-read pages
    (``PopularUrl``), serves the last copy when Ghost or its database is down, and passes
    writes (the admin, ``<NewsUrl>ghost/``) to Ghost. The ALB checks the news servers' own
    liveness (``/healthz``), never Ghost or Redis: their failover replaces no server.
    "RDS Read Replica (읽기 부하 분산)": MySQL 8.4 with a replica in AZ-B; Ghost writes and reads
    the primary (it takes one database address), and the writer's ``replica-report`` reads the
    replica (``ReplicaReportCommand``, which hands it the replica's endpoint). "S3 (미디어
    파일)": a private media bucket at ``/media/*`` (``MediaUploadCommand``), and Ghost's
    uploaded images: the writer copies them there every minute and CloudFront serves
    ``/news/content/images/*`` from it, falling back to the news servers for an image not
    copied yet. Ghost's ``url`` is CloudFront's address
    over HTTP: CloudFront reaches the ALB over HTTP, and a Ghost set to https would redirect
    those requests in a loop. Viewers still get HTTPS (CloudFront redirects).

    "트래픽 급증 시 자동 확장": ``LoadTestCommand`` has the two news servers request
    ``PopularUrl`` through CloudFront, NEWS_LOAD_PER_SECOND (25) a second each for
    LOAD_TEST_SECONDS (ten minutes);
    ``WatchScalingCommand`` shows the group adding a server. ``PopularUrl`` answers
    ``no-store``, so every request reaches the ALB; the articles (``/news/*``) are kept at
    CloudFront for their max-age (60 s from Ghost), so a spike of reads of one article is
    answered at the edge and never reaches the ALB, the servers or the policy.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = MysqlDatabase(
            self,
            "Database",
            vpc=vpc,
            database_name="ghost",
            read_replicas=1,
            name=f"{self.name_prefix}-db",
        )
        self.cache = RedisCache(self, "Cache", vpc=vpc, name=f"{self.name_prefix}-cache")
        #: The read path: news servers that share the Redis cache, in front of the one Ghost.
        self.news = HaWebTier(
            self,
            "News",
            vpc=vpc,
            instance_type=NEWS_INSTANCE_TYPE,
            health_check_path=NEWS_LIVENESS_PATH,
            # Before it signals, a news server serves the front page through itself from Ghost.
            ready_path=NEWS_PATH,
            boot_time=NEWS_BOOT_TIME,
            cloudfront_origin=True,
            scaling_metric=ScalingMetric.REQUESTS_PER_TARGET,
            scaling_target=NEWS_REQUESTS_PER_TARGET,
            user_data_lines=userdata.install_docker(),
        )
        self.media = private_bucket(self, "Media")
        uploaded_images = cloudfront.BehaviorOptions(
            origin=origins.OriginGroup(
                primary_origin=origins.S3BucketOrigin.with_origin_access_control(self.media),
                # An image Ghost has not copied to S3 yet: the news servers fetch it from Ghost.
                fallback_origin=origins.LoadBalancerV2Origin(
                    self.news.alb, protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY
                ),
                fallback_status_codes=[403, 404],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
        )
        news_pages = load_balancer_behavior(
            self.news.alb, cache_policy=cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS
        )
        self.site = StaticSite(
            self,
            "Site",
            content_dir=NEWS_STATIC_SITE,
            behaviors={
                # First: CloudFront takes the first pattern that matches.
                f"{GHOST_IMAGES_PATH}*": uploaded_images,
                f"{NEWS_PATH}*": news_pages,
                # Ghost links its site title to its url without the slash: Ghost redirects it
                # to /news/ (from the bucket it would be a 403).
                NEWS_PATH.rstrip("/"): news_pages,
                "/media/*": bucket_behavior(self.media),
            },
        )
        news_url = f"http://{self.site.distribution.distribution_domain_name}{NEWS_PATH}"
        #: The one Ghost: the course's compose file, in Private-A; only the news servers reach it.
        self.writer = DockerHost(
            self,
            "Writer",
            vpc=vpc,
            subnet=self.network.private_subnets[0],
            instance_type=GHOST_INSTANCE_TYPE,
            compose_file=GHOST_COMPOSE,
            compose_env={"DB_HOST": self.database.endpoint, "SITE_URL": news_url},
            compose_secrets={
                "DB_USER": (self.database.secret, "username"),
                "DB_PASSWORD": (self.database.secret, "password"),
            },
            default_port=GHOST_PORT,
            name=f"{self.name_prefix}-ghost-writer",
        )
        self.writer.add_boot_lines(*media_sync(self.media.bucket_name, self.region))
        # Writer → media bucket: list it and put Ghost's new images, nothing else.
        grant_put_only(
            self.media,
            self.writer,
            GHOST_IMAGES_PATH.lstrip("/"),
            list_bucket=True,
            reason="The writer copies the images editors upload to Ghost, whose names are not "
            "known in advance, into the lab's media bucket; puts are limited to Ghost's image "
            "path.",
        )
        self.database.grant_connect(self.writer)  # Ghost → MySQL 3306, and its secret
        self.writer.connections.allow_default_port_from(
            self.news, "Ghost 2368 from the news servers only"
        )
        self.news.add_boot_lines(
            *userdata.write_file_gzipped(f"{userdata.APP_DIR}/news_cache.py", NEWS_CACHE_APP),
            *userdata.compose_up(
                NEWS_CACHE_COMPOSE,
                region=self.region,
                env={
                    "ORIGIN_URL": f"http://{self.writer.private_ip}:{GHOST_PORT}",
                    "REDIS_HOST": self.cache.endpoint,
                    "REDIS_PORT": str(self.cache.port),
                },
                secret_env={"REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn},
            ),
        )
        self.cache.grant_connect(self.news)  # news servers → Redis 6379, and its AUTH token

        CfnOutput(self, "SiteUrl", value=self.site.url, description="CloudFront: 정적 첫 페이지")
        CfnOutput(
            self,
            "NewsUrl",
            value=f"{self.site.url}{NEWS_PATH}",
            description="CloudFront와 뉴스 서버의 캐시를 거친 Ghost; 관리 화면은 <NewsUrl>ghost/",
        )
        popular_url = f"{self.site.url}{NEWS_PATH}popular.json"
        CfnOutput(
            self,
            "PopularUrl",
            value=popular_url,
            description="인기 기사: 가장 많이 읽힌 페이지 (Redis에서 집계)",
        )
        group = self.news.asg.auto_scaling_group_name
        CfnOutput(
            self,
            "AutoScalingGroupName",
            value=group,
            description="뉴스 서버의 Auto Scaling 그룹 이름 (대상당 분당 요청 "
            f"{NEWS_REQUESTS_PER_TARGET:,}건 목표 추적)",
        )
        CfnOutput(
            self,
            "LoadTestCommand",
            # PopularUrl answers no-store: CloudFront passes each request on to the ALB.
            value=asg_run_command(
                [
                    request_load(
                        popular_url, per_second=NEWS_LOAD_PER_SECOND, seconds=LOAD_TEST_SECONDS
                    )
                ],
                group=group,
                region=self.region,
            ),
            description="속보 트래픽: 뉴스 서버 2대가 CloudFront를 거쳐 PopularUrl에 초당 "
            f"{2 * NEWS_LOAD_PER_SECOND}건, {LOAD_TEST_SECONDS // 60}분 (대상당 분당 "
            f"{60 * NEWS_LOAD_PER_SECOND:,}건이라 서버가 "
            f"{-(-2 * 60 * NEWS_LOAD_PER_SECOND // NEWS_REQUESTS_PER_TARGET)}대로 늘어남)",
        )
        CfnOutput(
            self,
            "WatchScalingCommand",
            value=scaling_activities_command(group, region=self.region),
            description="확장과 축소 활동 보기 (최근 5건)",
        )
        CfnOutput(
            self, "DbEndpoint", value=self.database.endpoint, description="Ghost의 쓰기 DB (기본)"
        )
        CfnOutput(
            self,
            "ReadReplicaEndpoint",
            value=self.database.replica_endpoints[0],
            description="읽기 전용 복제본: 쓰기 호스트의 replica-report가 읽음",
        )
        CfnOutput(
            self,
            "RedisEndpoint",
            value=self.cache.endpoint,
            description="인기 기사 집계용 ElastiCache Redis 엔드포인트",
        )
        CfnOutput(
            self,
            "WriterSessionCommand",
            value=self.writer.ssm_command,
            description="Ghost 쓰기 호스트에 셸 열기 (Session Manager)",
        )
        CfnOutput(
            self,
            "ReplicaReportCommand",
            value=f"sudo env DB_REPLICA_HOST={self.database.replica_endpoints[0]} "
            + REPLICA_REPORT_COMMAND,
            description="쓰기 호스트에서 (WriterSessionCommand): 기본 DB가 아닌 읽기 전용 "
            "복제본에서 읽은 보고서",
        )
        CfnOutput(
            self,
            "MediaUploadCommand",
            value=f"aws s3 cp photo.jpg s3://{self.media.bucket_name}/media/photo.jpg "
            f"--region {self.region}",
            description="이 폴더의 photo.jpg를 미디어 버킷에 올린 뒤 <SiteUrl>/media/photo.jpg를 "
            "열기 (동영상 등 다른 파일이면 두 곳의 이름을 바꿈)",
        )


def media_sync(bucket_name: str, region: str) -> List[str]:
    """A systemd timer on the writer: every minute, Ghost's new images go to the media bucket
    under the path of their Ghost URL, where CloudFront serves them."""
    return userdata.s3_sync_timer(
        "ghost-media-sync",
        f"{GHOST_CONTENT_DIR}/images",
        f"s3://{bucket_name}/{GHOST_IMAGES_PATH.lstrip('/')}",
        region=region,
        description="Week 5: copy Ghost's uploaded images to the media bucket",
        timer_description="Week 5: Ghost's images to S3, every minute",
    )
