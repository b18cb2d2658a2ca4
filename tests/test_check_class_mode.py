"""`week5 check` in class mode: a lab is one student's copy (Day4Lab1-kim), as `week5 labs`
lists it. A trial found a dead end: `check Day4Lab1 -c students=kim,lee` synthesized, then
said to pass a copy, and `check Day4Lab1-kim` answered "'Day4Lab1-kim' is not a lab id"."""

from __future__ import annotations

import contextlib

import pytest
from support import ROOT
from test_quotas import fake_assembly, lab_template

import week5.cli
from week5.cli import check as check_cli

CLASS = ["-c", "students=kim,lee"]


@pytest.fixture
def built(monkeypatch, tmp_path):
    """What `week5 check` asked to synthesize (lab ids), answered with an assembly holding kim's
    and lee's copies of Day4Lab1."""
    asked = []
    assembly = fake_assembly(
        tmp_path / "out",
        {f"Day4Lab1-{name}": lab_template("Day4Lab1") for name in ("kim", "lee")},
    )

    @contextlib.contextmanager
    def synthesized(_args, labs=(), **_kwargs):
        asked.append(list(labs))
        yield assembly, 1.0

    monkeypatch.setattr(check_cli, "synthesized", synthesized)
    monkeypatch.chdir(ROOT)
    return asked


def test_a_copy_is_checked_by_synthesizing_its_lab(built, capsys):
    code = week5.cli.main(["check", "Day4Lab1-kim", *CLASS])
    out, err = capsys.readouterr()
    assert built == [["Day4Lab1"]], err
    rows = [line.split()[0] for line in out.splitlines() if line.startswith("Day4Lab1")]
    assert rows == ["Day4Lab1-kim"], out
    # The stand-in template (networking alone, a number in its metadata) has a cfn-lint error:
    # the copy was linted, not skipped.
    assert code == 1 and "cfn-lint found errors in Day4Lab1-kim" in err


@pytest.mark.parametrize(
    "args, said",
    [
        (["Day4Lab1", *CLASS], "pass one, e.g. week5 check Day4Lab1-kim"),
        (["Day4Lab1-kim"], "is kim's copy of Day4Lab1 in class mode"),
        (["Day4Lab1-park", *CLASS], "'park' is not among the class's students"),
        (["Day4Lab9-kim", *CLASS], "'Day4Lab9-kim' is not a lab id"),
    ],
)
def test_what_class_mode_refuses_is_one_line_before_any_synthesis(built, capsys, args, said):
    code = week5.cli.main(["check", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and built == []
    assert len(err) == 1 and said in err[0], err


def test_a_copy_in_a_class_assembly_is_checked_too(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1-kim": lab_template("Day4Lab1")})
    code = week5.cli.main(["check", "Day4Lab1-kim", "--assembly", str(assembly)])
    out, err = capsys.readouterr()
    assert code == 1 and "Day4Lab1-kim" in out and "cfn-lint found errors in Day4Lab1-kim" in err
