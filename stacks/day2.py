"""Day 2: compute and storage (EBS, EFS, S3 static hosting with CloudFront)."""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from week5.assets import COMPOSE_DIR, SITES_DIR
from week5.constructs import userdata
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.database import MysqlDatabase
from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.host import LabHost
from week5.constructs.static_site import StaticSite
from week5.constructs.userdata import MOUNT_VOLUME_SCRIPT, mount_data_volume
from week5.constructs.volume import (
    SNAPSHOT_TAG_KEY,
    DataVolume,
    ScheduledSnapshots,
    parse_snapshot_id,
)
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.core.catalog import Lab
from week5.core.settings import CourseSettings
from week5.synth.lab import LabStack

SAMPLE_SITE = SITES_DIR / "cloudmart-static"
PRESTASHOP_COMPOSE = COMPOSE_DIR / "prestashop.yml"


DATA_MOUNT_POINT = "/data"
RESTORED_MOUNT_POINT = "/restored"
CONTEXT_RESTORE_SNAPSHOT_ID = "restore_snapshot_id"


class Day2Lab1Stack(LabStack):
    """Day 2 Lab 1 - EBS & 데이터 영속성: a data volume, snapshots, a restore, and shared EFS.

    Step 1: host A (AZ-A) gets an encrypted 1 GiB gp3 volume at /dev/sdf; its boot script
    formats it only if it is empty, mounts it at /data through fstab (by UUID, nofail) and writes
    /data/hello.txt. Step 2: EventBridge Scheduler snapshots the volume every 15 minutes, so one
    appears during the lab (the console's "Create snapshot" works as well). To restore, redeploy
    with ``-c restore_snapshot_id=snap-...``: a new volume from that snapshot is attached at
    /dev/sdg, and ``sudo lab-mount-volume /dev/sdg /restored --restored`` mounts it read-only to
    compare hello.txt. Step 3: an encrypted EFS file system with mount targets in both AZs,
    mounted at /mnt/efs on host A and host B (AZ-B); each host writes a file the other can read.
    Step 4: ``cdk destroy`` removes the volumes, the file system and every scheduled snapshot
    (a cleanup custom resource); a snapshot a student took by hand must be deleted by hand.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        restore_id = parse_snapshot_id(self.node.try_get_context(CONTEXT_RESTORE_SNAPSHOT_ID))
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.shared = SharedFileSystem(self, "SharedFiles", vpc=vpc)
        self.hosts = []
        for index, subnet in enumerate(self.network.public_subnets):
            letter = "ab"[index]
            lines = mount_data_volume("/dev/sdf", DATA_MOUNT_POINT) if index == 0 else []
            host = LabHost(
                self,
                f"Host{letter.upper()}",
                vpc=vpc,
                subnet=subnet,
                user_data_lines=lines + self.shared.mount_lines(),
                key_name=settings.key_name,
                name=f"{self.name_prefix}-host-{letter}",
            )
            self.shared.grant_connect(host)
            self.hosts.append(host)
            CfnOutput(self, f"Host{letter.upper()}SsmCommand", value=host.ssm_command)
        self.data = DataVolume(self, "DataVolume", host=self.hosts[0])
        self.snapshots = ScheduledSnapshots(self, "DataSnapshots", volume=self.data.volume)
        CfnOutput(self, "DataVolumeId", value=self.data.volume.volume_id)
        CfnOutput(
            self,
            "ListSnapshotsCommand",
            value=f"aws ec2 describe-snapshots --region {self.region} --owner-ids self "
            f"--filters Name=tag:{SNAPSHOT_TAG_KEY},Values={self.snapshots.tag_value} "
            "--query 'Snapshots[].[SnapshotId,State,StartTime]' --output table",
        )
        CfnOutput(self, "EfsFileSystemId", value=self.shared.file_system.file_system_id)
        if restore_id:
            self.restored = DataVolume(
                self,
                "RestoredVolume",
                host=self.hosts[0],
                device="/dev/sdg",
                snapshot_id=restore_id,
            )
            CfnOutput(
                self,
                "RestoredMountCommand",
                value=f"sudo {MOUNT_VOLUME_SCRIPT} /dev/sdg {RESTORED_MOUNT_POINT} --restored",
            )
        else:
            CfnOutput(
                self,
                "RestoreHint",
                value=f"scripts/cdk deploy {lab.lab_id} -c {CONTEXT_RESTORE_SNAPSHOT_ID}=snap-...",
            )


class Day2Lab2Stack(LabStack):
    """Day 2 Lab 2 - S3 정적 웹 호스팅: a sample site in S3, delivered by CloudFront.

    Step 1: the bucket, and the HTML/CSS/JS of ``week5/assets/sites/cloudmart-static`` uploaded at
    deploy time. The course's console steps turn on S3 website hosting and write a public-read
    bucket policy; this stack keeps the bucket private and lets only the distribution read it
    (Origin Access Control), which is what AWS recommends. ``StaticSite(website_mode=True)``
    builds the console's variant. Step 2: the CloudFront distribution (HTTPS, HTTP redirects,
    ``index.html`` as the root object). Step 3: ``curl -sI <SiteUrl> | grep -i x-cache`` twice
    shows a miss, then a hit. ``cdk destroy`` empties and deletes the bucket.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.site = StaticSite(self, "Site", content_dir=SAMPLE_SITE)
        CfnOutput(self, "SiteUrl", value=self.site.url, description="CloudFront")
        CfnOutput(self, "BucketName", value=self.site.bucket.bucket_name)
        CfnOutput(
            self,
            "CacheCheckCommand",
            value=f"curl -sI {self.site.url}/ | grep -i x-cache",
        )


class Day2CaseStack(LabStack):
    """Day 2 Session 4 case - E-Commerce 플랫폼 (PrestaShop), as the course's diagram maps it.

    "CloudFront (CDN) → S3 (정적 파일)": a ``StaticSite`` (private bucket, OAC) for static files.
    "ALB → EC2 (웹/앱)": a ``HaWebTier`` (internet-facing ALB, an Auto Scaling group of one to two
    t3.micro hosts in the private subnets) running the course's PrestaShop compose file. "RDS":
    MySQL 8.4 (not the course's 5.7 container, and not 8.0, which pays RDS extended support),
    its credentials read from the RDS secret at boot. "ElastiCache (세션/캐시)": a Redis node
    whose endpoint and AUTH token the hosts receive; PrestaShop keeps sessions in its database
    until its cache module is pointed at Redis in the back office (a manual step, as in the
    course). Security groups chain ALB → hosts (80) → MySQL (3306) and Redis (6379). The hosts
    pull images through a t4g.nano NAT instance. PrestaShop's installer runs in the browser at
    the ``ShopUrl`` (database server, name and user are pre-set).
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = MysqlDatabase(self, "Database", vpc=vpc, database_name="prestashop")
        self.cache = RedisCache(self, "Cache", vpc=vpc)
        lines = userdata.install_docker() + userdata.compose_up(
            PRESTASHOP_COMPOSE,
            region=self.region,
            env={
                "DB_SERVER": self.database.endpoint,
                "REDIS_HOST": self.cache.endpoint,
                "REDIS_PORT": str(REDIS_PORT),
            },
            secret_env={
                "DB_USER": (self.database.secret.secret_arn, "username"),
                "DB_PASSWD": (self.database.secret.secret_arn, "password"),
                "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
            },
        )
        self.shop = HaWebTier(
            self, "Shop", vpc=vpc, min_capacity=1, max_capacity=2, user_data_lines=lines
        )
        self.database.grant_connect(self.shop)  # hosts → MySQL 3306, and its secret
        self.cache.grant_connect(self.shop)  # hosts → Redis 6379, and its AUTH token
        self.static = StaticSite(self, "StaticFiles", content_dir=SAMPLE_SITE)
        CfnOutput(self, "ShopUrl", value=self.shop.url, description="PrestaShop behind the ALB")
        CfnOutput(self, "StaticUrl", value=self.static.url, description="CloudFront + S3")
        CfnOutput(self, "DbEndpoint", value=self.database.endpoint)
        CfnOutput(self, "RedisEndpoint", value=self.cache.endpoint)
