"""``AWS::CloudFront::Distribution`` for moto's CloudFormation, backed by its cloudfront backend.

Written against moto 5.2.5, which has ``create_distribution`` but no CloudFormation model: the
distribution was skipped, and a ``Fn::GetAtt ... DomainName`` on it (outputs, user data) stopped
the deploy. Delete this module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` and ``Fn::GetAtt Id`` give the distribution's id, ``DomainName`` its
``*.cloudfront.net`` name. The template's ``DistributionConfig`` is CloudFormation's shape
(plain lists, ``IPV6Enabled``, ``AcmCertificateArn``); the backend takes the API's
(``{"Quantity", "Items"}``, ``IsIPV6Enabled``, ``ACMCertificateArn``), so the model converts.
Deleting the stack deletes the distribution, enabled or not, as CloudFormation does; one the
student already deleted (disabled, then deleted) counts as deleted, as on AWS (moto's lookup
raised ``NoSuchDistribution``: the stack ended ``DELETE_FAILED``, "The specified distribution
does not exist.").

moto's ``DeleteDistribution`` deleted an enabled distribution and took any ``If-Match``, and its
``UpdateDistribution`` kept the ETag: ``aws cloudfront delete-distribution`` succeeded on the
emulator where AWS refuses until the distribution is disabled. :func:`install` makes the API's
deletion refuse as AWS does: ``InvalidIfMatchVersion`` (400) without an ``If-Match``,
``PreconditionFailed`` (412) when it is not the distribution's ETag, ``DistributionNotDisabled``
(409) while it is enabled; and an update refuse a stale ``If-Match`` (``PreconditionFailed``) and
give the distribution a new ETag, so the ETag a deletion needs is the one the disabling update
returned. (AWS also refuses until the disabling is deployed; moto's status is ``Deployed`` at the
update's own reply, so that is not modelled.) Delete this too when moto does so
(tests/test_emulator_nat_cloudfront.py says when).

moto's ``Origin`` also dropped an origin's ``OriginAccessControlId`` and its ``S3OriginConfig``:
``aws cloudfront get-distribution`` of Day2Case's distribution showed its S3 origin with neither,
though the template gives both (a student trial): nothing said the bucket is reached through an
origin access control. :func:`install` keeps them as AWS returns them:
``OriginAccessControlId`` on every origin (``""`` on one without), ``S3OriginConfig`` on an S3
origin as the request gave it (``{"OriginAccessIdentity": ""}`` for one with an origin access
control), in ``GetDistribution``, ``GetDistributionConfig`` and ``ListDistributions`` alike, for a
stack's distribution and one made with the API. Delete this too when moto keeps them
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional, Tuple

from moto.cloudfront.exceptions import (
    CloudFrontException,
    InvalidIfMatchVersion,
    NoSuchDistribution,
)
from moto.cloudfront.models import (
    CloudFrontBackend,
    Distribution,
    Origin,
    cloudfront_backends,
    random_id,
)
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from ._common import TypeModel, flag, moto_own, tag_list

CLOUDFORMATION_TYPE = "AWS::CloudFront::Distribution"


#: moto's own, read before :func:`install` (tests/test_emulator_nat_cloudfront.py runs them to
#: tell when moto no longer needs the patch; the stack's deletion and update call them).
MOTO_DELETE_DISTRIBUTION = moto_own(CloudFrontBackend, "delete_distribution")
MOTO_UPDATE_DISTRIBUTION = moto_own(CloudFrontBackend, "update_distribution")
#: (tests/test_moto_models.py runs it to tell when moto keeps an origin's access control.)
MOTO_ORIGIN_INIT = moto_own(Origin, "__init__")


def origin_init(self: Origin, origin: Dict[str, Any]) -> None:
    """moto's, keeping the origin's ``OriginAccessControlId`` (``""`` when it has none, as AWS
    returns it) and its ``S3OriginConfig`` (the reply's serializer reads ``s3_origin_config``)."""
    MOTO_ORIGIN_INIT(self, origin)
    self.origin_access_control_id = origin.get("OriginAccessControlId") or ""
    if "S3OriginConfig" in origin:
        self.s3_origin_config = dict(origin["S3OriginConfig"])


def _precondition_failed() -> CloudFrontException:
    return CloudFrontException(
        "PreconditionFailed",
        "The precondition given in one or more of the request-header fields evaluated to false.",
    )


def delete_distribution(self: CloudFrontBackend, distribution_id: str, if_match: str) -> None:
    """moto's, refused as AWS refuses: no ``If-Match``, not the distribution's ETag, or the
    distribution still enabled."""
    if not if_match:
        raise InvalidIfMatchVersion
    distribution = self.distributions.get(distribution_id)
    if distribution is None:
        raise NoSuchDistribution
    if if_match != distribution.etag:
        raise _precondition_failed()
    if flag(distribution.distribution_config.Enabled):
        raise CloudFrontException(
            "DistributionNotDisabled",
            "The distribution you are trying to delete has not been disabled.",
        )
    MOTO_DELETE_DISTRIBUTION(self, distribution_id, if_match)


def update_distribution(
    self: CloudFrontBackend, dist_config: Dict[str, Any], _id: str, if_match: str
) -> Tuple[Distribution, str, str]:
    """moto's, refusing an ``If-Match`` that is not the distribution's ETag, and giving the
    distribution a new ETag, as AWS does."""
    distribution = self.distributions.get(_id)
    if distribution is not None and if_match and if_match != distribution.etag:
        raise _precondition_failed()
    distribution, location, _ = MOTO_UPDATE_DISTRIBUTION(self, dist_config, _id, if_match)
    distribution.etag = random_id()
    return distribution, location, distribution.etag


def _items(values: Optional[List[Any]]) -> Dict[str, Any]:
    values = list(values or [])
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


def _origin(origin: Dict[str, Any]) -> Dict[str, Any]:
    api = {
        k: v for k, v in origin.items() if k not in ("CustomOriginConfig", "OriginCustomHeaders")
    }
    if "OriginCustomHeaders" in origin:
        api["CustomHeaders"] = _items(origin["OriginCustomHeaders"])
    if "CustomOriginConfig" in origin:
        custom = dict(origin["CustomOriginConfig"])
        custom.setdefault("HTTPPort", 80)
        custom.setdefault("HTTPSPort", 443)
        custom["OriginSslProtocols"] = _items(custom.pop("OriginSSLProtocols", ["TLSv1.2"]))
        api["CustomOriginConfig"] = custom
    return api


def _behavior(behavior: Dict[str, Any]) -> Dict[str, Any]:
    api = dict(behavior)
    methods = behavior.get("AllowedMethods", ["GET", "HEAD"])
    api["AllowedMethods"] = {
        **_items(methods),
        "CachedMethods": _items(behavior.get("CachedMethods", ["GET", "HEAD"])),
    }
    api.pop("CachedMethods", None)
    for key in ("TrustedSigners", "TrustedKeyGroups"):
        if key in behavior:
            api[key] = {"Enabled": bool(behavior[key]), **_items(behavior[key])}
    for key in ("FunctionAssociations", "LambdaFunctionAssociations"):
        if key in behavior:
            api[key] = _items(behavior[key])
    return api


def api_distribution_config(config: Dict[str, Any]) -> Dict[str, Any]:
    """CloudFormation's ``DistributionConfig`` in the shape of CloudFront's API."""
    api: Dict[str, Any] = {
        "CallerReference": str(uuid.uuid4()),
        "Comment": config.get("Comment", ""),
        "Enabled": config["Enabled"],
        "Origins": _items([_origin(o) for o in config.get("Origins", [])]),
        "DefaultCacheBehavior": _behavior(config["DefaultCacheBehavior"]),
    }
    if config.get("CacheBehaviors"):
        api["CacheBehaviors"] = _items([_behavior(b) for b in config["CacheBehaviors"]])
    if config.get("Aliases"):
        api["Aliases"] = _items(config["Aliases"])
    if config.get("CustomErrorResponses"):
        api["CustomErrorResponses"] = _items(config["CustomErrorResponses"])
    if "IPV6Enabled" in config:
        api["IsIPV6Enabled"] = config["IPV6Enabled"]
    if "Logging" in config:
        api["Logging"] = {"Enabled": True, **config["Logging"]}
    geo = config.get("Restrictions", {}).get("GeoRestriction")
    if geo:
        api["Restrictions"] = {
            "GeoRestriction": {
                "RestrictionType": geo["RestrictionType"],
                **_items(geo.get("Locations")),
            }
        }
    if "ViewerCertificate" in config:
        renamed = {"AcmCertificateArn": "ACMCertificateArn", "IamCertificateId": "IAMCertificateId"}
        api["ViewerCertificate"] = {
            renamed.get(k, k): v for k, v in config["ViewerCertificate"].items()
        }
    for key in ("DefaultRootObject", "HttpVersion", "PriceClass", "WebACLId"):
        if key in config:
            api[key] = config[key]
    return api


class CloudFrontDistribution(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    ATTRIBUTES = {"Id": "id", "DomainName": "domain_name"}
    PHYSICAL_ID = "id"

    def __init__(self, distribution_id: str, domain_name: str) -> None:
        self.id = distribution_id
        self.domain_name = domain_name

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "CloudFrontDistribution":
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        distribution, _, _ = backend.create_distribution(
            api_distribution_config(properties["DistributionConfig"]), tag_list(properties)
        )
        return cls(distribution.distribution_id, distribution.domain_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CloudFrontDistribution",
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CloudFrontDistribution":
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        config = api_distribution_config(cloudformation_json["Properties"]["DistributionConfig"])
        _, etag = backend.get_distribution(original_resource.id)
        update_distribution(backend, config, original_resource.id, if_match=etag)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        try:
            distribution, _ = backend.get_distribution(self.id)
        except NoSuchDistribution:
            return  # the student disabled and deleted it by hand: deleted, as on AWS
        # CloudFormation disables an enabled distribution before it deletes it: moto's deletion.
        MOTO_DELETE_DISTRIBUTION(backend, self.id, if_match=True)
        backend.tagger.delete_all_tags_for_resource(distribution.arn)


def install() -> None:
    """Patch moto's CloudFront deletion, update and origins as the module's docstring says
    (idempotent, also after a reload of this module)."""
    Origin.__init__ = origin_init  # type: ignore[method-assign]
    CloudFrontBackend.delete_distribution = delete_distribution  # type: ignore[method-assign]
    CloudFrontBackend.update_distribution = update_distribution  # type: ignore[method-assign]
