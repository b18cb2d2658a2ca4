"""Dollar figures print alike in every command (`week5 labs`, `status`, `cost`): one lab read
$0.133 in `labs` and $0.132 in `status`, its $0.1325 summed in floats to 0.13249999..."""

from datetime import datetime, timezone

import pytest

from week5.cli.labs import format_labs
from week5.cli.status import format_status
from week5.cli.table import usd
from week5.operations.status import LabStackStatus, StatusReport

JUST_UNDER = 0.13249999999999998  # what floats make of 0.1325 as a sum


def test_a_sum_just_under_a_half_cent_rounds_as_the_amount_itself():
    assert f"{JUST_UNDER:.3f}" == "0.132"  # what each command printed on its own
    assert usd(JUST_UNDER) == usd(0.1325) == "$0.133"
    assert usd(0.13249, 4) == "$0.1325" and usd(2.5, 2) == "$2.50" and usd(0.0) == "$0.000"


@pytest.mark.parametrize("amount", [0.1325, JUST_UNDER])
def test_labs_and_status_print_one_lab_the_same(amount):
    labs = format_labs([{
        "lab": "Day4Lab1", "day": "Day4", "title": "ALB + ASG 구성", "resources": 34,
        "estimated_usd_per_hour": amount, "course_usd_per_hour": 0.30, "create_minutes": 5.4,
        "delete_minutes": 3.9, "verdict": "ok", "not_priced": 0,
    }])  # fmt: skip
    stack = LabStackStatus("week5-kim-Day4Lab1", "kim", "Day4Lab1", "CREATE_COMPLETE",
                           datetime.now(timezone.utc), usd_per_hour=amount)  # fmt: skip
    status = format_status(StatusReport(region="ap-northeast-2", student="kim", stacks=[stack]))
    assert "$0.133" in labs and "$0.133" in status
