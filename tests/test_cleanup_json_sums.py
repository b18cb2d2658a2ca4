"""`week5 cleanup --json`: the found resources' ``usd_per_hour`` add up to the total.

The instructor re-trial's case: 110 volumes and 105 secrets, each rounded to 4 places, summed
$0.5446/h against the total's $0.5524 (a secret's $0.000548/h printed $0.0005). Each figure is
now kept to 6 places and the total is the sum of what is printed. The resources are made up
(no AWS): the command's Cleaner is replaced by one that finds them.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import List

import pytest

import week5.cli.cleanup as cleanup_cli
from week5.cli import main
from week5.operations.cleanup import Found
from week5.operations.price_table import PriceTable

PRICES = PriceTable()


def the_trials() -> List[Found]:
    """110 gp3 volumes of 30 GiB and 105 secrets, priced as cleanup prices them, and one
    resource it does not price."""
    volume = PRICES.hourly("ebs:gp3", 30)
    secret = PRICES.hourly("secretsmanager:secret")
    return (
        [Found("EBS volume", f"vol-{n:017x}", hourly=volume) for n in range(110)]
        + [Found("secret", f"arn:secret:week5-{n}", hourly=secret) for n in range(105)]
        + [Found("instance", "i-0123456789abcdef0", hourly=None)]
    )


@pytest.fixture
def found(monkeypatch) -> List[Found]:
    """`week5 cleanup` finds :func:`the_trials` (its Cleaner replaced: no AWS is read)."""
    resources = the_trials()

    class Cleaner:
        def __init__(self, *args, **kwargs):
            self.warnings: List[str] = []
            self.scope = SimpleNamespace(label="Day1")

        def find(self) -> List[Found]:
            return resources

    monkeypatch.setattr(cleanup_cli, "Cleaner", Cleaner)
    monkeypatch.setattr(cleanup_cli, "aws_clients", lambda profile, region: None)
    return resources


def test_the_entries_add_up_to_the_total(found, capsys):
    assert main(["cleanup", "--day", "Day1", "--all", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    entries = [f["usd_per_hour"] for f in body["found"]]
    assert len(entries) == 216 and entries.count(None) == 1 and body["not_priced"] == 1
    printed = sum(e for e in entries if e is not None)
    assert printed == pytest.approx(body["usd_per_hour"], abs=0.0001)
    # and both are what the resources cost
    exact = sum(f.hourly for f in found if f.hourly is not None)
    assert body["usd_per_hour"] == pytest.approx(exact, abs=0.0001)
    assert printed == pytest.approx(exact, abs=0.0001)


def test_a_secrets_figure_is_not_rounded_away(found, capsys):
    assert main(["cleanup", "--day", "Day1", "--all", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    (secret,) = {f["usd_per_hour"] for f in body["found"] if f["kind"] == "secret"}
    assert secret == round(PRICES.hourly("secretsmanager:secret"), 6)
    assert secret == pytest.approx(0.4 / 730, abs=0.000001)
