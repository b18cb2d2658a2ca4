"""MultiAzVpc: the course's VPC, subnet for subnet and CIDR for CIDR."""

from __future__ import annotations

import enum
import ipaddress
import re
from typing import Dict, List, Optional, Sequence, Tuple

import jsii
from aws_cdk import RemovalPolicy, Stack, Tags, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from week5.constructs.hardening import (
    DEFAULT_ROOT_VOLUME_GIB,
    ROOT_DEVICE,
    TAG_VALUE_RE,
    acknowledge_course_azs,
    amazon_linux_2023,
    require_imdsv2,
    require_name_prefix,
)
from week5.constructs.props import (
    refuse_token,
    require_bool,
    require_distinct,
    require_enum,
    require_int,
    require_str,
    require_strings,
    require_subnets,
    shown,
)
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, acknowledge_all

#: The course's VPC (Day 1 Session 2, FAQ Q14).
DEFAULT_VPC_CIDR = "10.0.0.0/16"
#: Public-A, Public-B, ... as the course draws them: 10.0.1.0/24, 10.0.2.0/24, ...
DEFAULT_PUBLIC_THIRD_OCTET = 1
#: Private-A, Private-B, ...: 10.0.11.0/24, 10.0.12.0/24, ...
DEFAULT_PRIVATE_THIRD_OCTET = 11
#: The course's Multi-AZ labs use two zones.
DEFAULT_AZ_COUNT = 2
#: Name tags follow the course's console steps (``week5-day1-vpc``).
DEFAULT_NAME_PREFIX = "week5"

#: The longest Name tag a prefix starts: the NAT instance's role's (an IAM tag).
_LONGEST_NAME_SUFFIX = "-nat-instance-role"
#: An AZ's name: the region's, then a letter (ap-northeast-2a), or a Local Zone's suffix.
_AZ_NAME_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
#: What ``Stack.availability_zones`` holds for a stack with an account and region until the CDK
#: CLI has looked the account's zones up (aws-cdk-lib's dummy values).
PLACEHOLDER_AZS = ("dummy1a", "dummy1b", "dummy1c")

PUBLIC_GROUP = "Public"
PRIVATE_GROUP = "Private"
_NAME_TAG_PRIORITY = 200  # above the Vpc L2's own Name tags (priority 100)


class NatMode(enum.Enum):
    """How private subnets reach the internet."""

    #: No NAT: private subnets are isolated (no route to 0.0.0.0/0).
    NONE = "none"
    #: One NAT gateway in the first public subnet (Day 1 Lab 2: "NAT Gateway (Public-A에 배치)").
    SINGLE_GATEWAY = "single-gateway"
    #: One NAT gateway per AZ: no cross-AZ dependency, at one gateway-hour per AZ.
    GATEWAY_PER_AZ = "gateway-per-az"
    #: A t4g.nano NAT instance: the course FAQ's cheaper option, without the gateway's HA. It
    #: forwards HTTP and HTTPS (:data:`NAT_FORWARDED_PORTS`) and ping only, what a lab's hosts
    #: fetch; other ports (SMTP, git over SSH) need a NAT gateway.
    INSTANCE = "instance"


#: The NAT instance is the cheapest class that forwards a lab's traffic.
NAT_INSTANCE_TYPE = "t4g.nano"
#: What the NAT instance forwards from the VPC (HTTP and HTTPS; ping besides).
NAT_FORWARDED_PORTS = (80, 443)


#: The prefix lengths a subnet may have (EC2's CreateSubnet takes /16 to /28).
SUBNET_PREFIXES = (16, 28)


@jsii.implements(ec2.IIpAddresses)
class ExactSubnetCidrs:
    """IP address allocation that gives each subnet the CIDR the course draws.

    ``ec2.Vpc`` packs subnets from the bottom of the range (10.0.0.0/24, 10.0.1.0/24, ...);
    the course numbers public subnets from 10.0.1.0/24 and private ones from 10.0.11.0/24.
    """

    def __init__(self, vpc_cidr: str, cidrs: Dict[Tuple[str, str], str]) -> None:
        self._vpc_cidr = vpc_cidr
        self._cidrs = dict(cidrs)

    def allocate_vpc_cidr(self) -> ec2.VpcIpamOptions:
        return ec2.VpcIpamOptions(cidr_block=self._vpc_cidr)

    def allocate_subnets_cidr(self, *, requested_subnets, vpc_cidr) -> ec2.SubnetIpamOptions:
        allocated = []
        for request in requested_subnets:
            key = (request.configuration.name, request.availability_zone)
            allocated.append(ec2.AllocatedSubnet(cidr=self._cidrs[key]))
        return ec2.SubnetIpamOptions(allocated_subnets=allocated)


def course_subnet_cidrs(vpc_cidr: str, count: int, first_third_octet: int) -> Tuple[str, ...]:
    """``count`` consecutive /24s whose third octet starts at ``first_third_octet``.

    Raises ``ValueError`` when they would pass 255.255.255.255 (a ``cidr`` near the top of the
    IPv4 space: ``ip_network`` would read the number past it as an IPv6 address).
    """
    base = ipaddress.IPv4Network(vpc_cidr)
    first = int(base.network_address) + first_third_octet * 256
    last = first + count * 256 - 1
    if last > int(ipaddress.IPv4Address("255.255.255.255")):
        raise ValueError(
            f"the /24s at third octet {first_third_octet} and on of {vpc_cidr} would pass "
            "255.255.255.255"
        )
    return tuple(str(ipaddress.IPv4Network((first + i * 256, 24))) for i in range(count))


def check_name_prefix(
    where: str,
    name_prefix: str,
    default: str = DEFAULT_NAME_PREFIX,
    example: str = "week5-day1",
) -> None:
    """``name_prefix`` as ``MultiAzVpc`` takes it: a string, not blank, short enough for its
    longest Name tag and of what a tag's value holds. A construct that passes its own
    ``name_prefix`` on (``CloudMartStack``) checks it first, so the message names that
    construct, and ``default`` and ``example`` are its own (the blank prefix's fix)."""
    require_str(where, "name_prefix", name_prefix)
    require_name_prefix(where, name_prefix, _LONGEST_NAME_SUFFIX, "-vpc", example, default)
    if not TAG_VALUE_RE.fullmatch(name_prefix):
        raise CourseInputError(
            f"{where}: name_prefix={shown(name_prefix)} has characters a tag's value cannot "
            f"hold; use letters, digits, spaces and _.:/=+-@, e.g. name_prefix='{example}'"
        )


class MultiAzVpc(Construct):
    """A VPC with one public and (optionally) one private subnet per AZ, at the course's CIDRs.

    Builds what Day 1 Lab 2 clicks together: VPC, subnets, internet gateway, NAT, and one public
    route table to the IGW plus one private route table per AZ to the NAT.

    :param availability_zones: the zones, in order A, B, ...
        @default the stack's ``availability_zones``, first ``az_count`` of them
        (a ``LabStack`` gives ap-northeast-2a and ap-northeast-2b, as the course draws them)
    :param az_count: how many zones to use when ``availability_zones`` is not given.
        @default 2 (the course's Multi-AZ labs)
    :param cidr: the VPC's IPv4 range. One the default subnets do not fit (third octets up to
        10 + the AZ count: smaller than a /20 with two AZs) needs ``public_subnet_cidrs`` and
        ``private_subnet_cidrs`` inside it; the message names some that fit.
        @default ``10.0.0.0/16`` (course FAQ Q14)
    :param public_subnet_cidrs: one per AZ, each a /16 to a /28 inside ``cidr``.
        @default 10.0.1.0/24, 10.0.2.0/24, ... (third octet 1, 2, ... of ``cidr``)
    :param private_subnet_cidrs: one per AZ, or ``()`` for a VPC with public subnets only
        (Day 1 Lab 1). @default 10.0.11.0/24, 10.0.12.0/24, ...
    :param nat: how private subnets reach the internet.
        @default ``NatMode.SINGLE_GATEWAY`` when there are private subnets (Day 1 Lab 2),
        ``NatMode.NONE`` when there are none
    :param flow_logs: send VPC flow logs (rejected traffic) to a CloudWatch log group that
        ``cdk destroy`` removes. @default False: flow-log ingestion is billed per GB, and a
        50-minute lab has nobody reading them
    :param name_prefix: Name tags read ``<prefix>-vpc``, ``<prefix>-public-subnet-a``, ...:
        not blank, 238 characters at most, letters and digits of any script, spaces and
        ``_.:/=+-@`` (what every service's tags take). @default ``week5``; stacks pass
        ``week5-day1`` and so on, as the console steps name them

    Exposes ``vpc``, ``public_subnets``, ``private_subnets`` (in AZ order), ``nat_mode`` and
    ``flow_log_group``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        availability_zones: Optional[Sequence[str]] = None,
        az_count: int = DEFAULT_AZ_COUNT,
        cidr: str = DEFAULT_VPC_CIDR,
        public_subnet_cidrs: Optional[Sequence[str]] = None,
        private_subnet_cidrs: Optional[Sequence[str]] = None,
        nat: Optional[NatMode] = None,
        flow_logs: bool = False,
        name_prefix: str = DEFAULT_NAME_PREFIX,
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"MultiAzVpc {self.node.path}"
        require_int(where, "az_count", az_count)
        if az_count < 1:
            raise CourseInputError(
                f"{where}: az_count={az_count} must be 1 or more (the course's labs use 2)"
            )
        require_bool(where, "flow_logs", flow_logs)
        require_str(where, "cidr", cidr)
        vpc_net = _parse_cidr(where, "cidr", cidr, DEFAULT_VPC_CIDR)
        check_name_prefix(where, name_prefix)
        for label, group in (
            ("availability_zones", availability_zones),
            ("public_subnet_cidrs", public_subnet_cidrs),
            ("private_subnet_cidrs", private_subnet_cidrs),
        ):
            if group is not None:
                example = "10.0.1.0/24" if label.endswith("cidrs") else "ap-northeast-2a"
                require_strings(where, label, group, example)
        if nat is not None:
            require_enum(where, "nat", nat, NatMode)
        if availability_zones is not None and not availability_zones:
            raise CourseInputError(
                f"{where}: availability_zones={shown(availability_zones)} names no zone; pass "
                "e.g. ['ap-northeast-2a', 'ap-northeast-2b'], or leave it out for the stack's "
                "first az_count zones"
            )
        stack = Stack.of(self)
        azs = tuple(
            availability_zones
            if availability_zones is not None
            else stack.availability_zones[:az_count]
        )
        # CDK's placeholder zones before the CLI's lookup of the account's (the first pass of
        # an app whose stack has an account and region): not the zones to check against.
        placeholders = tuple(stack.availability_zones) == PLACEHOLDER_AZS
        if availability_zones is None and len(azs) < az_count and not placeholders:
            if Token.is_unresolved(stack.region) or Token.is_unresolved(stack.account):
                raise CourseInputError(
                    f"{where}: az_count={az_count}, but a stack without an account and region "
                    f"(env-agnostic) gets {len(azs)} AZs; set the stack's env "
                    "(account and region) or pass availability_zones"
                )
            raise CourseInputError(
                f"{where}: az_count={az_count} but the stack offers "
                f"{len(azs)} zone(s) ({', '.join(azs)}); pass availability_zones"
            )
        require_distinct(where, "availability_zones", azs)
        if availability_zones is not None:
            offered = () if placeholders else stack.availability_zones
            _check_zone_names(where, azs, stack.region, offered)
        if not azs:
            raise CourseInputError(f"{where}: needs at least one AZ")
        if not 16 <= vpc_net.prefixlen <= 28:
            raise CourseInputError(
                f"{where}: cidr={cidr!r} must be between /16 and /28 "
                "(an AWS VPC limit); the course uses 10.0.0.0/16"
            )
        # The defaults of a cidr near 255.255.255.255 would pass it: None, refused below.
        public = (
            tuple(public_subnet_cidrs)
            if public_subnet_cidrs is not None
            else _course_subnets_or_none(cidr, len(azs), DEFAULT_PUBLIC_THIRD_OCTET)
        )
        private = (
            tuple(private_subnet_cidrs)
            if private_subnet_cidrs is not None
            else _course_subnets_or_none(cidr, len(azs), DEFAULT_PRIVATE_THIRD_OCTET)
        )
        _check_default_subnets(
            where,
            vpc_net,
            {"public_subnet_cidrs": public, "private_subnet_cidrs": private},
            defaulted={
                "public_subnet_cidrs": public_subnet_cidrs is None,
                "private_subnet_cidrs": private_subnet_cidrs is None,
            },
            az_count=len(azs),
        )
        assert public is not None and private is not None  # refused above otherwise
        nat = nat if nat is not None else (NatMode.SINGLE_GATEWAY if private else NatMode.NONE)
        self._validate_subnets(where, vpc_net, azs, public, private)
        if nat is not NatMode.NONE and not private:
            raise CourseInputError(
                f"{where}: nat={nat.value} needs private subnets; "
                "pass nat=NatMode.NONE or give private_subnet_cidrs"
            )
        if not public and nat is not NatMode.NONE:
            raise CourseInputError(
                f"{where}: a NAT lives in a public subnet; "
                "give public_subnet_cidrs or pass nat=NatMode.NONE"
            )

        cidrs: Dict[Tuple[str, str], str] = {}
        subnet_configuration = []
        if public:
            subnet_configuration.append(
                ec2.SubnetConfiguration(
                    name=PUBLIC_GROUP, subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                )
            )
            cidrs.update({(PUBLIC_GROUP, az): c for az, c in zip(azs, public)})
        if private:
            private_type = (
                ec2.SubnetType.PRIVATE_ISOLATED
                if nat is NatMode.NONE
                else ec2.SubnetType.PRIVATE_WITH_EGRESS
            )
            subnet_configuration.append(
                ec2.SubnetConfiguration(name=PRIVATE_GROUP, subnet_type=private_type, cidr_mask=24)
            )
            cidrs.update({(PRIVATE_GROUP, az): c for az, c in zip(azs, private)})

        nat_gateways, nat_provider = _nat_settings(nat, len(azs))
        #: How the private subnets reach the internet.
        self.nat_mode: NatMode = nat
        #: The VPC L2: pass it as ``vpc=`` to the other constructs.
        self.vpc: ec2.Vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ExactSubnetCidrs(cidr, cidrs),
            availability_zones=list(azs),
            subnet_configuration=subnet_configuration,
            nat_gateways=nat_gateways,
            nat_gateway_provider=nat_provider,
            # Not restricted: that takes a custom-resource Lambda, role and log group per VPC,
            # and nothing in a lab uses the default group (it admits only its own members).
            restrict_default_security_group=False,
        )
        #: Public-A, Public-B, ... in AZ order.
        self.public_subnets: List[ec2.ISubnet] = list(self.vpc.public_subnets)
        #: Private-A, Private-B, ... in AZ order (with NAT, or isolated with ``NatMode.NONE``).
        self.private_subnets: List[ec2.ISubnet] = list(
            self.vpc.private_subnets if nat is not NatMode.NONE else self.vpc.isolated_subnets
        )
        self._name_resources(name_prefix)
        acknowledge_course_azs(self.vpc)

        #: The flow logs' log group, with ``flow_logs=True``.
        self.flow_log_group: Optional[logs.LogGroup] = None
        if flow_logs:
            self.flow_log_group = logs.LogGroup(
                self,
                "FlowLogs",
                retention=logs.RetentionDays.ONE_WEEK,
                removal_policy=RemovalPolicy.DESTROY,
            )
            flow_log = self.vpc.add_flow_log(
                "FlowLog",
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
                traffic_type=ec2.FlowLogTrafficType.REJECT,
            )
            # The FlowLog L2 names itself (and its role) by its path, above the VPC's Name.
            _name(flow_log, f"{name_prefix}-vpc")
        else:
            acknowledge(
                self.vpc,
                "AwsSolutions-VPC7",
                "Flow logs are off by default in the labs: CloudWatch ingestion is billed per GB "
                "and nobody reads them in a 50-minute lab; pass flow_logs=True to turn them on.",
            )
        if nat_provider is not None:
            # Forward only web traffic and ping from inside the VPC: what dnf, docker pull, pip
            # and the AWS CLI need. All traffic would also open the data ports to a CIDR
            # (Week5-DataPortsFromGroupsOnly). The literal CIDR, so the rules can read it.
            for port in NAT_FORWARDED_PORTS:
                nat_provider.connections.allow_from(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port))
            nat_provider.connections.allow_from(ec2.Peer.ipv4(cidr), ec2.Port.icmp_ping())
            self._harden_nat_instances(nat_provider)

    def _validate_subnets(self, where, vpc_net, azs, public, private) -> None:
        for label, group in (("public_subnet_cidrs", public), ("private_subnet_cidrs", private)):
            if group and len(group) != len(azs):
                raise CourseInputError(
                    f"{where}: {label} has {len(group)} CIDR(s) for {len(azs)} AZ(s) "
                    f"({', '.join(azs)}); give one per AZ"
                )
        seen: List[Tuple[str, ipaddress.IPv4Network]] = []
        for label, group in (("public_subnet_cidrs", public), ("private_subnet_cidrs", private)):
            for text in group:
                net = _parse_cidr(where, label, text, "10.0.1.0/24")
                if not SUBNET_PREFIXES[0] <= net.prefixlen <= SUBNET_PREFIXES[1]:
                    raise CourseInputError(
                        f"{where}: {label} has {text!r}; a subnet is a /16 to a /28 (AWS's "
                        "range; the course's are /24s, FAQ Q14), e.g. 10.0.1.0/24"
                    )
                if not net.subnet_of(vpc_net):
                    raise CourseInputError(
                        f"{where}: {label} has {text!r}, which is outside the VPC's {vpc_net}"
                    )
                for other_label, other in seen:
                    if net.overlaps(other):
                        raise CourseInputError(
                            f"{where}: {label} has {text!r}, which overlaps {other} in "
                            f"{other_label}; give each subnet its own /24"
                        )
                seen.append((label, net))
        if not public and not private:
            raise CourseInputError(f"{where}: a VPC with no subnets has nothing to run in")

    def _name_resources(self, prefix: str) -> None:
        """Every Name says what the resource is: ``<prefix>-vpc``, ``-public-subnet-a``,
        ``-public-rt-a``, ``-private-rt-a``, ``-igw``, ``-nat-a`` and its ``-nat-a-eip``,
        ``-nat-instance`` (its ``-nat-instance-role``) and ``-nat-sg``.

        The ``Vpc`` L2 tags a subnet's whole subtree (route table, NAT gateway, EIP, NAT
        instance) with the subnet's name, and the VPC's subtree (the NAT security group) with
        the VPC's: each of those gets its own name here, on the resource itself.

        Only the VPC resource gets ``<prefix>-vpc`` at the high priority. What else lands under
        the VPC (a flow log, an endpoint from ``vpc.add_gateway_endpoint``, a group scoped to the
        VPC) gets it at the default priority, on the VPC node after the L2's own path Name: it
        replaces that path, and a Name the user gives what they add (default priority, on their
        construct, applied after the VPC's) wins.
        """
        Tags.of(self.vpc).add(
            "Name",
            f"{prefix}-vpc",
            priority=_NAME_TAG_PRIORITY,
            include_resource_types=["AWS::EC2::VPC"],
        )
        Tags.of(self.vpc).add("Name", f"{prefix}-vpc")
        for kind, subnets in (("public", self.public_subnets), ("private", self.private_subnets)):
            for index, subnet in enumerate(subnets):
                letter = chr(ord("a") + index)
                suffix = "" if len(subnets) == 1 else "-" + letter
                node = subnet.node
                _name(subnet, f"{prefix}-{kind}-subnet{suffix}", _NAME_TAG_PRIORITY)
                _name(node.try_find_child("RouteTable"), f"{prefix}-{kind}-rt{suffix}")
                if kind != "public" or self.nat_mode is NatMode.NONE:
                    continue  # the Vpc L2 puts the NAT (if any) in public subnets
                # A NAT gateway is named for its AZ even in a one-AZ VPC: nat-a, nat-b.
                _name(node.try_find_child("NATGateway"), f"{prefix}-nat-{letter}")
                _name(node.try_find_child("EIP"), f"{prefix}-nat-{letter}-eip")
                nat_instance = node.try_find_child("NatInstance")
                if nat_instance is not None:
                    _name(nat_instance, f"{prefix}-nat-instance")
                    role = getattr(nat_instance, "role", None)
                    if role is not None:
                        _name(role, f"{prefix}-nat-instance-role", _NAME_TAG_PRIORITY + 2)
        vpc_node = self.vpc.node
        _name(vpc_node.try_find_child("IGW"), f"{prefix}-igw")
        if self.nat_mode is NatMode.INSTANCE:  # the NAT instance provider's group
            _name(vpc_node.try_find_child("NatSecurityGroup"), f"{prefix}-nat-sg")

    def _harden_nat_instances(self, nat_provider: ec2.NatInstanceProviderV2) -> None:
        """The NAT instance provider has no props for these; its instances are L2 Instances."""
        for nat_instance in nat_provider.gateway_instances:
            require_imdsv2(nat_instance)
            instance = nat_instance.instance
            # The L1 form of hardening.encrypted_root_volume(): the provider made the instance.
            instance.block_device_mappings = [
                ec2.CfnInstance.BlockDeviceMappingProperty(
                    device_name=ROOT_DEVICE,
                    ebs=ec2.CfnInstance.EbsProperty(
                        encrypted=True,
                        volume_type="gp3",
                        volume_size=DEFAULT_ROOT_VOLUME_GIB,
                        delete_on_termination=True,
                    ),
                )
            ]
            instance.propagate_tags_to_volume_on_creation = True
            acknowledge_all(
                nat_instance,
                {
                    "AwsSolutions-EC28": "NAT instance: detailed monitoring is billed per metric "
                    "and a lab NAT needs none.",
                    "AwsSolutions-EC29": "NAT instance: termination protection would stop `cdk "
                    "destroy` from removing a billed instance after the lab.",
                },
            )


def _check_zone_names(
    where: str, azs: Sequence[str], region: str, offered: Sequence[str]
) -> None:
    """Each zone given is an AZ's name, one of the stack's region when CDK knows it (a zone of
    another region fails the deploy after the VPC is half made), and one the stack offers when
    it names its zones (the ``ec2.Vpc`` refuses others with a jsii error)."""
    for az in azs:
        if Token.is_unresolved(az):
            continue
        if not _AZ_NAME_RE.match(az):
            raise CourseInputError(
                f"{where}: availability_zones has {shown(az)}, which is not an availability "
                "zone's name, e.g. 'ap-northeast-2a'"
            )
        if Token.is_unresolved(region):
            continue
        if not (re.fullmatch(re.escape(region) + "[a-z]", az) or az.startswith(region + "-")):
            raise CourseInputError(
                f"{where}: availability_zones has {shown(az)}, which is not a zone of "
                f"{region} (the stack's region); pass e.g. ['{region}a', '{region}b']"
            )
        if offered and not any(Token.is_unresolved(z) for z in offered) and az not in offered:
            raise CourseInputError(
                f"{where}: availability_zones has {shown(az)}, which the stack does not offer "
                f"({', '.join(offered)}); pass some of those"
            )


def _name(construct, name: str, priority: int = _NAME_TAG_PRIORITY + 1) -> None:
    """Name one construct (and what it holds), above the Name its subnet or VPC gave it."""
    if construct is not None:
        Tags.of(construct).add("Name", name, priority=priority)


def private_subnets_of(
    vpc: ec2.IVpc, subnets: Optional[Sequence[ec2.ISubnet]], where: str
) -> List[ec2.ISubnet]:
    """``subnets`` if given (a list of ``vpc``'s), else the VPC's private subnets (with or
    without NAT); never none."""
    if subnets is not None:
        require_subnets(where, "subnets", subnets, vpc)
    chosen = list(subnets if subnets is not None else (vpc.private_subnets or vpc.isolated_subnets))
    if not chosen:
        raise CourseInputError(f"{where}: the VPC has no private subnet to place it in")
    return chosen


def _nat_settings(nat: NatMode, az_count: int):
    if nat is NatMode.NONE:
        return 0, None
    if nat is NatMode.SINGLE_GATEWAY:
        return 1, None
    if nat is NatMode.GATEWAY_PER_AZ:
        return az_count, None
    provider = ec2.NatProvider.instance_v2(
        instance_type=ec2.InstanceType(NAT_INSTANCE_TYPE),
        machine_image=amazon_linux_2023(ec2.InstanceType(NAT_INSTANCE_TYPE)),  # arm64: t4g
        associate_public_ip_address=True,
        default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
    )
    return 1, provider


def _course_subnets_or_none(
    vpc_cidr: str, count: int, first_third_octet: int
) -> Optional[Tuple[str, ...]]:
    """:func:`course_subnet_cidrs`, or None where they would pass 255.255.255.255."""
    try:
        return course_subnet_cidrs(vpc_cidr, count, first_third_octet)
    except ValueError:
        return None


def _check_default_subnets(
    where: str,
    vpc_net: ipaddress.IPv4Network,
    groups: Dict[str, Optional[Sequence[str]]],
    defaulted: Dict[str, bool],
    az_count: int,
) -> None:
    """Refuse a ``cidr`` that the default subnets (the course's /24s at third octet 1, 2, ...
    and 11, 12, ...) do not fit, under ``cidr``, which the user passed, not under the subnet
    props they left out; the fix names subnets that fit: /24s where there is room, else the
    largest equal blocks, apart from the subnets given. A group of None is defaults that
    would pass 255.255.255.255 (``cidr`` near the top of the IPv4 space)."""
    misfit = [
        label
        for label, cidrs in groups.items()
        if defaulted[label]
        and (cidrs is None or not all(ipaddress.ip_network(c).subnet_of(vpc_net) for c in cidrs))
    ]
    if not misfit:
        return
    taken = []
    for label, cidrs in groups.items():
        if label in misfit or cidrs is None:
            continue
        for text in cidrs:
            try:
                net = ipaddress.ip_network(text)
            except (ValueError, TypeError):
                continue  # reported by the subnet checks after this one
            if net.version == 4 and net.subnet_of(vpc_net):
                taken.append(net)
    count = az_count * len(misfit)
    fitting: List[str] = []
    for prefix in range(max(vpc_net.prefixlen, 24), SUBNET_PREFIXES[1] + 1):
        free = [
            str(net)
            for net in vpc_net.subnets(new_prefix=prefix)
            if not any(net.overlaps(other) for other in taken)
        ]
        if len(free) >= count:
            fitting = free[:count]
            break
    octets = {
        "public_subnet_cidrs": DEFAULT_PUBLIC_THIRD_OCTET,
        "private_subnet_cidrs": DEFAULT_PRIVATE_THIRD_OCTET,
    }
    defaults = " and ".join(
        f"{label} ({', '.join(cidrs)})"
        if (cidrs := groups[label]) is not None
        else f"{label} (third octet {octets[label]} and on, past 255.255.255.255)"
        for label in misfit
    )
    if fitting:
        examples, start = [], 0
        for label in misfit:
            end = start + az_count
            examples.append(f"{label}={fitting[start:end]!r}")
            start = end
        fix = f"pass subnets inside it, e.g. {', '.join(examples)}"
    else:
        fix = (
            f"it has no room for {count} subnets of a /{SUBNET_PREFIXES[1]} (AWS's smallest) or "
            f"larger: pass a larger cidr, e.g. cidr='{DEFAULT_VPC_CIDR}' (the course's)"
        )
    raise CourseInputError(
        f"{where}: cidr='{vpc_net}' does not hold the default {defaults}, the course's /24s "
        f"for a /16; {fix}"
    )


def _parse_cidr(where: str, name: str, text: str, example: str) -> ipaddress.IPv4Network:
    """``text`` (``name``'s value) as an IPv4 network, written as EC2's ``CidrBlock`` takes it
    (``10.0.0.0/16``: no host bits, no netmask, no spaces), or one line with the fix: the
    network it means when there is one, else ``example``."""
    refuse_token(where, name, text, f"a CIDR such as '{example}'")
    try:
        net = ipaddress.ip_network(text)
    except (ValueError, TypeError):
        try:
            meant = ipaddress.ip_network(text.strip(), strict=False)
        except (ValueError, TypeError):
            meant = None
        if meant is None or meant.version != 4 or "/" not in text:
            raise CourseInputError(
                f"{where}: {name}={text!r} is not a CIDR; pass one such as '{example}'"
            ) from None
        why = "has spaces around it" if text.strip() != text else "has host bits set"
        raise CourseInputError(
            f"{where}: {name}={text!r} is not a CIDR: it {why}; pass '{meant}'"
        ) from None
    if net.version != 4:
        raise CourseInputError(
            f"{where}: {name}={text!r} must be an IPv4 CIDR, e.g. '{example}'"
        )
    if "/" not in text:
        length = example.rsplit("/", 1)[1]
        raise CourseInputError(
            f"{where}: {name}={text!r} has no prefix length; pass e.g. '{text}/{length}'"
        )
    if str(net) != text:  # 10.0.0.0/255.255.0.0, 10.0.0.0/016: CloudFormation gets it as is
        raise CourseInputError(
            f"{where}: {name}={text!r} is not in CIDR notation (address/prefix length); "
            f"pass '{net}'"
        )
    return net
