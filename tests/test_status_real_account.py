"""`week5 status` against what a real account answers, not what moto answers.

A region-deny SCP (AWS Organizations' documented example exempts only global services, and the
Resource Groups Tagging API is none) denies tag:GetResources in us-east-1, where status looks
for CloudFront's resources: that one read is "not checked" (a line on stderr naming the call
and the region; `--json`: `not_checked`), the Seoul listing is still printed, where the whole
command exited 2. And the tagging API keeps listing deleted volumes, load balancers, listeners
and more for 20 minutes and longer (aws/aws-cli#4173, aws/aws-sdk#676, boto/boto3#3341): status
listed as left behind what `week5 cleanup` had just deleted; each EC2 kind, Elastic Load
Balancing's and RDS's are now asked for by id (in batches, every page), and what is not there
is gone.
On in-process moto; the denial and the tagging API's late answers are played in."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from shared_botocore import Clients, course_tags, moto_account, tag_spec

from week5.cli import main
from week5.operations import aws_errors, status

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
DENIED = (
    "User: arn:aws:iam::123456789012:user/kim is not authorized to perform: tag:GetResources "
    "with an explicit deny in a service control policy"
)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def account() -> str:
    return CLIENTS.client("sts").get_caller_identity()["Account"]


def hand_made_vpc() -> str:
    """A VPC tagged for kim's Day 1 by hand: in no stack, so listed."""
    return CLIENTS.client("ec2").create_vpc(
        CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", course_tags("Day1"))
    )["Vpc"]["VpcId"]


def refusing_global_tagging(monkeypatch, code="AccessDeniedException", message=DENIED):
    """Every command's clients as they are, but tag:GetResources in us-east-1 answers ``code``
    (what a region-deny SCP answers there)."""
    made = aws_errors.clients

    def clients(profile=None, region=REGION):
        make = made(profile, region)

        def client(service, **kwargs):
            answer = make(service, **kwargs)
            if service == "resourcegroupstaggingapi" and kwargs.get("region_name") == "us-east-1":
                answer = CLIENTS.session.client(service, **kwargs)  # a stub of its own
                stubber = Stubber(answer)
                stubber.add_client_error("get_resources", code, message, 400)
                stubber.activate()
            return answer

        return client

    monkeypatch.setattr(aws_errors, "clients", clients)


# --- a region-deny SCP ---------------------------------------------------------------------


def test_a_denied_global_tagging_read_is_not_checked_and_seoul_is_still_listed(
    aws, monkeypatch, capsys
):
    vpc = hand_made_vpc()
    refusing_global_tagging(monkeypatch)
    assert main(["status", "--all"]) == 0
    captured = capsys.readouterr()
    assert vpc in captured.out and "Tagged Week=Week5 but in no stack (1)" in captured.out
    (line,) = [x for x in captured.err.splitlines() if "not checked" in x]
    assert line.startswith(
        "not checked: tag:GetResources in us-east-1 was denied (AccessDeniedException"
    ), line
    assert "CloudFront distributions" in line and "Traceback" not in captured.err

    assert main(["status", "--all", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # stdout is the JSON alone
    assert [u["arn"].rsplit("/", 1)[1] for u in report["untracked"]] == [vpc]
    assert report["not_checked"] == [line]
    assert line in captured.err


def test_nothing_denied_is_nothing_not_checked(aws, capsys):
    hand_made_vpc()
    assert main(["status", "--all", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["not_checked"] == []
    assert "not checked" not in captured.err


def test_another_error_of_the_global_read_still_stops_the_command(aws, monkeypatch, capsys):
    """Only a denial is "not checked": a bad request is no account's policy."""
    hand_made_vpc()
    refusing_global_tagging(monkeypatch, "InvalidParameterException", "bad pagination token")
    assert main(["status", "--all"]) == 2
    err = capsys.readouterr().err
    assert "InvalidParameterException" in err and "not checked" not in err


# --- what the tagging API lists after it was deleted ---------------------------------------


def mapping(arn):
    return {"ResourceARN": arn, "Tags": course_tags("Day2")}


def late_tagging(monkeypatch, arns):
    """The tagging API as AWS answers minutes after a cleanup: ``arns`` in Seoul, nothing in
    us-east-1."""
    monkeypatch.setattr(
        status, "tagged_resources",
        lambda tagging, student=None: [mapping(a) for a in arns]
        if tagging.meta.region_name == REGION else [],
    )  # fmt: skip


def test_the_repro_a_deleted_volume_and_load_balancer_are_not_left_behind(aws, monkeypatch):
    """/tmp/v4/repro_status_ghost.py: both were listed as left behind."""
    acct = account()
    late_tagging(monkeypatch, [
        f"arn:aws:ec2:{REGION}:{acct}:volume/vol-0123456789abcdef0",
        f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/app/kim-alb/50dc6c495c0c9188",
    ])  # fmt: skip
    assert status.read_status(CLIENTS.client, REGION, "kim").untracked == []


def live_resources():
    """One live resource of each kind the check asks EC2, Elastic Load Balancing and RDS for,
    by ARN resource type: (type, id or ARN)."""
    ec2, elbv2 = CLIENTS.client("ec2"), CLIENTS.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24",
                          AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "c"))
    ]  # fmt: skip
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    instance = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1,
                                 MaxCount=1, SubnetId=subnets[0])["Instances"][0]["InstanceId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=address)["NatGateway"]
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3")
    template = ec2.create_launch_template(
        LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "t3.micro"}
    )["LaunchTemplate"]["LaunchTemplateId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    image = ec2.create_image(InstanceId=instance, Name="web")["ImageId"]
    key = ec2.create_key_pair(KeyName="kim")["KeyPairId"]
    interface = ec2.create_network_interface(SubnetId=subnets[1])["NetworkInterface"]
    balancer = elbv2.create_load_balancer(Name="kim-alb", Subnets=subnets,
                                          SecurityGroups=[group])["LoadBalancers"][0]
    target_group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80,
                                             VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )["Listeners"][0]["ListenerArn"]  # fmt: skip
    rds = CLIENTS.client("rds")
    database = rds.create_db_instance(
        DBInstanceIdentifier="kim-db", DBInstanceClass="db.t3.micro", Engine="mysql",
        MasterUsername="admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip
    backup = rds.create_db_snapshot(DBSnapshotIdentifier="kim-db-by-hand",
                                    DBInstanceIdentifier="kim-db")["DBSnapshot"]  # fmt: skip
    return [
        ("db", database), ("snapshot", backup["DBSnapshotArn"]),
        ("vpc", vpc), ("subnet", subnets[0]), ("security-group", group), ("volume", volume),
        ("instance", instance), ("internet-gateway", gateway), ("route-table", table),
        ("network-acl", acl), ("elastic-ip", address), ("natgateway", nat["NatGatewayId"]),
        ("vpc-endpoint", endpoint["VpcEndpoint"]["VpcEndpointId"]),
        ("launch-template", template), ("snapshot", snapshot), ("image", image),
        ("key-pair", key), ("network-interface", interface["NetworkInterfaceId"]),
        ("loadbalancer", balancer["LoadBalancerArn"]), ("targetgroup", target_group),
        ("listener", listener),
    ]  # fmt: skip


#: An id of each kind that exists nowhere: what the tagging API lists after a deletion.
GHOST_IDS = {
    "vpc": "vpc-0badc0ffee0000001", "subnet": "subnet-0badc0ffee0000001",
    "security-group": "sg-0badc0ffee0000001", "volume": "vol-0badc0ffee0000001",
    "instance": "i-0badc0ffee0000001", "internet-gateway": "igw-0badc0ffee0000001",
    "route-table": "rtb-0badc0ffee0000001", "network-acl": "acl-0badc0ffee0000001",
    "elastic-ip": "eipalloc-0badc0ffee0000001", "natgateway": "nat-0badc0ffee0000001",
    "vpc-endpoint": "vpce-0badc0ffee0000001", "launch-template": "lt-0badc0ffee0000001",
    "snapshot": "snap-0badc0ffee0000001", "image": "ami-0badc0ffee0000001",
    "key-pair": "key-0badc0ffee0000001", "network-interface": "eni-0badc0ffee0000001",
}  # fmt: skip
RDS_GHOSTS = ("db:kim-old", "snapshot:kim-old-by-hand", "cluster:kim-old",
              "cluster-snapshot:kim-old-by-hand")
ELB_GHOSTS = {
    "loadbalancer": "loadbalancer/app/kim-old/0123456789abcdef",
    "targetgroup": "targetgroup/kim-old/0123456789abcdef",
    "listener": "listener/app/kim-old/0123456789abcdef/fedcba9876543210",
    "listener-rule": "listener-rule/app/kim-old/0123456789abcdef/fedcba9876543210/0a1b2c3d4e",
}


def test_what_no_longer_exists_is_not_left_behind_and_what_exists_still_is(aws, monkeypatch):
    """Every kind: a live one stays listed (the check reads each kind right), one that is
    gone (the tagging API still lists it) does not."""
    acct = account()
    live = live_resources()
    ec2_arn = f"arn:aws:ec2:{REGION}:{acct}:{{}}/{{}}".format
    elb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{{}}".format
    live_arns = [
        ident if ident.startswith("arn:") else ec2_arn(kind, ident) for kind, ident in live
    ]
    ghosts = [ec2_arn(kind, ident) for kind, ident in GHOST_IDS.items()]
    ghosts += [elb_arn(rest) for rest in ELB_GHOSTS.values()]
    ghosts += [f"arn:aws:rds:{REGION}:{acct}:{rest}" for rest in RDS_GHOSTS]
    late_tagging(monkeypatch, live_arns + ghosts)
    report = status.read_status(CLIENTS.client, REGION, "kim")
    assert sorted(u.arn for u in report.untracked) == sorted(live_arns)


def test_a_deleted_nat_gateway_and_terminated_instance_still_count_as_gone(aws, monkeypatch):
    """Listed by EC2 in their end state: gone, as before."""
    ec2 = CLIENTS.client("ec2")
    acct = account()
    instance = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1,
                                 MaxCount=1)["Instances"][0]["InstanceId"]  # fmt: skip
    ec2.terminate_instances(InstanceIds=[instance])
    late_tagging(monkeypatch, [f"arn:aws:ec2:{REGION}:{acct}:instance/{instance}"])
    assert status.read_status(CLIENTS.client, REGION, "kim").untracked == []


def test_another_regions_resource_is_not_judged_by_this_regions_answer(aws, monkeypatch):
    """The tagging API may list another region's (an emulator's every bucket): asking Seoul's
    EC2 for an Oregon volume would call it gone."""
    arn = f"arn:aws:ec2:us-west-2:{account()}:volume/vol-0badc0ffee0000001"
    late_tagging(monkeypatch, [arn])
    assert [u.arn for u in status.read_status(CLIENTS.client, REGION, "kim").untracked] == [arn]


# --- batches and pages, on fakes -------------------------------------------------------------


class Paged:
    """An EC2 or ELB client whose Describe calls answer from ``exists`` (ids or ARNs), two
    items to a page, recording each call; ``refuse``: the error code of every call."""

    def __init__(self, exists, refuse="", not_found=""):
        self.exists, self.refuse, self.not_found = set(exists), refuse, not_found
        self.calls = []

    def can_paginate(self, call):
        return call != "describe_addresses"

    def get_paginator(self, call):
        return self

    def paginate(self, **kwargs):
        self.calls.append(kwargs)
        if self.refuse:
            raise ClientError({"Error": {"Code": self.refuse, "Message": "x"}}, "Describe")
        if "Filters" in kwargs:
            asked = kwargs["Filters"][0]["Values"]
            items = [{"VolumeId": i} for i in asked if i in self.exists]
            key = "Volumes"
        else:
            asked = kwargs["LoadBalancerArns"]
            missing = [a for a in asked if a not in self.exists]
            if missing:
                raise ClientError({"Error": {"Code": "LoadBalancerNotFound", "Message": "x"}},
                                  "DescribeLoadBalancers")  # fmt: skip
            items = [{"LoadBalancerArn": a} for a in asked]
            key = "LoadBalancers"
        return [{key: items[i : i + 2]} for i in range(0, max(len(items), 1), 2)]


def test_ec2_is_asked_200_ids_to_a_call_and_every_page_is_read():
    arn = "arn:aws:ec2:ap-northeast-2:123456789012:volume/vol-{:05d}".format
    ids = [f"vol-{i:05d}" for i in range(450)]
    alive = set(ids[::3])  # 150 still exist, on many pages
    fake = Paged(alive)
    found = status.gone(fake, [arn(i) for i in range(450)])
    assert found == {arn(i) for i in range(450) if f"vol-{i:05d}" not in alive}
    assert [len(c["Filters"][0]["Values"]) for c in fake.calls] == [200, 200, 50]


def test_a_denied_describe_leaves_the_kind_listed():
    arn = "arn:aws:ec2:ap-northeast-2:123456789012:volume/vol-00001"
    assert status.gone(Paged((), refuse="UnauthorizedOperation"), [arn]) == set()


def test_load_balancers_are_asked_20_to_a_call_and_a_not_found_one_by_one():
    arn = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/lb{:02d}/1".format
    arns = [arn(i) for i in range(25)]
    fake = Paged(arns[:3] + arns[4:22] + arns[23:])  # 3 and 22 are gone
    assert status.gone_load_balancing(fake, arns) == {arn(3), arn(22)}
    sizes = [len(c["LoadBalancerArns"]) for c in fake.calls]
    assert sizes == [20] + [1] * 20 + [5] + [1] * 5, sizes
    every = Paged(arns)
    assert status.gone_load_balancing(every, arns) == set()
    assert [len(c["LoadBalancerArns"]) for c in every.calls] == [20, 5]


def test_a_denied_load_balancer_read_leaves_them_listed():
    arn = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/lb/1"
    assert status.gone_load_balancing(Paged((), refuse="AccessDenied"), [arn]) == set()
