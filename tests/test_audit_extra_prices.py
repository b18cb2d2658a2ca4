"""`week5 audit`'s unexpected-resources check prices each resource beyond the lab as `week5
cleanup` prices the same resource, with what belongs to it. A student trial (Day1Lab2 and
Day3Lab1 on the emulator) read a hand-made NAT gateway and its Elastic IP at $0.0590/h in the
audit and $0.0640/h in cleanup (the address's public IPv4 left out), a restored database at
$0.0280/h and $0.0316/h (its storage left out); an extra instance's public IPv4 address and
volumes were left out too.

Each extra's $/h from the audit's line is compared with the sum of cleanup's lines for the
same resource and what belongs to it, and where cleanup lists several lines, the audit's
parts with those lines (an instance trial read audit $0.0322 against cleanup's instance
$0.0310 + volume $0.0012; now "(instance $0.0310 + volume $0.0012 = $0.0322/h)"): an instance with its volumes and its Elastic IP, a NAT
gateway with its Elastic IP, a database (class and storage), an Elastic IP that nothing holds,
a load balancer (with its public addresses). On moto, as the audit's tests build a lab, and on
the session's emulator, as the trial did.

Where they differ, by design (checks_extras.py says why): an Auto Scaling group beyond the lab
is priced by what it keeps running (its desired capacity of its launch type), where cleanup
prices the instances it has now, each as an instance; and cleanup counts only what carries the
day's tags, where the audit prices all that an extra holds (an untagged volume too, which the
tags check then names).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Tuple

import boto3
import pytest
import test_audit as day1
from shared_botocore import quiet_cleaner

from week5.analysis.topology import extract
from week5.core.tags import tag_filter
from week5.operations.audit import audit, find_vpc, read_account
from week5.operations.cleanup import Cleaner

REGION = day1.REGION
#: One audit entry: "<what> (<price>)", the price "$0.0123/h" or "not priced", or its parts
#: as cleanup lists them and their sum: "(instance $0.0310 + volume $0.0012 = $0.0322/h)".
PRICED = re.compile(r"\((?:([^()]*) = )?(\$\d+\.\d{4}/h|not priced)\)")
#: One part: "instance $0.0310", "Elastic IP $0.0050".
PART = re.compile(r"^(.+) \$(\d+\.\d{4})$")


def _entries(evidence: str) -> Dict[str, Any]:
    """The audit's unexpected-resources evidence, entry by entry: the id each names → the
    match of its price."""
    entries = {}
    for entry in evidence.split("; ")[:-1]:  # the last is the total
        found = PRICED.search(entry)
        assert found, entry
        words = entry.split()
        if words[0] == "RDS":  # RDS <id> <class>
            resource_id = words[1]
        elif words[0] in ("NAT", "load", "Elastic", "security", "network"):
            resource_id = words[2]  # NAT gateway, load balancer, Elastic IP, ...
        else:  # an instance: <id> <type>
            resource_id = words[0]
        entries[resource_id] = found
    return entries


def audit_prices(evidence: str) -> Dict[str, str]:
    """The audit's unexpected-resources evidence, entry by entry: the id each names → its
    price (its total) as shown."""
    return {i: found.group(2) for i, found in _entries(evidence).items()}


def audit_parts(evidence: str) -> Dict[str, List[tuple]]:
    """The id each entry names → its price's parts, sorted: [("instance", "$0.0310"), ...];
    [] for an entry priced as one figure."""
    parts = {}
    for resource_id, found in _entries(evidence).items():
        shown_parts = found.group(1).split(" + ") if found.group(1) else []
        matched = [PART.match(p) for p in shown_parts]
        assert all(matched), found.group(0)
        parts[resource_id] = sorted((m.group(1), f"${m.group(2)}") for m in matched)
    return parts


def shown(hourly: Any) -> str:
    return "not priced" if hourly is None else f"${hourly:.4f}/h"


def cleanup_price(found: Dict[str, Any], ids: Iterable[str]) -> str:
    """The sum of cleanup's lines for ``ids`` (a resource and what belongs to it), as the audit
    shows a price."""
    costs = [found[i].hourly for i in ids]
    return shown(None if None in costs else sum(costs))


#: Cleanup's kind for each part the audit names: the audit's word for it.
PART_OF_KIND = {"EC2 instance": "instance", "EBS volume": "volume", "Elastic IP": "Elastic IP",
                "NAT gateway": "NAT gateway"}  # fmt: skip


def cleanup_parts(found: Dict[str, Any], ids: Iterable[str]) -> List[tuple]:
    """Cleanup's lines for ``ids`` as the audit names them as parts, sorted."""
    return sorted((PART_OF_KIND[found[i].kind], f"${found[i].hourly:.4f}") for i in ids)


def attached_volumes(ec2: Any, instance_id: str) -> List[str]:
    volumes = ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}]
    )["Volumes"]
    return [v["VolumeId"] for v in volumes]


def instance_addresses(ec2: Any, instance_id: str) -> List[str]:
    """The allocation ids of the Elastic IPs the instance holds."""
    addresses = ec2.describe_addresses()["Addresses"]
    return [a["AllocationId"] for a in addresses if a.get("InstanceId") == instance_id]


def nat_addresses(ec2: Any, gateway_id: str) -> List[str]:
    (gateway,) = ec2.describe_nat_gateways(NatGatewayIds=[gateway_id])["NatGateways"]
    return [a["AllocationId"] for a in gateway["NatGatewayAddresses"] if a.get("AllocationId")]


# --- on moto, Day1Lab1 built as the audit's tests build it --------------------------------------


@pytest.fixture
def session(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield day1.CLIENTS


def build_extras(session: Any, vpc_id: str) -> Dict[str, str]:
    """Beyond Day1Lab1 (one t3.micro): a t3.small with a public address AWS gave it and a
    second volume, a t3.small with an Elastic IP, a NAT gateway with its Elastic IP (built by
    the audit's tests' ``nat_gateway``), an Elastic IP that nothing holds, a PostgreSQL
    database with 20 GB of gp3 and an internet-facing load balancer in two zones; each tagged
    for the lab. Their ids by kind."""
    ec2 = session.client("ec2")
    tags = day1.course_tags()
    (subnet,) = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    other = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone=f"{REGION}c",
        TagSpecifications=day1.spec("subnet", tags),
    )["Subnet"]  # fmt: skip
    image = ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]
    made = {}
    for name, public in (("public", True), ("elastic", False)):
        (instance,) = ec2.run_instances(
            ImageId=image, InstanceType="t3.small", MinCount=1, MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet["SubnetId"],
                                "AssociatePublicIpAddress": public}],
            TagSpecifications=day1.spec("instance", tags) + day1.spec("volume", tags),
        )["Instances"]  # fmt: skip
        made[name] = instance["InstanceId"]
    volume = ec2.create_volume(
        AvailabilityZone=subnet["AvailabilityZone"], Size=10, VolumeType="gp3",
        TagSpecifications=day1.spec("volume", tags),
    )["VolumeId"]  # fmt: skip
    ec2.attach_volume(VolumeId=volume, InstanceId=made["public"], Device="/dev/sdf")
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=day1.spec("elastic-ip", tags))
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=made["elastic"])
    made["unattached"] = ec2.allocate_address(
        Domain="vpc", TagSpecifications=day1.spec("elastic-ip", tags)
    )["AllocationId"]
    rds = session.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="week5-day1-extra", DBSubnetGroupDescription="extra",
        SubnetIds=[subnet["SubnetId"], other["SubnetId"]],
    )  # fmt: skip
    made["database"] = rds.create_db_instance(
        DBInstanceIdentifier="week5-kim-day1-extra", Engine="postgres",
        DBInstanceClass="db.t3.micro", AllocatedStorage=20, StorageType="gp3",
        MasterUsername="lab", MasterUserPassword="moto-only-password",
        DBSubnetGroupName="week5-day1-extra", Tags=tags,
    )["DBInstance"]["DBInstanceIdentifier"]  # fmt: skip
    made["balancer"] = session.client("elbv2").create_load_balancer(
        Name="week5-day1-extra", Subnets=[subnet["SubnetId"], other["SubnetId"]], Tags=tags,
    )["LoadBalancers"][0]["LoadBalancerName"]  # fmt: skip
    return made


def run_audit(session: Any, template: Any) -> Dict[str, Any]:
    """The audit as the command runs it: the account read with the lab's tags (an Elastic IP
    that nothing holds is the lab's by them)."""
    vpc = find_vpc(session.client("ec2"), day1.LAB_TAGS, "week5-day1-vpc")
    account = read_account(session.client, vpc, day1.LAB_TAGS)
    return {c.name: c for c in audit(template, account, day1.LAB_TAGS)}


def test_each_extra_costs_in_the_audit_what_it_costs_in_cleanup(session, app):
    vpc_id = day1.build_day1_lab1(session, {"nat_gateway": True})
    made = build_extras(session, vpc_id)
    ec2 = session.client("ec2")
    (made["nat"],) = [g["NatGatewayId"] for g in ec2.describe_nat_gateways()["NatGateways"]]
    check = run_audit(session, app.templates["Day1Lab1"])["unexpected-resources"]
    found = {f.id: f for f in quiet_cleaner(session.client, "Day1").find()}
    belongs = {
        "public": [made["public"], *attached_volumes(ec2, made["public"])],
        "elastic": [
            made["elastic"],
            *attached_volumes(ec2, made["elastic"]),
            *instance_addresses(ec2, made["elastic"]),
        ],
        "nat": [made["nat"], *nat_addresses(ec2, made["nat"])],
        "unattached": [made["unattached"]],
        "database": [made["database"]],
        "balancer": [made["balancer"]],
    }
    assert len(belongs["public"]) == 3 and len(belongs["elastic"]) == 3, belongs  # else weak
    assert len(belongs["nat"]) == 2, belongs
    expected = {made[kind]: cleanup_price(found, ids) for kind, ids in belongs.items()}
    assert audit_prices(check.evidence) == expected, check.evidence
    # Each of several parts as cleanup lists it: the instance, its Elastic IP, its volumes;
    # the NAT gateway and its Elastic IP. One figure where cleanup has one line.
    parts = audit_parts(check.evidence)
    for kind in ("public", "elastic", "nat"):
        assert parts[made[kind]] == cleanup_parts(found, belongs[kind]), check.evidence
    for kind in ("unattached", "database", "balancer"):
        assert parts[made[kind]] == [], check.evidence
    assert f"NAT gateway {made['nat']} (NAT gateway $0.0590 + Elastic IP $0.0050 = $0.0640/h)" in (
        check.evidence
    )
    # The trial's figures: the NAT gateway and its address; the database and its 20 GB.
    assert expected[made["nat"]] == "$0.0640/h"
    assert expected[made["database"]] == "$0.0316/h"
    total = sum(float(p.strip("$/h")) for p in expected.values())
    assert check.evidence.endswith(f"; ${total:.4f}/h in all"), check.evidence


def test_a_stopped_extra_instance_costs_its_volumes_only(session, app):
    """Cleanup prices a stopped instance's hour at $0 (AWS bills its volumes, and an Elastic
    IP's address, only): so does the audit."""
    day1.build_day1_lab1(session, {"instance_types": ["t3.micro", "t3.small"]})
    ec2 = session.client("ec2")
    (extra,) = [
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["InstanceType"] == "t3.small"
    ]
    ec2.stop_instances(InstanceIds=[extra])
    check = run_audit(session, app.templates["Day1Lab1"])["unexpected-resources"]
    found = {f.id: f for f in quiet_cleaner(session.client, "Day1").find()}
    volumes = attached_volumes(ec2, extra)
    assert found[extra].hourly == 0.0 and volumes
    assert audit_prices(check.evidence) == {extra: cleanup_price(found, [extra, *volumes])}
    assert audit_prices(check.evidence)[extra] == "$0.0012/h"  # 8 GB of gp2
    # cleanup's $0 instance line and its volume's, as cleanup lists them
    assert audit_parts(check.evidence)[extra] == cleanup_parts(found, [extra, *volumes])
    assert f"{extra} t3.small (instance $0.0000 + volume $0.0012 = $0.0012/h)" in check.evidence


# --- on the session's emulator, as the trial ran it ----------------------------------------------

#: The Student tag of the project's own deployment (tests/test_audit_labs.py).
STUDENT = "instructor"


@pytest.fixture(scope="module")
def emulator(emulated_labs):
    """The session's emulator (tests/emulated_labs.py): its labs, its clients, and cleanup's
    clients (by region, for the global services)."""
    boto = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )

    def clients(service: str, region_name: str = REGION) -> Any:
        return boto.client(service, endpoint_url=emulated_labs.emulator.endpoint,
                           region_name=region_name)  # fmt: skip

    return emulated_labs.labs, emulated_labs.clients, clients


def on_emulator(emulator, lab_id: str):
    labs, clients, _ = emulator
    if lab_id not in labs:
        pytest.skip(f"{lab_id} not synthesized (WEEK5_TEST_LABS)")
    lab = labs[lab_id]
    tags = tag_filter(lab.day, lab.kind, STUDENT)
    vpc = find_vpc(clients("ec2"), tags, extract(lab.template).vpcs[0].name)
    assert vpc is not None
    return lab, tags, vpc


def nat_gateway_by_hand(ec2: Any, subnet: str, tags: Dict[str, str]) -> Tuple[Dict, str]:
    """A NAT gateway and its Elastic IP made by hand in ``subnet``, tagged ``tags``: (the
    address as allocated, the gateway's id)."""
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=day1.spec("elastic-ip", tag_list))
    gateway = ec2.create_nat_gateway(
        SubnetId=subnet, AllocationId=address["AllocationId"],
        TagSpecifications=day1.spec("natgateway", tag_list),
    )["NatGateway"]["NatGatewayId"]  # fmt: skip
    return address, gateway


def load_generator(ec2: Any, image: str, subnet: str, tags: Dict[str, str]) -> str:
    """A t3.small launched by hand in ``subnet``, it and its volume tagged ``tags``: its id."""
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    (instance,) = ec2.run_instances(
        ImageId=image, InstanceType="t3.small", MinCount=1, MaxCount=1, SubnetId=subnet,
        TagSpecifications=day1.spec("instance", tag_list) + day1.spec("volume", tag_list),
    )["Instances"]  # fmt: skip
    return instance["InstanceId"]


def audited(lab: Any, clients: Any, tags: Dict[str, str], vpc: Dict[str, Any]) -> str:
    checks = audit(lab.template, read_account(clients, vpc, tags), tags)
    return {c.name: c for c in checks}["unexpected-resources"].evidence


@pytest.mark.xdist_group("emulator")
def test_day1_lab2s_hand_made_nat_gateway_and_extra_instance_on_the_emulator(emulator):
    """The trial's NAT gateway and its Elastic IP ($0.0640/h, as cleanup says), and an extra
    instance in a public subnet (its type, its public address, its root volume), each the
    same in both commands; undone after."""
    lab, tags, vpc = on_emulator(emulator, "Day1Lab2")
    _, clients, cleanup_clients = emulator
    ec2 = clients("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    public = next(s for s in subnets if s.get("MapPublicIpOnLaunch"))
    image = next(
        i["ImageId"]
        for r in ec2.describe_instances(Filters=in_vpc)["Reservations"]
        for i in r["Instances"]
    )
    address, gateway = nat_gateway_by_hand(ec2, public["SubnetId"], tags)
    instance_id = load_generator(ec2, image, public["SubnetId"], tags)
    try:
        evidence = audited(lab, clients, tags, vpc)
        cleaner = Cleaner(cleanup_clients, region=REGION, day=lab.day, student=STUDENT)
        found = {f.id: f for f in cleaner.find()}
        volumes = attached_volumes(ec2, instance_id)
        described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        assert described[0]["Instances"][0].get("PublicIpAddress") and volumes  # else weak
    finally:
        ec2.terminate_instances(InstanceIds=[instance_id])
        ec2.delete_nat_gateway(NatGatewayId=gateway)
        ec2.release_address(AllocationId=address["AllocationId"])
    prices = audit_prices(evidence)
    assert prices == {
        gateway: cleanup_price(found, [gateway, address["AllocationId"]]),
        instance_id: cleanup_price(found, [instance_id, *volumes]),
    }, evidence
    assert prices[gateway] == "$0.0640/h", evidence
    # the trial's: one figure in the audit where cleanup listed parts; now the parts too
    parts = audit_parts(evidence)
    assert parts[gateway] == cleanup_parts(found, [gateway, address["AllocationId"]]), evidence
    assert parts[instance_id] == cleanup_parts(found, [instance_id, *volumes]), evidence
    assert "(NAT gateway $0.0590 + Elastic IP $0.0050 = $0.0640/h)" in evidence


@pytest.mark.xdist_group("emulator")
def test_day3_lab1s_restored_and_extra_databases_on_the_emulator(emulator):
    """The trial's restored database ($0.0316/h: db.t3.micro and its 20 GB, as cleanup says),
    on the guide's step's line, and another database beyond the lab: each the same in both
    commands; deleted after."""
    lab, tags, vpc = on_emulator(emulator, "Day3Lab1")
    _, clients, cleanup_clients = emulator
    rds = clients("rds")
    (own,) = [
        db
        for db in rds.describe_db_instances()["DBInstances"]
        if db["DBSubnetGroup"]["VpcId"] == vpc["VpcId"]
    ]
    made = [f"week5-{STUDENT}-day3-restored", f"week5-{STUDENT}-day3-mine"]
    for db_id in made:
        rds.create_db_instance(
            DBInstanceIdentifier=db_id,
            DBInstanceClass=own["DBInstanceClass"],
            Engine=own["Engine"],
            AllocatedStorage=20,
            MasterUsername="postgres",
            MasterUserPassword="not-a-secret-1",
            DBSubnetGroupName=own["DBSubnetGroup"]["DBSubnetGroupName"],
            VpcSecurityGroupIds=[g["VpcSecurityGroupId"] for g in own["VpcSecurityGroups"]],
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    try:
        evidence = audited(lab, clients, tags, vpc)
        cleaner = Cleaner(cleanup_clients, region=REGION, day=lab.day, student=STUDENT)
        found = {f.id: f for f in cleaner.find()}
    finally:
        for db_id in made:
            rds.delete_db_instance(DBInstanceIdentifier=db_id, SkipFinalSnapshot=True)
    prices = audit_prices(evidence)
    assert prices == {db_id: cleanup_price(found, [db_id]) for db_id in made}, evidence
    assert prices[made[0]] == "$0.0316/h", evidence
    assert f"RDS {made[0]} db.t3.micro ($0.0316/h), which the RestoreDbCommand" in evidence
