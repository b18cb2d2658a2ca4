"""``AWS::S3::BucketPolicy`` for moto's CloudFormation, backed by its s3 backend.

Written against moto 5.2.5, which has ``put_bucket_policy`` but no CloudFormation model: the
policy was skipped, and Day2Lab2's ``BucketPolicyCommand`` (``aws s3api get-bucket-policy ... &&
aws s3api get-bucket-website ...``) failed on the emulator with ``NoSuchBucketPolicy`` (a student
trial), its second half never run. Delete this module when moto models the type
(tests/test_moto_bucket_policy.py says when).

As on AWS: ``Ref`` gives the bucket's name; the template's ``PolicyDocument`` is the bucket's
policy, which ``get-bucket-policy`` answers; an update puts the new document (on another bucket:
the old one's policy is deleted), and deleting the stack deletes the policy (a bucket deleted
first took it with it).

moto enforces a bucket's policy on object requests but reads no ``Condition``: a statement with
one applies to every request. Each policy that needs TLS (``cdk bootstrap``'s staging bucket,
a lab bucket's ``enforce_ssl``: deny when ``aws:SecureTransport`` is false) then denied every
upload and download, ``cdk deploy``'s asset publishing too. :func:`install` has moto judge a
request by the policy's statements without a condition, as AWS judges a request over HTTPS that
meets none of them (the emulator's endpoint is plain HTTP: it stands for AWS's HTTPS one).
"""

from __future__ import annotations

import json
from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import MissingBucket
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from ._common import TypeModel

CLOUDFORMATION_TYPE = "AWS::S3::BucketPolicy"
#: moto's own, read before :func:`install` (tests/test_moto_bucket_policy.py runs it to tell
#: when moto reads conditions).
MOTO_GET_PERMISSION = FakeBucket.get_permission


def _backend(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


def policy_text(document: Any) -> bytes:
    """The template's ``PolicyDocument`` (an object, or its JSON text) as S3 keeps it."""
    return (document if isinstance(document, str) else json.dumps(document)).encode()


class S3BucketPolicy(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    PHYSICAL_ID = "bucket"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "S3BucketPolicy":
        bucket = properties["Bucket"]
        _backend(account_id, region_name).put_bucket_policy(
            bucket, policy_text(properties["PolicyDocument"])
        )
        return cls(bucket)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "S3BucketPolicy",
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "S3BucketPolicy":
        properties = cloudformation_json["Properties"]
        if properties["Bucket"] != original_resource.bucket:
            original_resource.delete(account_id, region_name)
        return cls.create(new_resource_name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            _backend(account_id, region_name).delete_bucket_policy(self.bucket)
        except MissingBucket:  # the bucket went first, and its policy with it
            pass


def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """moto's judgement of an object request by the bucket's policy, from the statements
    without a ``Condition`` (the module's docstring says why)."""
    if self.policy is None:
        return MOTO_GET_PERMISSION(self, action, resource)
    from moto.iam.access_control import IAMPolicy, PermissionResult

    document = json.loads(self.policy)
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if not s.get("Condition")]
    if len(kept) == len(statements):
        return MOTO_GET_PERMISSION(self, action, resource)
    if not kept:
        return PermissionResult.NEUTRAL
    # Judged on a copy: the bucket keeps its policy as put (get-bucket-policy answers it).
    return IAMPolicy(json.dumps({**document, "Statement": kept})).is_action_permitted(
        action, resource
    )


def install() -> None:
    """Judge object requests as the module's docstring says (idempotent)."""
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
