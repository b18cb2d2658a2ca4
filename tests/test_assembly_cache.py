"""The assembly cache (issue #18): a `week5` command on unchanged inputs reads the assembly an
earlier one synthesized; any input that decides the templates makes it synthesize again.

Most tests run the real commands (`week5.cli.main`) in a small project folder with the CDK CLI
replaced by a counter that writes an assembly; one runs the real `week5 cost Day4Lab1` twice
through the pinned CLI, counting its starts."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional

import pytest
from support import ROOT, counting_cdk, error_lines, make_app
from test_quotas import fake_assembly, lab_template

from stacks.catalog import CATALOG
from week5.cli import assembly_cache, main, synthesis
from week5.cli import local as local_cli
from week5.cli import preflight as preflight_cli
from week5.cli import quotas as quotas_cli
from week5.cli.errors import EXIT_USAGE, CliError
from week5.core.catalog import LAB_METADATA_KEY
from week5.operations import preflight
from week5.synth.app_builder import build_labs

#: What the fake `cdk synth` builds when no ``labs=`` context names labs.
EVERY_LAB = ("Day1Lab1", "Day4Lab1")

PROJECT_FILES = {
    "app.py": "from stacks import day4\n",
    # Context the course takes: the context is checked before the cache is looked at.
    "cdk.json": json.dumps(
        {"app": "python app.py", "context": {"azs": "ap-northeast-2a,ap-northeast-2b"}}
    ),
    "stacks/day4.py": "from week5.constructs import vpc\n",
    "week5/constructs/vpc.py": "CIDR = '10.0.0.0/16'\n",
    "week5/assets/sites/shop/index.html": "<h1>shop</h1>\n",
    "week5/assets/apps/api/server.js": "listen(8080)\n",
    "week5/assets/apps/api/node_modules/dep/index.js": "module.exports = 1\n",
    "week5/constructs/__pycache__/vpc.cpython-311.pyc": "compiled\n",
    "docs/labs/day4.md": "# Day 4\n",
    "tests/test_vpc.py": "def test(): pass\n",
    "node_modules/aws-cdk/package.json": json.dumps({"version": "2.1148.1"}),
    "node_modules/node/package.json": json.dumps({"version": "22.23.3"}),
}


def template(lab_id: str, description: str) -> dict:
    """A lab's template with one resource that cfn-lint passes and nothing to price."""
    info = {**lab_template(lab_id)["Metadata"][LAB_METADATA_KEY], "CourseCostUsd": "0.3"}
    return {
        "Description": description,
        "Metadata": {LAB_METADATA_KEY: info},  # a number there is cfn-lint's E4002
        "Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
    }


class FakeCdk:
    """Stands in for `cdk synth`: counts its runs and writes each lab the context selects;
    ``validation`` holds the CDK_VALIDATION each run's `cdk synth` would get (None: unset)."""

    def __init__(self) -> None:
        self.runs: List[List[str]] = []
        self.validation: List[Optional[str]] = []
        self.fail = False

    def __call__(self, root: Path, outdir: Path, context=(), app=None, validation=True) -> float:
        self.runs.append(list(context))
        self.validation.append(synthesis.tool_env(root, validation).get("CDK_VALIDATION"))
        if self.fail:
            (outdir / "half-written.json").write_text("{")
            raise CliError("context 'student'='Kim' is not a valid student name", EXIT_USAGE)
        named = [c.split("=", 1)[1] for c in context if c.startswith("labs=")]
        labs = named[-1].split(",") if named else EVERY_LAB
        fake_assembly(outdir, {lab: template(lab, f"synthesis {len(self.runs)}") for lab in labs})
        return 0.5


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder (the working directory) with its own site-packages and home."""
    root = tmp_path / "project"
    for name, text in PROJECT_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    site = tmp_path / "site-packages"
    for dist in ("aws_cdk_lib-2.275.0", "cdk_nag-3.0.2", "constructs-10.8.1", "jsii-1.142.0"):
        (site / f"{dist}.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # ~/.cdk.json
    for name in [n for n in os.environ if n.startswith(assembly_cache.ENV_PREFIXES)]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cdk(monkeypatch) -> FakeCdk:
    fake = FakeCdk()
    monkeypatch.setattr(synthesis, "synthesize", fake)
    return fake


def week5(capsys, *args: str):
    """`week5 ARGS` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cost(capsys, *extra: str) -> dict:
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json", *extra)
    assert code == 0, err
    return json.loads(out)  # stdout is the JSON alone, from the cache or not


def cached(root: Path) -> List[Path]:
    return assembly_cache.entries(root)


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files)).hexdigest()


def test_a_repeated_command_reads_the_assembly_without_synthesizing(project, cdk, capsys):
    first = cost(capsys)
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and json.loads(out) == first
    assert len(cdk.runs) == 1
    assert "==> assembly from the cache (.week5-cache/" in err and "synthesizing" not in err
    (entry,) = cached(project)
    assert entry.parent == project / ".week5-cache" and (entry / "Day4Lab1.template.json").is_file()
    # the folder named is the one there (a student's `ls .week5-cache/91aa69cfd47d` failed)
    assert f"(.week5-cache/{entry.name}, synthesized" in err


def edit(name: str, text: str = "changed\n") -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)

    return change


def remove(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    return lambda root, monkeypatch: (root / name).unlink()


def site_packages() -> Path:
    return next(Path(p) for p in sys.path if Path(p, "aws_cdk_lib-2.275.0.dist-info").is_dir())


def upgrade(old: str, new: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    return lambda root, monkeypatch: (site_packages() / old).rename(site_packages() / new)


def user_context(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["HOME"])
    home.mkdir(exist_ok=True)
    (home / ".cdk.json").write_text(json.dumps({"context": {"student": "kim"}}))


INVALIDATING = {
    "a construct file edited": edit("week5/constructs/vpc.py", "CIDR = '10.1.0.0/16'\n"),
    "a construct file added": edit("week5/constructs/alb.py", "PORT = 80\n"),
    "a construct file deleted": remove("week5/constructs/vpc.py"),
    "a stack file edited": edit("stacks/day4.py", "from week5.constructs import alb\n"),
    "app.py edited": edit("app.py", "from stacks import day1\n"),
    "a bundled site file edited": edit("week5/assets/sites/shop/index.html", "<h1>Shop</h1>\n"),
    "a demo app's source edited": edit("week5/assets/apps/api/server.js", "listen(80)\n"),
    "cdk.json's context changed": edit("cdk.json", json.dumps(
        {"app": "python app.py", "context": {"azs": "ap-northeast-2a,ap-northeast-2c"}}
    )),
    "cdk.context.json written (week5 init)": edit("cdk.context.json", '{"student": "kim"}'),
    "~/.cdk.json's context": user_context,
    "aws-cdk-lib upgraded": upgrade("aws_cdk_lib-2.275.0.dist-info",
                                    "aws_cdk_lib-2.276.0.dist-info"),
    "cdk-nag's pin changed": upgrade("cdk_nag-3.0.2.dist-info", "cdk_nag-3.0.3.dist-info"),
    "the CDK CLI's pin changed": edit("node_modules/aws-cdk/package.json",
                                      '{"version": "2.1149.0"}'),
    "Node upgraded": edit("node_modules/node/package.json", '{"version": "22.24.0"}'),
    "a CDK_ variable set": lambda root, monkeypatch: monkeypatch.setenv("CDK_DEBUG", "true"),
    "a WEEK5_ variable set": lambda root, monkeypatch: monkeypatch.setenv(
        "WEEK5_SYNTH_PROCESSES", "1"
    ),
}  # fmt: skip


@pytest.mark.parametrize("change", INVALIDATING.values(), ids=INVALIDATING.keys())
def test_an_input_that_decides_the_templates_makes_it_synthesize_again(
    project, cdk, capsys, monkeypatch, change
):
    cost(capsys)
    change(project, monkeypatch)
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0, err
    assert len(cdk.runs) == 2 and "==> synthesizing Day4Lab1" in err
    cost(capsys)  # and the new inputs' assembly is reused in turn
    assert len(cdk.runs) == 2


NOT_INPUTS = {
    "compiled Python": edit("week5/constructs/__pycache__/vpc.cpython-311.pyc", "recompiled\n"),
    "a demo app's node_modules (no asset takes them)": edit(
        "week5/assets/apps/api/node_modules/dep/index.js", "module.exports = 2\n"
    ),
    "the generated guides": edit("docs/labs/day4.md", "# Day 4, edited\n"),
    "a test": edit("tests/test_vpc.py", "def test(): assert True\n"),
    "an AWS profile (no lab's template names the account)": lambda root, monkeypatch: (
        monkeypatch.setenv("AWS_PROFILE", "student")
    ),
    "CDK_VALIDATION (the entry records whether validation ran)": lambda root, monkeypatch: (
        monkeypatch.setenv("CDK_VALIDATION", "false")
    ),
}


@pytest.mark.parametrize("change", NOT_INPUTS.values(), ids=NOT_INPUTS.keys())
def test_what_does_not_decide_the_templates_keeps_the_entry(
    project, cdk, capsys, monkeypatch, change
):
    cost(capsys)
    change(project, monkeypatch)
    cost(capsys)
    assert len(cdk.runs) == 1


def test_command_line_context_is_part_of_the_key(project, cdk, capsys):
    plain = cost(capsys)
    cost(capsys, "-c", "student=kim")
    assert len(cdk.runs) == 2 and cdk.runs[1] == ["student=kim", "labs=Day4Lab1"]
    cost(capsys, "-c", "student=kim")
    assert cost(capsys) == plain
    assert len(cdk.runs) == 2  # each context's own assembly answered its repeat


def test_no_cache_synthesizes_and_its_assembly_replaces_the_entry(project, cdk, capsys):
    cost(capsys)
    code, _, err = week5(capsys, "cost", "Day4Lab1", "--json", "--no-cache")
    assert code == 0 and len(cdk.runs) == 2 and "==> synthesizing Day4Lab1" in err
    (entry,) = cached(project)
    template = json.loads((entry / "Day4Lab1.template.json").read_text())
    assert template["Description"] == "synthesis 2"
    cost(capsys)
    assert len(cdk.runs) == 2


def test_a_failed_synthesis_keeps_nothing(project, cdk, capsys):
    cdk.fail = True
    code, out, err = week5(capsys, "cost", "Day4Lab1")
    assert code == EXIT_USAGE and out == ""
    assert error_lines(err) == ["week5: context 'student'='Kim' is not a valid student name"]
    assert list((project / ".week5-cache").iterdir()) == []  # no entry, no half-written folder
    cdk.fail = False
    cost(capsys)
    assert len(cdk.runs) == 2


def test_the_most_recently_used_entries_are_kept(project, cdk, capsys, monkeypatch):
    monkeypatch.setattr(assembly_cache, "KEEP_ENTRIES", 2)
    for student in ("kim", "lee", "kim", "park"):  # kim's is used again before park's
        cost(capsys, "-c", f"student={student}")
        time.sleep(0.02)  # distinct modification times even on a coarse clock
    assert [run[0] for run in cdk.runs] == ["student=kim", "student=lee", "student=park"]
    assert len(cached(project)) == 2
    cost(capsys, "-c", "student=kim")
    cost(capsys, "-c", "student=park")
    cost(capsys, "-c", "student=lee")
    assert len(cdk.runs) == 4  # lee's was the one pruned


def test_the_lint_findings_beside_the_entries_are_neither_an_entry_nor_pruned(
    project, cdk, capsys, monkeypatch
):
    """.week5-cache/lint/ (week5 check's cfn-lint findings) shares the folder: it took one of
    the kept slots and, once the least recently used, was deleted with the assemblies."""
    monkeypatch.setattr(assembly_cache, "KEEP_ENTRIES", 1)
    lint = project / ".week5-cache" / "lint"
    lint.mkdir(parents=True)
    (lint / "findings.json").write_text("[]")
    hour_ago = time.time() - 3600
    os.utime(lint, (hour_ago, hour_ago))
    for student in ("kim", "lee"):
        cost(capsys, "-c", f"student={student}")
        time.sleep(0.02)
    assert lint not in cached(project) and len(cached(project)) == 1
    assert (lint / "findings.json").read_text() == "[]"


def test_a_dead_synthesis_folder_is_cleared(project, cdk, capsys):
    dead = project / ".week5-cache" / "tmp-dead"
    dead.mkdir(parents=True)
    (dead / "manifest.json").write_text("{")
    hour_ago = time.time() - assembly_cache.STALE_STAGING_S - 60
    os.utime(dead, (hour_ago, hour_ago))
    running = project / ".week5-cache" / "tmp-running"  # another command synthesizing now
    running.mkdir()
    cost(capsys)
    assert not dead.exists() and running.exists()


def test_two_commands_storing_one_key_both_end_with_a_whole_entry(project):
    key = assembly_cache.assembly_key(project, ["labs=Day4Lab1"])
    stored = []

    def slow(folder: Path) -> None:
        # Another command stores the same key while this one is still synthesizing.
        stored.append(assembly_cache.store(project, key, quick))
        fake_assembly(folder, {"Day4Lab1": template("Day4Lab1", "second")})

    def quick(folder: Path) -> None:
        fake_assembly(folder, {"Day4Lab1": template("Day4Lab1", "first")})
        (folder / "first.txt").write_text("stored first")

    entry = assembly_cache.store(project, key, slow)
    assert entry == stored[0] and (entry / "first.txt").is_file()  # the first one's stays
    assert [p.name for p in (project / ".week5-cache").iterdir()] == [key]


def validated(entry: Path) -> bool:
    return json.loads((entry / assembly_cache.RECORD_FILE).read_text())["cdk_validation"]


def description(entry: Path, lab_id: str = "Day4Lab1") -> str:
    return json.loads((entry / f"{lab_id}.template.json").read_text())["Description"]


def test_a_read_only_command_skips_validation_and_check_does_not_take_its_entry(
    project, cdk, capsys
):
    """`week5 cost` only reads figures: its synth gets CDK_VALIDATION=false and its entry says
    so. `week5 check` validates: it synthesizes again with CDK's default and its entry replaces
    the unvalidated one, which every command then reads."""
    cost(capsys)
    assert cdk.validation == ["false"]
    (entry,) = cached(project)
    assert not validated(entry)
    code, _, err = week5(capsys, "check", "Day4Lab1")
    assert code == 0, err
    assert cdk.validation == ["false", None] and cdk.runs[1] == ["labs=Day4Lab1"]
    assert "the cached assembly skipped CDK's CloudFormation validation" in err
    assert validated(entry) and description(entry) == "synthesis 2"  # the same key, replaced
    cost(capsys)
    code, _, err = week5(capsys, "check", "Day4Lab1")
    assert code == 0 and len(cdk.runs) == 2 and "both rule packs passed" in err


def test_a_check_does_not_take_one_lab_from_an_unvalidated_assembly_of_every_lab(
    project, cdk, capsys
):
    assert week5(capsys, "labs", "--json")[0] == 0
    cost(capsys)  # a read-only command takes it
    assert cdk.runs == [[]] and cdk.validation == ["false"]
    assert week5(capsys, "check", "Day4Lab1")[0] == 0
    assert cdk.runs == [[], ["labs=Day4Lab1"]] and cdk.validation == ["false", None]


READ_ONLY = {
    "labs": lambda capsys: week5(capsys, "labs", "--json"),
    "cost": lambda capsys: week5(capsys, "cost", "Day4Lab1", "--json"),
    "diagram": lambda capsys: week5(capsys, "diagram", "Day4Lab1"),
    # Their synthesis, without the AWS calls that follow it.
    "audit (and cost, diagram)": lambda capsys: synthesis.synthesized_lab(args(lab="Day4Lab1")),
    "quotas": lambda capsys: quotas_cli.lab_templates(args(), ["Day4Lab1"]),
    "preflight's quota check": lambda capsys: preflight_cli.check_quotas(
        preflight.Plan("deploy", ["Day4Lab1"], False, "instructor", "the default", ("kim", "lee"),
                       "ap-northeast-2", None),
        Path.cwd(), [], print,
    ),
}  # fmt: skip


@pytest.mark.parametrize("command", READ_ONLY.values(), ids=READ_ONLY.keys())
def test_the_read_only_commands_synthesize_without_validation(
    project, cdk, capsys, monkeypatch, command
):
    monkeypatch.setattr(preflight_cli, "synthesize", cdk)  # it synthesizes outside the cache
    cdk.fail = command is READ_ONLY["preflight's quota check"]  # then it asks AWS: stop there
    command(capsys)
    assert cdk.validation == ["false"]


@contextlib.contextmanager
def refuse_emulator(args, timings):
    raise CliError("no emulator in this test: what it reads is the synthesis before")
    yield


def test_check_and_local_synthesize_with_cdks_default(project, cdk, capsys, monkeypatch):
    """`week5 local` deploys what `cdk deploy` would send AWS (to the emulator): it validates,
    as `week5 check` does; neither sets CDK_VALIDATION."""
    monkeypatch.setattr(local_cli, "emulator_for", refuse_emulator)
    assert week5(capsys, "check", "Day4Lab1")[0] == 0
    assert week5(capsys, "local", "Day1Lab1")[0] != 0
    assert cdk.validation == [None, None] and cdk.runs[1] == ["labs=Day1Lab1"]


def test_the_users_cdk_validation_wins(project, cdk, capsys, monkeypatch):
    """CDK_VALIDATION=true: even `week5 cost` validates, and takes no unvalidated entry.
    CDK_VALIDATION=false: even `week5 check` skips it, and takes an unvalidated entry."""
    cost(capsys)
    monkeypatch.setenv("CDK_VALIDATION", "true")
    cost(capsys)
    assert cdk.validation == ["false", "true"]
    (entry,) = cached(project)
    assert validated(entry)
    monkeypatch.setenv("CDK_VALIDATION", "false")
    assert week5(capsys, "cost", "Day5Lab1", "--json")[0] == 0
    code, _, err = week5(capsys, "check", "Day5Lab1")
    assert code == 0, err
    assert cdk.validation == ["false", "true", "false"] and "from the cache" in err


def test_an_entry_without_a_record_counts_as_unvalidated(project, cdk, capsys):
    """An entry stored before entries recorded validation: read-only commands read it, a check
    synthesizes again."""
    cost(capsys)
    (entry,) = cached(project)
    (entry / assembly_cache.RECORD_FILE).unlink()
    cost(capsys)
    assert week5(capsys, "check", "Day4Lab1")[0] == 0
    assert cdk.validation == ["false", None] and validated(entry)


def test_a_validated_entry_replaces_an_unvalidated_one_stored_meanwhile(project):
    key = assembly_cache.assembly_key(project, ["labs=Day4Lab1"])

    def writes(description: str) -> Callable[[Path], None]:
        return lambda folder: fake_assembly(folder, {"Day4Lab1": template("Day4Lab1", description)})

    def checked(folder: Path) -> None:
        # A read-only command stores the same key while this one is still synthesizing.
        assembly_cache.store(project, key, writes("unvalidated"), validated=False)
        writes("validated")(folder)

    entry = assembly_cache.store(project, key, checked, validated=True)
    assert validated(entry) and description(entry) == "validated"
    assembly_cache.store(project, key, writes("read later"), validated=False)
    assert validated(entry) and description(entry) == "validated"  # not replaced by it
    assert [p.name for p in (project / ".week5-cache").iterdir()] == [key]


def args(**overrides) -> argparse.Namespace:
    return argparse.Namespace(**{"assembly": None, "context": [], "no_cache": False, **overrides})


def test_a_command_that_writes_into_the_assembly_gets_a_copy(project, cdk):
    with synthesis.synthesized(args(), ["Day4Lab1"]) as (entry, _):
        assert entry.parent == project / ".week5-cache"
    before = digest(entry)
    with synthesis.synthesized(args(), ["Day4Lab1"], writable=True) as (outdir, _):
        assert project / ".week5-cache" not in outdir.parents
        assert digest(outdir) == before
        (outdir / "cdk.out").write_text("a deploy's lock")  # as `cdk deploy` leaves
        (outdir / "Day4Lab1.template.json").write_text("{}")
    assert not outdir.exists() and digest(entry) == before and len(cdk.runs) == 1


def test_one_lab_is_read_from_the_cached_assembly_of_every_lab(project, cdk, capsys):
    code, _, _ = week5(capsys, "labs", "--json")
    assert code == 0 and cdk.runs == [[]]
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and json.loads(out)["lab"] == "Day4Lab1"
    assert len(cdk.runs) == 1 and "==> Day4Lab1 from the cached assembly of every lab" in err
    cost_day5 = week5(capsys, "cost", "Day5Lab1", "--json")  # not in it: synthesized alone
    assert cost_day5[0] == 0 and cdk.runs[1] == ["labs=Day5Lab1"]


def test_every_lab_is_not_answered_by_one_labs_assembly(project, cdk, capsys):
    cost(capsys)
    code, out, _ = week5(capsys, "labs", "--json")
    assert code == 0 and [row["lab"] for row in json.loads(out)] == list(EVERY_LAB)
    assert cdk.runs == [["labs=Day4Lab1"], []]


def test_check_o_keeps_exactly_the_labs_named(project, cdk, capsys):
    assert week5(capsys, "labs", "--json")[0] == 0
    kept = project / "kept"
    code, out, err = week5(capsys, "check", "Day4Lab1", "-o", str(kept))
    assert code == 0, err
    assert cdk.runs == [[], ["labs=Day4Lab1"]]  # not the assembly of every lab
    manifest = json.loads((kept / "manifest.json").read_text())
    assert list(manifest["artifacts"]) == ["Day4Lab1"] and f"Templates: {kept}" in out
    code, _, err = week5(capsys, "check", "Day4Lab1", "-o", str(project / "again"))
    assert code == 0 and len(cdk.runs) == 2 and "both rule packs passed" in err


def test_without_a_writable_cache_it_synthesizes_each_time(project, cdk, capsys):
    (project / ".week5-cache").write_text("not a folder")
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--json")
    assert code == 0 and json.loads(out)["lab"] == "Day4Lab1"
    assert "(no cache: " in err and "the assembly is not kept" in err
    cost(capsys)
    assert len(cdk.runs) == 2


def test_the_key_follows_contents_and_names_not_modification_times(project):
    """The key is over contents: a file touched but unchanged keeps it (a `git checkout` does
    that); the same bytes under another name do not."""
    key = assembly_cache.assembly_key(project, [])
    vpc = project / "week5/constructs/vpc.py"
    os.utime(vpc, (0, 0))
    assert assembly_cache.assembly_key(project, []) == key
    vpc.rename(project / "week5/constructs/net.py")
    assert assembly_cache.assembly_key(project, []) != key


def test_the_cache_folder_is_git_ignored():
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", ".week5-cache/0123/manifest.json"], cwd=ROOT
    )
    assert result.returncode == 0


def test_a_labs_template_is_the_same_alone_as_with_every_lab(app, tmp_path):
    """Why a one-lab command may read the assembly of every lab: building the others beside a
    lab changes nothing in its template (no app-wide state leaks between the stacks)."""
    for lab_id, template in app.templates.items():
        alone = make_app(tmp_path / lab_id, labs=lab_id)
        stack = build_labs(alone, CATALOG)[lab_id]
        assert alone.synth().get_stack_by_name(stack.stack_name).template == template, lab_id


def project_copy(folder: Path) -> Path:
    """The project's sources with the pinned CLI behind a `cdk` that counts its starts: a
    snapshot, so edits elsewhere in the checkout cannot change the key midway."""
    for name in ("app.py", "cdk.json"):
        shutil.copy2(ROOT / name, folder / name)
    skip = shutil.ignore_patterns("node_modules", "__pycache__", "*.pyc")
    for name in ("stacks", "week5"):
        shutil.copytree(ROOT / name, folder / name, ignore=skip)
    counting_cdk(folder, "$*")
    return folder


def test_week5_cost_twice_synthesizes_once_through_the_real_cli(tmp_path):
    folder = project_copy(tmp_path)
    runs = []
    for _ in range(2):
        runs.append(
            subprocess.run(
                [sys.executable, "-m", "week5", "cost", "Day4Lab1", "--json"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=600,
            )
        )
        assert runs[-1].returncode == 0, runs[-1].stderr
    starts = (folder / "cdk-runs.txt").read_text().splitlines()
    assert len(starts) == 1 and starts[0].startswith("synth --quiet --output")
    assert json.loads(runs[1].stdout) == json.loads(runs[0].stdout)
    assert json.loads(runs[1].stdout)["lab"] == "Day4Lab1"
    assert "==> assembly from the cache (.week5-cache/" in runs[1].stderr
    (entry,) = assembly_cache.entries(folder)
    assert "--context labs=Day4Lab1" in starts[0] and (entry / "Day4Lab1.template.json").is_file()
