"""All 14 labs deployed with the real CDK CLI into one moto server with week5's CloudFormation
models (week5/operations/moto_models/), each read back with boto3 against its template; then
all destroyed with one ``cdk destroy``, leaving nothing tagged for any lab.

The server is ``python -m week5.operations.moto_models.server`` (moto's, with the models loaded:
what ``week5 local`` is to start); bootstrap and deploy are ``week5 local``'s
(``week5.operations.local``). One test per lab; the labs share the emulator, so a lab's
resources are found through its own stack. moto marks ``Custom::`` resources other than
``Custom::AWS`` lookups created without running them (their Lambda needs Docker): a bucket
deployment leaves its bucket empty here.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from typing import Any, Dict, List, Mapping, Set, Tuple

import boto3
import pytest

from stacks.catalog import CATALOG
from week5.analysis.assembly import read_labs, referenced_ids
from week5.operations.cleanup import Cleaner

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")

REGION = "ap-northeast-2"
#: What the emulator still skips, per lab (no moto model, none added yet); the rest is created.
SKIPPED = {
    "Day1Lab1": {},
    "Day1Lab2": {},
    "Day1Case": {},
    "Day2Lab1": {"AWS::Scheduler::Schedule": 1},
    "Day2Lab2": {},
    "Day2Case": {
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
    },
    "Day3Lab1": {},
    "Day3Lab2": {},
    "Day3Case": {
        "AWS::ApiGatewayV2::Integration": 1,
        "AWS::ApiGatewayV2::Route": 1,
        "AWS::ApiGatewayV2::Stage": 1,
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
    },
    "Day4Lab1": {"AWS::AutoScaling::ScalingPolicy": 1, "AWS::EC2::SecurityGroupEgress": 1},
    "Day4Challenge": {"AWS::AutoScaling::ScalingPolicy": 2, "AWS::EC2::SecurityGroupEgress": 2},
    "Day4Case": {
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
    },
    "Day5Lab1": {
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
        "AWS::SNS::TopicPolicy": 1,
    },
    "Day5Challenge": {
        "AWS::AutoScaling::ScalingPolicy": 1,
        "AWS::EC2::SecurityGroupEgress": 1,
        "AWS::SNS::TopicPolicy": 1,
    },
}


# --- the emulator ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator(emulated_labs) -> Tuple[Any, Dict[str, str]]:
    """The session's emulator with every lab deployed; (emulator, the CLI's environment)."""
    return emulated_labs.emulator, emulated_labs.env


@pytest.fixture(scope="module")
def aws(emulator):
    """``aws(service)``: a boto3 client of the emulator, made once per service and region for
    the module (the tests asked for 243, 6 ms of CPU each to make; a client holds no state)."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    endpoint = emulator[0].endpoint

    @functools.lru_cache(maxsize=None)
    def client(service: str, region: str = REGION) -> Any:
        return session.client(service, endpoint_url=endpoint, region_name=region)

    return client


@pytest.fixture(scope="module")
def labs(app):
    return {lab.lab_id: lab for lab in read_labs(app.outdir)}


# --- a deployed stack against its template --------------------------------------------------


class Stack:
    """A deployed lab: its template, and each resource's physical id in the emulator."""

    def __init__(self, aws: Any, stack_name: str, template: Mapping[str, Any]) -> None:
        self.template = template
        self.resources = template["Resources"]
        pages = aws("cloudformation").get_paginator("list_stack_resources")
        self.physical = {
            s["LogicalResourceId"]: s["PhysicalResourceId"]
            for page in pages.paginate(StackName=stack_name)
            for s in page["StackResourceSummaries"]
            if s.get("LogicalResourceId")
        }

    def of_type(self, cloudformation_type: str) -> List[Tuple[str, Dict[str, Any]]]:
        return [
            (k, r.get("Properties", {}))
            for k, r in self.resources.items()
            if r["Type"] == cloudformation_type
        ]

    def ids(self, cloudformation_type: str) -> List[str]:
        return [self.physical[k] for k, _ in self.of_type(cloudformation_type)]

    def ref(self, value: Any) -> Any:
        """The physical id a ``Ref`` (or a ``GetAtt`` of an id: GroupId, Arn) names."""
        if isinstance(value, dict) and "Ref" in value:
            return self.physical[value["Ref"]]
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return self.physical[value["Fn::GetAtt"][0]]
        return value

    def refs(self, values: Any) -> Set[str]:
        return {self.ref(v) for v in values or []}

    def skipped(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for k, r in self.resources.items():
            if r["Type"] != "AWS::CDK::Metadata" and k not in self.physical:
                counts[r["Type"]] = counts.get(r["Type"], 0) + 1
        return counts


def check_subnets_and_routes(aws, s: Stack) -> None:
    ec2 = aws("ec2")
    subnets = (
        {
            x["SubnetId"]: x
            for x in ec2.describe_subnets(SubnetIds=s.ids("AWS::EC2::Subnet"))["Subnets"]
        }
        if s.ids("AWS::EC2::Subnet")
        else {}
    )
    for logical_id, p in s.of_type("AWS::EC2::Subnet"):
        subnet = subnets[s.physical[logical_id]]
        assert (subnet["CidrBlock"], subnet["AvailabilityZone"], subnet["VpcId"]) == (
            p["CidrBlock"],
            p["AvailabilityZone"],
            s.ref(p["VpcId"]),
        ), logical_id
    for logical_id, p in s.of_type("AWS::EC2::VPC"):
        (vpc,) = ec2.describe_vpcs(VpcIds=[s.physical[logical_id]])["Vpcs"]
        assert vpc["CidrBlock"] == p["CidrBlock"], logical_id
    tables = (
        {
            t["RouteTableId"]: t
            for t in ec2.describe_route_tables(RouteTableIds=s.ids("AWS::EC2::RouteTable"))[
                "RouteTables"
            ]
        }
        if s.ids("AWS::EC2::RouteTable")
        else {}
    )
    for logical_id, p in s.of_type("AWS::EC2::Route"):
        table = tables[s.ref(p["RouteTableId"])]
        (route,) = [
            r for r in table["Routes"] if r.get("DestinationCidrBlock") == p["DestinationCidrBlock"]
        ]
        targets = {
            k: s.ref(v)
            for k, v in p.items()
            if k in ("GatewayId", "NatGatewayId", "InstanceId", "NetworkInterfaceId")
        }
        assert {k: route.get(k) for k in targets} == targets, logical_id
    for logical_id, p in s.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        table = tables[s.ref(p["RouteTableId"])]
        assert (s.physical[logical_id], s.ref(p["SubnetId"])) in [
            (a["RouteTableAssociationId"], a.get("SubnetId")) for a in table["Associations"]
        ], logical_id


def _rule(protocol: Any, from_port: Any, to_port: Any, source: str) -> Tuple[str, Any, Any, str]:
    protocol = str(protocol)
    if protocol == "-1":
        return ("-1", None, None, source)
    return (protocol, int(from_port), int(to_port), source)


def _custom_output(aws, s: Stack, value: Any) -> Any:
    """What an ``AwsCustomResource``'s ``Fn::GetAtt`` gives: its call made here with boto3."""
    if not (isinstance(value, dict) and "Fn::GetAtt" in value):
        return value
    target, path = value["Fn::GetAtt"]
    call = json.loads(s.resources[target]["Properties"]["Create"])
    client = aws(call["service"].rsplit("client-", 1)[-1].lower())
    action = re.sub(r"(?<!^)(?=[A-Z])", "_", call["action"]).lower()
    answer: Any = getattr(client, action)(**call.get("parameters", {}))
    for key in path.split("."):
        answer = answer[int(key)] if isinstance(answer, list) else answer[key]
    return answer


def _port(aws, s: Stack, value: Any) -> Any:
    """A port the template gives, or takes from a database's or cache's endpoint."""
    if not (isinstance(value, dict) and "Fn::GetAtt" in value):
        return value
    target, attribute = value["Fn::GetAtt"]
    if attribute == "Endpoint.Port":
        (db,) = aws("rds").describe_db_instances(DBInstanceIdentifier=s.physical[target])[
            "DBInstances"
        ]
        return db["Endpoint"]["Port"]
    if attribute == "PrimaryEndPoint.Port":
        (group,) = aws("elasticache").describe_replication_groups(
            ReplicationGroupId=s.physical[target]
        )["ReplicationGroups"]
        return group["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    raise AssertionError(f"no reader for the port {value}")


def check_security_groups(aws, s: Stack) -> None:
    groups = s.of_type("AWS::EC2::SecurityGroup")
    if not groups:
        return
    expected: Dict[str, Set[Tuple]] = {s.physical[k]: set() for k, _ in groups}
    separate = [p for _, p in s.of_type("AWS::EC2::SecurityGroupIngress")]
    for logical_id, p in groups:
        for r in p.get("SecurityGroupIngress", []) + [
            x for x in separate if s.ref(x.get("GroupId")) == s.physical[logical_id]
        ]:
            source = (
                r.get("CidrIp")
                or r.get("CidrIpv6")
                or s.ref(r.get("SourceSecurityGroupId"))
                or _custom_output(aws, s, r.get("SourcePrefixListId"))
            )
            ports = (_port(aws, s, r.get("FromPort")), _port(aws, s, r.get("ToPort")))
            expected[s.physical[logical_id]].add(_rule(r["IpProtocol"], *ports, source))
    described = aws("ec2").describe_security_groups(GroupIds=list(expected))["SecurityGroups"]
    vpcs = {s.physical[k]: s.ref(p.get("VpcId")) for k, p in groups}
    for group in described:
        actual = set()
        for perm in group["IpPermissions"]:
            sources = (
                [r["CidrIp"] for r in perm.get("IpRanges", [])]
                + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
                + [g["GroupId"] for g in perm.get("UserIdGroupPairs", [])]
                + [p["PrefixListId"] for p in perm.get("PrefixListIds", [])]
            )
            for source in sources:
                actual.add(
                    _rule(perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"), source)
                )
        assert actual == expected[group["GroupId"]], group["GroupName"]
        assert group["VpcId"] == vpcs[group["GroupId"]], group["GroupName"]


def check_instances_and_scaling(aws, s: Stack) -> None:
    ids = s.ids("AWS::EC2::Instance")
    if ids:
        reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
        found = {i["InstanceId"]: i for r in reservations for i in r["Instances"]}
        for logical_id, p in s.of_type("AWS::EC2::Instance"):
            instance = found[s.physical[logical_id]]
            nic = (p.get("NetworkInterfaces") or [{}])[0]
            assert instance["State"]["Name"] == "running", logical_id
            assert instance["InstanceType"] == p["InstanceType"], logical_id
            assert instance["SubnetId"] == s.ref(p.get("SubnetId") or nic.get("SubnetId")), (
                logical_id
            )
            assert {g["GroupId"] for g in instance["NetworkInterfaces"][0]["Groups"]} == s.refs(
                p.get("SecurityGroupIds") or nic.get("GroupSet")
            ), logical_id
            assert instance["SourceDestCheck"] == p.get("SourceDestCheck", True), logical_id
            assert bool(instance.get("PublicIpAddress")) == bool(
                nic.get("AssociatePublicIpAddress")
            ), logical_id
    names = s.ids("AWS::AutoScaling::AutoScalingGroup")
    if names:
        found = {
            g["AutoScalingGroupName"]: g
            for g in aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=names)[
                "AutoScalingGroups"
            ]
        }
        for logical_id, p in s.of_type("AWS::AutoScaling::AutoScalingGroup"):
            group = found[s.physical[logical_id]]
            assert (group["MinSize"], group["MaxSize"]) == (int(p["MinSize"]), int(p["MaxSize"])), (
                logical_id
            )
            if "DesiredCapacity" in p:
                assert group["DesiredCapacity"] == int(p["DesiredCapacity"]), logical_id
            assert set(group["VPCZoneIdentifier"].split(",")) == s.refs(p["VPCZoneIdentifier"]), (
                logical_id
            )
            assert set(group["TargetGroupARNs"]) == s.refs(p.get("TargetGroupARNs")), logical_id
            assert len(group["Instances"]) == group["DesiredCapacity"], logical_id


def check_load_balancers(aws, s: Stack) -> None:
    arns = s.ids("AWS::ElasticLoadBalancingV2::LoadBalancer")
    if not arns:
        return
    elbv2 = aws("elbv2")
    found = {
        lb["LoadBalancerArn"]: lb
        for lb in elbv2.describe_load_balancers(LoadBalancerArns=arns)["LoadBalancers"]
    }
    for logical_id, p in s.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        lb = found[s.physical[logical_id]]
        assert lb["Scheme"] == p.get("Scheme", "internet-facing"), logical_id
        assert {z["SubnetId"] for z in lb["AvailabilityZones"]} == s.refs(p["Subnets"]), logical_id
        assert set(lb["SecurityGroups"]) == s.refs(p["SecurityGroups"]), logical_id
    for logical_id, p in s.of_type("AWS::ElasticLoadBalancingV2::Listener"):
        listeners = elbv2.describe_listeners(LoadBalancerArn=s.ref(p["LoadBalancerArn"]))[
            "Listeners"
        ]
        assert (p["Protocol"], p["Port"]) in [(x["Protocol"], x["Port"]) for x in listeners], (
            logical_id
        )
    for logical_id, p in s.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        (group,) = elbv2.describe_target_groups(TargetGroupArns=[s.physical[logical_id]])[
            "TargetGroups"
        ]
        assert (group["Protocol"], group["Port"]) == (p["Protocol"], p["Port"]), logical_id
        if "HealthCheckPath" in p:
            assert group["HealthCheckPath"] == p["HealthCheckPath"], logical_id


def check_databases(aws, s: Stack) -> None:
    rds = aws("rds")
    for logical_id, p in s.of_type("AWS::RDS::DBInstance"):
        (db,) = rds.describe_db_instances(DBInstanceIdentifier=s.physical[logical_id])[
            "DBInstances"
        ]
        assert len(db["DBInstanceIdentifier"]) <= 63, logical_id
        if "SourceDBInstanceIdentifier" in p:  # a read replica: engine and storage are its source's
            (source,) = [
                r for r in referenced_ids(p["SourceDBInstanceIdentifier"]) if r in s.resources
            ]
            assert db["ReadReplicaSourceDBInstanceIdentifier"].endswith(s.physical[source]), (
                logical_id
            )
            p = {**s.resources[source]["Properties"], **p, "MultiAZ": p.get("MultiAZ", False)}
        if "AvailabilityZone" in p:
            assert db["AvailabilityZone"] == p["AvailabilityZone"], logical_id
        assert (db["Engine"], db["DBInstanceClass"]) == (p["Engine"], p["DBInstanceClass"]), (
            logical_id
        )
        assert db["MultiAZ"] == p.get("MultiAZ", False), logical_id
        assert db["StorageEncrypted"] == p.get("StorageEncrypted", False), logical_id
        assert db["AllocatedStorage"] == int(p["AllocatedStorage"]), logical_id
        if "DBSubnetGroupName" in p:
            # The group by its name (its Ref, as on AWS), and its subnets.
            group_id = p["DBSubnetGroupName"]["Ref"]
            assert db["DBSubnetGroup"]["DBSubnetGroupName"] == s.physical[group_id], logical_id
            group = s.resources[group_id]["Properties"]
            assert {x["SubnetIdentifier"] for x in db["DBSubnetGroup"]["Subnets"]} == s.refs(
                group["SubnetIds"]
            ), logical_id
        assert {g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]} == s.refs(
            p.get("VPCSecurityGroups")
        ), logical_id


def check_caches(aws, s: Stack) -> None:
    elasticache = aws("elasticache")
    for logical_id, p in s.of_type("AWS::ElastiCache::SubnetGroup"):
        (group,) = elasticache.describe_cache_subnet_groups(
            CacheSubnetGroupName=s.physical[logical_id]
        )["CacheSubnetGroups"]
        assert {x["SubnetIdentifier"] for x in group["Subnets"]} == s.refs(p["SubnetIds"]), (
            logical_id
        )
    for logical_id, p in s.of_type("AWS::ElastiCache::ReplicationGroup"):
        (group,) = elasticache.describe_replication_groups(
            ReplicationGroupId=s.physical[logical_id]
        )["ReplicationGroups"]
        assert group["CacheNodeType"] == p["CacheNodeType"], logical_id
        assert len(group["MemberClusters"]) == int(p.get("NumCacheClusters", 1)), logical_id
        assert group["TransitEncryptionEnabled"] == p.get("TransitEncryptionEnabled", False), (
            logical_id
        )
        assert group["AtRestEncryptionEnabled"] == p.get("AtRestEncryptionEnabled", False), (
            logical_id
        )
        assert group["MultiAZ"] == ("enabled" if p.get("MultiAZEnabled") else "disabled"), (
            logical_id
        )
        assert group["AutomaticFailover"] == (
            "enabled" if p.get("AutomaticFailoverEnabled") else "disabled"
        ), logical_id
        # moto leaves SubnetAvailabilityZone empty: the AZs are the template's subnets'.
        (subnets,) = [
            q["SubnetIds"]
            for k, q in s.of_type("AWS::ElastiCache::SubnetGroup")
            if s.physical[k] == s.ref(p["CacheSubnetGroupName"])
        ]
        azs = {
            x["AvailabilityZone"]
            for x in aws("ec2").describe_subnets(SubnetIds=list(s.refs(subnets)))["Subnets"]
        }
        nodes = group["NodeGroups"][0]["NodeGroupMembers"]
        assert {n["PreferredAvailabilityZone"] for n in nodes} <= azs, logical_id


def check_distributions(aws, s: Stack) -> None:
    cloudfront = aws("cloudfront", "us-east-1")
    for logical_id, p in s.of_type("AWS::CloudFront::Distribution"):
        config = p["DistributionConfig"]
        distribution = cloudfront.get_distribution(Id=s.physical[logical_id])["Distribution"]
        actual = distribution["DistributionConfig"]
        assert actual["Enabled"] == config["Enabled"], logical_id
        assert actual["DefaultRootObject"] == config.get("DefaultRootObject", ""), logical_id
        origins = {o["Id"]: o for o in actual["Origins"]["Items"]}
        assert set(origins) == {o["Id"] for o in config["Origins"]}, logical_id
        for origin in config["Origins"]:
            domain = origins[origin["Id"]]["DomainName"]
            if (
                not isinstance(origin["DomainName"], dict)
                or "Fn::GetAtt" not in origin["DomainName"]
            ):
                assert domain, logical_id
                continue
            target = origin["DomainName"]["Fn::GetAtt"][0]
            if s.resources[target]["Type"] == "AWS::S3::Bucket":
                assert domain == f"{s.physical[target]}.s3.{REGION}.amazonaws.com", logical_id
            else:  # a load balancer
                (lb,) = aws("elbv2").describe_load_balancers(LoadBalancerArns=[s.physical[target]])[
                    "LoadBalancers"
                ]
                assert domain == lb["DNSName"], logical_id
        default = actual["DefaultCacheBehavior"]
        assert (default["TargetOriginId"], default["ViewerProtocolPolicy"]) == (
            config["DefaultCacheBehavior"]["TargetOriginId"],
            config["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        ), logical_id
        assert [
            (b["PathPattern"], b["TargetOriginId"])
            for b in actual.get("CacheBehaviors", {}).get("Items", [])
        ] == [(b["PathPattern"], b["TargetOriginId"]) for b in config.get("CacheBehaviors", [])], (
            logical_id
        )


def check_secrets(aws, s: Stack, stack_name: str) -> None:
    secrets = aws("secretsmanager")
    for logical_id, p in s.of_type("AWS::SecretsManager::Secret"):
        value = secrets.get_secret_value(SecretId=s.physical[logical_id])["SecretString"]
        generate = p.get("GenerateSecretString", {})
        if "GenerateStringKey" in generate:
            assert generate["GenerateStringKey"] in value, logical_id
        if "Name" not in p:  # CloudFormation's own name, which CDK's secret_name reads back
            name = secrets.describe_secret(SecretId=s.physical[logical_id])["Name"]
            assert re.fullmatch(rf"{logical_id}-[A-Za-z0-9]{{12}}", name), (logical_id, name)
    # An output that names a secret (Day3Lab1's DbSecretName, the guide's Step 2) names one.
    (stack,) = aws("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    for output in stack.get("Outputs", []):
        if output["OutputKey"].endswith("SecretName"):
            secrets.describe_secret(SecretId=output["OutputValue"])


# --- one test per lab -----------------------------------------------------------------------


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_lab_deploys_and_the_emulator_holds_its_template(emulated_labs, aws, app, labs, lab_id):
    result = emulated_labs.results[lab_id]
    assert not isinstance(result, str), f"{lab_id}: {result}"
    s = Stack(aws, labs[lab_id].stack_name, app.templates[lab_id])
    assert s.skipped() == SKIPPED[lab_id]
    check_subnets_and_routes(aws, s)
    check_security_groups(aws, s)
    check_instances_and_scaling(aws, s)
    check_load_balancers(aws, s)
    check_databases(aws, s)
    check_caches(aws, s)
    check_distributions(aws, s)
    check_secrets(aws, s, labs[lab_id].stack_name)


# --- destroy --------------------------------------------------------------------------------


def lab_tags(lab_id: str) -> Dict[str, str]:
    day, lab = re.fullmatch(r"(Day\d)(\w+)", lab_id).groups()
    return {"Day": day, "Lab": lab, "Student": "instructor", "Week": "Week5"}


def tagged(aws) -> Dict[str, Dict[str, str]]:
    """Everything in the emulator tagged ``Week=Week5`` -> its tags: ARNs from the tagging API,
    EC2 ids from DescribeTags, IAM roles and Lambda functions (moto's tagging API lists
    neither). Instances EC2 lists as terminated and NAT gateways it lists as deleted are left out:
    AWS lists them a while too."""
    keys = list(lab_tags("Day1Lab1"))
    found: Dict[str, Dict[str, str]] = {}
    for page in (
        aws("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(TagFilters=[{"Key": "Week", "Values": ["Week5"]}])
    ):
        for m in page["ResourceTagMappingList"]:
            found[m["ResourceARN"]] = {t["Key"]: t["Value"] for t in m["Tags"]}
    ec2 = aws("ec2")
    for page in ec2.get_paginator("describe_tags").paginate(
        Filters=[{"Name": "key", "Values": keys}]
    ):
        for tag in page["Tags"]:
            found.setdefault(tag["ResourceId"], {})[tag["Key"]] = tag["Value"]
    iam = aws("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            pairs = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
            found[role["Arn"]] = {t["Key"]: t["Value"] for t in pairs}
    awslambda = aws("lambda")
    for page in awslambda.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            arn = function["FunctionArn"]
            found[arn] = awslambda.list_tags(Resource=arn)["Tags"]
    terminated = {
        i["InstanceId"]
        for page in ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["terminated"]}]
        )
        for r in page["Reservations"]
        for i in r["Instances"]
    }
    # NAT gateways EC2 lists as deleted too (hand-made ones of the shared emulator's tests)
    terminated |= {
        g["NatGatewayId"]
        for page in ec2.get_paginator("describe_nat_gateways").paginate(
            Filter=[{"Name": "state", "Values": ["deleted"]}]
        )
        for g in page["NatGateways"]
    }
    return {
        resource: tags
        for resource, tags in found.items()
        if tags.get("Week") == "Week5" and resource.rpartition("/")[2] not in terminated
    }


def tagged_for(found: Mapping[str, Mapping[str, str]], lab_id: str) -> List[str]:
    """What of ``found`` (:func:`tagged`) carries the lab's four tags."""
    tags = lab_tags(lab_id)
    return sorted(
        r for r, pairs in found.items() if all(pairs.get(k) == v for k, v in tags.items())
    )


def cdk_destroy(app, lab_ids: List[str], env: Mapping[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["cdk", "destroy", "--app", str(app.outdir), *lab_ids, "--force", "--no-notices"],
        cwd=app.outdir.parent,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def destroyed(emulated_labs, aws, app) -> Tuple[Dict, subprocess.CompletedProcess, Dict]:
    """Every deployed lab destroyed by one ``cdk destroy`` (one CLI start for all of them);
    (what was tagged before, the CLI's result, what is tagged after). Only the tests marked
    ``destroys_labs`` ask for it, and conftest runs those after every reader of the labs."""
    before = tagged(aws)
    result = cdk_destroy(app, list(emulated_labs.labs), emulated_labs.env)
    return before, result, tagged(aws)


@pytest.mark.destroys_labs
def test_one_cdk_destroy_removes_every_labs_stack(destroyed, emulated_labs, aws):
    _, result, _ = destroyed
    assert result.returncode == 0, result.stdout + result.stderr
    summaries = aws("cloudformation").get_paginator("list_stacks").paginate()
    live = {
        s["StackName"]
        for page in summaries
        for s in page["StackSummaries"]
        if s["StackStatus"] != "DELETE_COMPLETE"
    }
    assert live & {lab.stack_name for lab in emulated_labs.labs.values()} == set()


@pytest.mark.destroys_labs
@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_destroy_leaves_nothing_tagged_for_the_lab(destroyed, lab_id):
    before, _, after = destroyed
    assert tagged_for(before, lab_id), "the check finds nothing even before the destroy"
    assert tagged_for(after, lab_id) == []


@pytest.mark.destroys_labs
def test_destroy_leaves_only_what_aws_also_lists_a_while(destroyed, aws):
    """Nothing untagged stays either (interfaces, layers, log groups, ...): instances and NAT
    gateways stay listed as terminated and deleted, as on AWS for about an hour."""
    ec2 = aws("ec2")
    instances = ec2.describe_instances()["Reservations"]
    assert {i["State"]["Name"] for r in instances for i in r["Instances"]} <= {"terminated"}
    assert {n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]} <= {"deleted"}
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert ec2.describe_volumes()["Volumes"] == []
    assert ec2.describe_addresses()["Addresses"] == []
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert aws("lambda").list_layers()["Layers"] == []
    assert aws("logs").describe_log_groups()["logGroups"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert aws("rds").describe_db_instances()["DBInstances"] == []
    assert aws("rds").describe_db_snapshots()["DBSnapshots"] == []


@pytest.mark.destroys_labs
@pytest.mark.parametrize(
    "day", sorted({re.match(r"Day\d", lab_id).group() for lab_id in CATALOG.ids})
)
def test_cleanup_then_finds_nothing_of_the_day(destroyed, aws, day):
    """What `week5 local --keep` says to run after the destroy: `week5 cleanup --day DayN`."""
    cleaner = Cleaner(
        lambda service, region_name=REGION: aws(service, region_name), region=REGION, day=day
    )
    assert (cleaner.find(), cleaner.warnings) == ([], [])


def test_every_lab_has_an_expectation():
    """Every lab of the catalog is deployed above and has its skipped types written down."""
    assert set(SKIPPED) == set(CATALOG.ids)
