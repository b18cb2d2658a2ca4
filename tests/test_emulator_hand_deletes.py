"""What a student deletes by hand, and what a stack's buckets hold, do not keep the emulator's
``cdk destroy`` from deleting the stack, as on AWS (week5/operations/moto_models): a launch
template, a security group and an instance already gone count as deleted (launch_template_gone,
ec2_security_group_gone, ec2_instance_terminated), as do a key pair and a secret; a bucket CDK
tagged for auto-delete is emptied first, one without the tag that holds objects is refused
(BucketNotEmpty, the stack DELETE_FAILED) and one deleted by hand counts as deleted (s3_bucket).

Each through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_refusals.py does; each ``test_moto_alone_still_...`` puts moto's own code back
and fails when moto no longer needs the module (delete the module then).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, Callable, Dict, List

import pytest
import moto_in_process
from moto_in_process import AMI, REGION, error, listed

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

#: The instructor's trial: student jung's Day1Lab1.
STACK = "week5-jung-Day1Lab1"
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Lab1"}]

#: Day1Lab1's shape: a web host launched with an IMDSv2 launch template, in its own security
#: group, with a key pair and a secret beside it.
DAY1_LAB1: Dict[str, Any] = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Public": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.0.0/24",
            "AvailabilityZone": f"{REGION}a",
        },
    },
    "WebGroup": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "week5-day1-web", "VpcId": {"Ref": "Vpc"}},
    },
    "Imdsv2": {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}},
    },
    "SshKey": {
        "Type": "AWS::EC2::KeyPair",
        "Properties": {"KeyName": "week5-jung-Day1Lab1-SshKey", "KeyType": "rsa"},
    },
    "DbPassword": {
        "Type": "AWS::SecretsManager::Secret",
        "DeletionPolicy": "Delete",
        "Properties": {"GenerateSecretString": {"PasswordLength": 32}},
    },
    "Web": {
        "Type": "AWS::EC2::Instance",
        "Properties": {
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "KeyName": {"Ref": "SshKey"},
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Imdsv2"},
                "Version": {"Fn::GetAtt": ["Imdsv2", "LatestVersionNumber"]},
            },
            "NetworkInterfaces": [
                {
                    "AssociatePublicIpAddress": True,
                    "DeviceIndex": "0",
                    "GroupSet": [{"Fn::GetAtt": ["WebGroup", "GroupId"]}],
                    "SubnetId": {"Ref": "Public"},
                }
            ],
        },
    },
}


#: ``lab_stack(aws, resources, name=STACK)``: the stack made, tagged :data:`TAGS`
#: (tests/moto_in_process.py).
lab_stack = functools.partial(moto_in_process.lab_stack, name=STACK, tags=TAGS)


#: How the student deleted each by hand (the console's or the AWS CLI's call).
BY_HAND: Dict[str, Callable[[Any, Dict[str, str]], Any]] = {
    "Web": lambda aws, p: aws("ec2").terminate_instances(InstanceIds=[p["Web"]]),
    "WebGroup": lambda aws, p: aws("ec2").delete_security_group(GroupId=p["WebGroup"]),
    "SshKey": lambda aws, p: aws("ec2").delete_key_pair(KeyName=p["SshKey"]),
    "DbPassword": lambda aws, p: aws("secretsmanager").delete_secret(SecretId=p["DbPassword"]),
    "Imdsv2": lambda aws, p: aws("ec2").delete_launch_template(LaunchTemplateId=p["Imdsv2"]),
}


def delete_by_hand(aws, physical: Dict[str, str], names: List[str]) -> None:
    for name in names:
        BY_HAND[name](aws, physical)


def test_destroy_after_the_trials_hand_deletes_deletes_the_stack(aws):
    """The instructor's trial: the instance, its security group, the key pair, the secret and the
    launch template deleted by hand, in that order; then ``cdk destroy`` (moto: DELETE_FAILED,
    "The request must contain the parameter launch template ID or launch template name")."""
    physical = lab_stack(aws, DAY1_LAB1)
    delete_by_hand(aws, physical, ["Web", "WebGroup", "SshKey", "DbPassword", "Imdsv2"])
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    ec2 = aws("ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [physical["Vpc"]]}])[
        "Vpcs"
    ] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []


@pytest.mark.parametrize("gone", ["Web", "WebGroup", "Imdsv2"])
def test_each_kind_gone_alone_counts_as_deleted(aws, gone):
    physical = lab_stack(aws, DAY1_LAB1)
    if gone == "WebGroup":  # AWS refuses to delete a group in use: the instance went first
        delete_by_hand(aws, physical, ["Web"])
    delete_by_hand(aws, physical, [gone])
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []


def test_a_launch_template_made_again_by_hand_under_the_name_stays(aws):
    """The stack deletes its own template (its id), not another named alike."""
    physical = lab_stack(aws, DAY1_LAB1)
    ec2 = aws("ec2")
    (template,) = ec2.describe_launch_templates(LaunchTemplateIds=[physical["Imdsv2"]])[
        "LaunchTemplates"
    ]
    ec2.delete_launch_template(LaunchTemplateId=physical["Imdsv2"])
    again = ec2.create_launch_template(
        LaunchTemplateName=template["LaunchTemplateName"], LaunchTemplateData={}
    )["LaunchTemplate"]["LaunchTemplateId"]
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    assert [t["LaunchTemplateId"] for t in ec2.describe_launch_templates()["LaunchTemplates"]] == [
        again
    ]


def test_terminate_instances_again_answers_terminated(aws):
    """AWS answers a second ``terminate-instances`` (moto: "The networkInterface ID 'eni-..' does
    not exist")."""
    physical = lab_stack(aws, DAY1_LAB1)
    ec2 = aws("ec2")
    ec2.terminate_instances(InstanceIds=[physical["Web"]])
    (answer,) = ec2.terminate_instances(InstanceIds=[physical["Web"]])["TerminatingInstances"]
    assert answer["PreviousState"]["Name"] == "terminated"
    (reservation,) = ec2.describe_instances(InstanceIds=[physical["Web"]])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "terminated"


@pytest.mark.parametrize(
    "gone, module, owner, attribute, message",
    [
        (
            "Imdsv2",
            "launch_template_gone",
            "moto.ec2.models.launch_templates.LaunchTemplate",
            "delete",
            "The request must contain the parameter launch template ID or launch template name",
        ),
        (
            "WebGroup",
            "ec2_security_group_gone",
            "moto.ec2.models.security_groups.SecurityGroup",
            "delete",
            "The security group '{WebGroup}' does not exist",
        ),
        (
            "Web",
            "ec2_instance_terminated",
            "moto.ec2.models.instances.Instance",
            "terminate",
            "The networkInterface ID 'eni-",
        ),
    ],
)
def test_moto_alone_still_fails_the_destroy(
    aws, monkeypatch, gone, module, owner, attribute, message
):
    patch = importlib.import_module(f"week5.operations.moto_models.{module}")
    path, _, name = owner.rpartition(".")
    moto_class = getattr(importlib.import_module(path), name)
    monkeypatch.setattr(moto_class, attribute, getattr(patch, f"MOTO_{attribute.upper()}"))
    physical = lab_stack(aws, DAY1_LAB1)
    if gone == "WebGroup":
        delete_by_hand(aws, physical, ["Web"])
    delete_by_hand(aws, physical, [gone])
    aws("cloudformation").delete_stack(StackName=STACK)
    (stack,) = listed(aws, STACK)
    assert stack["StackStatus"] == "DELETE_FAILED"
    # moto's refusal is the resource's own reason (the stack's names what failed)
    (failed,) = [
        r
        for r in aws("cloudformation").list_stack_resources(StackName=STACK)[
            "StackResourceSummaries"
        ]
        if r["LogicalResourceId"] == gone
    ]
    assert failed["ResourceStatus"] == "DELETE_FAILED"
    assert message.format(**physical) in failed["ResourceStatusReason"]


# --- a stack's bucket that holds objects ------------------------------------------------------

#: The tag CDK's ``autoDeleteObjects`` puts on a bucket (every lab's bucket carries it).
AUTO_DELETE = {"Key": "aws-cdk:auto-delete-objects", "Value": "true"}


def bucket_stack(aws, tags: List[Dict[str, str]], versioned: bool = False) -> str:
    """A stack of one bucket (Day2Lab2's site bucket's shape); the bucket's name."""
    resources = {
        "SiteBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {"Tags": tags},
        }
    }
    bucket = lab_stack(aws, resources, name="week5-kim-Day2Lab2")["SiteBucket"]
    if versioned:  # no lab's bucket is versioned (nor does moto's model read the property)
        aws("s3").put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    return bucket


def fill(aws, bucket: str) -> None:
    """What ``week5 local``'s upload and a step's ``aws s3 sync`` put there."""
    s3 = aws("s3")
    for key, body in (("index.html", b"<h1>v1</h1>"), ("index.html", b"<h1>v2</h1>"),
                      ("style.css", b"h1 {}"), ("old.txt", b"x")):  # fmt: skip
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    s3.delete_object(Bucket=bucket, Key="old.txt")  # versioned: a delete marker


def buckets(aws) -> List[str]:
    return [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


@pytest.mark.parametrize("versioned", [False, True], ids=["plain", "versioned"])
def test_an_auto_delete_bucket_holding_objects_is_emptied_and_deleted(aws, versioned):
    """A trial: Day2Lab2's site bucket, filled by the upload, stayed after ``cdk destroy`` (the
    stack gone), where on AWS the auto-delete function empties it first."""
    bucket = bucket_stack(aws, [AUTO_DELETE, *TAGS], versioned=versioned)
    fill(aws, bucket)
    if versioned:
        versions = aws("s3").list_object_versions(Bucket=bucket)
        assert len(versions["Versions"]) == 4 and len(versions["DeleteMarkers"]) == 1
    aws("cloudformation").delete_stack(StackName="week5-kim-Day2Lab2")
    assert listed(aws, "week5-kim-Day2Lab2") == []
    assert bucket not in buckets(aws)


def test_a_bucket_without_the_tag_holding_objects_fails_the_delete_as_on_aws(aws):
    """S3 refuses to delete a bucket that holds objects (moto kept it, saying nothing, the stack
    deleted); emptied, the next destroy deletes it."""
    bucket = bucket_stack(aws, TAGS)
    aws("s3").put_object(Bucket=bucket, Key="index.html", Body=b"x")
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName="week5-kim-Day2Lab2")
    (stack,) = listed(aws, "week5-kim-Day2Lab2")
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == (
        "The following resource(s) failed to delete: [SiteBucket]. "
    )
    (resource,) = cfn.list_stack_resources(StackName="week5-kim-Day2Lab2")[
        "StackResourceSummaries"
    ]
    assert (resource["ResourceStatus"], resource["ResourceStatusReason"]) == (
        "DELETE_FAILED",
        "The bucket you tried to delete is not empty",
    )
    assert [o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket)["Contents"]] == [
        "index.html"
    ]
    aws("s3").delete_object(Bucket=bucket, Key="index.html")
    cfn.delete_stack(StackName="week5-kim-Day2Lab2")
    assert listed(aws, "week5-kim-Day2Lab2") == []
    assert bucket not in buckets(aws)


def test_a_bucket_deleted_by_hand_counts_as_deleted(aws):
    """``aws s3 rb s3://BUCKET --force`` before the destroy (moto: DELETE_FAILED,
    NoSuchBucket)."""
    bucket = bucket_stack(aws, [AUTO_DELETE])
    aws("s3").delete_bucket(Bucket=bucket)
    aws("cloudformation").delete_stack(StackName="week5-kim-Day2Lab2")
    assert listed(aws, "week5-kim-Day2Lab2") == []


def test_an_object_lock_keeps_the_bucket_as_it_keeps_the_function(aws):
    """The auto-delete function cannot delete a locked version: the stack's deletion fails."""
    bucket = bucket_stack(aws, [AUTO_DELETE])
    s3 = aws("s3")
    s3.delete_bucket(Bucket=bucket)  # Object Lock is set at the bucket's creation
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [AUTO_DELETE]})
    s3.put_object(
        Bucket=bucket,
        Key="kept.txt",
        Body=b"x",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate="2100-01-01T00:00:00Z",
    )
    aws("cloudformation").delete_stack(StackName="week5-kim-Day2Lab2")
    (stack,) = listed(aws, "week5-kim-Day2Lab2")
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert bucket in buckets(aws)


def test_moto_alone_still_keeps_a_filled_bucket_and_deletes_the_stack(aws, monkeypatch):
    from week5.operations.moto_models._common import MotoDeletion
    from week5.operations.moto_models.s3_bucket import S3Bucket

    monkeypatch.setattr(
        S3Bucket,
        "delete_from_cloudformation_json",
        MotoDeletion.__dict__["delete_from_cloudformation_json"],
    )
    bucket = bucket_stack(aws, [AUTO_DELETE])
    fill(aws, bucket)
    aws("cloudformation").delete_stack(StackName="week5-kim-Day2Lab2")
    assert listed(aws, "week5-kim-Day2Lab2") == []
    assert bucket in buckets(aws)
    assert error(lambda: aws("s3").delete_bucket(Bucket=bucket))[0] == "BucketNotEmpty"
