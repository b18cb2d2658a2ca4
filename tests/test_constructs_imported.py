"""The constructs imported into an engineer's own CDK app: ``cdk.App()`` with none of the
course's cdk.json context (no ``@aws-cdk/core:enablePartitionLiterals``), stacks with and
without an account and region, and what such an app adds to a construct (its own grants, a
second copy). A trial's apps found each case here."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from week5.constructs import (
    DataVolume,
    HaWebTier,
    LabHost,
    LeftoverCleanup,
    MultiAzVpc,
    MysqlDatabase,
    PostgresDatabase,
    RedisCache,
    ScheduledSnapshots,
)
from week5.constructs.cloudmart import CloudMartStack
from week5.core.errors import CourseInputError

ACCOUNT = "123456789012"
SEOUL = "ap-northeast-2"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.{SEOUL}.amazonaws.com/shop:1"


def _own_app(tmp_path) -> cdk.App:
    """An app as ``cdk init`` makes it: no context, no feature flags."""
    return cdk.App(outdir=str(tmp_path))


def _findings(stack: cdk.Stack):
    """AwsSolutions alone, as an importer runs it: ``rule[finding]`` of each violation."""
    report = AwsSolutionsChecks().validate_scope(stack)
    return sorted(
        f"{v.rule_name}[{r.construct_path}]"
        for v in report.violations
        for r in v.violating_resources
    )


ENVS = {
    "agnostic": None,
    "region-only": cdk.Environment(region=SEOUL),
    "us-east-1-only": cdk.Environment(region="us-east-1"),
    "account-seoul": cdk.Environment(account=ACCOUNT, region=SEOUL),
    "account-us-east-1": cdk.Environment(account=ACCOUNT, region="us-east-1"),
}


@pytest.mark.parametrize("env", ENVS.values(), ids=ENVS.keys())
def test_snapshots_and_cleanup_pass_aws_solutions_in_an_own_app(tmp_path, env):
    """Their IAM5 acknowledgements named the wildcard ARNs as the course's app renders them
    (``arn:aws:``, ``<AWS::AccountId>``): elsewhere cdk-nag writes ``<AWS::Partition>`` or the
    account's number, and five IAM5 findings failed the importer's synth."""
    stack = cdk.Stack(_own_app(tmp_path), "Vol", env=env)
    net = MultiAzVpc(stack, "Net", nat=None)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    data = DataVolume(stack, "Data", host=host)
    ScheduledSnapshots(stack, "Snap", volume=data.volume)
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    LeftoverCleanup(
        stack, "Cleanup", tag_value="mine", volumes=[data.volume], databases=[db.instance]
    )
    assert _findings(stack) == []


def _seoul(tmp_path, env=cdk.Environment(account=ACCOUNT, region=SEOUL)) -> cdk.Stack:
    return cdk.Stack(_own_app(tmp_path), "Own", env=env)


# ---- CloudMartStack with your own image: your own statements stay yours ----


def test_a_users_wildcard_beside_an_ecr_image_is_still_reported(tmp_path):
    """The image pull's acknowledgement of IAM5[Resource::*] sat on the backend's whole role,
    so a statement on * the user added to it (cloudmart.grant_principal) was silenced too."""
    stack = _seoul(tmp_path)
    shop = CloudMartStack(stack, "Shop", parameter_prefix="/own/shop", backend_image=ECR_IMAGE)
    assert _findings(stack) == []  # the registry login's own * is acknowledged, on its policy
    shop.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["ec2:TerminateInstances"], resources=["*"])
    )
    assert _findings(stack) == [
        "AwsSolutions-IAM5[Resource::*][Own/Shop/Backend/InstanceRole/DefaultPolicy/Resource]"
    ]


def test_the_registry_login_is_granted_before_an_instance_boots(tmp_path):
    stack = _seoul(tmp_path)
    shop = CloudMartStack(stack, "Shop", parameter_prefix="/own/shop", backend_image=ECR_IMAGE)
    template = cdk.assertions.Template.from_stack(stack).to_json()
    policies = {
        key: resource["Properties"]["PolicyDocument"]["Statement"]
        for key, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy"
    }
    login = [
        key
        for key, statements in policies.items()
        if any(x["Action"] == "ecr:GetAuthorizationToken" for x in statements)
    ]
    assert len(login) == 1 and login[0].startswith("ShopBackendRegistryLogin")
    group = stack.resolve(shop.backend.asg.node.default_child.logical_id)
    assert login[0] in template["Resources"][group]["DependsOn"]
    pull = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    pulls = [x for statements in policies.values() for x in statements if x["Action"] == pull]
    assert len(pulls) == 1 and "repository/shop" in str(pulls[0]["Resource"])


# ---- CloudMartStack's parameter_prefix: what SSM would refuse at deploy ----


def test_two_cloudmarts_in_one_stack_need_their_own_parameter_prefix(tmp_path):
    """Both wrote /<stack>/cloudmart/db-endpoint, ...: CloudFormation failed the second
    parameter with "already exists", minutes into the deploy."""
    stack = _seoul(tmp_path)
    CloudMartStack(stack, "ShopA")
    with pytest.raises(CourseInputError) as refused:
        CloudMartStack(stack, "ShopB")
    message = str(refused.value)
    assert "\n" not in message
    assert "Own/ShopB" in message and "Own/ShopA" in message and "parameter_prefix" in message
    CloudMartStack(stack, "ShopC", parameter_prefix="/Own/ShopC", name_prefix="week5-day5-shopc")


@pytest.mark.parametrize("prefix", ["/aws/shop", "/SSM/shop", "/awsshop/x", "/ssm-x"])
def test_a_parameter_prefix_ssm_keeps_is_refused(tmp_path, prefix):
    with pytest.raises(CourseInputError, match=r"parameter_prefix=.*SSM keeps for itself"):
        CloudMartStack(_seoul(tmp_path), "Shop", parameter_prefix=prefix)


@pytest.mark.parametrize("length", [1100, 945, 940])
def test_a_parameter_prefix_too_long_for_ssm_or_the_boot_script_is_named(tmp_path, length):
    """SSM takes 1011 characters of name with its ARN; below that the boot script, which
    names every parameter, passed EC2's 16 KB and the error named only the backend's user
    data. Either way the message now names parameter_prefix and the length that fits."""
    prefix = "/" + "p" * (length - 1)
    said = "^CloudMartStack Own/Shop: parameter_prefix is"
    with pytest.raises(CourseInputError, match=said) as e:
        CloudMartStack(_seoul(tmp_path), "Shop", parameter_prefix=prefix)
    message = str(e.value)
    assert "\n" not in message
    most = int(re.search(r"use at most (\d+)$", message)[1])
    if length > 945:  # SSM's limit, which the boot script's undercuts for the demo backend
        assert "SSM takes a name of at most 1011 with its ARN" in message
        return
    assert "boot script 6 times" in message  # each of the demo's six parameters
    CloudMartStack(_seoul(tmp_path / "fits"), "Shop", parameter_prefix="/" + "p" * (most - 1))


def test_a_parameter_prefix_that_fits_is_taken(tmp_path):
    CloudMartStack(_seoul(tmp_path), "Shop", parameter_prefix="/" + "p" * 700)


def test_a_parameter_prefix_too_deep_for_ssm_is_refused(tmp_path):
    with pytest.raises(CourseInputError, match="parameter_prefix=.* has 15 levels"):
        CloudMartStack(_seoul(tmp_path), "Shop", parameter_prefix="/a" * 15)


# ---- RedisCache, HaWebTier, databases: what AWS would refuse at deploy ----


@pytest.fixture
def own_net(tmp_path):
    return MultiAzVpc(_seoul(tmp_path), "Net")


@pytest.mark.parametrize(
    "engine, version",
    [("redis", "banana"), ("valkey", "7.1"), ("redis", "5.0.6"), ("redis", ""), ("redis", "8.0")],
)
def test_an_engine_version_elasticache_does_not_offer_is_refused(own_net, engine, version):
    with pytest.raises(CourseInputError, match=rf"engine_version={version!r}.* use one of") as e:
        RedisCache(own_net, "Cache", vpc=own_net.vpc, engine=engine, engine_version=version)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("engine, version", [("redis", "6.2"), ("redis", "7.1"), ("valkey", "8.1")])
def test_an_offered_engine_version_is_taken(own_net, engine, version):
    cache = RedisCache(own_net, "Cache", vpc=own_net.vpc, engine=engine, engine_version=version)
    assert cache.replication_group.engine_version == version


CERT = f"arn:aws:acm:{SEOUL}:{ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


@pytest.mark.parametrize(
    "arn, said",
    [
        ("nope", "is not an ACM certificate's ARN"),
        ("", "is not an ACM certificate's ARN"),
        (CERT.replace(":acm:", ":iam:"), "is not an ACM certificate's ARN"),
        (CERT.replace(SEOUL, "us-east-1"), "is in us-east-1, the stack in ap-northeast-2"),
    ],
)
def test_a_certificate_arn_an_alb_cannot_use_is_refused(own_net, arn, said):
    with pytest.raises(CourseInputError, match=said) as e:
        HaWebTier(own_net, "Web", vpc=own_net.vpc, certificate_arn=arn)
    assert "certificate_arn" in str(e.value) and "\n" not in str(e.value)


def test_an_acm_certificate_of_the_stacks_region_is_taken(own_net):
    tier = HaWebTier(own_net, "Web", vpc=own_net.vpc, certificate_arn=CERT)
    assert tier.url.startswith("https://")


@pytest.mark.parametrize(
    "kind, username, said",
    [
        (PostgresDatabase, "a" * 17, "at most 16"),
        (MysqlDatabase, "a" * 17, "at most 16"),
        (PostgresDatabase, "rdsadmin", "RDS keeps"),
        (MysqlDatabase, "RDSADMIN", "RDS keeps"),
        (PostgresDatabase, "user", "PostgreSQL keeps"),
        (PostgresDatabase, "Select", "PostgreSQL keeps"),
        (PostgresDatabase, "pg_lab", "PostgreSQL keeps"),
        (PostgresDatabase, "admin", "RDS for PostgreSQL keeps"),
    ],
)
def test_a_master_username_rds_refuses_is_refused(own_net, kind, username, said):
    with pytest.raises(CourseInputError, match=f"username={username!r}.*{said}") as e:
        kind(own_net, "Db", vpc=own_net.vpc, username=username)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize(
    "kind, username",
    [(PostgresDatabase, "a" * 16), (MysqlDatabase, "user"), (MysqlDatabase, "admin")],
)
def test_a_master_username_rds_takes_is_taken(own_net, kind, username):
    kind(own_net, "Db", vpc=own_net.vpc, username=username)


# ---- grant_connect takes any connectable and grantable construct ----


def test_grant_connect_takes_cdks_own_consumers(own_net):
    vpc = own_net.vpc
    db = PostgresDatabase(own_net, "Db", vpc=vpc)
    cache = RedisCache(own_net, "Cache", vpc=vpc)
    instance = ec2.Instance(
        own_net, "Instance", vpc=vpc, instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    )  # fmt: skip
    function = lambda_.Function(
        own_net, "Function", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.h",
        code=lambda_.Code.from_inline("def h(e, c): pass"), vpc=vpc,
    )  # fmt: skip
    assert isinstance(db.grant_connect(instance), iam.Grant)
    assert isinstance(cache.grant_connect(function), iam.Grant)


@pytest.mark.parametrize("consumer", ["role", "group", "function outside the VPC"])
def test_grant_connect_names_a_consumer_that_is_not_both(own_net, consumer):
    """A role alone failed with AttributeError: 'Role' object has no attribute 'connections'."""

    def make(construct_id):
        if consumer == "role":
            principal = iam.ServicePrincipal("ec2.amazonaws.com")
            return iam.Role(own_net, construct_id, assumed_by=principal)
        if consumer == "group":
            return ec2.SecurityGroup(own_net, construct_id, vpc=own_net.vpc)
        return lambda_.Function(
            own_net, construct_id, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.h",
            code=lambda_.Code.from_inline("def h(e, c): pass"),
        )  # fmt: skip

    db = PostgresDatabase(own_net, "Db", vpc=own_net.vpc)
    with pytest.raises(CourseInputError, match="needs a consumer .*connectable and grantable"):
        db.grant_connect(make("ForDb"))
    tier = HaWebTier(own_net, "App", vpc=own_net.vpc, internet_facing=False)
    with pytest.raises(CourseInputError, match="needs a caller .*connectable and grantable"):
        tier.grant_connect(make("ForTier"))
