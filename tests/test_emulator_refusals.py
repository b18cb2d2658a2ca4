"""The emulator refuses and lists what AWS refuses and lists (week5/operations/moto_models): a
subnet that holds network interfaces is not deleted, and a stack whose deletion it refuses ends
DELETE_FAILED (ec2_subnet_dependencies, stack_delete_failed); a replication group's member
clusters are listed (elasticache_member_clusters) and its snapshots carry its tags
(elasticache_snapshot_tags); an instance launched from a launch template gets its root volume
alone and its monitoring (launch_template_instances); a stack's VPC endpoint is deleted with it
(ec2_vpc_endpoint).

Each through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_events.py does; each ``test_moto_alone_still_...`` puts moto's own code back
and fails when moto no longer needs the module (delete the module then).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Tuple

import pytest
from botocore.exceptions import ClientError
import moto_in_process
from moto_in_process import AMI, REGION, error, listed

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws


TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Day3Lab2"}]


# --- a subnet holding network interfaces ------------------------------------------------------


def subnet(aws) -> Tuple[str, str]:
    """A VPC and a subnet in it; (VPC, subnet)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{REGION}a"
    )["Subnet"]["SubnetId"]
    return vpc, subnet_id


def by_hand(aws, subnet_id: str, **request: Any) -> str:
    """An instance launched as ``aws ec2 run-instances`` does; its id."""
    if "NetworkInterfaces" not in request:
        request["SubnetId"] = subnet_id
    (instance,) = aws("ec2").run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, **request
    )["Instances"]
    return instance["InstanceId"]


def interfaces(aws, subnet_id: str) -> Dict[str, str]:
    """The network interfaces in the subnet: id -> status."""
    found = aws("ec2").describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet_id]}]
    )["NetworkInterfaces"]
    return {e["NetworkInterfaceId"]: e["Status"] for e in found}


def test_a_subnet_with_a_running_instance_is_refused_until_it_is_terminated(aws):
    """The trial's case (moto: the subnet and the VPC deleted under the instance)."""
    vpc, subnet_id = subnet(aws)
    instance = by_hand(aws, subnet_id)
    ec2 = aws("ec2")
    assert error(lambda: ec2.delete_subnet(SubnetId=subnet_id)) == (
        "DependencyViolation",
        f"The subnet '{subnet_id}' has dependencies and cannot be deleted.",
    )
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == (
        "DependencyViolation",
        f"The vpc '{vpc}' has dependencies and cannot be deleted.",
    )
    assert list(interfaces(aws, subnet_id).values()) == ["in-use"]
    ec2.terminate_instances(InstanceIds=[instance])
    assert interfaces(aws, subnet_id) == {}
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []


def test_an_interface_made_by_hand_or_kept_on_purpose_stays_and_still_refuses(aws):
    """AWS deletes with an instance the interfaces its launch created, not one it was given nor
    one the request keeps (``DeleteOnTermination`` false)."""
    _, subnet_id = subnet(aws)
    ec2 = aws("ec2")
    made = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    given = by_hand(
        aws,
        subnet_id,
        NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": made["NetworkInterfaceId"]}],
    )
    kept = by_hand(
        aws,
        subnet_id,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id, "DeleteOnTermination": False}],
    )
    ec2.terminate_instances(InstanceIds=[given, kept])
    left = interfaces(aws, subnet_id)
    assert len(left) == 2 and made["NetworkInterfaceId"] in left
    code, _ = error(lambda: ec2.delete_subnet(SubnetId=subnet_id))
    assert code == "DependencyViolation"
    for eni_id in left:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet_id)


def test_moto_alone_still_deletes_the_subnet_and_keeps_the_interface(aws, monkeypatch):
    from moto.ec2.models.instances import Instance
    from moto.ec2.models.subnets import SubnetBackend

    from week5.operations.moto_models import ec2_subnet_dependencies as patch

    monkeypatch.setattr(SubnetBackend, "delete_subnet", patch.MOTO_DELETE_SUBNET)
    monkeypatch.setattr(Instance, "prep_nics", patch.MOTO_PREP_NICS)
    _, subnet_id = subnet(aws)
    instance = by_hand(aws, subnet_id)
    aws("ec2").terminate_instances(InstanceIds=[instance])
    assert list(interfaces(aws, subnet_id).values()) == ["in-use"]
    aws("ec2").delete_subnet(SubnetId=subnet_id)


# --- a stack whose deletion a subnet refuses --------------------------------------------------

NETWORK = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Public": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": f"{REGION}a",
        },
    },
    "Group": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "lab", "VpcId": {"Ref": "Vpc"}},
    },
}


#: ``lab_stack(aws, resources, name="week5-day4-lab1")``: the stack made, tagged :data:`TAGS`
#: (tests/moto_in_process.py).
lab_stack = functools.partial(moto_in_process.lab_stack, name="week5-day4-lab1", tags=TAGS)


def status(aws, name: str) -> str:
    (stack,) = aws("cloudformation").describe_stacks(StackName=name)["Stacks"]
    return stack["StackStatus"]


def test_destroy_with_an_instance_left_in_the_labs_subnet_ends_delete_failed(aws):
    """The trial's ``cdk destroy`` of Day4Lab1 (moto: it succeeded, the subnet and VPC went)."""
    physical = lab_stack(aws, NETWORK)
    instance = by_hand(aws, physical["Public"])
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName="week5-day4-lab1")
    assert status(aws, "week5-day4-lab1") == "DELETE_FAILED"
    events = cfn.describe_stack_events(StackName="week5-day4-lab1")["StackEvents"]
    event = events[0]
    assert event["ResourceStatus"] == "DELETE_FAILED"
    assert event["ResourceStatusReason"].startswith(
        "The following resource(s) failed to delete: ["
    )
    assert "Public" in event["ResourceStatusReason"] and "Vpc" in event["ResourceStatusReason"]
    # each refusal in its resource's own DELETE_FAILED event, as CloudFormation gives it
    reasons = {
        e["LogicalResourceId"]: e["ResourceStatusReason"]
        for e in events[1:]
        if e["ResourceStatus"] == "DELETE_FAILED"
    }
    assert reasons == {
        name: f"The {kind} '{physical[name]}' has dependencies and cannot be deleted."
        for kind, name in (("subnet", "Public"), ("vpc", "Vpc"))
    }
    ec2 = aws("ec2")
    assert ec2.describe_subnets(SubnetIds=[physical["Public"]])["Subnets"]
    # what could go went: the security group
    assert error(lambda: ec2.describe_security_groups(GroupIds=[physical["Group"]]))[0] == (
        "InvalidGroup.NotFound"
    )
    ec2.terminate_instances(InstanceIds=[instance])
    cfn.delete_stack(StackName="week5-day4-lab1")
    assert listed(aws, "week5-day4-lab1") == []
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [physical["Vpc"]]}])[
        "Vpcs"
    ] == []


def test_moto_alone_still_fails_the_call_and_drops_the_stack(aws, monkeypatch):
    from moto.cloudformation.models import CloudFormationBackend

    from week5.operations.moto_models import stack_delete_failed as patch

    monkeypatch.setattr(CloudFormationBackend, "delete_stack", patch.MOTO_DELETE_STACK)
    physical = lab_stack(aws, NETWORK)
    by_hand(aws, physical["Public"])
    cfn = aws("cloudformation")
    with pytest.raises(ClientError):
        cfn.delete_stack(StackName="week5-day4-lab1")
    assert listed(aws, "week5-day4-lab1") == []


# --- a replication group's member clusters and snapshots ----------------------------------------


def redis(aws, group_id: str = "week5-day3-cache") -> Dict[str, Any]:
    """A Redis group of 2 nodes in AZs a and c, tagged :data:`TAGS`; its description."""
    return aws("elasticache").create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="week5",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        ReplicasPerNodeGroup=1,
        AutomaticFailoverEnabled=True,
        PreferredCacheClusterAZs=[f"{REGION}a", f"{REGION}c"],
        Tags=TAGS,
    )["ReplicationGroup"]


def test_describe_cache_clusters_lists_a_groups_members(aws):
    """시작하기.md's leftover check (moto: [] while the group is available)."""
    redis(aws)
    elasticache = aws("elasticache")
    clusters = elasticache.describe_cache_clusters()["CacheClusters"]
    assert [
        (
            c["CacheClusterId"],
            c["ReplicationGroupId"],
            c["CacheClusterStatus"],
            c["CacheNodeType"],
            c["Engine"],
            c["PreferredAvailabilityZone"],
        )
        for c in clusters
    ] == [
        ("week5-day3-cache-001", "week5-day3-cache", "available", "cache.t4g.micro", "redis", f"{REGION}a"),
        ("week5-day3-cache-002", "week5-day3-cache", "available", "cache.t4g.micro", "redis", f"{REGION}c"),
    ]  # fmt: skip
    (one,) = elasticache.describe_cache_clusters(CacheClusterId="week5-day3-cache-002")[
        "CacheClusters"
    ]
    assert one["ARN"].endswith(":cluster:week5-day3-cache-002")
    assert elasticache.list_tags_for_resource(ResourceName=one["ARN"])["TagList"] == TAGS
    assert error(lambda: elasticache.describe_cache_clusters(CacheClusterId="nothing"))[0] == (
        "CacheClusterNotFound"
    )
    memcached = elasticache.create_cache_cluster(
        CacheClusterId="alone", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1
    )["CacheCluster"]
    alone = elasticache.describe_cache_clusters(ShowCacheClustersNotInReplicationGroups=True)
    assert [c["CacheClusterId"] for c in alone["CacheClusters"]] == [memcached["CacheClusterId"]]
    assert len(elasticache.describe_cache_clusters()["CacheClusters"]) == 3
    elasticache.delete_cache_cluster(CacheClusterId="alone")
    elasticache.delete_replication_group(ReplicationGroupId="week5-day3-cache")
    statuses = {c["CacheClusterStatus"] for c in elasticache.describe_cache_clusters()["CacheClusters"]}
    assert statuses == {"deleting"}


def test_moto_alone_still_lists_no_member_cluster(aws, monkeypatch):
    from moto.elasticache.models import ElastiCacheBackend

    from week5.operations.moto_models import elasticache_member_clusters as patch

    monkeypatch.setattr(
        ElastiCacheBackend, "describe_cache_clusters", patch.MOTO_DESCRIBE_CACHE_CLUSTERS
    )
    redis(aws)
    assert aws("elasticache").describe_cache_clusters()["CacheClusters"] == []


def snapshot_tags(aws, name: str) -> List[Dict[str, str]]:
    elasticache = aws("elasticache")
    (snapshot,) = elasticache.describe_snapshots(SnapshotName=name)["Snapshots"]
    return elasticache.list_tags_for_resource(ResourceName=snapshot["ARN"])["TagList"]


def test_a_groups_snapshot_takes_its_tags(aws):
    """ElastiCache copies the source's tags to the snapshot (moto: the request's alone)."""
    redis(aws)
    elasticache = aws("elasticache")
    elasticache.create_snapshot(ReplicationGroupId="week5-day3-cache", SnapshotName="by-hand")
    assert snapshot_tags(aws, "by-hand") == TAGS
    elasticache.create_snapshot(
        ReplicationGroupId="week5-day3-cache",
        SnapshotName="relabelled",
        Tags=[{"Key": "Lab", "Value": "Mine"}, {"Key": "Owner", "Value": "kim"}],
    )
    assert snapshot_tags(aws, "relabelled") == [
        {"Key": "Week", "Value": "Week5"},
        {"Key": "Lab", "Value": "Mine"},
        {"Key": "Owner", "Value": "kim"},
    ]


def test_moto_alone_still_copies_no_tag_to_the_snapshot(aws, monkeypatch):
    from moto.elasticache.models import ElastiCacheBackend

    from week5.operations.moto_models import elasticache_snapshot_tags as patch

    monkeypatch.setattr(ElastiCacheBackend, "create_snapshot", patch.MOTO_CREATE_SNAPSHOT)
    redis(aws)
    aws("elasticache").create_snapshot(ReplicationGroupId="week5-day3-cache", SnapshotName="s")
    assert snapshot_tags(aws, "s") == []


# --- an instance launched from a launch template ----------------------------------------------


def launch_template(aws) -> str:
    """Day4Lab1's shape: a gp3 encrypted /dev/xvda root and detailed monitoring; its id."""
    return aws("ec2").create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "Monitoring": {"Enabled": True},
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "VolumeSize": 8,
                        "VolumeType": "gp3",
                        "Encrypted": True,
                        "DeleteOnTermination": True,
                    },
                }
            ],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]


def group_instance(aws) -> Dict[str, Any]:
    """The one instance of a group launched from :func:`launch_template`."""
    _, subnet_id = subnet(aws)
    template = launch_template(aws)
    autoscaling = aws("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        MinSize=1,
        MaxSize=1,
        DesiredCapacity=1,
        VPCZoneIdentifier=subnet_id,
    )
    (group,) = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
    (member,) = group["Instances"]
    (reservation,) = aws("ec2").describe_instances(InstanceIds=[member["InstanceId"]])[
        "Reservations"
    ]
    return reservation["Instances"][0]


def volumes(aws, instance: Dict[str, Any]) -> List[Tuple[str, int, str, bool]]:
    """The instance's volumes: (device, size, type, encrypted)."""
    found = aws("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}]
    )["Volumes"]
    return sorted(
        (v["Attachments"][0]["Device"], v["Size"], v["VolumeType"], v["Encrypted"]) for v in found
    )


def test_a_group_instance_has_the_templates_root_volume_alone_and_its_monitoring(aws):
    """Day4Lab1 (moto: a phantom 8 GiB gp2 unencrypted /dev/sda1 beside it, monitoring
    disabled)."""
    instance = group_instance(aws)
    assert volumes(aws, instance) == [("/dev/xvda", 8, "gp3", True)]
    assert [m["DeviceName"] for m in instance["BlockDeviceMappings"]] == ["/dev/xvda"]
    assert instance["RootDeviceName"] == "/dev/xvda"
    assert instance["Monitoring"]["State"] == "enabled"


def test_run_instances_from_the_template_does_the_same(aws):
    _, subnet_id = subnet(aws)
    template = launch_template(aws)
    (instance,) = aws("ec2").run_instances(
        LaunchTemplate={"LaunchTemplateId": template},
        SubnetId=subnet_id,
        MinCount=1,
        MaxCount=1,
    )["Instances"]
    assert volumes(aws, instance) == [("/dev/xvda", 8, "gp3", True)]
    assert instance["Monitoring"]["State"] == "enabled"
    plain = by_hand(aws, subnet_id)
    (reservation,) = aws("ec2").describe_instances(InstanceIds=[plain])["Reservations"]
    described = reservation["Instances"][0]
    assert volumes(aws, described) == [("/dev/sda1", 8, "gp2", False)]
    assert described["Monitoring"]["State"] == "disabled"


def test_moto_alone_still_adds_a_phantom_volume_and_drops_the_monitoring(aws, monkeypatch):
    from moto.ec2.models.instances import Instance

    from week5.operations.moto_models import launch_template_instances as patch

    monkeypatch.setattr(Instance, "__init__", patch.MOTO_INIT)
    monkeypatch.setattr(Instance, "setup_defaults", patch.MOTO_SETUP_DEFAULTS)
    instance = group_instance(aws)
    assert volumes(aws, instance) == [("/dev/sda1", 8, "gp2", False), ("/dev/xvda", 8, "gp3", True)]
    assert instance["Monitoring"]["State"] == "disabled"


# --- a stack's VPC endpoint -------------------------------------------------------------------


def endpoint_stack(aws) -> Tuple[Dict[str, str], str]:
    """A stack with an S3 gateway endpoint on a route table made outside it (so that its routes
    can be read after the stack's deletion); (physical ids, route table)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    physical = lab_stack(
        aws,
        {
            "S3Endpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    "VpcId": vpc,
                    "ServiceName": f"com.amazonaws.{REGION}.s3",
                    "VpcEndpointType": "Gateway",
                    "RouteTableIds": [table],
                },
            }
        },
        name="week5-day3-case",
    )
    return physical, table


def prefix_list_routes(aws, table: str) -> List[str]:
    (found,) = aws("ec2").describe_route_tables(RouteTableIds=[table])["RouteTables"]
    return [r["DestinationPrefixListId"] for r in found["Routes"] if "DestinationPrefixListId" in r]


def tagged(aws) -> List[str]:
    """The ARNs the tagging API lists with the stack's tags."""
    found = aws("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": "Lab", "Values": ["Day3Lab2"]}]
    )["ResourceTagMappingList"]
    return [r["ResourceARN"] for r in found]


def test_a_stacks_gateway_endpoint_is_deleted_with_its_routes(aws):
    """Day3Case's destroy (moto: the endpoint stayed ``available`` with the lab's tags)."""
    physical, table = endpoint_stack(aws)
    assert len(prefix_list_routes(aws, table)) == 1
    assert [arn for arn in tagged(aws) if physical["S3Endpoint"] in arn]
    ec2 = aws("ec2")
    aws("cloudformation").delete_stack(StackName="week5-day3-case")
    (endpoint,) = ec2.describe_vpc_endpoints(VpcEndpointIds=[physical["S3Endpoint"]])[
        "VpcEndpoints"
    ]
    assert endpoint["State"] == "deleted"
    assert prefix_list_routes(aws, table) == []
    assert tagged(aws) == []


def test_moto_alone_still_keeps_the_endpoint(aws, monkeypatch):
    from moto.ec2.models.vpcs import VPCEndPoint

    from week5.operations.moto_models import ec2_vpc_endpoint as patch

    monkeypatch.setattr(
        patch.EC2VpcEndpoint,
        "delete_from_cloudformation_json",
        VPCEndPoint.delete_from_cloudformation_json,
    )
    physical, table = endpoint_stack(aws)
    aws("cloudformation").delete_stack(StackName="week5-day3-case")
    (endpoint,) = aws("ec2").describe_vpc_endpoints(VpcEndpointIds=[physical["S3Endpoint"]])[
        "VpcEndpoints"
    ]
    assert endpoint["State"] == "available" and len(prefix_list_routes(aws, table)) == 1


# --- what `week5 local` says does not run -------------------------------------------------------


def test_send_command_answers_success_and_no_scaling_activity_is_listed(aws):
    """What the outputs' note says of Day4Lab1's LoadTestCommand and WatchScalingCommand; when
    this fails, moto runs them: change the note (week5/cli/local.py)."""
    ssm = aws("ssm")
    command = ssm.send_command(
        Targets=[{"Key": "tag:aws:autoscaling:groupName", "Values": ["web"]}],
        DocumentName="AWS-RunShellScript",
        Parameters={"commands": ["stress-ng --cpu 0 --timeout 600s"]},
    )["Command"]
    assert command["Status"] == "Success"
    activities = aws("autoscaling").describe_scaling_activities(AutoScalingGroupName="web")
    assert activities["Activities"] == []


def test_the_outputs_note_names_what_does_not_run_and_what_works_instead():
    """The trial's finding: the note warned of start-session alone."""
    from types import SimpleNamespace

    from week5.cli import local as local_command

    # A lab with a group and an output that sends a command (the note says only what it has).
    send = {"key": "LoadTestCommand", "description": "", "value": "aws ssm send-command --x y",
            "skipped": []}  # fmt: skip
    watch = {"key": "WatchScalingCommand", "description": "",
             "value": "aws autoscaling describe-scaling-activities --x y", "skipped": []}  # fmt: skip
    lab = SimpleNamespace(outputs=[send, watch], load_balancers=[], auto_scaling_groups=[{}],
                          databases=[], caches=[])  # fmt: skip
    note = local_command.format_outputs(lab).splitlines()[0]
    for said in (
        "`aws ssm send-command` answers Success though no command runs on any instance "
        "(LoadTestCommand loads nothing)",
        "WatchScalingCommand shows no activity",
        "`aws autoscaling set-desired-capacity --auto-scaling-group-name GROUP "
        "--desired-capacity 4` scales the group",
        "`aws cloudformation get-template --stack-name STACK` shows the policy",
    ):
        assert said in note
