"""The construct library in a user's own CDK app: a plain ``Stack`` with or without ``env``,
with or without cdk.json's feature flags, and the inputs such an app passes (a CfnParameter's
value, a Duration, one string where a list is wanted). A trial found each case here."""

import json

import aws_cdk as cdk
import pytest
from aws_cdk import CfnParameter, Duration
from cdk_nag import AwsSolutionsChecks
from support import make_app, props

from week5.assets import SITES_DIR
from week5.constructs.access import grant_put_only
from week5.constructs.bastion import add_jump_outputs
from week5.constructs.bucket import private_bucket
from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.database import PostgresDatabase
from week5.constructs.host import LabHost
from week5.constructs.static_site import StaticSite
from week5.constructs.waf import regional_web_acl
from week5.core.errors import CourseInputError

SITE = SITES_DIR / "cloudmart-static"
SEOUL = "ap-northeast-2"
ECR_IMAGE = f"123456789012.dkr.ecr.{SEOUL}.amazonaws.com/shop:1.0"


def _plain_app(tmp_path):
    """An app as ``cdk init`` makes it: none of cdk.json's feature flags."""
    return cdk.App(outdir=str(tmp_path))


def _findings(stack):
    return [v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations]


def test_a_static_site_synthesizes_in_an_env_agnostic_stack(tmp_path):
    """The asset bucket's acknowledgement id was built from the region token: CDK refused a
    token as a map key, so app.synth() failed even without cdk-nag."""
    app = _plain_app(tmp_path)
    StaticSite(cdk.Stack(app, "Site"), "Site", content_dir=SITE)
    assembly = app.synth()
    assert assembly.get_stack_by_name("Site").template["Resources"]


@pytest.mark.parametrize(
    "flags, env",
    [
        (False, None),
        (False, cdk.Environment(account="123456789012", region=SEOUL)),  # <AWS::Partition>
        (True, cdk.Environment(account="123456789012", region=SEOUL)),  # arn:aws:
        (True, cdk.Environment(region=SEOUL)),  # the course's LabStack
        (True, cdk.Environment(account="123456789012")),
    ],
    ids=["agnostic", "account-region", "account-region-flags", "region-flags", "account-flags"],
)
def test_a_static_site_acknowledges_the_asset_bucket_cdk_nag_names(tmp_path, flags, env):
    """cdk-nag names CDK's asset bucket with the stack's literal account, region and partition
    where CDK knows them (the partition only with cdk.json's enablePartitionLiterals)."""
    app = make_app(tmp_path) if flags else _plain_app(tmp_path)
    stack = cdk.Stack(app, "Site", env=env)
    StaticSite(stack, "Site", content_dir=SITE)
    assert _findings(stack) == []


def test_cloudmart_with_a_known_account_and_region_passes_aws_solutions(tmp_path):
    stack = cdk.Stack(
        _plain_app(tmp_path), "Shop", env=cdk.Environment(account="123456789012", region=SEOUL)
    )
    CloudMartStack(stack, "Shop", parameter_prefix="/own/shop")
    assert _findings(stack) == []


def test_an_env_agnostic_cloudmart_takes_an_ecr_image(tmp_path):
    """The stack's account and region are tokens until deploy: they cannot be compared with
    the image's, so the image is taken and the pull grant names its repository."""
    app = _plain_app(tmp_path)
    stack = cdk.Stack(app, "Shop")
    CloudMartStack(
        stack, "Shop", parameter_prefix="/own/shop", backend_image=ECR_IMAGE, backend_port=8080
    )
    template = app.synth().get_stack_by_name("Shop").template
    policies = props(template, "AWS::IAM::Policy")
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    pull = next(s for s in statements if "ecr:BatchGetImage" in s["Action"])
    assert "repository/shop" in json.dumps(pull["Resource"])


def test_the_web_acl_refuses_one_string_for_the_rule_groups_and_an_empty_metric_name(stack):
    with pytest.raises(CourseInputError, match="managed_rule_groups=.* must be a list"):
        regional_web_acl(
            stack, "Acl", metric_name="m", managed_rule_groups="AWSManagedRulesCommonRuleSet"
        )
    with pytest.raises(CourseInputError, match="metric_name='' must be 1 to 255"):
        regional_web_acl(stack, "Acl2", metric_name="")


@pytest.mark.parametrize("value", ["XY", ("X",)], ids=["one-string", "id-only"])
def test_jump_outputs_want_an_id_and_a_description(stack, net, value):
    jump = LabHost(stack, "Jump", vpc=net.vpc, subnet=net.public_subnets[0])
    target = LabHost(stack, "Target", vpc=net.vpc, subnet=net.private_subnets[0])
    with pytest.raises(CourseInputError, match=r"ssm=.* must be \(output id, description\)"):
        add_jump_outputs(stack, jump, target, ssm=value)


def test_a_short_reason_is_a_course_input_error(stack):
    bucket = private_bucket(stack, "Archive")
    writer = cdk.aws_iam.Role(
        stack, "Writer", assumed_by=cdk.aws_iam.ServicePrincipal("ec2.amazonaws.com")
    )
    with pytest.raises(CourseInputError, match="names the lab trade-off"):
        grant_put_only(bucket, writer, "in/", reason="x")


def test_a_deploy_time_number_or_name_is_refused_as_such(stack, net):
    size = CfnParameter(stack, "Size", type="Number").value_as_number
    with pytest.raises(CourseInputError, match=r"root_volume_gib= a deploy-time value .*number"):
        LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], root_volume_gib=size)
    kind = CfnParameter(stack, "Kind").value_as_string
    with pytest.raises(CourseInputError, match="instance_type= a deploy-time value"):
        LabHost(stack, "Host2", vpc=net.vpc, subnet=net.public_subnets[0], instance_type=kind)


def test_a_duration_for_a_number_of_days_says_so(stack, net):
    with pytest.raises(
        CourseInputError, match="backup_retention_days takes a number of days, not a Duration"
    ):
        PostgresDatabase(stack, "Db", vpc=net.vpc, backup_retention_days=Duration.days(1))
