"""``cdk bootstrap`` and ``cdk deploy`` into the emulator with the pinned CLI, and why a deploy
failed, named by the template's resource."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from week5.analysis.assembly import SynthesizedLab, referenced_ids
from week5.core.progress import run_with_progress
from week5.operations.local.emulator import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    Emulator,
    LocalError,
    clients,
)
from week5.operations.local.readback import Clients, ReadBack, emulator_clients, read_back

#: Types moto's CloudFormation skips even with the course's models
#: (:mod:`week5.operations.moto_models`); a Ref to one resolves to nothing here.
SKIPPED_TYPES = (
    "AWS::S3::BucketPolicy",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::Scheduler::Schedule",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::Budgets::",
    "AWS::Backup::",
)

#: The statuses of a stack whose last create or update succeeded.
CREATED = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def bootstrap(env: Mapping[str, str]) -> float:
    """``cdk bootstrap`` into the emulator; returns seconds taken."""
    # From an empty folder: in the project, the CLI would synthesize every lab first.
    with tempfile.TemporaryDirectory() as empty:
        result, seconds = run_with_progress(
            ["cdk", "bootstrap", "--no-notices", f"aws://{LOCAL_ACCOUNT}/{LOCAL_REGION}"],
            cwd=Path(empty),
            env=env,
            doing="bootstrapping the emulator",
        )
    if result.returncode != 0:
        raise LocalError(f"cdk bootstrap failed: {_failure(result.stdout + result.stderr)}")
    return seconds


def deploy(assembly: Path, lab_id: str, env: Mapping[str, str]) -> Tuple[Optional[str], float]:
    """``cdk deploy`` one lab of a synthesized assembly; returns (error or None, seconds)."""
    return deploy_labs(assembly, [lab_id], env)


def deploy_labs(
    assembly: Path, lab_ids: Sequence[str], env: Mapping[str, str]
) -> Tuple[Optional[str], float]:
    """``cdk deploy`` labs of a synthesized assembly in one run of the CLI, one after another;
    returns (the first error or None, seconds). The CLI stops at the first lab that fails
    (assets it publishes ahead may fail before it)."""
    result, seconds = run_with_progress(
        [
            "cdk",
            "deploy",
            "--app",
            str(assembly),
            *lab_ids,
            "--require-approval",
            "never",
            "--no-notices",
        ],
        cwd=assembly.parent,
        env=env,
        doing="deploying "
        + (", ".join(lab_ids) if len(lab_ids) <= 3 else f"{len(lab_ids)} labs"),
    )
    if result.returncode != 0:
        return _failure(result.stdout + result.stderr), seconds
    return None, seconds


def failed_resource(endpoint: str, stack_name: str) -> Optional[str]:
    """``Type LogicalId: reason`` of the first resource the emulator failed to create."""
    cfn = clients(endpoint)("cloudformation")
    try:
        events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
    except Exception:  # no stack: the change set itself was refused (the message names it)
        return None
    for event in reversed(events):  # oldest first
        if event["ResourceStatus"].endswith("FAILED") and event.get("LogicalResourceId") not in (
            None,
            stack_name,
        ):
            reason = event.get("ResourceStatusReason", "")
            return f"{event['ResourceType']} {event['LogicalResourceId']}: {reason}"
    return None


def explain_failure(template: Mapping[str, Any], error: str) -> str:
    """Name the template's resource behind an emulator error, where the error does not."""
    resources = template["Resources"]
    match = re.search(r"undefined resource (\w+)", error)
    if match and match.group(1) in resources:
        name = match.group(1)
        return f"{resources[name]['Type']} {name}: {error}"
    if "Policy statement must contain resources" in error:
        for name, resource in resources.items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            skipped = [
                f"{resources[r]['Type']} {r}"
                for r in referenced_ids(resource["Properties"]["PolicyDocument"])
                if r in resources and resources[r]["Type"].startswith(SKIPPED_TYPES)
            ]
            if skipped:
                return (
                    f"AWS::IAM::Policy {name}: {error} (it grants on {skipped[0]}, which the "
                    "emulator skips, so the statement has no resource left)"
                )
    return error


def deploy_and_read(
    emulator: Emulator, assembly: Path, lab: SynthesizedLab, env: Mapping[str, str]
) -> Tuple[Union[ReadBack, str], float]:
    """Deploy one lab of ``assembly`` and read it back: :func:`deploy_and_read_labs` of it
    alone. Returns (``ReadBack``, or the one-line reason the emulator cannot take the lab;
    deploy seconds)."""
    results, seconds = deploy_and_read_labs(emulator, assembly, [lab], env)
    return results[lab.lab_id], seconds


def deploy_and_read_labs(
    emulator: Emulator,
    assembly: Path,
    labs: Sequence[SynthesizedLab],
    env: Mapping[str, str],
    client: Optional[Clients] = None,
) -> Tuple[Dict[str, Union[ReadBack, str]], float]:
    """Deploy labs of ``assembly`` into an emulator that holds none of their stacks yet (a
    fresh one, as `week5 local` starts) and read each back.

    One CLI run deploys them all: each run starts Node and reads the whole assembly, so a run
    per lab took the 14 labs about three times the wall time (2.7 times the CPU). When a run
    fails, each lab is judged by its stack: created, it is read back; failed, it gets the
    reason; none, it goes to the next run. A run that created no stack at all is split into a
    run per lab, to tell whose error it was. A failed lab is not deployed again: moto leaves
    the stack of a refused change set in progress, and a second deploy would wait for it.
    Returns (lab id -> ``ReadBack``, or the one-line reason the emulator cannot take the lab,
    naming the resource where it can; seconds in all). Raises :class:`LocalError` when a run
    fails and no lab is to blame. ``client`` (of :func:`emulator_clients`) reads them back,
    for a caller that reads the emulator too; by default, clients of their own.
    """
    results: Dict[str, Union[ReadBack, str]] = {}
    seconds = 0.0
    pending = list(labs)
    # One boto3 session and client per service for every lab: a session per lab built the
    # same clients again each time (botocore reads a service's model per session), 0.3 s of
    # CPU a lab.
    client = client or emulator_clients(emulator.endpoint)
    while pending:
        error, took = deploy_labs(assembly, [lab.lab_id for lab in pending], env)
        seconds += took
        if error is None:
            for lab in pending:
                results[lab.lab_id] = read_back(
                    emulator.endpoint, lab.stack_name, lab.template, client
                )
            break
        statuses = stack_statuses(emulator.endpoint)
        not_tried, blamed = [], False
        for lab in pending:
            status = statuses.get(lab.stack_name)
            if status in CREATED:
                results[lab.lab_id] = read_back(
                    emulator.endpoint, lab.stack_name, lab.template, client
                )
            elif status is None:
                not_tried.append(lab)
            else:
                reason = failed_resource(emulator.endpoint, lab.stack_name) or error
                results[lab.lab_id], blamed = explain_failure(lab.template, reason), True
        if len(not_tried) == len(pending) and len(pending) > 1:
            for lab in not_tried:  # a run per lab: the old way, at most once per lab
                results[lab.lab_id], took = deploy_and_read(emulator, assembly, lab, env)
                seconds += took
            break
        if len(not_tried) == len(pending):  # one lab, and its run created nothing
            results[pending[0].lab_id] = explain_failure(pending[0].template, error)
            break
        if not blamed and not not_tried:
            raise LocalError(f"cdk deploy failed after it created every lab's stack: {error}")
        pending = not_tried
    return {lab.lab_id: results[lab.lab_id] for lab in labs}, seconds


def stack_statuses(endpoint: str) -> Dict[str, str]:
    """Each stack's name and status."""
    cfn = clients(endpoint)("cloudformation")
    return {
        stack["StackName"]: stack["StackStatus"]
        for page in cfn.get_paginator("describe_stacks").paginate()
        for stack in page["Stacks"]
    }


def _failure(output: str) -> str:
    """The line of the CLI's output that names what failed."""
    for pattern in (r"CREATE_FAILED\s*\|\s*(\S+)\s*\|\s*(\S+)\s*(.*)", r"‣\s*(.+)", r"❌\s*(.+)"):
        match = re.search(pattern, output)
        if match:
            return " ".join(part.strip() for part in match.groups() if part).strip()
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
