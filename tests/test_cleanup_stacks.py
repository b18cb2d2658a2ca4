"""`week5 cleanup` never deletes a lab's stack from under a resource outside the day's tags: a
stack one of whose resources is tied to an untagged resource (an instance in its subnet, a
security group in its VPC) is left whole and reported with its resource and the untagged one,
alike in the plan and in --apply, text and --json; what is tied only to the stack's own
resources (tagged or not) still goes with it. On in-process moto, the labs' stacks made from
templates as CDK writes them, the untagged resources with boto3 as someone makes them by hand
(the instructor trial's two cases: kim's Day1Lab2, lee's Day4Lab1)."""

import json

import pytest
from shared_botocore import Clients, moto_account

from week5.cli import main
from week5.cli.cleanup import format_found, format_report
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)


def tags(day, student, name=None):
    values = {"Week": "Week5", "Day": day, "Student": student, **({"Name": name} if name else {})}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def cleaner(aws, day, student):
    return Cleaner(
        aws.client, region=REGION, day=day, student=student, waits=(0, 0, 0),
        sleep=lambda s: None,
    )  # fmt: skip


def deploy(aws, day, student, lab, with_instance=False):
    """A lab's network as its stack makes it: a VPC, a public subnet routed to an internet
    gateway, a security group (and a tagged instance), every resource tagged for the day and
    student but the route table (a stack resource without the day's tags: still the stack's).
    Its resources' physical ids, by logical id."""
    t = lambda name: tags(day, student, f"week5-{day.lower()}-{student}-{name}")  # noqa: E731
    resources = {
        "Vpc": ("AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16", "Tags": t("vpc")}),
        "Public": (
            "AWS::EC2::Subnet",
            {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "Tags": t("public-subnet-a")},
        ),
        "Igw": ("AWS::EC2::InternetGateway", {"Tags": t("igw")}),
        "Attach": (
            "AWS::EC2::VPCGatewayAttachment",
            {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}},
        ),
        "Routes": ("AWS::EC2::RouteTable", {"VpcId": {"Ref": "Vpc"}}),
        "Default": (
            "AWS::EC2::Route",
            {
                "RouteTableId": {"Ref": "Routes"},
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": {"Ref": "Igw"},
            },
        ),
        "Association": (
            "AWS::EC2::SubnetRouteTableAssociation",
            {"SubnetId": {"Ref": "Public"}, "RouteTableId": {"Ref": "Routes"}},
        ),
        "Web": (
            "AWS::EC2::SecurityGroup",
            {"GroupDescription": "web", "VpcId": {"Ref": "Vpc"}, "Tags": t("web")},
        ),
    }
    if with_instance:
        image = aws.client("ec2").register_image(Name="base", RootDeviceName="/dev/xvda")
        resources["Host"] = (
            "AWS::EC2::Instance",
            {
                "ImageId": image["ImageId"], "InstanceType": "t3.micro",
                "SubnetId": {"Ref": "Public"}, "SecurityGroupIds": [{"Ref": "Web"}],
                "Tags": t("web1"),
            },
        )  # fmt: skip
    template = {
        "Resources": {
            name: {"Type": kind, "Properties": props} for name, (kind, props) in resources.items()
        }
    }
    cloudformation = aws.client("cloudformation")
    name = f"week5-{student}-{lab}"
    cloudformation.create_stack(
        StackName=name, TemplateBody=json.dumps(template), Tags=tags(day, student)
    )
    summaries = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}


def by_hand(aws, subnet):
    """An instance run into ``subnet`` without tags, as someone does in the console."""
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="by-hand", RootDeviceName="/dev/xvda")["ImageId"]
    return ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet
    )["Instances"][0]["InstanceId"]


def stacks(aws):
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    return {s["StackName"] for s in listed if s["StackStatus"] != "DELETE_COMPLETE"}


def running(aws, instance):
    (reservation,) = aws.client("ec2").describe_instances(InstanceIds=[instance])["Reservations"]
    return reservation["Instances"][0]["State"]["Name"]


def subnets(aws):
    return {s["SubnetId"] for s in aws.client("ec2").describe_subnets()["Subnets"]}


def test_an_untagged_instance_in_a_stacks_subnet_keeps_the_stack(aws, capsys):
    """The trial's first case: an untagged instance run into kim's Day1Lab2 public subnet.
    The stack was deleted (and the subnet with it, under the running instance) and nothing
    was said; now the plan and --apply both leave the stack and name its subnet and the
    instance, --apply exits 1, and nothing of either is touched."""
    lab = deploy(aws, "Day1", "kim", "Day1Lab2", with_instance=True)
    stranger = by_hand(aws, lab["Public"])
    pair = (
        f"its subnet {lab['Public']} (week5-day1-kim-public-subnet-a): instance {stranger}, "
        "which is not tagged Week5/Day1/kim, runs in it"
    )

    found = cleaner(aws, "Day1", "kim").find()
    assert [(f.kind, f.id) for f in found] == [("CloudFormation stack", "week5-kim-Day1Lab2")]
    (stack,) = found
    assert pair in stack.held
    # the stack's own route table (untagged) and instance are no ties: they go with it
    assert lab["Routes"] not in stack.held and lab["Host"] not in stack.held
    text = format_found(found, "Day1/kim")
    assert f"CloudFormation stack week5-kim-Day1Lab2 ({stack.name}): {stack.held}" in text
    assert "[left: see below]" in text

    command = ["cleanup", "--day", "Day1", "--student", "kim"]
    assert main(command) == 0  # a plan, as for a pair outside a stack
    assert pair in capsys.readouterr().out
    assert main(command + ["--apply", "--json"]) == 1  # something was left
    out = json.loads(capsys.readouterr().out)
    assert out["deleted"] == [] and out["failed"] == []
    (left,) = out["left"]
    assert left["kind"] == "CloudFormation stack" and left["id"] == "week5-kim-Day1Lab2"
    assert pair in left["left_because"]
    assert [i["left_because"] for i in out["found"]] == [left["left_because"]]

    assert stacks(aws) == {"week5-kim-Day1Lab2"}
    assert lab["Public"] in subnets(aws)
    assert running(aws, stranger) == "running" and running(aws, lab["Host"]) == "running"
    (instance,) = aws.client("ec2").describe_instances(InstanceIds=[stranger])["Reservations"][0][
        "Instances"
    ]
    assert instance["SubnetId"] == lab["Public"] and not instance.get("Tags")

    report = cleaner(aws, "Day1", "kim").apply(say=lambda line: None)
    assert f"left: CloudFormation stack week5-kim-Day1Lab2 ({stack.name}): " in format_report(
        report
    )


def test_an_untagged_security_group_in_a_stacks_vpc_keeps_the_stack(aws, capsys):
    """The trial's second case: a security group made by hand, untagged, in lee's Day4Lab1
    VPC. The VPC was deleted under it; now the stack is left with the pair."""
    lab = deploy(aws, "Day4", "lee", "Day4Lab1")
    ec2 = aws.client("ec2")
    stranger = ec2.create_security_group(
        GroupName="by-hand", Description="by hand", VpcId=lab["Vpc"]
    )["GroupId"]
    pair = (
        f"its VPC {lab['Vpc']} (week5-day4-lee-vpc): security group {stranger}, which is not "
        "tagged Week5/Day4/lee, is in it"
    )

    (stack,) = cleaner(aws, "Day4", "lee").find()
    assert stack.id == "week5-lee-Day4Lab1" and stack.held == pair

    command = ["cleanup", "--day", "Day4", "--student", "lee"]
    assert main(command + ["--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert [i["left_because"] for i in planned["found"]] == [pair]
    assert main(command + ["--apply"]) == 1
    out = capsys.readouterr().out
    assert f"left: CloudFormation stack week5-lee-Day4Lab1 ({stack.name}): {pair}" in out
    assert "Deleted 0, failed 0, left 1." in out

    assert stacks(aws) == {"week5-lee-Day4Lab1"}
    (group,) = ec2.describe_security_groups(GroupIds=[stranger])["SecurityGroups"]
    assert group["VpcId"] == lab["Vpc"] and not group.get("Tags")


def test_a_stack_tied_only_to_its_own_resources_still_goes(aws, capsys):
    """Its untagged route table and its own instance are the stack's: no pair, the stack is
    deleted (and another student's stack, held by an untagged instance, is not)."""
    deploy(aws, "Day1", "kim", "Day1Lab2", with_instance=True)
    lee = deploy(aws, "Day1", "lee", "Day1Lab2")
    stranger = by_hand(aws, lee["Public"])

    (stack,) = cleaner(aws, "Day1", "kim").find()
    assert stack.held is None
    assert main(["cleanup", "--day", "Day1", "--student", "kim", "--apply", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in out["deleted"]] == ["week5-kim-Day1Lab2"] and out["left"] == []
    assert stacks(aws) == {"week5-lee-Day1Lab2"}
    assert running(aws, stranger) == "running"


def test_what_waits_on_a_left_stack_is_left_and_the_other_way_round(aws):
    """A stack left is left with what it holds: a tagged route table made by hand for its
    subnet stays with it (the untagged instance there keeps its routes). And a stack whose
    subnet holds a tagged instance that is itself left (an untagged volume is attached to it)
    is left too: CloudFormation could not delete that subnet."""
    ec2 = aws.client("ec2")
    kim = deploy(aws, "Day1", "kim", "Day1Lab2")
    stranger = by_hand(aws, kim["Public"])
    table = ec2.create_route_table(
        VpcId=kim["Vpc"],
        TagSpecifications=[{"ResourceType": "route-table", "Tags": tags("Day1", "kim")}],
    )["RouteTable"]["RouteTableId"]
    # As on AWS, a subnet has one route table: the stack's association is replaced.
    ec2.replace_route_table_association(AssociationId=kim["Association"], RouteTableId=table)

    lee = deploy(aws, "Day4", "lee", "Day4Lab1")
    image = ec2.register_image(Name="lee-base", RootDeviceName="/dev/xvda")["ImageId"]
    tagged = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=lee["Public"],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags("Day4", "lee")}],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=tagged, Device="/dev/sdf")

    held = {f.id: f.held for f in cleaner(aws, "Day1", "kim").find()}
    assert set(held) == {"week5-kim-Day1Lab2", table}
    assert held[table].startswith(
        f"instance {stranger}, which is not tagged Week5/Day1/kim, uses it through subnet "
        f"{kim['Public']} (week5-day1-kim-public-subnet-a) of CloudFormation stack "
        "week5-kim-Day1Lab2, which is left and is associated with it"
    )

    held = {f.id: f.held for f in cleaner(aws, "Day4", "lee").find()}
    assert set(held) == {tagged, "week5-lee-Day4Lab1"}
    assert held[tagged].startswith(f"volume {volume}, which is not tagged Week5/Day4/lee, is attached")
    waits = (
        f"its subnet {lee['Public']} (week5-day4-lee-public-subnet-a): it waits on EC2 instance "
        f"{tagged}, which is left"
    )
    assert waits in held["week5-lee-Day4Lab1"]

    cleaner(aws, "Day1", "kim").apply(say=lambda line: None)
    cleaner(aws, "Day4", "lee").apply(say=lambda line: None)
    assert stacks(aws) == {"week5-kim-Day1Lab2", "week5-lee-Day4Lab1"}
    assert running(aws, stranger) == running(aws, tagged) == "running"
