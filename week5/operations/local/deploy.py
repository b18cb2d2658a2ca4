"""``cdk bootstrap`` and ``cdk deploy`` into the emulator with the pinned CLI, why a deploy
failed, named by the template's resource, and the files a lab's ``BucketDeployment`` puts in its
bucket on AWS, put there by :func:`upload_bucket_deployments` (its function does not run here)."""

from __future__ import annotations

import io
import json
import mimetypes
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Tuple, Union

from week5.analysis.assembly import SynthesizedLab, referenced_ids
from week5.core.progress import run_with_progress
from week5.operations.local.emulator import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    Emulator,
    LocalError,
    clients,
)
from week5.operations.local.readback import (
    Clients,
    ReadBack,
    Rows,
    deployed_stack,
    emulator_clients,
    read_back,
)

#: Types moto's CloudFormation skips even with the course's models
#: (:mod:`week5.operations.moto_models`); a Ref to one resolves to nothing here.
SKIPPED_TYPES = (
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


#: The custom resource of CDK's ``BucketDeployment``: on AWS its Lambda function unpacks the
#: lab's files (an asset the CLI published) into a bucket; moto runs no Lambda (it needs Docker).
BUCKET_DEPLOYMENT = "Custom::CDKBucketDeployment"


def upload_bucket_deployments(
    endpoint: str, assembly: Path, lab: SynthesizedLab, client: Optional[Clients] = None
) -> Rows:
    """Do on the emulator what each ``BucketDeployment`` of the deployed ``lab`` does on AWS:
    put the files of its source assets (read from ``assembly``, the synthesized folder the
    deploy published them from) into its ``DestinationBucketName`` under its
    ``DestinationKeyPrefix``, each with the content type ``aws s3 sync`` (the function's tool)
    gives it; with ``Extract`` false, the asset's zip itself.

    Why: moto marks the custom resource created without running its function, so a site's
    bucket stayed empty and ``aws s3 ls`` of it listed nothing (a student trial of Day2Lab2).
    Not done: ``SourceMarkers`` (no lab's deployment has them), the distribution's
    invalidation (nothing is cached here). Returns a row per deployment the emulator created:
    ``logical_id``, ``bucket``, ``prefix``, ``files`` (how many were put), ``sources`` (the
    assets' folders or zips in the assembly)."""
    client = client or emulator_clients(endpoint)
    stack = deployed_stack(client, lab.stack_name, lab.template)
    sources = _file_assets(assembly)
    rows = []
    for logical_id, resource in stack.resources(BUCKET_DEPLOYMENT):
        p = resource["Properties"]
        bucket = _resolved(p["DestinationBucketName"], stack.physical)
        prefix = _resolved(p.get("DestinationKeyPrefix") or "", stack.physical)
        prefix = "" if prefix == "/" else prefix  # the root, as the function reads it
        if prefix and not prefix.endswith("/"):  # `aws s3 sync` into s3://bucket/prefix
            prefix += "/"
        extract = str(p.get("Extract", True)).lower() != "false"
        put, used = 0, []
        for key in p.get("SourceObjectKeys") or []:
            if key not in sources:
                raise LocalError(
                    f"{BUCKET_DEPLOYMENT} {logical_id}: no asset for {key} in {assembly}"
                )
            source = sources[key]
            used.append(source.name)
            files = _asset_files(source) if extract else iter([(key, _zipped(source))])
            for name, body in files:
                content_type = mimetypes.guess_type(name)[0]
                client("s3").put_object(
                    Bucket=bucket,
                    Key=prefix + name,
                    Body=body,
                    **({"ContentType": content_type} if content_type else {}),
                )
                put += 1
        rows.append(
            {"logical_id": logical_id, "bucket": bucket, "prefix": prefix, "files": put,
             "sources": used}
        )  # fmt: skip
    return rows


def _resolved(value: Any, physical: Mapping[str, str]) -> str:
    """A property's string: itself, or the physical id of the resource its ``Ref`` names."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in physical:
        return physical[value["Ref"]]
    if isinstance(value, str):
        return value
    raise LocalError(f"{BUCKET_DEPLOYMENT}: cannot resolve {json.dumps(value)} on the emulator")


def _file_assets(assembly: Path) -> Dict[str, Path]:
    """Each file asset's object key in the bootstrap bucket -> its folder or file in
    ``assembly``, from the assembly's asset manifests (``<stack>.assets.json``)."""
    found = {}
    for manifest in sorted(assembly.glob("*.assets.json")):
        for asset in json.loads(manifest.read_text(encoding="utf-8")).get("files", {}).values():
            path = assembly / asset["source"]["path"]
            for destination in asset.get("destinations", {}).values():
                found[destination["objectKey"]] = path
    return found


def _asset_files(source: Path) -> Iterator[Tuple[str, bytes]]:
    """(key under the prefix, content) of each file of an asset: a folder's files, or a zip's
    entries, in name order."""
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            yield path.relative_to(source).as_posix(), path.read_bytes()
        return
    with zipfile.ZipFile(source) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.is_dir():
                yield info.filename, archive.read(info)


def _zipped(source: Path) -> bytes:
    """The asset as the CLI publishes it: a zip (a folder zipped, a zip as it is)."""
    if source.is_file():
        return source.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in _asset_files(source):
            archive.writestr(name, body)
    return buffer.getvalue()
