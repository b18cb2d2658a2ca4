"""The ``aws:cloudformation:*`` tags on what a change set creates in moto's CloudFormation, as
AWS puts them.

Written against moto 5.2.5, whose ``create_stack`` tags each EC2 resource it creates with the
stack's tags and ``aws:cloudformation:stack-name``, ``stack-id`` and ``logical-id`` (AWS tags
every resource so, and an Auto Scaling group's instances too), but whose change sets (how the
CDK CLI deploys) tag nothing: ``week5 status`` listed every resource of a lab deployed into the
emulator as "in no stack: made by hand or left behind". :func:`install` makes a change set, once
applied, tag what its template created: EC2 resources by their id (as ``create_stack`` does),
an Auto Scaling group with ``PropagateAtLaunch`` true, the template's tags kept as the template
gives them (moto's tagging API, which tagged it before, set ``PropagateAtLaunch`` false on the
template's keys too), and the group's instances with what it propagates; the rest by ARN
through moto's tagging API or, for ELBv2, which that API cannot tag, its own backend (an RDS
automatic snapshot, which no template names, stays untagged).
Delete this module when moto's change sets tag them (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from moto.autoscaling.models import FakeAutoScalingGroup
from moto.cloudformation.models import ChangeSet
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource
from moto.resourcegroupstaggingapi.models import resourcegroupstaggingapi_backends

from ._common import add_elbv2_tags
from .ec2_key_pair import EC2KeyPair

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_APPLY = ChangeSet.apply


#: ARN service -> its own tagger (account, region, ARN, ``[{"Key", "Value"}]``), for the services
#: moto's tagging API cannot tag.
OWN_TAGGERS: Dict[str, Callable[[str, str, str, List[Dict[str, str]]], None]] = {
    "elasticloadbalancing": add_elbv2_tags,
}


def arn_of(resource: Any) -> Optional[str]:
    """The resource's ARN: its ``arn``, or its physical id when that is one (ELBv2, secrets)."""
    for value in (getattr(resource, "arn", None), getattr(resource, "physical_resource_id", "")):
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    return None


def tag_group(group: FakeAutoScalingGroup, tags: Dict[str, str], resource_json: Any) -> None:
    """``tags`` (the stack's and ``aws:cloudformation:*``) on the Auto Scaling group as
    CloudFormation puts them: each with ``PropagateAtLaunch`` true (so they reach the instances
    it launches later too), but a key the template (``resource_json``) tags the group with,
    which keeps the template's value and ``PropagateAtLaunch``. Not through moto's tagging API,
    which re-tagged the template's keys with ``PropagateAtLaunch`` false."""
    given = ((resource_json or {}).get("Properties") or {}).get("Tags")
    listed = given if isinstance(given, list) else []
    templates = {tag.get("Key") for tag in listed if isinstance(tag, dict)}
    stacks = {key: value for key, value in tags.items() if key not in templates}
    group.tags = [tag for tag in group.tags if tag["Key"] not in stacks] + [
        {"Key": key, "Value": value, "PropagateAtLaunch": True} for key, value in stacks.items()
    ]


def apply(self: ChangeSet) -> None:
    """moto's, then the tags CloudFormation gives what the change set created."""
    MOTO_APPLY(self)
    stack = self.stack
    made = stack.resource_map._parsed_resources
    ec2 = ec2_backends[stack.account_id][stack.region_name]
    tagging = resourcegroupstaggingapi_backends[stack.account_id][stack.region_name]
    for logical_id in self.template_dict.get("Resources", {}):
        resource = made.get(logical_id)
        tags: Dict[str, str] = {
            **stack.tags,
            "aws:cloudformation:stack-name": stack.name,
            "aws:cloudformation:stack-id": stack.stack_id,
            "aws:cloudformation:logical-id": logical_id,
        }
        # By its EC2 id, as its own tags are kept: moto's create_stack tags an EIP by its
        # address, which EC2's tag listing by resource type then fails on.
        if isinstance(resource, TaggedEC2Resource) and getattr(resource, "id", None):
            ec2.create_tags([resource.id], tags)
            continue
        if isinstance(resource, EC2KeyPair):  # the project's model: the EC2 key by its id
            ec2.create_tags([resource.key_pair_id], tags)
            continue
        if isinstance(resource, FakeAutoScalingGroup):
            tag_group(resource, tags, self.template_dict["Resources"][logical_id])
            if resource.instance_states:
                ec2.create_tags(
                    [state.instance.id for state in resource.instance_states],
                    resource.get_propagated_tags(),
                )
            continue
        try:
            arn = arn_of(resource)
            # tag_resources returns what it could not tag (a service its API lacks).
            if arn and tagging.tag_resources([arn], tags) and arn.split(":")[2] in OWN_TAGGERS:
                pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
                OWN_TAGGERS[arn.split(":")[2]](stack.account_id, stack.region_name, arn, pairs)
        except Exception:  # noqa: BLE001
            # Some services' taggers fail on an ARN they do not expect (a launch
            # configuration's: KeyError) or refuse (moto's ELBv2 allows 10 tags): the resource
            # keeps the template's tags, and the deploy goes on.
            pass


def install() -> None:
    """Patch moto's change sets as the module's docstring says (idempotent)."""
    ChangeSet.apply = apply  # type: ignore[method-assign]
