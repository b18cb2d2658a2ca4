"""The parts of `cdk synth` made cheaper for issue 18, by what they still do: the course's rule
pack reads templates without a round trip to Node per resource and reports what cdk-nag's own
walk reports; the provider walk finds CDK's custom-resource providers once for both of its users.
(How fast is bench/synth_time.py's and bench/course_checks_time.py's to say, not a test's.)"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from cdk_nag import NagPack
from constructs import Construct
from support import jsii_requests, make_app

from stacks.catalog import CATALOG
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.synth.app_builder import build_labs
from week5.synth.course_checks import CourseChecks
from week5.synth.nag import acknowledge
from week5.synth.providers import give_provider_functions_log_groups
from week5.synth.tagging import (
    apply_course_tags,
    providers_of,
    tag_provider_resources,
)

SEOUL = cdk.Environment(region="ap-northeast-2")
REASON = "A case of the speed tests: the finding is acknowledged on purpose here."


def tagged_stack(tmp_path: Path, **context) -> cdk.Stack:
    stack = cdk.Stack(make_app(tmp_path, **context), "Case", env=SEOUL)
    apply_course_tags(stack, 1, "Lab1", "kim")
    return stack


def compliant_resources(stack: cdk.Stack, count: int) -> None:
    """``count`` tagged VPCs (taggable) and ``count`` routes (a type that takes no tags)."""
    for index in range(count):
        vpc = ec2.CfnVPC(stack, f"Vpc{index}", cidr_block="10.0.0.0/16")
        ec2.CfnRoute(stack, f"Route{index}", route_table_id=vpc.ref, gateway_id="igw-0123456789")


def shape(report) -> List[Tuple[str, str, str, List[Tuple[str, Tuple[str, ...]]]]]:
    return [
        (
            v.rule_name,
            v.description,
            v.severity,
            [(r.construct_path, tuple(r.locations)) for r in v.violating_resources],
        )
        for v in report.violations
    ]


def broken_stack(tmp_path: Path, **context) -> cdk.Stack:
    """Findings of several rules: one acknowledged on the stack, one on the resource's scope,
    and a class finding acknowledged by its id in []."""
    stack = tagged_stack(tmp_path, **context)
    group = ec2.CfnSecurityGroup(
        stack, "Group", group_description="lab", vpc_id="vpc-0123456789abcdef0"
    )
    ec2.CfnSecurityGroupIngress(
        stack,
        "Ssh",
        group_id=group.attr_group_id,
        ip_protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_ip="0.0.0.0/0",
    )
    nested_scope = Construct(stack, "Inner")
    ec2.CfnInstance(nested_scope, "Big", image_id="ami-0123456789abcdef0", instance_type="m5.large")
    ec2.CfnInstance(stack, "Medium", image_id="ami-0123456789abcdef0", instance_type="t3.medium")
    acknowledge(stack, "Week5-AllowedInstanceClasses[t3.medium]", REASON)
    acknowledge(nested_scope, "Week5-RequireImdsv2", REASON)
    cdk.Tags.of(group).remove("Student", priority=500)
    stack.node.root.synth()
    return stack


def test_a_compliant_resource_costs_no_round_trip_to_node(tmp_path):
    """The pack's cost in round trips is the same for 3 resources of each kind as for 30."""
    counts = []
    for count in (3, 30):
        stack = tagged_stack(tmp_path / str(count))
        compliant_resources(stack, count)
        stack.node.root.synth()
        pack = CourseChecks()
        report = None

        def check():
            nonlocal report
            report = pack.validate_scope(stack)

        counts.append(len(jsii_requests(check)))
        assert report.success, shape(report)
    assert counts[0] == counts[1] and counts[1] < 40


def test_the_pack_reports_what_cdk_nags_walk_reports(tmp_path, monkeypatch):
    stack = broken_stack(tmp_path)
    visited = []
    check_resource = CourseChecks._check_resource

    def counted(pack, node):
        visited.append(node)
        check_resource(pack, node)

    monkeypatch.setattr(CourseChecks, "_check_resource", counted)
    fast = CourseChecks().validate_scope(stack)
    assert visited == []  # no callback per resource
    walked = NagPack.validate_scope(CourseChecks(), stack)  # cdk-nag's per-resource walk
    assert len(visited) == 5  # Group, Ssh, Inner/Big, Medium, CDKMetadata
    assert shape(fast) == shape(walked)
    rules = [v.rule_name for v in fast.violations]
    assert "Week5-NoAdminPortsFromInternet" in rules
    assert "Week5-CourseTags[Student]" in rules
    assert "Week5-AllowedInstanceClasses[m5.large]" in rules
    # Acknowledged: on the stack by the finding's id, on the instance's scope by the rule's.
    assert "Week5-AllowedInstanceClasses[t3.medium]" not in rules
    (imdsv2,) = [v for v in fast.violations if v.rule_name == "Week5-RequireImdsv2"]
    assert [r.construct_path for r in imdsv2.violating_resources] == ["Case/Medium"]


def test_the_whole_app_is_checked_as_its_stacks_are(tmp_path):
    stack = broken_stack(tmp_path)
    assert shape(CourseChecks().validate_scope(stack.node.root)) == shape(
        CourseChecks().validate_scope(stack)
    )


def test_a_scope_inside_a_stack_is_checked_by_cdk_nags_walk(tmp_path):
    stack = broken_stack(tmp_path)
    report = CourseChecks().validate_scope(stack.node.find_child("Inner"))
    found = [
        (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
    ]
    assert found == [("Week5-AllowedInstanceClasses[m5.large]", ["Case/Inner/Big"])]


def test_without_path_metadata_a_finding_still_names_its_construct(tmp_path):
    with_paths = broken_stack(tmp_path / "paths")
    without = broken_stack(tmp_path / "bare", **{"aws:cdk:enable-path-metadata": False})
    template = Path(without.node.root.outdir) / without.template_file
    assert "aws:cdk:path" not in template.read_text()
    assert shape(CourseChecks().validate_scope(without)) == shape(
        CourseChecks().validate_scope(with_paths)
    )


def test_a_nested_stacks_resources_are_checked(tmp_path):
    """A nested stack's template is its own: the pack then walks the constructs as cdk-nag does."""
    stack = tagged_stack(tmp_path)
    nested = cdk.NestedStack(stack, "Nested")
    ec2.CfnInstance(nested, "Big", image_id="ami-0123456789abcdef0", instance_type="m5.large")
    stack.node.root.synth()
    rules = [v.rule_name for v in CourseChecks().validate_scope(stack).violations]
    assert "Week5-AllowedInstanceClasses[m5.large]" in rules


def test_providers_are_found_with_their_raw_resources(tmp_path):
    stack = tagged_stack(tmp_path)
    s3.Bucket(stack, "Bucket", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True)
    (provider,) = providers_of(stack)
    assert provider.construct.node.id == "Custom::S3AutoDeleteObjectsCustomResourceProvider"
    assert sorted(rtype for _, rtype in provider.raw_resources) == [
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
    ]


def test_tagging_and_log_groups_use_the_walk_they_are_given(tmp_path):
    """build_labs walks a stack's children once and hands the providers to both."""
    stack = build_labs(make_app(tmp_path, labs="Day2Lab2"), CATALOG, nag=False)["Day2Lab2"]
    providers = providers_of(stack)
    # The bucket's auto-delete provider (a raw role and function) and BucketDeployment's
    # singleton function (an L2, which Tags.of reaches: nothing raw).
    raw = {p.construct.node.id: sorted(t for _, t in p.raw_resources) for p in providers}
    assert raw.pop("Custom::S3AutoDeleteObjectsCustomResourceProvider") == [
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
    ]
    (deployment,) = raw.items()
    assert deployment[0].startswith("Custom::CDKBucketDeployment") and deployment[1] == []
    assert tag_provider_resources(stack, {"Week": "Week5"}, providers) == 2
    assert tag_provider_resources(stack, {"Week": "Week5"}, []) == 0
    # Its log group was given while the stack was built (StaticSite, then build_labs): once.
    assert give_provider_functions_log_groups(stack, providers) == 0


def test_the_provider_walk_asks_node_only_about_children_python_cannot_tell(tmp_path):
    """Outputs, parameters and resources at a stack's top (a CfnElement has no children) and
    this project's own constructs are passed over by their Python class: however many there
    are, the walk costs the same round trips, and finds the same provider."""

    def walk(outputs: int) -> int:
        stack = tagged_stack(tmp_path / str(outputs))
        s3.Bucket(
            stack, "Bucket", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True
        )
        for index in range(outputs):
            cdk.CfnOutput(stack, f"Output{index}", value="v")
            ec2.CfnVPC(stack, f"Vpc{index}", cidr_block="10.0.0.0/16")
            MultiAzVpc(stack, f"Network{index}", nat=NatMode.NONE, private_subnet_cidrs=())
        found = []
        trips = len(jsii_requests(lambda: found.extend(providers_of(stack))))
        (provider,) = found
        assert provider.construct.node.id == "Custom::S3AutoDeleteObjectsCustomResourceProvider"
        return trips

    assert walk(1) == walk(12)
