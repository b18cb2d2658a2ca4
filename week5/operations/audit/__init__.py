"""`week5 audit`: check a student's hand-built lab against the reference, with read-only calls.

Students build their labs in the console; the instructor's checklist asks whether each one
matches the course's diagram and rules. This reads the student's account (Describe* and List*
calls only, every one paged) and compares it with the lab's synthesized template
(:mod:`week5.analysis.topology`):

- the VPC's CIDR and the subnets (CIDR, AZ, public or private by their routes);
- SSH or RDP open to the internet, database and cache ports open to address ranges;
- instance types: stand-alone instances, what each Auto Scaling group launches, database and
  cache classes (the course's classes, and the lab's);
- Auto Scaling groups as the lab's: sizes, the AZs of their subnets, behind a load balancer;
  an instance a group launched counts for the group, not as a stand-alone instance;
- what spans AZs as in the lab: load balancers, Multi-AZ databases, cache nodes;
- the course's four tags on everything it reads and what belongs to it (route tables but the
  main one EC2 makes, internet gateway, the instances' volumes, Elastic IPs of NAT gateways
  and instances, Auto Scaling groups' launch templates, target groups), each kind named;
- what is there that the reference does not have, with what it costs an hour.

A lab without a VPC (Day 2's static site) is checked by its buckets and distributions
(:func:`audit_site`).

The package, one concern a module: :mod:`.model` (the shared shapes), :mod:`.read` (reading
the account), :mod:`.reference` (what the template builds), :mod:`.checks_network`,
:mod:`.checks_compute` and :mod:`.checks_extras` (the checks), :mod:`.checklist` (the checks
in order: :func:`audit`), :mod:`.static_site` (:func:`audit_site`).
"""

from __future__ import annotations

from week5.operations.audit.checklist import audit
from week5.operations.audit.model import Account, Check, to_json
from week5.operations.audit.read import find_vpc, no_single_vpc, read_account, vpc_candidates
from week5.operations.audit.reference import Reference, reference
from week5.operations.audit.static_site import audit_site

__all__ = [
    "Account",
    "Check",
    "Reference",
    "audit",
    "audit_site",
    "find_vpc",
    "no_single_vpc",
    "read_account",
    "reference",
    "to_json",
    "vpc_candidates",
]
