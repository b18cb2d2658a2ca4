"""`week5 cleanup` and what AWS's services put in the day's network: an untagged load balancer,
RDS or ElastiCache database, Lambda function or interface endpoint has network interfaces in
the day's subnets, wearing the day's security groups. Such an interface's owner not found with
the day's tags leaves its subnet, its groups (their rules untouched), the route table serving
the subnet, the internet gateway and the VPC, each reported with the interface as its
Description names the owner. Also: the Elastic IP of a NAT gateway deleted in the same run is
released once the gateway is gone (AWS answers a plain AuthFailure meanwhile), and which AWS
error codes the deletion rounds retry.

Moto makes no interfaces for RDS or ELBv2, and always says RequesterManaged false and
InterfaceType interface: the tests make each interface as the service does on AWS (its
Description), and set what moto's API cannot (requester-managed, InterfaceType, RequesterId)
on moto's own model of it."""

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.operations.cleanup.deleter import delete_in_order
from week5.operations.cleanup.scope import Found

REGION = "ap-northeast-2"
TAGS = course_tags("Day4")
CLIENTS = Clients(REGION)


def spec(resource_type):
    return tag_spec(resource_type, TAGS)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def cleaner(clients, **kwargs):
    return quiet_cleaner(clients, "Day4", **kwargs)


def service_eni(ec2, subnet, groups, description, **model):
    """A network interface as a service makes it on AWS: its Description, and what moto's API
    does not set (``requester_managed``, ``interface_type``, ``requester_id``) set on moto's
    model."""
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=groups, Description=description)[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    made = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni]
    for key, value in model.items():
        setattr(made, key, value)
    return eni


class Network:
    """Day 4's tagged network: VPC, internet gateway, a route table to it associated with two
    subnets, and a tagged security group."""

    def __init__(self, aws):
        self.ec2 = ec2 = aws.client("ec2")
        self.vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=spec("vpc"))["Vpc"][
            "VpcId"
        ]
        self.igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway"))[
            "InternetGateway"
        ]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=self.igw, VpcId=self.vpc)
        self.table = ec2.create_route_table(VpcId=self.vpc, TagSpecifications=spec("route-table"))[
            "RouteTable"
        ]["RouteTableId"]
        ec2.create_route(
            RouteTableId=self.table, DestinationCidrBlock="0.0.0.0/0", GatewayId=self.igw
        )
        self.subnets = []
        for cidr, zone in (("10.9.1.0/24", "ap-northeast-2a"), ("10.9.2.0/24", "ap-northeast-2c")):
            subnet = ec2.create_subnet(
                VpcId=self.vpc, CidrBlock=cidr, AvailabilityZone=zone,
                TagSpecifications=spec("subnet"),
            )["Subnet"]["SubnetId"]  # fmt: skip
            ec2.associate_route_table(RouteTableId=self.table, SubnetId=subnet)
            self.subnets.append(subnet)
        self.app = ec2.create_security_group(GroupName="app", Description="app", VpcId=self.vpc)[
            "GroupId"
        ]  # untagged: the student's app servers
        self.group = ec2.create_security_group(
            GroupName="db", Description="db", VpcId=self.vpc,
            TagSpecifications=spec("security-group"),
        )["GroupId"]  # fmt: skip
        ec2.authorize_security_group_ingress(
            GroupId=self.group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
                    "UserIdGroupPairs": [{"GroupId": self.app}],
                }
            ],
        )  # fmt: skip

    def associations(self):
        (table,) = self.ec2.describe_route_tables(RouteTableIds=[self.table])["RouteTables"]
        return sorted(a["SubnetId"] for a in table.get("Associations", []) if a.get("SubnetId"))

    def attached(self):
        (igw,) = self.ec2.describe_internet_gateways(InternetGatewayIds=[self.igw])[
            "InternetGateways"
        ]
        return [a["VpcId"] for a in igw.get("Attachments", [])]

    def names_app(self):
        """Whether the tagged group still lets the app group in."""
        (group,) = self.ec2.describe_security_groups(GroupIds=[self.group])["SecurityGroups"]
        return any(
            pair.get("GroupId") == self.app
            for rule in group.get("IpPermissions", [])
            for pair in rule.get("UserIdGroupPairs", [])
        )


#: What AWS's services make, as describe-network-interfaces shows it: (Description, what
#: moto's model is given, the owner as the reason names it).
SERVICES = {
    "alb": ("ELB app/shop-alb/50dc6c495c0c9188", {"requester_id": "amazon-elb"},
            "load balancer shop-alb"),
    "rds": ("RDSNetworkInterface", {"requester_managed": True, "requester_id": "amazon-rds"},
            "an RDS database"),
    "elasticache": ("ElastiCache shop-cache-001", {"requester_managed": True},
                    "ElastiCache cluster shop-cache-001"),
    "lambda": ("AWS Lambda VPC ENI-shop-fn-1f2e3d4c-5b6a-4c3d-9e8f-0a1b2c3d4e5f",
               {"requester_managed": True, "interface_type": "lambda"}, "Lambda function shop-fn"),
    "endpoint": ("VPC Endpoint Interface vpce-0a1b2c3d4e5f", {"requester_managed": True,
                 "interface_type": "vpc_endpoint"}, "VPC endpoint vpce-0a1b2c3d4e5f"),
    "no description": ("", {"requester_managed": True}, "a service"),
}  # fmt: skip


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_untagged_service_interfaces_leave_the_network_they_are_in(aws, service):
    net = Network(aws)
    description, model, owner = SERVICES[service]
    enis = [service_eni(net.ec2, s, [net.group], description, **model) for s in net.subnets]
    c = cleaner(aws.client)
    found = {f.id: f for f in c.find()}
    for subnet, eni in zip(net.subnets, enis):
        held = found[subnet].held or ""
        assert f"network interface {eni} of {owner}" in held
        assert "not tagged Week5/Day4/kim" in held
        if description:
            assert f'("{description}")' in held
    for kept in (net.table, net.igw, net.vpc, net.group):
        assert found[kept].held, kept
    assert f"network interface {enis[0]} of {owner}" in found[net.group].held
    report = c.apply(list(found.values()), say=lambda line: None)
    assert not report.deleted and not report.failed
    assert net.associations() == sorted(net.subnets)
    assert net.attached() == [net.vpc]
    assert net.names_app()


def test_reviewer_rds_and_alb_on_a_tagged_group_keep_its_rules(aws):
    """/tmp/review_aws/test_sg_service.py with the interfaces AWS would make: an untagged RDS
    instance and ALB wearing the tagged group, in untagged subnets."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    group = ec2.create_security_group(
        GroupName="db", Description="db", VpcId=vpc, TagSpecifications=spec("security-group")
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
                        "UserIdGroupPairs": [{"GroupId": app}]}],
    )  # fmt: skip
    rds_db = aws.client("rds")
    rds_db.create_db_subnet_group(
        DBSubnetGroupName="g", DBSubnetGroupDescription="g", SubnetIds=[a]
    )
    rds_db.create_db_instance(
        DBInstanceIdentifier="shop-db", Engine="mysql", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="u", MasterUserPassword="p" * 12,
        DBSubnetGroupName="g", VpcSecurityGroupIds=[group],
    )  # fmt: skip
    rds = service_eni(ec2, a, [group], "RDSNetworkInterface", requester_managed=True)
    c = cleaner(aws.client)
    found = c.find()
    (sg,) = [f for f in found if f.kind == "security group"]
    assert f'network interface {rds} of RDS instance shop-db ("RDSNetworkInterface")' in sg.held
    c.apply(found, say=lambda line: None)
    (now,) = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
    assert now["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == app


def test_interface_of_a_found_load_balancer_is_no_tie(aws):
    """A tagged load balancer's interface: the subnet waits for the load balancer (deleted
    first), and is not left for it."""
    net = Network(aws)
    elb = aws.client("elbv2")
    arn = elb.create_load_balancer(
        Name="shop-alb", Subnets=net.subnets, SecurityGroups=[net.group], Tags=TAGS
    )["LoadBalancers"][0]["LoadBalancerArn"]
    key = arn.split(":loadbalancer/")[1]
    for subnet in net.subnets:
        service_eni(net.ec2, subnet, [net.group], f"ELB {key}", requester_id="amazon-elb")
    found = {f.id: f for f in cleaner(aws.client).find()}
    assert found["shop-alb"].held is None
    for subnet in net.subnets:
        assert found[subnet].held is None
        assert "shop-alb" in found[subnet].needs
    assert found[net.group].held is None


def test_interface_of_an_instance_not_read_is_a_tie(aws):
    """An interface attached to an instance the cleanup did not read (another account's, a
    managed one's) ties its subnet like a service's, named by that instance."""
    net = Network(aws)
    eni = service_eni(net.ec2, net.subnets[0], [net.group], "")
    made = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni]
    # As describe-network-interfaces shows an interface attached to an instance of another
    # account: moto's own attachment needs one of its instances.
    made.attachment_id = "eni-attach-0a1b"
    made.attach_time = datetime.now(timezone.utc)
    made.device_index = 0

    class Elsewhere:
        id = "i-0ffffffffffffffff"
        owner_id = "999999999999"

    made.instance = Elsewhere()
    described = net.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])[
        "NetworkInterfaces"
    ][0]
    if (described.get("Attachment") or {}).get("InstanceId") != Elsewhere.id:
        pytest.fail(f"moto did not show the attachment: {described.get('Attachment')}")
    found = {f.id: f for f in cleaner(aws.client).find()}
    assert f"network interface {eni} of instance {Elsewhere.id}" in found[net.subnets[0]].held


def test_group_rules_are_not_revoked_while_something_wears_it(aws):
    """An interface that came after the listing (a service's, started meanwhile) wears the
    tagged group: AWS refuses to delete the group (DependencyViolation, retried), and its
    rules, which that interface's traffic needs, are left as they were."""
    net = Network(aws)
    ec2 = aws.client("ec2")

    class Ec2:
        def __getattr__(self, name):
            return getattr(ec2, name)

        def delete_security_group(self, **kwargs):  # as AWS: not while an interface wears it
            wearing = ec2.describe_network_interfaces(
                Filters=[{"Name": "group-id", "Values": [kwargs["GroupId"]]}]
            )["NetworkInterfaces"]
            if wearing:
                raise ClientError(
                    {"Error": {"Code": "DependencyViolation",
                               "Message": "resource sg has a dependent object"}},
                    "DeleteSecurityGroup",
                )  # fmt: skip
            return ec2.delete_security_group(**kwargs)

    def clients(service, **kwargs):
        return Ec2() if service == "ec2" else aws.client(service, **kwargs)

    c = cleaner(clients)
    found = [f for f in c.find() if f.kind == "security group"]
    assert [f.id for f in found] == [net.group] and found[0].held is None
    service_eni(ec2, net.subnets[0], [net.group], "RDSNetworkInterface", requester_managed=True)
    report = c.apply(found, say=lambda line: None)
    assert [(f.id, why.split(":")[0]) for f, why in report.failed] == [
        (net.group, "DependencyViolation")
    ]
    assert net.names_app()


# --- B: the Elastic IP of a NAT gateway deleted in the same run -----------------------------


class NatDeleting:
    """EC2 as AWS answers while a NAT gateway deletes: ReleaseAddress of its Elastic IP fails
    with a plain AuthFailure (kubernetes/kops#938), DescribeNatGateways says ``deleting``,
    for ``busy`` release attempts; moto's own answers otherwise."""

    def __init__(self, ec2, busy):
        self.ec2 = ec2
        self.busy = busy
        self.releases = 0

    def __getattr__(self, name):
        return getattr(self.ec2, name)

    def release_address(self, **kwargs):
        self.releases += 1
        if self.releases <= self.busy:
            raise ClientError(
                {"Error": {"Code": "AuthFailure", "Message": "You do not have permission to "
                           "access the specified resource."}},
                "ReleaseAddress",
            )  # fmt: skip
        return self.ec2.release_address(**kwargs)

    def describe_nat_gateways(self, **kwargs):
        reply = self.ec2.describe_nat_gateways(**kwargs)
        if kwargs.get("NatGatewayIds") and self.releases <= self.busy:
            for gateway in reply["NatGateways"]:
                gateway["State"] = "deleting"
        return reply


def nat_in(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16", TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.8.1.0/24", TagSpecifications=spec("subnet")
    )["Subnet"]["SubnetId"]
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip"))[
        "AllocationId"
    ]
    ec2.create_nat_gateway(
        SubnetId=subnet, AllocationId=address, TagSpecifications=spec("natgateway")
    )
    return ec2, address


def test_nat_gateway_address_is_released_once_the_gateway_is_gone(aws):
    ec2, address = nat_in(aws)
    stub = NatDeleting(ec2, busy=2)
    c = cleaner(lambda service, **kw: stub if service == "ec2" else aws.client(service, **kw))
    lines = []
    report = c.apply(say=lines.append)
    assert address in [f.id for f in report.deleted]
    assert stub.releases == 3
    assert not report.failed
    assert any("still deleting" in line for line in lines)
    assert ec2.describe_addresses()["Addresses"] == []


def test_address_auth_failure_without_its_gateway_fails_at_once(aws):
    """AuthFailure once the NAT gateway is gone (or for an address of none) is a real refusal:
    reported at once, not waited on."""
    ec2, address = nat_in(aws)
    stub = NatDeleting(ec2, busy=99)
    stub.describe_nat_gateways = ec2.describe_nat_gateways  # moto: deleted at once
    c = cleaner(lambda service, **kw: stub if service == "ec2" else aws.client(service, **kw))
    report = c.apply(say=lambda line: None)
    assert [(f.id, why.split(":")[0]) for f, why in report.failed] == [(address, "AuthFailure")]
    assert stub.releases == 1


# --- C: what the deletion rounds retry ----------------------------------------------------------


def failing(code, times, message="busy"):
    calls = []

    def delete():
        calls.append(1)
        if len(calls) <= times:
            raise ClientError({"Error": {"Code": code, "Message": message}}, "Delete")

    return calls, Found("thing", "x-1", delete=delete)


@pytest.mark.parametrize(
    "code, why",
    [
        ("Throttling", "throttled"),
        ("ThrottlingException", "throttled"),
        ("RequestLimitExceeded", "throttled"),
        ("ResourceContention", "busy"),
        ("ScalingActivityInProgress", "busy"),
    ],
)
def test_throttled_and_busy_deletions_are_retried(code, why):
    calls, item = failing(code, 2)
    waited, lines = [], []
    report = delete_in_order([item], (10, 20, 40), waited.append, lines.append)
    assert [f.id for f in report.deleted] == ["x-1"] and not report.failed
    assert len(calls) == 3 and waited == [10, 20]
    assert f"  1 not deletable yet ({why}); retrying in 10 s" in lines


def test_invalid_parameter_value_fails_at_once():
    calls, item = failing("InvalidParameterValue", 99, "Value (x) for parameter y is invalid.")
    waited = []
    report = delete_in_order([item], (10, 20, 40, 60, 90, 90), waited.append, lambda s: None)
    assert [(f.id, why.split(":")[0]) for f, why in report.failed] == [
        ("x-1", "InvalidParameterValue")
    ]
    assert len(calls) == 1 and waited == []


def test_interface_currently_in_use_is_retried():
    """DeleteNetworkInterface while the interface still detaches: InvalidParameterValue
    'Network interface ... is currently in use.' passes (aws/amazon-vpc-cni-k8s#1399)."""
    message = "Network interface 'eni-0bb6d5cc5ed4f5140' is currently in use."
    calls, item = failing("InvalidParameterValue", 1, message)
    report = delete_in_order([item], (10,), lambda s: None, lambda s: None)
    assert [f.id for f in report.deleted] == ["x-1"] and len(calls) == 2


def test_public_address_of_an_untagged_service_keeps_the_internet_gateway(aws):
    """An internet-facing load balancer's interface (its public address) in an untagged subnet
    of the day's VPC: AWS detaches no gateway while its VPC maps a public address, so the
    tagged gateway is left, named with that interface."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16", TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway"))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    eni = service_eni(
        ec2, subnet, [], "ELB app/web-alb/0a1b2c3d4e5f6a7b", requester_managed=True
    )
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=address, NetworkInterfaceId=eni)
    found = {f.id: f for f in cleaner(aws.client).find()}
    held = found[igw].held or ""
    assert f"network interface {eni} of load balancer web-alb" in held
    assert "has a public address in its VPC" in held
