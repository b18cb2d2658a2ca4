"""WAFv2's ``ListResourcesForWebACL`` for moto's server, from its own web ACL associations.

Written against moto 5.2.5, which keeps each web ACL's associated resources (what
``AssociateWebACL`` and the ``AWS::WAFv2::WebACLAssociation`` model add) but has no call that
lists them: ``week5 cleanup``, which asks what a web ACL protects before it can be deleted,
stopped there on the emulator ("ListResourcesForWebACL has not been implemented"). :func:`install`
adds the call to moto's WAFv2 responses: the ACL's associated resources of the kind asked
(``ResourceType``, by default ``APPLICATION_LOAD_BALANCER``), or ``WAFNonexistentItemException``
for an ACL it does not hold, as AWS answers. Delete this module when moto has the call
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import json
from typing import Dict, Tuple

from moto.core.common_types import TYPE_RESPONSE
from moto.wafv2.exceptions import WAFNonexistentItemException
from moto.wafv2.responses import WAFV2Response

#: The method moto's dispatch calls for the action (its name, in snake case).
ACTION = "list_resources_for_web_acl"
#: ``ResourceType`` -> (the ARN's service, how the ARN's resource part starts).
RESOURCE_TYPES: Dict[str, Tuple[str, str]] = {
    "APPLICATION_LOAD_BALANCER": ("elasticloadbalancing", "loadbalancer/app/"),
    "API_GATEWAY": ("apigateway", "/restapis/"),
    "APPSYNC": ("appsync", "apis/"),
    "COGNITO_USER_POOL": ("cognito-idp", "userpool/"),
    "APP_RUNNER_SERVICE": ("apprunner", "service/"),
    "VERIFIED_ACCESS_INSTANCE": ("ec2", "verified-access-instance/"),
    "AMPLIFY": ("amplify", "apps/"),
}
#: moto's own method for the action, None while it lacks one (read before :func:`install`).
MOTO_OWN = vars(WAFV2Response).get(ACTION)


def is_of_type(arn: str, resource_type: str) -> bool:
    """Whether ``arn`` names a resource of WAF's ``resource_type``."""
    parts = arn.split(":", 5)
    service, prefix = RESOURCE_TYPES.get(resource_type, ("", "\0"))
    return len(parts) == 6 and parts[2] == service and parts[5].startswith(prefix)


def list_resources_for_web_acl(self: WAFV2Response) -> TYPE_RESPONSE:
    body = json.loads(self.body)
    web_acl = self.wafv2_backend.wacls.get(body["WebACLArn"])
    if web_acl is None:
        raise WAFNonexistentItemException
    kind = body.get("ResourceType", "APPLICATION_LOAD_BALANCER")
    arns = [arn for arn in web_acl.associated_resources if is_of_type(arn, kind)]
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})


def install() -> None:
    """Add the call to moto's WAFv2 responses (idempotent)."""
    setattr(WAFV2Response, ACTION, list_resources_for_web_acl)
