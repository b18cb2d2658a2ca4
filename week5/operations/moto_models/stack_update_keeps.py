"""A resource whose model cannot update it stays in its stack through a stack update, and the
update says so.

Written against moto 5.2.5, whose stack update (``update_stack``, or a change set: a second
``cdk deploy``) puts ``None`` in the stack's place of every changed resource whose model has no
update: the resource stayed in the emulator but left its stack (``list-stack-resources`` showed
a row with no ids), so the redeploy of Day2Lab1 with ``-c restore_snapshot_id=`` (the hosts'
user data changes) lost both instances from the stack, and ``cdk destroy`` left them and their
VPC behind. :func:`install` keeps the resource as it was in its stack (AWS would update or
replace it; the emulator does neither, and deletes it with the stack).

Kept silently, that misled: a second ``cdk deploy Day2Lab1 -c restore_snapshot_id=<another
snapshot>`` printed ``UPDATE_COMPLETE`` while the restored volume was still the first
snapshot's (a student trial). So each resource kept whose properties changed (or a parameter
they ``Ref``, by its resolved value) gets a stack event ``UPDATE_FAILED`` whose
``ResourceStatusReason`` names it and what changed ("The emulator does not update
AWS::EC2::Volume (SnapshotId changed): kept as it was, where AWS updates or replaces it. ..."),
between the stack's ``UPDATE_IN_PROGRESS`` and ``UPDATE_COMPLETE``: ``cdk deploy`` prints it
in red with the other events and again under "Failed resources:" before its ✅ (its
interactive progress bar keeps failures alone on screen), and ``aws cloudformation
describe-stack-events`` lists it; the emulator's log (``week5 local`` prints its path) gets the
same line as a warning. The stack still ends ``UPDATE_COMPLETE`` with what moto could update
updated. A resource moto counts as changed though nothing of it did is kept without an event:
moto compares the update's parameters with those the stack was created with, which are none
when it took the defaults, so every update by the CDK CLI (``UsePreviousValue`` on the AMI's
parameter) marked each instance changed. Delete this module when moto's update keeps such
resources (tests/test_moto_models.py says when).
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Dict, List, Optional

from moto.cloudformation import parsing
from moto.cloudformation.models import Event, cloudformation_backends

from ._common import moto_own

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module); kept on moto's module, so a reload of this one reads moto's.
MOTO_OWN = moto_own(parsing, "parse_and_update_resource")  # type: ignore[arg-type]
#: moto's stack update of a resource map (wrapped to read the template it replaces).
MOTO_UPDATE = moto_own(parsing.ResourceMap, "update")
#: The attribute of a resource map holding, while its update runs, what it was before:
#: ``{"resources": its resources' templates, "parameters": its parameters' resolved values}``.
PREVIOUS = "_week5_before_update"
#: The status of the event of a kept resource: its update did not happen.
KEPT_STATUS = "UPDATE_FAILED"

LOG = logging.getLogger(__name__)


def changes(logical_id: str, resource_json: Dict[str, Any], resources_map: Any) -> List[str]:
    """What changed of the resource: the names of its template properties that differ, and
    ``parameter NAME`` for each parameter it ``Ref``s whose resolved value differs; [] when
    nothing did (moto also counts a resource changed when a parameter it ``Ref``s was given
    where the stack's creation took its default)."""
    before = getattr(resources_map, PREVIOUS, None)
    if before is None:  # not within an update: changed, but what is unknown
        return ["its template"]
    old = (before["resources"].get(logical_id) or {}).get("Properties") or {}
    new = resource_json.get("Properties") or {}
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    was, now = before["parameters"], resources_map.resolved_parameters
    for name in sorted(set(parsing.get_references_from_template(new))):
        if name in was and name in now and was[name] != now[name]:
            changed.append(f"parameter {name}")
    return changed


def kept_reason(resource_type: str, changed: List[str]) -> str:
    """The event's ``ResourceStatusReason`` for a kept resource of ``resource_type``."""
    return (
        f"The emulator does not update {resource_type} ({', '.join(changed)} changed): kept as "
        "it was, where AWS updates or replaces it. To get the change here, destroy the stack "
        "and deploy it again."
    )


def report_kept(
    logical_id: str, resource_json: Dict[str, Any], resource: Any, resources_map: Any
) -> None:
    """Log the kept resource and add its ``UPDATE_FAILED`` event to its stack, when something
    of it changed."""
    changed = changes(logical_id, resource_json, resources_map)
    if not changed:
        return
    resource_type = resource_json.get("Type", "")
    reason = kept_reason(resource_type, changed)
    account_id, region_name = resources_map._account_id, resources_map._region_name
    stack = cloudformation_backends[account_id][region_name].stacks.get(resources_map.stack_id)
    LOG.warning(
        "%s %s: %s", stack.name if stack is not None else resources_map.stack_id, logical_id, reason
    )
    if stack is None:
        return
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=getattr(resource, "physical_resource_id", None),
        resource_type=resource_type,
        resource_status=KEPT_STATUS,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.sendToSns(account_id, region_name, stack.notification_arns)
    stack.events.append(event)


def parse_and_update_resource(
    logical_id: str,
    resource_json: Dict[str, Any],
    resources_map: parsing.ResourceMap,
    account_id: str,
    region_name: str,
) -> Any:
    """moto's, or the resource as it was when moto's model has no update for it (reported)."""
    updated = MOTO_OWN(logical_id, resource_json, resources_map, account_id, region_name)
    if updated is None:
        kept = resources_map._parsed_resources.get(logical_id)
        if kept is not None and not isinstance(kept, str):
            report_kept(logical_id, resource_json, kept, resources_map)
        return kept
    return updated


def update(
    self: parsing.ResourceMap, template: Dict[str, Any], parameters: Optional[Dict[str, Any]] = None
) -> None:
    """moto's, with what the map was kept while it runs (to tell what changed)."""
    before = {
        "resources": copy.deepcopy(self._resource_json_map),
        "parameters": dict(self.resolved_parameters),
    }
    setattr(self, PREVIOUS, before)
    try:
        MOTO_UPDATE(self, template, parameters)
    finally:
        self.__dict__.pop(PREVIOUS, None)


def install() -> None:
    """Patch moto's stack update as the module's docstring says (idempotent)."""
    parsing.parse_and_update_resource = parse_and_update_resource
    parsing.ResourceMap.update = update  # type: ignore[method-assign]
