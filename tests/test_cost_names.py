"""`week5 cost` names each row as the lab's guide names it (a student trial could not match
`BastionPairBastionInstance5FEE45ECf8937cf39eff8f93` to the guide's `week5-day1-bastion`), keeps
the logical id in `--json` (``logical_id``, beside ``name``, the old fields as they were), and
prices what it priced before."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import fields

from support import ROOT

from stacks.catalog import CATALOG
from stacks.guides import GUIDES
from week5.analysis import pricing
from week5.analysis.guide import generate
from week5.analysis.topology import label
from week5.cli import cost as cost_command
from week5.cli.table import usd

LAB = "Day1Lab2"


def guide_rows(app):
    """(name, count, unit, $/hour) of each row of the guide's cost table, as generated."""
    files = generate([CATALOG.get(LAB)], GUIDES, templates=app.templates, pictures=False)
    costs = files[f"{LAB}.md"].split("| 리소스 | 개수 |")[1].split("\n\n")[0]
    rows = []
    for line in costs.splitlines()[2:]:  # past the header's end and the |---| line
        name_type, count, unit, _unit_price, hourly = (c.strip() for c in line.strip("|").split("|"))
        rows.append((re.sub(r" \([^()]*\)$", "", name_type), count, unit, hourly))
    return rows


def text_rows(text):
    """The cells of each row of `week5 cost`'s table, cut where the header's dashes are."""
    lines = text.splitlines()
    dashes = next(i for i, line in enumerate(lines) if line.startswith("---"))
    starts = [m.start() for m in re.finditer(r"-+", lines[dashes])]
    ends = starts[1:] + [None]
    body = []
    for line in lines[dashes + 1 :]:
        if line.startswith(("Total:", "NOT PRICED:")):
            break
        body.append(tuple(line[s:e].strip() for s, e in zip(starts, ends)))
    return body


def test_each_row_is_named_as_the_guide_names_it(app):
    est = pricing.estimate(app.templates[LAB])
    text = cost_command.format_cost(LAB, 0.15, est)
    rows = text_rows(text)
    shown = Counter(
        (re.sub(r" \[[^\]]*\]$", "", resource), count, unit, hourly)
        for resource, count, unit, _price, _basis, hourly in rows
    )
    assert shown == Counter(guide_rows(app))
    assert "week5-day1-bastion [ec2:t3.micro]" in text
    assert not any("BastionPairBastionInstance" in line for line in text.splitlines())


def test_the_figures_are_the_ones_before(app):
    """Only the first column's name changed: each row's figures are its item's, the totals
    the estimate's."""
    est = pricing.estimate(app.templates[LAB])
    text = cost_command.format_cost(LAB, 0.15, est, 12)
    figures = Counter(row[1:] for row in text_rows(text))
    assert figures == Counter(
        (f"{i.count:g}", i.unit, f"{i.unit_price:g}", f"{i.date} / {i.basis}", f"{i.hourly:.4f}")
        for i in est.items
    )
    one, many = est.totals(1), est.totals(12)
    assert f"Total: {usd(one['hour'], 4)}/hour, {usd(one['lab'], 4)} per 50-minute lab" in text
    assert f"For 12 students: {usd(many['hour'], 4)}/hour" in text


def test_json_keeps_its_fields_and_adds_the_name_and_logical_id(app):
    result = subprocess.run(
        [sys.executable, "-m", "week5", "cost", LAB, "--assembly", str(app.outdir), "--json"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    template = app.templates[LAB]
    est = pricing.estimate(template)
    old = [f.name for f in fields(pricing.LineItem)]
    assert len(body["items"]) == len(est.items) and est.items
    for item, before in zip(body["items"], est.items):
        assert list(item) == old + ["name", "logical_id"]
        assert [item[k] for k in old] == json.loads(json.dumps([getattr(before, k) for k in old]))
        assert item["logical_id"] == item["resource"] == before.resource
        assert item["name"] == label(before.resource, template["Resources"][before.resource])
    by_id = {i["logical_id"]: i["name"] for i in body["items"]}
    assert by_id[next(k for k in by_id if k.startswith("BastionPairBastionInstance"))] == (
        "week5-day1-bastion"
    )
    assert body["hourly_usd"] == round(est.hourly, 6) and body["not_priced"] == []


def test_an_unreadable_or_hand_made_item_keeps_its_logical_id():
    """A resource label() cannot read (a deployed template's odd Properties) and an Estimate
    built without a template are shown by their logical ids, never an error."""
    est = pricing.estimate(
        {
            "Resources": {
                "Odd": {"Type": "AWS::EC2::Instance", "Properties": "not a mapping"},
                "NoType": ["x"],
                "Tagged": {
                    "Type": "AWS::KMS::Key",
                    "Properties": {"Tags": [{"Key": "Name", "Value": "week5-key"}]},
                },
            }
        }
    )
    assert {i.resource: est.name_of(i) for i in est.items} == {
        "Odd": "Odd",
        "NoType": "NoType",
        "Tagged": "week5-key",
    }
    hand = pricing.Estimate(items=[pricing.LineItem("Abc123", "t", "k", 1, "u", 1.0, 1.0)])
    assert hand.name_of(hand.items[0]) == "Abc123"
    assert hand.to_json()["items"][0]["name"] == "Abc123"
