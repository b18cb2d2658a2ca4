"""The failure events the labs teach, on the emulator as on AWS (week5/operations/moto_models):
an Auto Scaling group's target groups follow its instances (autoscaling_group_targets), its
desired capacity stays within its sizes and its scale-in keeps it balanced
(autoscaling_group_capacity), RDS's forced failover (rds_force_failover) and ElastiCache's
TestFailover (elasticache_test_failover).

Each through boto3 against an in-process moto with the package loaded, as
tests/test_moto_models.py does; each ``test_moto_alone_still_...`` puts moto's own code back and
fails when moto no longer needs the module (delete the module then).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import moto_in_process
from moto_in_process import AMI, REGION, error

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws




# --- an Auto Scaling group behind a target group --------------------------------------------


def network(aws, prefix: str, azs: str) -> Tuple[str, List[str]]:
    """A VPC ``{prefix}.0.0/16`` with a subnet in each of ``azs`` (letters); (VPC, subnets)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{prefix}.0.0/16")["Vpc"]["VpcId"]
    subnets = []
    for i, az in enumerate(azs):
        cidr, zone = f"{prefix}.{i}.0/24", f"{REGION}{az}"
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]
        subnets.append(subnet["SubnetId"])
    return vpc, subnets


def web_group(aws, desired: int = 2, min_size: int = 1, max_size: int = 4) -> str:
    """A group "web" of ``desired`` instances over subnets in AZs a and b, registered in a
    target group; returns the target group's ARN."""
    vpc, subnets = network(aws, "10.0", "ab")
    (target_group,) = aws("elbv2").create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
    )["TargetGroups"]
    autoscaling = aws("autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="web", ImageId=AMI, InstanceType="t3.micro"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchConfigurationName="web",
        MinSize=min_size,
        MaxSize=max_size,
        DesiredCapacity=desired,
        VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[target_group["TargetGroupArn"]],
    )
    return target_group["TargetGroupArn"]


def members(aws) -> Dict[str, str]:
    """The group's instances: id -> AZ, in the group's order."""
    (group,) = aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    return {i["InstanceId"]: i["AvailabilityZone"] for i in group["Instances"]}


def targets(aws, arn: str) -> Dict[str, str]:
    """The target group's targets, as ``describe-target-health`` lists them: id -> state."""
    found = aws("elbv2").describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {t["Target"]["Id"]: t["TargetHealth"]["State"] for t in found}


def healthy_for_each_member(aws, arn: str) -> None:
    assert targets(aws, arn) == {i: "healthy" for i in members(aws)}


def test_a_killed_instance_leaves_the_target_group_and_its_replacement_joins(aws):
    """Day 4's challenge: 2 instances, 2 healthy targets after one is killed (moto: 3)."""
    arn = web_group(aws)
    killed = next(iter(members(aws)))
    aws("autoscaling").terminate_instance_in_auto_scaling_group(
        InstanceId=killed, ShouldDecrementDesiredCapacity=False
    )
    assert killed not in members(aws) and len(members(aws)) == 2
    healthy_for_each_member(aws, arn)
    health = aws("elbv2").describe_target_health(TargetGroupArn=arn, Targets=[{"Id": killed}])
    assert health["TargetHealthDescriptions"][0]["TargetHealth"]["State"] == "unused"


def test_an_instance_terminated_through_ec2_is_replaced_in_the_target_group(aws):
    """Day 2's case: ``aws ec2 terminate-instances``; the replacement is registered (moto: 1
    target for 2 instances)."""
    arn = web_group(aws)
    killed = next(iter(members(aws)))
    aws("ec2").terminate_instances(InstanceIds=[killed])
    assert killed not in members(aws) and len(members(aws)) == 2
    healthy_for_each_member(aws, arn)


def test_detached_and_scaled_in_instances_leave_the_target_group(aws):
    arn = web_group(aws, desired=4)
    healthy_for_each_member(aws, arn)
    detached = next(iter(members(aws)))
    aws("autoscaling").detach_instances(
        AutoScalingGroupName="web", InstanceIds=[detached], ShouldDecrementDesiredCapacity=True
    )
    assert len(members(aws)) == 3
    healthy_for_each_member(aws, arn)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=1)
    assert len(members(aws)) == 1
    healthy_for_each_member(aws, arn)


def test_moto_alone_still_keeps_a_killed_instance_in_the_target_group(aws, monkeypatch):
    from moto.autoscaling.models import AutoScalingBackend

    from week5.operations.moto_models import autoscaling_group_targets as patch

    monkeypatch.setattr(AutoScalingBackend, "update_attached_target_groups", patch.MOTO_UPDATE)
    monkeypatch.setattr(AutoScalingBackend, "notify_terminate_instances", patch.MOTO_NOTIFY)
    arn = web_group(aws)
    killed = next(iter(members(aws)))
    aws("autoscaling").terminate_instance_in_auto_scaling_group(
        InstanceId=killed, ShouldDecrementDesiredCapacity=False
    )
    assert len(targets(aws, arn)) == 3 and targets(aws, arn)[killed] == "healthy"
    aws("ec2").terminate_instances(InstanceIds=[next(iter(members(aws)))])
    assert not set(members(aws)) <= set(targets(aws, arn))


# --- its capacity -----------------------------------------------------------------------------


def test_a_desired_capacity_outside_the_groups_sizes_is_refused(aws):
    web_group(aws, desired=2, min_size=1, max_size=4)
    autoscaling = aws("autoscaling")
    assert error(
        lambda: autoscaling.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=9)
    ) == (
        "ValidationError",
        "New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.",
    )
    assert error(
        lambda: autoscaling.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=0)
    ) == (
        "ValidationError",
        "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.",
    )
    (group,) = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
    assert group["DesiredCapacity"] == 2 and len(group["Instances"]) == 2
    autoscaling.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=4)
    assert len(members(aws)) == 4


def test_moto_alone_still_accepts_a_desired_capacity_above_max(aws, monkeypatch):
    from moto.autoscaling.responses import AutoScalingResponse

    from week5.operations.moto_models import autoscaling_group_capacity as patch

    monkeypatch.setattr(AutoScalingResponse, "set_desired_capacity", patch.MOTO_RESPONSE)
    web_group(aws, desired=2, max_size=4)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=9)
    assert len(members(aws)) == 9


def unbalanced(aws) -> List[str]:
    """The group grown to 3 in launch order b, a, a: the instance in AZ a killed (its
    replacement goes to a), then one more (the AZs tie: the first subnet's). Returns the ids."""
    web_group(aws, desired=2)
    (in_a,) = [i for i, az in members(aws).items() if az == f"{REGION}a"]
    aws("autoscaling").terminate_instance_in_auto_scaling_group(
        InstanceId=in_a, ShouldDecrementDesiredCapacity=False
    )
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)
    assert list(members(aws).values()) == [f"{REGION}{az}" for az in "baa"]
    return list(members(aws))


def test_a_scale_in_takes_from_the_az_with_the_most_instances(aws):
    """AWS's default termination policy: the AZ with the most first (moto: the oldest, which
    left both survivors in AZ a)."""
    oldest, second, newest = unbalanced(aws)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2)
    assert members(aws) == {oldest: f"{REGION}b", newest: f"{REGION}a"}
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=4)
    assert sorted(members(aws).values()) == [f"{REGION}{az}" for az in "aabb"]
    assert list(members(aws))[:2] == [oldest, newest]


def test_moto_alone_still_scales_in_the_oldest_first(aws, monkeypatch):
    from moto.autoscaling.models import FakeAutoScalingGroup

    from week5.operations.moto_models import autoscaling_group_capacity as patch

    monkeypatch.setattr(
        FakeAutoScalingGroup, "set_desired_capacity", patch.MOTO_SET_DESIRED_CAPACITY
    )
    unbalanced(aws)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2)
    assert list(members(aws).values()) == [f"{REGION}a"] * 2


# --- RDS's forced failover --------------------------------------------------------------------


def database(aws, name: str, multi_az: bool) -> Dict[str, Any]:
    """A PostgreSQL database in a subnet group over AZs a and c; returns its description."""
    rds = aws("rds")
    if not rds.describe_db_subnet_groups()["DBSubnetGroups"]:
        _, subnets = network(aws, "10.1", "ac")
        rds.create_db_subnet_group(
            DBSubnetGroupName="db", DBSubnetGroupDescription="db", SubnetIds=subnets
        )
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        MasterUsername="week5",
        MasterUserPassword="week5-password",
        AllocatedStorage=20,
        MultiAZ=multi_az,
        DBSubnetGroupName="db",
    )
    return described(aws, name)


def described(aws, name: str) -> Dict[str, Any]:
    return aws("rds").describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


def test_a_forced_failover_is_refused_on_a_single_az_database(aws):
    """Day 3's case (Single-AZ): the guide says the reboot is refused (moto: accepted)."""
    database(aws, "single", multi_az=False)
    code, message = error(
        lambda: aws("rds").reboot_db_instance(DBInstanceIdentifier="single", ForceFailover=True)
    )
    assert code == "InvalidDBInstanceState" and "Multi-AZ" in message
    assert "SecondaryAvailabilityZone" not in described(aws, "single")
    aws("rds").reboot_db_instance(DBInstanceIdentifier="single")


def test_a_forced_failover_swaps_a_multi_az_databases_azs(aws):
    """The standby's AZ becomes the database's, and back (moto: the AZ stays, no standby)."""
    before = database(aws, "multi", multi_az=True)
    assert (before["AvailabilityZone"], before["SecondaryAvailabilityZone"]) == (
        f"{REGION}a",
        f"{REGION}c",
    )
    rds = aws("rds")
    answer = rds.reboot_db_instance(DBInstanceIdentifier="multi", ForceFailover=True)
    assert answer["DBInstance"]["AvailabilityZone"] == f"{REGION}c"
    after = described(aws, "multi")
    assert (after["AvailabilityZone"], after["SecondaryAvailabilityZone"]) == (
        f"{REGION}c",
        f"{REGION}a",
    )
    rds.reboot_db_instance(DBInstanceIdentifier="multi")
    assert described(aws, "multi")["AvailabilityZone"] == f"{REGION}c"
    rds.reboot_db_instance(DBInstanceIdentifier="multi", ForceFailover=True)
    assert described(aws, "multi")["AvailabilityZone"] == f"{REGION}a"


def test_moto_alone_still_ignores_force_failover(aws, monkeypatch):
    from moto.rds.models import DBInstance
    from moto.rds.responses import RDSResponse

    from week5.operations.moto_models import rds_force_failover as patch

    monkeypatch.setattr(RDSResponse, "reboot_db_instance", patch.MOTO_REBOOT)
    monkeypatch.delattr(DBInstance, "secondary_availability_zone", raising=False)
    database(aws, "single", multi_az=False)
    database(aws, "multi", multi_az=True)
    for name in ("single", "multi"):
        aws("rds").reboot_db_instance(DBInstanceIdentifier=name, ForceFailover=True)
        assert described(aws, name)["AvailabilityZone"] == f"{REGION}a"
    assert "SecondaryAvailabilityZone" not in described(aws, "multi")


# --- ElastiCache's TestFailover -----------------------------------------------------------------


def roles(aws, group_id: str) -> Dict[str, str]:
    (group,) = aws("elasticache").describe_replication_groups(ReplicationGroupId=group_id)[
        "ReplicationGroups"
    ]
    (node_group,) = group["NodeGroups"]
    return {m["CacheClusterId"]: m["CurrentRole"] for m in node_group["NodeGroupMembers"]}


def redis(aws, group_id: str, automatic_failover: bool) -> None:
    aws("elasticache").create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="week5",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        ReplicasPerNodeGroup=1 if automatic_failover else 0,
        AutomaticFailoverEnabled=automatic_failover,
        PreferredCacheClusterAZs=[f"{REGION}a", f"{REGION}c"],
    )


def test_test_failover_promotes_the_replica(aws):
    """moto: HTTP 500 (no such call)."""
    redis(aws, "cache", automatic_failover=True)
    assert roles(aws, "cache") == {"cache-001": "primary", "cache-002": "replica"}
    answer = aws("elasticache").test_failover(ReplicationGroupId="cache", NodeGroupId="0001")
    assert answer["ReplicationGroup"]["ReplicationGroupId"] == "cache"
    assert roles(aws, "cache") == {"cache-001": "replica", "cache-002": "primary"}
    aws("elasticache").test_failover(ReplicationGroupId="cache", NodeGroupId="0001")
    assert roles(aws, "cache") == {"cache-001": "primary", "cache-002": "replica"}


def test_test_failover_refuses_what_cannot_fail_over(aws):
    redis(aws, "cache", automatic_failover=True)
    redis(aws, "single", automatic_failover=False)
    elasticache = aws("elasticache")
    for group_id, node_group_id, code in (
        ("single", "0001", "InvalidReplicationGroupState"),
        ("cache", "0002", "NodeGroupNotFoundFault"),
        ("missing", "0001", "ReplicationGroupNotFoundFault"),
    ):
        found, message = error(
            lambda: elasticache.test_failover(
                ReplicationGroupId=group_id, NodeGroupId=node_group_id
            )
        )
        assert found == code and group_id in message
    assert roles(aws, "single") == {"single-001": "primary"}


def test_moto_alone_still_lacks_test_failover():
    from week5.operations.moto_models import elasticache_test_failover as patch

    assert patch.MOTO_OWN is None
