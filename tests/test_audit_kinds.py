"""`week5 audit` against labs built by hand, as students click them together in the console:
each lab's reference rebuilt through boto3 on moto passes every check, and each typical mistake
(another VPC range, SSH from the world, a database port open to an address range, an AZ left
out, another instance type) fails the check it should, and only that one. Day 2's static site
(no VPC) is checked by its bucket and distribution.

The build is read from the reference (:func:`week5.operations.audit.reference`), so it follows
every lab as its template changes: stand-alone instances, Auto Scaling groups behind target
groups, load balancers, NAT gateways, RDS (Multi-AZ, read replicas) and ElastiCache.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, List, Optional

import pytest
from moto import mock_aws
from moto.ec2.models.instances import InstanceBackend
from shared_botocore import Clients

from stacks.catalog import CATALOG
from week5.analysis.topology import extract
from week5.core.tags import tag_filter
from week5.operations.audit import audit, audit_site, find_vpc, read_account, reference
from week5.operations.audit.static_site import BLOCK_PUBLIC_ACCESS_SETTINGS
from week5.operations.moto_models import launch_template_volume_tags

REGION = "ap-northeast-2"
#: What a database or cache engine listens on.
PORTS = {"postgres": 5432, "mysql": 3306, "redis": 6379, "valkey": 6379}


def lab_tags(lab_id: str) -> Dict[str, str]:
    day, kind = lab_id[:4], lab_id[4:]
    return tag_filter(day, kind, "kim")


def spec(kind: str, tags: Dict[str, str], name: Optional[str] = None) -> List[Dict[str, Any]]:
    values = {**tags, **({"Name": name} if name else {})}
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in values.items()]}]


def build(session: Any, template: Dict[str, Any], tags: Dict[str, str], mistake: str = "") -> None:
    """The lab as a student builds it in the console, from its reference, with one
    ``mistake``: cidr, ssh, db-open, missing-az, type, untagged-template (or none)."""
    ref = reference(template)
    ec2 = session.client("ec2")
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]

    def cidr(value: str) -> str:
        return value.replace("10.0.", "172.16.", 1) if mistake == "cidr" else value

    vpc = ec2.create_vpc(
        CidrBlock=cidr(ref.vpc_cidr), TagSpecifications=spec("vpc", tags, ref.vpc_name)
    )["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", tags))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_table = ec2.create_route_table(VpcId=vpc, TagSpecifications=spec("route-table", tags))[
        "RouteTable"
    ]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private_table = ec2.create_route_table(VpcId=vpc, TagSpecifications=spec("route-table", tags))[
        "RouteTable"
    ]["RouteTableId"]
    azs = sorted({az for _, _, az in ref.subnets})
    dropped = azs[-1] if mistake == "missing-az" and len(azs) > 1 else None
    subnets: Dict[str, List[tuple]] = {"Public": [], "Private": []}
    for tier, block, az in ref.subnets:
        if az == dropped:
            continue
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr(block),
            AvailabilityZone=az,
            TagSpecifications=spec("subnet", tags),
        )["Subnet"]["SubnetId"]
        table = public_table if tier == "Public" else private_table
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        subnets[tier].append((subnet, az))

    def in_azs(tier: str, wanted: List[str]) -> List[str]:
        chosen = [s for s, az in subnets[tier] if az in wanted] or [s for s, _ in subnets[tier]]
        return chosen or [s for s, _ in subnets["Public"]]

    for n in range(ref.nat_gateways):
        address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", tags))
        public = subnets["Public"][n % len(subnets["Public"])][0]
        ec2.create_nat_gateway(
            SubnetId=public,
            AllocationId=address["AllocationId"],
            TagSpecifications=spec("natgateway", tags),
        )

    def group(name: str) -> str:
        return ec2.create_security_group(
            GroupName=name,
            Description=name,
            VpcId=vpc,
            TagSpecifications=spec("security-group", tags),
        )["GroupId"]

    web, app, data = group("web"), group("app"), group("data")
    ingress = {
        web: [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
        app: [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
        data: [
            {
                "IpProtocol": "tcp",
                "FromPort": p,
                "ToPort": p,
                "UserIdGroupPairs": [{"GroupId": app}],
            }
            for p in sorted({PORTS.get(str(x["engine"]), 5432) for x in ref.databases + ref.caches})
        ],
    }
    if mistake == "ssh":
        ingress[app].append(
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        )
    if mistake == "db-open":
        port = PORTS.get(str((ref.databases + ref.caches)[0]["engine"]), 5432)
        ingress[data].append(
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        )
    for group_id, permissions in ingress.items():
        if permissions:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=permissions)

    wrong_type = mistake == "type"
    image = ec2.register_image(Name="al2023", RootDeviceName="/dev/xvda")["ImageId"]
    for instance_type in ref.instance_types:
        ec2.run_instances(
            ImageId=image,
            InstanceType="t3.large" if wrong_type else instance_type,
            MinCount=1,
            MaxCount=1,
            SubnetId=subnets["Public"][0][0],
            SecurityGroupIds=[app],
            # The console's launch wizard puts the instance's tags on its volumes too.
            TagSpecifications=spec("instance", tags) + spec("volume", tags),
        )
        wrong_type = False
    for instance_type in ref.nat_instances:  # the Case labs' NAT instance, in a public subnet
        (nat,) = ec2.run_instances(
            ImageId=image, InstanceType=instance_type, MinCount=1, MaxCount=1,
            SubnetId=subnets["Public"][0][0],
            TagSpecifications=spec("instance", tags) + spec("volume", tags),
        )["Instances"]  # fmt: skip
        ec2.modify_instance_attribute(
            InstanceId=nat["InstanceId"], SourceDestCheck={"Value": False}
        )
    autoscaling, elbv2 = session.client("autoscaling"), session.client("elbv2")
    for n, wanted in enumerate(ref.groups):
        template_id = ec2.create_launch_template(
            LaunchTemplateName=f"lt-{n}",
            LaunchTemplateData={
                "ImageId": image,
                "InstanceType": "t3.large" if wrong_type else wanted["type"],
                "SecurityGroupIds": [app],
                "TagSpecifications": spec("instance", tags) + spec("volume", tags),
            },
            TagSpecifications=spec(
                "launch-template", {"Name": f"lt-{n}"} if mistake == "untagged-template" else tags
            ),
        )["LaunchTemplate"]["LaunchTemplateId"]
        wrong_type = False
        target_groups = []
        if wanted["balanced"]:
            target_groups = [
                elbv2.create_target_group(
                    Name=f"tg-{n}", Protocol="HTTP", Port=80, VpcId=vpc, Tags=tag_list
                )["TargetGroups"][0]["TargetGroupArn"]
            ]
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=f"asg-{n}",
            LaunchTemplate={"LaunchTemplateId": template_id, "Version": "1"},
            MinSize=wanted["min"],
            MaxSize=wanted["max"],
            DesiredCapacity=wanted["min"],
            VPCZoneIdentifier=",".join(in_azs("Private", wanted["azs"])),
            TargetGroupARNs=target_groups,
            Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in tags.items()],
        )
    for n, wanted in enumerate(ref.load_balancers):
        tier = "Private" if wanted["scheme"] == "internal" else "Public"
        elbv2.create_load_balancer(
            Name=f"alb-{n}",
            Subnets=in_azs(tier, wanted["azs"]),
            SecurityGroups=[web],
            Scheme=wanted["scheme"],
            Tags=tag_list,
        )
    rds = session.client("rds")
    if ref.databases:
        rds.create_db_subnet_group(
            DBSubnetGroupName="db",
            DBSubnetGroupDescription="db",
            SubnetIds=[s for s, _ in subnets["Private"]],
        )
    sources: List[str] = []
    for n, wanted in enumerate(d for d in ref.databases if not d["replica"]):
        rds.create_db_instance(
            DBInstanceIdentifier=f"db-{n}",
            Engine=wanted["engine"],
            DBInstanceClass="db.t3.large" if wrong_type else wanted["class"],
            AllocatedStorage=20,
            MasterUsername="lab",
            MasterUserPassword="moto-only-password",  # never deployed
            DBSubnetGroupName="db",
            VpcSecurityGroupIds=[data],
            MultiAZ=wanted["multi_az"] and mistake != "missing-az",
            Tags=tag_list,
        )
        wrong_type = False
        sources.append(f"db-{n}")
    for n, wanted in enumerate(d for d in ref.databases if d["replica"]):
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=f"replica-{n}",
            SourceDBInstanceIdentifier=sources[0],
            DBInstanceClass=wanted["class"],
            Tags=tag_list,
        )
    cache = session.client("elasticache")
    for n, wanted in enumerate(ref.caches):
        cache.create_replication_group(
            ReplicationGroupId=f"cache-{n}",
            ReplicationGroupDescription="lab cache",
            CacheNodeType=wanted["type"],
            Engine=wanted["engine"],
            NumCacheClusters=wanted["nodes"],
            # moto 5.2.5 makes one node whatever NumCacheClusters says, unless told replicas
            **({"ReplicasPerNodeGroup": wanted["nodes"] - 1} if wanted["nodes"] > 1 else {}),
            SecurityGroupIds=[data],
            Tags=tag_list,
        )


#: The module's clients, one per service (a new session parses botocore's service models
#: again, ~1 s): each test's fresh moto answers them.
CLIENTS = Clients(REGION)


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # A launch template's volume tags on the volumes of what an Auto Scaling group launches,
    # as AWS puts them (moto 5.2.5 does not; the emulator's fix, for these tests only).
    monkeypatch.setattr(InstanceBackend, "run_instances", launch_template_volume_tags.run_instances)
    with mock_aws():
        yield CLIENTS


def checks_of(session: Any, template: Dict[str, Any], tags: Dict[str, str]) -> Dict[str, Any]:
    (vpc_ref,) = extract(template).vpcs
    vpc = find_vpc(session.client("ec2"), tags, vpc_ref.name)
    assert vpc is not None
    return {c.name: c for c in audit(template, read_account(session.client, vpc, tags), tags)}


def template_of(app, lab_id: str) -> Dict[str, Any]:
    if lab_id not in app.templates:
        pytest.skip(f"{lab_id} not synthesized (WEEK5_TEST_LABS)")
    return app.templates[lab_id]


VPC_LABS = [lab.lab_id for lab in CATALOG if lab.lab_id != "Day2Lab2"]


def expected_failures(template: Dict[str, Any], mistake: str) -> set:
    ref = reference(template)
    if mistake == "cidr":
        return {"vpc-cidr", "subnets"}
    if mistake == "ssh":
        return {"ssh-rdp-from-internet"}
    if mistake == "db-open":
        return {"databases-from-groups-only"}
    if mistake == "type":
        # A stand-alone instance of another type is also one the lab does not run.
        return {"instance-types"} | ({"unexpected-resources"} if ref.instance_types else set())
    spread = ref.load_balancers or any(d["multi_az"] for d in ref.databases)
    return (
        {"subnets"}
        | ({"auto-scaling"} if ref.groups else set())
        | ({"multi-az"} if spread else set())
    )


def applicable(lab_id: str, mistake: str, template: Dict[str, Any]) -> bool:
    ref = reference(template)
    if mistake == "db-open":
        return bool(ref.databases or ref.caches)
    if mistake == "missing-az":
        return len({az for _, _, az in ref.subnets}) > 1
    return True


@pytest.mark.parametrize("lab_id", VPC_LABS)
def test_a_hand_build_of_the_reference_passes_every_check(session, app, lab_id):
    template = template_of(app, lab_id)
    tags = lab_tags(lab_id)
    build(session, template, tags)
    checks = checks_of(session, template, tags)
    assert [str(c) for c in checks.values() if not c.passed] == []


#: One lab or more of each kind (Lab1, Lab2, Case, Challenge) and of each build: stand-alone
#: instances, a two-AZ network, RDS, ElastiCache, ALB with Auto Scaling, everything together.
MISTAKE_LABS = [
    "Day1Lab1",
    "Day1Lab2",
    "Day3Lab1",
    "Day3Lab2",
    "Day2Case",
    "Day4Lab1",
    "Day4Challenge",
    "Day5Challenge",
]


MISTAKES = ["cidr", "ssh", "db-open", "missing-az", "type"]
#: What a lab cannot get wrong: it has no database or cache, or only one AZ.
NOT_APPLICABLE = {
    ("Day1Lab1", "db-open"),
    ("Day1Lab1", "missing-az"),
    ("Day1Lab2", "db-open"),
    ("Day4Lab1", "db-open"),
}


def test_the_mistakes_left_out_are_the_ones_a_lab_cannot_make(app):
    for lab_id in MISTAKE_LABS:
        template = template_of(app, lab_id)
        for mistake in MISTAKES:
            expected = (lab_id, mistake) not in NOT_APPLICABLE
            assert applicable(lab_id, mistake, template) == expected, (lab_id, mistake)


@pytest.mark.parametrize(
    "lab_id, mistake",
    [(lab, m) for lab in MISTAKE_LABS for m in MISTAKES if (lab, m) not in NOT_APPLICABLE],
)
def test_each_typical_mistake_fails_its_check(session, app, lab_id, mistake):
    template = template_of(app, lab_id)
    tags = lab_tags(lab_id)
    build(session, template, tags, mistake)
    checks = checks_of(session, template, tags)
    failed = {name for name, c in checks.items() if not c.passed}
    assert failed == expected_failures(template, mistake), [str(c) for c in checks.values()]


def untag(session: Any, kind: str, tags: Dict[str, str]) -> str:
    """Take the course's tags off the lab's one resource of ``kind`` (as the tags check names
    it), as a student who forgot them leaves it; its id or name."""
    ec2, elbv2 = session.client("ec2"), session.client("elbv2")
    if kind == "launch template":  # built untagged: moto's DeleteTags leaves a template's own
        (found,) = ec2.describe_launch_templates()["LaunchTemplates"]
        return found["LaunchTemplateId"]
    if kind == "Elastic IP":
        (found,) = ec2.describe_addresses()["Addresses"]
        ec2.delete_tags(Resources=[found["AllocationId"]], Tags=[{"Key": k} for k in tags])
        return found["AllocationId"]
    if kind == "load balancer":
        (found,) = elbv2.describe_load_balancers()["LoadBalancers"]
        arn, name = found["LoadBalancerArn"], found["LoadBalancerName"]
    else:
        (found,) = elbv2.describe_target_groups()["TargetGroups"]
        arn, name = found["TargetGroupArn"], found["TargetGroupName"]
    elbv2.remove_tags(ResourceArns=[arn], TagKeys=list(tags))
    return name


@pytest.mark.parametrize("kind", ["launch template", "Elastic IP", "load balancer", "target group"])
def test_what_a_group_balancer_or_nat_gateway_uses_is_checked_for_tags(session, app, kind):
    """The launch template of the lab's Auto Scaling group, its load balancer and target group,
    its NAT gateway's Elastic IP: each left untagged fails the tags check, named, and the line
    says what the check read."""
    template = template_of(app, "Day4Lab1")
    tags = lab_tags("Day4Lab1")
    build(session, template, tags, "untagged-template" if kind == "launch template" else "")
    resource = untag(session, kind, tags)
    checks = checks_of(session, template, tags)
    assert {n for n, c in checks.items() if not c.passed} == {"tags"}, [
        str(c) for c in checks.values()
    ]
    evidence = checks["tags"].evidence
    assert evidence.startswith(f"{kind} {resource} lacks Week/Day/Lab/Student (of the "), evidence
    assert f" {kind}, " in evidence or evidence.endswith(f" {kind})"), evidence


def test_a_resource_tagged_for_another_student_fails_the_tags_check(session, app):
    """A subnet in kim's lab tagged Student=lee (a valid name, so only the lab's tags tell):
    the tags check fails and names it, and only that check."""
    template = template_of(app, "Day1Lab1")
    tags = lab_tags("Day1Lab1")
    build(session, template, tags)
    ec2 = session.client("ec2")
    (subnet,) = [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "tag:Student", "Values": ["kim"]}])["Subnets"]]  # fmt: skip
    ec2.create_tags(Resources=[subnet], Tags=[{"Key": "Student", "Value": "lee"}])
    checks = checks_of(session, template, tags)
    assert {n for n, c in checks.items() if not c.passed} == {"tags"}, [
        str(c) for c in checks.values()
    ]
    evidence = checks["tags"].evidence
    assert evidence.startswith(f"subnet {subnet} has Student='lee', not the course's (of "), evidence


def test_rdp_from_the_internet_fails_like_ssh(session, app):
    template = template_of(app, "Day1Lab1")
    tags = lab_tags("Day1Lab1")
    build(session, template, tags)
    ec2 = session.client("ec2")
    (group,) = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["app"]}]
    )["SecurityGroups"]
    rdp = {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
           "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}  # fmt: skip
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rdp])
    checks = checks_of(session, template, tags)
    assert {n for n, c in checks.items() if not c.passed} == {"ssh-rdp-from-internet"}, [
        str(c) for c in checks.values()
    ]
    assert checks["ssh-rdp-from-internet"].evidence == (
        f"{group['GroupId']} (app) admits 3389 from 0.0.0.0/0"
    )


def test_a_balanced_labs_group_outside_its_target_group_fails_auto_scaling(session, app):
    """Day4Lab1's group puts its instances behind the load balancer's target group: a group
    built without it (TargetGroupARNs left empty) fails auto-scaling, saying so."""
    template = template_of(app, "Day4Lab1")
    tags = lab_tags("Day4Lab1")
    build(session, template, tags)
    autoscaling = session.client("autoscaling")
    (group,) = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
    autoscaling.detach_load_balancer_target_groups(
        AutoScalingGroupName=group["AutoScalingGroupName"],
        TargetGroupARNs=group["TargetGroupARNs"],
    )
    checks = checks_of(session, template, tags)
    assert {n for n, c in checks.items() if not c.passed} == {"auto-scaling"}, [
        str(c) for c in checks.values()
    ]
    assert checks["auto-scaling"].evidence == (
        f"{group['AutoScalingGroupName']}: not behind a load balancer's target group"
    )


def site(session: Any, tags: Dict[str, str], mistake: str = "") -> str:
    """Day 2's static site by hand: a private bucket behind a CloudFront distribution."""
    s3 = session.client("s3")
    bucket = "kim-day2-site"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
    )
    # A new bucket has all four Block Public Access settings on (AWS's default since 2023).
    block = dict.fromkeys(BLOCK_PUBLIC_ACCESS_SETTINGS, True)
    public_action = {"public-policy": "s3:GetObject", "course": "s3:GetObject",
                     "public-put": "s3:PutObject"}.get(mistake)  # fmt: skip
    if public_action:  # a public policy needs the two policy settings off
        block.update(BlockPublicPolicy=False, RestrictPublicBuckets=False)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    if mistake == "no-block":  # the setting deleted: all four off
        s3.delete_public_access_block(Bucket=bucket)
    if public_action:
        policy = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": public_action,
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ]
        }
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    if mistake in ("website", "course"):
        s3.put_bucket_website(
            Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
        )
    if mistake != "no-distribution":
        cloudfront = session.client("cloudfront", region_name="us-east-1")
        config = {
            "CallerReference": "kim",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "allow-all" if mistake == "http" else "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
        cloudfront.create_distribution_with_tags(
            DistributionConfigWithTags={
                "DistributionConfig": config,
                "Tags": {"Items": [{"Key": k, "Value": v} for k, v in tags.items()]},
            }
        )
    return bucket


def private_reference(template: Dict[str, Any]) -> Dict[str, Any]:
    """Day2Lab2's template with its bucket made private (no website, Block Public Access all
    on, no public policy): a static site as a lab without the course's step 1 would have it."""
    private = copy.deepcopy(template)
    for logical_id, resource in list(private["Resources"].items()):
        if resource["Type"] == "AWS::S3::Bucket":
            resource["Properties"].pop("WebsiteConfiguration", None)
            resource["Properties"]["PublicAccessBlockConfiguration"] = {
                k: True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                  "RestrictPublicBuckets")
            }  # fmt: skip
        elif resource["Type"] == "AWS::S3::BucketPolicy":
            del private["Resources"][logical_id]
    return private


@pytest.mark.parametrize(
    "reference, mistake, failing, evidence",
    [
        # Day2Lab2 as the course's step 1 makes it: a public-read website bucket.
        ("course", "course", set(), "open no more than the lab's (a website endpoint; "
         "s3:GetObject to anyone)"),
        ("course", "", set(), "open no more than the lab's"),  # more private than the lab
        ("course", "public-put", {"s3-buckets"}, "allows s3:PutObject to anyone"),
        ("course", "no-distribution", {"cloudfront"}, "0 distribution(s) tagged for the lab"),
        ("course", "http", {"cloudfront"}, "serves plain HTTP"),
        ("course", "no-block", {"s3-buckets"}, "has no bucket-level setting (the account's may "
         "still block), so turns off Block Public Access (BlockPublicAcls, IgnorePublicAcls)"),
        # A private site's reference: any opening is a mistake.
        ("private", "", set(), "private, as the lab"),
        ("private", "public-policy", {"s3-buckets"}, "allows s3:GetObject to anyone"),
        ("private", "website", {"s3-buckets"}, "serves a public website endpoint"),
    ],
    ids=["as the course", "more private", "public put", "no CloudFront", "plain HTTP",
         "Block Public Access deleted",
         "private exact", "private with a public policy", "private with website hosting"],
)  # fmt: skip
def test_the_static_site_without_a_vpc(session, app, reference, mistake, failing, evidence):
    """A student who builds Day2Lab2 as the course says passes (on AWS the audit failed the
    instructor's own deployment: it held every bucket to a private one)."""
    template = template_of(app, "Day2Lab2")
    if reference == "private":
        template = private_reference(template)
    tags = lab_tags("Day2Lab2")
    site(session, tags, mistake)
    checks = {c.name: c for c in audit_site(template, session.client, tags)}
    assert {n for n, c in checks.items() if not c.passed} == failing, [
        str(c) for c in checks.values()
    ]
    assert any(evidence in c.evidence for c in checks.values()), [str(c) for c in checks.values()]


def tagged_bucket(session: Any, name: str, tags: Dict[str, str]) -> None:
    s3 = session.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(
        Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
    )


def test_a_bucket_the_distribution_does_not_serve_is_named_as_extra(session, app):
    """A hand-made bucket tagged for the lab beside the site: the distribution serves the site
    bucket only, so the evidence names that one, and the extra is named as beyond the lab."""
    template = template_of(app, "Day2Lab2")
    tags = lab_tags("Day2Lab2")
    bucket = site(session, tags)
    tagged_bucket(session, "week5-day2-kim-extra", tags)
    checks = {c.name: c for c in audit_site(template, session.client, tags)}
    cloudfront = session.client("cloudfront", region_name="us-east-1")
    (distribution,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert checks["cloudfront"].passed
    assert checks["cloudfront"].evidence == f"{distribution['Id']} serves {bucket} over HTTPS"
    extra = checks["unexpected-resources"]
    assert not extra.passed
    assert extra.evidence.startswith("bucket week5-day2-kim-extra ($"), extra.evidence
    assert bucket not in extra.evidence
    assert "2 bucket(s) tagged for the lab; the lab has 1" in checks["s3-buckets"].evidence


def distribution(session: Any, tags: Dict[str, str], domain: str, **config: Any) -> str:
    """A distribution tagged ``tags`` in front of the custom origin ``domain``, HTTPS only
    (``config`` adds to or replaces its configuration); its id."""
    cloudfront = session.client("cloudfront", region_name="us-east-1")
    return cloudfront.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": {
            "CallerReference": domain, "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "origin", "DomainName": domain,
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                       "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "origin", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
            **config,
        },
        "Tags": {"Items": [{"Key": k, "Value": v} for k, v in tags.items()]},
    })["Distribution"]["Id"]  # fmt: skip


def test_an_extra_distribution_is_named(session, app):
    """A second distribution tagged for the lab: the one that serves no bucket of the lab is
    named, with what it costs at the use `week5 cost` assumes."""
    template = template_of(app, "Day2Lab2")
    tags = lab_tags("Day2Lab2")
    site(session, tags)
    cloudfront = session.client("cloudfront", region_name="us-east-1")
    (lab_distribution,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    other = distribution(session, tags, "app.example.com")
    checks = {c.name: c for c in audit_site(template, session.client, tags)}
    extra = checks["unexpected-resources"]
    assert not extra.passed
    assert extra.evidence.startswith(f"distribution {other} ($0.0120/h"), extra.evidence
    assert lab_distribution["Id"] not in extra.evidence


@pytest.mark.parametrize(
    "domain",
    ["kim-day2-site.s3proxy.example.com", "kim-day2-site.s3.amazonaws.com.example.com"],
    ids=["a host named like the bucket", "an S3 name inside another domain"],
)
def test_only_an_origin_that_is_the_buckets_endpoint_serves_it(session, app, domain):
    """A custom origin whose name merely starts with the bucket's does not serve the bucket."""
    template = template_of(app, "Day2Lab2")
    tags = lab_tags("Day2Lab2")
    tagged_bucket(session, "kim-day2-site", tags)
    distribution(session, tags, domain)
    checks = {c.name: c for c in audit_site(template, session.client, tags)}
    assert not checks["cloudfront"].passed
    assert "does not serve the lab's bucket" in checks["cloudfront"].evidence


def test_plain_http_on_one_path_is_not_over_https(session, app):
    """HTTPS by default but plain HTTP on a path: not "over HTTPS", the path named."""
    template = template_of(app, "Day2Lab2")
    tags = lab_tags("Day2Lab2")
    tagged_bucket(session, "kim-day2-site", tags)
    forward = {"QueryString": False, "Cookies": {"Forward": "none"}}
    behaviors = {"Quantity": 1, "Items": [{
        "PathPattern": "/img/*", "TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
        "MinTTL": 0, "ForwardedValues": forward}]}  # fmt: skip
    made = distribution(
        session, tags, f"kim-day2-site.s3.{REGION}.amazonaws.com", CacheBehaviors=behaviors
    )
    checks = {c.name: c for c in audit_site(template, session.client, tags)}
    assert not checks["cloudfront"].passed
    assert checks["cloudfront"].evidence == (
        f"{made} serves plain HTTP (viewer protocol allow-all: /img/*)"
    )


@pytest.mark.parametrize(
    "domain, bucket",
    [
        ("kim.site.s3.ap-northeast-2.amazonaws.com", "kim.site"),
        ("kim-site.s3.amazonaws.com", "kim-site"),
        ("kim-site.s3-website.ap-northeast-2.amazonaws.com", "kim-site"),
        ("kim-site.s3-website-us-east-1.amazonaws.com", "kim-site"),
        ("kim-site.s3.dualstack.ap-northeast-2.amazonaws.com", "kim-site"),
        ("my.s3.bucket.s3.amazonaws.com", "my.s3.bucket"),
        ("kim-site.s3proxy.example.com", None),
        ("week5-alb-123.ap-northeast-2.elb.amazonaws.com", None),
    ],
)
def test_the_bucket_an_origin_names(domain, bucket):
    from week5.operations.audit.static_site import origin_bucket

    assert origin_bucket(domain) == bucket
