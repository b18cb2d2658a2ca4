"""The helpers the constructs share, merged from their copies (a CDK engineer's review, session
15): one walk of a security group's ingress rules (``alb_ingress.ingress_rules``, behind the
EC23, quota and internal-ALB checks), one renderer of an ARN as cdk-nag names it
(``week5.synth.nag.nag_arn``, behind every IAM5 acknowledgement of an ARN), and
``private_bucket``'s ``transition_default_minimum_object_size``."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks
from support import logical_id, resources, synth

from week5.assets import SITES_DIR
from week5.constructs.access import grant_put_only
from week5.constructs.alb_ingress import (
    IngressRule,
    InternalAlbAdmitsSomeone,
    RulesWithinQuota,
    ingress_rules,
    open_to_anyone,
)
from week5.constructs.bucket import private_bucket
from week5.constructs.static_site import StaticSite, _asset_bucket_arn
from week5.synth.nag import nag_arn

ACCOUNT = "123456789012"
SEOUL = "ap-northeast-2"


def _own_app(tmp_path) -> cdk.App:
    """An app as ``cdk init`` makes it: no context, no feature flags."""
    return cdk.App(outdir=str(tmp_path))


def _group(stack: cdk.Stack, construct_id: str = "Group") -> ec2.SecurityGroup:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, f"{construct_id}Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=[f"{SEOUL}a"]
    )
    return ec2.SecurityGroup(stack, construct_id, vpc=vpc)


# ---- ingress_rules: one walk for the checks of alb_ingress and the CloudFront quota ----


def test_open_to_anyone_finds_every_rule_from_anyone_inline_or_a_resource(stack):
    group = _group(stack)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22))
    group.add_ingress_rule(ec2.Peer.any_ipv6(), ec2.Port.tcp(443))
    group.add_ingress_rule(ec2.Peer.ipv4("203.0.113.5/32"), ec2.Port.tcp(80))
    group.add_ingress_rule(ec2.Peer.prefix_list("pl-0123"), ec2.Port.tcp(8080))
    # An L1 elsewhere in the stack, naming the group.
    ec2.CfnSecurityGroupIngress(
        stack,
        "Mysql",
        group_id=group.security_group_id,
        ip_protocol="tcp",
        from_port=3306,
        to_port=3306,
        cidr_ip="0.0.0.0/0",
    )
    assert open_to_anyone(group) == [
        IngressRule("0.0.0.0/0", "tcp", 22, 22),
        IngressRule("::/0", "tcp", 443, 443),
        IngressRule("0.0.0.0/0", "tcp", 3306, 3306),
    ]
    assert [(r.cidr, r.prefix_list, r.from_port) for r in ingress_rules(group)] == [
        ("0.0.0.0/0", None, 22),
        ("::/0", None, 443),
        ("203.0.113.5/32", None, 80),
        (None, "pl-0123", 8080),
        ("0.0.0.0/0", None, 3306),
    ]


@pytest.mark.parametrize("in_stage", [False, True], ids=["app", "stage"])
def test_a_rule_declared_in_a_sibling_stack_is_the_groups(tmp_path, in_stage):
    """CDK declares a rule from a group of another stack in that stack: an internal ALB
    granted to a caller there admits someone, and the rule counts against the quota. A third
    stack's rules on its own group are not this group's."""
    app = _own_app(tmp_path)
    env = cdk.Environment(account=ACCOUNT, region=SEOUL)
    scope = cdk.Stage(app, "Prod") if in_stage else app
    one, other, third = (cdk.Stack(scope, name, env=env) for name in ("One", "Other", "Third"))
    group = _group(one)
    caller = _group(other, "Caller")
    group.add_ingress_rule(caller, ec2.Port.tcp(80), "from another stack", remote_rule=True)
    _group(third, "Elsewhere").add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(22))
    assembly = app.synth()
    if in_stage:
        assembly = assembly.get_nested_assembly(scope.artifact_id)
    (rule,) = [
        r
        for r in assembly.get_stack_by_name(other.stack_name).template["Resources"].values()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
    ]
    assert rule["Properties"]["Description"] == "from another stack"
    assert ingress_rules(group) == [IngressRule(None, "tcp", 80, 80)]
    assert InternalAlbAdmitsSomeone(group, "HaWebTier One/Group").validate() == []
    assert open_to_anyone(group) == []


def test_the_quota_counts_a_prefix_list_as_55_rules(stack):
    group = _group(stack)
    group.add_ingress_rule(ec2.Peer.prefix_list("pl-0123"), ec2.Port.tcp(80))
    for port in range(5):
        group.add_ingress_rule(ec2.Peer.ipv4(f"10.0.{port}.0/24"), ec2.Port.tcp(80))
    assert RulesWithinQuota(group, "HaWebTier UnitStack/Web").validate() == []
    group.add_ingress_rule(ec2.Peer.ipv4("10.0.9.0/24"), ec2.Port.tcp(80))
    assert RulesWithinQuota(group, "HaWebTier UnitStack/Web").validate() == [
        "HaWebTier UnitStack/Web: the ALB's security group would count 61 inbound rules "
        "(CloudFront's prefix list counts as 55); EC2 allows 60. Admit one port from "
        "CloudFront, and nothing else"
    ]


# ---- nag_arn: an ARN as cdk-nag writes it in a finding's id ----


def test_nag_arn_of_a_bucket_of_the_stack_and_one_imported(stack):
    own = private_bucket(stack, "Archive")
    assert nag_arn(own, own.arn_for_objects("in/*")) == f"<{logical_id(own)}.Arn>/in/*"
    imported = s3.Bucket.from_bucket_name(stack, "Imported", "acme-archive")
    # The course's app: partition literals on, the region known.
    assert nag_arn(imported, imported.arn_for_objects("in/*")) == "arn:aws:s3:::acme-archive/in/*"


@pytest.mark.parametrize(
    "env, snapshots, assets",
    [
        (
            None,
            "arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*",
            "arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
        ),
        (
            cdk.Environment(account=ACCOUNT, region=SEOUL),
            f"arn:<AWS::Partition>:ec2:{SEOUL}::snapshot/*",
            f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{ACCOUNT}-{SEOUL}/*",
        ),
    ],
    ids=["agnostic", "account-seoul"],
)
def test_nag_arn_keeps_what_cdk_writes_literally_and_names_the_rest(
    tmp_path, env, snapshots, assets
):
    stack = cdk.Stack(_own_app(tmp_path), "Own", env=env)
    arn = stack.format_arn(service="ec2", resource="snapshot", resource_name="*", account="")
    assert nag_arn(stack, arn) == snapshots
    assert nag_arn(stack, _asset_bucket_arn(stack) + "/*") == assets
    assert nag_arn(stack, Fn.sub("arn:${AWS::Partition}:s3:::b/*")) == "arn:<AWS::Partition>:s3:::b/*"
    assert nag_arn(stack, Fn.import_value("One:ArchiveArn")) == "One:ArchiveArn"


def _findings(stack: cdk.Stack):
    report = AwsSolutionsChecks().validate_scope(stack)
    return sorted(
        f"{v.rule_name}[{r.construct_path}]" for v in report.violations for r in v.violating_resources
    )


ENVS = {
    "agnostic": None,
    "region-only": cdk.Environment(region=SEOUL),
    "account-seoul": cdk.Environment(account=ACCOUNT, region=SEOUL),
}


@pytest.mark.parametrize("env", ENVS.values(), ids=ENVS.keys())
def test_grant_put_only_on_an_imported_bucket_passes_aws_solutions_in_an_own_app(tmp_path, env):
    """Without partition literals the policy names ``arn:<AWS::Partition>:s3:::...`` even in
    Seoul; the acknowledgement said ``arn:aws:s3:::...`` there, and the IAM5 finding failed the
    importer's synth."""
    stack = cdk.Stack(_own_app(tmp_path), "Own", env=env)
    bucket = s3.Bucket.from_bucket_name(stack, "Imported", "acme-archive")
    writer = iam.Role(stack, "Writer", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    grant_put_only(bucket, writer, "in/", reason="Each record gets a new key under in/.")
    assert _findings(stack) == []


@pytest.mark.parametrize("env", ENVS.values(), ids=ENVS.keys())
def test_a_static_site_names_both_buckets_as_cdk_nag_does_in_an_own_app(tmp_path, env):
    stack = cdk.Stack(_own_app(tmp_path), "Own", env=env)
    StaticSite(stack, "Site", content_dir=SITES_DIR / "cloudmart-static")
    assert _findings(stack) == []


# ---- private_bucket(transition_default_minimum_object_size=...) ----


def _to_glacier():
    return [
        s3.LifecycleRule(
            id="ToGlacier",
            transitions=[
                s3.Transition(
                    storage_class=s3.StorageClass.GLACIER, transition_after=Duration.days(30)
                )
            ],
        )
    ]


def test_the_transition_minimum_size_is_the_property_day3_overrides(stack):
    """Day 3's archive sets it with an L1 override; the prop writes the same property."""
    overridden = private_bucket(stack, "Overridden", lifecycle_rules=_to_glacier())
    overridden.node.default_child.add_property_override(
        "LifecycleConfiguration.TransitionDefaultMinimumObjectSize", "varies_by_storage_class"
    )
    passed = private_bucket(
        stack,
        "Passed",
        lifecycle_rules=_to_glacier(),
        transition_default_minimum_object_size=(
            s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS
        ),
    )
    default = private_bucket(stack, "Default", lifecycle_rules=_to_glacier())
    buckets = resources(synth(stack), "AWS::S3::Bucket")
    by_prop = buckets[logical_id(passed)]["Properties"]
    assert by_prop["LifecycleConfiguration"]["TransitionDefaultMinimumObjectSize"] == (
        "varies_by_storage_class"
    )
    # Byte for byte, key order included.
    assert json.dumps(by_prop) == json.dumps(buckets[logical_id(overridden)]["Properties"])
    assert "TransitionDefaultMinimumObjectSize" not in (
        buckets[logical_id(default)]["Properties"]["LifecycleConfiguration"]
    )
