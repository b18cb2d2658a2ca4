"""``Custom::AWS`` (CDK's ``AwsCustomResource``) for moto's CloudFormation, answered in-process
for the read-only SDK calls the labs make.

Written against moto 5.2.5, which runs every ``Custom::`` resource by invoking its Lambda in
Docker; without Docker nothing answers, the resource has no data, and a ``Fn::GetAtt`` on its
output resolves to nothing (seen: the CloudFront origin-facing prefix-list lookup, whose id a
security-group rule needs, so moto's rule model failed on a rule without a source). moto picks
``CustomModel`` for all ``Custom::`` types before its model map, so this type cannot be added as
the others are: :func:`install` makes moto's type lookup return this model for ``Custom::AWS``.

As on AWS: the ``Create`` call (``service``, ``action``, ``parameters``) runs against the
emulator's own backends, its response is flattened (``PrefixLists.0.PrefixListId``), and
``Fn::GetAtt`` gives the paths listed in ``outputPaths``; ``physicalResourceId`` names the
resource. Only the calls in :data:`CALLS` are answered; any other goes to moto's own model (its
Lambda, which needs Docker). Deleting does nothing (the labs' lookups have no ``Delete`` call).
Delete this module when moto answers ``AwsCustomResource`` without Docker
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List

from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

CLOUDFORMATION_TYPE = "Custom::AWS"


def _describe_managed_prefix_lists(account_id: str, region: str, params: Dict[str, Any]) -> Any:
    filters = {f["Name"]: f["Values"] for f in params.get("Filters", [])}
    lists = ec2_backends[account_id][region].describe_managed_prefix_lists(
        prefix_list_ids=params.get("PrefixListIds"), filters=filters
    )
    return {
        "PrefixLists": [
            {
                "PrefixListId": p.id,
                "PrefixListName": p.prefix_list_name,
                "PrefixListArn": p.prefix_list_arn,
                "AddressFamily": p.address_family,
                "OwnerId": p.owner_id,
            }
            for p in lists
        ]
    }


#: (SDK service, action) -> the call on moto's backends, returning the API's response shape.
CALLS: Dict[tuple, Callable[[str, str, Dict[str, Any]], Any]] = {
    ("ec2", "describemanagedprefixlists"): _describe_managed_prefix_lists,
}


def _service(name: str) -> str:
    """``EC2``, ``ec2`` or ``@aws-sdk/client-ec2`` -> ``ec2``."""
    return name.rsplit("client-", 1)[-1].lower()


def flatten(value: Any, prefix: str = "") -> Dict[str, Any]:
    """The response as CDK's provider flattens it: ``{"A.0.B": value}``."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    flat: Dict[str, Any] = {}
    for key, inner in items:
        flat.update(flatten(inner, f"{prefix}.{key}" if prefix else key))
    return flat


class AwsCustomResource(CloudFormationModel):
    def __init__(self, physical_id: str, data: Dict[str, Any]) -> None:
        self.physical_id = physical_id
        self.data = data

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.data.get(attribute_name)

    @classmethod
    def answers(cls, properties: Dict[str, Any]) -> bool:
        call = json.loads(properties.get("Create") or "{}")
        return (_service(call.get("service", "")), call.get("action", "").lower()) in CALLS

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        properties = cloudformation_json["Properties"]
        if not cls.answers(properties):
            return CustomModel.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        call = json.loads(properties["Create"])
        answer = CALLS[(_service(call["service"]), call["action"].lower())]
        flat = flatten(answer(account_id, region_name, call.get("parameters", {})))
        paths: List[str] = call.get("outputPaths") or list(flat)
        data = {path: flat[path] for path in paths if path in flat}
        physical = call.get("physicalResourceId", {})
        physical_id = physical.get("id") or flat.get(
            physical.get("responsePath", ""), resource_name
        )
        return cls(physical_id, data)

    def delete(self, account_id: str, region_name: str) -> None:
        """The labs' lookups make no ``Delete`` call."""

    def is_created(self) -> bool:
        return True


def install() -> None:
    """Make moto's type lookup return this model for ``Custom::AWS`` (idempotent)."""
    lookup = parsing.resource_class_from_type
    if hasattr(lookup, "moto_lookup"):
        return

    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type == CLOUDFORMATION_TYPE:
            return AwsCustomResource
        return lookup(resource_type)

    resource_class_from_type.moto_lookup = lookup  # type: ignore[attr-defined]
    parsing.resource_class_from_type = resource_class_from_type
