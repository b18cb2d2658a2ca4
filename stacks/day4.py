"""Day 4: load balancing and high availability (ALB, Auto Scaling)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Fn
from constructs import Construct

from week5 import userdata
from week5.catalog import Lab
from week5.constructs.database import PostgresDatabase
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.lab import LabStack
from week5.settings import CourseSettings

TIER_APP = Path(__file__).resolve().parent.parent / "week5" / "apps" / "tier_app.py"
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
    ``week5/apps/tier_app.py`` on 8080, which names its instance and AZ and probes the database.
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
            allow_from=[self.web],
            app_port=APP_TIER_PORT,
            health_check_path="/api/health",
            user_data_lines=userdata.python_service(
                "tier-app",
                TIER_APP,
                {"PORT": str(APP_TIER_PORT), "DB_HOST": self.database.endpoint},
            ),
        )
        self.database.allow_from(self.app)
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
