"""A resource whose model cannot update it stays in its stack through a stack update.

Written against moto 5.2.5, whose stack update (``update_stack``, or a change set: a second
``cdk deploy``) puts ``None`` in the stack's place of every changed resource whose model has no
update: the resource stayed in the emulator but left its stack (``list-stack-resources`` showed
a row with no ids), so the redeploy of Day2Lab1 with ``-c restore_snapshot_id=`` (the hosts'
user data changes) lost both instances from the stack, and ``cdk destroy`` left them and their
VPC behind. :func:`install` keeps the resource as it was in its stack (AWS would update or
replace it; the emulator does neither, and deletes it with the stack). Delete this module when
moto's update keeps such resources (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation import parsing

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = parsing.parse_and_update_resource


def parse_and_update_resource(
    logical_id: str,
    resource_json: Dict[str, Any],
    resources_map: parsing.ResourceMap,
    account_id: str,
    region_name: str,
) -> Any:
    """moto's, or the resource as it was when moto's model has no update for it."""
    updated = MOTO_OWN(logical_id, resource_json, resources_map, account_id, region_name)
    if updated is None:
        return resources_map._parsed_resources.get(logical_id)
    return updated


def install() -> None:
    """Patch moto's stack update as the module's docstring says (idempotent)."""
    parsing.parse_and_update_resource = parse_and_update_resource
