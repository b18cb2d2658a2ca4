"""Labs deployed into the emulator together, in as few runs of the real CDK CLI as it allows:
a lab that fails gets its own reason, the labs deployed before it are read back and the labs
after it are still deployed.

Small stacks of their own (an SSM parameter each), not the labs: the session's emulator deploys
every lab in one run (tests/emulated_labs.py), which test_local reads.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from support import ROOT  # noqa: I001 (Node 22 on PATH first)

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ssm as ssm

from week5.analysis.assembly import SynthesizedLab
from week5.cli.synthesis import tool_env
from week5.operations import local

#: The module, not the function ``local.deploy`` that the package exports under its name.
deploy_module = importlib.import_module("week5.operations.local.deploy")
#: Stacks that need a bootstrap this emulator lacks, each with its own qualifier.
QUALIFIERS = {"Unbootstrapped1": "first", "Unbootstrapped2": "second"}
#: A subnet that does not exist: the emulator refuses the instance, as AWS would.
MISSING_SUBNET = "subnet-0123456789abcdef0"


def small_labs(outdir: Path, *names: str) -> Dict[str, SynthesizedLab]:
    """Stacks of an SSM parameter each, synthesized for the emulator's account and named
    ``names``. ``Broken`` also has an instance in a subnet that does not exist; the names in
    :data:`QUALIFIERS` use CDK's default synthesizer with that bootstrap qualifier, which needs
    ``cdk bootstrap`` first (the error names the qualifier); the others need no bootstrap (this
    emulator has none)."""
    app = cdk.App(outdir=str(outdir), builtin_cloud_formation_validation=False)
    for name in names:
        synthesizer = (
            cdk.DefaultStackSynthesizer(qualifier=QUALIFIERS[name])
            if name in QUALIFIERS
            else cdk.LegacyStackSynthesizer()
        )
        stack = cdk.Stack(
            app,
            name,
            synthesizer=synthesizer,
            env=cdk.Environment(account=local.LOCAL_ACCOUNT, region=local.LOCAL_REGION),
        )
        ssm.CfnParameter(stack, "Value", name=f"/week5-test/{name}", type="String", value=name)
        if name == "Broken":
            ec2.CfnInstance(
                stack,
                "Host",
                image_id="ami-12345678",
                instance_type="t3.micro",
                subnet_id=MISSING_SUBNET,
            )
    assembly = app.synth()
    labs = {}
    for name in names:
        artifact = assembly.get_stack_by_name(name)
        labs[name] = SynthesizedLab(name, name, Path(artifact.template_full_path), artifact.template)
    return labs


@pytest.fixture(scope="module")
def emulator():
    """A fresh emulator and the CLI's environment pointing at it."""
    started = local.start_emulator(Path(sys.executable).parent)
    try:
        yield started, local.emulator_env(tool_env(ROOT), started)
    finally:
        started.stop()
        started.remove_log()  # a test's emulator leaves no folder in /tmp (227 had piled up)


@pytest.fixture
def cli_runs(monkeypatch) -> List[List[str]]:
    """The labs of each run of the CDK CLI."""
    runs: List[List[str]] = []
    real = deploy_module.deploy_labs

    def recorded(assembly, lab_ids, env):
        runs.append(list(lab_ids))
        return real(assembly, lab_ids, env)

    monkeypatch.setattr(deploy_module, "deploy_labs", recorded)
    return runs


@pytest.fixture
def client_sets(monkeypatch) -> List[str]:
    """The endpoint of each set of boto3 clients the read-back makes (a session each)."""
    readback = importlib.import_module("week5.operations.local.readback")
    made: List[str] = []
    real = readback.clients

    def recorded(endpoint):
        made.append(endpoint)
        return real(endpoint)

    monkeypatch.setattr(readback, "clients", recorded)
    return made


def test_a_failed_lab_gets_its_reason_and_the_labs_after_it_still_deploy(
    emulator, cli_runs, client_sets, tmp_path
):
    started, env = emulator
    labs = small_labs(tmp_path / "cdk.out", "First", "Broken", "Last")
    order = list(labs.values())
    results, _ = local.deploy_and_read_labs(started, tmp_path / "cdk.out", order, env)
    assert list(results) == ["First", "Broken", "Last"]
    assert (
        f"The subnet ID '{MISSING_SUBNET}' does not exist (Error Code: InvalidSubnetID.NotFound)"
        in str(results["Broken"])
    ), results["Broken"]
    for name in ("First", "Last"):
        assert isinstance(results[name], local.ReadBack), results[name]
        assert results[name].coverage.created == 1
    # One run until the failure; the labs after it in the next; the failed lab not again.
    assert cli_runs == [["First", "Broken", "Last"], ["Last"]]
    # Both labs read back through one set of clients (a session per lab made each again).
    assert client_sets == [started.endpoint]


def test_labs_that_fail_before_their_stacks_exist_each_get_their_own_reason(
    emulator, cli_runs, tmp_path
):
    started, env = emulator
    labs = small_labs(tmp_path / "cdk.out", "Unbootstrapped1", "Unbootstrapped2")
    order = list(labs.values())
    results, _ = local.deploy_and_read_labs(started, tmp_path / "cdk.out", order, env)
    # Each reason is its own lab's: it names that lab's bootstrap qualifier, not the other's.
    assert "/cdk-bootstrap/first/" in results["Unbootstrapped1"], results["Unbootstrapped1"]
    assert "/cdk-bootstrap/second/" in results["Unbootstrapped2"], results["Unbootstrapped2"]
    # The run creates nothing, so a lab goes alone to tell whose error it is; the last lab left
    # fails on its own.
    assert cli_runs == [
        ["Unbootstrapped1", "Unbootstrapped2"],
        ["Unbootstrapped1"],
        ["Unbootstrapped2"],
    ]
