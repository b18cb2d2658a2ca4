"""`week5 audit`'s unexpected-resources check: a total is no total when something in it is not
priced. The instructor re-trial's case: an unexpected m5.large (prices.json has no m5.large)
read "(not priced); $0.0000/h in all, 1 not priced", as if it cost nothing; the check now says
the cost is unknown, in the text and in --json (both the check's evidence). Against the
check alone, on an account read as the audit reads one (no AWS)."""

from __future__ import annotations

from typing import Any, Dict, List

from week5.operations.audit.checks_extras import _unexpected
from week5.operations.audit.model import Account, to_json
from week5.operations.audit.reference import Reference
from week5.operations.price_table import PriceTable

#: A lab of one t3.micro and nothing else.
LAB = Reference(
    vpc_cidr="10.0.0.0/16",
    vpc_name="week5-day1-lab1",
    subnets=[],
    instance_types=["t3.micro"],
    groups=[],
    nat_gateways=0,
    load_balancers=[],
    databases=[],
    caches=[],
)


def instances(*types: str) -> List[Dict[str, Any]]:
    return [{"id": f"i-{n:017x}", "type": t, "name": ""} for n, t in enumerate(types)]


def test_the_trials_m5_large_makes_the_cost_unknown_not_zero():
    assert PriceTable().hourly("ec2:m5.large") is None  # else this test tests nothing
    check = _unexpected(Account(instances=instances("t3.micro", "m5.large")), LAB)
    assert not check.passed
    assert check.evidence == (
        "i-00000000000000001 m5.large (not priced); "
        "$0.0000/h for what is priced, plus 1 not priced: cost unknown"
    )
    assert "in all" not in check.evidence
    # the text and --json say the same
    assert str(check).endswith("plus 1 not priced: cost unknown")
    assert to_json([check])[0]["evidence"] == check.evidence


def test_a_priced_part_and_two_unpriced_say_what_is_known():
    """Two m5.large are two resources not priced (one price looked up: it read "1 not
    priced")."""
    check = _unexpected(
        Account(instances=instances("t3.micro", "t3.small", "m5.large", "m5.large")), LAB
    )
    assert check.evidence.endswith(
        "; $0.0260/h for what is priced, plus 2 not priced: cost unknown"
    ), check.evidence


def test_all_priced_is_still_a_total():
    check = _unexpected(Account(instances=instances("t3.micro", "t3.small")), LAB)
    assert check.evidence.endswith("; $0.0260/h in all") and "unknown" not in check.evidence


def test_nothing_beyond_the_lab_passes():
    check = _unexpected(Account(instances=instances("t3.micro")), LAB)
    assert check.passed and check.evidence == "nothing beyond the lab"
