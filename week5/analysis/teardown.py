"""The teardown check: can `cdk destroy` delete everything a template creates, and leave
nothing that bills? Run on a synthesized template, so it also checks an assembly that was
synthesized without the course's rule pack (``week5 check --assembly cdk.out``).

It applies the course rules that are about deletion, resource by resource:
Week5-NoRetainOnDelete (no Retain or Snapshot), Week5-BucketsEmptyThemselves (no bucket left
holding objects), Week5-NothingBlocksDeletion (no deletion or termination protection, no backup
vault) and Week5-LogGroupsRemoved (no log group created outside the stack).
"""

from __future__ import annotations

from typing import Any, Dict, List

from week5.analysis.rules import (
    buckets_empty_themselves,
    log_groups_removed,
    no_retain_on_delete,
    nothing_blocks_deletion,
)
from week5.analysis.rules.base import ResourceView

TEARDOWN_RULES = (
    no_retain_on_delete.RULE,
    buckets_empty_themselves.RULE,
    nothing_blocks_deletion.RULE,
    log_groups_removed.RULE,
)


def teardown_findings(template: Dict[str, Any]) -> List[str]:
    """``<LogicalId>: <rule id>[<finding>]`` for each thing that would survive or block deletion."""
    found = []
    for logical_id, resource in template.get("Resources", {}).items():
        view = ResourceView(logical_id=logical_id, resource=resource, template=template)
        for rule in TEARDOWN_RULES:
            if not rule.applies_to(view.type):
                continue
            result = rule.check(view)
            if isinstance(result, list):
                found += [f"{logical_id}: {rule.rule_id}[{item}]" for item in result]
            elif result == "NON_COMPLIANT":
                found.append(f"{logical_id}: {rule.rule_id}")
    return found
