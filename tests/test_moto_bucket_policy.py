"""``AWS::S3::BucketPolicy`` on the emulator (week5/operations/moto_models/s3_bucket_policy.py),
through CloudFormation on an in-process moto: the policy is the bucket's (Day2Lab2's
``BucketPolicyCommand`` answers), an update replaces it, the stack's deletion deletes it, and a
policy that needs TLS (``cdk bootstrap``'s, a lab bucket's ``enforce_ssl``) no longer denies every
object request. The last tests fail when moto models the type or reads conditions: delete the
module then.
"""

from __future__ import annotations

import json
import sys
from types import ModuleType
from typing import Any, Dict

import moto_in_process
from botocore.exceptions import ClientError
from moto_in_process import REGION, error

from week5.operations.moto_models import load

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

TYPE = "AWS::S3::BucketPolicy"
STACK = "bucket-policy"
BUCKET_ARN = {"Fn::GetAtt": ["Site", "Arn"]}
OBJECTS_ARN = {"Fn::Join": ["", [BUCKET_ARN, "/*"]]}
#: Day2Lab2's statement: anyone may read the site's files.
PUBLIC_READ = {"Action": "s3:GetObject", "Effect": "Allow", "Principal": {"AWS": "*"},
               "Resource": OBJECTS_ARN}  # fmt: skip
#: A lab bucket's ``enforce_ssl`` (and ``cdk bootstrap``'s staging bucket's): plain HTTP denied.
TLS_ONLY = {"Action": "s3:*", "Effect": "Deny", "Principal": {"AWS": "*"},
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Resource": [BUCKET_ARN, OBJECTS_ARN]}  # fmt: skip


def model_module() -> ModuleType:
    """The type's model module, as the emulator's server loads it (KeyError: none)."""
    return sys.modules[load()[TYPE].__module__]


def template(*statements: Dict[str, Any], policy: bool = True) -> str:
    resources: Dict[str, Any] = {"Site": {"Type": "AWS::S3::Bucket"}}
    outputs = {"Bucket": {"Value": {"Ref": "Site"}}}
    if policy:
        resources["SitePolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Site"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            },
        }
        outputs["Policy"] = {"Value": {"Ref": "SitePolicy"}}
    return json.dumps({"Resources": resources, "Outputs": outputs})


def create(aws, body: str) -> Dict[str, str]:
    """Create the stack; returns its outputs."""
    cfn = aws("cloudformation")
    cfn.create_stack(StackName=STACK, TemplateBody=body)
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    resources = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in resources} >= {"Site"}
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def policy_of(aws, bucket: str) -> Dict[str, Any]:
    return json.loads(aws("s3").get_bucket_policy(Bucket=bucket)["Policy"])


def test_the_policy_is_the_buckets_an_update_replaces_it_and_deletion_deletes_it(aws):
    """A student trial: Day2Lab2's `aws s3api get-bucket-policy` failed with
    NoSuchBucketPolicy on the emulator, which skipped the policy."""
    assert model_module().__name__.endswith(".s3_bucket_policy")
    outputs = create(aws, template(PUBLIC_READ))
    bucket = outputs["Bucket"]
    assert outputs["Policy"] == bucket  # Ref gives the bucket's name, as on AWS
    (statement,) = policy_of(aws, bucket)["Statement"]
    assert statement["Action"] == "s3:GetObject" and statement["Principal"] == {"AWS": "*"}
    assert statement["Resource"] == f"arn:aws:s3:::{bucket}/*"
    cfn = aws("cloudformation")
    cfn.update_stack(StackName=STACK, TemplateBody=template(PUBLIC_READ, TLS_ONLY))
    assert [s["Effect"] for s in policy_of(aws, bucket)["Statement"]] == ["Allow", "Deny"]
    cfn.update_stack(StackName=STACK, TemplateBody=template(policy=False))
    assert error(lambda: aws("s3").get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"
    cfn.delete_stack(StackName=STACK)
    assert error(lambda: aws("s3").head_bucket(Bucket=bucket))[0] == "404"


def test_a_policy_that_needs_tls_lets_the_emulators_requests_through(aws):
    """moto reads no condition: the TLS statement denied every upload (the bootstrap bucket's
    too, which `cdk deploy` publishes assets to)."""
    bucket = create(aws, template(PUBLIC_READ, TLS_ONLY))["Bucket"]
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>CloudMart</h1>")
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"<h1>CloudMart</h1>"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["index.html"]


def test_a_statement_without_a_condition_is_still_enforced(aws):
    deny_uploads = {"Action": "s3:PutObject", "Effect": "Deny", "Principal": {"AWS": "*"},
                    "Resource": OBJECTS_ARN}  # fmt: skip
    bucket = create(aws, template(TLS_ONLY, deny_uploads))["Bucket"]
    try:
        aws("s3").put_object(Bucket=bucket, Key="index.html", Body=b"x")
    except ClientError as caught:
        assert caught.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    else:
        raise AssertionError("an unconditional Deny let the upload through")


def test_moto_alone_still_lacks_the_type_and_reads_no_condition(aws):
    from moto.core.common_models import CloudFormationModel
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import s3_backends

    own = [c for c in CloudFormationModel.__subclasses__()
           if c.__module__.startswith("moto.") and c.cloudformation_type() == TYPE]
    assert not own, "moto now models AWS::S3::BucketPolicy: delete moto_models/s3_bucket_policy"
    aws("s3").create_bucket(Bucket="plain", CreateBucketConfiguration={
        "LocationConstraint": REGION})  # fmt: skip
    bucket = s3_backends["123456789012"]["aws"].get_bucket("plain")
    tls = {**TLS_ONLY, "Resource": ["arn:aws:s3:::plain", "arn:aws:s3:::plain/*"]}
    bucket.policy = json.dumps({"Version": "2012-10-17", "Statement": [tls]}).encode()
    judged = model_module().MOTO_GET_PERMISSION(bucket, "s3:PutObject", "arn:aws:s3:::plain/x")
    assert judged == PermissionResult.DENIED, "moto now reads conditions: drop install()"
