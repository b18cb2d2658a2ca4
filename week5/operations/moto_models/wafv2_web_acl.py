"""``AWS::WAFv2::WebACL`` for moto's CloudFormation, backed by its wafv2 backend.

Written against moto 5.2.5, which has ``create_web_acl`` but no CloudFormation model: the ACL
was skipped, and the association's ``Fn::GetAtt ... Arn`` on it stopped the deploy. Delete this
module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` gives ``name|id|scope``; ``Fn::GetAtt`` gives ``Arn``, ``Id`` and
``LabelNamespace``.
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.wafv2.models import wafv2_backends

from ._common import TypeModel, tag_list

CLOUDFORMATION_TYPE = "AWS::WAFv2::WebACL"


def _backend(account_id: str, region_name: str, scope: str) -> Any:
    # CLOUDFRONT-scoped ACLs live in us-east-1, as on AWS.
    return wafv2_backends[account_id]["us-east-1" if scope == "CLOUDFRONT" else region_name]


class WAFv2WebACL(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Arn": "arn", "Id": "id", "LabelNamespace": "label_namespace"}

    def __init__(self, name: str, acl_id: str, arn: str, scope: str, label_namespace: str) -> None:
        self.name = name
        self.id = acl_id
        self.arn = arn
        self.scope = scope
        self.label_namespace = label_namespace

    @property
    def physical_resource_id(self) -> str:
        return f"{self.name}|{self.id}|{self.scope}"

    @classmethod
    def create(
        cls, resource_name: str, p: Dict[str, Any], account_id: str, region_name: str
    ) -> "WAFv2WebACL":
        acl = _backend(account_id, region_name, p["Scope"]).create_web_acl(
            name=resource_name,
            visibility_config=p["VisibilityConfig"],
            default_action=p["DefaultAction"],
            scope=p["Scope"],
            description=p.get("Description"),
            tags=tag_list(p),
            rules=p.get("Rules", []),
            association_config=p.get("AssociationConfig"),
            captcha_config=p.get("CaptchaConfig"),
            challenge_config=p.get("ChallengeConfig"),
            custom_response_bodies=p.get("CustomResponseBodies"),
            token_domains=p.get("TokenDomains"),
        )
        return cls(acl.name, acl.id, acl.arn, p["Scope"], acl.label_namespace)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name, self.scope)
        acl = backend.wacls[self.arn]
        backend.delete_web_acl(self.name, self.scope, self.id, acl.lock_token)
        backend.tagging_service.delete_all_tags_for_resource(self.arn)
