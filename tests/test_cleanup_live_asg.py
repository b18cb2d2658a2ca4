"""`week5 cleanup` against a live lab stack with an Auto Scaling group (Day4Lab1's web tier):
the volumes of the group's instances carry the launch template's tags, no stack's (on AWS too),
and go with their instances, so with the stack: they are the stack's, priced once in its line,
never listed or deleted apart. And what a run finds gone when it comes to delete it (a volume
deleted with its instance, a stack someone else deleted) is reported "already gone", never
counted as deleted. On in-process moto with the emulator's models (`week5 local`'s)."""

import json

import pytest
from shared_botocore import Clients, moto_account

from week5.cli import main
from week5.cli.cleanup import format_found, format_report
from week5.operations.cleanup import Cleaner
from week5.operations.price_table import PriceTable

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
STACK = "week5-park-Day4Lab1"
COMMAND = ["cleanup", "--day", "Day4", "--student", "park"]


def tags(name=None):
    values = {"Week": "Week5", "Day": "Day4", "Lab": "Lab1", "Student": "park"}
    return [{"Key": k, "Value": v} for k, v in {**values, **({"Name": name} if name else {})}.items()]


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def cleaner(aws):
    return Cleaner(
        aws.client, region=REGION, day="Day4", student="park", waits=(0, 0, 0),
        sleep=lambda s: None,
    )  # fmt: skip


def web_tier(aws, tag_instances=True):
    """:func:`deployed_web_tier`'s instances."""
    return deployed_web_tier(aws, tag_instances)[1]


def deployed_web_tier(aws, tag_instances=True, monitoring=False):
    """Day4Lab1's web tier as its stack makes it: a VPC and subnet tagged for the lab, a launch
    template whose TagSpecifications tag the instances (unless not ``tag_instances``) and their
    volumes with the lab's tags, no stack's (detailed monitoring on when ``monitoring``, as
    HaWebTier(detailed_monitoring=True) makes it), and a group of two launched from it; the
    stack itself tagged for the day, as LabStack tags it. (template, the group's instances)."""
    image = aws.client("ec2").register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    kinds = ("instance", "volume") if tag_instances else ("volume",)
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {
                "CidrBlock": "10.0.0.0/16", "Tags": tags("week5-day4-park-vpc")}},
            "Public": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24",
                "Tags": tags("week5-day4-park-public-subnet-a")}},
            "Template": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
                "LaunchTemplateData": {
                    "ImageId": image, "InstanceType": "t3.micro",
                    "TagSpecifications": [{"ResourceType": kind, "Tags": tags("Day4Lab1/Web")}
                                          for kind in kinds],
                    **({"Monitoring": {"Enabled": True}} if monitoring else {})}}},
            "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "2", "MaxSize": "2", "VPCZoneIdentifier": [{"Ref": "Public"}],
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Template"},
                                   "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]}},
                "Tags": [{**tag, "PropagateAtLaunch": tag_instances} for tag in tags()]}},
        }
    }  # fmt: skip
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(template), Tags=tags())
    (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    reservations = aws.client("ec2").describe_instances(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert len(instances) == 2, instances
    return template, instances


def volumes_of(aws, instances):
    """The volumes attached to ``instances``, as DescribeVolumes gives them."""
    return aws.client("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [i["InstanceId"] for i in instances]}]
    )["Volumes"]


def stacks(aws):
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    return {s["StackName"] for s in listed if s["StackStatus"] != "DELETE_COMPLETE"}


@pytest.mark.parametrize("tag_instances", [True, False], ids=["tagged", "untagged-instances"])
def test_a_groups_instance_volumes_go_with_their_stack(aws, capsys, tag_instances):
    """The trial: the group's volumes were listed as "EBS volume" lines beside the stack, their
    cost added twice over the stack's, and --apply said each "deleted (already gone)" after the
    stack took them: "Deleted 5". They are the stack's (their instance carries its stack tag,
    or its group is the stack's), whether the template tags the instances or only volumes."""
    instances = web_tier(aws, tag_instances)
    volumes = volumes_of(aws, instances)
    assert volumes and all(
        {"Key": "Student", "Value": "park"} in v["Tags"]
        and "aws:cloudformation:stack-name" not in {t["Key"] for t in v["Tags"]}
        for v in volumes
    ), volumes  # as on AWS: the launch template's tags, no stack's

    found = cleaner(aws).find()
    assert [(f.kind, f.id) for f in found] == [("CloudFormation stack", STACK)]
    (stack,) = found
    assert stack.held is None
    # their cost is the stack's, once
    prices = PriceTable()
    of_volumes = sum(prices.hourly(f"ebs:{v['VolumeType']}", v["Size"]) for v in volumes)
    assert of_volumes > 0 and stack.hourly >= of_volumes
    assert "EBS volume" not in format_found(found, "Day4/park")

    assert main(COMMAND + ["--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert [(i["kind"], i["id"]) for i in planned["found"]] == [("CloudFormation stack", STACK)]
    assert planned["usd_per_hour"] == planned["found"][0]["usd_per_hour"]
    assert planned["already_gone"] is None  # nothing tried

    assert main(COMMAND + ["--apply"]) == 0
    captured = capsys.readouterr()
    assert "Deleted 1, failed 0, left 0.\n" in captured.out + "\n"
    assert "already gone" not in captured.out + captured.err
    assert stacks(aws) == set()
    assert main(COMMAND) == 0
    assert "Nothing tagged for Day4/park in this region." in capsys.readouterr().out


def test_a_volume_attached_by_hand_to_a_groups_instance_is_deleted_after_the_stack(aws, capsys):
    """A tagged volume a student attached to one of the group's instances outlives it (not
    deleted on termination): it stays listed, and is deleted, by this run, after the stack."""
    instances = web_tier(aws)
    ec2 = aws.client("ec2")
    extra = ec2.create_volume(
        AvailabilityZone=instances[0]["Placement"]["AvailabilityZone"], Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags("data")}],
    )["VolumeId"]  # fmt: skip
    ec2.attach_volume(VolumeId=extra, InstanceId=instances[0]["InstanceId"], Device="/dev/sdf")

    found = cleaner(aws).find()
    assert [(f.kind, f.id) for f in found] == [
        ("CloudFormation stack", STACK),
        ("EBS volume", extra),
    ]
    assert main(COMMAND + ["--apply", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in out["deleted"]] == [STACK, extra]
    assert out["already_gone"] == [] and out["failed"] == []
    assert ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [extra]}])["Volumes"] == []


def tagged_instance(aws):
    """A tagged instance outside any stack, and its root volume, tagged at launch and deleted
    on termination: (instance id, volume id)."""
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    (instance,) = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        TagSpecifications=[{"ResourceType": kind, "Tags": tags()}
                           for kind in ("instance", "volume")],
    )["Instances"]  # fmt: skip
    (volume,) = [v["VolumeId"] for v in volumes_of(aws, [instance])]
    return instance["InstanceId"], volume


def test_a_volume_deleted_meanwhile_is_already_gone_not_deleted(aws):
    """A volume someone deleted between the listing and the deletion is reported already
    gone, and not among what was deleted; a root volume that went with the instance this run
    terminated was deleted by this run, and says with what."""
    instance, root = tagged_instance(aws)
    ec2 = aws.client("ec2")
    spare = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags("spare")}],
    )["VolumeId"]  # fmt: skip

    the_cleaner = cleaner(aws)
    found = the_cleaner.find()
    assert [(f.kind, f.id) for f in found] == [
        ("EC2 instance", instance),
        ("EBS volume", root),
        ("EBS volume", spare),
    ]
    ec2.delete_volume(VolumeId=spare)
    said = []
    report = the_cleaner.apply(found, say=said.append)
    assert sorted(f.id for f in report.deleted) == sorted([instance, root])
    assert [(f.id, code) for f, code in report.gone] == [(spare, "InvalidVolume.NotFound")]
    assert report.failed == [] and report.left == []
    assert f"  deleted EBS volume {root} (with {instance}, which this run deleted)" in said
    assert f"  already gone, not deleted by this run: EBS volume {spare} (spare) " \
        "(InvalidVolume.NotFound)" in said, said  # fmt: skip
    text = format_report(report)
    assert text.startswith(
        "Deleted 2, failed 0, left 0. Already gone, so not deleted by this run: 1.\n"
    ), text
    assert f"  already gone: EBS volume {spare} (spare) (InvalidVolume.NotFound)" in text


def test_the_command_reports_what_was_already_gone(aws, capfd, monkeypatch):
    """The same through the command: the summary and --json say what was already gone
    (``already_gone``), ``deleted`` does not hold it, and the run exits 0 (it is gone)."""
    ec2 = aws.client("ec2")
    spare = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags("spare")}],
    )["VolumeId"]  # fmt: skip
    listed = Cleaner.find

    def find_then_someone_deletes(self):
        found = listed(self)
        ec2.delete_volume(VolumeId=spare)
        return found

    monkeypatch.setattr(Cleaner, "find", find_then_someone_deletes)
    assert main(COMMAND + ["--apply", "--json"]) == 0
    out, err = capfd.readouterr()
    body = json.loads(out)
    assert body["deleted"] == [] and body["failed"] == []
    assert [(i["id"], i["code"]) for i in body["already_gone"]] == [
        (spare, "InvalidVolume.NotFound")
    ]
    assert f"already gone, not deleted by this run: EBS volume {spare}" in err
    assert f"deleted EBS volume {spare}" not in err


def test_a_stack_deleted_after_it_was_found_is_already_gone(aws):
    """A stack someone else deleted between the listing and the deletion: this run did not
    delete it, so it is not counted as deleted."""
    web_tier(aws)
    the_cleaner = cleaner(aws)
    found = the_cleaner.find()
    assert [f.id for f in found] == [STACK]
    aws.client("cloudformation").delete_stack(StackName=STACK)
    report = the_cleaner.apply(found, say=lambda line: None)
    assert report.deleted == [] and report.failed == []
    assert [(f.id, code) for f, code in report.gone] == [(STACK, "StackNotFound")]


def test_a_tagged_instance_of_a_group_outside_the_days_tags_is_held(aws):
    """An Auto Scaling group made by hand, untagged, whose launch template tags its instances
    for the day: terminating one would only have the group launch another, and the group is
    not cleanup's to delete. The instance is held, naming the group, and --apply leaves it."""
    ec2, autoscaling = aws.client("ec2"), aws.client("autoscaling")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    template = ec2.create_launch_template(
        LaunchTemplateName="by-hand",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro",
                            "TagSpecifications": [{"ResourceType": "instance", "Tags": tags()}]},
    )["LaunchTemplate"]["LaunchTemplateId"]  # fmt: skip
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="by-hand", MinSize=1, MaxSize=1, DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        AvailabilityZones=[f"{REGION}a"],
    )  # fmt: skip
    (member,) = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]
    instance = member["InstanceId"]
    (described,) = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"]
    assert {"Key": "Student", "Value": "park"} in described["Tags"]  # the day's, from the template

    found = cleaner(aws).find()
    (line,) = [f for f in found if f.id == instance]
    assert line.held == (
        "Auto Scaling group by-hand, which is not tagged Week5/Day4/park, launched it and would "
        "replace it"
    )
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert instance not in {f.id for f in report.deleted} and report.failed == []
    states = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"]
    assert [i["State"]["Name"] for i in states] == ["running"]
