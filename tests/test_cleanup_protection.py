"""`week5 cleanup` deletes in the order, and with the checks, AWS enforces:

- a CloudFront distribution is disabled with its web ACL taken off it (WAF deletes no web ACL
  a distribution still names: WAFAssociatedItemException), also when it was disabled already;
- an RDS instance with deletion protection, a load balancer with
  ``deletion_protection.enabled`` and an instance with termination protection are left, each
  with the command that turns the protection off, and so is what waits on them (security
  groups, subnets, a target group), at once: not tried, and not retried for five minutes;
- what AWS is still deleting when the waits run out (a stack taking 11.4 min, a
  distribution's disabling about 7) is "still deleting" and what waits on it "not deleted
  yet": neither deleted nor failed;
- an RDS MySQL 8.0 instance (past standard support on 2026-07-31, and enrolled in RDS Extended
  Support by CreateDBInstance's default) is priced with Extended Support's $0.12 per vCPU-hour.

Moto makes no interfaces for RDS or ELBv2, enforces no deletion protection on them, and sets
no termination protection from RunInstances (ModifyInstanceAttribute does): the tests make the
interfaces as the services do (their Description), and check what cleanup does, not AWS."""

import datetime

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.analysis import pricing
from week5.operations.cleanup import services
from week5.operations.cleanup.deleter import DEFAULT_WAITS, RERUN_MINUTES, delete_in_order
from week5.operations.cleanup.scope import Found, NotYet, Scope
from week5.operations.price_table import PriceTable

REGION = "ap-northeast-2"
TAGS = course_tags("Day3")
CLIENTS = Clients(REGION)
PRICES = pricing.load_prices()


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


class Recording:
    """A client whose calls are recorded by operation name, and passed on."""

    def __init__(self, client, calls):
        self._client = client
        self._calls = calls

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name.startswith(("delete_", "terminate_")):

            def call(**kwargs):
                self._calls.append(name)
                self._calls.append((name, kwargs))
                return attribute(**kwargs)

            return call
        return attribute


def recording(aws, calls):
    """Clients like ``aws.client`` whose deletions are recorded in ``calls``."""

    def clients(service, **kwargs):
        return Recording(aws.client(service, **kwargs), calls)

    return clients


def cleaner(clients):
    return quiet_cleaner(clients, "Day3")


def day_network(ec2):
    """A tagged VPC with two tagged subnets and a tagged security group."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", TAGS))["Vpc"][
        "VpcId"
    ]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{zone}",
            TagSpecifications=tag_spec("subnet", TAGS),
        )["Subnet"]["SubnetId"]
        for n, zone in ((1, "a"), (2, "c"))
    ]  # fmt: skip
    group = ec2.create_security_group(
        GroupName="db", Description="db", VpcId=vpc,
        TagSpecifications=tag_spec("security-group", TAGS),
    )["GroupId"]  # fmt: skip
    return vpc, subnets, group


def service_eni(ec2, subnet, groups, description):
    """An interface as a service makes it on AWS (requester-managed, its Description)."""
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=groups, Description=description)[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni].requester_managed = True
    return eni


# --- 1. CloudFront: the web ACL comes off with the disabling ---------------------------------


def distribution_config(enabled, web_acl):
    return {
        "CallerReference": "kim-site",
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "b.s3.amazonaws.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "",
        "Enabled": enabled,
        "WebACLId": web_acl,
    }


ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/kim-acl/0a1b"


@pytest.mark.parametrize("enabled", [True, False], ids=["enabled", "disabled-already"])
def test_a_distribution_is_disabled_with_its_web_acl_taken_off(enabled):
    """The update sets Enabled false and WebACLId "": WAF refuses to delete a web ACL a
    distribution still names, whether or not the distribution is disabled."""
    import boto3

    cloudfront = boto3.client(
        "cloudfront", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    scope = Scope(lambda service, **kw: cloudfront, REGION, "Day2", "kim", PriceTable(PRICES))
    with Stubber(cloudfront) as stub:
        stub.add_response(
            "get_distribution_config",
            {"DistributionConfig": distribution_config(enabled, ACL), "ETag": "E1"},
            {"Id": "E123"},
        )
        stub.add_response(
            "update_distribution",
            {"ETag": "E2"},
            {"Id": "E123", "IfMatch": "E1", "DistributionConfig": distribution_config(False, "")},
        )
        stub.add_response("delete_distribution", {}, {"Id": "E123", "IfMatch": "E2"})
        services._disable_then_delete(scope, "E123")
        stub.assert_no_pending_responses()


def test_a_disabled_distribution_without_a_web_acl_is_deleted_without_an_update():
    import boto3

    cloudfront = boto3.client(
        "cloudfront", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    scope = Scope(lambda service, **kw: cloudfront, REGION, "Day2", "kim", PriceTable(PRICES))
    with Stubber(cloudfront) as stub:
        stub.add_response(
            "get_distribution_config",
            {"DistributionConfig": distribution_config(False, ""), "ETag": "E1"},
            {"Id": "E123"},
        )
        stub.add_response("delete_distribution", {}, {"Id": "E123", "IfMatch": "E1"})
        services._disable_then_delete(scope, "E123")
        stub.assert_no_pending_responses()


# --- 2. protection read before the run ----------------------------------------------------------


def test_an_rds_instance_with_deletion_protection_is_left_with_its_network(aws):
    """Held with the command that turns the protection off; its security group and subnet
    (its interface is in them) are held at once: no deletion of them is attempted."""
    ec2 = aws.client("ec2")
    vpc, subnets, group = day_network(ec2)
    rds = aws.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="kim-db", DBSubnetGroupDescription="db", SubnetIds=subnets, Tags=TAGS
    )
    rds.create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, StorageType="gp3", MasterUsername="u",
        MasterUserPassword="moto-only-password", DBSubnetGroupName="kim-db",
        VpcSecurityGroupIds=[group], DeletionProtection=True, Tags=TAGS,
    )  # fmt: skip
    service_eni(ec2, subnets[0], [group], "RDSNetworkInterface")
    calls = []
    c = cleaner(recording(aws, calls))
    found = {f.id: f for f in c.find()}
    db = found["kim-db"]
    assert db.held and "deletion protection is on" in db.held
    assert (
        "aws rds modify-db-instance --db-instance-identifier kim-db --no-deletion-protection "
        "--apply-immediately" in db.held
    )
    for held in (group, subnets[0], vpc):
        assert found[held].held, held
    report = c.apply(list(found.values()), say=lambda line: None)
    assert "delete_db_instance" not in calls
    assert ("delete_subnet", {"SubnetId": subnets[0]}) not in calls
    assert ("delete_security_group", {"GroupId": group}) not in calls
    assert not [why for _, why in report.failed], report.failed
    assert {f.id for f, _ in report.left} >= {"kim-db", group, subnets[0], vpc}
    assert subnets[0] in {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}


def test_an_rds_instance_without_deletion_protection_is_not_held(aws):
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="kim-db", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="u", MasterUserPassword="moto-only-password",
        Tags=TAGS,
    )  # fmt: skip
    (db,) = cleaner(aws.client).find()
    assert db.held is None


def test_a_load_balancer_with_deletion_protection_is_left_with_its_target_group(aws):
    """Read from its attributes; the target group its listener forwards to waits on it, so is
    left too (AWS answers ResourceInUse otherwise, retried for five minutes)."""
    ec2 = aws.client("ec2")
    vpc, subnets, group = day_network(ec2)
    elbv2 = aws.client("elbv2")
    arn = elbv2.create_load_balancer(
        Name="kim-alb", Subnets=subnets, SecurityGroups=[group], Tags=TAGS
    )["LoadBalancers"][0]["LoadBalancerArn"]
    target = elbv2.create_target_group(
        Name="kim-web", Protocol="HTTP", Port=80, VpcId=vpc, Tags=TAGS
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=arn, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target}],
    )  # fmt: skip
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    key = arn.split(":loadbalancer/")[1]
    service_eni(ec2, subnets[0], [group], f"ELB {key}")
    calls = []
    c = cleaner(recording(aws, calls))
    found = {f.id: f for f in c.find()}
    alb = found["kim-alb"]
    assert alb.held and "deletion protection is on" in alb.held
    assert (
        f"aws elbv2 modify-load-balancer-attributes --load-balancer-arn {arn} --attributes "
        "Key=deletion_protection.enabled,Value=false" in alb.held
    )
    assert "kim-alb" in found["kim-web"].held
    assert found[subnets[0]].held and found[group].held
    report = c.apply(list(found.values()), say=lambda line: None)
    assert "delete_load_balancer" not in calls and "delete_target_group" not in calls
    assert not report.failed
    assert [b["LoadBalancerName"] for b in elbv2.describe_load_balancers()["LoadBalancers"]] == [
        "kim-alb"
    ]


def test_an_instance_with_termination_protection_is_left_with_its_security_group(aws):
    """DescribeInstances does not say; DescribeInstanceAttribute does. Its security group and
    subnet wait on it, so are left too; nothing is terminated."""
    ec2 = aws.client("ec2")
    vpc, subnets, group = day_network(ec2)
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnets[0],
        SecurityGroupIds=[group], TagSpecifications=tag_spec("instance", TAGS),
    )["Instances"][0]["InstanceId"]  # fmt: skip
    ec2.modify_instance_attribute(InstanceId=instance, DisableApiTermination={"Value": True})
    calls = []
    c = cleaner(recording(aws, calls))
    found = {f.id: f for f in c.find()}
    held = found[instance].held
    assert held and "termination protection (disableApiTermination) is on" in held
    assert f"aws ec2 modify-instance-attribute --instance-id {instance} --no-disable-api-" in held
    assert found[group].held and found[subnets[0]].held
    report = c.apply(list(found.values()), say=lambda line: None)
    assert "terminate_instances" not in calls and "delete_security_group" not in calls
    assert not report.failed


# --- 3. what AWS is still deleting when the waits run out -----------------------------------


class Clock:
    """The waits' clock: ``sleep`` moves it on."""

    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds


def dependency_violation():
    return ClientError(
        {"Error": {"Code": "DependencyViolation", "Message": "resource has a dependent object"}},
        "DeleteSecurityGroup",
    )


def test_a_stack_and_a_distribution_slower_than_the_waits_are_still_going_not_failed():
    """/tmp/v4/repro_waits.py: Day4Case's stack takes 11.4 min to delete (`week5 labs`), a
    distribution's disabling about 7; the waits are about five minutes. Neither is deleted nor
    failed: the stack "still deleting", the distribution "not deleted yet", each saying when
    to run cleanup again; the JSON says so."""
    clock = Clock()

    def stack_delete():
        if clock.now < 11.4 * 60:
            raise NotYet("DELETE_IN_PROGRESS")

    def distribution_delete():
        if clock.now < 7 * 60:
            raise ClientError(
                {"Error": {"Code": "DistributionNotDisabled", "Message": "not disabled"}},
                "DeleteDistribution",
            )

    stack = Found("CloudFormation stack", "week5-kim-Day4Case", delete=stack_delete)
    distribution = Found("CloudFront distribution", "E123", delete=distribution_delete)
    lines = []
    report = delete_in_order([stack, distribution], DEFAULT_WAITS, clock.sleep, lines.append)
    assert clock.now == sum(DEFAULT_WAITS) < 7 * 60
    assert report.failed == [] and report.deleted == []
    ((item, why),) = report.still_deleting
    assert item is stack and f"run cleanup again in {RERUN_MINUTES} min to confirm" in why
    ((item, why),) = report.waiting
    assert item is distribution and f"run cleanup again in {RERUN_MINUTES} min to delete" in why
    assert report.unfinished
    data = report.to_json()
    assert [e["id"] for e in data["still_deleting"]] == ["week5-kim-Day4Case"]
    assert [e["id"] for e in data["waiting"]] == ["E123"] and data["failed"] == []
    said = "  still deleting, not failed: CloudFormation stack week5-kim-Day4Case: AWS goes on"
    assert any(line.startswith(said) for line in lines)


def test_what_waits_on_a_deletion_aws_is_still_doing_is_not_failed():
    """An RDS instance deleted (DeleteDBInstance accepted) still holds its security group for
    its 15-20 min (Multi-AZ); the group, and the VPC waiting on the group, are "not deleted
    yet". A group that waits on nothing this run deleted still fails."""
    database = Found("RDS instance", "kim-db")
    group = Found("security group", "sg-1", needs=["kim-db"])
    vpc = Found("VPC", "vpc-1", needs=["sg-1"])
    lone = Found("security group", "sg-2")
    for item in (group, vpc, lone):
        item.delete = lambda: (_ for _ in ()).throw(dependency_violation())
    report = delete_in_order([database, group, lone, vpc], (10, 20), lambda s: None, lambda s: None)
    assert report.deleted == [database]
    failed = [(f.id, why.split(":")[0]) for f, why in report.failed]
    assert failed == [("sg-2", "DependencyViolation")]
    waiting = dict((f.id, why) for f, why in report.waiting)
    assert set(waiting) == {"sg-1", "vpc-1"}
    assert waiting["sg-1"].startswith("it waits on kim-db, which AWS is still deleting")
    assert waiting["vpc-1"].startswith("it waits on sg-1, not deleted yet either")
    assert report.still_deleting == []


def test_everything_deleted_is_not_unfinished():
    report = delete_in_order([Found("VPC", "vpc-1")], (10,), lambda s: None, lambda s: None)
    assert not report.unfinished and report.to_json()["still_deleting"] == []


# --- 4. RDS Extended Support --------------------------------------------------------------------


def table_hourly(key, count=1):
    entry = PRICES["prices"][key]
    per_month = PRICES["hours_per_month"]
    return entry["usd"] * count / (per_month if entry["unit"].endswith("-month") else 1)


def mysql(aws, name, version, **kwargs):
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=name, Engine=kwargs.pop("Engine", "mysql"), EngineVersion=version,
        DBInstanceClass="db.t3.micro", AllocatedStorage=20, StorageType="gp3",
        MasterUsername="u", MasterUserPassword="moto-only-password", Tags=TAGS, **kwargs,
    )  # fmt: skip


def test_mysql_8_0_is_priced_with_rds_extended_support(aws):
    """/tmp/v4/repro_rds_price.py: 8.0 and 8.4 were the same $0.0296/h. 8.0 left standard
    support on 2026-07-31 and CreateDBInstance enrols it in Extended Support: $0.12 per
    vCPU-hour, 2 vCPUs for db.t3.micro, on top of its class and storage; its line says so."""
    mysql(aws, "kim-mysql80", "8.0.40")
    mysql(aws, "kim-mysql84", "8.4.3")
    found = {f.id: f for f in cleaner(aws.client).find()}
    base = table_hourly("rds:mysql:db.t3.micro:single-az") + table_hourly("rds-gp3:single-az", 20)
    assert found["kim-mysql84"].hourly == pytest.approx(base)
    assert found["kim-mysql84"].name == ""
    assert found["kim-mysql80"].hourly == pytest.approx(base + 0.12 * 2)
    assert "RDS Extended Support since 2026-08-01" in found["kim-mysql80"].name


def test_extended_support_disabled_is_not_charged(aws):
    """EngineLifecycleSupport open-source-rds-extended-support-disabled: RDS upgrades it
    instead, nothing extra. Moto does not answer the field: it is put in its reply."""
    mysql(aws, "kim-mysql80", "8.0.40")

    def disabled(parsed, **kwargs):
        for db in parsed.get("DBInstances") or []:
            db["EngineLifecycleSupport"] = "open-source-rds-extended-support-disabled"

    aws.client("rds").meta.events.register("after-call.rds.DescribeDBInstances", disabled)
    try:
        (db,) = cleaner(aws.client).find()
    finally:
        aws.client("rds").meta.events.unregister("after-call.rds.DescribeDBInstances", disabled)
    base = table_hourly("rds:mysql:db.t3.micro:single-az") + table_hourly("rds-gp3:single-az", 20)
    assert db.hourly == pytest.approx(base) and db.name == ""


def test_a_major_in_extended_support_at_an_unverified_price_is_not_priced():
    """PostgreSQL 12 (standard support ended 2025-02-28): its Seoul charge is not in the
    table: "not priced", with why, never its class and storage alone."""
    db = {
        "Engine": "postgres", "EngineVersion": "12.19", "DBInstanceClass": "db.t3.micro",
        "StorageType": "gp3", "AllocatedStorage": 20, "DBInstanceStatus": "available",
    }  # fmt: skip
    scope = Scope(lambda s, **k: None, REGION, "Day3", "kim", PriceTable(PRICES))
    hourly, note = services._db_instance_hourly(scope, db)
    assert hourly is None and "RDS Extended Support since 2025-03-01" in note
    assert "not priced" in note


def test_extended_support_starts_the_day_after_standard_support_ends():
    db = {"Engine": "mysql", "EngineVersion": "8.0.40", "DBInstanceClass": "db.t3.micro"}
    assert services._extended_support(db, 1, datetime.date(2026, 7, 31)) == (0.0, "")
    assert services._extended_support(db, 2, datetime.date(2026, 8, 1))[0] == pytest.approx(
        0.12 * 2 * 2
    )
