"""Shared fixtures: the whole app synthesized once per session, as `cdk synth` sees it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
# jsii starts Node at the first aws_cdk import: make it the project's Node 22.
os.environ["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from syrupy.extensions.json import JSONSnapshotExtension  # noqa: E402

from stacks.catalog import CATALOG  # noqa: E402
from week5.synth.app_builder import build_labs, synth_context  # noqa: E402

_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def make_app(outdir: Path, **context: Any) -> cdk.App:
    return cdk.App(context={**synth_context(ROOT / "cdk.json"), **context}, outdir=str(outdir))


@dataclass
class SynthesizedApp:
    stacks: Dict[str, cdk.Stack]
    templates: Dict[str, Dict[str, Any]]
    template_paths: Dict[str, Path]
    outdir: Path

    def template(self, lab_id: str) -> Template:
        return Template.from_json(self.templates[lab_id])


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> SynthesizedApp:
    """Every lab, synthesized once with cdk.json's context and the cdk-nag gate on."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    cdk_app = make_app(outdir)
    stacks = build_labs(cdk_app, CATALOG)
    assembly = cdk_app.synth()
    artifacts = {lab_id: assembly.get_stack_by_name(s.stack_name) for lab_id, s in stacks.items()}
    return SynthesizedApp(
        stacks=stacks,
        templates={lab_id: a.template for lab_id, a in artifacts.items()},
        template_paths={lab_id: Path(a.template_full_path) for lab_id, a in artifacts.items()},
        outdir=outdir,
    )


#: The instructor's app with every stack and option it has.
INSTRUCTOR_CONTEXT = {
    "instructor_account": "111122223333",
    "external_id": "week5-2026-fall",
    "budget_email": "instructor@example.com",
    "budget_students": "kim,lee",
}


@pytest.fixture(scope="session")
def instructor_templates(tmp_path_factory) -> Dict[str, Dict[str, Any]]:
    """InstructorAccess and BudgetGuard, synthesized once per session with both rule packs."""
    from instructor_app import build

    cdk_app = make_app(tmp_path_factory.mktemp("instructor"), **INSTRUCTOR_CONTEXT)
    stacks = build(cdk_app)  # the packs fail the synth on a finding
    assembly = cdk_app.synth()
    return {name: assembly.get_stack_by_name(s.stack_name).template for name, s in stacks.items()}


@pytest.fixture(scope="module")
def t(app, request) -> Dict[str, Any]:
    """The template of the lab named by the test module's ``LAB``."""
    return app.templates[request.module.LAB]


@pytest.fixture(scope="module")
def hosts(t) -> Dict[str, Dict[str, Any]]:
    """The lab's instances, keyed by their Name tag."""
    return by_name(t, "AWS::EC2::Instance")


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


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


# ---- template helpers, shared by the per-stack test modules ----


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


def logical(template: Dict[str, Any], rtype: str, prefix: str) -> str:
    """The one logical id of type ``rtype`` that starts with ``prefix`` (a construct path)."""
    matches = [k for k in resources(template, rtype) if k.startswith(prefix)]
    assert len(matches) == 1, f"expected one {rtype} starting {prefix}, found {matches}"
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


@pytest.fixture
def stack(tmp_path):
    """A fresh stack under an app with cdk.json's context and both rule packs on: tagged
    like a lab, so a construct is held to the course's rules on its own."""
    from week5.synth.nag import enable_nag
    from week5.synth.tagging import apply_course_tags

    cdk_app = make_app(tmp_path)
    enable_nag(cdk_app)
    unit = CourseAzStack(cdk_app, "UnitStack", env=cdk.Environment(region="ap-northeast-2"))
    apply_course_tags(unit, *UNIT_TAGS)
    return unit


@pytest.fixture
def net(stack):
    """The course's default two-AZ VPC in the unit-test stack."""
    from week5.constructs.vpc import MultiAzVpc

    return MultiAzVpc(stack, "Net")


def synth(stack: cdk.Stack) -> Dict[str, Any]:
    """Synthesize the stack's app (nag gate included) and return the stack's template.

    CDK's provider resources get the unit stack's tags first, as ``build_labs`` gives a lab's.
    """
    from week5.synth.tagging import course_tags, tag_provider_resources

    tag_provider_resources(stack, course_tags(*UNIT_TAGS))
    app_ = stack.node.root
    return app_.synth().get_stack_by_name(stack.stack_name).template


# Real PostgreSQL and Redis servers, for the demo apps and the lab's client scripts.
from servers import postgres_server, redis_server  # noqa: E402,F401


@pytest.fixture
def local_aws_env():
    """A moto server on a free port, and the environment that points boto3 (and `week5`) at
    it: for commands that an instructor runs against AWS."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        _, port = server.get_host_and_port()
        yield {
            **os.environ,
            "AWS_ENDPOINT_URL": f"http://localhost:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
        }
    finally:
        server.stop()
