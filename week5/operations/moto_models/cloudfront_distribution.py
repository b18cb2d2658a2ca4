"""``AWS::CloudFront::Distribution`` for moto's CloudFormation, backed by its cloudfront backend.

Written against moto 5.2.5, which has ``create_distribution`` but no CloudFormation model: the
distribution was skipped, and a ``Fn::GetAtt ... DomainName`` on it (outputs, user data) stopped
the deploy. Delete this module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` and ``Fn::GetAtt Id`` give the distribution's id, ``DomainName`` its
``*.cloudfront.net`` name. The template's ``DistributionConfig`` is CloudFormation's shape
(plain lists, ``IPV6Enabled``, ``AcmCertificateArn``); the backend takes the API's
(``{"Quantity", "Items"}``, ``IsIPV6Enabled``, ``ACMCertificateArn``), so the model converts.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from ._common import TypeModel, tag_list

CLOUDFORMATION_TYPE = "AWS::CloudFront::Distribution"


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
        backend.update_distribution(config, original_resource.id, if_match=True)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        distribution, _ = backend.get_distribution(self.id)
        backend.delete_distribution(self.id, if_match=True)
        backend.tagger.delete_all_tags_for_resource(distribution.arn)
