"""``AWS::S3::Bucket`` as moto 5.2.5 models it, with the template's ``LifecycleConfiguration``.

moto's model creates the bucket with its ``BucketEncryption`` and ``Tags`` alone: Day3Case's
archive bucket (rule ``ToGlacier``: to GLACIER after 30 days) answered
``get-bucket-lifecycle-configuration`` with ``NoSuchLifecycleConfiguration`` on the emulator.
This model is moto's, with the template's rules (CloudFormation's shape turned into the S3 API's,
which moto's backend takes) put on the bucket through moto's S3 backend, at creation and at an
update; updates and deletion are otherwise moto's. Delete this module when moto's model reads the
property (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List

from moto.core.common_models import CloudFormationModel
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from ._common import MotoDeletion

CLOUDFORMATION_TYPE = "AWS::S3::Bucket"


def _transition(cfn: Dict[str, Any], days_key: str) -> Dict[str, Any]:
    api = {"StorageClass": cfn["StorageClass"]}
    if cfn.get(days_key) is not None:
        api["Days"] = int(cfn[days_key])
    if cfn.get("TransitionDate") is not None:
        api["Date"] = cfn["TransitionDate"]
    return api


def api_rules(configuration: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The template's ``LifecycleConfiguration`` as the S3 API's rules (what moto's
    ``put_bucket_lifecycle`` takes). CloudFormation's rule without a prefix or tag filter covers
    every object: moto's backend refuses a rule with neither, so it gets an empty prefix filter,
    as AWS stores it."""
    rules = []
    for cfn in configuration.get("Rules") or []:
        rule: Dict[str, Any] = {"Status": cfn["Status"]}
        if cfn.get("Id"):
            rule["ID"] = cfn["Id"]
        tags = [{"Key": t["Key"], "Value": str(t["Value"])} for t in cfn.get("TagFilters") or []]
        prefix = cfn.get("Prefix") or ""
        if len(tags) > 1 or (tags and prefix):
            rule["Filter"] = {"And": {"Prefix": prefix, "Tag": tags}}
        elif tags:
            rule["Filter"] = {"Tag": tags[0]}
        else:
            rule["Filter"] = {"Prefix": prefix}
        expiration: Dict[str, Any] = {}
        if cfn.get("ExpirationInDays") is not None:
            expiration["Days"] = int(cfn["ExpirationInDays"])
        if cfn.get("ExpirationDate") is not None:
            expiration["Date"] = cfn["ExpirationDate"]
        if cfn.get("ExpiredObjectDeleteMarker") is not None:
            expiration["ExpiredObjectDeleteMarker"] = cfn["ExpiredObjectDeleteMarker"]
        if expiration:
            rule["Expiration"] = expiration
        transitions = list(cfn.get("Transitions") or []) + (
            [cfn["Transition"]] if cfn.get("Transition") else []
        )
        if transitions:
            rule["Transition"] = [_transition(t, "TransitionInDays") for t in transitions]
        noncurrent_days = (cfn.get("NoncurrentVersionExpiration") or {}).get(
            "NoncurrentDays", cfn.get("NoncurrentVersionExpirationInDays")
        )
        if noncurrent_days is not None:
            rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(noncurrent_days)}
        noncurrent = list(cfn.get("NoncurrentVersionTransitions") or []) + (
            [cfn["NoncurrentVersionTransition"]] if cfn.get("NoncurrentVersionTransition") else []
        )
        if noncurrent:
            rule["NoncurrentVersionTransition"] = [
                {
                    "StorageClass": t["StorageClass"],
                    "NoncurrentDays": int(t["TransitionInDays"]),
                    **(
                        {"NewerNoncurrentVersions": int(t["NewerNoncurrentVersions"])}
                        if t.get("NewerNoncurrentVersions") is not None
                        else {}
                    ),
                }
                for t in noncurrent
            ]
        abort = cfn.get("AbortIncompleteMultipartUpload")
        if abort:
            rule["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(abort["DaysAfterInitiation"])
            }
        rules.append(rule)
    return rules


class S3Bucket(MotoDeletion, CloudFormationModel):
    MOTO_MODEL = FakeBucket

    @classmethod
    def created(
        cls, resource: FakeBucket, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> FakeBucket:
        backend = s3_backends[account_id][get_partition(region_name)]
        rules = api_rules(properties.get("LifecycleConfiguration") or {})
        if rules:
            backend.put_bucket_lifecycle(resource.name, rules)
        elif resource.rules:  # an update that drops the configuration drops the rules
            backend.delete_bucket_lifecycle(resource.name)
        return resource

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: FakeBucket,
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> FakeBucket:
        bucket = FakeBucket.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        return cls.created(bucket, cloudformation_json["Properties"], account_id, region_name)
