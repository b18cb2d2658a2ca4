"""Each lab's promise as a CDK integ test (integ/; integ-runner and integ-tests-alpha).

Every lab in the catalog has an integ test with at least one assertion; its lab stack is the
template `cdk deploy` gets; the committed snapshots are current (integ-runner compares only the
lab stacks, so the assertion stacks are compared here); integ-runner's snapshot run passes with
no AWS account; and scripts/integ refuses to deploy without credentials, in one line.
"""

from __future__ import annotations

import functools
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest
from support import ROOT, make_app, mask_asset_hashes  # noqa: I001 (Node 22 on PATH first)

import aws_cdk as cdk

from stacks.catalog import CATALOG
from week5.synth.app_builder import build_labs

INTEG = ROOT / "integ"
sys.path.insert(0, str(INTEG))
import promises  # noqa: E402
from integ_replay import ONCE_ENV, REPLAY_ENV  # noqa: E402

INTEG_RUNNER = ROOT / "node_modules" / "@aws-cdk" / "integ-runner"
#: What the CI step and `scripts/integ check` run: snapshot mode, no AWS account.
SNAPSHOT_RUN = [
    str(ROOT / "node_modules" / ".bin" / "integ-runner"),
    "--directory", "integ", "--language", "python", "--parallel-regions", promises.REGION,
]
#: integ-runner's --app that replays this session's assemblies (tests/integ_replay.py).
REPLAY = ROOT / "tests" / "integ_replay.py"


@pytest.fixture(scope="module")
def integ_apps(tmp_path_factory) -> Dict[str, Path]:
    """Every integ app synthesized in this process, as integ-runner runs them: lab id -> the
    cloud assembly's folder. Without CDK's CloudFormation validation (the same templates, about
    0.15 s less each of 28): the session's app of every lab validates the labs, and
    integ-runner's own run below validates one integ app whole."""
    out = tmp_path_factory.mktemp("integ")
    assemblies = {}
    saved = os.environ.get(promises.OUTDIR_ENV)
    patch = pytest.MonkeyPatch()
    patch.setattr(
        promises, "App", functools.partial(promises.App, builtin_cloud_formation_validation=False)
    )
    try:
        for lab_id in CATALOG.ids:
            name = promises.integ_file_name(lab_id)
            os.environ[promises.OUTDIR_ENV] = str(out / name)
            runpy.run_path(str(INTEG / name), run_name="__main__")
            assemblies[lab_id] = out / name
    finally:
        patch.undo()
        if saved is None:
            os.environ.pop(promises.OUTDIR_ENV, None)
        else:
            os.environ[promises.OUTDIR_ENV] = saved
    return assemblies


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _test_case(assembly: Path) -> Dict[str, Any]:
    (case,) = _read(assembly / "integ.json")["testCases"].values()
    return case


def _assertions(template: Dict[str, Any]) -> list:
    """The custom resources that assert something (an expectation), not those that fetch ids."""
    return sorted(
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"].startswith("Custom::DeployAssert")
        and "expected" in resource.get("Properties", {})
    )


def _unsalted(template: Dict[str, Any]) -> Dict[str, Any]:
    """integ-tests-alpha gives every call a new ``salt`` (the time) at each synthesis."""
    text = re.sub(r'"salt": "\d+"', '"salt": "<salt>"', json.dumps(template, sort_keys=True))
    return mask_asset_hashes(json.loads(text))


def test_every_catalog_lab_and_only_those_have_an_integ_test():
    found = {p.name for p in INTEG.glob("integ_*.py")}
    assert found == {promises.integ_file_name(lab_id) for lab_id in CATALOG.ids}


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_integ_test_deploys_its_lab_in_seoul_and_asserts(integ_apps, lab_id):
    case = _test_case(integ_apps[lab_id])
    assert case["stacks"] == [lab_id]
    assert case["regions"] == [promises.REGION]
    assert case["stackUpdateWorkflow"] is False
    assert case["cdkCommandOptions"]["destroy"]["args"]["force"] is True
    assertion_template = _read(integ_apps[lab_id] / f"{case['assertionStack']}.template.json")
    assert _assertions(assertion_template), f"{lab_id}'s integ test asserts nothing"


def test_lab_stacks_are_the_templates_cdk_deploy_gets(integ_apps, tmp_path):
    """The same template as `cdk synth` with cdk.json's context and both rule packs, for the
    integ student, less CDK's analytics resource (off in integ apps: it differs per OS)."""
    app = make_app(tmp_path, student=promises.INTEG_STUDENT)
    stacks = build_labs(app, CATALOG)
    assembly = app.synth()
    for lab_id, stack in stacks.items():
        expected = assembly.get_stack_by_name(stack.stack_name).template
        expected["Resources"].pop("CDKMetadata")
        assert _read(integ_apps[lab_id] / f"{lab_id}.template.json") == expected, lab_id


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_committed_snapshot_is_current(integ_apps, lab_id):
    """Both stacks: integ-runner compares the lab's, this the assertions' (salts aside)."""
    snapshot = INTEG / f"{promises.integ_file_name(lab_id)}.snapshot"
    assert snapshot.is_dir(), f"no snapshot: scripts/integ update {lab_id}"
    case = _test_case(integ_apps[lab_id])
    assert _test_case(snapshot) == case
    for stack in (lab_id, case["assertionStack"]):
        fresh = _read(integ_apps[lab_id] / f"{stack}.template.json")
        committed = _read(snapshot / f"{stack}.template.json")
        assert _unsalted(committed) == _unsalted(fresh), (
            f"{stack} changed: scripts/integ update {lab_id}, then commit integ/"
        )


def _integ_runner(
    *args: str, replay: Path = None, once: Path = None
) -> Tuple[subprocess.CompletedProcess, str]:
    """integ-runner's snapshot run (what CI's `scripts/integ check` runs, no AWS account) of the
    integ files ``args`` (every one when none); with ``replay``, its app hands it the assemblies
    in that folder (tests/integ_replay.py) instead of synthesizing them again; with ``once``, its
    own app command runs once per lab and its second, identical synthesis gets that assembly."""
    path = [str(ROOT / "node_modules" / ".bin"), str(ROOT / ".venv" / "bin"), os.environ["PATH"]]
    env = {
        **os.environ,
        "PATH": os.pathsep.join(path),
        # integ-runner validates every manifest against its own schema.
        "TESTING_CDK": "1",
        # Without a region, the CDK toolkit asks the EC2 instance metadata service twice a lab
        # (4 tries each, 1 s timeouts): 7 s of waiting a lab off EC2. The apps do not read it.
        "AWS_REGION": promises.REGION,
    }
    # One worker: the pool starts one per lab otherwise (up to 16), each loading integ-runner's
    # 12 MB bundle: 14 labs replayed took 17.7 s of CPU, with one worker 3.0 s, in about the
    # same wall time (integ-runner ... --max-workers N --app "python tests/integ_replay.py ...").
    command = [*SNAPSHOT_RUN, "--max-workers", "1"]
    if replay is not None:
        env[REPLAY_ENV] = str(replay)
        command += ["--app", f"{sys.executable} {REPLAY} {{filePath}}"]
    if once is not None:
        env[ONCE_ENV] = str(once)
        # python3 {filePath}: integ-runner's own command for Python tests.
        command += ["--app", f"{sys.executable} {REPLAY} --once python3 {{filePath}}"]
    run = subprocess.run(
        [*command[:1], *args, *command[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return run, run.stdout + run.stderr


def test_integ_runner_finds_every_snapshot_current(integ_apps):
    """integ-runner compares each lab's assembly, as this session synthesized it, with the
    committed snapshot by its own rules (manifest schema, asset masking, destructive changes)."""
    replay = next(iter(integ_apps.values())).parent
    run, output = _integ_runner(replay=replay)
    stale = "snapshots out of date: scripts/integ update, then commit integ/\n"
    assert run.returncode == 0, stale + output[-4000:]
    assert output.count("UNCHANGED") == len(CATALOG), output[-4000:]


def test_integ_runner_synthesizes_an_integ_app_itself_and_passes(tmp_path):
    """One lab end to end as `scripts/integ check` runs it: integ-runner starts the integ app
    with its own command, CloudFormation validation on. Once: its second synthesis, with the
    same arguments and environment, gets the first's assembly: 7 s of CPU less."""
    run, output = _integ_runner(promises.integ_file_name("Day1Lab1"), once=tmp_path)
    assert run.returncode == 0, output[-4000:]
    assert output.count("UNCHANGED") == 1, output[-4000:]
    # One assembly kept: the second synthesis was handed the first's, not run again.
    assert len(list(tmp_path.iterdir())) == 1, list(tmp_path.iterdir())


def test_integ_runner_fails_a_lab_whose_template_changed(integ_apps, tmp_path):
    """The replayed comparison can fail: a lab template with one more resource is CHANGED."""
    name = promises.integ_file_name("Day2Lab2")
    tampered = tmp_path / name
    shutil.copytree(integ_apps["Day2Lab2"], tampered)
    template_path = tampered / "Day2Lab2.template.json"
    template = _read(template_path)
    template["Resources"]["Extra"] = {"Type": "AWS::CloudFormation::WaitConditionHandle"}
    template_path.write_text(json.dumps(template), encoding="utf-8")
    run, output = _integ_runner(name, replay=tmp_path)
    assert run.returncode != 0, output[-4000:]
    assert "CHANGED" in output and "Extra" in output, output[-4000:]


def test_bridge_labels_the_schema_integ_runner_reads(integ_apps):
    """integ-runner reads cloud-assembly schema 53 at most; the apps write 55 and relabel it
    (promises.label_for_integ_runner). When an upgrade lifts the limit, the bridge can go."""
    bundle = (INTEG_RUNNER / "lib" / "workers" / "extract" / "index.js").read_text("utf-8")
    match = re.search(r'schema/version\.json"[\s\S]{0,400}?revision: (\d+)', bundle)
    assert match, "integ-runner's bundled schema version not found"
    library = cdk.cloud_assembly_schema.Manifest.version()
    assert int(match.group(1)) == promises.INTEG_RUNNER_SCHEMA, (
        f"integ-runner now reads schema {match.group(1)}: set INTEG_RUNNER_SCHEMA to it, and drop "
        f"label_for_integ_runner once it reads aws-cdk-lib's {library}"
    )
    for assembly in integ_apps.values():
        assert _read(assembly / "manifest.json")["version"] == f"{promises.INTEG_RUNNER_SCHEMA}.0.0"


def test_integ_runner_feature_flags_agree_with_cdk_json():
    """integ-runner synthesizes with its recommended flags; every one must be cdk.json's too,
    with the same value, or the integ template would differ from the deployed one."""
    recommended = _read(INTEG_RUNNER / "lib" / "recommended-feature-flags.json")
    context = _read(ROOT / "cdk.json")["context"]
    assert {k: context.get(k, "<absent>") for k in recommended} == recommended


def test_integ_tooling_is_pinned_with_the_library():
    dev_pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    runtime = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert dev_pins["aws-cdk.integ-tests-alpha"] == f"{runtime['aws-cdk-lib']}a0"
    runner_pin = _read(ROOT / "package.json")["devDependencies"]["@aws-cdk/integ-runner"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", runner_pin), "pin integ-runner exactly"
    assert _read(INTEG_RUNNER / "package.json")["version"] == runner_pin


def test_instructor_run_names_a_lab_it_does_not_know():
    run = subprocess.run(
        [str(ROOT / "scripts" / "integ"), "check", "Day9Lab1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 2
    assert "no integ test for lab 'Day9Lab1'" in run.stderr
