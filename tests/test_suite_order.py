"""The order scripts/test hands out the suite's units of work in (tests/conftest.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import SLOWEST_FIRST

TESTS = Path(__file__).resolve().parent


def groups_named_in_files() -> dict:
    """Each test module that names an xdist group (``pytest.mark.xdist_group("...")``): its group."""
    groups = {}
    for path in TESTS.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "xdist_group"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                groups[path.name] = node.args[0].value
    return groups


def test_the_slowest_units_named_first_exist():
    """A renamed file or group would silently drop out of the head of the queue."""
    units = {p.name for p in TESTS.glob("test_*.py")} | set(groups_named_in_files().values())
    assert "emulator" in units
    assert [name for name in SLOWEST_FIRST if name not in units] == []
    assert len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)


def test_the_emulators_files_are_not_listed_apart_from_their_group():
    """A file in a group is handed out with its group: listing it alone would do nothing."""
    grouped = groups_named_in_files()
    assert {"test_audit_labs.py", "test_emulator_labs.py", "test_local.py"} <= set(grouped)
    assert not set(grouped) & set(SLOWEST_FIRST)


def test_scripts_test_keeps_this_order():
    """pytest-xdist re-sorts the units by their number of tests unless told not to."""
    script = (TESTS.parent / "scripts" / "test").read_text(encoding="utf-8")
    assert "--dist loadgroup --no-loadscope-reorder" in script
