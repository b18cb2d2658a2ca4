"""`week5 audit`'s tags check on the project's own deployment of every lab on the emulator
(tests/emulated_labs.py, shared with test_audit_labs): it reads the tags of what belongs to the
lab's VPC and instances (route tables, internet gateway, volumes, Elastic IPs, launch templates,
target groups), not only of what the other checks count, and its line names what it read."""

from __future__ import annotations

import pytest
from test_audit_labs import checks_of, deployed, lab_or_skip  # noqa: F401 (a fixture)

from stacks.catalog import CATALOG
from week5.analysis.topology import extract

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")


def kinds_of(template) -> list:
    """What the tags check should name for a lab: by the types its template makes."""
    types = {r["Type"] for r in template["Resources"].values()}
    wanted = ["VPC", "route table", "internet gateway", "security group"]
    pairs = [
        ("AWS::EC2::NatGateway", "Elastic IP"),
        ("AWS::EC2::Instance", "EBS volume"),
        ("AWS::AutoScaling::AutoScalingGroup", "launch template"),
        ("AWS::AutoScaling::AutoScalingGroup", "EBS volume"),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "load balancer"),
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "target group"),
    ]
    return wanted + [kind for resource_type, kind in pairs if resource_type in types]


#: Day 2's static site has no VPC: its buckets and distributions are checked (audit_site).
VPC_LABS = [lab.lab_id for lab in CATALOG if lab.lab_id != "Day2Lab2"]


@pytest.mark.parametrize("lab_id", VPC_LABS)
def test_the_tags_check_names_what_it_read(deployed, lab_id):  # noqa: F811 (the fixture)
    lab = lab_or_skip(deployed, lab_id)
    assert extract(lab.template).vpcs, f"{lab_id} has no VPC: leave it out of VPC_LABS"
    check = checks_of(lab, deployed[1])["tags"]
    assert check.passed, check.evidence
    assert check.evidence.startswith("Week, Day, Lab, Student on the "), check.evidence
    read = check.evidence.split(" resources read: ", 1)[1].split(", ")
    names = {part.split(" ", 1)[1] if part[0].isdigit() else part for part in read}
    for kind in kinds_of(lab.template):
        assert kind in names or f"{kind}s" in names, (kind, check.evidence)
