"""Day 2: compute and storage (EBS, EFS, S3 static hosting with CloudFront)."""

from __future__ import annotations

from typing import Mapping

from aws_cdk import CfnOutput, Duration, Fn
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR, SITES_DIR
from week5.constructs import userdata
from week5.constructs.cache import REDIS_PORT, RedisCache
from week5.constructs.commands import asg_run_command, first_instance_of, interactive_command
from week5.constructs.database import MysqlDatabase
from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.host import LabHost
from week5.constructs.static_site import StaticSite
from week5.constructs.userdata import MOUNT_VOLUME_SCRIPT, mount_data_volume
from week5.constructs.volume import DataVolume, ScheduledSnapshots
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.core.catalog import Lab
from week5.core.settings import CONTEXT_RESTORE_SNAPSHOT_ID, CourseSettings, parse_snapshot_id
from week5.synth.lab import LabStack

SAMPLE_SITE = SITES_DIR / "cloudmart-static"
PRESTASHOP_COMPOSE = COMPOSE_DIR / "prestashop.yml"
#: PrestaShop 8, pinned (the course's ``latest`` is PrestaShop 9 now); the compose file's image.
PRESTASHOP_IMAGE = "prestashop/prestashop:8.2.7-apache"
#: The host scripts: the shared docroot, phpredis and the liveness page; the readiness report.
PRESTASHOP_BOOT_SCRIPT = APPS_DIR / "prestashop" / "boot.sh"
PRESTASHOP_STATUS_SCRIPT = APPS_DIR / "prestashop" / "status.sh"
PRESTASHOP_BOOT = "/usr/local/bin/week5-prestashop-boot"
SHOP_STATUS = "/usr/local/bin/lab-shop-status"
#: Where the hosts mount the shop's EFS, and the docroot on it (the course's prestashop_data).
SHOP_FILES_MOUNT = "/mnt/efs"
SHOP_DOCROOT = f"{SHOP_FILES_MOUNT}/prestashop"
#: Apache's liveness page (no PHP, database, Redis or EFS): what the load balancer checks.
SHOP_LIVENESS_PATH = "/health"


DATA_MOUNT_POINT = "/data"
RESTORED_MOUNT_POINT = "/restored"
#: The description of the snapshot ``SnapshotCommand`` takes (the schedule's say "scheduled").
MANUAL_SNAPSHOT_DESCRIPTION = "week5 manual snapshot"
#: The data check after a restore, in host A's session: the two hashes are the same.
COMPARE_COMMAND = f"sha256sum {DATA_MOUNT_POINT}/hello.txt {RESTORED_MOUNT_POINT}/hello.txt"
#: ``ListSnapshotsCommand``'s columns, oldest first.
LIST_SNAPSHOTS_QUERY = "sort_by(Snapshots,&StartTime)[].[SnapshotId,State,StartTime,Description]"


def snapshot_tag_specification(tags: Mapping[str, str]) -> str:
    """``--tag-specifications`` in the AWS CLI's shorthand: ``ResourceType=snapshot,Tags=[{Key=
    Week,Value=Week5},...]``. The course's tags hold none of the shorthand's ``,=[]{}`` (they
    are validated when the stack is built)."""
    items = ",".join(f"{{Key={key},Value={value}}}" for key, value in tags.items())
    return f"ResourceType=snapshot,Tags=[{items}]"


class Day2Lab1Stack(LabStack):
    """Day 2 Lab 1 - EBS & 데이터 영속성: a data volume, snapshots, a restore, and shared EFS.

    Step 1: host A (AZ-A) gets an encrypted 1 GiB gp3 volume at /dev/sdf; its boot script
    formats it only if it is empty, mounts it at /data through fstab (by UUID, nofail) and writes
    /data/hello.txt. Step 2: EventBridge Scheduler snapshots the volume every 15 minutes, so one
    appears during the lab; ``SnapshotCommand`` takes one now, with the course's tags (the
    console's "Create snapshot" adds none), and ``ListSnapshotsCommand`` lists both kinds. To
    restore, redeploy with ``-c restore_snapshot_id=snap-...``: a new volume from that snapshot
    is attached at /dev/sdg, and ``RestoredMountCommand`` (an output of that deployment only)
    mounts it read-only at /restored to compare hello.txt. Step 3: an encrypted EFS file system
    with mount targets in both AZs, mounted at /mnt/efs on host A and host B (AZ-B); each host
    writes a file the other can read. Step 4: ``cdk destroy`` removes the volumes, the file
    system and every snapshot of the data volume, scheduled or made by hand (a cleanup custom
    resource; one an AMI uses is kept and named).
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        restore_id = parse_snapshot_id(self.node.try_get_context(CONTEXT_RESTORE_SNAPSHOT_ID))
        self.network = MultiAzVpc(self, "Network", nat=NatMode.NONE, name_prefix=self.name_prefix)
        vpc = self.network.vpc
        self.shared = SharedFileSystem(
            self, "SharedFiles", vpc=vpc, name=f"{self.name_prefix}-shared-files"
        )
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
            CfnOutput(
                self,
                f"Host{letter.upper()}SsmCommand",
                value=host.ssm_command,
                description=f"호스트 {letter.upper()}에 Session Manager로 셸 열기",
            )
        self.data = DataVolume(
            self, "DataVolume", host=self.hosts[0], name=f"{self.name_prefix}-data"
        )
        self.snapshots = ScheduledSnapshots(self, "DataSnapshots", volume=self.data.volume)
        CfnOutput(
            self,
            "DataVolumeId",
            value=self.data.volume.volume_id,
            description="Step 1: /data에 마운트한 gp3 볼륨 ID",
        )
        CfnOutput(
            self,
            "SnapshotCommand",
            value=Fn.join(
                "",
                [
                    f"aws ec2 create-snapshot --region {self.region} --volume-id ",
                    self.data.volume.volume_id,
                    f" --description '{MANUAL_SNAPSHOT_DESCRIPTION}' --tag-specifications "
                    f"'{snapshot_tag_specification(self.course_tags)}' "
                    "--query SnapshotId --output text",
                ],
            ),
            # The course's tags (Week, Day, Lab, Student), as the schedule's snapshots carry
            # them: `week5 status` and `week5 cleanup` find a snapshot by them; one made in the
            # console without them was found by neither (a student's trial).
            description="Step 2: /data 볼륨의 스냅샷 만들기 (과정 태그를 달아 week5 status와 "
            "cleanup이 찾음; cdk destroy가 지움), 스냅샷 ID를 출력",
        )
        CfnOutput(
            self,
            "ListSnapshotsCommand",
            value=Fn.join(
                "",
                [
                    f"aws ec2 describe-snapshots --region {self.region} --owner-ids self "
                    "--filters 'Name=volume-id,Values=",
                    self.data.volume.volume_id,
                    f"' --query '{LIST_SNAPSHOTS_QUERY}' --output table",
                ],
            ),
            # By the volume, not the schedule's tag: the list left out a snapshot made by hand
            # (a student's trial); the description tells the schedule's from SnapshotCommand's.
            description="Step 2: 이 볼륨의 스냅샷 (예약과 직접 만든 것, 오래된 순; State가 "
            "completed면 복원할 수 있음)",
        )
        CfnOutput(
            self,
            "EfsFileSystemId",
            value=self.shared.file_system.file_system_id,
            description="Step 3: 두 호스트가 함께 마운트한 EFS 파일 시스템 ID",
        )
        if restore_id:
            self.restored = DataVolume(
                self,
                "RestoredVolume",
                host=self.hosts[0],
                device="/dev/sdg",
                snapshot_id=restore_id,
                name=f"{self.name_prefix}-restored-data",
            )
            CfnOutput(
                self,
                "RestoredMountCommand",
                value=f"sudo {MOUNT_VOLUME_SCRIPT} /dev/sdg {RESTORED_MOUNT_POINT} --restored",
                description="Step 2: 호스트 A의 세션에서, 복원한 볼륨을 /restored에 읽기 전용으로 "
                f"마운트 (그 뒤 {COMPARE_COMMAND})",
            )
        else:
            CfnOutput(
                self,
                "RestoreHint",
                # The student named: without it the command built the default student's stack,
                # a second whole lab (a student's trial). The stack's name is the same in class
                # mode, so this updates it there too.
                value=f"python3 scripts/cdk.py deploy {lab.lab_id} -c student={settings.student} "
                f"-c {CONTEXT_RESTORE_SNAPSHOT_ID}=snap-...",
                description="Step 2: 스냅샷 ID를 주고 다시 배포하면 새 볼륨으로 복원 (그 배포의 "
                "출력에 RestoredMountCommand가 생김; macOS/Linux, WSL, CloudShell의 bash: "
                "Windows PowerShell은 RestoreHintPowerShell)",
            )
            CfnOutput(
                self,
                "RestoreHintPowerShell",
                # Windows has no python3 (docs/시작하기.md: py, and a backslash in the path).
                value=f"py scripts\\cdk.py deploy {lab.lab_id} -c student={settings.student} "
                f"-c {CONTEXT_RESTORE_SNAPSHOT_ID}=snap-...",
                description="Step 2: RestoreHint와 같은 복원 배포 (Windows PowerShell)",
            )


class Day2Lab2Stack(LabStack):
    """Day 2 Lab 2 - S3 정적 웹 호스팅: the course's S3 website, then CloudFront in front of it.

    Step 1 (정적 웹 호스팅 설정, 버킷 정책 구성, HTML/CSS/JS 업로드): the bucket has S3 static
    website hosting on (index document ``index.html``) and a bucket policy that lets anyone read
    its objects, so the site answers at the website endpoint (``WebsiteUrl``, HTTP only, as S3
    serves it); the HTML/CSS/JS of ``week5/assets/sites/cloudmart-static`` is uploaded at deploy
    time. ``BucketPolicyCommand`` prints the policy and the website configuration. This is the
    console's way, not the private-bucket-and-OAC way the other labs use: the course's step is
    the public website endpoint, so ``StaticSite(website_mode=True)`` and its acknowledgements
    name that step. Step 2 (CloudFront 배포, 캐싱 동작 확인): a distribution whose origin is the
    website endpoint (an HTTP custom origin), HTTPS for viewers (HTTP redirects), AWS's
    CachingOptimized policy; ``CacheCheckCommand`` shows ``x-cache`` going from Miss to Hit.
    Step 3 (성능 테스트): ``PerformanceTestCommand`` times three requests to each URL with
    curl (time to first byte and total). Step 4: ``cdk destroy`` empties and deletes the bucket.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.site = StaticSite(self, "Site", content_dir=SAMPLE_SITE, website_mode=True)
        bucket = self.site.bucket.bucket_name
        CfnOutput(
            self,
            "WebsiteUrl",
            value=self.site.website_url,
            description="Step 1: S3 웹 사이트 엔드포인트 (HTTP)",
        )
        CfnOutput(
            self, "SiteUrl", value=self.site.url, description="Step 2: CloudFront 주소 (HTTPS)"
        )
        CfnOutput(self, "BucketName", value=bucket, description="Step 1: 사이트 파일을 담은 버킷")
        CfnOutput(
            self,
            "BucketPolicyCommand",
            # After `;`, not `&&`: Windows PowerShell 5.1 refuses `&&`.
            value=f"aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text"
            f"; aws s3api get-bucket-website --bucket {bucket}",
            description="Step 1: 버킷 정책과 정적 웹 호스팅 설정 확인",
        )
        # Each loop twice: bash's for every shell but Windows PowerShell, and a PowerShell twin
        # with curl.exe (in Windows PowerShell 5.1 `curl` is Invoke-WebRequest).
        CfnOutput(
            self,
            "CacheCheckCommand",
            value=f"for i in 1 2; do curl -sI {self.site.url}/ "
            "| grep -iE '^x-cache|^x-amz-cf-pop'; done",
            description="Step 2: 두 번째 요청은 캐시 적중 (Hit from cloudfront); bash "
            "(CloudShell, macOS/Linux, WSL): Windows PowerShell은 CacheCheckCommandPowerShell",
        )
        CfnOutput(
            self,
            "CacheCheckCommandPowerShell",
            value=f"foreach ($i in 1..2) {{ curl.exe -sI {self.site.url}/ "
            "| Select-String -Pattern '^x-cache|^x-amz-cf-pop' }",
            description="Step 2: CacheCheckCommand와 같은 두 번의 요청 (Windows PowerShell)",
        )
        write_out = "%{http_code} ttfb=%{time_starttransfer}s total=%{time_total}s %{url_effective}"
        CfnOutput(
            self,
            "PerformanceTestCommand",
            value=f"for url in {self.site.website_url}/ {self.site.url}/; do for i in 1 2 3; do "
            f'curl -s -o /dev/null -w "{write_out}\\n" "$url"; done; done',
            description="Step 3: S3 웹 사이트와 CloudFront 응답 시간 비교; bash (CloudShell, "
            "macOS/Linux, WSL): Windows PowerShell은 PerformanceTestCommandPowerShell",
        )
        CfnOutput(
            self,
            "PerformanceTestCommandPowerShell",
            # curl reads the \n of -w itself; NUL is Windows' /dev/null.
            value=f"foreach ($url in @('{self.site.website_url}/'; '{self.site.url}/')) "
            f"{{ foreach ($i in 1..3) {{ curl.exe -s -o NUL -w '{write_out}\\n' $url }} }}",
            description="Step 3: PerformanceTestCommand와 같은 비교 (Windows PowerShell)",
        )


class Day2CaseStack(LabStack):
    """Day 2 Session 4 case - E-Commerce 플랫폼 (PrestaShop), as the course's diagram maps it.

    "CloudFront (CDN) → S3 (정적 파일)": a ``StaticSite`` (private bucket, OAC) for static files.
    "ALB → EC2 (웹/앱)": a ``HaWebTier`` (internet-facing ALB, an Auto Scaling group of one to two
    t3.micro hosts in the private subnets) running the course's PrestaShop compose file
    (PrestaShop 8.2.7). "RDS": MySQL 8.4 (not the course's 5.7 container, and not 8.0, which pays
    RDS extended support); the installer asks for its endpoint and credentials
    (``DbCredentialsCommand``). "ElastiCache (세션/캐시)": PHP's sessions live in Redis (TLS,
    AUTH token from Secrets Manager): the boot script builds phpredis for the image and points
    ``session.save_handler`` at the cache, so the installer's and the back office's sessions
    survive any instance. Security groups chain ALB → hosts (80) → MySQL (3306) and Redis (6379);
    the hosts pull images through a t4g.nano NAT instance.

    Every instance serves the same shop: PrestaShop keeps its install state in files
    (``app/config/parameters.php`` with the database settings and cookie keys, the renamed admin
    folder, product images, modules), so its docroot (the course's ``prestashop_data`` volume) is
    an EFS file system that every instance mounts (``SharedFileSystem``), seeded once from the
    image; the catalogue, orders and shop settings are in RDS. A scaled-out or replaced instance
    shows the installed shop, not the installer. The load balancer checks liveness (``/health``,
    a file Apache serves without PHP, the database, Redis or EFS), so a database failover
    replaces no instance; ``ShopStatusCommand`` reports the stores (readiness).
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.network = MultiAzVpc(
            self, "Network", nat=NatMode.INSTANCE, name_prefix=self.name_prefix
        )
        vpc = self.network.vpc
        self.database = MysqlDatabase(
            self, "Database", vpc=vpc, database_name="prestashop", name=f"{self.name_prefix}-db"
        )
        self.cache = RedisCache(self, "Cache", vpc=vpc, name=f"{self.name_prefix}-cache")
        #: The shop's docroot, shared by every instance (PrestaShop's install state is files).
        self.shop_files = SharedFileSystem(
            self, "ShopFiles", vpc=vpc, name=f"{self.name_prefix}-shop-files"
        )
        lines = (
            userdata.install_docker()
            + self.shop_files.mount_lines(SHOP_FILES_MOUNT)
            + userdata.write_file(PRESTASHOP_BOOT, PRESTASHOP_BOOT_SCRIPT.read_text(), mode="0755")
            + userdata.write_file(SHOP_STATUS, PRESTASHOP_STATUS_SCRIPT.read_text(), mode="0755")
            + [f"{PRESTASHOP_BOOT} {PRESTASHOP_IMAGE} {SHOP_DOCROOT} {userdata.APP_DIR}"]
            + userdata.compose_up(
                PRESTASHOP_COMPOSE,
                region=self.region,
                env={
                    "DB_SERVER": self.database.endpoint,
                    "REDIS_HOST": self.cache.endpoint,
                    "REDIS_PORT": str(REDIS_PORT),
                    "SHOP_DOCROOT": SHOP_DOCROOT,
                },
                secret_env={
                    "DB_USER": (self.database.secret.secret_arn, "username"),
                    "DB_PASSWD": (self.database.secret.secret_arn, "password"),
                    "REDIS_AUTH_TOKEN": self.cache.auth_secret.secret_arn,
                },
            )
        )
        # Liveness for the load balancer, readiness (the shop answers) before each instance
        # signals; the first boot copies the shop to EFS and builds phpredis, hence 10 minutes.
        self.shop = HaWebTier(
            self,
            "Shop",
            vpc=vpc,
            min_capacity=1,
            max_capacity=2,
            health_check_path=SHOP_LIVENESS_PATH,
            ready_path="/",
            boot_time=Duration.minutes(10),
            user_data_lines=lines,
        )
        self.shop_files.grant_connect(self.shop)  # hosts → EFS 2049, after the mount targets
        self.database.grant_connect(self.shop)  # hosts → MySQL 3306, and its secret
        self.cache.grant_connect(self.shop)  # hosts → Redis 6379, and its AUTH token
        self.static = StaticSite(self, "StaticFiles", content_dir=SAMPLE_SITE)
        region = self.region
        asg = self.shop.asg.auto_scaling_group_name
        CfnOutput(
            self,
            "ShopUrl",
            value=self.shop.url,
            description="PrestaShop: 처음에는 설치 마법사, 설치 후에는 상점 (모든 인스턴스가 같음)",
        )
        CfnOutput(
            self, "StaticUrl", value=self.static.url, description="정적 파일 CDN (CloudFront + S3)"
        )
        CfnOutput(
            self,
            "DbEndpoint",
            value=self.database.endpoint,
            description="설치 마법사의 데이터베이스 서버 주소 (DB 이름: prestashop)",
        )
        CfnOutput(
            self,
            "DbCredentialsCommand",
            value=f"aws secretsmanager get-secret-value --region {region} --secret-id "
            f"{self.database.secret.secret_arn} --query SecretString --output text",
            description="설치 마법사의 사용자 이름(username)과 비밀번호(password)",
        )
        CfnOutput(
            self,
            "RedisEndpoint",
            value=self.cache.endpoint,
            description="세션 스토어 ElastiCache Redis 엔드포인트",
        )
        CfnOutput(
            self,
            "ShopStatusCommand",
            value=interactive_command(
                f"sudo {SHOP_STATUS}",
                target=first_instance_of(asg, region=region),
                region=region,
            ),
            description="EFS, 설치 상태, Redis 세션, 데이터베이스 (인스턴스 하나)",
        )
        CfnOutput(
            self,
            "RemoveInstallFolderCommand",
            value=asg_run_command(
                [f"rm -rf {SHOP_DOCROOT}/install"],
                group=asg,
                region=region,
                command_id_only=True,
            ),
            description="설치 후 한 번: install 폴더 삭제 (EFS라 모든 인스턴스에 적용)",
        )
        CfnOutput(
            self,
            "ScaleOutCommand",
            # The minimum too: target tracking's scale-in alarm is already in ALARM on an idle
            # group and would take a desired size of 2 back to 1 before the second instance
            # has booted (Auto Scaling acts on an alarm for as long as it stays in ALARM).
            value=f"aws autoscaling update-auto-scaling-group --region {region} "
            f"--auto-scaling-group-name {asg} --min-size 2 --desired-capacity 2",
            description="두 번째 인스턴스도 설치된 같은 상점을 보여 줌 (EFS; 최소 2대로 고정)",
        )
        CfnOutput(
            self,
            "ScaleInCommand",
            value=f"aws autoscaling update-auto-scaling-group --region {region} "
            f"--auto-scaling-group-name {asg} --min-size 1",
            description="확인 후: 최소 1대로 되돌림 (CPU 목표 추적이 한 대로 줄임)",
        )
