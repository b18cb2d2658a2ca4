"""What a stack left DELETE_FAILED lists is what AWS lists, and reading it makes nothing again
(stack_delete_failed); a bucket's lifecycle answers the template's
``TransitionDefaultMinimumObjectSize`` (s3_bucket); cleanup's stack index leaves out what
CloudFormation already deleted (cleanup/stacks.py ``resources``).

A student re-trial: after ``cdk destroy`` ended DELETE_FAILED (a hand-made instance in a lab
subnet), ``aws cloudformation list-stack-resources`` made again every resource the deletion had
deleted (instances, security groups, a subnet, ...), and cleanup's stack line named them "not
found with the day's tags, so not priced". Each through boto3 against an in-process moto with
the package loaded (tests/moto_in_process.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import moto_in_process
from moto_in_process import AMI, REGION

from week5.operations.cleanup import stacks as cleanup_stacks

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

NAME = "week5-day4-lab1"
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day4"}]

#: A lab's network with two instances and two security groups: the subnet ``Lab`` is the one a
#: hand-made instance holds, ``Other`` goes with the rest.
RESOURCES: Dict[str, Any] = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Lab": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": f"{REGION}a",
        },
    },
    "Other": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.2.0/24",
            "AvailabilityZone": f"{REGION}b",
        },
    },
    "Web": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "web", "VpcId": {"Ref": "Vpc"}},
    },
    "Db": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "db", "VpcId": {"Ref": "Vpc"}},
    },
    "HostA": {
        "Type": "AWS::EC2::Instance",
        "Properties": {
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "SubnetId": {"Ref": "Other"},
        },
    },
    "HostB": {
        "Type": "AWS::EC2::Instance",
        "Properties": {
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "SubnetId": {"Ref": "Other"},
        },
    },
}
OUTPUTS = {
    "WebGroup": {"Value": {"Ref": "Web"}},
    "HostIp": {"Value": {"Fn::GetAtt": ["HostA", "PrivateIp"]}},
}


def failed_deletion(aws) -> Dict[str, str]:
    """The stack deployed, an instance launched by hand in its subnet ``Lab``, the stack's
    deletion asked (it ends DELETE_FAILED); the stack's physical ids by logical id, as deployed."""
    cfn = aws("cloudformation")
    cfn.create_stack(
        StackName=NAME,
        TemplateBody=json.dumps({"Resources": RESOURCES, "Outputs": OUTPUTS}),
        Tags=TAGS,
    )
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=NAME)["StackResourceSummaries"]
    }
    aws("ec2").run_instances(
        ImageId=AMI,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=physical["Lab"],
    )
    cfn.delete_stack(StackName=NAME)
    (stack,) = cfn.describe_stacks(StackName=NAME)["Stacks"]
    assert stack["StackStatus"] == "DELETE_FAILED"
    return physical


def counts(aws) -> Dict[str, int]:
    """What EC2 holds: running instances, security groups (the default VPC's and the lab's),
    subnets."""
    ec2 = aws("ec2")
    running = [
        i
        for r in ec2.describe_instances(
            Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}]
        )["Reservations"]
        for i in r["Instances"]
    ]
    return {
        "instances": len(running),
        "groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
    }


def read_everything(aws) -> None:
    """Every read of the stack a student or cleanup makes."""
    cfn = aws("cloudformation")
    cfn.list_stack_resources(StackName=NAME)
    cfn.describe_stack_resources(StackName=NAME)
    cfn.describe_stacks(StackName=NAME)
    cfn.describe_stack_resource(StackName=NAME, LogicalResourceId="Lab")


def test_reading_a_delete_failed_stack_makes_nothing_again(aws):
    failed_deletion(aws)
    before = counts(aws)
    # the deletion went through: the two instances terminated, both groups and Other gone
    assert before["instances"] == 1  # the hand-made one
    read_everything(aws)
    read_everything(aws)
    assert counts(aws) == before


def statuses(summaries: List[Dict[str, Any]]) -> Dict[str, str]:
    return {r["LogicalResourceId"]: r["ResourceStatus"] for r in summaries}


def test_what_the_failed_deletion_deleted_is_listed_delete_complete(aws):
    physical = failed_deletion(aws)
    cfn = aws("cloudformation")
    summaries = cfn.list_stack_resources(StackName=NAME)["StackResourceSummaries"]
    listed = statuses(summaries)
    deleted = {"Other", "Web", "Db", "HostA", "HostB"}
    assert set(listed) == set(RESOURCES)
    assert {k for k, v in listed.items() if v == "DELETE_COMPLETE"} == deleted
    # what is left reads DELETE_FAILED, as DescribeStackResources has it (re-trial R4)
    assert {v for k, v in listed.items() if k not in deleted} == {"DELETE_FAILED"}
    # each with the physical id and type it had
    for r in summaries:
        assert r["PhysicalResourceId"] == physical[r["LogicalResourceId"]]
        assert r["ResourceType"] == RESOURCES[r["LogicalResourceId"]]["Type"]
    described = cfn.describe_stack_resources(StackName=NAME)["StackResources"]
    assert {
        k for k, v in statuses(described).items() if v == "DELETE_COMPLETE"
    } == deleted
    assert {r["PhysicalResourceId"] for r in described} == set(physical.values())
    (one,) = cfn.describe_stack_resources(StackName=NAME, LogicalResourceId="HostA")[
        "StackResources"
    ]
    assert (one["ResourceStatus"], one["PhysicalResourceId"]) == (
        "DELETE_COMPLETE",
        physical["HostA"],
    )


def test_delete_failed_stack_says_why(aws):
    failed_deletion(aws)
    (stack,) = aws("cloudformation").describe_stacks(StackName=NAME)["Stacks"]
    reason = stack.get("StackStatusReason") or ""
    assert reason.startswith("The following resource(s) failed to delete: ["), stack
    assert "Lab" in reason and "Vpc" in reason and "HostA" not in reason


def test_a_retry_after_the_instance_went_deletes_the_rest(aws):
    physical = failed_deletion(aws)
    ec2 = aws("ec2")
    (mine,) = [
        i["InstanceId"]
        for r in ec2.describe_instances(
            Filters=[{"Name": "subnet-id", "Values": [physical["Lab"]]}]
        )["Reservations"]
        for i in r["Instances"]
    ]
    ec2.terminate_instances(InstanceIds=[mine])
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=NAME)
    assert not [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] == NAME]
    assert (
        ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [physical["Vpc"]]}])[
            "Vpcs"
        ]
        == []
    )
    assert counts(aws)["instances"] == 0


# --- cleanup's index of the stacks' resources -------------------------------------------------


class Scope:
    """What cleanup's ``resources`` reads through: the clients' pages, no cache."""

    def __init__(self, aws) -> None:
        self.aws = aws

    def each(self, service: str, operation: str, key: str, **request: Any):
        client = self.aws(service)
        if client.can_paginate(operation):
            for page in client.get_paginator(operation).paginate(**request):
                yield from page.get(key, [])
        else:
            yield from getattr(client, operation)(**request).get(key, [])

    def cached(self, name: str, read):
        return read()


def test_cleanups_index_leaves_out_what_cloudformation_deleted(aws, monkeypatch):
    physical = failed_deletion(aws)
    (stack,) = aws("cloudformation").describe_stacks(StackName=NAME)["Stacks"]
    monkeypatch.setattr(cleanup_stacks, "all_stacks", lambda scope: {NAME: stack})
    index = cleanup_stacks.resources(Scope(aws))
    assert set(index) == {physical["Vpc"], physical["Lab"]}
    assert index[physical["Lab"]] == [("AWS::EC2::Subnet", NAME)]


# --- a bucket's lifecycle's minimum object size -----------------------------------------------


def bucket_stack(aws, configuration: Dict[str, Any]) -> Dict[str, Any]:
    cfn = aws("cloudformation")
    cfn.create_stack(
        StackName="week5-day3-case",
        TemplateBody=json.dumps(
            {
                "Resources": {
                    "Archive": {
                        "Type": "AWS::S3::Bucket",
                        "Properties": {
                            "BucketName": "week5-archive",
                            "LifecycleConfiguration": configuration,
                        },
                    }
                }
            }
        ),
    )
    return aws("s3").get_bucket_lifecycle_configuration(Bucket="week5-archive")


RULES = [
    {
        "Id": "ToGlacier",
        "Status": "Enabled",
        "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
    }
]


def test_the_templates_minimum_object_size_is_answered(aws):
    answer = bucket_stack(
        aws,
        {
            "Rules": RULES,
            "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
        },
    )
    assert answer["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert [r["ID"] for r in answer["Rules"]] == ["ToGlacier"]


def test_without_it_s3s_default_is_answered(aws):
    answer = bucket_stack(aws, {"Rules": RULES})
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


# --- moto alone (delete the patches when these fail) ------------------------------------------


def test_moto_alone_still_lists_every_resource_create_complete(aws, monkeypatch):
    from moto.cloudformation.responses import CloudFormationResponse

    from week5.operations.moto_models import stack_delete_failed as patch

    monkeypatch.setattr(
        CloudFormationResponse, "list_stack_resources", patch.MOTO_LIST_STACK_RESOURCES
    )
    failed_deletion(aws)
    listed = statuses(
        aws("cloudformation").list_stack_resources(StackName=NAME)[
            "StackResourceSummaries"
        ]
    )
    assert set(listed.values()) == {"CREATE_COMPLETE"}


def test_moto_alone_still_answers_128k_whatever_the_template_set(aws, monkeypatch):
    from moto.s3.responses import S3Response

    from week5.operations.moto_models import s3_bucket as patch

    monkeypatch.setattr(
        S3Response, "get_bucket_lifecycle", patch.MOTO_GET_BUCKET_LIFECYCLE
    )
    answer = bucket_stack(
        aws,
        {
            "Rules": RULES,
            "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
        },
    )
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
