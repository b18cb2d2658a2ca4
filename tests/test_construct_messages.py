"""A construct's message for a wrong prop is one line, in the style of AWS Solutions Constructs:
the construct and its path, the prop the user passed, its value, and the fix. Each case here is
one a trial's own app met, whose message named another construct's prop, no value, no fix, or
a fix that did not fit the prop."""

import ast
import re

import pytest

from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.props import require_int
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.core.errors import CourseInputError


def _blank_name_prefix(stack, net):
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", name_prefix="")


def _name_prefix_with_a_parenthesis(stack, net):
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", name_prefix="a(b")


def _alarm_email(stack, net):
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", alarm_email="not-an-email")


def _app_port_string(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, app_port="8080")


def _ready_path(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, ready_path="health")


def _health_check_path(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, health_check_path="/a b")


def _internal_alb_without_private_subnets(stack, net):
    public_only = MultiAzVpc(stack, "PublicOnly", private_subnet_cidrs=())
    HaWebTier(stack, "Web", vpc=public_only.vpc, internet_facing=False)


def _internet_facing_alb_in_one_az(stack, net):
    one_az = MultiAzVpc(stack, "OneAz", az_count=1)
    HaWebTier(stack, "Web", vpc=one_az.vpc)


def _internet_facing_alb_without_public_subnets(stack, net):
    private_only = MultiAzVpc(stack, "PrivateOnly", public_subnet_cidrs=(), nat=NatMode.NONE)
    HaWebTier(stack, "Web", vpc=private_only.vpc)


def _min_above_max(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, min_capacity=5, max_capacity=4)


def _small_vpc(stack, net):
    MultiAzVpc(stack, "Small", cidr="10.0.0.0/24")


def _small_vpc_with_its_public_subnets(stack, net):
    MultiAzVpc(
        stack, "Small", cidr="10.0.0.0/21", public_subnet_cidrs=["10.0.0.0/24", "10.0.1.0/24"]
    )


def _tiny_vpc(stack, net):
    MultiAzVpc(stack, "Tiny", cidr="10.0.0.0/28")


_TWO_AZ_VPC = (
    "e.g. MultiAzVpc(self, 'Network').vpc (two AZs, public and private, by default)"
)


@pytest.mark.parametrize(
    "make, says",
    [
        pytest.param(
            _blank_name_prefix,
            "CloudMartStack UnitStack/Shop: name_prefix='' is blank: the Name tags would read "
            "'-vpc' and the like; pass e.g. name_prefix='week5-day5-kim', or leave it out for "
            "'week5-day5'",
            id="1-cloudmart-name_prefix-blank",
        ),
        pytest.param(
            _name_prefix_with_a_parenthesis,
            "CloudMartStack UnitStack/Shop: name_prefix='a(b' has characters a tag's value "
            "cannot hold; use letters, digits, spaces and _.:/=+-@, e.g. "
            "name_prefix='week5-day5-kim'",
            id="1-cloudmart-name_prefix-characters",
        ),
        pytest.param(
            _alarm_email,
            "CloudMartStack UnitStack/Shop: alarm_email='not-an-email' is not an e-mail "
            "address AWS takes (ASCII, one @, a domain with a dot); pass e.g. "
            "alarm_email='kim@example.com', or leave it out for alarms without e-mail",
            id="2-cloudmart-alarm_email-prop-not-cli",
        ),
        pytest.param(
            _app_port_string,
            "HaWebTier UnitStack/Web: app_port='8080' must be a whole number, e.g. 8080",
            id="3-app_port-example-is-a-port",
        ),
        pytest.param(
            _ready_path,
            "HaWebTier UnitStack/Web: ready_path='health' must start with / and hold no quote, "
            "space or backslash; e.g. /health",
            id="4-ready_path-value-and-example",
        ),
        pytest.param(
            _health_check_path,
            "HaWebTier UnitStack/Web: health_check_path='/a b' must start with / and hold no "
            "quote, space or backslash; e.g. /health",
            id="4-health_check_path-value-and-example",
        ),
        pytest.param(
            _internal_alb_without_private_subnets,
            "HaWebTier UnitStack/Web: internet_facing=False puts the ALB in the VPC's private "
            "subnets, and an ALB needs them in two AZs, but it has no private subnets: pass a "
            f"vpc with private subnets in two AZs, {_TWO_AZ_VPC}, or internet_facing=True for "
            "an internet-facing ALB in its public subnets",
            id="5-internal-alb-no-private-subnets",
        ),
        pytest.param(
            _internet_facing_alb_in_one_az,
            "HaWebTier UnitStack/Web: internet_facing=True puts the ALB in the VPC's public "
            "subnets, and an ALB needs them in two AZs, but its public subnets are in one AZ "
            f"(ap-northeast-2a): pass a vpc with public subnets in two AZs, {_TWO_AZ_VPC}",
            id="5-internet-facing-alb-one-az",
        ),
        pytest.param(
            _internet_facing_alb_without_public_subnets,
            "HaWebTier UnitStack/Web: internet_facing=True puts the ALB in the VPC's public "
            "subnets, and an ALB needs them in two AZs, but it has no public subnets: pass a "
            f"vpc with public subnets in two AZs, {_TWO_AZ_VPC}, or internet_facing=False for "
            "an internal ALB in its private subnets",
            id="5-internet-facing-alb-no-public-subnets",
        ),
        pytest.param(
            _min_above_max,
            "HaWebTier UnitStack/Web: min_capacity=5 is above max_capacity=4; raise "
            "max_capacity or lower min_capacity",
            id="6-min-above-max-fix",
        ),
        pytest.param(
            _small_vpc,
            "MultiAzVpc UnitStack/Small: cidr='10.0.0.0/24' does not hold the default "
            "public_subnet_cidrs (10.0.1.0/24, 10.0.2.0/24) and private_subnet_cidrs "
            "(10.0.11.0/24, 10.0.12.0/24), the course's /24s for a /16; pass subnets inside "
            "it, e.g. public_subnet_cidrs=['10.0.0.0/26', '10.0.0.64/26'], "
            "private_subnet_cidrs=['10.0.0.128/26', '10.0.0.192/26']",
            id="7-small-vpc-defaults",
        ),
        pytest.param(
            _small_vpc_with_its_public_subnets,
            "MultiAzVpc UnitStack/Small: cidr='10.0.0.0/21' does not hold the default "
            "private_subnet_cidrs (10.0.11.0/24, 10.0.12.0/24), the course's /24s for a /16; "
            "pass subnets inside it, e.g. private_subnet_cidrs=['10.0.2.0/24', '10.0.3.0/24']",
            id="7-small-vpc-default-private-only",
        ),
        pytest.param(
            _tiny_vpc,
            "MultiAzVpc UnitStack/Tiny: cidr='10.0.0.0/28' does not hold the default "
            "public_subnet_cidrs (10.0.1.0/24, 10.0.2.0/24) and private_subnet_cidrs "
            "(10.0.11.0/24, 10.0.12.0/24), the course's /24s for a /16; it has no room for 4 "
            "subnets of a /28 (AWS's smallest) or larger: pass a larger cidr, e.g. "
            "cidr='10.0.0.0/16' (the course's)",
            id="7-tiny-vpc",
        ),
    ],
)
def test_the_message_names_the_construct_the_prop_its_value_and_the_fix(stack, net, make, says):
    with pytest.raises(CourseInputError) as raised:
        make(stack, net)
    assert str(raised.value) == says


@pytest.mark.parametrize(
    "cidr, given",
    [
        ("10.0.0.0/24", {}),
        ("10.0.0.0/21", {"public_subnet_cidrs": ["10.0.0.0/24", "10.0.1.0/24"]}),
        ("10.0.0.0/24", {"private_subnet_cidrs": ()}),
    ],
)
def test_the_subnets_a_small_vpcs_message_suggests_are_taken(stack, cidr, given):
    """The fix the message names works: passed as it reads, the small VPC is made."""
    with pytest.raises(CourseInputError) as raised:
        MultiAzVpc(stack, "Small", cidr=cidr, **given)
    suggested = {
        name: ast.literal_eval(value)
        for name, value in re.findall(r"(\w+_subnet_cidrs)=(\[[^\]]*\])", str(raised.value))
    }
    assert suggested, str(raised.value)
    small = MultiAzVpc(stack, "Fixed", cidr=cidr, **{**given, **suggested})
    made = [s.ipv4_cidr_block for s in small.public_subnets + small.private_subnets]
    assert set(made) >= {c for cidrs in suggested.values() for c in cidrs}


@pytest.mark.parametrize(
    "prop, example",
    [
        ("default_port", 8080),
        ("internet_ports item", 8080),
        ("snapshot_retention_days", 7),
        ("min_capacity", 2),
    ],
)
def test_a_whole_number_props_example_fits_the_prop(prop, example):
    with pytest.raises(CourseInputError) as raised:
        require_int("LabHost UnitStack/Host", prop, "80")
    assert str(raised.value) == (
        f"LabHost UnitStack/Host: {prop}='80' must be a whole number, e.g. {example}"
    )
