"""The checklist: one check per line of the instructor's checklist, in its order."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

from week5.operations.audit.checks_compute import _auto_scaling, _instance_types, _multi_az
from week5.operations.audit.checks_extras import _tags, _unexpected
from week5.operations.audit.checks_network import (
    _admin_from_internet,
    _data_from_groups_only,
    _subnets,
    _vpc_cidr,
)
from week5.operations.audit.model import Account, Check
from week5.operations.audit.reference import reference


def audit(template: Mapping[str, Any], account: Account, lab_tags: Dict[str, str]) -> List[Check]:
    """One check per line of the instructor's checklist, each with its evidence."""
    ref = reference(template)
    checks = [_vpc_cidr(account, ref)]
    checks.append(_subnets(account, ref))
    checks.append(_admin_from_internet(account))
    checks.append(_data_from_groups_only(account))
    checks.append(_instance_types(account, ref))
    checks.append(_auto_scaling(account, ref))
    checks.append(_multi_az(account, ref))
    checks.append(_tags(account, lab_tags))
    checks.append(_unexpected(account, ref))
    return checks
