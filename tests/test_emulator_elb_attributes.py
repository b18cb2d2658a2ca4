"""The emulator's load balancers and target groups take their template's attributes
(``LoadBalancerAttributes``, ``TargetGroupAttributes``), on create and on a stack update, as
AWS does: moto 5.2.5's models dropped them, so every lab's target group answered moto's
``deregistration_delay.timeout_seconds`` 300 where its template sets 30 (Day5Challenge's draining
step) and its ALB lacked ``routing.http.drop_invalid_header_fields.enabled``
(week5/operations/moto_models/elbv2_target_group.py, elbv2_load_balancer.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import moto_in_process
import pytest
from botocore.exceptions import ClientError
from test_moto_models import load_balancer, moto_own_model, network, target_group_and_listener

from moto_in_process import REGION

one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

STACK = "elb-attributes"
#: What every lab's template sets (CDK's ``ApplicationLoadBalancer`` and ``ApplicationTargetGroup``
#: as the labs configure them).
ALB_ATTRIBUTES = [
    {"Key": "deletion_protection.enabled", "Value": "false"},
    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
]
GROUP_ATTRIBUTES = [
    {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
    {"Key": "stickiness.enabled", "Value": "false"},
]


def template(alb: List[Dict[str, str]], group: List[Dict[str, str]]) -> str:
    resources: Dict[str, Any] = network()
    load_balancer(resources)
    target_group_and_listener(resources)
    resources["Alb"]["Properties"]["LoadBalancerAttributes"] = alb
    resources["Targets"]["Properties"]["TargetGroupAttributes"] = group
    return json.dumps({"Resources": resources})


def arns(aws) -> Dict[str, str]:
    found = aws("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found}


def attributes(aws) -> Dict[str, Dict[str, str]]:
    """The ALB's and the target group's attributes, as ``aws elbv2 describe-*-attributes``
    answers them."""
    elbv2, physical = aws("elbv2"), arns(aws)
    alb = elbv2.describe_load_balancer_attributes(LoadBalancerArn=physical["Alb"])
    group = elbv2.describe_target_group_attributes(TargetGroupArn=physical["Targets"])
    return {
        "Alb": {a["Key"]: a["Value"] for a in alb["Attributes"]},
        "Targets": {a["Key"]: a["Value"] for a in group["Attributes"]},
    }


def status(aws) -> str:
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    return stack["StackStatus"]


def test_the_templates_attributes_are_read_back(aws):
    aws("cloudformation").create_stack(
        StackName=STACK, TemplateBody=template(ALB_ATTRIBUTES, GROUP_ATTRIBUTES)
    )
    assert status(aws) == "CREATE_COMPLETE"
    read = attributes(aws)
    assert read["Targets"]["deregistration_delay.timeout_seconds"] == "30"
    assert read["Targets"]["stickiness.enabled"] == "false"
    assert read["Alb"]["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert read["Alb"]["deletion_protection.enabled"] == "false"


def test_a_stack_update_sets_the_new_templates_attributes(aws):
    cfn = aws("cloudformation")
    cfn.create_stack(StackName=STACK, TemplateBody=template(ALB_ATTRIBUTES, GROUP_ATTRIBUTES))
    before = arns(aws)
    cfn.update_stack(
        StackName=STACK,
        TemplateBody=template(
            [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"}],
            [{"Key": "deregistration_delay.timeout_seconds", "Value": "60"}],
        ),
    )
    assert status(aws) == "UPDATE_COMPLETE"
    assert arns(aws) == before  # updated in place, as AWS updates attributes
    read = attributes(aws)
    assert read["Targets"]["deregistration_delay.timeout_seconds"] == "60"
    assert read["Alb"]["routing.http.drop_invalid_header_fields.enabled"] == "false"
    cfn.delete_stack(StackName=STACK)
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []


@pytest.mark.parametrize(
    "alb, group, refused",
    [
        ([{"Key": "routing.http.no_such_thing", "Value": "true"}], [], "routing.http.no_such_thing"),
        ([], [{"Key": "deregistration_delay.timeout_seconds", "Value": "7200"}], "0-3600"),
    ],
)
def test_an_attribute_aws_refuses_fails_the_deploy(aws, alb, group, refused):
    with pytest.raises(ClientError) as caught:
        aws("cloudformation").create_stack(StackName=STACK, TemplateBody=template(alb, group))
    assert refused in caught.value.response["Error"]["Message"]


def test_moto_alone_still_drops_them(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    lb = moto_own_model("AWS::ElasticLoadBalancingV2::LoadBalancer").create_from_cloudformation_json(
        "alb",
        {"Properties": {"Subnets": subnets, "LoadBalancerAttributes": ALB_ATTRIBUTES}},
        "123456789012",
        REGION,
    )
    group = moto_own_model("AWS::ElasticLoadBalancingV2::TargetGroup")
    targets = group.create_from_cloudformation_json(
        "targets",
        {
            "Properties": {
                "VpcId": vpc,
                "Port": 80,
                "Protocol": "HTTP",
                "TargetGroupAttributes": GROUP_ATTRIBUTES,
            }
        },
        "123456789012",
        REGION,
    )
    assert "routing.http.drop_invalid_header_fields.enabled" not in lb.attrs
    assert targets.attributes["deregistration_delay.timeout_seconds"] == 300


#: Each type's attributes property and how ``aws elbv2`` reads them back.
READS = {
    "AWS::ElasticLoadBalancingV2::TargetGroup": (
        "TargetGroupAttributes",
        lambda elbv2, arn: elbv2.describe_target_group_attributes(TargetGroupArn=arn),
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        "LoadBalancerAttributes",
        lambda elbv2, arn: elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn),
    ),
}


@pytest.mark.xdist_group("emulator")
def test_every_deployed_labs_load_balancers_and_target_groups_have_their_templates_attributes(
    emulated_labs,
):
    """The trial's check on the session's deployed labs (Day3Case, Day4Challenge and
    Day5Challenge's target groups answered 300): every attribute a lab's template sets is what
    `aws elbv2 describe-*-attributes` answers."""
    elbv2, cfn = emulated_labs.clients("elbv2"), emulated_labs.clients("cloudformation")
    checked = {}
    for lab_id, lab in emulated_labs.labs.items():
        found = cfn.list_stack_resources(StackName=lab.stack_name)["StackResourceSummaries"]
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found}
        for logical_id, resource in lab.template["Resources"].items():
            if resource["Type"] not in READS:
                continue
            key, read = READS[resource["Type"]]
            wanted = {a["Key"]: a["Value"] for a in resource["Properties"].get(key, [])}
            answer = read(elbv2, physical[logical_id])["Attributes"]
            got = {a["Key"]: a["Value"] for a in answer if a["Key"] in wanted}
            assert got == wanted, (lab_id, logical_id)
            checked[f"{lab_id}.{logical_id}"] = wanted
    drained = [v for v in checked.values() if "deregistration_delay.timeout_seconds" in v]
    assert drained and all(v["deregistration_delay.timeout_seconds"] == "30" for v in drained)
    assert any(v.get("routing.http.drop_invalid_header_fields.enabled") == "true"
               for v in checked.values())  # fmt: skip
