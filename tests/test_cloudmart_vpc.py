"""CloudMartStack in an engineer's own VPC (``vpc=``, as ecs_patterns take one): nothing of a
network of its own is made, everything lands in the given VPC's subnets, and a VPC it cannot
use is refused under ``vpc=`` with the fix. Also its ``alarm_email`` as a deploy-time value."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from support import UNIT_TAGS, CourseAzStack, props, resources, synth, tag

from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.hardening import acknowledge_course_azs
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge
from week5.synth.tagging import apply_course_tags, course_tags, tag_provider_resources

WHERE = "CloudMartStack UnitStack/Shop: "
PUBLIC = ec2.SubnetConfiguration(name="Front", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
PRIVATE = ec2.SubnetConfiguration(
    name="Apps", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24
)
ISOLATED = ec2.SubnetConfiguration(
    name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
)


def engineers_vpc(
    scope, *, max_azs=2, subnets=(PUBLIC, PRIVATE), nat_gateways=1, **more
) -> ec2.Vpc:
    """An app's own VPC, as an engineer writes it (not a MultiAzVpc), fit for the labs' rules."""
    vpc = ec2.Vpc(
        scope,
        "AppVpc",
        max_azs=max_azs,
        nat_gateways=nat_gateways,
        subnet_configuration=list(subnets),
        restrict_default_security_group=False,
        **more,
    )
    acknowledge(vpc, "AwsSolutions-VPC7", "The app's own VPC: its flow logs are its owner's.")
    acknowledge_course_azs(vpc)
    return vpc


def refs(subnets):
    return [{"Ref": cdk.Stack.of(s).get_logical_id(s.node.default_child)} for s in subnets]


def test_it_is_placed_in_the_given_vpc_and_builds_no_network(stack):
    vpc = engineers_vpc(stack)
    shop = CloudMartStack(
        stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc, name_prefix="shop-kim"
    )
    assert shop.network is None and shop.vpc is vpc
    assert not any(c.node.id == "Network" for c in shop.node.children)
    t = synth(stack)
    # The one VPC is the engineer's, with its own NAT gateway: none of CloudMart's.
    assert list(resources(t, "AWS::EC2::VPC")) == [stack.get_logical_id(vpc.node.default_child)]
    assert len(resources(t, "AWS::EC2::NatGateway")) == 1
    assert resources(t, "AWS::EC2::Subnet").keys() == {
        ref["Ref"] for ref in refs(vpc.public_subnets + vpc.private_subnets)
    }
    (db_subnets,) = props(t, "AWS::RDS::DBSubnetGroup")
    assert db_subnets["SubnetIds"] == refs(vpc.private_subnets)
    (cache_subnets,) = props(t, "AWS::ElastiCache::SubnetGroup")
    assert cache_subnets["SubnetIds"] == refs(vpc.private_subnets)
    (alb,) = props(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Subnets"] == refs(vpc.public_subnets)
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert group["VPCZoneIdentifier"] == refs(vpc.private_subnets)
    # name_prefix still names the database, the cache and the backend (their groups' Names).
    names = {tag(p, "Name") for p in props(t, "AWS::EC2::SecurityGroup")}
    assert {"shop-kim-db-sg", "shop-kim-cache-sg", "shop-kim-backend-alb-sg"} <= names, names


def test_a_vpc_of_another_stack_in_its_region_is_referenced_across_stacks(tmp_path):
    """The network in a stack of its own (weak references: Fn::GetStackOutput, cdk.json)."""
    from support import make_app

    from week5.synth.nag import enable_nag

    app = make_app(tmp_path)
    enable_nag(app)
    seoul = cdk.Environment(region="ap-northeast-2")
    network_stack = CourseAzStack(app, "NetworkStack", env=seoul)
    shop_stack = CourseAzStack(app, "ShopStack", env=seoul)
    vpc = engineers_vpc(network_stack)
    shop = CloudMartStack(shop_stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc)
    assert shop.network is None
    for each in (network_stack, shop_stack):
        apply_course_tags(each, *UNIT_TAGS)
        tag_provider_resources(each, course_tags(*UNIT_TAGS))
    assembly = app.synth()
    t = assembly.get_stack_by_name("ShopStack").template
    assert resources(t, "AWS::EC2::VPC") == {}
    (db_subnets,) = props(t, "AWS::RDS::DBSubnetGroup")
    assert [ref["Fn::GetStackOutput"]["StackName"] for ref in db_subnets["SubnetIds"]] == [
        "NetworkStack", "NetworkStack",
    ]  # fmt: skip
    # Deployed after the network (besides its own assets).
    deps = {d.id for d in assembly.get_stack_by_name("ShopStack").dependencies}
    assert deps == {"NetworkStack", "ShopStack.assets"}


def test_a_vpc_of_another_region_is_refused(tmp_path):
    from support import make_app

    app = make_app(tmp_path)
    network_stack = cdk.Stack(app, "NetworkStack", env=cdk.Environment(region="us-east-1"))
    shop_stack = CourseAzStack(app, "UnitStack", env=cdk.Environment(region="ap-northeast-2"))
    vpc = engineers_vpc(network_stack)
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(shop_stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc)
    assert str(raised.value) == (
        f"{WHERE}vpc= is in region us-east-1 (stack NetworkStack), and CloudMart's stack is in "
        "ap-northeast-2: its database, cache and ALB need subnets of their own region; pass a "
        "VPC of ap-northeast-2, or leave vpc out for one of CloudMart's own"
    )


_FIX = (
    "pass a VPC with both, e.g. MultiAzVpc(self, 'Network').vpc, or leave vpc out for one of "
    "CloudMart's own"
)
_NEEDS = (
    f"{WHERE}vpc= needs private subnets with egress (NAT) and public subnets, each in at least "
    "2 AZs, and has "
)


_NO_ROUTE = (
    f"{WHERE}vpc= has private subnets with egress but no route out (0.0.0.0/0): "
)
_ROUTE_FIX = (
    "the backend there could pull no image nor signal CloudFormation, and the deploy would "
    "fail at its timeout; give the VPC NAT (e.g. ec2.Vpc(nat_gateways=1)) or add a 0.0.0.0/0 "
    "route to each, or leave vpc out for one of CloudMart's own"
)


@pytest.mark.parametrize(
    "make, says",
    [
        pytest.param(
            lambda s: engineers_vpc(s),
            f"{WHERE}nat=NatMode.GATEWAY_PER_AZ with vpc=: a VPC you pass has its own NAT; "
            "leave nat out, or leave vpc out for a VPC of CloudMart's own with that NAT",
            id="nat-beside-vpc",
        ),
        pytest.param(
            lambda s: engineers_vpc(s, subnets=(PUBLIC, ISOLATED), nat_gateways=0),
            f"{_NEEDS}private subnets with egress (NAT): none; {_FIX}",
            id="isolated-only",
        ),
        pytest.param(
            # CDK takes it: private subnets "with egress" and no route out of them.
            lambda s: engineers_vpc(s, nat_gateways=0),
            f"{_NO_ROUTE}UnitStack/AppVpc/AppsSubnet1, UnitStack/AppVpc/AppsSubnet2; "
            f"{_ROUTE_FIX}",
            id="egress-subnets-without-nat",
        ),
        pytest.param(
            lambda s: MultiAzVpc(s, "Net", nat=NatMode.NONE).vpc,
            f"{_NEEDS}private subnets with egress (NAT): none; {_FIX}",
            id="multi-az-vpc-without-nat",
        ),
        pytest.param(
            lambda s: engineers_vpc(s, max_azs=1),
            f"{_NEEDS}private subnets with egress (NAT): in 1 AZ (ap-northeast-2a); public "
            f"subnets: in 1 AZ (ap-northeast-2a); {_FIX}",
            id="one-az",
        ),
        pytest.param(
            lambda s: ec2.Vpc.from_vpc_attributes(
                s,
                "Imported",
                vpc_id="vpc-0123456789abcdef0",
                availability_zones=["ap-northeast-2a", "ap-northeast-2b"],
                private_subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
            ),
            f"{_NEEDS}public subnets: none; {_FIX}",
            id="imported-without-public-subnets",
        ),
        pytest.param(
            lambda s: MultiAzVpc(s, "Net"),
            f"{WHERE}vpc= is the MultiAzVpc UnitStack/Net construct itself; pass its .vpc "
            "(e.g. vpc=network.vpc), the ec2.IVpc it holds",
            id="the-construct-not-its-vpc",
        ),
        pytest.param(
            lambda s: "vpc-0123456789abcdef0",
            f"{WHERE}vpc='vpc-0123456789abcdef0' is not a VPC; pass an ec2.IVpc such as "
            "MultiAzVpc(...).vpc",
            id="an-id",
        ),
    ],
)
def test_a_vpc_it_cannot_use_is_refused_under_vpc(stack, make, says):
    vpc = make(stack)
    nat = {"nat": NatMode.GATEWAY_PER_AZ} if "nat=" in says else {}
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc, **nat)
    assert str(raised.value) == says
    # Refused before anything of CloudMart was made (its Network first of all).
    shop = stack.node.try_find_child("Shop")
    assert shop is None or not shop.node.children


def hand_route(scope, subnet, name):
    """A route out written by hand, as to a NAT gateway made outside the app."""
    return ec2.CfnRoute(
        scope,
        name,
        route_table_id=subnet.route_table.route_table_id,
        destination_cidr_block="0.0.0.0/0",
        nat_gateway_id="nat-0123456789abcdef0",
    )


def test_a_subnet_without_a_route_out_is_named_among_ones_with_one(stack):
    """A route by hand out of the first subnet only: the second is the one named."""
    vpc = engineers_vpc(stack, nat_gateways=0)
    hand_route(stack, vpc.private_subnets[0], "HandRoute")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc)
    assert str(raised.value) == f"{_NO_ROUTE}UnitStack/AppVpc/AppsSubnet2; {_ROUTE_FIX}"


def nat_instance():
    return ec2.NatProvider.instance_v2(
        instance_type=ec2.InstanceType("t4g.nano"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(
            cpu_type=ec2.AmazonLinuxCpuType.ARM_64
        ),
    )


def routes_by_hand(scope):
    vpc = engineers_vpc(scope, nat_gateways=0)
    hand_route(scope, vpc.private_subnets[0], "HandRoute")  # a CfnRoute of the app's own
    vpc.private_subnets[1].add_route(  # a route of the subnet's, by another name
        "ToTransitGateway",
        router_id="tgw-0123456789abcdef0",
        router_type=ec2.RouterType.TRANSIT_GATEWAY,
    )
    return vpc


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: engineers_vpc(s, nat_gateways=2), id="nat-gateways"),
        pytest.param(
            lambda s: engineers_vpc(s, nat_gateway_provider=nat_instance()), id="nat-instance"
        ),
        pytest.param(routes_by_hand, id="routes-by-hand"),
        pytest.param(
            # Imported: its routes cannot be seen at synth, so it is taken as it is.
            lambda s: ec2.Vpc.from_vpc_attributes(
                s,
                "Imported",
                vpc_id="vpc-0123456789abcdef0",
                availability_zones=["ap-northeast-2a", "ap-northeast-2b"],
                public_subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                private_subnet_ids=["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"],
            ),
            id="imported",
        ),
    ],
)
def test_private_subnets_with_a_route_out_are_taken(stack, make):
    vpc = make(stack)
    shop = CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc)
    assert shop.vpc is vpc and shop.network is None


# ---- data_subnets: where the database and cache go ----


def stores_subnets(t):
    (db_subnets,) = props(t, "AWS::RDS::DBSubnetGroup")
    (cache_subnets,) = props(t, "AWS::ElastiCache::SubnetGroup")
    assert db_subnets["SubnetIds"] == cache_subnets["SubnetIds"]
    return db_subnets["SubnetIds"]


def test_the_stores_go_into_the_isolated_subnets_of_a_vpc_that_has_them(stack):
    """Off the NAT's subnets, by default: they need no route out."""
    vpc = engineers_vpc(stack, subnets=(PUBLIC, PRIVATE, ISOLATED))
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc)
    t = synth(stack)
    assert stores_subnets(t) == refs(vpc.isolated_subnets)
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert group["VPCZoneIdentifier"] == refs(vpc.private_subnets)


def test_data_subnets_selects_where_the_stores_go(stack):
    vpc = engineers_vpc(stack, subnets=(PUBLIC, PRIVATE, ISOLATED))
    CloudMartStack(
        stack,
        "Shop",
        parameter_prefix="/unit/shop",
        vpc=vpc,
        data_subnets=ec2.SubnetSelection(subnet_group_name="Apps"),
    )
    assert stores_subnets(synth(stack)) == refs(vpc.private_subnets)


_DATA_FIX = (
    "select the VPC's private or isolated subnets in 2 AZs, e.g. data_subnets=ec2."
    "SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), or leave it out for its "
    "isolated subnets, else its private ones"
)


@pytest.mark.parametrize(
    "selection, says",
    [
        pytest.param(
            ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            f"{WHERE}data_subnets= selects no subnet of the VPC, which has 2 public, 2 private "
            f"with egress and 0 isolated subnets; {_DATA_FIX}",
            id="isolated-of-a-vpc-without",
        ),
        pytest.param(
            ec2.SubnetSelection(subnet_group_name="Apps", availability_zones=["us-east-1a"]),
            f"{WHERE}data_subnets= selects no subnet of the VPC, which has 2 public, 2 private "
            f"with egress and 0 isolated subnets; {_DATA_FIX}",
            id="none-in-those-azs",
        ),
        pytest.param(
            ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            f"{WHERE}data_subnets= selects public subnets (UnitStack/AppVpc/FrontSubnet1, "
            "UnitStack/AppVpc/FrontSubnet2), and the database and cache belong in private "
            f"ones; {_DATA_FIX}",
            id="public",
        ),
        pytest.param(
            ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                availability_zones=["ap-northeast-2a"],
            ),
            f"{WHERE}data_subnets= selects subnets in 1 AZ (ap-northeast-2a), and RDS's subnet "
            f"group needs 2; {_DATA_FIX}",
            id="one-az",
        ),
    ],
)
def test_data_subnets_it_cannot_use_are_refused(stack, selection, says):
    vpc = engineers_vpc(stack)
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(
            stack, "Shop", parameter_prefix="/unit/shop", vpc=vpc, data_subnets=selection
        )
    assert str(raised.value) == says


def test_nat_left_out_is_one_gateway_of_its_own_vpc(stack):
    shop = CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", nat=None)
    assert shop.network is not None and shop.network.nat_mode is NatMode.SINGLE_GATEWAY
    assert shop.vpc is shop.network.vpc


def test_a_deploy_time_alarm_email_is_subscribed_as_is(stack):
    """SNS checks the address at deploy; at synth the token has none to check."""
    email = cdk.CfnParameter(stack, "AlarmEmail", type="String")
    shop = CloudMartStack(
        stack, "Shop", parameter_prefix="/unit/shop", alarm_email=email.value_as_string
    )
    assert shop.alarm_email == email.value_as_string
    (subscription,) = props(synth(stack), "AWS::SNS::Subscription")
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == {"Ref": "AlarmEmail"}


def test_a_literal_alarm_email_is_still_checked(stack):
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", alarm_email="kim@")
    assert str(raised.value).startswith(f"{WHERE}alarm_email='kim@' is not an e-mail address")
