"""The constructs in an engineer's own app (session 18, F18-C): stores and tiers in stacks of
their own with ``grant_connect`` between them, a fixed-size tier with a long boot, a construct
id the ALB's tags cannot hold, a consumer in another VPC and deploy-time values.

In one stack ``grant_connect`` emits what ``allow_default_port_from`` did, rule for rule
(``test_access.py::test_grant_connect_emits_what_the_two_old_lines_emitted``).
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks
from support import CourseAzStack, make_app, resources, synth

from week5.constructs import (
    HaWebTier,
    LabHost,
    MultiAzVpc,
    PostgresDatabase,
    RedisCache,
    SharedFileSystem,
)
from week5.constructs.props import require_str
from week5.core.errors import CourseInputError

SEOUL = cdk.Environment(account="111111111111", region="ap-northeast-2")
CERT = "arn:aws:acm:ap-northeast-2:111111111111:certificate/abc"


def group_policies(t):
    (group,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    return group, group["UpdatePolicy"]["AutoScalingRollingUpdate"], group["CreationPolicy"]


# ---- 1. grant_connect across stacks: the consumer's stack depends on the store's ----


def _store(kind, scope, vpc, web):
    if kind == "database":
        return PostgresDatabase(scope, "Db", vpc=vpc)
    if kind == "cache":
        return RedisCache(scope, "Cache", vpc=vpc)
    if kind == "filesystem":
        return SharedFileSystem(scope, "Files", vpc=vpc)
    api = HaWebTier(scope, "Api", vpc=vpc, internet_facing=False)
    web.add_boot_lines(f"echo upstream {api.url}")  # the front tier names the back's ALB
    return api


@pytest.mark.parametrize("kind", ["database", "cache", "filesystem", "internal tier"])
def test_grant_connect_across_stacks_synthesizes_app_after_data_after_net(tmp_path, kind):
    """Net: the VPC; App: the web tier; Data: the store, ``store.grant_connect(web)``. Before,
    the store's rule went into Data (naming App's group) and the grant into App (naming
    Data's secret, or its ALB): CDK refused the app with a DependencyCycle."""
    app = make_app(tmp_path)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    net_stack, app_stack, data_stack = (
        CourseAzStack(app, name, env=SEOUL) for name in ("Net", "App", "Data")
    )
    network = MultiAzVpc(net_stack, "Network")
    web = HaWebTier(app_stack, "Web", vpc=network.vpc)
    _store(kind, data_stack, network.vpc, web).grant_connect(web)
    assembly = app.synth()
    depends = {
        s.stack_name: sorted(d.id for d in s.dependencies if not d.id.endswith(".assets"))
        for s in assembly.stacks
    }
    assert depends == {"Net": [], "Data": ["Net"], "App": ["Data", "Net"]}
    # The port rule is the consumer's stack's, beside its role's grant, and no rule is ignored
    # with a warning (the web tier's instances allow all outbound).
    assert resources(assembly.get_stack_by_name("App").template, "AWS::EC2::SecurityGroupIngress")
    said = [str(m.entry.data) for s in assembly.stacks for m in s.messages]
    assert not [m for m in said if "Ignoring Egress rule" in m]


# ---- 2. what CloudFormation takes in a rolling update and a creation policy ----


def test_a_fixed_size_tier_with_a_long_boot_writes_what_cloudformation_takes(stack, net):
    """min = max = 2 and a 45-minute boot wrote MinInstancesInService 2 (= MaxSize) and a
    PauseTime of PT1H30M; CloudFormation takes MinInstancesInService < MaxSize, PauseTime
    <= PT1H and a creation Timeout <= PT12H."""
    tier = HaWebTier(
        stack, "Web", vpc=net.vpc, min_capacity=2, max_capacity=2,
        boot_time=Duration.minutes(45),
    )
    group, update, creation = group_policies(synth(stack))
    assert group["Properties"]["MaxSize"] == "2"
    assert (update["MinInstancesInService"], update["PauseTime"]) == (1, "PT1H")
    assert creation["ResourceSignal"]["Timeout"] == "PT1H30M"  # twice the boot, under PT12H
    assert tier.signal_timeout.to_minutes() == 90


def test_the_course_sizes_keep_min_capacity_in_service_and_the_signal_timeout(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, boot_time=Duration.minutes(20))
    _, update, creation = group_policies(synth(stack))
    assert (update["MinInstancesInService"], update["PauseTime"]) == (2, "PT40M")
    assert creation["ResourceSignal"]["Timeout"] == "PT40M"


def test_a_boot_time_above_an_hour_is_refused_with_the_fix(stack, net):
    with pytest.raises(CourseInputError) as error:
        HaWebTier(stack, "Web", vpc=net.vpc, boot_time=Duration.minutes(61))
    message = str(error.value)
    assert message.startswith("HaWebTier UnitStack/Web: boot_time=1 hour 1 minute is above an")
    assert "PT1H" in message and "pass boot_time=Duration.minutes(60) or less" in message
    HaWebTier(stack, "Hour", vpc=net.vpc, boot_time=Duration.hours(1))  # an hour is taken


# ---- 3. the default name is checked as an explicit one is ----


@pytest.mark.parametrize(
    "construct_id, said",
    [
        ("W" * 300, "is 310 characters; its longest Name tag ('<name>-alb-sg') takes 256: "
         "pass a name= of 249 characters or fewer"),
        ("Web(blue)", "'UnitStack/Web(blue)' has characters the ALB's Name tag cannot hold; "
         "pass name="),
    ],
)
def test_a_default_name_the_tags_cannot_hold_is_refused_naming_name(stack, net, construct_id, said):
    with pytest.raises(CourseInputError) as error:
        HaWebTier(stack, construct_id, vpc=net.vpc)
    assert f"HaWebTier UnitStack/{construct_id}: the construct path, the default name, " in str(
        error.value
    )
    assert said in str(error.value)
    HaWebTier(stack, construct_id + "2", vpc=net.vpc, name="blue-web")  # name= is the fix


# ---- 4. a consumer in another VPC ----


def test_grant_connect_refuses_a_consumer_in_another_vpc_naming_both(stack, net):
    other = MultiAzVpc(stack, "Other", cidr="10.1.0.0/16")
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=other.vpc, subnet=other.vpc.public_subnets[0])
    with pytest.raises(CourseInputError) as error:
        db.grant_connect(host)
    assert str(error.value).startswith(
        "PostgresDatabase UnitStack/Db: grant_connect's consumer is in VPC UnitStack/Other/Vpc, "
        "this in VPC UnitStack/Net/Vpc; "
    )
    assert "build both with the same vpc=" in str(error.value)
    api = HaWebTier(stack, "Api", vpc=net.vpc, internet_facing=False)
    web = HaWebTier(stack, "Web", vpc=other.vpc)
    with pytest.raises(CourseInputError, match="caller is in VPC UnitStack/Other/Vpc, this in "):
        api.grant_connect(web)


def test_grant_connect_takes_a_consumer_of_the_same_vpc_imported(stack, net):
    """The same VPC imported by its id (a token of the app's VPC) or a group whose VPC is not
    known at synthesis is taken."""
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    imported = ec2.Vpc.from_vpc_attributes(
        stack, "Imported", vpc_id=net.vpc.vpc_id, availability_zones=net.vpc.availability_zones,
        public_subnet_ids=[s.subnet_id for s in net.vpc.public_subnets],
    )
    host = LabHost(stack, "Host", vpc=imported, subnet=imported.public_subnets[0])
    db.grant_connect(host)
    assert len(resources(synth(stack), "AWS::EC2::SecurityGroupIngress")) >= 1


# ---- 5. deploy-time values of props checked at synth ----


@pytest.mark.parametrize("prop", ["name", "health_check_path", "ready_path"])
def test_a_deploy_time_value_of_a_checked_prop_says_so(stack, net, prop):
    value = cdk.CfnParameter(stack, "P", default="/").value_as_string
    with pytest.raises(CourseInputError) as error:
        HaWebTier(stack, "Web", vpc=net.vpc, **{prop: value})
    assert str(error.value).startswith(
        f"HaWebTier UnitStack/Web: {prop}= a deploy-time value (CfnParameter, token) cannot be "
        "checked or used here; pass a "
    )
    assert "Token[" not in str(error.value)


def test_a_deploy_time_certificate_arn_is_still_taken(stack, net):
    arn = cdk.CfnParameter(stack, "Cert", default=CERT).value_as_string
    HaWebTier(stack, "Web", vpc=net.vpc, certificate_arn=arn)


def test_require_str_refuses_a_token_only_where_it_says_what_to_pass():
    token = cdk.Token.as_string(cdk.Aws.STACK_NAME)
    require_str("X a", "command", f"echo {token}")  # a command may hold tokens
    with pytest.raises(CourseInputError, match=r"^X a: cidr= a deploy-time value .* pass a CIDR"):
        require_str("X a", "cidr", token, instead="a CIDR such as '10.0.0.0/16'")
    require_str("X a", "cidr", None, optional=True, instead="a CIDR")
    with pytest.raises(CourseInputError, match="cidr=1 must be a string"):
        require_str("X a", "cidr", 1, instead="a CIDR")


def test_a_consumer_that_limits_its_outbound_gets_its_egress_rule_in_its_own_stack(tmp_path):
    """A consumer whose group allows no outbound by default needs an egress rule too: it goes
    into the consumer's stack with the ingress rule (before, into the store's: a cycle)."""
    app = make_app(tmp_path)
    net_stack, app_stack, data_stack = (
        CourseAzStack(app, name, env=SEOUL) for name in ("Net", "App", "Data")
    )
    network = MultiAzVpc(net_stack, "Network")
    group = ec2.SecurityGroup(app_stack, "Group", vpc=network.vpc, allow_all_outbound=False)
    worker = ec2.Instance(
        app_stack, "Worker", vpc=network.vpc, security_group=group,
        instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    )
    PostgresDatabase(data_stack, "Db", vpc=network.vpc).grant_connect(worker)
    assembly = app.synth()
    app_template = assembly.get_stack_by_name("App").template
    (egress,) = resources(app_template, "AWS::EC2::SecurityGroupEgress").values()
    assert egress["Properties"]["Description"] == "PostgreSQL 5432 from a granted security group"
    assert resources(app_template, "AWS::EC2::SecurityGroupIngress")
    assert not resources(assembly.get_stack_by_name("Data").template, "AWS::EC2::SecurityGroupEgress")


def test_two_stacks_reading_the_vpc_id_from_ssm_are_one_vpc():
    """Each stack's SSM parameter of the VPC id is a reference of its own: that is no VPC, and
    it was taken for two (review D18)."""
    from aws_cdk import aws_ssm as ssm

    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="ap-northeast-2")

    def vpc(stack):
        return ec2.Vpc.from_vpc_attributes(
            stack, "Vpc",
            vpc_id=ssm.StringParameter.value_for_string_parameter(stack, "/net/vpc-id"),
            availability_zones=["ap-northeast-2a", "ap-northeast-2c"],
            public_subnet_ids=["subnet-1", "subnet-2"], private_subnet_ids=["subnet-3", "subnet-4"],
        )  # fmt: skip

    data, web = cdk.Stack(app, "Data", env=env), cdk.Stack(app, "Web", env=env)
    db = PostgresDatabase(data, "Db", vpc=vpc(data))
    network = vpc(web)
    db.grant_connect(LabHost(web, "Host", vpc=network, subnet=network.public_subnets[0]))
