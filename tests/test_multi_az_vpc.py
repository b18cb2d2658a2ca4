"""MultiAzVpc: the course's CIDRs by default, every NAT mode, and clear errors for bad props."""

import pytest
from support import (
    by_name,
    default_route_targets,
    ingress_rules,
    instance_security_groups,
    props,
    resources,
    synth,
)

from week5.constructs.vpc import MultiAzVpc, NatMode, course_subnet_cidrs
from week5.core.errors import CourseInputError


def subnet_cidrs(template):
    return {
        n: (p["CidrBlock"], p["AvailabilityZone"])
        for n, p in by_name(template, "AWS::EC2::Subnet").items()
    }


def test_defaults_are_the_course_diagram(stack):
    net = MultiAzVpc(stack, "Net")
    t = synth(stack)
    assert props(t, "AWS::EC2::VPC")[0]["CidrBlock"] == "10.0.0.0/16"
    assert subnet_cidrs(t) == {
        "week5-public-subnet-a": ("10.0.1.0/24", "ap-northeast-2a"),
        "week5-public-subnet-b": ("10.0.2.0/24", "ap-northeast-2b"),
        "week5-private-subnet-a": ("10.0.11.0/24", "ap-northeast-2a"),
        "week5-private-subnet-b": ("10.0.12.0/24", "ap-northeast-2b"),
    }
    assert net.nat_mode is NatMode.SINGLE_GATEWAY
    assert len(net.public_subnets) == len(net.private_subnets) == 2
    assert resources(t, "AWS::EC2::FlowLog") == {}


def test_three_azs_and_a_custom_range(stack):
    MultiAzVpc(
        stack,
        "Net",
        az_count=3,
        cidr="10.20.0.0/16",
        nat=NatMode.NONE,
        name_prefix="week5-day4",
    )
    t = synth(stack)
    cidrs = subnet_cidrs(t)
    assert cidrs["week5-day4-public-subnet-c"] == ("10.20.3.0/24", "ap-northeast-2c")
    assert cidrs["week5-day4-private-subnet-c"] == ("10.20.13.0/24", "ap-northeast-2c")


def test_explicit_cidrs_and_public_only(stack):
    MultiAzVpc(
        stack,
        "Net",
        availability_zones=["ap-northeast-2c"],
        public_subnet_cidrs=["10.0.100.0/24"],
        private_subnet_cidrs=(),
    )
    t = synth(stack)
    assert subnet_cidrs(t) == {"week5-public-subnet": ("10.0.100.0/24", "ap-northeast-2c")}
    assert resources(t, "AWS::EC2::NatGateway") == {}


def test_subnets_of_any_size_aws_takes(stack):
    """An importer's own plan (T18-C: a /20 was refused as "the course's subnets are /24s")."""
    MultiAzVpc(
        stack,
        "Network",
        public_subnet_cidrs=["10.0.0.0/20", "10.0.16.0/28"],
        private_subnet_cidrs=["10.0.128.0/17", "10.0.32.0/19"],
    )
    t = synth(stack)
    assert sorted(c for c, _ in subnet_cidrs(t).values()) == [
        "10.0.0.0/20", "10.0.128.0/17", "10.0.16.0/28", "10.0.32.0/19",
    ]  # fmt: skip


def test_nat_none_isolates_private_subnets(stack):
    MultiAzVpc(stack, "Net", nat=NatMode.NONE)
    t = synth(stack)
    targets = default_route_targets(t)
    assert targets["week5-private-subnet-a"] is None and targets["week5-private-subnet-b"] is None
    assert resources(t, "AWS::EC2::NatGateway") == {}


def test_nat_gateway_per_az(stack):
    MultiAzVpc(stack, "Net", nat=NatMode.GATEWAY_PER_AZ)
    t = synth(stack)
    nats = resources(t, "AWS::EC2::NatGateway")
    assert len(nats) == 2
    targets = default_route_targets(t)
    assert targets["week5-private-subnet-a"] != targets["week5-private-subnet-b"]


def test_nat_instance_is_small_hardened_and_forwards_only_web_traffic_from_the_vpc(stack):
    MultiAzVpc(stack, "Net", nat=NatMode.INSTANCE)
    t = synth(stack)
    (nat,) = props(t, "AWS::EC2::Instance")
    assert nat["InstanceType"] == "t4g.nano"
    assert nat["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    (sg,) = instance_security_groups(nat)
    # Web traffic and ping from the VPC only: all traffic would open the data ports to a CIDR.
    assert sorted(
        (r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIp"]) for r in ingress_rules(t, sg)
    ) == [
        ("icmp", 8, -1, "10.0.0.0/16"),
        ("tcp", 80, 80, "10.0.0.0/16"),
        ("tcp", 443, 443, "10.0.0.0/16"),
    ]
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    assert template["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"


def test_flow_logs_go_to_a_log_group_destroy_removes(stack):
    net = MultiAzVpc(stack, "Net", flow_logs=True)
    t = synth(stack)
    (flow_log,) = props(t, "AWS::EC2::FlowLog")
    assert flow_log["TrafficType"] == "REJECT"
    (group,) = resources(t, "AWS::Logs::LogGroup").values()
    assert group["DeletionPolicy"] == "Delete"
    assert net.flow_log_group is not None


def test_course_subnet_cidrs():
    assert course_subnet_cidrs("10.0.0.0/16", 2, 11) == ("10.0.11.0/24", "10.0.12.0/24")
    # Past 255.255.255.255 ip_network read the number as IPv6 ("::1:0:0/24 has host bits set").
    with pytest.raises(ValueError, match="would pass 255.255.255.255"):
        course_subnet_cidrs("255.255.255.0/24", 2, 1)


NET = "MultiAzVpc UnitStack/Net: "


@pytest.mark.parametrize(
    "cidr, says",
    [
        (
            "255.255.255.0/24",
            "cidr='255.255.255.0/24' does not hold the default public_subnet_cidrs (third "
            "octet 1 and on, past 255.255.255.255) and private_subnet_cidrs (third octet 11 "
            "and on, past 255.255.255.255), the course's /24s for a /16; pass subnets inside "
            "it, e.g. public_subnet_cidrs=['255.255.255.0/26', '255.255.255.64/26'], "
            "private_subnet_cidrs=['255.255.255.128/26', '255.255.255.192/26']",
        ),
        (
            "255.255.248.0/21",
            "cidr='255.255.248.0/21' does not hold the default private_subnet_cidrs (third "
            "octet 11 and on, past 255.255.255.255), the course's /24s for a /16; pass "
            "subnets inside it, e.g. private_subnet_cidrs=['255.255.248.0/24', "
            "'255.255.251.0/24']",
        ),
        (
            "10.0.0.1/16",
            "cidr='10.0.0.1/16' is not a CIDR: it has host bits set; pass '10.0.0.0/16'",
        ),
        (
            " 10.0.0.0/16",
            "cidr=' 10.0.0.0/16' is not a CIDR: it has spaces around it; pass '10.0.0.0/16'",
        ),
        (
            "10.0.0.0/16\n",
            "cidr='10.0.0.0/16\\n' is not a CIDR: it has spaces around it; pass '10.0.0.0/16'",
        ),
        ("10.0.0.0/16x", "cidr='10.0.0.0/16x' is not a CIDR; pass one such as '10.0.0.0/16'"),
        ("", "cidr='' is not a CIDR; pass one such as '10.0.0.0/16'"),
        (
            "\uff11\uff10.0.0.0/16",
            "cidr='\uff11\uff10.0.0.0/16' is not a CIDR; pass one such as '10.0.0.0/16'",
        ),
        (
            "10.0.0.0/\u0661\u0666",
            "cidr='10.0.0.0/\u0661\u0666' is not a CIDR; pass one such as '10.0.0.0/16'",
        ),
        ("fd00::/56", "cidr='fd00::/56' must be an IPv4 CIDR, e.g. '10.0.0.0/16'"),
        ("10.0.0.0", "cidr='10.0.0.0' has no prefix length; pass e.g. '10.0.0.0/16'"),
        # CloudFormation got these as written; CreateVpc takes address/prefix length.
        (
            "10.0.0.0/255.255.0.0",
            "cidr='10.0.0.0/255.255.0.0' is not in CIDR notation (address/prefix length); "
            "pass '10.0.0.0/16'",
        ),
        (
            "10.0.0.0/016",
            "cidr='10.0.0.0/016' is not in CIDR notation (address/prefix length); pass "
            "'10.0.0.0/16'",
        ),
    ],
)
def test_a_hostile_cidr_is_one_line_naming_cidr_its_value_and_the_fix(stack, cidr, says):
    with pytest.raises(CourseInputError) as raised:
        MultiAzVpc(stack, "Net", cidr=cidr)
    assert str(raised.value) == NET + says


def test_a_deploy_time_cidr_is_refused_as_one(stack):
    import aws_cdk as cdk

    cidr = cdk.CfnParameter(stack, "Cidr", type="String").value_as_string
    with pytest.raises(CourseInputError) as raised:
        MultiAzVpc(stack, "Net", cidr=cidr)
    assert str(raised.value) == (
        f"{NET}cidr= a deploy-time value (CfnParameter, token) cannot be checked or used here; "
        "pass a CIDR such as '10.0.0.0/16'"
    )


def test_a_subnet_cidr_in_netmask_form_is_refused_with_its_cidr(stack):
    with pytest.raises(CourseInputError) as raised:
        MultiAzVpc(stack, "Net", public_subnet_cidrs=["10.0.1.0/255.255.255.0", "10.0.2.0/24"])
    assert str(raised.value) == (
        f"{NET}public_subnet_cidrs='10.0.1.0/255.255.255.0' is not in CIDR notation "
        "(address/prefix length); pass '10.0.1.0/24'"
    )


def test_the_top_of_the_ipv4_space_takes_the_subnets_its_message_names(stack):
    MultiAzVpc(
        stack,
        "Net",
        cidr="255.255.255.0/24",
        public_subnet_cidrs=["255.255.255.0/26", "255.255.255.64/26"],
        private_subnet_cidrs=["255.255.255.128/26", "255.255.255.192/26"],
    )
    t = synth(stack)
    assert props(t, "AWS::EC2::VPC")[0]["CidrBlock"] == "255.255.255.0/24"


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"cidr": "10.0.0.0/33"}, "is not a CIDR"),
        ({"cidr": "10.0.0.1/16"}, "is not a CIDR"),
        ({"cidr": "10.0.0.0/8"}, "between /16 and /28"),
        ({"public_subnet_cidrs": ["10.0.1.0/24"]}, "1 CIDR(s) for 2 AZ(s)"),
        ({"public_subnet_cidrs": ["10.0.1.0/24", "10.1.2.0/24"]}, "outside the VPC"),
        ({"public_subnet_cidrs": ["10.0.1.0/24", "10.0.11.0/24"]}, "overlaps"),
        ({"public_subnet_cidrs": ["10.0.1.0/29", "10.0.2.0/24"]}, "a subnet is a /16 to a /28"),
        ({"private_subnet_cidrs": (), "nat": NatMode.SINGLE_GATEWAY}, "needs private subnets"),
        ({"public_subnet_cidrs": (), "nat": NatMode.SINGLE_GATEWAY}, "lives in a public subnet"),
        ({"public_subnet_cidrs": (), "private_subnet_cidrs": ()}, "no subnets"),
        ({"az_count": 4}, "az_count=4"),
    ],
)
def test_invalid_props_fail_fast_with_the_fix(stack, kwargs, says):
    with pytest.raises(CourseInputError) as error:
        MultiAzVpc(stack, "Net", **kwargs)
    assert says in str(error.value)
    assert "MultiAzVpc UnitStack/Net" in str(error.value)
