"""`week5 cleanup` never breaks what it leaves: a subnet or VPC left because resources outside
the day's tags are in it keeps what those use to keep working (the subnet's route table, the
gateways its routes go through, a NAT gateway with its Elastic IP and its own subnet's routes),
each reported with the untagged resource that uses it, alike in the plan and in --apply, text
and --json. Also: the retry line says what a deletion waits for, and --help says which region
is cleaned. On in-process moto, resources made with boto3 as students make them."""

import argparse
import json

import pytest
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.cli import main
from week5.cli.cleanup import format_found, format_report, to_json
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
TAGS = course_tags("Day1")
CLIENTS = Clients(REGION)


def spec(resource_type):
    return tag_spec(resource_type, TAGS)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def cleaner(aws, **kwargs):
    return quiet_cleaner(aws.client, "Day1", **kwargs)


class Vpc:
    """A tagged VPC built as Day 1's lab builds it, with helpers for its parts."""

    def __init__(self, aws, cidr="10.0.0.0/16"):
        self.ec2 = aws.client("ec2")
        self.id = self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
        self.prefix = cidr.rsplit(".", 2)[0]
        self.image = self.ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]

    def subnet(self, n, tagged=True):
        return self.ec2.create_subnet(
            VpcId=self.id, CidrBlock=f"{self.prefix}.{n}.0/24",
            TagSpecifications=spec("subnet") if tagged else [],
        )["Subnet"]["SubnetId"]  # fmt: skip

    def gateway(self):
        igw = self.ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway"))[
            "InternetGateway"
        ]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.id)
        return igw

    def table(self, subnet, **target):
        table = self.ec2.create_route_table(VpcId=self.id, TagSpecifications=spec("route-table"))[
            "RouteTable"
        ]["RouteTableId"]
        self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
        return table

    def main_table(self):
        (table,) = self.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [self.id]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"]
        return table["RouteTableId"]

    def nat(self, subnet):
        address = self.ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip"))[
            "AllocationId"
        ]
        nat = self.ec2.create_nat_gateway(
            SubnetId=subnet, AllocationId=address, TagSpecifications=spec("natgateway")
        )["NatGateway"]["NatGatewayId"]
        return nat, address

    def instance(self, subnet, tagged=False, **extra):
        return self.ec2.run_instances(
            ImageId=self.image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
            SubnetId=subnet, TagSpecifications=spec("instance") if tagged else [], **extra,
        )["Instances"][0]["InstanceId"]  # fmt: skip

    def routes(self):
        """Each route table's (associated subnets, 0.0.0.0/0 target), by id."""
        return {
            t["RouteTableId"]: (
                sorted(a["SubnetId"] for a in t.get("Associations", []) if a.get("SubnetId")),
                [
                    r.get("GatewayId") or r.get("NatGatewayId")
                    for r in t.get("Routes", [])
                    if r.get("DestinationCidrBlock") == "0.0.0.0/0"
                ],
            )
            for t in self.ec2.describe_route_tables()["RouteTables"]
        }

    def gateways(self):
        return {
            g["InternetGatewayId"]: [a["VpcId"] for a in g.get("Attachments", [])]
            for g in self.ec2.describe_internet_gateways()["InternetGateways"]
        }


def test_a_kept_subnet_keeps_its_route_table_and_internet_gateway(aws):
    """The instructor's case: an untagged instance in Day1/kim's public subnet keeps the subnet
    and the VPC, and now also the subnet's route table and the internet gateway it routes
    through, so the instance keeps its route to the internet (its subnet stays public). A
    tagged subnet nobody else uses still goes with its route table."""
    vpc = Vpc(aws)
    public, spare = vpc.subnet(1), vpc.subnet(2)
    igw = vpc.gateway()
    table = vpc.table(public, GatewayId=igw)
    spare_table = vpc.table(spare, GatewayId=igw)
    stranger = vpc.instance(public)
    before = vpc.routes()

    found = cleaner(aws).find()
    held = {f.id: f.held for f in found if f.held}
    assert set(held) == {public, table, igw, vpc.id}
    for resource in (table, igw):
        assert (
            f"instance {stranger}, which is not tagged Week5/Day1/kim, uses it through" in held[resource]
        )
    assert f"through subnet {public}, which is left" in held[table]
    assert f"through route table {table}, which is left" in held[igw]
    text = format_found(found, "Day1/kim")
    assert f"route table {table}: instance {stranger}, which is not tagged Week5/Day1/kim" in text

    report = cleaner(aws).apply(found, say=lambda line: None)
    assert report.failed == []
    assert {f.id for f, _ in report.left} == set(held)  # the plan is what --apply does
    assert {f.id for f in report.deleted} == {spare, spare_table}
    assert vpc.routes()[table] == before[table] == ([public], [igw])
    assert vpc.gateways()[igw] == [vpc.id]
    lines = format_report(report)
    assert f"left: internet gateway {igw}: instance {stranger}, which is not tagged" in lines
    args = argparse.Namespace(day="Day1", student="kim", region=REGION)
    left = {i["id"]: i["left_because"] for i in to_json(args, found, [], report)["left"]}
    assert left == held


def test_the_command_plans_and_applies_the_same_with_json(aws, capsys):
    """`week5 cleanup --json`, then `--apply --json`: the route table and the gateway are left
    in both, with the untagged instance named."""
    vpc = Vpc(aws)
    public = vpc.subnet(1)
    igw = vpc.gateway()
    table = vpc.table(public, GatewayId=igw)
    stranger = vpc.instance(public)
    command = ["cleanup", "--day", "Day1", "--student", "kim", "--json"]
    reasons = []
    for extra, code in (([], 0), (["--apply"], 1)):  # --apply: exit 1 while pairs are left
        assert main(command + extra) == code
        out = json.loads(capsys.readouterr().out)
        why = {i["id"]: i["left_because"] for i in out["found"] if i["left_because"]}
        assert set(why) == {public, table, igw, vpc.id}
        assert f"instance {stranger}, which is not tagged Week5/Day1/kim, uses it" in why[igw]
        reasons.append(why)
    assert reasons[0] == reasons[1]
    assert {i["id"] for i in out["left"]} == set(reasons[1]) and out["deleted"] == []
    assert vpc.routes()[table] == ([public], [igw])


def test_a_nat_gateway_a_kept_subnet_routes_through_stays_with_its_address(aws):
    """An untagged instance in a private subnet that routes through a NAT gateway: the NAT
    gateway stays, with its Elastic IP, its own (public) subnet, that subnet's route table and
    the internet gateway, so the instance keeps its way out."""
    vpc = Vpc(aws)
    public, private = vpc.subnet(1), vpc.subnet(2)
    igw = vpc.gateway()
    public_table = vpc.table(public, GatewayId=igw)
    nat, address = vpc.nat(public)
    private_table = vpc.table(private, NatGatewayId=nat)
    stranger = vpc.instance(private)

    found = cleaner(aws).find()
    held = {f.id: f.held for f in found if f.held}
    everything = {public, private, igw, public_table, nat, address, private_table, vpc.id}
    assert set(held) == everything
    assert f"through route table {private_table}, which is left" in held[nat]
    assert f"it waits on NAT gateway {nat}" in held[address] and stranger in held[public_table]
    assert "network interface" not in held[public]  # the NAT gateway's own is the gateway's
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert (report.deleted, report.failed) == ([], [])
    nats = vpc.ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]
    assert [n["State"] for n in nats] == ["available"]
    assert vpc.routes()[private_table] == ([private], [nat])
    assert vpc.routes()[public_table] == ([public], [igw])


def test_a_route_table_outside_the_days_tags_keeps_the_nat_gateway_it_routes_through(aws):
    """A route table made by hand (untagged, not the main one) whose 0.0.0.0/0 goes to the day's
    NAT gateway, for a subnet made by hand: the NAT gateway stays, the table named as why, and
    --apply leaves it running."""
    vpc = Vpc(aws)
    public = vpc.subnet(1)
    igw = vpc.gateway()
    vpc.table(public, GatewayId=igw)
    nat, _ = vpc.nat(public)
    theirs = vpc.subnet(2, tagged=False)
    table = vpc.ec2.create_route_table(VpcId=vpc.id)["RouteTable"]["RouteTableId"]
    vpc.ec2.associate_route_table(RouteTableId=table, SubnetId=theirs)
    vpc.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)

    found = cleaner(aws).find()
    held = {f.id: f.held for f in found if f.held}
    assert nat in held, held  # deleted, it would cut the subnet made by hand off the internet
    assert held[nat] == (
        f"route table {table}, which is not tagged Week5/Day1/kim, routes through it (deleting "
        "it would break that route)"
    )
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert nat not in {f.id for f in report.deleted} and report.failed == []
    nats = vpc.ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]
    assert [n["State"] for n in nats] == ["available"]
    assert vpc.routes()[table] == ([theirs], [nat])


def test_what_the_main_route_table_routes_through_serves_the_subnets_that_use_it(aws):
    """A VPC's main route table goes only with its VPC, whatever its tags: a NAT gateway it
    routes through is no tie to it, and goes with the VPC; while an untagged instance is in a
    subnet that uses the main table, the NAT gateway stays."""
    vpc = Vpc(aws)
    public, private = vpc.subnet(1), vpc.subnet(2)
    igw = vpc.gateway()
    vpc.table(public, GatewayId=igw)
    nat, _ = vpc.nat(public)
    vpc.ec2.create_route(
        RouteTableId=vpc.main_table(), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    assert [f for f in cleaner(aws).find() if f.held] == []
    stranger = vpc.instance(private)
    held = {f.id: f.held for f in cleaner(aws).find() if f.held}
    assert held[nat] == (
        f"instance {stranger}, which is not tagged Week5/Day1/kim, uses it through subnet {private}, "
        f"which is left and routes through it by its VPC's main route table {vpc.main_table()} "
        "(deleting it would break that route)"
    )


def test_an_untagged_public_address_in_the_vpc_keeps_its_internet_gateway(aws):
    """AWS refuses to detach an internet gateway while its VPC maps a public address
    (DependencyViolation): an untagged instance with one keeps the gateway, even where its
    routes do not go through it; a tagged one that goes is waited for."""
    vpc = Vpc(aws)
    theirs = vpc.subnet(9, tagged=False)
    vpc.ec2.modify_subnet_attribute(SubnetId=theirs, MapPublicIpOnLaunch={"Value": True})
    igw = vpc.gateway()
    stranger = vpc.instance(theirs)
    ours = vpc.instance(theirs, tagged=True)  # goes first: the gateway waits for it
    found = {f.id: f for f in cleaner(aws).find()}
    assert not found[ours].held and found[igw].needs == [ours]
    assert found[igw].held == (
        f"instance {stranger}, which is not tagged Week5/Day1/kim, has a public address in its VPC "
        "(AWS detaches no gateway while one is mapped)"
    )
    report = cleaner(aws).apply(say=lambda line: None)
    assert report.failed == [] and {f.id for f in report.deleted} == {ours}
    assert vpc.gateways()[igw] == [vpc.id]


class _SkipsAPage:
    """An S3 client whose first DeleteObjects deletes nothing, as moto's listing skips a page
    of versions after the first is deleted: the bucket is then not empty yet."""

    def __init__(self, client):
        self._client = client
        self.skipped = False

    def __getattr__(self, name):
        return getattr(self._client, name)

    def delete_objects(self, **kwargs):
        if not self.skipped:
            self.skipped = True
            return {}
        return self._client.delete_objects(**kwargs)


def test_the_retry_line_says_what_a_deletion_waits_for(aws):
    """A bucket S3 finds not empty yet is retried as "not empty yet", not "dependencies"; a
    security group whose instance is still going waits on "dependencies"."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="kim-site", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="kim-site", Key="index.html", Body=b"x")
    s3.put_bucket_tagging(Bucket="kim-site", Tagging={"TagSet": TAGS})
    flaky = _SkipsAPage(s3)
    lines = []

    def clients(service, **kwargs):
        return flaky if service == "s3" else aws.client(service, **kwargs)

    report = Cleaner(
        clients, region=REGION, day="Day1", student="kim", waits=(10,), sleep=lambda s: None
    ).apply(say=lines.append)
    assert flaky.skipped and report.failed == []
    assert lines == [
        "  1 not deletable yet (not empty yet); retrying in 10 s",
        "  deleted S3 bucket kim-site",
    ]


def test_the_retry_line_counts_each_cause():
    from botocore.exceptions import ClientError

    from week5.operations.cleanup import Found
    from week5.operations.cleanup.deleter import delete_in_order

    def refuses(code):
        def delete():
            raise ClientError({"Error": {"Code": code, "Message": "not yet"}}, "Delete")

        return delete

    found = [
        Found("security group", "sg-1", delete=refuses("DependencyViolation")),
        Found("security group", "sg-2", delete=refuses("DependencyViolation")),
        Found("S3 bucket", "kim-site", delete=refuses("BucketNotEmpty")),
    ]
    lines = []
    report = delete_in_order(found, (10,), lambda s: None, lines.append)
    assert lines == ["  3 not deletable yet (dependencies: 2, not empty yet: 1); retrying in 10 s"]
    assert len(report.failed) == 3


def test_help_names_the_region_it_cleans_by_default(aws, monkeypatch, capsys):
    """--region defaults to the course's region: AWS_REGION and AWS_DEFAULT_REGION are not
    read (the session is made for --region), and --help says so."""
    with pytest.raises(SystemExit) as exit_:
        main(["cleanup", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--region REGION the region to clean: default ap-northeast-2" in text
    assert "AWS_REGION, AWS_DEFAULT_REGION" in text
    seoul = aws.client("ec2").create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc"))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert main(["cleanup", "--day", "Day1", "--student", "kim", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["region"] == REGION
    assert [i["id"] for i in out["found"]] == [seoul["Vpc"]["VpcId"]]
