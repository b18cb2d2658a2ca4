"""`week5 audit`'s unexpected-resources check on what holds a deployed lab, and on which of
several NAT gateways, load balancers or databases is the extra.

An instructor trial (T19-D, Day4Lab1 on the emulator): a hand-made security group, tagged for
the student, in the lab's VPC read "PASS unexpected-resources: nothing beyond the lab" (the
tags line counted 3 groups against the lab's 2), and `cdk destroy` then failed on the VPC
(DependencyViolation). A security group or network interface the lab does not have is beyond
it ($0.0000/h: free, but named); one in a subnet or the VPC the lab's stack made says so, as
`week5 cleanup` says "holds its subnet ...: that goes first". The lab's groups are those its
stack made (their ``aws:cloudformation:stack-name`` tag) and the VPC's default group.

And the extra of several NAT gateways (load balancers, databases) was the one listed after the
lab's count, where AWS lists in no promised order: the lab's own could be named. The extras are
those without the lab stack's tag, then the newest.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import test_audit as day1
import test_audit_extra_prices
from test_audit_extra_prices import (
    STUDENT,
    audited,
    load_generator,
    nat_gateway_by_hand,
    on_emulator,
)

from week5.operations.audit import audit, read_account
from week5.operations.audit.checks_extras import _unexpected
from week5.operations.audit.model import Account
from week5.operations.audit.reference import Reference
from week5.operations.cleanup import Cleaner

REGION = day1.REGION
STACK_TAG = "aws:cloudformation:stack-name"
#: What an extra in the lab stack's subnet or VPC adds to its entry.
HOLDS = ": `cdk destroy` fails until it goes"


def lab(**counts: int) -> Reference:
    """A lab of ``counts`` NAT gateways, load balancers and databases, and nothing else."""
    return Reference(
        vpc_cidr="10.0.0.0/16",
        vpc_name="week5-day1-lab2",
        subnets=[],
        instance_types=[],
        groups=[],
        nat_gateways=counts.get("nat", 0),
        load_balancers=[{"name": "Web"}] * counts.get("lb", 0),
        databases=[{"name": "Db"}] * counts.get("db", 0),
        caches=[],
    )


def listed(kind: str, ids: List[str]) -> Dict[str, Any]:
    """``ids`` as the account lists them, for an Account of ``kind``."""
    if kind == "nat":
        return {"nat_gateways": list(ids)}
    if kind == "lb":
        return {"load_balancers": [{"name": i, "scheme": "internal", "azs": []} for i in ids]}
    return {
        "databases": [
            {"id": i, "class": "db.t3.micro", "engine": "postgres", "multi_az": False}
            for i in ids
        ]
    }


# --- which is the extra: no AWS, an account read as the audit reads one --------------------------


def test_a_restored_database_listed_first_is_not_taken_for_the_labs_own():
    """A review (D19): the multi-az check paired the lab's database with whichever matching one
    was listed first, and Day3Lab1's ``week5-kim-day3-restored`` sorts before the lab's."""
    from week5.operations.audit.checks_compute import _multi_az

    ref = lab(db=1)
    ref.databases = [{"name": "Db", "class": "db.t3.micro", "engine": "postgres",
                      "multi_az": True, "replica": False}]  # fmt: skip
    ref.restored = {"week5-kim-day3-restored": ("RestoreDbCommand", "DeleteRestoredDbCommand")}
    account = Account(databases=[
        {"id": db_id, "class": "db.t3.micro", "engine": "postgres", "multi_az": True,
         "replica": False}
        for db_id in ("week5-kim-day3-restored", "week5-kim-day3lab1-db")
    ])  # fmt: skip
    check = _multi_az(account, ref)
    assert check.passed and "database week5-kim-day3lab1-db Multi-AZ" in check.evidence, check
    assert "restored" not in check.evidence, check.evidence



@pytest.mark.parametrize("kind", ["nat", "lb", "db"])
def test_a_hand_made_one_listed_first_is_the_extra_not_the_labs(kind):
    """The lab's carries its stack's tag and is the newer of the two: the hand-made one, listed
    first, is the extra all the same (by list position the lab's was named)."""
    account = Account(
        stack="Day1Lab2-kim",
        tags={"hand-made": {"Name": "mine"}, "the-labs": {STACK_TAG: "Day1Lab2-kim"}},
        created={"hand-made": "2026-11-29 09:00:00+00:00", "the-labs": "2026-11-29 10:00:00+00:00"},
        **listed(kind, ["hand-made", "the-labs"]),
    )
    check = _unexpected(account, lab(**{kind: 1}))
    assert not check.passed
    assert "hand-made" in check.evidence and "the-labs" not in check.evidence, check.evidence


@pytest.mark.parametrize("kind", ["nat", "lb", "db"])
def test_in_a_lab_built_by_hand_the_newest_is_the_extra(kind):
    """No stack's tag on any (a VPC built by hand): the newest is the extra, wherever listed."""
    account = Account(
        created={"newer": "2026-11-29 10:00:00+00:00", "older": "2026-11-29 09:00:00+00:00"},
        **listed(kind, ["newer", "older"]),
    )
    check = _unexpected(account, lab(**{kind: 1}))
    assert "newer" in check.evidence and "older" not in check.evidence, check.evidence


def test_in_a_lab_built_by_hand_its_groups_are_the_students_and_an_interface_is_extra():
    """A VPC no stack made: its groups are the student's own (none carries a stack's tag to
    tell the template's by), and no entry says `cdk destroy`; a network interface made on its
    own is beyond any lab."""
    account = Account(
        vpc_id="vpc-1",
        security_groups=[
            {"id": "sg-0", "name": "default", "default": True, "stack": ""},
            {"id": "sg-1", "name": "web", "default": False, "stack": ""},
        ],
        interfaces=[{"id": "eni-1", "subnet": "subnet-1", "name": "", "stack": ""}],
        places={"sg-1": ["vpc-1"], "eni-1": ["subnet-1"]},
    )
    check = _unexpected(account, lab())
    assert not check.passed
    assert check.evidence == "network interface eni-1 ($0.0000/h); $0.0000/h in all"


# --- on the session's emulator: the trial's Day4Lab1 ---------------------------------------------

#: test_audit_extra_prices' view of the session's emulator (its labs, clients and cleanup's
#: clients), by the name the tests use.
emulator = test_audit_extra_prices.emulator


def name_of(resource: Dict[str, Any]) -> str:
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}["Name"]


@pytest.mark.xdist_group("emulator")
def test_day4_lab1s_hand_made_group_interface_and_load_generator_on_the_emulator(emulator):
    """The trial's hand-made security group (tagged) in the lab's VPC, a network interface in
    a public subnet wearing it, and a tagged load generator in the same subnet: each beyond the
    lab, each saying where it holds the lab's stack; the lab's own groups (and the VPC's
    default) are not named. Cleanup names the same subnet held by the same instance. Undone
    after."""
    lab, tags, vpc = on_emulator(emulator, "Day4Lab1")
    _, clients, cleanup_clients = emulator
    ec2 = clients("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    assert "nothing beyond the lab" == audited(lab, clients, tags, vpc)  # else weak
    own_groups = [g["GroupId"] for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]]
    subnets = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    public = sorted(
        (s for s in subnets if s.get("MapPublicIpOnLaunch")), key=lambda s: s["CidrBlock"]
    )[0]
    image = next(
        i["ImageId"]
        for r in ec2.describe_instances(Filters=in_vpc)["Reservations"]
        for i in r["Instances"]
    )
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    group = ec2.create_security_group(
        GroupName="load-test", Description="made by hand", VpcId=vpc["VpcId"],
        TagSpecifications=day1.spec("security-group", tag_list),
    )["GroupId"]  # fmt: skip
    interface = ec2.create_network_interface(
        SubnetId=public["SubnetId"], Groups=[group],
        TagSpecifications=day1.spec("network-interface", tag_list),
    )["NetworkInterface"]["NetworkInterfaceId"]  # fmt: skip
    instance_id = load_generator(ec2, image, public["SubnetId"], tags)
    try:
        checks = audit(lab.template, read_account(clients, vpc, tags), tags)
        check = {c.name: c for c in checks}["unexpected-resources"]
        cleaner = Cleaner(cleanup_clients, region=REGION, day=lab.day, student=STUDENT)
        held_by = [h for f in cleaner.find() if f.held_by for h in f.held_by]
    finally:
        ec2.terminate_instances(InstanceIds=[instance_id])
        ec2.delete_network_interface(NetworkInterfaceId=interface)
        ec2.delete_security_group(GroupId=group)
    subnet = f"subnet {name_of(public)}"
    entries = check.evidence.split("; ")
    assert not check.passed, check.evidence
    assert f"security group {group} load-test ($0.0000/h), in VPC {name_of(vpc)}{HOLDS}" in entries
    assert f"network interface {interface} ($0.0000/h), in {subnet}{HOLDS}" in entries
    (generator,) = [e for e in entries if e.startswith(f"{instance_id} t3.small (instance $")]
    assert generator.endswith(f"/h), in {subnet}{HOLDS}"), generator
    assert not any(g in check.evidence for g in own_groups), check.evidence
    # The same facts in cleanup's words: the load generator holds that subnet of the stack.
    (holder,) = [h for h in held_by if h["id"] == instance_id]
    assert any(public["SubnetId"] in held for held in holder["holds"]), holder


class Reversed:
    """The emulator's clients, but EC2 lists NAT gateways last made first (AWS promises no
    order): the hand-made one first."""

    def __init__(self, clients: Any) -> None:
        self.clients = clients

    def __call__(self, service: str) -> Any:
        client = self.clients(service)
        if service != "ec2":
            return client
        outer = self

        class EC2:
            def __getattr__(self, name: str) -> Any:
                return getattr(client, name)

            def get_paginator(self, operation: str) -> Any:
                paginator = client.get_paginator(operation)
                if operation != "describe_nat_gateways":
                    return paginator

                class Pages:
                    def paginate(self, **params: Any) -> Any:
                        pages = list(paginator.paginate(**params))
                        gateways = [g for p in pages for g in p.get("NatGateways") or []]
                        outer.listed = [g["NatGatewayId"] for g in reversed(gateways)]
                        return [{"NatGateways": list(reversed(gateways))}]

                return Pages()

        return EC2()


@pytest.mark.xdist_group("emulator")
def test_day1_lab2s_hand_made_nat_gateway_listed_first_on_the_emulator(emulator):
    """A hand-made NAT gateway, tagged for the lab, listed before the lab's own: the hand-made
    one is the extra (by list position the lab's was named, and priced). Undone after."""
    lab, tags, vpc = on_emulator(emulator, "Day1Lab2")
    _, clients, _ = emulator
    ec2 = clients("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    (own,) = [  # deleted ones (another test's hand-made gateway) are listed a while
        g["NatGatewayId"]
        for g in ec2.describe_nat_gateways(Filters=in_vpc)["NatGateways"]
        if g["State"] != "deleted"
    ]
    public = next(
        s for s in ec2.describe_subnets(Filters=in_vpc)["Subnets"] if s.get("MapPublicIpOnLaunch")
    )
    address, gateway = nat_gateway_by_hand(ec2, public["SubnetId"], tags)
    reading = Reversed(clients)
    try:
        evidence = audited(lab, reading, tags, vpc)
    finally:
        ec2.delete_nat_gateway(NatGatewayId=gateway)
        ec2.release_address(AllocationId=address["AllocationId"])
    assert reading.listed[:1] == [gateway], reading.listed  # listed first: else weak
    assert f"NAT gateway {gateway} (" in evidence and own not in evidence, evidence
