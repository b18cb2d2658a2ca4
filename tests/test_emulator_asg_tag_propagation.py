"""An Auto Scaling group deployed by a change set with stack tags (as the CDK CLI deploys) keeps
its template's ``PropagateAtLaunch``, and takes the stack's tags and CloudFormation's
``aws:cloudformation:*`` with ``PropagateAtLaunch`` true, as on AWS
(week5/operations/moto_models/stack_tags.py).

A student trial (`week5 local`, every lab with an Auto Scaling group): the group's tags Day, Lab,
Student and Week had ``PropagateAtLaunch`` false though the template said true: the change set's
tagging went through moto's tagging API, which tags a group afresh with ``PropagateAtLaunch``
false. Instances the group launched later (a scale-out, a replacement) then carried none of them.

Also here, deployed the same way: a CloudWatch dashboard whose template gives no
``DashboardName`` is named ``<logical id>-<random suffix>``, as CloudFormation names it, and keeps
its name through an update of its body (week5/operations/moto_models/cloudwatch_dashboard.py;
moto 5.2.5 names it with a UUID, and a new one at each update).

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

import own_emulator
from own_emulator import AMI, PUBLIC_NETWORK, REGION

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

STACK = "week5-park-Day4Lab1"
#: The stack's tags, as `cdk deploy` passes the app's tags; "Cohort" is on the stack alone.
STACK_TAGS = {"Week": "Week5", "Day": "Day4", "Lab": "Lab1", "Student": "park", "Cohort": "c1"}
#: The group's tags as CDK writes them (Day4Lab1's, cut down): the course's four propagated,
#: the Name not.
GROUP_TAGS = [
    {"Key": "Day", "PropagateAtLaunch": True, "Value": "Day4"},
    {"Key": "Lab", "PropagateAtLaunch": True, "Value": "Lab1"},
    {"Key": "Name", "PropagateAtLaunch": False, "Value": "week5-park-web-asg"},
    {"Key": "Student", "PropagateAtLaunch": True, "Value": "park"},
    {"Key": "Week", "PropagateAtLaunch": True, "Value": "Week5"},
]
RESOURCES: Dict[str, Any] = {
    **PUBLIC_NETWORK,
    "Template": {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"ImageId": AMI, "InstanceType": "t3.micro"}},
    },
    "WebAsg": {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "MinSize": "1",
            "MaxSize": "2",
            "DesiredCapacity": "1",
            "VPCZoneIdentifier": [{"Ref": "Public"}],
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Template"},
                "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]},
            },
            "Tags": GROUP_TAGS,
        },
    },
}


def cdk_deploy(aws, resources: Dict[str, Any] = RESOURCES, kind: str = "CREATE") -> Dict[str, str]:
    """The stack made (or updated) by a change set with the stack's tags (own_emulator's)."""
    return own_emulator.cdk_deploy(aws, STACK, {"Resources": resources}, STACK_TAGS, kind)


def group(aws, name: str) -> Dict[str, Any]:
    (found,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    return found


def group_tags(aws, name: str) -> Dict[str, Tuple[str, bool]]:
    """The group's tags: key -> (value, PropagateAtLaunch)."""
    return {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in group(aws, name)["Tags"]}


def instance_tags(aws, name: str) -> List[Dict[str, str]]:
    """The tags of the group's instances, in the group's order."""
    ids = [i["InstanceId"] for i in group(aws, name)["Instances"]]
    reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    tags = {
        i["InstanceId"]: {t["Key"]: t["Value"] for t in i.get("Tags", [])}
        for r in reservations
        for i in r["Instances"]
    }
    return [tags[i] for i in ids]


def cloudformation_tags(aws, logical_id: str) -> Dict[str, str]:
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    return {
        "aws:cloudformation:stack-name": STACK,
        "aws:cloudformation:stack-id": stack["StackId"],
        "aws:cloudformation:logical-id": logical_id,
    }


def test_the_groups_tags_keep_the_templates_flag_and_the_stacks_propagate(aws):
    name = cdk_deploy(aws)["WebAsg"]
    expected = {
        # the template's, as it gives them
        **{t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in GROUP_TAGS},
        # the stack's that the template does not give, and CloudFormation's: propagated
        "Cohort": ("c1", True),
        **{k: (v, True) for k, v in cloudformation_tags(aws, "WebAsg").items()},
    }
    assert group_tags(aws, name) == expected
    # `aws autoscaling describe-tags` says the same
    described = aws("autoscaling").describe_tags(
        Filters=[{"Name": "auto-scaling-group", "Values": [name]}]
    )["Tags"]
    assert {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in described} == expected
    # a redeploy (a change set that updates the stack) leaves them so
    marker = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "2"}}
    cdk_deploy(aws, {**RESOURCES, "Marker": marker}, "UPDATE")
    assert group_tags(aws, name) == expected


def test_an_instance_launched_later_carries_what_the_group_propagates(aws):
    physical = cdk_deploy(aws)
    name = physical["WebAsg"]
    want = {
        **STACK_TAGS,
        **cloudformation_tags(aws, "WebAsg"),
        "aws:autoscaling:groupName": name,
        # EC2's own, as on AWS
        "aws:ec2launchtemplate:id": physical["Template"],
        "aws:ec2launchtemplate:version": "1",
    }
    (first,) = instance_tags(aws, name)
    assert first == want
    # a scale-out launches one more: it carries them too (the Name, not propagated, on neither)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    assert instance_tags(aws, name) == [want, want]


def dashboard(body: str, name: str = "") -> Dict[str, Any]:
    """A dashboard as CDK writes it, named ``name`` (none: CDK's default)."""
    properties = {"DashboardBody": body, **({"DashboardName": name} if name else {})}
    return {"Type": "AWS::CloudWatch::Dashboard", "Properties": properties}


def dashboards(aws) -> Dict[str, str]:
    """The region's dashboards: name -> body."""
    cloudwatch = aws("cloudwatch")
    return {
        d["DashboardName"]: cloudwatch.get_dashboard(DashboardName=d["DashboardName"])[
            "DashboardBody"
        ]
        for d in cloudwatch.list_dashboards()["DashboardEntries"]
    }


def test_an_unnamed_dashboard_is_named_after_its_logical_id_and_keeps_its_name(aws):
    one, two = json.dumps({"widgets": []}), json.dumps({"widgets": [], "start": "-PT6H"})
    physical = cdk_deploy(
        aws, {"AlarmsDashboard": dashboard(one), "Named": dashboard(one, "Week5")}
    )
    name = physical["AlarmsDashboard"]
    assert re.fullmatch(r"AlarmsDashboard-[A-Z0-9]{12}", name), name
    assert dashboards(aws) == {name: one, "Week5": one}
    # an update of its body keeps its name, as on AWS
    physical = cdk_deploy(
        aws, {"AlarmsDashboard": dashboard(two), "Named": dashboard(two, "Week5")}, "UPDATE"
    )
    assert physical["AlarmsDashboard"] == name
    assert dashboards(aws) == {name: two, "Week5": two}
    aws("cloudformation").delete_stack(StackName=STACK)
    assert dashboards(aws) == {}


def test_moto_alone_still_names_it_with_a_uuid():
    from moto import mock_aws
    from moto.cloudwatch.models import Dashboard

    with mock_aws():
        made = Dashboard.create_from_cloudformation_json(
            f"{STACK}-AlarmsDashboard-ABCDEFGHIJKL",
            {"Properties": {"DashboardBody": "{}"}},
            "123456789012",
            REGION,
            LogicalId="AlarmsDashboard",
        )
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(uuid, made.name), (
        "moto now names an unnamed dashboard otherwise: check cloudwatch_dashboard.py, maybe "
        "delete it"
    )
