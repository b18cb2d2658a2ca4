"""README's Constructs table says what each construct exposes: every attribute it names exists,
and every public attribute a construct has is named (a review found seven missing: LabHost's
`ssh_command`, BastionPair's `ssh_key` and commands, StaticSite's `website_url`, CloudMartStack's
`connections` and `grant_principal`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
from support import ROOT

from week5.constructs import (
    BastionPair,
    CloudMartStack,
    DataVolume,
    DockerHost,
    HaWebTier,
    LabHost,
    LabKeyPair,
    LeftoverCleanup,
    MultiAzVpc,
    MysqlDatabase,
    PostgresDatabase,
    RedisCache,
    ScheduledSnapshots,
    SharedFileSystem,
    StaticSite,
)

#: Rows that name a function, not a construct.
NOT_CONSTRUCTS = {"generated_password"}


def readme_rows() -> Dict[str, Set[str]]:
    """Construct name -> the names its row's Exposes cell gives (methods with their ``()``
    dropped; ``as `LabHost`, plus ...`` is LabHost's and those)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Constructs (`week5/constructs/`)", 1)[1].split("\n\n", 2)[1]
    rows: Dict[str, Set[str]] = {}
    for line in table.splitlines()[2:]:
        names_cell, _, exposes = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`(\w+)`", names_cell)
        based = re.match(r"as `(\w+)`, plus (.*)", exposes)
        items = based.group(2) if based else exposes
        # each item's first name: "`port_number` (the engine's, an `int`)" is port_number
        attrs = {m.group(1) for m in re.finditer(r"(?:^|,\s*)`(\w+)(?:\(\))?`", items)}
        if based:
            attrs |= rows[based.group(1)]
        for name in names:
            rows[name] = attrs
    return rows


def public_attributes(construct: Any) -> Set[str]:
    """What a user reads off the construct: its public instance attributes and the properties
    the library defines (not jsii's or constructs' own)."""
    names = {n for n in vars(construct) if not n.startswith("_") and n != "node"}
    for cls in type(construct).__mro__:
        if cls.__module__.startswith("week5."):
            names |= {
                n for n, v in vars(cls).items() if isinstance(v, property) and not n.startswith("_")
            }
    return names


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Dict[str, List[Any]]:
    """One of each construct of the table, in unit stacks (no synthesis)."""
    import aws_cdk as cdk
    from support import CourseAzStack, make_app

    def unit_stack(name: str) -> Any:
        app = make_app(tmp_path_factory.mktemp(name))
        return CourseAzStack(app, "UnitStack", env=cdk.Environment(region="ap-northeast-2"))

    stack = unit_stack("table")
    net = MultiAzVpc(stack, "Net")
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    data = DataVolume(stack, "Data", host=host)
    site = ROOT / "week5" / "assets" / "sites" / "cloudmart"
    return {
        "MultiAzVpc": [net],
        "LabHost": [host],
        "DockerHost": [DockerHost(stack, "Docker", vpc=net.vpc, subnet=net.public_subnets[0])],
        "BastionPair": [BastionPair(stack, "Pair", vpc=net.vpc)],
        "PostgresDatabase": [PostgresDatabase(stack, "Db", vpc=net.vpc)],
        "MysqlDatabase": [MysqlDatabase(stack, "MyDb", vpc=net.vpc)],
        "RedisCache": [RedisCache(stack, "Cache", vpc=net.vpc)],
        "StaticSite": [StaticSite(stack, "Site", content_dir=Path(site))],
        "SharedFileSystem": [SharedFileSystem(stack, "Fs", vpc=net.vpc)],
        "DataVolume": [data],
        "ScheduledSnapshots": [ScheduledSnapshots(stack, "Snaps", volume=data.volume)],
        "LabKeyPair": [LabKeyPair(stack, "Key")],
        "LeftoverCleanup": [LeftoverCleanup(stack, "Leftovers", volumes=[data.volume])],
        "HaWebTier": [HaWebTier(stack, "Web", vpc=net.vpc)],
        "CloudMartStack": [CloudMartStack(unit_stack("cloudmart"), "Shop")],
    }


def test_the_table_has_a_row_for_each_construct_built_here(built):
    assert set(readme_rows()) - NOT_CONSTRUCTS == set(built)


@pytest.mark.parametrize("row", sorted(set(readme_rows()) - NOT_CONSTRUCTS))
def test_a_rows_exposes_are_the_constructs_attributes(built, row):
    names_of_row = [n for n, attrs in readme_rows().items() if attrs == readme_rows()[row]]
    said = readme_rows()[row]
    constructs = [c for name in names_of_row for c in built[name]]
    # A row of several constructs (DataVolume and ScheduledSnapshots) lists what each has.
    has = set().union(*(public_attributes(c) for c in constructs))
    # read off the class: a property may refuse (LabHost's ssh_command without a key pair)
    methods = {n for c in constructs for n in dir(type(c)) if callable(getattr(type(c), n))}
    assert said - has - methods == set(), f"README names what {row} lacks"
    assert public_attributes(built[row][0]) - said == set(), f"README's {row} row leaves these out"
