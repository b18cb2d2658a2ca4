"""`week5 check`'s edges: a bad ``-o`` is refused in one line before anything is synthesized
(it made ``/nonexistent/x`` and exited 0; ``-o ''`` was called a folder of other files), and an
assembly without a lab stack is the user's to fix, exit 2 with the fix, as cost and diagram say
it (check said it without a fix and exited 1)."""

from __future__ import annotations

import json

import pytest
from support import ROOT, error_lines

from week5.cli import check, main
from week5.cli.synthesis import NO_LAB_STACKS, output_folder
from week5.core.settings import shown


def _week5(capsys, *args):
    """(exit code, stdout, stderr) of `week5 ARGS` run in this process."""
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_synthesis(monkeypatch):
    """A refusal comes before synthesis: reaching it fails the test (quickly)."""

    def synthesized(*args, **kwargs):
        raise AssertionError("week5 check synthesized before refusing -o")

    monkeypatch.setattr(check, "synthesized", synthesized)
    monkeypatch.chdir(ROOT)


# (-o value under tmp_path, or as given; what the one line says after "-o <value>: ")
BAD_OUTPUTS = [
    ("{tmp}/missing/x", "'{tmp}/missing' does not exist; make it first, or pass e.g. -o cdk.out"),
    ("{tmp}/a-file/x", "'{tmp}/a-file' is not a folder; make it first, or pass e.g. -o cdk.out"),
    ("", "give the folder to keep the assembly in, e.g. -o cdk.out"),
    ("  ", "give the folder to keep the assembly in, e.g. -o cdk.out"),
    ("{tmp}/" + "x" * 300, "not a usable path (File name too long); pass e.g. -o cdk.out"),
]


@pytest.mark.parametrize(
    "given, says", BAD_OUTPUTS, ids=["missing parent", "file parent", "empty", "blank", "too long"]
)
def test_a_bad_output_folder_is_one_line_before_synthesis(
    tmp_path, capsys, no_synthesis, given, says
):
    (tmp_path / "a-file").write_text("not a folder")
    given, says = given.format(tmp=tmp_path), says.format(tmp=tmp_path)
    before = sorted(tmp_path.rglob("*"))
    code, out, err = _week5(capsys, "check", "Day1Lab1", "-o", given)
    assert code == 2, err
    assert out == ""
    (line,) = error_lines(err)
    assert line == f"week5: -o {shown(given, 160)}: {says}"  # a long path cut short
    assert sorted(tmp_path.rglob("*")) == before  # nothing made


def test_the_output_folders_check_takes_still_pass(tmp_path):
    """A new folder in one that exists, an empty folder, and an earlier assembly."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / "manifest.json").write_text("{}")
    for name in ("new", "empty", "earlier"):
        assert output_folder(str(tmp_path / name)) == tmp_path / name


@pytest.mark.parametrize("manifest", [{}, {"artifacts": {}}])
def test_an_assembly_without_lab_stacks_is_the_users_to_fix_as_cost_says(
    tmp_path, capsys, manifest
):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    code, out, err = _week5(capsys, "check", "--assembly", str(tmp_path))
    assert (code, out) == (2, "")
    assert error_lines(err) == [f"week5: {NO_LAB_STACKS}"]
    cost = _week5(capsys, "cost", "Day1Lab1", "--assembly", str(tmp_path))
    assert cost == (code, out, err)


@pytest.mark.parametrize("lab", ["Day9Lab9", "Day1Lab1\n"])
def test_a_lab_id_of_no_lab_is_the_commands_own_line(lab, capsys):
    """`week5 check Day9Lab9` answered about "context 'labs'", which the user never typed."""
    assert main(["check", lab]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"week5: {lab!r} is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1"
