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

from ._common import MotoOverride

CLOUDFORMATION_TYPE = "AWS::Lambda::Function"


class LambdaFunctionModel(MotoOverride, CloudFormationModel):
    MOTO_MODEL = LambdaFunction

    @classmethod
    def created(
        cls,
        function: LambdaFunction,
        properties: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaFunction:
        """moto's function, logging to the template's ``LoggingConfig.LogGroup`` if it names one."""
        group = (properties.get("LoggingConfig") or {}).get("LogGroup")
        if group:
            function.logs_group_name = group
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
        return cls.created(function, cloudformation_json["Properties"], account_id, region_name)
