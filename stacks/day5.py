"""Day 5: CloudMart on AWS (the Week 3-4 Docker Compose app, deployed)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, Mapping

from aws_cdk import CfnOutput
from constructs import Construct

from week5.constructs.cloudmart import DEMO_FRONTEND_DIR, CloudMartStack
from week5.constructs.commands import (
    cache_failover_command,
    failover_command,
    health_watch_command,
    terminate_instance_command,
)
from week5.constructs.vpc import NatMode
from week5.core.catalog import Lab
from week5.core.settings import (
    CONTEXT_ALARM_EMAIL,
    CONTEXT_BACKEND_IMAGE,
    CONTEXT_BACKEND_PORT,
    CONTEXT_FRONTEND_DIR,
    CourseSettings,
    parse_alarm_email,
    parse_backend,
    parse_frontend_dir,
)
from week5.synth.lab import LabStack


class _CloudMartLab(LabStack):
    """A Day 5 stack: one ``CloudMartStack`` with the lab's settings, plus its outputs."""

    settings_for_lab: ClassVar[Mapping[str, Any]] = MappingProxyType({})

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        get = self.node.try_get_context
        backend_image, backend_port = parse_backend(
            get(CONTEXT_BACKEND_IMAGE), get(CONTEXT_BACKEND_PORT)
        )
        self.cloudmart = CloudMartStack(
            self,
            "CloudMart",
            name_prefix=self.name_prefix,
            # The launchers check these too (settings.check_lab_context), before the CLI runs.
            alarm_email=parse_alarm_email(get(CONTEXT_ALARM_EMAIL)),
            backend_image=backend_image,
            backend_port=backend_port,  # None without the context: 3000, the demo's
            frontend_dir=parse_frontend_dir(get(CONTEXT_FRONTEND_DIR)) or DEMO_FRONTEND_DIR,
            **self.settings_for_lab,
        )
        cloudmart = self.cloudmart
        CfnOutput(
            self,
            "CloudMartUrl",
            value=cloudmart.url,
            description="CloudMart 프런트엔드 주소 (/api/*는 백엔드)",
        )
        CfnOutput(
            self,
            "ApiHealthUrl",
            value=f"{cloudmart.url}/api/health/deep",
            description="두 저장소(PostgreSQL, Redis) 확인 (503이면 실패한 쪽을 알려 줌); "
            "ALB는 둘 다 필요 없는 /api/health를 확인",
        )
        # No ALB address: the ALB admits only CloudFront, so CloudMartUrl is the app's address.
        CfnOutput(
            self,
            "DbEndpoint",
            value=cloudmart.database.endpoint,
            description="RDS PostgreSQL (Multi-AZ) 엔드포인트",
        )
        CfnOutput(
            self,
            "RedisEndpoint",
            value=cloudmart.cache.endpoint,
            # Day5Challenge's cache is Valkey, as the console and the guide say.
            description=f"ElastiCache {cloudmart.cache.engine.capitalize()} 엔드포인트",
        )
        CfnOutput(
            self,
            "ParameterPath",
            value=cloudmart.parameter_prefix,
            description="백엔드 설정의 Parameter Store 경로 (aws ssm get-parameters-by-path)",
        )
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=cloudmart.alarm_topic.topic_arn,
            description="CloudWatch 경보를 받는 SNS 주제 ARN",
        )
        CfnOutput(
            self,
            "AlarmNotifications",
            value=(
                # In Korean, as the guide the student reads it beside.
                f"{cloudmart.alarm_email}로 이메일 (받은 메일의 확인 링크를 누른 뒤부터)"
                if cloudmart.alarm_email
                else "없음: 경보 토픽에 구독자가 없어 경보는 대시보드에서 상태만 바뀜; "
                "-c alarm_email=you@example.com으로 배포하면 이메일로 받음"
            ),
            description="경보 알림을 받는 곳 (-c alarm_email로 이메일 구독)",
        )
        CfnOutput(
            self,
            "BackendLogGroup",
            value=cloudmart.backend_log_group.log_group_name,
            description="백엔드 컨테이너의 출력 (CloudWatch Logs, 스택과 함께 삭제)",
        )
        CfnOutput(
            self,
            "DashboardUrl",
            value=(
                f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region="
                f"{self.region}#dashboards/dashboard/{cloudmart.dashboard.dashboard_name}"
            ),
            description="CloudWatch 대시보드 (콘솔)",
        )


class Day5Lab1Stack(_CloudMartLab):
    """Day 5 Lab 1 - CloudMart 인프라 구축, as its four steps build it.

    Step 1: the Multi-AZ VPC with public and private subnets (one NAT gateway). Step 2: RDS
    PostgreSQL 17 Multi-AZ and an ElastiCache Redis node. Step 3: the frontend on S3 +
    CloudFront, the backend on EC2 behind an ALB in an Auto Scaling group of 2 to 4 t3.micro.
    Step 4 (검증): open ``CloudMartUrl``, add to the cart and order; ``ApiHealthUrl`` checks
    that the backend reaches both stores. The backend reads its configuration from Parameter
    Store and Secrets Manager at boot; alarms and a dashboard watch it, and its container logs
    go to ``BackendLogGroup``. The backend's ALB admits only CloudFront, and ``cdk deploy``
    returns once every first backend instance answers with both stores.
    """


class Day5ChallengeStack(_CloudMartLab):
    """Day 5 Challenge - 프로덕션급 배포, within the course's $0.80 for the lab hour.

    1 고가용성: a NAT gateway per AZ, Multi-AZ PostgreSQL, Redis with a replica in the other AZ
    and automatic failover, backend instances in both AZs; step 3 tests it with
    ``DbFailoverCommand``, ``CacheFailoverCommand`` and ``KillBackendInstanceCommand``, watched
    with ``FailoverWatchCommand`` (``ApiHealthUrl`` 503 naming the store, then 200; the
    backend's targets). 2 자동 확장: the backend ASG scales
    from 2 to 4 on CPU. 3 모니터링: the alarms into SNS (``-c alarm_email=you@example.com``
    mails them; ``AlarmNotifications`` says whether anyone is subscribed), the Redis memory
    alarm on whichever node is the primary after a failover, the dashboard, and the backend's
    container logs in CloudWatch Logs (``BackendLogGroup``, deleted with the stack). 4 백업 &
    복구: seven days of RDS automated backups with point-in-time restore and a daily Redis
    snapshot kept one day (both deleted by ``cdk destroy``). 5 비용 최적화: Graviton everywhere
    (t4g.micro, db.t4g.micro, cache.t4g.micro with Valkey, about 20 % below the x86 and Redis
    OSS prices). At rest (two backend instances) it costs $0.302 an hour, as ``week5 cost
    Day5Challenge`` prints it: the two NAT gateways, the ALB with one LCU, four public IPv4
    addresses, the instances and their volumes, Multi-AZ PostgreSQL and its storage, two Valkey
    nodes, two secrets, seven alarms and CloudFront's assumed 0.1 GB an hour
    (tests/test_day5_challenge.py adds it up); ``week5 cost`` leaves the dashboard unpriced.
    """

    settings_for_lab = MappingProxyType({
        "nat": NatMode.GATEWAY_PER_AZ,
        "instance_type": "t4g.micro",
        "db_instance_type": "db.t4g.micro",
        "db_backup_retention_days": 7,
        "cache_node_type": "cache.t4g.micro",
        "cache_engine": "valkey",
        "cache_replicas": 1,
        "cache_snapshot_retention_days": 1,
    })

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        database = self.cloudmart.database.instance
        CfnOutput(
            self,
            "RestorePointCommand",
            # Read-only and free: a restored instance would be a second billed database, and
            # the lab's $0.80 has no room for one; the command it would run is in the guide.
            value=f"aws rds describe-db-instances --region {self.region} "
            f"--db-instance-identifier {database.instance_identifier} "
            "--query 'DBInstances[0].[LatestRestorableTime,BackupRetentionPeriod]' --output text",
            description="4 백업 & 복구: 지금 복원할 수 있는 가장 늦은 시각과 자동 백업 보관 일수",
        )
        # 1 고가용성, tested (step 3): each failure in turn, FailoverWatchCommand in another window.
        CfnOutput(
            self,
            "DbFailoverCommand",
            value=failover_command(database.instance_identifier, region=self.region),
            description="1 고가용성 테스트: 다른 AZ의 대기 DB가 넘겨받음 (1-2분)",
        )
        CfnOutput(
            self,
            "CacheFailoverCommand",
            value=cache_failover_command(
                self.cloudmart.cache.replication_group.ref, region=self.region
            ),
            description="1 고가용성 테스트: 다른 AZ의 Valkey 복제본이 프라이머리가 됨 (몇 분)",
        )
        backend = self.cloudmart.backend
        CfnOutput(
            self,
            "KillBackendInstanceCommand",
            value=terminate_instance_command(
                backend.asg.auto_scaling_group_name, region=self.region
            ),
            description="1 고가용성 테스트: 백엔드 인스턴스 하나 종료, ALB가 요청을 끊고 ASG가 "
            "새 인스턴스로 바꿈",
        )
        CfnOutput(
            self,
            "FailoverWatchCommand",
            value=health_watch_command(
                f"{self.cloudmart.url}/api/health/deep",
                target_group_arn=backend.target_group.target_group_arn,
                region=self.region,
            ),
            description="장애 테스트 중 다른 창에서: ApiHealthUrl은 503 (실패한 저장소)이었다가 "
            "200, 대상은 draining과 새 인스턴스 initial → healthy (Ctrl+C로 끝); bash "
            "(CloudShell, macOS/Linux, WSL): Windows PowerShell은 FailoverWatchCommandPowerShell",
        )
        CfnOutput(
            self,
            "FailoverWatchCommandPowerShell",
            value=health_watch_command(
                f"{self.cloudmart.url}/api/health/deep",
                target_group_arn=backend.target_group.target_group_arn,
                region=self.region,
                powershell=True,
            ),
            description="FailoverWatchCommand와 같은 5초마다의 확인 (Windows PowerShell, "
            "Ctrl+C로 끝)",
        )
