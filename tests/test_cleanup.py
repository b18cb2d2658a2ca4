"""`week5 cleanup`: a day's tagged resources deleted dependents first, on moto, with resources
made through boto3 as a student makes them in the console (tagged, untagged, another student's,
another day's)."""

import ast
import subprocess
import sys

import boto3
import pytest
from shared_botocore import Clients, moto_account
from support import ROOT

from week5.analysis.pricing import load_prices
from week5.core.errors import CourseInputError
from week5.cli.cleanup import format_found
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"


def tags(day="Day1", student="kim", **extra):
    values = {"Week": "Week5", "Day": day, "Student": student, **extra}
    return [{"Key": k, "Value": v} for k, v in values.items()]


def spec(resource_type, tag_list):
    return [{"ResourceType": resource_type, "Tags": tag_list}]


#: The module's clients, one per service: each test's fresh moto answers them.
CLIENTS = Clients(REGION)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def lab(session, day="Day1", student="kim", tagged=True):
    """What Day 1 Lab 1 clicks together: VPC, public subnet, IGW, route table, SG, instance,
    an Elastic IP, a data volume and its snapshot, a bucket with two object versions."""
    ec2 = session.client("ec2")
    t = tags(day, student) if tagged else []
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc", t) if t else [])[
        "Vpc"
    ]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.1.0/24", TagSpecifications=spec("subnet", t) if t else []
    )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", t) if t else [])[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(
        VpcId=vpc, TagSpecifications=spec("route-table", t) if t else []
    )["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    group = ec2.create_security_group(
        GroupName=f"web-{student}-{day}",
        Description="web",
        VpcId=vpc,
        TagSpecifications=spec("security-group", t) if t else [],
    )["GroupId"]
    image = ec2.register_image(Name=f"base-{student}-{day}", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(
        ImageId=image,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[group],
        TagSpecifications=spec("instance", t + [{"Key": "Name", "Value": "web"}]) if t else [],
    )["Instances"][0]["InstanceId"]
    address = ec2.allocate_address(
        Domain="vpc", TagSpecifications=spec("elastic-ip", t) if t else []
    )["AllocationId"]
    volume = ec2.create_volume(
        AvailabilityZone=f"{REGION}a",
        Size=8,
        VolumeType="gp3",
        TagSpecifications=spec("volume", t) if t else [],
    )["VolumeId"]
    snapshot = ec2.create_snapshot(
        VolumeId=volume, TagSpecifications=spec("snapshot", t) if t else []
    )["SnapshotId"]
    s3 = session.client("s3")
    bucket = f"week5-{student}-{day.lower()}-{'t' if tagged else 'u'}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket=bucket, Key="index.html", Body=body)
    if t:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": t})
    return {
        "vpc": vpc, "subnet": subnet, "igw": igw, "table": table, "group": group,
        "instance": instance, "address": address, "volume": volume, "snapshot": snapshot,
        "bucket": bucket,
    }  # fmt: skip


def alive(session, ids):
    """Which of ``ids`` (from :func:`lab`) still exist."""
    ec2, s3 = session.client("ec2"), session.client("s3")
    left = set()
    vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    subnets = {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}
    groups = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    instances = {
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    }
    addresses = {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}
    volumes = {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}
    snapshots = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    igws = {g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]}
    tables = {t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]}
    everything = vpcs | subnets | groups | instances | addresses | volumes | snapshots
    everything |= buckets | igws | tables
    for key, value in ids.items():
        if value in everything:
            left.add(key)
    return left


def cleaner(session, **kwargs):
    return Cleaner(session.client, region=REGION, waits=(0, 0, 0), sleep=lambda s: None, **kwargs)


def test_lists_exactly_the_days_tagged_resources_with_their_cost(aws):
    mine = lab(aws)
    lab(aws, student="lee")
    lab(aws, day="Day2")
    lab(aws, tagged=False)
    found = cleaner(aws, day="Day1", student="kim").find()
    ids = {f.id for f in found}
    assert set(mine.values()) - {mine["bucket"]} <= ids | {mine["bucket"]}
    assert mine["bucket"] in ids and len(ids) == len(mine)
    kinds = [f.kind for f in found]
    # Dependents first: the instance before its security group, subnets before the VPC.
    assert kinds.index("EC2 instance") < kinds.index("security group") < kinds.index("VPC")
    assert kinds.index("subnet") < kinds.index("VPC") and kinds.index(
        "internet gateway"
    ) < kinds.index("VPC")
    by_kind = {f.kind: f for f in found}
    assert by_kind["EC2 instance"].hourly == pytest.approx(0.013)
    assert by_kind["Elastic IP"].hourly == pytest.approx(0.005)
    assert by_kind["EBS volume"].hourly == pytest.approx(0.0912 * 8 / 730)
    # moto gives no FullSnapshotSizeInBytes: its volume's 8 GB, the most it holds
    assert by_kind["EBS snapshot"].hourly == pytest.approx(0.05 * 8 / 730)
    text = format_found(found)
    assert "$0.0130/h" in text and f"{len(found)} resource(s)" in text


def test_apply_deletes_them_and_touches_nothing_else(aws):
    mine = lab(aws)
    other_student = lab(aws, student="lee")
    other_day = lab(aws, day="Day2")
    untagged = lab(aws, tagged=False)
    report = cleaner(aws, day="Day1", student="kim").apply(say=lambda line: None)
    assert report.failed == []
    assert alive(aws, mine) == set()
    for others in (other_student, other_day, untagged):
        assert alive(aws, others) == set(others)


def test_without_a_student_every_students_day_goes(aws):
    kim, lee = lab(aws), lab(aws, student="lee")
    other_day = lab(aws, day="Day2")
    cleaner(aws, day="Day1").apply(say=lambda line: None)
    assert alive(aws, kim) == set() and alive(aws, lee) == set()
    assert alive(aws, other_day) == set(other_day)


def test_an_untagged_dependency_is_reported_not_deleted(aws):
    """A subnet the student made without tags keeps the tagged VPC alive: the VPC is left,
    untouched, and reported with the untagged subnet; nothing is reported failed."""
    mine = lab(aws)
    ec2 = aws.client("ec2")
    stray = ec2.create_subnet(VpcId=mine["vpc"], CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"]
    report = cleaner(aws, day="Day1", student="kim").apply(say=lambda line: None)
    assert report.failed == []
    assert [(item.kind, item.id) for item, _ in report.left] == [("VPC", mine["vpc"])]
    assert f"subnet {stray}, which is not tagged Week5/Day1/kim, is in it" in report.left[0][1]
    assert alive(aws, mine) == {"vpc"}
    assert stray in {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}


def test_nothing_found_names_the_day_and_the_student_only_when_given():
    assert format_found([], "Day2") == "Nothing tagged for Day2 in this region."
    assert format_found([], "Day2/kim") == "Nothing tagged for Day2/kim in this region."


def test_a_dependency_of_another_week_is_named_by_the_week_it_lacks(aws):
    """A subnet tagged Day1/kim but Week4 (a course's other week in the same account) is not
    the day's: the VPC it holds is left, and the reason names the Week tag it lacks."""
    mine = lab(aws)
    ec2 = aws.client("ec2")
    other_week = ec2.create_subnet(
        VpcId=mine["vpc"], CidrBlock="10.0.9.0/24",
        TagSpecifications=spec("subnet", tags(Week="Week4")),
    )["Subnet"]["SubnetId"]
    report = cleaner(aws, day="Day1", student="kim").apply(say=lambda line: None)
    assert [(item.kind, item.id) for item, _ in report.left] == [("VPC", mine["vpc"])]
    assert f"subnet {other_week}, which is not tagged Week5/Day1/kim, is in it" in (
        report.left[0][1]
    )


class _StillInUseOnce:
    """An EC2 client whose first DeleteSecurityGroup fails as AWS does while a just-terminated
    instance still holds the group's network interface."""

    def __init__(self, client):
        self._client = client
        self.failed_once = False

    def __getattr__(self, name):
        return getattr(self._client, name)

    def delete_security_group(self, **kwargs):
        if not self.failed_once:
            self.failed_once = True
            raise self._client.exceptions.ClientError(
                {"Error": {"Code": "DependencyViolation", "Message": "has a dependent object"}},
                "DeleteSecurityGroup",
            )
        return self._client.delete_security_group(**kwargs)


def test_a_first_deletion_that_fails_on_a_dependency_is_retried(aws):
    mine = lab(aws)
    flaky = _StillInUseOnce(aws.client("ec2"))
    waits = []

    def clients(service, **kwargs):
        return flaky if service == "ec2" else aws.client(service, **kwargs)

    report = Cleaner(
        clients, region=REGION, day="Day1", student="kim", waits=(5, 10), sleep=waits.append
    ).apply(say=lambda line: None)
    assert flaky.failed_once and waits == [5]  # one bounded wait, then it went
    assert report.failed == [] and alive(aws, mine) == set()


def test_rds_and_elasticache_and_their_snapshots(aws):
    rds = aws.client("rds")

    def database(name, tag_list):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="lab",
            MasterUserPassword="moto-only-password",  # never deployed
            Tags=tag_list,
        )

    database("kim-db", tags())
    rds.create_db_snapshot(
        DBInstanceIdentifier="kim-db", DBSnapshotIdentifier="kim-manual", Tags=tags()
    )
    database("untagged-db", [])
    cache = aws.client("elasticache")
    cache.create_replication_group(
        ReplicationGroupId="kim-cache",
        ReplicationGroupDescription="lab",
        CacheNodeType="cache.t3.micro",
        Engine="redis",
        NumCacheClusters=1,
        Tags=tags(),
    )
    the_cleaner = cleaner(aws, day="Day1", student="kim")
    found = {(f.kind, f.id): f for f in the_cleaner.find()}
    assert set(found) == {
        ("RDS instance", "kim-db"),
        ("RDS snapshot", "kim-manual"),
        ("ElastiCache group", "kim-cache"),
    }
    prices = load_prices()
    single_az = prices["prices"]["rds:postgres:db.t3.micro:single-az"]["usd"]
    # its 20 GB of storage (moto's default type, gp2) too, as `week5 cost` prices it
    storage = prices["prices"]["rds-gp3:single-az"]["usd"] * 20 / prices["hours_per_month"]
    assert found[("RDS instance", "kim-db")].hourly == pytest.approx(single_az + storage)
    report = the_cleaner.apply(say=lambda line: None)
    assert report.failed == []
    left = {d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]}
    assert left == {"untagged-db"}
    assert rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"] == []


@pytest.mark.parametrize(
    "kwargs, says",
    [({"day": "day1"}, "--day 'day1'"), ({"day": "Day1", "student": "Kim"}, "'student'")],
)
def test_bad_day_or_student_is_refused(kwargs, says):
    with pytest.raises(CourseInputError, match=says):
        Cleaner(lambda service: None, region=REGION, **kwargs)


def test_the_command_lists_then_deletes_through_a_local_aws(local_aws_env):
    """`week5 cleanup` against moto's server, as an instructor runs it against AWS."""
    env = local_aws_env
    ec2 = boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc", tags()))["Vpc"][
        "VpcId"
    ]

    def week5(*args):
        return subprocess.run(
            [sys.executable, "-m", "week5", "cleanup", "--day", "Day1", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    listed = week5("--student", "kim")
    assert listed.returncode == 0, listed.stderr
    assert vpc_id in listed.stdout and "run again with --apply" in listed.stdout
    assert vpc_id in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    applied = week5("--student", "kim", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "Deleted 1, failed 0, left 0." in applied.stdout
    assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_cloudfront_is_disabled_then_deleted_and_untagged_ones_stay(aws):
    cloudfront = aws.client("cloudfront", region_name="us-east-1")

    def distribution(reference, tag_list):
        config = {
            "CallerReference": reference,
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "example.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
        reply = cloudfront.create_distribution_with_tags(
            DistributionConfigWithTags={"DistributionConfig": config, "Tags": {"Items": tag_list}}
        )
        return reply["Distribution"]["Id"]

    mine = distribution("kim", tags(day="Day2"))
    theirs = distribution("lee", tags(day="Day2", student="lee"))
    report = cleaner(aws, day="Day2", student="kim").apply(say=lambda line: None)
    assert [(item.kind, item.id) for item in report.deleted] == [("CloudFront distribution", mine)]
    left = [d["Id"] for d in cloudfront.list_distributions()["DistributionList"]["Items"]]
    assert left == [theirs]


def test_the_course_tags_are_named_in_one_place():
    """Tagging, the CourseTags rule, cleanup and audit take the tag keys and Week's value from
    week5.core.tags: no other module of theirs spells them."""
    from week5.analysis.rules.course_tags import TAG_VALIDATORS
    from week5.core import tags
    from week5.synth.tagging import course_tags

    assert tuple(course_tags(1, "Lab1", "kim")) == tags.COURSE_TAG_KEYS
    assert tuple(TAG_VALIDATORS) == tags.COURSE_TAG_KEYS
    spelled = {*tags.COURSE_TAG_KEYS, tags.WEEK_TAG_VALUE}
    modules = [
        ROOT / "week5" / "synth" / "tagging.py",
        ROOT / "week5" / "analysis" / "rules" / "course_tags.py",
        *sorted((ROOT / "week5" / "operations").rglob("*.py")),
    ]
    literals = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # f"Day{n}" spells a Day value, not the key: the pieces of f-strings do not count.
        pieces = {id(v) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for v in f.values}
        literals += [
            f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in spelled and id(node) not in pieces
        ]
    assert literals == []


def test_what_cleanup_finds_is_priced_as_the_estimates_price_it():
    """A volume's GB-month and an instance's hour: the same figures as week5.analysis.pricing."""
    from week5.analysis import pricing
    from week5.operations.price_table import PriceTable

    table = PriceTable()
    volume = {"V": {"Type": "AWS::EC2::Volume", "Properties": {"VolumeType": "gp3", "Size": 8}}}
    instance = {"I": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.micro"}}}
    assert table.hourly("ebs:gp3", 8) == pytest.approx(
        pricing.estimate({"Resources": volume}).hourly
    )
    assert table.hourly("ec2:t3.micro") == pytest.approx(
        pricing.estimate({"Resources": instance}).hourly
    )
    assert table.hourly("ec2:no-such-type") is None


# --- what the figures price, beside `week5 status` ------------------------------------------


def two_public_subnets(ec2, tag_list):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc", tag_list))
    vpc_id = vpc["Vpc"]["VpcId"]
    return vpc_id, [
        ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock=f"10.0.{n}.0/24",
            AvailabilityZone=f"{REGION}{zone}",
            TagSpecifications=spec("subnet", tag_list),
        )["Subnet"]["SubnetId"]
        for n, zone in ((1, "a"), (2, "b"))
    ]


def test_an_internet_facing_alb_is_priced_with_its_public_addresses(aws):
    """AWS bills each public IPv4 address of an internet-facing ALB, one per zone (as the
    template estimate counts them); an internal one has none."""
    _, subnets = two_public_subnets(aws.client("ec2"), tags())
    elbv2 = aws.client("elbv2")
    for name, scheme in (("kim-public", "internet-facing"), ("kim-internal", "internal")):
        elbv2.create_load_balancer(
            Name=name, Subnets=subnets, Scheme=scheme, Type="application", Tags=tags()
        )
    found = {f.id: f for f in cleaner(aws, day="Day1", student="kim").find()}
    assert found["kim-public"].hourly == pytest.approx(0.0225 + 2 * 0.005)
    assert found["kim-internal"].hourly == pytest.approx(0.0225)


def test_an_instance_is_priced_with_the_public_address_aws_gave_it(aws):
    """An auto-assigned public IPv4 address bills by the hour too; an Elastic IP's is priced
    once, as the Elastic IP; a stopped instance bills only its volumes."""
    ec2 = aws.client("ec2")
    _, (public, _) = two_public_subnets(ec2, tags())
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    image = ec2.register_image(Name="base-kim", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=public,
        TagSpecifications=spec("instance", tags()),
    )["Instances"][0]["InstanceId"]  # fmt: skip

    def priced():
        found = cleaner(aws, day="Day1", student="kim").find()
        return {f.kind: f.hourly for f in found}

    assert priced()["EC2 instance"] == pytest.approx(0.013 + 0.005)
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", tags()))
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=instance)
    assert priced()["EC2 instance"] == pytest.approx(0.013)
    assert priced()["Elastic IP"] == pytest.approx(0.005)
    ec2.stop_instances(InstanceIds=[instance])
    assert priced()["EC2 instance"] == 0.0


def test_what_exists_costs_what_its_template_estimates_but_the_assumed_use(aws):
    """Day 4 Lab 1's billed parts made as its template declares them (an internet-facing ALB
    in two zones, a NAT gateway with its Elastic IP, an instance), all tagged as on AWS:
    cleanup's figure is the template estimate's (`week5 status`) less the use the estimate
    assumes (the ALB's LCUs), and nothing else."""
    from week5.analysis import pricing

    ec2 = aws.client("ec2")
    _, subnets = two_public_subnets(ec2, tags())
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", tags()))
    ec2.create_nat_gateway(
        SubnetId=subnets[0], AllocationId=address["AllocationId"],
        TagSpecifications=spec("natgateway", tags()),
    )  # fmt: skip
    image = ec2.register_image(Name="base-kim", RootDeviceName="/dev/xvda")["ImageId"]
    ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnets[1],
        TagSpecifications=spec("instance", tags()),
    )  # fmt: skip
    aws.client("elbv2").create_load_balancer(
        Name="kim-web", Subnets=subnets, Scheme="internet-facing", Type="application",
        Tags=tags(),
    )  # fmt: skip
    template = {
        "Resources": {
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": "internet-facing", "Subnets": ["a", "b"]},
            },
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Web": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.micro"}},
        }
    }
    estimate = pricing.estimate(template)
    assumed = sum(i.hourly for i in estimate.items if i.price_key == "alb-lcu")
    assert assumed > 0
    found = cleaner(aws, day="Day1", student="kim").find()
    priced = sum(f.hourly for f in found if f.hourly is not None)
    assert priced == pytest.approx(estimate.hourly - assumed)


def test_a_stacks_resources_without_the_days_tags_are_named_not_priced(aws):
    """A stack goes whole, with what its tagged resources cost; what of it cleanup did not
    find tagged (here an Elastic IP made without tags, as moto's CloudFormation makes a NAT
    gateway, its Elastic IP and an ALB) is named on the stack's line, not counted as $0."""
    import json

    template = {
        "Resources": {
            "Vpc": {
                "Type": "AWS::EC2::VPC",
                "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tags(day="Day4")},
            },
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        }
    }
    aws.client("cloudformation").create_stack(
        StackName="week5-kim-Day4Lab1", TemplateBody=json.dumps(template), Tags=tags(day="Day4")
    )
    (stack,) = cleaner(aws, day="Day4", student="kim").find()
    assert stack.kind == "CloudFormation stack" and stack.hourly == 0.0
    assert stack.name == (
        "1 tagged resource(s) in it; not found with the day's tags, so not priced: EC2::EIP"
    )


def test_a_stacks_alarms_are_named_as_not_looked_for_not_as_untagged(aws):
    """Cleanup has no finder for CloudWatch alarms (they go with their stack): on AWS they are
    tagged, so the stack's line must not say they were not found with the day's tags."""
    import json

    from week5.operations.moto_models import load

    load()  # the emulator's alarm model: moto alone skips the alarm and lists no resource

    template = {
        "Resources": {
            "Vpc": {
                "Type": "AWS::EC2::VPC",
                "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tags(day="Day5")},
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "week5-kim-Day5Lab1-cpu",
                    "MetricName": "CPUUtilization",
                    "Namespace": "AWS/EC2",
                    "Statistic": "Average",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 80,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "Tags": tags(day="Day5"),
                },
            },
        }
    }
    aws.client("cloudformation").create_stack(
        StackName="week5-kim-Day5Lab1", TemplateBody=json.dumps(template), Tags=tags(day="Day5")
    )
    (stack,) = cleaner(aws, day="Day5", student="kim").find()
    assert stack.name == (
        "1 tagged resource(s) in it and 1 it made that no finder looks for, going with it: "
        "CloudWatch::Alarm"
    )


def test_the_listing_says_what_it_priced():
    from week5.operations.cleanup import Found

    text = format_found([Found("NAT gateway", "nat-1", hourly=0.059)], "Day4/kim")
    assert "  1 resource(s), $0.0590/h where priced\n  Priced: what exists now and carries" in text
    assert "use (ALB LCUs, NAT gateway data) is not counted" in text
    assert "`week5 status` prices a stack's deployed template instead." in text


@pytest.mark.parametrize(
    "snapshot, hourly",
    [
        ({"VolumeSize": 100, "FullSnapshotSizeInBytes": 2 * 1024**3}, 0.05 * 2 / 730),
        ({"VolumeSize": 100, "StorageTier": "standard"}, 0.05 * 100 / 730),
        ({"VolumeSize": 100, "StorageTier": "archive"}, None),
    ],
    ids=["the data it holds", "its volume's size", "archived: not priced"],
)
def test_an_ebs_snapshot_is_priced_by_the_gb_it_holds(snapshot, hourly):
    """EBS snapshots were "not priced" in cleanup's listing; they bill 0.05 USD a GB-month in
    Seoul (standard tier)."""
    from week5.operations.cleanup.compute import _snapshot_hourly
    from week5.operations.cleanup.scope import Scope
    from week5.operations.price_table import PriceTable

    scope = Scope(lambda service: None, REGION, "Day1", "kim", PriceTable())
    assert _snapshot_hourly(scope, snapshot) == (None if hourly is None else pytest.approx(hourly))


def test_a_name_tag_cannot_forge_a_report_line():
    """A re-trial: a VPC named "evil\\n  deleted VPC vpc-0000 (fake)\\u202eabc" printed a second,
    forged "deleted VPC" line (and reversed the rest); such a name is shown quoted, as status
    shows it. A plain or Korean name stays as it is."""
    from week5.operations.cleanup.scope import Found

    forged = "evil\n  deleted VPC vpc-0000 (fake)\u202eabc"
    line = str(Found("VPC", "vpc-1", forged))
    assert "\n" not in line and "\u202e" not in line
    assert line == "VPC vpc-1 ('evil\\n  deleted VPC vpc-0000 (fake)\\u202eabc')"
    assert str(Found("VPC", "vpc-1", "웹 서버")) == "VPC vpc-1 (웹 서버)"
