"""Day 4: load balancing and high availability (ALB, Auto Scaling)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Fn
from constructs import Construct

from week5.catalog import Lab
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.lab import LabStack
from week5.settings import CourseSettings

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
