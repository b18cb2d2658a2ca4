"""``AWS::SSM::Parameter`` as moto 5.2.5 models it, with the template's tags as CloudFormation
gives them.

CloudFormation's ``AWS::SSM::Parameter`` takes ``Tags`` as a map (``{"Day": "Day5"}``), unlike
most types' list of ``{"Key", "Value"}``; moto 5.2.5 passes the map to its SSM backend, which
reads it as a list and fails (``TypeError: string indices must be integers``) after storing the
parameter, so the stack's next read recreates it and fails again (``ParameterAlreadyExists``).
This model turns the map into a list and hands everything else to moto's own model, whose
parameter it returns. A parameter without ``Name`` gets the physical name moto generated (on
AWS, CloudFormation generates one too); moto 5.2.5 passes ``None`` on and fails the change set
with an AttributeError; an update keeps the name, as on AWS. Delete this module when moto takes the map and a parameter without ``Name``
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ssm.models import Parameter

from ._common import MotoDeletion, tag_list

CLOUDFORMATION_TYPE = "AWS::SSM::Parameter"


def _with_tag_list(cloudformation_json: Dict[str, Any]) -> Dict[str, Any]:
    properties = cloudformation_json.get("Properties", {})
    if not isinstance(properties.get("Tags"), dict):
        return cloudformation_json
    return {**cloudformation_json, "Properties": {**properties, "Tags": tag_list(properties)}}


def _named(cloudformation_json: Dict[str, Any], physical_name: str) -> Dict[str, Any]:
    properties = cloudformation_json.get("Properties", {})
    if properties.get("Name"):
        return cloudformation_json
    return {**cloudformation_json, "Properties": {**properties, "Name": physical_name}}


class SSMParameter(MotoDeletion, CloudFormationModel):
    MOTO_MODEL = Parameter

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Parameter:
        return super().create_from_cloudformation_json(
            resource_name,
            _named(_with_tag_list(cloudformation_json), resource_name),
            account_id,
            region_name,
            **kwargs,
        )

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Parameter,
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Parameter:
        return Parameter.update_from_cloudformation_json(
            original_resource,
            new_resource_name,
            # An unnamed parameter keeps its name on AWS, not a new one per update.
            _named(_with_tag_list(cloudformation_json), original_resource.name),
            account_id,
            region_name,
        )
