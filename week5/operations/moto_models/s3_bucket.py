"""``AWS::S3::Bucket`` as moto 5.2.5 models it, with the template's ``LifecycleConfiguration``,
``WebsiteConfiguration`` and ``PublicAccessBlockConfiguration``.

moto's model creates the bucket with its ``BucketEncryption`` and ``Tags`` alone: Day3Case's
archive bucket (rule ``ToGlacier``: to GLACIER after 30 days) answered
``get-bucket-lifecycle-configuration`` with ``NoSuchLifecycleConfiguration`` on the emulator, and
Day2Lab2's site bucket (index ``index.html``; ACLs blocked, public policies not)
``get-bucket-website`` with ``NoSuchWebsiteConfiguration`` and ``get-public-access-block`` with
``NoSuchPublicAccessBlockConfiguration``. This model is moto's, with the three put on the bucket
through moto's S3 backend (CloudFormation's shape turned into the S3 API's, which moto's backend
takes: the rules as a list, the website as the XML body of ``PutBucketWebsite``, which moto keeps
and answers as it is), at creation and at an update, which drops what the template no longer
sets; updates are otherwise moto's. The configuration's
``TransitionDefaultMinimumObjectSize`` is kept on the bucket and answered by
``get-bucket-lifecycle-configuration`` (:func:`install`): moto answers ``all_storage_classes_128K``
whatever was set (Day3Case sets ``varies_by_storage_class``, which its guide names).

Deletion is as on AWS (:meth:`S3Bucket.delete_from_cloudformation_json`): moto's keeps a bucket
that holds objects, saying nothing, and the stack's deletion ends ``DELETE_COMPLETE`` with the
bucket left (a trial: Day2Lab2's site bucket, filled by ``week5 local``'s upload or ``aws s3
sync``, stayed for ``week5 status`` to list after ``cdk destroy``). On AWS a bucket CDK tagged
``aws-cdk:auto-delete-objects`` (``autoDeleteObjects``, every lab's bucket) is emptied by its
custom resource's function first, which does not run here: such a bucket is emptied here as the
function empties it, every version and delete marker; a bucket still holding objects refuses, as
S3's ``DeleteBucket`` does (``BucketNotEmpty``), and the stack ends ``DELETE_FAILED``
(:mod:`.stack_delete_failed`); a bucket deleted by hand (``aws s3 rb``) counts as deleted, as
CloudFormation counts it (moto failed with ``NoSuchBucket``). Delete this module when moto's
model reads the properties and deletes so (tests/test_moto_models.py and
tests/test_emulator_hand_deletes.py say when).
"""

from __future__ import annotations

from typing import Any, Dict, List
from xml.etree import ElementTree

from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult
from moto.s3.exceptions import BucketNotEmpty
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.s3.responses import S3Response
from moto.utilities.utils import get_partition

from ._common import MotoOverride

CLOUDFORMATION_TYPE = "AWS::S3::Bucket"
#: The bucket's attribute holding its lifecycle's ``TransitionDefaultMinimumObjectSize`` (None:
#: S3's default, ``all_storage_classes_128K``, what moto answers).
MINIMUM_SIZE = "transition_default_minimum_object_size"
#: moto's own, read before :func:`install`.
MOTO_GET_BUCKET_LIFECYCLE = S3Response.get_bucket_lifecycle
#: The tag CDK's ``autoDeleteObjects`` puts on a bucket, whose custom resource's function empties
#: the bucket on AWS before CloudFormation deletes it.
AUTO_DELETE_TAG = {"Key": "aws-cdk:auto-delete-objects", "Value": "true"}


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


#: CloudFormation's ``RoutingRuleCondition`` and ``RedirectRule`` keys, in the S3 API's order
#: (its ``Condition`` and ``Redirect``).
_CONDITION = ("HttpErrorCodeReturnedEquals", "KeyPrefixEquals")
_REDIRECT = ("HostName", "HttpRedirectCode", "Protocol", "ReplaceKeyPrefixWith", "ReplaceKeyWith")
_S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def _element(parent: ElementTree.Element, tag: str, fields: Dict[str, Any], keys: Any) -> None:
    """``<tag>`` under ``parent`` with a child per key of ``keys`` that ``fields`` sets."""
    element = ElementTree.SubElement(parent, tag)
    for key in keys:
        if fields.get(key) is not None:
            ElementTree.SubElement(element, key).text = str(fields[key])


def website_xml(configuration: Dict[str, Any]) -> bytes:
    """The template's ``WebsiteConfiguration`` as the body of S3's ``PutBucketWebsite`` (what
    moto's ``put_bucket_website`` keeps and ``GetBucketWebsite`` answers): the index document
    (a ``Suffix``), the error document (a ``Key``), the redirect of every request, the routing
    rules."""
    root = ElementTree.Element("WebsiteConfiguration", xmlns=_S3_NAMESPACE)
    if configuration.get("ErrorDocument"):
        _element(root, "ErrorDocument", {"Key": configuration["ErrorDocument"]}, ("Key",))
    if configuration.get("IndexDocument"):
        _element(root, "IndexDocument", {"Suffix": configuration["IndexDocument"]}, ("Suffix",))
    if configuration.get("RedirectAllRequestsTo"):
        _element(
            root, "RedirectAllRequestsTo", configuration["RedirectAllRequestsTo"],
            ("HostName", "Protocol"),
        )  # fmt: skip
    if configuration.get("RoutingRules"):
        rules = ElementTree.SubElement(root, "RoutingRules")
        for cfn in configuration["RoutingRules"]:
            rule = ElementTree.SubElement(rules, "RoutingRule")
            if cfn.get("RoutingRuleCondition"):
                _element(rule, "Condition", cfn["RoutingRuleCondition"], _CONDITION)
            _element(rule, "Redirect", cfn.get("RedirectRule") or {}, _REDIRECT)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def api_public_access_block(configuration: Dict[str, Any]) -> Dict[str, bool]:
    """The template's ``PublicAccessBlockConfiguration`` as the S3 API's (what moto's
    ``put_public_access_block`` takes): a setting the template leaves out is off, as S3's
    ``PutPublicAccessBlock`` leaves it."""
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return {key: str(configuration.get(key, False)).lower() == "true" for key in keys}


def empty(backend: S3Backend, bucket: FakeBucket) -> None:
    """Delete every object of ``bucket``, each version and delete marker, as CDK's auto-delete
    function does (``ListObjectVersions``, then ``DeleteObjects`` of each version): an object
    that Object Lock keeps refuses (``AccessDenied``), as it refuses the function."""
    for key_name in list(bucket.keys):
        if not bucket.is_versioned:  # moto drops every version of the key at once
            backend.delete_object(bucket.name, key_name)
            continue
        for version in list(bucket.keys.getlist(key_name)):
            backend.delete_object(bucket.name, key_name, version_id=str(version.version_id))


class S3Bucket(MotoOverride, CloudFormationModel):
    MOTO_MODEL = FakeBucket

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """The stack's deletion of the bucket ``resource_name``, as the module's docstring
        says: gone already, nothing; tagged for auto-delete, emptied; then deleted, or
        ``BucketNotEmpty``."""
        backend = s3_backends[account_id][get_partition(region_name)]
        bucket = backend.buckets.get(resource_name)
        if bucket is None:
            return
        if AUTO_DELETE_TAG in backend.tagger.list_tags_for_resource(bucket.arn)["Tags"]:
            empty(backend, bucket)
        if bucket.keys:
            raise BucketNotEmpty(resource_name)
        backend.delete_bucket(resource_name)

    @classmethod
    def created(
        cls, resource: FakeBucket, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> FakeBucket:
        backend = s3_backends[account_id][get_partition(region_name)]
        lifecycle = properties.get("LifecycleConfiguration") or {}
        rules = api_rules(lifecycle)
        setattr(resource, MINIMUM_SIZE, lifecycle.get("TransitionDefaultMinimumObjectSize"))
        if rules:
            backend.put_bucket_lifecycle(resource.name, rules)
        elif resource.rules:  # an update that drops the configuration drops the rules
            backend.delete_bucket_lifecycle(resource.name)
        if properties.get("WebsiteConfiguration"):
            backend.put_bucket_website(
                resource.name, website_xml(properties["WebsiteConfiguration"])
            )
        elif resource.website_configuration:
            backend.delete_bucket_website(resource.name)
        if properties.get("PublicAccessBlockConfiguration") is not None:
            backend.put_public_access_block(
                resource.name, api_public_access_block(properties["PublicAccessBlockConfiguration"])
            )
        elif resource.public_access_block:
            backend.delete_public_access_block(resource.name)
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


def get_bucket_lifecycle(self: S3Response) -> Any:
    """moto's ``GetBucketLifecycleConfiguration``, with the minimum object size the bucket's
    template set (moto's answer, S3's default, when it set none)."""
    bucket = self.backend.buckets.get(self.bucket_name)
    size = getattr(bucket, MINIMUM_SIZE, None)
    if not size:
        return MOTO_GET_BUCKET_LIFECYCLE(self)
    serialized = self.serialized

    def with_size(result: ActionResult) -> Any:
        answer = result.result
        if isinstance(answer, dict) and "TransitionDefaultMinimumObjectSize" in answer:
            answer["TransitionDefaultMinimumObjectSize"] = size
        return serialized(result)

    self.serialized = with_size  # type: ignore[method-assign]
    try:
        return MOTO_GET_BUCKET_LIFECYCLE(self)
    finally:
        del self.serialized


def install() -> None:
    """Answer the minimum object size as the module's docstring says (idempotent)."""
    S3Response.get_bucket_lifecycle = get_bucket_lifecycle  # type: ignore[method-assign]
