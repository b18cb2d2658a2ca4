"""`week5 cleanup` finds the billable and the blocking kinds a student can click by hand in a
lab's network and databases, deletes each in its place in the order, and leaves each tied to a
resource outside the day's tags:

- VPC endpoints: an interface endpoint bills 0.013 USD an hour in each zone it has an interface
  in; a gateway endpoint is free but its routes hold route tables and it holds its VPC. Both go
  before their subnets, groups, route tables and VPC; an untagged one in the day's VPC leaves it.
- network ACLs other than a VPC's default: AWS deletes none while a subnet is associated with
  it, and drops a subnet's association with the subnet: so after the subnets, and one
  associated with an untagged subnet is left.
- RDS clusters (Aurora): after their instances; one with deletion protection on is left with
  its instances, and its protection stays on.
- ElastiCache Serverless caches (moto has none: a small fake client stands for AWS).

On in-process moto, resources made with boto3 as students make them in the console."""

from typing import Any, Dict, List

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.operations.cleanup import DELETION_ORDER

REGION = "ap-northeast-2"
TAGS = course_tags("Day3")
CLIENTS = Clients(REGION)
QUIET = {"say": lambda line: None}


def spec(resource_type):
    return tag_spec(resource_type, TAGS)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def cleaner(clients, **kwargs):
    return quiet_cleaner(clients, "Day3", **kwargs)


class Net:
    """A tagged VPC with two tagged subnets in two zones, a tagged security group and a tagged
    route table associated with both subnets."""

    def __init__(self, aws, tagged_vpc=True):
        self.ec2 = ec2 = aws.client("ec2")
        self.vpc = ec2.create_vpc(
            CidrBlock="10.5.0.0/16", TagSpecifications=spec("vpc") if tagged_vpc else []
        )["Vpc"]["VpcId"]
        self.subnets = [
            ec2.create_subnet(
                VpcId=self.vpc, CidrBlock=f"10.5.{n}.0/24", AvailabilityZone=zone,
                TagSpecifications=spec("subnet"),
            )["Subnet"]["SubnetId"]
            for n, zone in ((1, "ap-northeast-2a"), (2, "ap-northeast-2c"))
        ]  # fmt: skip
        self.group = ec2.create_security_group(
            GroupName="endpoints", Description="endpoints", VpcId=self.vpc,
            TagSpecifications=spec("security-group"),
        )["GroupId"]  # fmt: skip
        self.table = ec2.create_route_table(VpcId=self.vpc, TagSpecifications=spec("route-table"))[
            "RouteTable"
        ]["RouteTableId"]
        for subnet in self.subnets:
            ec2.associate_route_table(RouteTableId=self.table, SubnetId=subnet)

    def interface_endpoint(self, tagged=True, subnets=None, service="ssm"):
        return self.ec2.create_vpc_endpoint(
            VpcId=self.vpc, ServiceName=f"com.amazonaws.{REGION}.{service}",
            VpcEndpointType="Interface", SubnetIds=subnets or self.subnets,
            SecurityGroupIds=[self.group],
            TagSpecifications=spec("vpc-endpoint") if tagged else [],
        )["VpcEndpoint"]  # fmt: skip

    def gateway_endpoint(self, tagged=True, tables=None):
        return self.ec2.create_vpc_endpoint(
            VpcId=self.vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
            RouteTableIds=tables or [self.table],
            TagSpecifications=spec("vpc-endpoint") if tagged else [],
        )["VpcEndpoint"]  # fmt: skip

    def live_endpoints(self):
        return sorted(
            e["VpcEndpointId"]
            for e in self.ec2.describe_vpc_endpoints()["VpcEndpoints"]
            if e["State"] not in ("deleting", "deleted")
        )

    def vpcs(self):
        return [v["VpcId"] for v in self.ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]


def as_aws_makes_it(endpoint):
    """An interface endpoint's interfaces as AWS shows them (moto's say nothing of their
    owner): requester-managed, InterfaceType vpc_endpoint, and AWS's Description."""
    for eni_id in endpoint["NetworkInterfaceIds"]:
        made = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni_id]
        made.requester_managed = True
        made.interface_type = "vpc_endpoint"
        made.description = f"VPC Endpoint Interface {endpoint['VpcEndpointId']}"


def by_id(found):
    return {f.id: f for f in found}


def order_of(report):
    return [f.id for f in report.deleted]


# --- VPC endpoints ----------------------------------------------------------------------------


def test_interface_endpoint_is_found_priced_per_zone_and_deleted_before_its_network(aws):
    net = Net(aws)
    endpoint = net.interface_endpoint()
    as_aws_makes_it(endpoint)
    c = cleaner(aws.client)
    found = by_id(c.find())
    item = found[endpoint["VpcEndpointId"]]
    assert item.kind == "VPC endpoint" and item.held is None
    assert item.hourly == pytest.approx(0.013 * 2)  # 0.013 USD an hour in each of 2 zones
    for kept_for_it in (*net.subnets, net.group, net.vpc):
        assert found[kept_for_it].held is None, found[kept_for_it].held
    assert endpoint["VpcEndpointId"] in found[net.subnets[0]].needs
    assert endpoint["VpcEndpointId"] in found[net.group].needs
    report = c.apply(list(found.values()), **QUIET)
    assert not report.failed and not report.left, (report.failed, report.left)
    order = order_of(report)
    assert order.index(endpoint["VpcEndpointId"]) < min(
        order.index(i) for i in (*net.subnets, net.group, net.table, net.vpc)
    )
    assert net.live_endpoints() == [] and net.vpcs() == []


def test_interface_endpoint_in_one_zone_costs_one_zone(aws):
    net = Net(aws)
    endpoint = net.interface_endpoint(subnets=net.subnets[:1])
    item = by_id(cleaner(aws.client).find())[endpoint["VpcEndpointId"]]
    assert item.hourly == pytest.approx(0.013)


def test_gateway_endpoint_is_free_and_goes_before_its_route_table_and_vpc(aws):
    net = Net(aws)
    endpoint = net.gateway_endpoint()
    c = cleaner(aws.client)
    found = by_id(c.find())
    item = found[endpoint["VpcEndpointId"]]
    assert item.kind == "VPC endpoint" and item.hourly == 0.0 and item.held is None
    assert endpoint["VpcEndpointId"] in found[net.table].needs
    assert endpoint["VpcEndpointId"] in found[net.vpc].needs
    report = c.apply(list(found.values()), **QUIET)
    assert not report.failed and not report.left
    order = order_of(report)
    assert order.index(endpoint["VpcEndpointId"]) < order.index(net.table) < order.index(net.vpc)
    assert net.live_endpoints() == [] and net.vpcs() == []


def test_untagged_gateway_endpoint_leaves_the_vpc_and_the_route_table_it_routes_in(aws):
    """A student's S3 endpoint made in the console without tags: AWS deletes no VPC that has
    it, and deleting the table would take its route."""
    net = Net(aws)
    endpoint = net.gateway_endpoint(tagged=False)["VpcEndpointId"]
    c = cleaner(aws.client)
    found = by_id(c.find())
    assert endpoint not in found
    assert f"VPC endpoint {endpoint}, which is not tagged Week5/Day3/kim, is in it" in found[net.vpc].held
    assert f"VPC endpoint {endpoint}, which is not tagged Week5/Day3/kim, has a route in it" in (
        found[net.table].held or ""
    )
    report = c.apply(list(found.values()), **QUIET)
    assert not report.failed
    assert net.live_endpoints() == [endpoint] and net.vpcs() == [net.vpc]


def test_untagged_interface_endpoint_leaves_its_subnets_group_and_vpc(aws):
    net = Net(aws)
    endpoint = net.interface_endpoint(tagged=False)
    as_aws_makes_it(endpoint)
    endpoint_id = endpoint["VpcEndpointId"]
    found = by_id(cleaner(aws.client).find())
    for subnet in net.subnets:
        assert f"VPC endpoint {endpoint_id}, which is not tagged Week5/Day3/kim, has an interface in " \
            "it" in (found[subnet].held or "")  # fmt: skip
    assert f"VPC endpoint {endpoint_id}, which is not tagged Week5/Day3/kim, uses it" in (
        found[net.group].held or ""
    )
    assert f"VPC endpoint {endpoint_id}" in (found[net.vpc].held or "")


def test_tagged_endpoint_in_an_untagged_subnet_is_left_with_it(aws):
    net = Net(aws)
    untagged = net.ec2.create_subnet(VpcId=net.vpc, CidrBlock="10.5.9.0/24")["Subnet"]["SubnetId"]
    endpoint = net.interface_endpoint(subnets=[untagged])["VpcEndpointId"]
    found = by_id(cleaner(aws.client).find())
    assert f"subnet {untagged}, which is not tagged Week5/Day3/kim, has its interface" in (
        found[endpoint].held or ""
    )


def test_an_endpoint_that_lacks_describe_vpc_endpoints_is_not_checked_and_the_rest_goes(aws):
    """An emulator without DescribeVpcEndpoints: the endpoints are "not checked", the rest of
    the network is found (not the whole EC2 network "not checked")."""
    net = Net(aws)
    ec2 = aws.client("ec2")

    class Ec2:
        def __getattr__(self, name):
            return getattr(ec2, name)

        def get_paginator(self, operation):
            if operation == "describe_vpc_endpoints":
                raise ClientError(
                    {"Error": {"Code": "InvalidAction", "Message": "no such action"}},
                    "DescribeVpcEndpoints",
                )
            return ec2.get_paginator(operation)

    c = cleaner(lambda service, **kw: Ec2() if service == "ec2" else aws.client(service, **kw))
    found = by_id(c.find())
    assert {net.vpc, *net.subnets, net.group, net.table} <= set(found)
    (line,) = c.warnings
    assert line.startswith("VPC endpoints: ") and "DescribeVpcEndpoints" in line


# --- network ACLs -----------------------------------------------------------------------------


def custom_acl(ec2, vpc, subnets, tagged=True):
    acl = ec2.create_network_acl(
        VpcId=vpc, TagSpecifications=spec("network-acl") if tagged else []
    )["NetworkAcl"]["NetworkAclId"]
    for subnet in subnets:
        (current,) = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
        )["NetworkAcls"]
        association = next(
            a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet
        )
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    return acl


def acls_of(ec2, vpc):
    return sorted(
        a["NetworkAclId"]
        for a in ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "NetworkAcls"
        ]
        if not a["IsDefault"]
    )


def test_network_acls_come_after_subnets_and_before_vpcs():
    names = [what for what, _ in DELETION_ORDER]
    assert names.index("subnets") < names.index("network ACLs") < names.index("VPCs")
    assert names.index("VPC endpoints") < names.index("subnets")
    assert names.index("RDS instances") < names.index("RDS clusters")


def test_tagged_network_acl_is_deleted_after_its_subnets(aws):
    net = Net(aws)
    acl = custom_acl(net.ec2, net.vpc, net.subnets)
    c = cleaner(aws.client)
    found = by_id(c.find())
    assert found[acl].kind == "network ACL" and found[acl].held is None
    assert set(net.subnets) <= set(found[acl].needs)
    assert acl in found[net.vpc].needs
    report = c.apply(list(found.values()), **QUIET)
    assert not report.failed and not report.left, report.failed
    order = order_of(report)
    assert max(order.index(s) for s in net.subnets) < order.index(acl) < order.index(net.vpc)
    assert acls_of(net.ec2, net.vpc) == [] and net.vpcs() == []


def test_on_aws_the_subnets_deletion_frees_the_acl_and_nothing_is_moved(aws):
    """As AWS does: deleting a subnet drops its association, and DeleteNetworkAcl refuses
    while a subnet is associated (DependencyViolation). No association is moved."""
    net = Net(aws)
    acl = custom_acl(net.ec2, net.vpc, net.subnets)
    ec2 = aws.client("ec2")
    backend = ec2_backends[DEFAULT_ACCOUNT_ID][REGION]
    moved = []

    class Aws:
        def __getattr__(self, name):
            return getattr(ec2, name)

        def delete_subnet(self, SubnetId):
            reply = ec2.delete_subnet(SubnetId=SubnetId)
            for each in backend.network_acls.values():
                for key, association in list(each._associations.items()):
                    if association.subnet_id == SubnetId:
                        del each._associations[key]
            return reply

        def replace_network_acl_association(self, **kwargs):
            moved.append(kwargs)
            return ec2.replace_network_acl_association(**kwargs)

    c = cleaner(lambda service, **kw: Aws() if service == "ec2" else aws.client(service, **kw))
    report = c.apply(**QUIET)
    assert not report.failed and acl in order_of(report)
    assert moved == []
    assert acls_of(ec2, net.vpc) == [] and net.vpcs() == []


def test_acl_associated_with_an_untagged_subnet_is_left(aws):
    net = Net(aws)
    untagged = net.ec2.create_subnet(VpcId=net.vpc, CidrBlock="10.5.9.0/24")["Subnet"]["SubnetId"]
    acl = custom_acl(net.ec2, net.vpc, [untagged, net.subnets[0]])
    c = cleaner(aws.client)
    found = by_id(c.find())
    assert f"subnet {untagged}, which is not tagged Week5/Day3/kim, is associated with it" in (
        found[acl].held or ""
    )
    assert found[net.vpc].held  # the untagged subnet is in it
    c.apply(list(found.values()), **QUIET)
    assert acls_of(net.ec2, net.vpc) == [acl]


def test_untagged_acl_leaves_the_vpc(aws):
    net = Net(aws)
    acl = custom_acl(net.ec2, net.vpc, [], tagged=False)
    found = by_id(cleaner(aws.client).find())
    assert f"network ACL {acl}, which is not tagged Week5/Day3/kim, is in it" in (
        found[net.vpc].held or ""
    )


def test_acl_of_a_left_subnet_is_left_with_it(aws):
    """A tagged subnet left for an untagged instance in it keeps its ACL (its traffic rules)."""
    net = Net(aws)
    acl = custom_acl(net.ec2, net.vpc, net.subnets[:1])
    image = net.ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    net.ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=net.subnets[0])
    found = by_id(cleaner(aws.client).find())
    assert found[net.subnets[0]].held
    assert f"it waits on subnet {net.subnets[0]}" in (found[acl].held or "")


# --- RDS clusters (Aurora) ----------------------------------------------------------------------


def aurora(aws, cluster_tags=TAGS, instance_tags=TAGS, protected=False):
    rds = aws.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="shop", Engine="aurora-postgresql", MasterUsername="u",
        MasterUserPassword="p" * 12, DeletionProtection=protected, Tags=cluster_tags,
    )  # fmt: skip
    rds.create_db_instance(
        DBInstanceIdentifier="shop-1", DBClusterIdentifier="shop", Engine="aurora-postgresql",
        DBInstanceClass="db.t3.medium", Tags=instance_tags,
    )  # fmt: skip
    return rds


def clusters(rds):
    return [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]


def test_aurora_cluster_goes_after_its_instance(aws):
    rds = aurora(aws)
    deletions = []

    class Rds:
        def __getattr__(self, name):
            return getattr(rds, name)

        def delete_db_instance(self, **kwargs):
            deletions.append(kwargs)
            return rds.delete_db_instance(**kwargs)

    c = cleaner(lambda service, **kw: Rds() if service == "rds" else aws.client(service, **kw))
    found = by_id(c.find())
    assert found["shop"].kind == "RDS cluster" and found["shop"].held is None
    assert found["shop"].needs == ["shop-1"] and found["shop-1"].held is None
    report = c.apply(list(found.values()), **QUIET)
    assert not report.failed, report.failed
    assert order_of(report).index("shop-1") < order_of(report).index("shop")
    assert clusters(rds) == []
    # No final snapshot (AWS refuses FinalDBSnapshotIdentifier for a cluster's instance), and
    # its backups are the cluster's: deleted with the cluster, not asked of the instance.
    assert deletions == [{"DBInstanceIdentifier": "shop-1", "SkipFinalSnapshot": True}]


def test_protected_cluster_is_left_with_its_instance_and_stays_protected(aws):
    rds = aurora(aws, protected=True)
    c = cleaner(aws.client)
    found = by_id(c.find())
    assert "deletion protection is on" in (found["shop"].held or "")
    assert "RDS cluster shop (aurora-postgresql), which is left, has it as its instance" in (
        found["shop-1"].held or ""
    )
    report = c.apply(list(found.values()), **QUIET)
    assert not report.deleted and not report.failed
    (now,) = rds.describe_db_clusters()["DBClusters"]
    assert now["DeletionProtection"] is True
    assert [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]] == [
        "shop-1"
    ]


def test_tagged_instance_of_an_untagged_cluster_is_left(aws):
    aurora(aws, cluster_tags=[])
    found = by_id(cleaner(aws.client).find())
    assert "shop" not in found
    assert "RDS cluster shop, which is not tagged Week5/Day3/kim, has it as its instance" in (
        found["shop-1"].held or ""
    )


def test_untagged_instance_leaves_its_tagged_cluster(aws):
    aurora(aws, instance_tags=[])
    found = by_id(cleaner(aws.client).find())
    assert "shop-1" not in found
    assert "RDS instance shop-1, which is not tagged Week5/Day3/kim, is its instance" in (
        found["shop"].held or ""
    )


# --- ElastiCache Serverless -------------------------------------------------------------------


ARN = "arn:aws:elasticache:ap-northeast-2:123456789012:serverlesscache:{}"


class Serverless:
    """ElastiCache as AWS answers for serverless caches (moto has none): ``caches`` listed in
    two pages, their tags by ARN; deletions recorded. ``gone``: names deleted since listed."""

    def __init__(self, caches: List[Dict[str, Any]], tags: Dict[str, Any], gone=()):
        self.caches, self.tags, self.gone = caches, tags, set(gone)
        self.deleted: List[str] = []

    def get_paginator(self, operation):
        outer = self

        class Pages:
            def paginate(self, **_):
                if operation == "describe_serverless_caches":
                    return [{"ServerlessCaches": outer.caches[:1]},
                            {"ServerlessCaches": outer.caches[1:]}]  # fmt: skip
                return [{"ReplicationGroups": []}]

        return Pages()

    def list_tags_for_resource(self, ResourceName):
        name = ResourceName.rsplit(":", 1)[1]
        if name in self.gone:
            raise ClientError(
                {"Error": {"Code": "ServerlessCacheNotFoundFault", "Message": name}},
                "ListTagsForResource",
            )
        return {"TagList": self.tags.get(name, [])}

    def delete_serverless_cache(self, ServerlessCacheName):
        self.deleted.append(ServerlessCacheName)
        return {}


def serverless(name, status="available"):
    return {"ServerlessCacheName": name, "Status": status, "Engine": "valkey",
            "ARN": ARN.format(name)}  # fmt: skip


def test_serverless_cache_is_found_not_priced_and_deleted(aws):
    fake = Serverless(
        [serverless("kim-cache"), serverless("other"), serverless("old", "deleting"),
         serverless("gone")],
        {"kim-cache": TAGS, "other": [], "old": TAGS, "gone": TAGS},
        gone={"gone"},
    )  # fmt: skip
    c = cleaner(lambda service, **kw: fake if service == "elasticache" else aws.client(service))
    found = c.find()
    assert [(f.kind, f.id, f.hourly) for f in found] == [
        ("ElastiCache serverless cache", "kim-cache", None)
    ]
    assert c.warnings == []
    report = c.apply(found, **QUIET)
    assert fake.deleted == ["kim-cache"] and order_of(report) == ["kim-cache"]


def test_serverless_caches_on_moto_are_none_and_nothing_is_said(aws):
    """moto (in process) has no serverless caches, nor a way to make one: nothing to find,
    no "not checked", and the rest is found."""
    net = Net(aws)
    c = cleaner(aws.client)
    assert net.vpc in by_id(c.find())
    assert c.warnings == []


def test_aws_lacking_the_serverless_call_is_not_checked(aws):
    """Not an emulator: AWS answering that it lacks the call is said, not passed over."""
    elasticache = aws.client("elasticache")

    class Lacking:
        def __getattr__(self, name):
            return getattr(elasticache, name)

        def get_paginator(self, operation):
            if operation == "describe_serverless_caches":
                raise ClientError(
                    {"Error": {"Code": "InvalidAction", "Message": "no"}},
                    "DescribeServerlessCaches",
                )
            return elasticache.get_paginator(operation)

    c = cleaner(lambda s, **kw: Lacking() if s == "elasticache" else aws.client(s, **kw))
    c.find()
    (line,) = c.warnings
    assert line.startswith("ElastiCache serverless caches: AWS in ap-northeast-2 does not ")


@pytest.mark.parametrize(
    "endpoint, stops",
    [("http://localhost:5000", False), ("https://elasticache.ap-northeast-2.amazonaws.com", True)],
)
def test_an_emulator_behind_an_endpoint_url_that_fails_the_serverless_call_holds_none(
    aws, endpoint, stops
):
    """moto's server answers DescribeServerlessCaches with an HTML page (HTTP 500), where XML
    was due: from an emulator's endpoint (a client's endpoint_url, as `week5 local` passes
    it), nothing is found and nothing said; from AWS's own endpoint, the run stops as for
    any answer that is no AWS error."""
    from types import SimpleNamespace

    from botocore.parsers import ResponseParserError

    elasticache = aws.client("elasticache")

    class Emulator:
        meta = SimpleNamespace(endpoint_url=endpoint)

        def __getattr__(self, name):
            return getattr(elasticache, name)

        def get_paginator(self, operation):
            if operation == "describe_serverless_caches":
                raise ResponseParserError("Unable to parse response, invalid XML received:\n"
                                          "b'<!doctype html><title>500 Internal Server Error'")
            return elasticache.get_paginator(operation)

    c = cleaner(lambda s, **kw: Emulator() if s == "elasticache" else aws.client(s, **kw))
    if stops:
        with pytest.raises(ResponseParserError):
            c.find()  # not an emulator: AWS answering no XML is an outage, not "lacks it"
    else:
        c.find()
        assert c.warnings == []


@pytest.mark.parametrize(
    "kind, code, gone",
    [
        ("VPC endpoint", "InvalidRouteTableID.NotFound", False),
        ("route table", "InvalidRouteTableID.NotFound", True),
        ("VPC endpoint", "InvalidVpcEndpointId.NotFound", True),
        ("NAT gateway", "InvalidSubnetID.NotFound", False),
        ("log group", "ResourceNotFoundException", True),
    ],
)
def test_a_not_found_about_another_resource_is_no_deletion(kind, code, gone):
    """An instructor trial: deleting a gateway endpoint whose route table was gone answered
    InvalidRouteTableID.NotFound, which counted as "already gone" for any kind: `--apply` said
    "failed 0, left 0", exit 0, and the endpoint stayed."""
    from week5.operations.cleanup.deleter import delete_in_order
    from week5.operations.cleanup.scope import Found

    def delete():
        raise ClientError({"Error": {"Code": code, "Message": "not found"}}, "Delete")

    item = Found(kind, "id-1", delete=delete)
    report = delete_in_order([item], waits=(), sleep=lambda s: None, say=lambda line: None)
    assert [i for i, _ in report.gone] == ([item] if gone else [])
    assert [i for i, _ in report.failed] == ([] if gone else [item])
