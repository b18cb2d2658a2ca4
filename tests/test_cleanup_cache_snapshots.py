"""`week5 cleanup` and `week5 status` on what a student leaves around ElastiCache and
CloudFormation, on moto:

- a backup of Day3Lab2's cache taken by hand (`aws elasticache create-snapshot`: AWS copies the
  cache's tags onto it) outlives `cdk destroy` and bills: cleanup finds it, prices it only when
  the price table has ElastiCache backup storage ("not priced" otherwise) and deletes it;
- an ElastiCache cluster outside a replication group (Memcached, or `create-cache-cluster`)
  bills by the node-hour: found, priced and deleted; a group's member clusters go with their
  group, never twice;
- a stack whose own termination protection is on is left, with the command that turns it off;
  cleanup never asks for DeleteStack nor turns the protection off;
- `week5 status` promises `week5 cleanup --day DayN` removes only what cleanup finds: every
  resource status lists without saying otherwise is one cleanup finds (a rule over one
  resource of every kind moto's tagging API lists).

moto 5.2.5 copies no tags on CreateSnapshot (week5's emulator patch does): the tests add them
with AddTagsToResource, as AWS has them."""

import json

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec
from test_quotas import moto_env  # noqa: F401  (the fixture)

from week5.analysis import pricing
from week5.cli import main
from week5.cli.status import cleanup_takes, format_status
from week5.operations.cleanup import DELETION_ORDER, services
from week5.operations.cleanup.scope import Scope
from week5.operations.price_table import PriceTable
from week5.operations.status import Untracked, physical_ids, read_status

REGION = "ap-northeast-2"
LAB_TAGS = course_tags("Day3") + [{"Key": "Lab", "Value": "Lab2"}]
CLIENTS = Clients(REGION)
PRICES = pricing.load_prices()


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def snapshot_arn(name):
    return f"arn:aws:elasticache:{REGION}:{DEFAULT_ACCOUNT_ID}:snapshot:{name}"


def backup(cache, name, tags, **source):
    """A manual snapshot, tagged as AWS tags it (its cache's tags)."""
    cache.create_snapshot(SnapshotName=name, **source)
    if tags:
        cache.add_tags_to_resource(ResourceName=snapshot_arn(name), Tags=tags)


def redis_group(cache, name, tags):
    cache.create_replication_group(
        ReplicationGroupId=name,
        ReplicationGroupDescription="lab",
        CacheNodeType="cache.t3.micro",
        Engine="redis",
        NumCacheClusters=1,
        Tags=tags,
    )


class Recording:
    """A client whose calls that change something are recorded, and passed on."""

    def __init__(self, client, calls):
        self._client, self._calls = client, calls

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name.startswith(("delete_", "update_", "modify_")):

            def call(**kwargs):
                self._calls.append(name)
                return attribute(**kwargs)

            return call
        return attribute


def recording(aws, calls):
    return lambda service, **kwargs: Recording(aws.client(service, **kwargs), calls)


# --- manual ElastiCache snapshots ---------------------------------------------------------


def test_a_backup_taken_by_hand_is_found_not_priced_and_deleted_after_destroy(aws):
    cache = aws.client("elasticache")
    redis_group(cache, "kim-cache", LAB_TAGS)
    redis_group(cache, "lee-cache", course_tags("Day3", "lee"))
    backup(cache, "park", LAB_TAGS, ReplicationGroupId="kim-cache")
    backup(cache, "lee-backup", course_tags("Day3", "lee"), ReplicationGroupId="lee-cache")
    # an untagged cache's: AWS (and the emulator's patch) copies the source's tags to a backup
    redis_group(cache, "by-hand", [])
    backup(cache, "untagged", [], ReplicationGroupId="by-hand")
    cache.delete_replication_group(ReplicationGroupId="kim-cache")  # `cdk destroy`
    calls = []
    cleaner = quiet_cleaner(recording(aws, calls), "Day3")
    found = {(f.kind, f.id): f for f in cleaner.find()}
    assert set(found) == {("ElastiCache snapshot", "park")}
    # prices.json has no ElastiCache backup storage: "not priced", never $0
    assert "elasticache:backup" not in PRICES["prices"]
    assert found[("ElastiCache snapshot", "park")].hourly is None
    report = cleaner.apply(say=lambda line: None)
    assert [f.id for f in report.deleted] == ["park"] and report.failed == []
    assert calls == ["delete_snapshot"]
    left = {s["SnapshotName"] for s in cache.describe_snapshots()["Snapshots"]}
    assert left == {"lee-backup", "untagged"}


def test_snapshots_come_after_the_caches_they_were_taken_of():
    kinds = [what for what, _ in DELETION_ORDER]
    assert kinds.index("ElastiCache groups") < kinds.index("ElastiCache snapshots")
    assert kinds.index("ElastiCache clusters") < kinds.index("ElastiCache snapshots")
    assert kinds.index("RDS clusters") < kinds.index("RDS snapshots")


def scope_with(prices):
    return Scope(lambda service: None, REGION, "Day3", "kim", PriceTable(prices))


def test_a_backup_is_priced_by_its_data_when_the_table_has_the_price():
    table = {
        "prices": {"elasticache:backup": {"usd": 0.085, "unit": "GB-month"}},
        "hours_per_month": 730,
    }
    snapshot = {"NodeSnapshots": [{"CacheSize": "512 MB"}, {"CacheSize": "1.5 GB"}]}
    hourly = services._cache_snapshot_hourly(scope_with(table), snapshot)
    assert hourly == pytest.approx(0.085 * 2.0 / 730)
    # a size it cannot read, or none: not priced
    assert services._cache_snapshot_hourly(scope_with(table), {"NodeSnapshots": [{}]}) is None
    assert services._cache_snapshot_hourly(scope_with(table), {}) is None
    assert services._cache_snapshot_hourly(scope_with(PRICES), snapshot) is None


def test_a_backup_listed_on_more_than_one_page_is_found(aws, monkeypatch):
    """DescribeSnapshots answers 50 at a time: the finder reads every page (moto answers one,
    so the pages are its, split)."""
    cache = aws.client("elasticache")
    redis_group(cache, "kim-cache", LAB_TAGS)
    for n in range(3):
        backup(cache, f"b{n}", LAB_TAGS, ReplicationGroupId="kim-cache")
    cache.delete_replication_group(ReplicationGroupId="kim-cache")
    whole = cache.describe_snapshots()["Snapshots"]

    class Paged:
        def paginate(self, **params):
            assert params.get("SnapshotSource") == "user"  # manual ones only
            return [{"Snapshots": [s]} for s in whole]

    class Client:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get_paginator(self, operation):
            return Paged() if operation == "describe_snapshots" else cache.get_paginator(operation)

    scope = Scope(lambda service: Client(), REGION, "Day3", "kim", PriceTable())
    assert [f.id for f in services.cache_snapshots(scope)] == ["b0", "b1", "b2"]


def test_an_automatic_snapshot_goes_with_its_cache():
    listed = [
        {"SnapshotName": "auto", "SnapshotSource": "automated", "ARN": snapshot_arn("auto")},
    ]

    class Client:
        def get_paginator(self, operation):
            class Pages:
                def paginate(self, **params):
                    return [{"Snapshots": listed}]

            return Pages()

        def list_tags_for_resource(self, ResourceName):
            return {"TagList": LAB_TAGS}

    scope = Scope(lambda service: Client(), REGION, "Day3", "kim", PriceTable())
    assert services.cache_snapshots(scope) == []


# --- ElastiCache clusters outside a replication group ------------------------------------


def test_a_cluster_outside_a_group_is_found_priced_and_deleted(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):  # a group's members listed, as AWS
        cache = CLIENTS.client("elasticache")
        cache.create_cache_cluster(
            CacheClusterId="kim-memcached", Engine="memcached", CacheNodeType="cache.t3.micro",
            NumCacheNodes=2, Tags=LAB_TAGS,
        )  # fmt: skip
        cache.create_cache_cluster(
            CacheClusterId="kim-redis", Engine="redis", CacheNodeType="cache.t3.micro",
            NumCacheNodes=1, Tags=LAB_TAGS,
        )  # fmt: skip
        cache.create_cache_cluster(
            CacheClusterId="lee-redis", Engine="redis", CacheNodeType="cache.t3.micro",
            NumCacheNodes=1, Tags=course_tags("Day3", "lee"),
        )  # fmt: skip
        redis_group(cache, "kim-cache", LAB_TAGS)
        members = {
            c["CacheClusterId"]
            for c in cache.describe_cache_clusters()["CacheClusters"]
            if c.get("ReplicationGroupId")
        }
        assert members == {"kim-cache-001"}  # listed, as on AWS: the group's, not a cluster
        calls = []
        cleaner = quiet_cleaner(recording(CLIENTS, calls), "Day3")
        found = {(f.kind, f.id): f for f in cleaner.find()}
        assert set(found) == {
            ("ElastiCache cluster", "kim-memcached"),
            ("ElastiCache cluster", "kim-redis"),
            ("ElastiCache group", "kim-cache"),
        }
        redis = PRICES["prices"]["elasticache:redis:cache.t3.micro"]["usd"]
        assert found[("ElastiCache cluster", "kim-redis")].hourly == pytest.approx(redis)
        # no Memcached price in the table: not priced
        assert found[("ElastiCache cluster", "kim-memcached")].hourly is None
        report = cleaner.apply(say=lambda line: None)
        assert report.failed == []
        assert sorted(c for c in calls if c == "delete_cache_cluster") == ["delete_cache_cluster"] * 2
        states = {
            c["CacheClusterId"]: c["CacheClusterStatus"]
            for c in cache.describe_cache_clusters()["CacheClusters"]
            if not c.get("ReplicationGroupId")
        }
        assert states == {"kim-memcached": "deleting", "kim-redis": "deleting",
                          "lee-redis": "available"}  # fmt: skip
        # one being deleted is neither counted nor deleted again
        assert not [f for f in cleaner.find() if f.kind == "ElastiCache cluster"]


# --- a stack's own termination protection --------------------------------------------------


def test_a_stack_with_termination_protection_is_left_with_the_command(aws):
    cloudformation = aws.client("cloudformation")
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    for name, protected in (("week5-kim-Day3Lab2", True), ("week5-kim-Day3Lab1", False)):
        cloudformation.create_stack(
            StackName=name, TemplateBody=json.dumps(template), Tags=LAB_TAGS,
            EnableTerminationProtection=protected,
        )  # fmt: skip
    calls = []
    cleaner = quiet_cleaner(recording(aws, calls), "Day3")
    found = {f.id: f for f in cleaner.find()}
    held = found["week5-kim-Day3Lab2"].held
    assert held and "termination protection is on" in held
    assert (
        "`aws cloudformation update-termination-protection --no-enable-termination-protection "
        "--stack-name week5-kim-Day3Lab2`" in held
    )
    assert found["week5-kim-Day3Lab1"].held is None
    report = cleaner.apply(say=lambda line: None)
    assert [f.id for f, _ in report.left] == ["week5-kim-Day3Lab2"]
    assert calls == ["delete_stack"]  # the other stack's only; no protection turned off
    names = {s["StackName"] for s in cloudformation.describe_stacks()["Stacks"]
             if s["StackStatus"] != "DELETE_COMPLETE"}  # fmt: skip
    assert "week5-kim-Day3Lab2" in names and "week5-kim-Day3Lab1" not in names


# --- status promises only what cleanup finds ---------------------------------------------


def every_kind(aws):
    """One resource tagged Day3/kim of every kind moto's tagging API lists that a student may
    make by hand, none in a stack."""
    tags = LAB_TAGS
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=tag_spec("vpc", tags))[
        "Vpc"
    ]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{REGION}a",
        TagSpecifications=tag_spec("subnet", tags),
    )["Subnet"]["SubnetId"]  # fmt: skip
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.2.0/24", AvailabilityZone=f"{REGION}b")
    ec2.create_security_group(
        GroupName="kim-sg", Description="lab", VpcId=vpc,
        TagSpecifications=tag_spec("security-group", tags),
    )  # fmt: skip
    volume = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=tag_spec("volume", tags)
    )["VolumeId"]
    ec2.create_snapshot(VolumeId=volume, TagSpecifications=tag_spec("snapshot", tags))
    ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", tags))
    ec2.create_key_pair(KeyName="kim-key", TagSpecifications=tag_spec("key-pair", tags))
    ec2.create_network_interface(SubnetId=subnet,
                                 TagSpecifications=tag_spec("network-interface", tags))
    cache = aws.client("elasticache")
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="kim-cache-subnets", CacheSubnetGroupDescription="lab",
        SubnetIds=[subnet], Tags=tags,
    )  # fmt: skip
    cache.create_cache_cluster(CacheClusterId="kim-memcached", Engine="memcached",
                               CacheNodeType="cache.t3.micro", NumCacheNodes=1, Tags=tags)
    redis_group(cache, "kim-cache", tags)
    backup(cache, "park", tags, ReplicationGroupId="kim-cache")
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="lab", MasterUserPassword="moto-only-password",
        Tags=tags,
    )  # fmt: skip
    rds.create_db_snapshot(DBInstanceIdentifier="kim-db", DBSnapshotIdentifier="kim-manual",
                           Tags=tags)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="week5-kim-day3-rule",
                     CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="week5-kim-day3-rule", Tagging={"TagSet": tags})
    aws.client("sns").create_topic(Name="kim-topic", Tags=tags)
    aws.client("sqs").create_queue(QueueName="kim-queue",
                                   tags={t["Key"]: t["Value"] for t in tags})
    aws.client("ssm").put_parameter(Name="/kim/param", Value="v", Type="String", Tags=tags)
    aws.client("secretsmanager").create_secret(Name="kim-secret", SecretString="x", Tags=tags)
    aws.client("logs").create_log_group(logGroupName="/kim/logs",
                                        tags={t["Key"]: t["Value"] for t in tags})
    aws.client("dynamodb").create_table(
        TableName="kim-table", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], Tags=tags,
    )  # fmt: skip


def test_status_never_promises_cleanup_removes_what_it_does_not_find(aws):
    every_kind(aws)
    report = read_status(aws.client, REGION, "kim")
    listed = {u.arn: u for u in report.untracked}
    found = quiet_cleaner(aws.client, "Day3").find()
    known = {r for f in found for r in (f.id, *f.refs) if r}
    promised = {arn for arn, u in listed.items() if cleanup_takes(u)}
    assert promised, "nothing to check"
    for arn in promised:  # the rule: each one status says cleanup removes, cleanup finds
        assert physical_ids(arn) & known, f"status promises cleanup removes {arn}"
    # and what it does not find is marked on its line, never promised
    text = format_status(report)
    for arn in set(listed) - promised:
        (line,) = [row for row in text.splitlines() if arn in row]
        assert "`week5 cleanup` does not look for this kind" in line, line
        assert "delete it by hand" in line, line
    # the kinds this fix made cleanup find, and some it does not look for
    kinds = {arn.split(":")[2] + ":" + arn.split(":")[5].split("/")[0] for arn in listed}
    assert {"elasticache:snapshot", "elasticache:cluster"} <= kinds
    assert snapshot_arn("park") in promised
    unpromised = {arn.split(":")[2] for arn in set(listed) - promised}
    assert {"sns", "sqs", "ssm", "dynamodb"} <= unpromised


@pytest.mark.parametrize(
    "arn, takes",
    [
        (f"arn:aws:elasticache:{REGION}:1:snapshot:park", True),
        (f"arn:aws:elasticache:{REGION}:1:cluster:kim-memcached", True),
        (f"arn:aws:elasticache:{REGION}:1:subnetgroup:kim", False),
        (f"arn:aws:rds:{REGION}:1:cluster-snapshot:kim", False),
        (f"arn:aws:elasticloadbalancing:{REGION}:1:loadbalancer/app/web/0123", True),
        (f"arn:aws:elasticloadbalancing:{REGION}:1:loadbalancer/classic-web", False),
        (f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3", True),
        (f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3/stages/prod", False),
        (f"arn:aws:lambda:{REGION}:1:function:kim", False),
        ("arn:aws:s3:::week5-kim", True),
    ],
)
def test_each_kind_is_promised_only_when_a_finder_looks_for_it(arn, takes):
    day = {"Day": "Day3", "Student": "kim"}
    assert cleanup_takes(Untracked(arn=arn, tags=day)) is takes
    assert cleanup_takes(Untracked(arn=arn, tags={"Student": "kim"})) is False


def test_the_command_marks_them_in_the_table_and_the_json(moto_env, capsys):  # noqa: F811
    """`week5 status` itself, against moto's server: the line and ``cleanup_takes_it``."""
    import boto3

    cache = boto3.client("elasticache", region_name=REGION)
    redis_group(cache, "kim-cache", LAB_TAGS)
    backup(cache, "park", LAB_TAGS, ReplicationGroupId="kim-cache")
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="kim-topic",
                                                                 Tags=LAB_TAGS)["TopicArn"]
    assert main(["status", "--student", "kim"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (line,) = [line for line in lines if topic in line]
    assert line.endswith("(`week5 cleanup` does not look for this kind (sns): delete it by hand)")
    (line,) = [line for line in lines if snapshot_arn("park") in line]
    assert "cleanup" not in line
    assert main(["status", "--student", "kim", "--json"]) == 0
    takes = {u["arn"]: u["cleanup_takes_it"]
             for u in json.loads(capsys.readouterr().out)["untracked"]}  # fmt: skip
    assert (takes[snapshot_arn("park")], takes[topic]) == (True, False)
