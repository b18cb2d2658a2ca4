"""`week5 status` promises only what `week5 cleanup` does (instructor re-trial R2): a stack
tagged for the course that is no lab's (a student's own CDK app) is listed, as cleanup deletes
it; the region's default VPC, which cleanup always leaves, is marked so; an ElastiCache group,
cluster or snapshot cleanup deleted is not listed as left behind while AWS deletes it."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from test_quotas import moto_env  # noqa: F401  (the fixture)

from week5.cli import main
from week5.operations import status

REGION = "ap-northeast-2"


def tags(day="Day1", student="kim"):
    return [{"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": day},
            {"Key": "Student", "Value": student}]  # fmt: skip


@pytest.fixture(autouse=True)
def no_default_amis(monkeypatch):
    """As tests/test_status.py: moto's server without its default AMIs."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def run_json(capsys, *args):
    code = main(["status", "--json", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


# --- F1: a stack tagged for the course that is no lab's -----------------------------------


@pytest.fixture
def own_stacks(moto_env):  # noqa: F811
    """kim's own CDK app (tagged as the course asks, named as no lab is), lee's, one without a
    Day tag, and a lab stack (listed among the lab stacks, not again)."""
    cf = boto3.client("cloudformation", region_name=REGION)
    template = json.dumps({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/kim/protected", "Type": "String", "Value": "x"}}}})  # fmt: skip
    cf.create_stack(StackName="week5-kim-Protected", TemplateBody=template, Tags=tags())
    # Termination protection on: cleanup lists it but leaves it (it never turns that off).
    cf.create_stack(StackName="week5-kim-Locked", TemplateBody=template.replace("kim/", "kim/l"),
                    Tags=tags(), EnableTerminationProtection=True)  # fmt: skip
    cf.create_stack(StackName="week5-lee-Mine", TemplateBody=template.replace("kim", "lee"),
                    Tags=tags(student="lee"))  # fmt: skip
    cf.create_stack(StackName="kim-noday", TemplateBody=template.replace("kim/", "kim/x"),
                    Tags=[t for t in tags() if t["Key"] != "Day"])  # fmt: skip
    lab = json.dumps({"Description": "Week 5 Day4 Lab1: test", "Resources": {"Eip": {
        "Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}}})  # fmt: skip
    cf.create_stack(StackName="week5-kim-Day4Lab1", TemplateBody=lab, Tags=tags("Day4"))
    # Not the course's: not listed.
    cf.create_stack(StackName="shop-prod", TemplateBody=template.replace("kim", "shop"))


def test_a_tagged_stack_that_is_no_labs_is_listed_with_its_status_and_age(own_stacks, capsys):
    report = run_json(capsys, "--student", "kim")
    assert [s["stack"] for s in report["stacks"]] == ["week5-kim-Day4Lab1"]
    others = {s["stack"]: s for s in report["other_stacks"]}
    # the student filter: not lee's
    assert sorted(others) == ["kim-noday", "week5-kim-Locked", "week5-kim-Protected"]
    protected = others["week5-kim-Protected"]
    assert protected["status"] == "CREATE_COMPLETE" and 0 <= protected["age_hours"] < 1
    assert protected["student"] == "kim" and protected["cleanup_takes_it"] is True
    assert others["kim-noday"]["cleanup_takes_it"] is False  # no Day tag: cleanup leaves it
    assert others["week5-kim-Locked"]["cleanup_takes_it"] is False
    assert report["usd_per_hour"] == pytest.approx(0.005)  # the lab stack's alone
    every = run_json(capsys, "--all")
    assert sorted(s["stack"] for s in every["other_stacks"]) == [
        "kim-noday", "week5-kim-Locked", "week5-kim-Protected", "week5-lee-Mine"]  # fmt: skip


def test_the_table_lists_them_apart(own_stacks, capsys):
    assert main(["status", "--student", "kim"]) == 0
    out = capsys.readouterr().out
    assert "Stacks tagged Week=Week5 that are no lab's (3)" in out
    lines = out.splitlines()
    (protected,) = [line for line in lines if "week5-kim-Protected" in line]
    assert "CREATE_COMPLETE" in protected and protected.rstrip().endswith("$0.000")
    (locked,) = [line for line in lines if "week5-kim-Locked" in line]
    assert "(termination protection: cleanup leaves it; aws cloudformation " in locked
    (noday,) = [line for line in lines if "kim-noday" in line]
    assert noday.endswith("(no Day tag: cleanup leaves it; delete it by hand)")
    assert "week5-lee-Mine" not in out and "shop-prod" not in out


# --- F2: the region's default VPC ----------------------------------------------------------


def test_the_default_vpc_tagged_for_the_day_is_marked_as_cleanup_leaves_it(moto_env, capsys):  # noqa: F811
    """Course rule 1 tags everything, the default VPC too: cleanup leaves it whatever its tags
    (cleanup/network.py), so status must not say `week5 cleanup --day DayN` deletes it."""
    ec2 = boto3.client("ec2", region_name=REGION)
    (default,) = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"]]  # fmt: skip
    # AWS attaches one to a default VPC; moto's has none
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=default)
    gateways = [gateway]
    assert subnets
    own = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[default, own, *subnets, *gateways], Tags=tags())
    report = run_json(capsys, "--student", "kim")
    takes = {u["arn"].rsplit("/", 1)[1]: u["cleanup_takes_it"] for u in report["untracked"]}
    parts = {default, *subnets, *gateways}
    assert takes == {**{p: False for p in parts}, own: True}
    leaves = {u["arn"].rsplit("/", 1)[1]: u["cleanup_leaves_it"] for u in report["untracked"]}
    assert leaves[own] is None
    assert all("the region's default VPC" in leaves[p] for p in parts)
    assert main(["status", "--student", "kim"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for part in parts:
        (line,) = [line for line in lines if line.strip().startswith("arn:") and part in line]
        assert line.endswith("(the region's default VPC: cleanup leaves it)")
    (line,) = [line for line in lines if own in line]
    assert "cleanup leaves it" not in line


# --- F7: ElastiCache being deleted or gone ---------------------------------------------------


class Cache:
    """An ElastiCache client answering from ``there`` (id -> status) by kind; an id not there
    is NotFound; ``denied`` ids fail with AccessDenied."""

    CODES = {"describe_replication_groups": "ReplicationGroupNotFoundFault",
             "describe_cache_clusters": "CacheClusterNotFound",
             "describe_snapshots": "SnapshotNotFoundFault"}  # fmt: skip

    def __init__(self, there, denied=()):
        self.there, self.denied, self.calls = there, set(denied), []

    def _answer(self, call, key, status_key, identifier):
        self.calls.append((call, identifier))
        if identifier in self.denied:
            raise ClientError({"Error": {"Code": "AccessDenied"}}, call)
        if identifier not in self.there:
            raise ClientError({"Error": {"Code": self.CODES[call]}}, call)
        return {key: [{status_key: self.there[identifier]}]}

    def describe_replication_groups(self, ReplicationGroupId):
        return self._answer("describe_replication_groups", "ReplicationGroups", "Status",
                            ReplicationGroupId)  # fmt: skip

    def describe_cache_clusters(self, CacheClusterId):
        return self._answer("describe_cache_clusters", "CacheClusters", "CacheClusterStatus",
                            CacheClusterId)  # fmt: skip

    def describe_snapshots(self, SnapshotName):
        return self._answer("describe_snapshots", "Snapshots", "SnapshotStatus", SnapshotName)


def cache_arn(kind, name):
    return f"arn:aws:elasticache:{REGION}:123456789012:{kind}:{name}"


def test_an_elasticache_group_cluster_or_snapshot_deleted_or_deleting_is_gone():
    client = Cache({"live-group": "available", "going-group": "deleting",
                    "live-cluster": "available", "going-cluster": "deleting",
                    "live-snap": "available", "going-snap": "deleting"},
                   denied={"denied-cluster"})  # fmt: skip
    arns = [cache_arn(kind, f"{state}-{name}")
            for kind, name in (("replicationgroup", "group"), ("cluster", "cluster"),
                               ("snapshot", "snap"))
            for state in ("live", "going", "gone")]  # fmt: skip
    arns += [cache_arn("cluster", "denied-cluster"), cache_arn("subnetgroup", "gone-subnets")]
    found = status.gone_caches(client, arns)
    assert found == {a for a in arns if (":going-" in a or ":gone-" in a) and "subnet" not in a}
    # a subnet group is not asked for (its kind is not checked: it stays listed)
    assert all("subnets" not in identifier for _, identifier in client.calls)


def test_read_status_leaves_out_an_elasticache_cluster_being_deleted(monkeypatch):
    """The wiring: `week5 status` right after cleanup deleted kim's cache cluster."""
    going, live = cache_arn("cluster", "kim-redis"), cache_arn("cluster", "kim-other")
    cache = Cache({"kim-redis": "deleting", "kim-other": "available"})

    class Empty:
        """The other services: nothing there."""

        def get_paginator(self, call):
            mapping = [{"ResourceARN": arn, "Tags": tags()} for arn in (going, live)]
            pages = {"describe_stacks": [{"Stacks": []}],
                     "get_resources": [{"ResourceTagMappingList": mapping}]}  # fmt: skip
            return type("P", (), {"paginate": lambda self, **kw: pages.get(call, [{}])})()

    def clients(service, region_name=None):
        if service == "resourcegroupstaggingapi" and region_name:
            return type("E", (), {"get_paginator": lambda self, call: type(
                "P", (), {"paginate": lambda self, **kw: [{}]})()})()  # fmt: skip
        return cache if service == "elasticache" else Empty()

    report = status.read_status(clients, REGION, "kim")
    assert [u.arn for u in report.untracked] == [live]
