"""`scripts/docs --out`: a folder that cannot take the guides is refused with one line, exit 2,
before the templates are synthesized (that takes ~20 s): nothing here synthesizes a lab."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from stacks import guides

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_synthesis(monkeypatch):
    """The test fails if main() gets as far as synthesizing or writing."""

    def synthesized(*args, **kwargs):
        raise AssertionError("synthesized before refusing --out")

    monkeypatch.setattr("week5.synth.app_builder.synthesize_templates", synthesized)
    monkeypatch.setattr(guides, "write_guides", synthesized)


def _cases(tmp_path: Path):
    (tmp_path / "a-file").write_text("not a folder\n")
    long_name = "a" * 300
    return {
        "empty": (
            "",
            "--out '': give the folder to write the guides into, e.g. --out docs/labs",
        ),
        "blank": (
            "  ",
            "--out '  ': give the folder to write the guides into, e.g. --out docs/labs",
        ),
        "a file": (
            str(tmp_path / "a-file"),
            f"--out '{tmp_path}/a-file': '{tmp_path}/a-file' is a file; pass a folder for the "
            "guides, e.g. --out docs/labs",
        ),
        "a file's child": (
            str(tmp_path / "a-file" / "labs"),
            f"--out '{tmp_path}/a-file/labs': '{tmp_path}/a-file' is not a folder; make it "
            "first, or pass e.g. --out docs/labs",
        ),
        "a missing parent": (
            str(tmp_path / "no-such" / "labs"),
            f"--out '{tmp_path}/no-such/labs': '{tmp_path}/no-such' does not exist; make it "
            "first, or pass e.g. --out docs/labs",
        ),
        "a name too long": (
            f"{long_name}/labs",
            f"--out '{long_name[:157]}...': not a usable path (File name too long)",
        ),
    }


CASES = ["empty", "blank", "a file", "a file's child", "a missing parent", "a name too long"]


@pytest.mark.parametrize("case", CASES)
def test_an_out_that_cannot_take_the_guides_is_refused_before_synthesis(
    case, tmp_path, monkeypatch, capsys, no_synthesis
):
    work = tmp_path / "cwd"  # where a relative --out ('' is the current folder) would write
    work.mkdir()
    monkeypatch.chdir(work)
    given, line = _cases(tmp_path)[case]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert guides.main(["--out", given, "--no-pictures"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"scripts/docs: {line}"]
    assert out == ""
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_folder_that_cannot_be_written_to_is_refused(
    tmp_path, monkeypatch, capsys, no_synthesis
):
    """(Checked by os.access, stubbed: the tests may run as root, who may write anywhere.)"""
    asked = []
    monkeypatch.setattr(os, "access", lambda path, mode: asked.append(Path(path)) and False)
    assert guides.main(["--out", str(tmp_path / "labs")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"scripts/docs: --out '{tmp_path}/labs': '{tmp_path}' cannot be written to; pass --out "
        "a folder you can write to"
    ]
    assert asked == [tmp_path]


def test_a_new_folder_in_an_existing_one_is_written(tmp_path, monkeypatch, capsys):
    """The check lets a good --out through, resolved, to the (here stubbed) synthesis."""
    seen = _stub_synthesis(monkeypatch)
    monkeypatch.delenv(guides.CALLED_FROM, raising=False)  # python -m stacks.guides, directly
    monkeypatch.chdir(tmp_path)
    assert guides.main(["--out", "labs", "--no-pictures"]) == 0
    assert seen == [(tmp_path / "labs", False)]
    assert capsys.readouterr().out == "Wrote 1 files under labs\n"


def test_a_write_that_fails_after_synthesis_is_one_line(tmp_path, monkeypatch, capsys):
    """What the check cannot foresee (a full disk; /proc as root): one line, exit 2."""
    monkeypatch.setattr("week5.synth.app_builder.synthesize_templates", lambda *a: {})

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "labs" / "x.md"))

    monkeypatch.setattr(guides, "write_guides", full)
    assert guides.main(["--out", str(tmp_path / "labs")]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"scripts/docs: --out '{tmp_path}/labs': could not write {tmp_path}/labs/x.md (No space "
        "left on device)"
    ]
    assert out == ""


def _scripts_docs(*args, cwd=None):
    """scripts/docs as a user runs it: a new process (in ``cwd``)."""
    return subprocess.run(
        [str(ROOT / "scripts" / "docs"), *args], capture_output=True, text=True, timeout=60,
        cwd=cwd,
    )


def test_scripts_docs_refuses_an_existing_file_at_once(tmp_path):
    """As the trial ran it: a new process through scripts/docs; refused before synthesis."""
    target = tmp_path / "existing"
    target.write_text("keep me\n")
    result = _scripts_docs("--out", str(target), "--no-pictures")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"scripts/docs: --out '{target}': '{target}' is a file; pass a folder for the guides, "
        "e.g. --out docs/labs"
    ]
    assert result.stdout == ""
    assert target.read_text() == "keep me\n"


def _stub_synthesis(monkeypatch):
    """Synthesis and writing stubbed: what main() would write into, and whether pictures."""
    monkeypatch.setattr("week5.synth.app_builder.synthesize_templates", lambda *a: {})
    seen = []

    def write_guides(catalog, guide_texts, templates, out, pictures=True):
        seen.append((out, pictures))
        return [out / "index.md"]

    monkeypatch.setattr(guides, "write_guides", write_guides)
    return seen


def test_a_relative_out_is_taken_from_where_scripts_docs_was_run(tmp_path, monkeypatch, capsys):
    """scripts/docs changes into the project root; a relative --out is still the caller's (it
    wrote the guides among the project's files, "Wrote 29 files under ." in a re-trial)."""
    seen = _stub_synthesis(monkeypatch)
    caller, root = tmp_path / "caller", tmp_path / "root"
    caller.mkdir()
    root.mkdir()
    monkeypatch.setenv(guides.CALLED_FROM, str(caller))
    monkeypatch.chdir(root)  # where scripts/docs runs Python
    assert guides.main(["--out", "mydocs", "--no-pictures"]) == 0
    assert guides.main(["--out", ".", "--no-pictures"]) == 0
    assert guides.main(["--out", str(tmp_path / "elsewhere")]) == 0  # an absolute one as given
    assert seen == [(caller / "mydocs", False), (caller, False), (tmp_path / "elsewhere", True)]
    assert capsys.readouterr().out.splitlines() == [
        "Wrote 1 files under mydocs",
        "Wrote 1 files under .",
        f"Wrote 1 files under {tmp_path}/elsewhere",
    ]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["caller", "root"]


def test_the_default_is_the_project_docs_labs_wherever_scripts_docs_runs(
    tmp_path, monkeypatch, capsys
):
    seen = _stub_synthesis(monkeypatch)
    monkeypatch.setenv(guides.CALLED_FROM, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert guides.main([]) == 0
    assert seen == [(ROOT / "docs" / "labs", True)]
    assert capsys.readouterr().out == f"Wrote 1 files under {ROOT}/docs/labs\n"


def _project_cases(tmp_path: Path):
    other = tmp_path / "other-project"  # another CDK app: only its app.py
    other.mkdir()
    (other / "app.py").write_text("# an app\n")
    return {
        "the project root": (str(ROOT), ROOT, "cdk.json"),
        "'.' in the project root": (".", ROOT, "cdk.json"),
        "'..' from docs/": ("..", ROOT, "cdk.json"),
        "another project's folder": (str(other), other, "app.py"),
    }


@pytest.mark.parametrize(
    "case",
    ["the project root", "'.' in the project root", "'..' from docs/", "another project's folder"],
)
def test_a_project_s_own_folder_is_refused_before_synthesis(
    case, tmp_path, monkeypatch, capsys, no_synthesis
):
    """As `week5 check -o .` refuses a folder of files that are not an assembly: the guides
    (Day*.md, index.md, img/) are not written among a project's files."""
    given, folder, marker = _project_cases(tmp_path)[case]
    caller = ROOT / "docs" if given == ".." else ROOT if given == "." else tmp_path
    monkeypatch.setenv(guides.CALLED_FROM, str(caller))
    monkeypatch.chdir(tmp_path)
    assert guides.main(["--out", given, "--no-pictures"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"scripts/docs: --out '{given}': '{folder}' holds a project's files ({marker}); pass a "
        "folder for the guides alone, e.g. --out docs/labs"
    ]
    assert out == ""


def test_scripts_docs_takes_a_relative_out_from_the_folder_it_was_run_in(tmp_path):
    """A new process through scripts/docs, run in tmp_path (refused before synthesis, so that
    nothing is written, here or, were the --out taken from the project root, there)."""
    (tmp_path / "a-file").write_text("keep me\n")
    result = _scripts_docs("--out", "a-file/labs", "--no-pictures", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"scripts/docs: --out 'a-file/labs': '{tmp_path}/a-file' is not a folder; make it "
        "first, or pass e.g. --out docs/labs"
    ]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
