"""A damaged, unreadable or unwritable cache (week5/cli/assembly_cache.py, lint_cache.py) never
gives a traceback, nor a wrong or stale answer: at worst one line on stderr and a fresh synthesis
or lint (a user trial, T17-A, found each case below failing).

The assembly cache's tests run the real commands in a small project with a fake `cdk synth`, as
tests/test_assembly_cache.py does; the lint cache's lint small templates with the real cfn-lint."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import test_assembly_cache
from support import ROOT, error_lines
from test_assembly_cache import FakeCdk, cached, cost, week5

from week5.analysis import lint
from week5.analysis.lint import lint_template
from week5.cli import assembly_cache, lint_cache, synthesis
from week5.cli.errors import EXIT_FAILED, EXIT_USAGE, CliError

#: The small project and the fake `cdk synth` of tests/test_assembly_cache.py.
project = test_assembly_cache.project
cdk = test_assembly_cache.cdk


def entry_of(root: Path) -> Path:
    (entry,) = cached(root)
    return entry


def description(entry: Path) -> str:
    return json.loads((entry / "Day4Lab1.template.json").read_text())["Description"]


def readable(entry: Path) -> bool:
    manifest = json.loads((entry / "manifest.json").read_text())
    return all(
        json.loads((entry / a["properties"]["templateFile"]).read_text())
        for a in manifest["artifacts"].values()
    )


# --- what is at an entry's name ------------------------------------------------------------


def folder_without_manifest(path: Path) -> None:
    path.mkdir()
    (path / "Day4Lab1.template.json").write_text("{}")  # a copy cut short, say


def plain_file(path: Path) -> None:
    path.write_text("not an entry")


def symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


def dangling_symlink(path: Path) -> None:
    path.symlink_to("gone")


NOT_AN_ENTRY = {
    "a folder without manifest.json": folder_without_manifest,
    "a file": plain_file,
    "a symlink loop": symlink_loop,
    "a dangling symlink": dangling_symlink,
}


@pytest.mark.parametrize("no_cache", [False, True], ids=["cached", "--no-cache"])
@pytest.mark.parametrize("make", NOT_AN_ENTRY.values(), ids=NOT_AN_ENTRY.keys())
def test_whatever_is_at_an_entrys_name_makes_way_for_the_entry(
    project, cdk, capsys, make, no_cache
):
    """lookup() takes none of these for an entry; store() renamed onto it: "Directory not
    empty", NotADirectoryError, a loop's error, as a traceback (--no-cache too)."""
    cost(capsys)
    entry = entry_of(project)
    assembly_cache.shutil.rmtree(entry)
    make(entry)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json", *(["--no-cache"] * no_cache))
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and len(cdk.runs) == 2
    assert entry_of(project) == entry and entry.is_dir() and not entry.is_symlink()
    assert readable(entry)
    assert [p.name for p in (project / ".week5-cache").iterdir()] == [entry.name]  # no tmp-*
    cost(capsys)
    assert len(cdk.runs) == 2  # and it answers the next command


# --- a damaged entry -------------------------------------------------------------------------


def emptied(path: Path) -> None:
    path.write_text("")


def cut_short(path: Path) -> None:
    path.write_text(path.read_text()[: len(path.read_text()) // 2])


DAMAGE = {
    "manifest.json emptied": ("manifest.json", emptied),
    "manifest.json cut short": ("manifest.json", cut_short),
    "a template emptied": ("Day4Lab1.template.json", emptied),
    "a template cut short": ("Day4Lab1.template.json", cut_short),
}


@pytest.mark.parametrize("name, damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_synthesized_afresh_and_replaced(project, cdk, capsys, name, damage):
    """It was served: "... manifest cannot be read ...", exit 2, every time until --no-cache."""
    cost(capsys)
    entry = entry_of(project)
    damage(entry / name)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1"
    said = [line for line in err.splitlines() if "damaged" in line]
    assert said == [f"==> the cached assembly .week5-cache/{entry.name} is damaged; "
                    "synthesizing afresh"]  # fmt: skip
    assert len(cdk.runs) == 2 and entry_of(project) == entry and readable(entry)
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and len(cdk.runs) == 2 and "==> assembly from the cache" in err


def test_a_damaged_template_in_the_assembly_of_every_lab_is_not_served(project, cdk, capsys):
    assert week5(capsys, "labs", "--json")[0] == 0
    emptied(entry_of(project) / "Day4Lab1.template.json")
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and cdk.runs == [[], ["labs=Day4Lab1"]]
    assert "is damaged; synthesizing afresh" in err


def test_a_damaged_validated_entry_is_replaced_for_a_check(project, cdk, capsys):
    assert week5(capsys, "check", "Day4Lab1")[0] == 0
    emptied(entry_of(project) / "manifest.json")
    code, _, err = week5(capsys, "check", "Day4Lab1")
    assert code == 0, err
    assert len(cdk.runs) == 2 and "is damaged; synthesizing afresh" in err
    assert "skipped CDK's CloudFormation validation" not in err
    assert readable(entry_of(project))


def test_a_damaged_one_lab_entry_is_replaced_not_answered_by_every_labs(project, cdk, capsys):
    """With a good entry of every lab beside it, the damaged one-lab entry was said to be
    synthesized afresh, but the every-lab entry answered: nothing was synthesized, the damaged
    entry stayed, and both lines came back on every command."""
    cost(capsys)  # the labs=Day4Lab1 entry
    assert week5(capsys, "labs", "--json")[0] == 0  # the entry of every lab
    (one_lab,) = [e for e in cached(project) if labs_in(e) == ["Day4Lab1"]]
    emptied(one_lab / "manifest.json")
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1"
    assert cdk.runs == [["labs=Day4Lab1"], [], ["labs=Day4Lab1"]]
    assert "is damaged; synthesizing afresh" in err and "cached assembly of every lab" not in err
    assert readable(one_lab) and description(one_lab) == "synthesis 3"
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and len(cdk.runs) == 3 and "damaged" not in err
    assert "==> assembly from the cache" in err


def labs_in(entry: Path) -> list:
    artifacts = json.loads((entry / "manifest.json").read_text())["artifacts"]
    return sorted(a["displayName"] for a in artifacts.values())


class WithAssets(FakeCdk):
    """A `cdk synth` that also writes each stack's asset manifest and metadata file, named in
    the manifest as the CLI names them (``dependencies``, ``additionalMetadataFile``)."""

    def __call__(self, root, outdir, context=(), app=None, validation=True) -> float:
        seconds = super().__call__(root, outdir, context, app, validation)
        manifest = json.loads((outdir / "manifest.json").read_text())
        artifacts = manifest["artifacts"]
        for lab in [name for name, a in artifacts.items() if a["type"].endswith(":stack")]:
            (outdir / f"{lab}.assets.json").write_text(json.dumps({"version": "48.0.0",
                                                                   "files": {}}))  # fmt: skip
            (outdir / f"{lab}.metadata.json").write_text(json.dumps({f"/{lab}": []}))
            artifacts[f"{lab}.assets"] = {"type": "cdk:asset-manifest",
                                          "properties": {"file": f"{lab}.assets.json"}}  # fmt: skip
            artifacts[lab]["dependencies"] = [f"{lab}.assets"]
            artifacts[lab]["additionalMetadataFile"] = f"{lab}.metadata.json"
        (outdir / "manifest.json").write_text(json.dumps(manifest))
        return seconds


@pytest.mark.parametrize("name", ["Day4Lab1.assets.json", "Day4Lab1.metadata.json"])
@pytest.mark.parametrize("damage", [emptied, cut_short], ids=["emptied", "cut short"])
def test_a_damaged_asset_manifest_or_metadata_file_is_synthesized_afresh(
    project, capsys, monkeypatch, name, damage
):
    """Only the manifest and the templates were read: an entry with a cut-short
    Day4Lab1.assets.json was served, and every `cdk deploy` from it (`week5 local`) failed
    until --no-cache."""
    fake = WithAssets()
    monkeypatch.setattr(synthesis, "synthesize", fake)
    cost(capsys)
    entry = entry_of(project)
    damage(entry / name)
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert len(fake.runs) == 2 and "is damaged; synthesizing afresh" in err
    assert json.loads((entry / name).read_text())  # replaced by the new synthesis


def test_a_users_damaged_assembly_keeps_its_one_line_error(project, cdk, capsys):
    """--assembly DIR is the user's folder: named in one line, exit 2, never synthesized."""
    mine = project / "cdk.out"
    mine.mkdir()
    (mine / "manifest.json").write_text("")
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--assembly", str(mine))
    assert code == EXIT_USAGE and out == "" and cdk.runs == []
    (line,) = error_lines(err)
    assert line.startswith(f"week5: {mine / 'manifest.json'}: the cloud assembly's manifest "
                           "cannot be read")  # fmt: skip
    assert "synthesizing afresh" not in err


# --- a cache that cannot be written ----------------------------------------------------------


def refuse_utime(monkeypatch, error: OSError) -> None:
    real = os.utime

    def utime(path, *args, **kwargs):
        if ".week5-cache" in str(path):
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "utime", utime)


def test_a_read_only_cache_still_answers_from_its_entries(project, cdk, capsys, monkeypatch):
    """A read-only cache (as root the tests cannot make one: its utime fails here) synthesized
    every time, 6.7 s where the entry answers in 0.3 s."""
    cost(capsys)
    refuse_utime(monkeypatch, PermissionError(errno.EACCES, "Permission denied"))
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and len(cdk.runs) == 1 and "==> assembly from the cache" in err


def test_an_entry_pruned_meanwhile_is_a_miss(project, cdk, capsys, monkeypatch):
    cost(capsys)
    refuse_utime(monkeypatch, FileNotFoundError(errno.ENOENT, "No such file or directory"))
    key = entry_of(project).name
    assert assembly_cache.lookup(project, key) is None


class FullDisk(FakeCdk):
    """A `cdk synth` whose writes into the cache fail with ENOSPC, as Node reports it."""

    def __call__(self, root, outdir, context=(), app=None, validation=True) -> float:
        if ".week5-cache" in str(outdir):
            self.runs.append(list(context))
            raise CliError(
                "cdk synth failed (exit 1):\nError: ENOSPC: no space left on device, write\n"
                "    at Object.writeFileSync (node:fs:2372:20)",
                EXIT_FAILED,
            )
        return super().__call__(root, outdir, context, app, validation)


def test_a_full_disk_under_the_cache_synthesizes_into_a_temporary_folder(
    project, capsys, monkeypatch
):
    full = FullDisk()
    monkeypatch.setattr(synthesis, "synthesize", full)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and len(full.runs) == 2
    assert "(no cache: .week5-cache/: no space left on the device; synthesizing into a " in err
    assert "the assembly is not kept)" in err
    assert cached(project) == []


def test_a_full_disk_when_storing_the_record_synthesizes_into_a_temporary_folder(
    project, cdk, capsys, monkeypatch
):
    real = Path.write_text

    def write_text(path, *args, **kwargs):
        if path.name == assembly_cache.RECORD_FILE:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and len(cdk.runs) == 2
    assert "no space left" in err and cached(project) == []


def test_an_entry_this_user_cannot_open_is_no_traceback(project, cdk, capsys, monkeypatch):
    """Another user's entry, mode 0700 (as root the tests cannot be refused: is_file fails
    here): checking it raised PermissionError, in lookup() and again in store(). It is a miss,
    and moved aside for the new entry."""
    cost(capsys)
    entry = entry_of(project)
    real = Path.is_file

    def is_file(path):
        if path == entry / "manifest.json" and description(entry) == "synthesis 1":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "is_file", is_file)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and len(cdk.runs) == 2
    assert description(entry) == "synthesis 2"


def test_a_cache_that_fails_midway_synthesizes_outside_it(project, cdk, capsys, monkeypatch):
    """Any other OSError of the cache (renaming the entry in, here): once more into a temporary
    folder, one line, not a traceback."""
    def rename(source, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(source))

    monkeypatch.setattr(assembly_cache.os, "rename", rename)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1" and len(cdk.runs) == 2
    assert "(no cache: .week5-cache/: Permission denied; synthesizing into a temporary " in err


def test_another_synthesis_failure_is_not_taken_for_a_full_disk(project, cdk, capsys):
    cdk.fail = True
    code, _, err = week5(capsys, "cost", "Day4Lab1")
    assert code == EXIT_USAGE and len(cdk.runs) == 1 and "no space" not in err


def test_a_cli_that_cannot_start_is_not_blamed_on_the_cache(project, capsys, monkeypatch):
    """A `cdk` that cannot be executed (its first line names an interpreter without execute
    permission): the PermissionError of starting it was taken for the cache's, "(no cache:
    .week5-cache/: Permission denied; ...)", synthesized again and ended in a traceback."""
    tools = project / "node_modules" / ".bin"
    tools.mkdir(parents=True)
    (tools / "node").symlink_to(ROOT / "node_modules" / ".bin" / "node")
    interpreter = tools / "not-executable"
    interpreter.write_text("#!/bin/sh\n")
    interpreter.chmod(0o644)
    (tools / "cdk").write_text(f"#!{interpreter}\n")
    (tools / "cdk").chmod(0o755)
    real, runs = synthesis.synthesize, []

    def counted(root, outdir, *args, **kwargs):
        runs.append(outdir)
        return real(root, outdir, *args, **kwargs)

    monkeypatch.setattr(synthesis, "synthesize", counted)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == EXIT_FAILED and out == "" and len(runs) == 1
    assert "no cache" not in err
    (line,) = error_lines(err)
    assert line == (f"week5: the CDK CLI {str(tools / 'cdk')!r} cannot be started (Permission "
                    "denied); run scripts/setup (it installs it with Node 22)")  # fmt: skip
    assert cached(project) == [] and list((project / ".week5-cache").iterdir()) == []


def test_an_os_error_of_the_synthesis_is_not_the_caches(project, capsys, monkeypatch):
    """store() let every OSError out, and the caller took the synthesis's own for the cache's:
    one line blaming the cache, and the failing synthesis run twice."""
    runs = []

    def synthesize(root, outdir, *args, **kwargs):
        runs.append(outdir)
        raise PermissionError(errno.EACCES, "Permission denied", "node_modules/.bin/cdk")

    monkeypatch.setattr(synthesis, "synthesize", synthesize)
    with pytest.raises(PermissionError):
        week5(capsys, "cost", "Day4Lab1", "--json")
    assert len(runs) == 1 and "no cache" not in capsys.readouterr().err
    assert list((project / ".week5-cache").iterdir()) == []  # its tmp-* folder removed


def test_a_cache_it_cannot_prune_still_keeps_the_entry(project, cdk, capsys, monkeypatch):
    def prune(root, keep=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(root / ".week5-cache"))

    monkeypatch.setattr(assembly_cache, "prune", prune)
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and len(cdk.runs) == 1 and "no cache" not in err
    assert "    kept in .week5-cache/" in err and readable(entry_of(project))


# --- files the key cannot read ---------------------------------------------------------------


@pytest.mark.parametrize("no_cache", [False, True], ids=["cached", "--no-cache"])
def test_a_symlink_loop_among_the_sources_is_no_traceback(project, cdk, capsys, no_cache):
    """`ln -s loop.txt week5/assets/loop.txt`: ELOOP while hashing, for every command."""
    loop = project / "week5" / "assets" / "loop.txt"
    loop.symlink_to("loop.txt")
    for _ in range(2):
        code, out, err = week5(capsys, "cost", "Day4Lab1", "--json", *(["--no-cache"] * no_cache))
        assert code == 0, err
        assert json.loads(out)["lab"] == "Day4Lab1"
    assert len(cdk.runs) == (2 if no_cache else 1)  # the key is stable: the entry answers
    loop.unlink()
    loop.write_text("now a file\n")
    cost(capsys)
    assert len(cdk.runs) == (3 if no_cache else 2)  # and changes when the file is readable


def test_an_unreadable_source_counts_by_its_name_and_error(project, monkeypatch):
    """No read permission (as root the tests cannot take it away: read_bytes fails here)."""
    key = assembly_cache.assembly_key(project, [])
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "server.js":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    unreadable = assembly_cache.assembly_key(project, [])
    assert unreadable != key and assembly_cache.assembly_key(project, []) == unreadable


# --- the lint cache ----------------------------------------------------------------------------

VPC = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}


@pytest.fixture
def vpc(tmp_path) -> Path:
    path = tmp_path / "Vpc.template.json"
    path.write_text(json.dumps(VPC))
    return path


def test_a_read_only_lint_cache_answers_without_a_traceback(tmp_path, vpc, monkeypatch):
    first, cached_ = lint_cache.cached_lint(tmp_path, vpc)
    assert not cached_
    refuse_utime(monkeypatch, PermissionError(errno.EACCES, "Permission denied"))
    assert lint_cache.cached_lint(tmp_path, vpc) == (first, True)


def test_a_dangling_link_in_the_lint_folder_does_not_stop_pruning(tmp_path, monkeypatch):
    """p.stat() raised inside sorted(), under the store's `except OSError`: no file was ever
    pruned again."""
    monkeypatch.setattr(lint_cache, "KEEP_FILES", 2)
    monkeypatch.setattr(lint_cache, "lint_template", lambda path: [])
    folder = tmp_path / ".week5-cache" / "lint"
    folder.mkdir(parents=True)
    (folder / "dangling.json").symlink_to("gone.json")
    template = tmp_path / "t.json"
    for cidr in ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"):
        template.write_text(json.dumps({"Resources": {"V": {
            "Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}}}))  # fmt: skip
        lint_cache.cached_lint(tmp_path, template)
    kept = [p for p in folder.glob("*.json") if not p.is_symlink()]
    assert len(kept) == 2


#: A cfn-lint custom rule that fails the template above (a VPC's CIDR must be 10.9.0.0/16; line
#: 1 of rules.txt: E9001).
CUSTOM_RULE = "AWS::EC2::VPC CidrBlock == 10.9.0.0/16 ERROR a student's own rule\n"


@pytest.fixture
def fresh_runner():
    """lint's runner is built once a process: built again here, and not kept after."""
    lint._runner.cache_clear()
    yield
    lint._runner.cache_clear()


@pytest.mark.parametrize("where", ["cwd", "home"])
@pytest.mark.parametrize("name", [".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml"])
def test_a_cfnlintrc_changes_nothing_cold_or_warm(
    tmp_path, vpc, monkeypatch, fresh_runner, where, name
):
    """cfn-lint reads .cfnlintrc in the working folder and ~ unless given a config file; the
    lint cache's key cannot see it, so a warm `week5 check` gave a stale PASS or FAIL once one
    appeared or went. `week5 check` lints with the course's settings only."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    assert lint_cache.cached_lint(work, vpc) == ([], False)
    folder = work if where == "cwd" else home
    (folder / "rules.txt").write_text(CUSTOM_RULE)
    (folder / name).write_text(f"custom_rules: {folder / 'rules.txt'}\ninclude_checks: [I]\n")
    lint._runner.cache_clear()  # a new process: `week5 check` again
    assert lint_template(vpc) == []  # cold
    assert lint_cache.cached_lint(work, vpc) == ([], True)  # warm
    assert lint_cache.cached_lint(work, vpc, refresh=True) == ([], False)


def test_cfn_lint_itself_applies_a_cfnlintrc_in_the_working_folder(tmp_path, vpc, monkeypatch):
    """What the test above keeps out: cfn-lint's runner, configured as `week5 check` built it
    before (no config file given), reads the .cfnlintrc and its custom rule fails the
    template."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.txt").write_text(CUSTOM_RULE)
    (tmp_path / ".cfnlintrc").write_text("custom_rules: rules.txt\n")
    config = ManualArgs(regions=["ap-northeast-2"], ignore_checks=list(lint.IGNORED_CHECKS))
    template, _ = decode_str(vpc.read_text())
    matches = Runner(ConfigMixIn(**config)).validate_template(template)
    assert [(m.rule.id, m.message) for m in matches] == [("E9001", "a student's own rule")]
