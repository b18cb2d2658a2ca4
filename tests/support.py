"""What the tests share besides fixtures: the project root, an app built as `cdk synth` builds
it, and helpers that read a synthesized template. Test modules import it (`from support import
...`); conftest.py holds only fixtures."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
#: What points boto3 at an account: unset for tests that must find none.
AWS_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
)  # fmt: skip


def aws_home_without_keys(tmp_path: Path, monkeypatch) -> Path:
    """No AWS variables, and an AWS config with one profile, `week5`, that has no keys."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "config").write_text("[profile week5]\nregion = ap-northeast-2\n")
    (tmp_path / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-role lookups
    return tmp_path
# jsii starts Node at the first aws_cdk import: make it the project's Node 22.
os.environ["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from constructs import IConstruct  # noqa: E402

from jsii._kernel.providers import process as jsii_process  # noqa: E402

from week5.synth.app_builder import synth_context  # noqa: E402

_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def make_app(outdir: Path, *, cfn_validation: bool = False, **context: Any) -> cdk.App:
    """An app with cdk.json's context and ``context``.

    CDK's built-in CloudFormation validation (``cfn_validation``) changes no template and costs
    0.1 to 0.2 s a synthesis in a worker: the session's app of every lab runs it (as `cdk synth`
    does, so a lab CDK's engine rejects fails the suite), and the unit stacks skip it.
    """
    return cdk.App(
        context={**synth_context(ROOT / "cdk.json"), **context},
        outdir=str(outdir),
        builtin_cloud_formation_validation=cfn_validation,
    )


@dataclass
class SynthesizedApp:
    stacks: Dict[str, cdk.Stack]
    templates: Dict[str, Dict[str, Any]]
    template_paths: Dict[str, Path]
    outdir: Path

    def template(self, lab_id: str) -> Template:
        return Template.from_json(self.templates[lab_id])


#: The instructor's app with every stack and option it has.
INSTRUCTOR_CONTEXT = {
    "instructor_account": "111122223333",
    "external_id": "week5-2026-fall",
    "budget_email": "instructor@example.com",
    "budget_students": "kim,lee",
}


def mask_asset_hashes(value: Any) -> Any:
    """Asset hashes and CDK's usage analytics change with the CDK version and the OS."""
    if isinstance(value, dict):
        return {
            k: "<cdk-analytics>" if k == "Analytics" else mask_asset_hashes(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_asset_hashes(v) for v in value]
    if isinstance(value, str):
        return _ASSET_HASH.sub("<asset-hash>", value)
    return value


# ---- template helpers, shared by the per-stack test modules ----


class ManualClock:
    """A clock that stands still until the test moves it (``clock.now += 61``): a cached
    page's age is then what the test says, however long the machine takes between steps."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def resources(template: Dict[str, Any], rtype: str) -> Dict[str, Dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == rtype}


def props(template: Dict[str, Any], rtype: str) -> List[Dict[str, Any]]:
    return [r.get("Properties", {}) for r in resources(template, rtype).values()]


def tag(resource_props: Dict[str, Any], key: str):
    for item in resource_props.get("Tags", []):
        if item["Key"] == key:
            return item["Value"]
    return None


def by_name(template: Dict[str, Any], rtype: str) -> Dict[str, Dict[str, Any]]:
    """Resources of a type keyed by their Name tag: logical ids are not the course's names."""
    return {tag(p, "Name"): p for p in props(template, rtype)}


def logical_id_of(template: Dict[str, Any], rtype: str, predicate: Callable[[dict], bool]) -> str:
    matches = [
        k for k, r in resources(template, rtype).items() if predicate(r.get("Properties", {}))
    ]
    assert len(matches) == 1, f"expected one {rtype}, found {matches}"
    return matches[0]


def ingress_rules(template: Dict[str, Any], sg_logical_id: str) -> List[Dict[str, Any]]:
    """Inline and separate ingress rules of one security group, in one list."""
    sg = template["Resources"][sg_logical_id]["Properties"]
    rules = list(sg.get("SecurityGroupIngress", []))
    for p in props(template, "AWS::EC2::SecurityGroupIngress"):
        if p.get("GroupId") == {"Fn::GetAtt": [sg_logical_id, "GroupId"]}:
            rules.append(p)
    return rules


def subnet_ids_by_name(template: Dict[str, Any]) -> Dict[str, str]:
    """Subnet Name tag → logical id."""
    return {
        tag(r["Properties"], "Name"): k for k, r in resources(template, "AWS::EC2::Subnet").items()
    }


def default_route_targets(template: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Subnet Name tag → the target of its 0.0.0.0/0 route (e.g. {"GatewayId": {"Ref": igw}})."""
    table_of = {
        p["SubnetId"]["Ref"]: p["RouteTableId"]["Ref"]
        for p in props(template, "AWS::EC2::SubnetRouteTableAssociation")
    }
    targets = {}
    for p in props(template, "AWS::EC2::Route"):
        if p.get("DestinationCidrBlock") == "0.0.0.0/0":
            targets[p["RouteTableId"]["Ref"]] = {
                k: v for k, v in p.items() if k not in ("DestinationCidrBlock", "RouteTableId")
            }
    return {
        name: targets.get(table_of[subnet_id])
        for name, subnet_id in subnet_ids_by_name(template).items()
    }


def instance_subnet(instance_props: Dict[str, Any]) -> str:
    """The logical id of the subnet an instance launches in."""
    if "SubnetId" in instance_props:
        return instance_props["SubnetId"]["Ref"]
    return instance_props["NetworkInterfaces"][0]["SubnetId"]["Ref"]


def instance_security_groups(instance_props: Dict[str, Any]) -> List[str]:
    groups = (
        instance_props.get("SecurityGroupIds") or instance_props["NetworkInterfaces"][0]["GroupSet"]
    )
    return [g["Fn::GetAtt"][0] for g in groups]


def user_data_text(instance_props: Dict[str, Any]) -> str:
    """The literal text of an instance's user data; tokens (Refs) are left out."""
    body = instance_props["UserData"]["Fn::Base64"]
    if isinstance(body, str):
        return body
    return "".join(part for part in body["Fn::Join"][1] if isinstance(part, str))


#: Day, Lab and Student tags of the unit-test stack.
UNIT_TAGS = (1, "Lab1", "unit")


class CourseAzStack(cdk.Stack):
    """A plain stack in Seoul with the course's AZs (and a third, for validation tests)."""

    @property
    def availability_zones(self) -> List[str]:
        return ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]


def logical_id(construct: IConstruct) -> str:
    """The logical id CloudFormation knows a construct by: its default child's (an L2's L1).

    Tests find resources through the construct that made them, as
    ``logical_id(lab.web_tier.alb)``, not by guessing logical-id prefixes.
    """
    resource = construct.node.default_child or construct
    return cdk.Stack.of(construct).get_logical_id(resource)


def synth(stack: cdk.Stack) -> Dict[str, Any]:
    """Synthesize the stack's app (nag gate included) and return the stack's template.

    CDK's provider resources get the unit stack's tags first, as ``build_labs`` gives a lab's.
    """
    from week5.synth.tagging import course_tags, tag_provider_resources

    tag_provider_resources(stack, course_tags(*UNIT_TAGS))
    app_ = stack.node.root
    return app_.synth().get_stack_by_name(stack.stack_name).template


def error_lines(stderr: str) -> List[str]:
    """stderr without the progress lines (``==> ...``, ``   ... still ...``), which every
    command prints there so that stdout carries the result alone: the error is what is left."""
    return [line for line in stderr.strip().splitlines() if not line.startswith(("==>", "   "))]


def fake_cdk(project: Path, script: str) -> Path:
    """``project``'s ``node_modules/.bin/cdk`` as a shell ``script`` (the launchers find the
    CLI there), with scripts/cdk copied in: what a launcher hands the CLI, without the CLI."""
    import shutil

    (project / "scripts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "scripts" / "cdk", project / "scripts" / "cdk")
    fake = project / "node_modules" / ".bin" / "cdk"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(script)
    fake.chmod(0o755)
    return fake


def assembly_cdk(project: Path, assembly: Path) -> Path:
    """``project``'s ``cdk`` (beside scripts/cdk, as :func:`fake_cdk` lays it out) as a
    script that appends its arguments to ``$FAKE_CDK_LOG`` when that is set, and copies
    ``assembly`` into its ``--output`` folder: what `cdk synth` leaves there, at once.
    ``project`` gets the checkout's cdk.json, whose context week5 checks before the CLI.
    For tests whose contract is what the project's own code does with a synthesis (the
    launchers' preflight, `--json`'s stdout): a real one costs 2 to 4 s of CPU there and proves
    nothing more."""
    import shlex
    import shutil

    shutil.copy(ROOT / "cdk.json", project / "cdk.json")
    source = shlex.quote(str(assembly))
    return fake_cdk(
        project,
        "#!/bin/sh\n"
        'if [ -n "${FAKE_CDK_LOG:-}" ]; then printf "%s\\n" "$*" >> "$FAKE_CDK_LOG"; fi\n'
        "while [ $# -gt 0 ]; do\n"
        f'  if [ "$1" = --output ]; then mkdir -p "$2" && cp -R {source}/. "$2"/; fi\n'
        "  shift\n"
        "done\n",
    )


def counting_cdk(project: Path, line: str) -> Path:
    """The pinned CLI and Node linked into ``project``'s node_modules, behind a ``cdk`` that
    first appends ``line`` (shell words: ``$*``, ``${CDK_VALIDATION-unset}``, ...) to
    ``project/cdk-runs.txt``: a test counts the CLI's starts."""
    tools = project / "node_modules"
    (tools / ".bin").mkdir(parents=True)
    for package in ("aws-cdk", "node"):
        (tools / package).symlink_to(ROOT / "node_modules" / package)
    (tools / ".bin" / "node").symlink_to(ROOT / "node_modules" / ".bin" / "node")
    counter = tools / ".bin" / "cdk"
    counter.write_text(
        f'#!/bin/sh\necho "{line}" >> "{project / "cdk-runs.txt"}"\n'
        f'exec "{ROOT / "node_modules" / ".bin" / "cdk"}" "$@"\n'
    )
    counter.chmod(0o755)
    return counter


def jsii_requests(call: Callable[[], object]) -> List[str]:
    """The requests ``call`` sends to the jsii kernel (Node), by type: each is a round trip."""
    requests: List[str] = []
    send = jsii_process._NodeProcess.send

    def counting(self, request, response_type):
        requests.append(type(request).__name__)
        return send(self, request, response_type)

    jsii_process._NodeProcess.send = counting
    try:
        call()
    finally:
        jsii_process._NodeProcess.send = send
    return requests
