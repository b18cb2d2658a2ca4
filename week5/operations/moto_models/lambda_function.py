"""``AWS::Lambda::Function`` as moto 5.2.5 models it, logging to the log group the template names.

moto's model ignores ``LoggingConfig``: a function always logs to ``/aws/lambda/<name>``, which
moto creates when it invokes the function. The labs' custom resources (CDK's bucket deployment
and auto-delete-objects handlers, the snapshot cleanups) name a ``LoggingConfig.LogGroup`` of
the stack's own; moto invoked them at deploy, so each left a ``/aws/lambda/...`` log group that
AWS never makes and no ``cdk destroy`` deletes. This model creates (and updates) the function
with moto's own model and points its logs at the template's group, which the stack deletes.
It returns moto's function: ``Ref``, ``Fn::GetAtt`` and deletion are moto's. Delete this module
when moto's model reads ``LoggingConfig`` (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.awslambda.models import LambdaFunction
from moto.core.common_models import CloudFormationModel

CLOUDFORMATION_TYPE = "AWS::Lambda::Function"


def _log_to_the_templates_group(function: LambdaFunction, properties: Dict[str, Any]) -> None:
    group = (properties.get("LoggingConfig") or {}).get("LogGroup")
    if group:
        function.logs_group_name = group


class LambdaFunctionModel(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return LambdaFunction.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return LambdaFunction.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunction:
        function = LambdaFunction.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        _log_to_the_templates_group(function, cloudformation_json["Properties"])
        return function

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: LambdaFunction,
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaFunction:
        function = LambdaFunction.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        _log_to_the_templates_group(function, cloudformation_json["Properties"])
        return function

    def is_created(self) -> bool:
        return True
