"""`week5 cleanup` on the emulator (moto's server) with a populated account: two days and two
students, untagged and oddly tagged resources, tagged resources tied to untagged ones, and more
than one page of Auto Scaling groups, security groups, volumes and log groups, all made with
boto3 as students make them in the console.

What is checked: every resource outside Day1/kim's tags is recorded with its attachments and
associations before and after the run, and the records are identical; every tagged resource
tied to an untagged one is left with it and reported as a pair; everything else tagged is
gone; a second run deletes nothing and finds only the pairs; every list call that pages goes
through boto3's paginator.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Any, Callable, Dict, List, Optional

import pytest
from shared_botocore import Clients
from support import ROOT

from week5.cli.cleanup import format_found, format_report
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
OURS = {"Week": "Week5", "Day": "Day1", "Student": "kim"}
#: Tags that look like Day1/kim's but are not: no cleanup of Day1/kim may touch these.
ODD = [
    {"Week": "Week5", "Day": "day1", "Student": "kim"},
    {"Week": "week5", "Day": "Day1", "Student": "kim"},
    {"Week": "Week5", "Day": "Day1 ", "Student": "kim"},
    {"Week": "Week5", "Day": "Day1", "Student": "Kim"},
    {"week": "Week5", "day": "Day1", "student": "kim"},
    {"Day": "Day1", "Student": "kim"},
]
LEE = {"Week": "Week5", "Day": "Day1", "Student": "lee"}
DAY2 = {"Week": "Week5", "Day": "Day2", "Student": "kim"}


def kv(tags: Optional[Dict[str, str]], **extra: str) -> List[Dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in {**(tags or {}), **extra}.items()]


def spec(kind: str, tags: Optional[Dict[str, str]], **extra: str) -> List[Dict[str, Any]]:
    tag_list = kv(tags, **extra)
    return [{"ResourceType": kind, "Tags": tag_list}] if tag_list else []


def ours(tags: Any) -> bool:
    if isinstance(tags, list):
        tags = {t.get("Key"): t.get("Value") for t in tags}
    return all((tags or {}).get(k) == v for k, v in OURS.items())


# --- the emulator -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator():
    """moto's server in this process (so the test can add the one WAF call it lacks)."""
    import logging

    from servers import moto_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    with moto_in_thread() as (_, port):
        yield f"http://localhost:{port}"


class PagedOnly:
    """A boto3 client that fails a test when a call that pages is made without boto3's
    paginator (one page of 50 or 100 is not the account)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if (
            callable(attr)
            and not name.startswith("_")
            and name not in ("get_paginator", "can_paginate", "get_waiter")
            and self._client.can_paginate(name)
        ):
            raise AssertionError(
                f"{self._client.meta.service_model.service_name}.{name} "
                "called without its paginator"
            )
        return attr


@pytest.fixture(scope="module")
def emulator_clients(emulator) -> Callable[..., Any]:
    """A boto3 client maker for the emulator, one client per service for the module: populate
    and world ask for them again and again, and a client holds no account state."""
    clients = Clients(REGION)
    return lambda service, **kwargs: clients.client(service, endpoint_url=emulator, **kwargs)


@pytest.fixture
def account(emulator, emulator_clients, monkeypatch):
    """A fresh emulator account: (boto3 client maker, clients for the cleaner)."""
    from moto.wafv2.responses import WAFV2Response

    from week5.operations.moto_models import wafv2_list_resources_for_web_acl as waf

    # The call `week5 local`'s emulator adds (moto 5.2.5 lacks it), for this test only.
    monkeypatch.setattr(WAFV2Response, waf.ACTION, waf.list_resources_for_web_acl, raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    request = urllib.request.Request(f"{emulator}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    client = emulator_clients

    def guarded(service: str, **kwargs: Any) -> Any:
        return PagedOnly(client(service, **kwargs))

    return client, guarded


def cleaner(clients: Callable[..., Any], **kwargs: Any) -> Cleaner:
    return Cleaner(
        clients, region=REGION, waits=(0, 0, 0), sleep=lambda s: None, **{"day": "Day1", **kwargs}
    )


# --- a populated account ----------------------------------------------------------------------


class Populated:
    """What ``populate`` made: Day1/kim's ids that must go, and the tagged ones that must be
    left (tied to an untagged resource), each with the untagged partner's id."""

    def __init__(self) -> None:
        self.gone: set = set()
        self.pairs: Dict[str, str] = {}
        self.stack_members: set = set()


def populate(client: Callable[..., Any]) -> Populated:
    made = Populated()
    ec2, asg, elb = client("ec2"), client("autoscaling"), client("elbv2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]

    def vpc(cidr: str, tags: Optional[Dict[str, str]]) -> str:
        return ec2.create_vpc(CidrBlock=cidr, TagSpecifications=spec("vpc", tags))["Vpc"]["VpcId"]

    def subnet(vpc_id: str, cidr: str, tags: Optional[Dict[str, str]], az: str = "a") -> str:
        return ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock=cidr,
            AvailabilityZone=REGION + az,
            TagSpecifications=spec("subnet", tags),
        )["Subnet"]["SubnetId"]

    def group(vpc_id: str, name: str, tags: Optional[Dict[str, str]], **extra: str) -> str:
        return ec2.create_security_group(
            GroupName=name,
            Description=name,
            VpcId=vpc_id,
            TagSpecifications=spec("security-group", tags, **extra),
        )["GroupId"]

    def instance(subnet_id: str, groups: List[str], tags: Optional[Dict[str, str]]) -> str:
        return ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet_id,
            SecurityGroupIds=groups,
            TagSpecifications=spec("instance", tags),
        )["Instances"][0]["InstanceId"]

    def volume(tags: Optional[Dict[str, str]]) -> str:
        return ec2.create_volume(
            AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=spec("volume", tags)
        )["VolumeId"]

    def address(tags: Optional[Dict[str, str]]) -> str:
        return ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", tags))[
            "AllocationId"
        ]

    # Others first, so that Day1/kim's come after the first page of each listing.
    untagged_vpc = vpc("10.1.0.0/16", None)
    ua = subnet(untagged_vpc, "10.1.1.0/24", None, "a")
    ub = subnet(untagged_vpc, "10.1.2.0/24", None, "b")
    untagged_group = group(untagged_vpc, "untagged-web", None)
    template = ec2.create_launch_template(
        LaunchTemplateName="untagged",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
    )["LaunchTemplate"]["LaunchTemplateId"]
    lee_vpc, day2_vpc = vpc("10.3.0.0/16", LEE), vpc("10.4.0.0/16", DAY2)
    for n in range(30):
        group(untagged_vpc, f"untagged-{n}", None)
    for n in range(10):
        group(lee_vpc, f"lee-{n}", LEE)
        group(day2_vpc, f"day2-{n}", DAY2)
        volume(LEE)
    for n, odd in enumerate(ODD):
        group(untagged_vpc, f"odd-{n}", odd)
        volume(odd)
    for n in range(20):
        volume(None)
    logs = client("logs")
    for n in range(25):
        logs.create_log_group(logGroupName=f"/untagged/{n}")
    for n, odd in enumerate(ODD):
        logs.create_log_group(logGroupName=f"/odd/{n}", tags=odd)
    for n, tags in enumerate([None] * 25 + [LEE] * 12 + [DAY2] * 12 + ODD):
        asg.create_auto_scaling_group(
            AutoScalingGroupName=f"other-{n}",
            LaunchTemplate={"LaunchTemplateId": template},
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=0,
            VPCZoneIdentifier=ua,
            Tags=[
                {"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in (tags or {}).items()
            ],
        )

    # Day1/kim's lab: a VPC with two subnets, gateway, route table, groups, instances ...
    kim_vpc = vpc("10.0.0.0/16", OURS)
    ka = subnet(kim_vpc, "10.0.1.0/24", OURS, "a")
    kb = subnet(kim_vpc, "10.0.2.0/24", OURS, "b")
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", OURS))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=kim_vpc)
    table = ec2.create_route_table(VpcId=kim_vpc, TagSpecifications=spec("route-table", OURS))[
        "RouteTable"
    ]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=ka)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    # The VPC's default group, tagged as students do: it goes with the VPC, not on its own.
    (default,) = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [kim_vpc]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    ec2.create_tags(Resources=[default["GroupId"]], Tags=kv(OURS, Name="web"))
    web = group(kim_vpc, "web", OURS)
    # A group Named "default" that is not the default group: it goes.
    named_default = group(kim_vpc, "not-the-default", OURS, Name="default")
    a, b = group(kim_vpc, "a", OURS), group(kim_vpc, "b", OURS)
    for x, y in ((a, b), (b, a)):  # two groups that name each other
        ec2.authorize_security_group_ingress(
            GroupId=x,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "UserIdGroupPairs": [{"GroupId": y}],
                }
            ],
        )
    more_groups = [group(kim_vpc, f"kim-{n}", OURS) for n in range(8)]
    i1, i2, i3 = (instance(ka, [web], OURS) for _ in range(3))
    eip = address(OURS)
    ec2.associate_address(AllocationId=eip, InstanceId=i1)
    data = volume(OURS)  # attached to an instance this run deletes: deleted in this run
    ec2.attach_volume(VolumeId=data, InstanceId=i2, Device="/dev/sdf")
    scratch = volume(OURS)  # ... and one set to go with its instance
    ec2.attach_volume(VolumeId=scratch, InstanceId=i3, Device="/dev/sdg")
    ec2.modify_instance_attribute(
        InstanceId=i3,
        BlockDeviceMappings=[{"DeviceName": "/dev/sdg", "Ebs": {"DeleteOnTermination": True}}],
    )
    volumes = [volume(OURS) for _ in range(25)]
    snapshot = ec2.create_snapshot(VolumeId=volumes[0], TagSpecifications=spec("snapshot", OURS))[
        "SnapshotId"
    ]
    kim_template = ec2.create_launch_template(
        LaunchTemplateName="kim",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
        TagSpecifications=spec("launch-template", OURS),
    )["LaunchTemplate"]["LaunchTemplateId"]
    groups = [f"kim-{n}" for n in range(12)]
    for name in groups:  # after 55 others: on the second page
        asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchTemplate={"LaunchTemplateId": kim_template},
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=0,
            VPCZoneIdentifier=f"{ka},{kb}",
            Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in OURS.items()],
        )
    balancer = elb.create_load_balancer(
        Name="kim-alb", Subnets=[ka, kb], SecurityGroups=[web], Tags=kv(OURS)
    )["LoadBalancers"][0]["LoadBalancerArn"]
    target = elb.create_target_group(
        Name="kim-tg", Protocol="HTTP", Port=80, VpcId=kim_vpc, Tags=kv(OURS)
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target}],
    )
    rds = client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="kim-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="lab",
        MasterUserPassword="moto-only-password",  # never deployed
        Tags=kv(OURS),
    )
    rds.create_db_snapshot(
        DBInstanceIdentifier="kim-db", DBSnapshotIdentifier="kim-snap", Tags=kv(OURS)
    )
    cache = client("elasticache")
    for name in ("kim-cache", "kim-cache-going"):
        cache.create_replication_group(
            ReplicationGroupId=name,
            ReplicationGroupDescription="lab",
            CacheNodeType="cache.t3.micro",
            Engine="redis",
            NumCacheClusters=1,
            Tags=kv(OURS),
        )
    cache.delete_replication_group(ReplicationGroupId="kim-cache-going")  # "deleting"
    efs = client("efs")
    file_system = efs.create_file_system(CreationToken="kim", Tags=kv(OURS))["FileSystemId"]
    efs.create_mount_target(FileSystemId=file_system, SubnetId=kb, SecurityGroups=[web])
    secrets = client("secretsmanager")
    secret = secrets.create_secret(Name="kim/db", SecretString="moto-only", Tags=kv(OURS))["Name"]
    kim_logs = [f"/kim/{n}" for n in range(20)]
    for name in kim_logs:
        logs.create_log_group(logGroupName=name, tags=OURS)
    waf = client("wafv2")

    def web_acl(name: str) -> Dict[str, str]:
        return waf.create_web_acl(
            Name=name,
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            VisibilityConfig={
                "SampledRequestsEnabled": False,
                "CloudWatchMetricsEnabled": False,
                "MetricName": name,
            },
            Tags=kv(OURS),
        )["Summary"]

    kim_acl = web_acl("kim-acl")
    waf.associate_web_acl(WebACLArn=kim_acl["ARN"], ResourceArn=balancer)
    rest = client("apigateway").create_rest_api(name="kim-api", tags=OURS)["id"]
    http = client("apigatewayv2").create_api(Name="kim-http", ProtocolType="HTTP", Tags=OURS)[
        "ApiId"
    ]
    repository = client("ecr").create_repository(repositoryName="kim-repo", tags=kv(OURS))[
        "repository"
    ]["repositoryName"]
    s3 = client("s3")
    s3.create_bucket(Bucket="kim-site", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="kim-site", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket="kim-site", Key="index.html", Body=body)
    s3.put_bucket_tagging(Bucket="kim-site", Tagging={"TagSet": kv(OURS)})
    for n, tags in enumerate([None, LEE, *ODD[:2]]):
        s3.create_bucket(
            Bucket=f"other-{n}", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        if tags:
            s3.put_bucket_tagging(Bucket=f"other-{n}", Tagging={"TagSet": kv(tags)})
    cfn = client("cloudformation")

    def stack(name: str, stack_tags: Optional[Dict[str, str]], resources: Dict[str, Any]) -> None:
        cfn.create_stack(
            StackName=name,
            TemplateBody=json.dumps({"Resources": resources}),
            Tags=kv(stack_tags),
        )

    def log_group(name: str, tags: Optional[Dict[str, str]]) -> Dict[str, Any]:
        props: Dict[str, Any] = {"LogGroupName": name}
        if tags:
            props["Tags"] = kv(tags)
        return {"Type": "AWS::Logs::LogGroup", "Properties": props}

    # A stack tagged for the day goes whole; a stack without the day's tags whose resource
    # carries them (its other log group untagged) is not the day's: that resource is left, with
    # the stack named, and the stack untouched.
    stack("kim-tagged", OURS, {"Logs": log_group("/stack/kim-tagged", OURS)})
    stack(
        "kim-course",
        None,
        {"Tagged": log_group("/stack/kim-course", OURS), "Plain": log_group("/stack/plain", None)},
    )
    made.stack_members |= {"/stack/kim-tagged"}
    made.pairs["/stack/kim-course"] = "kim-course"

    made.gone |= {
        kim_vpc, ka, kb, igw, table, web, named_default, a, b, *more_groups, i1, i2, i3, eip,
        data, scratch, *volumes, snapshot, kim_template, *groups, "kim-alb", "kim-tg", "kim-db",
        "kim-snap", "kim-cache", file_system, secret, *kim_logs, kim_acl["Id"], rest, http,
        repository, "kim-site", "kim-tagged",
    }  # fmt: skip

    # Tagged resources tied to untagged ones: each pair is left and reported.
    untagged_instance = instance(ua, [untagged_group], None)
    gateway = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", OURS))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=untagged_vpc)
    made.pairs[gateway] = untagged_vpc
    tagged_table = ec2.create_route_table(
        VpcId=untagged_vpc, TagSpecifications=spec("route-table", OURS)
    )["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=tagged_table, SubnetId=ua)
    made.pairs[tagged_table] = ua
    tagged_address = address(OURS)
    ec2.associate_address(AllocationId=tagged_address, InstanceId=untagged_instance)
    made.pairs[tagged_address] = untagged_instance
    tagged_volume = volume(OURS)
    ec2.attach_volume(VolumeId=tagged_volume, InstanceId=untagged_instance, Device="/dev/sdh")
    made.pairs[tagged_volume] = untagged_instance
    used_group = group(untagged_vpc, "kim-used", OURS)
    ec2.modify_instance_attribute(InstanceId=untagged_instance, Groups=[untagged_group, used_group])
    made.pairs[used_group] = untagged_instance
    named_group = group(untagged_vpc, "kim-named", OURS)
    naming = group(untagged_vpc, "untagged-naming", None)
    ec2.authorize_security_group_ingress(
        GroupId=naming,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "UserIdGroupPairs": [{"GroupId": named_group}],
            }
        ],
    )
    made.pairs[named_group] = naming
    kim_in_theirs = instance(ub, [untagged_group], OURS)
    their_address = address(None)
    ec2.associate_address(AllocationId=their_address, InstanceId=kim_in_theirs)
    made.pairs[kim_in_theirs] = their_address
    tagged_subnet = subnet(untagged_vpc, "10.1.9.0/24", OURS)
    stranger = instance(tagged_subnet, [untagged_group], None)
    made.pairs[tagged_subnet] = stranger
    kim_vpc2 = vpc("10.2.0.0/16", OURS)
    their_subnet = subnet(kim_vpc2, "10.2.1.0/24", None)
    made.pairs[kim_vpc2] = their_subnet
    shared_template = ec2.create_launch_template(
        LaunchTemplateName="kim-shared",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
        TagSpecifications=spec("launch-template", OURS),
    )["LaunchTemplate"]["LaunchTemplateId"]
    asg.create_auto_scaling_group(
        AutoScalingGroupName="untagged-on-kims-template",
        LaunchTemplate={"LaunchTemplateId": shared_template},
        MinSize=0,
        MaxSize=1,
        DesiredCapacity=0,
        VPCZoneIdentifier=ua,
    )
    made.pairs[shared_template] = "untagged-on-kims-template"
    their_balancer = elb.create_load_balancer(Name="untagged-alb", Subnets=[ua, ub])[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    guard = web_acl("kim-guards-theirs")
    waf.associate_web_acl(WebACLArn=guard["ARN"], ResourceArn=their_balancer)
    made.pairs[guard["Id"]] = "untagged-alb"
    stack("lee-stack", LEE, {"Logs": log_group("/stack/kim-in-lees", OURS)})
    made.pairs["/stack/kim-in-lees"] = "lee-stack"
    # An untagged instance in Day1/kim's public subnet: the subnet and the VPC stay, and so do
    # the subnet's route table and the internet gateway it routes through (its way out).
    kim_vpc3 = vpc("10.5.0.0/16", OURS)
    kim_public = subnet(kim_vpc3, "10.5.1.0/24", OURS)
    kim_gateway = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", OURS))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=kim_gateway, VpcId=kim_vpc3)
    kim_table = ec2.create_route_table(
        VpcId=kim_vpc3, TagSpecifications=spec("route-table", OURS)
    )["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=kim_table, SubnetId=kim_public)
    ec2.create_route(
        RouteTableId=kim_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=kim_gateway
    )
    in_kims = instance(kim_public, [group(kim_vpc3, "theirs-in-kims", None)], None)
    for tagged in (kim_vpc3, kim_public, kim_gateway, kim_table):
        made.pairs[tagged] = in_kims
    return made


# --- every resource, as it stands ----------------------------------------------------------------


def world(client: Callable[..., Any]) -> Dict[str, Dict[str, Any]]:
    """Every resource of the account: key → its tags, attachments and associations (and
    ``owner``: the resource it is part of, for a root volume, a primary interface, a VPC's main
    route table and default group, a stack's resources)."""
    ec2 = client("ec2")

    def each(c: Any, operation: str, key: str, **params: Any) -> List[Dict[str, Any]]:
        return [
            x for page in c.get_paginator(operation).paginate(**params) for x in page.get(key) or []
        ]

    def tags(item: Dict[str, Any], key: str = "Tags") -> Dict[str, str]:
        value = item.get(key) or {}
        return value if isinstance(value, dict) else {t["Key"]: t["Value"] for t in value}

    out: Dict[str, Dict[str, Any]] = {}
    live = ["pending", "running", "stopping", "stopped"]
    instances = [
        i
        for r in each(
            ec2,
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-state-name", "Values": live}],
        )
        for i in r["Instances"]
    ]
    for i in instances:
        out[f"instance:{i['InstanceId']}"] = {
            "tags": tags(i),
            "state": i["State"]["Name"],
            "subnet": i.get("SubnetId"),
            "groups": sorted(g["GroupId"] for g in i.get("SecurityGroups", [])),
            "volumes": sorted(m["Ebs"]["VolumeId"] for m in i.get("BlockDeviceMappings", [])),
            "public_ip": i.get("PublicIpAddress"),
        }
    # A volume set to go with its instance is the instance's.
    owner_of = {
        m["Ebs"]["VolumeId"]: i["InstanceId"]
        for i in instances
        for m in i.get("BlockDeviceMappings", [])
        if m["Ebs"].get("DeleteOnTermination")
    }
    for v in each(ec2, "describe_volumes", "Volumes"):
        attached = [(a["InstanceId"], a.get("Device")) for a in v.get("Attachments", [])]
        out[f"volume:{v['VolumeId']}"] = {
            "tags": tags(v),
            "state": v["State"],
            "attached": attached,
            "owner": owner_of.get(v["VolumeId"]),
        }
    # A mount target's interface is its file system's.
    efs = client("efs")
    for f in each(efs, "describe_file_systems", "FileSystems"):
        for target in each(
            efs, "describe_mount_targets", "MountTargets", FileSystemId=f["FileSystemId"]
        ):
            owner_of[target["NetworkInterfaceId"]] = f["FileSystemId"]
    for e in each(ec2, "describe_network_interfaces", "NetworkInterfaces"):
        attachment = e.get("Attachment") or {}
        own = attachment.get("DeviceIndex") == 0 or attachment.get("DeleteOnTermination")
        out[f"eni:{e['NetworkInterfaceId']}"] = {
            "tags": tags(e, "TagSet"),
            "instance": attachment.get("InstanceId"),
            "groups": sorted(g["GroupId"] for g in e.get("Groups", [])),
            "owner": attachment.get("InstanceId") if own else owner_of.get(e["NetworkInterfaceId"]),
        }
    for a in ec2.describe_addresses()["Addresses"]:
        out[f"address:{a['AllocationId']}"] = {
            "tags": tags(a),
            "instance": a.get("InstanceId"),
            "interface": a.get("NetworkInterfaceId"),
        }
    vpc_tags = {}
    for v in each(ec2, "describe_vpcs", "Vpcs"):
        vpc_tags[v["VpcId"]] = tags(v)
        out[f"vpc:{v['VpcId']}"] = {"tags": tags(v), "cidr": v["CidrBlock"]}
    for s in each(ec2, "describe_subnets", "Subnets"):
        out[f"subnet:{s['SubnetId']}"] = {
            "tags": tags(s),
            "vpc": s["VpcId"],
            "cidr": s["CidrBlock"],
        }
    for t in each(ec2, "describe_route_tables", "RouteTables"):
        main = any(x.get("Main") for x in t.get("Associations", []))
        out[f"route-table:{t['RouteTableId']}"] = {
            "tags": tags(t),
            "subnets": sorted(
                x["SubnetId"] for x in t.get("Associations", []) if x.get("SubnetId")
            ),
            "routes": sorted(
                (
                    r.get("DestinationCidrBlock", ""),
                    r.get("GatewayId", "") or r.get("NatGatewayId", ""),
                )
                for r in t.get("Routes", [])
            ),
            "owner": t["VpcId"] if main else None,
        }
    for g in each(ec2, "describe_internet_gateways", "InternetGateways"):
        out[f"igw:{g['InternetGatewayId']}"] = {
            "tags": tags(g),
            "attached": sorted(x["VpcId"] for x in g.get("Attachments", [])),
        }
    for g in each(ec2, "describe_security_groups", "SecurityGroups"):
        out[f"sg:{g['GroupId']}"] = {
            "tags": tags(g),
            "rules": json.dumps(g.get("IpPermissions", []), sort_keys=True, default=str),
            "egress": json.dumps(g.get("IpPermissionsEgress", []), sort_keys=True, default=str),
            "owner": g["VpcId"] if g["GroupName"] == "default" else None,
        }
    for t in each(ec2, "describe_launch_templates", "LaunchTemplates"):
        out[f"launch-template:{t['LaunchTemplateId']}"] = {"tags": tags(t)}
    for s in each(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]):
        out[f"snapshot:{s['SnapshotId']}"] = {"tags": tags(s)}
    for g in each(client("autoscaling"), "describe_auto_scaling_groups", "AutoScalingGroups"):
        out[f"asg:{g['AutoScalingGroupName']}"] = {
            "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])},
            "template": (g.get("LaunchTemplate") or {}).get("LaunchTemplateId"),
            "instances": sorted(i["InstanceId"] for i in g.get("Instances", [])),
            "target_groups": sorted(g.get("TargetGroupARNs", [])),
        }
    elb = client("elbv2")
    for b in each(elb, "describe_load_balancers", "LoadBalancers"):
        tag_list = elb.describe_tags(ResourceArns=[b["LoadBalancerArn"]])["TagDescriptions"][0][
            "Tags"
        ]
        out[f"lb:{b['LoadBalancerName']}"] = {"tags": tags({"Tags": tag_list})}
    for t in each(elb, "describe_target_groups", "TargetGroups"):
        tag_list = elb.describe_tags(ResourceArns=[t["TargetGroupArn"]])["TagDescriptions"][0][
            "Tags"
        ]
        out[f"tg:{t['TargetGroupName']}"] = {"tags": tags({"Tags": tag_list})}
    for d in each(client("rds"), "describe_db_instances", "DBInstances"):
        out[f"rds:{d['DBInstanceIdentifier']}"] = {"tags": tags(d, "TagList")}
    for s in each(client("rds"), "describe_db_snapshots", "DBSnapshots"):
        automated = s.get("SnapshotType") == "automated"  # the database's own backups
        out[f"rds-snapshot:{s['DBSnapshotIdentifier']}"] = {
            "tags": tags(s, "TagList"),
            "owner": s["DBInstanceIdentifier"] if automated else None,
        }
    cache = client("elasticache")
    for g in each(cache, "describe_replication_groups", "ReplicationGroups"):
        if g["Status"] != "deleting":
            out[f"cache:{g['ReplicationGroupId']}"] = {
                "tags": tags(
                    {"Tags": cache.list_tags_for_resource(ResourceName=g["ARN"])["TagList"]}
                )
            }
    for f in each(client("efs"), "describe_file_systems", "FileSystems"):
        out[f"efs:{f['FileSystemId']}"] = {"tags": tags(f)}
    for s in each(client("secretsmanager"), "list_secrets", "SecretList"):
        out[f"secret:{s['Name']}"] = {"tags": tags(s)}
    logs = client("logs")
    for g in each(logs, "describe_log_groups", "logGroups"):
        out[f"log-group:{g['logGroupName']}"] = {
            "tags": logs.list_tags_for_resource(resourceArn=g["logGroupArn"])["tags"]
        }
    waf = client("wafv2")
    for acl in waf.list_web_acls(Scope="REGIONAL", Limit=100)["WebACLs"]:
        tag_list = waf.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"][
            "TagList"
        ]
        out[f"waf:{acl['Id']}"] = {"tags": tags({"Tags": tag_list})}
    for api in each(client("apigateway"), "get_rest_apis", "items"):
        out[f"rest-api:{api['id']}"] = {"tags": api.get("tags") or {}}
    for api in each(client("apigatewayv2"), "get_apis", "Items"):
        out[f"http-api:{api['ApiId']}"] = {"tags": api.get("Tags") or {}}
    ecr = client("ecr")
    for r in each(ecr, "describe_repositories", "repositories"):
        tag_list = ecr.list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"]
        out[f"ecr:{r['repositoryName']}"] = {"tags": tags({"Tags": tag_list})}
    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tag_list = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        except s3.exceptions.ClientError:
            tag_list = []
        versions = s3.list_object_versions(Bucket=bucket["Name"]).get("Versions", [])
        out[f"bucket:{bucket['Name']}"] = {
            "tags": tags({"Tags": tag_list}),
            "objects": len(versions),
        }
    cfn = client("cloudformation")
    for s in each(cfn, "describe_stacks", "Stacks"):
        out[f"stack:{s['StackName']}"] = {"tags": tags(s), "status": s["StackStatus"]}
        for r in each(
            cfn, "list_stack_resources", "StackResourceSummaries", StackName=s["StackName"]
        ):
            for key in list(out):
                if key.split(":", 1)[1] == r["PhysicalResourceId"]:
                    out[key]["owner"] = s["StackName"]
    return out


def untouchable(
    record: Dict[str, Dict[str, Any]], left: set, gone: set
) -> Dict[str, Dict[str, Any]]:
    """What the run must not change: every resource outside Day1/kim's tags (unless it is
    part of one that goes: a root volume, a primary interface, a stack's resource), and
    Day1/kim's that are left."""
    going = ({k.split(":", 1)[1] for k, v in record.items() if ours(v["tags"])} | gone) - left
    return {
        k: v
        for k, v in record.items()
        if k.split(":", 1)[1] in left
        or (not ours(v["tags"]) and k.split(":", 1)[1] not in going and v.get("owner") not in going)
    }


# --- the tests ---------------------------------------------------------------------------------


def test_a_populated_account_is_cleaned_without_touching_anything_else(account):
    client, guarded = account
    made = populate(client)
    before = world(client)
    counts = {
        kind: sum(1 for k in before if k.startswith(kind + ":"))
        for kind in ("asg", "sg", "volume", "log-group")
    }
    assert min(counts.values()) > 50, counts  # more than one page of each

    the_cleaner = cleaner(guarded, student="kim")
    found = the_cleaner.find()
    ids = {f.id for f in found}
    left = {f.id: f.held for f in found if f.held}
    assert ids == made.gone | set(made.pairs), (
        sorted(ids - made.gone - set(made.pairs)),
        sorted(made.gone | set(made.pairs) - ids),
    )
    assert not ids & made.stack_members  # a stack's resources go with the stack
    assert "kim-cache-going" not in ids  # already deleting: neither counted nor deleted again
    assert set(left) == set(made.pairs), [(i, left.get(i)) for i in set(left) ^ set(made.pairs)]
    for tagged, untagged in made.pairs.items():  # each pair is named
        assert untagged in left[tagged] and "not tagged Week5/Day1/kim" in left[tagged]
    assert "left as they are" in format_found(found, "Day1/kim")
    # the summary names the tags as each line does (re-trial: "not tagged Day1/kim" above lines
    # saying "not tagged Week5/Day1/kim")
    assert "never changes a resource not tagged Week5/Day1/kim," in format_found(found, "Day1/kim")

    report = the_cleaner.apply(found, say=lambda line: None)
    assert report.failed == [], format_report(report)
    assert {f.id for f, _ in report.left} == set(made.pairs)
    assert {f.id for f in report.deleted} == made.gone
    after = world(client)
    keep = untouchable(before, set(made.pairs), made.gone)
    changed = {k: (v, after.get(k)) for k, v in keep.items() if after.get(k) != v}
    assert changed == {}, "\n".join(f"{k}: {v}" for k, v in changed.items())
    leftover = {
        k: v for k, v in after.items() if ours(v["tags"]) and k.split(":", 1)[1] not in made.pairs
    }
    assert leftover == {}, "\n".join(f"{k}: {v}" for k, v in leftover.items())
    assert not {k for k in after if k.split(":", 1)[1] in made.stack_members}

    again = cleaner(guarded, student="kim")
    second = again.find()
    assert {f.id for f in second if not f.held} == set()  # nothing left to delete
    assert {f.id for f in second} == set(made.pairs)
    rerun = again.apply(second, say=lambda line: None)
    assert (rerun.deleted, rerun.failed) == ([], [])


def test_without_a_student_every_students_day_goes_and_nothing_else(account):
    client, guarded = account
    populate(client)
    before = world(client)
    report = cleaner(guarded).apply(say=lambda line: None)
    assert report.failed == [], format_report(report)
    after = world(client)
    lee = {k for k, v in before.items() if v["tags"] == LEE}
    assert lee and not lee & set(after)  # lee's Day1 went too
    day2 = {k: v for k, v in before.items() if v["tags"] == DAY2}
    assert day2 and all(after.get(k) == v for k, v in day2.items())
    # Odd tags: all but Student=Kim (still Day1, whoever the student) are not Day1's.
    day1 = {"Week": "Week5", "Day": "Day1"}
    odd = {
        k: v
        for k, v in before.items()
        if v["tags"] in ODD and any(v["tags"].get(t) != w for t, w in day1.items())
    }
    assert len(odd) > 20
    assert {k: after.get(k) for k in odd} == odd


def test_an_object_lock_is_reported_with_its_cause_at_once(account):
    client, guarded = account
    import datetime

    s3 = client("s3")
    s3.create_bucket(
        Bucket="kim-locked",
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object(
        Bucket="kim-locked",
        Key="evidence.txt",
        Body=b"x",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=datetime.datetime(2099, 1, 1),
    )
    s3.put_bucket_tagging(Bucket="kim-locked", Tagging={"TagSet": kv(OURS)})
    waits: List[float] = []
    report = Cleaner(
        guarded, region=REGION, day="Day1", student="kim", waits=(10, 20), sleep=waits.append
    ).apply(say=lambda line: None)
    assert waits == []  # not retried for minutes as BucketNotEmpty
    ((item, why),) = report.failed
    assert item.id == "kim-locked"
    assert why.startswith("ObjectsNotDeleted") and "evidence.txt (AccessDenied" in why
    assert "object lock" in why


def test_the_command_reports_pairs_and_fails_honestly(account, emulator):
    """`week5 cleanup --apply` through the emulator: exit 1 while pairs are left, each pair
    printed; no traceback."""
    client, _ = account
    made = populate(client)
    env = {
        "PATH": str(ROOT / ".venv" / "bin"),
        "HOME": str(ROOT),
        "AWS_ENDPOINT_URL": emulator,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    run = subprocess.run(
        [sys.executable, "-m", "week5", "cleanup", "--day", "Day1", "--student", "kim", "--apply"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"Deleted {len(made.gone)}, failed 0, left {len(made.pairs)}." in run.stdout
    for tagged in made.pairs:
        assert "left: " in run.stdout and tagged in run.stdout
