"""Class mode within quotas: what a class deploy needs against the account's quotas and usage.

Twelve students in one account need twelve copies of a lab's VPC, internet gateway, Elastic
IPs and NAT gateways, and a new account may hold five of each per region (VPCs, internet
gateways and Elastic IPs per region; NAT gateways per Availability Zone). CloudFormation finds
out half-way through a deploy, with half the class's stacks rolling back. This counts what the
synthesized templates create, times the students whose stack does not exist yet, reads the
quotas (Service Quotas: the account's applied value, else AWS's default) and what the region
already holds (Describe* calls, every page), and names each quota that would run out with the
numbers and the command that asks for more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from week5.analysis.assembly import ref_target


@dataclass(frozen=True)
class QuotaSpec:
    key: str
    label: str
    name: str
    service: str
    code: str
    #: AWS's documented default, used only when Service Quotas has no value for the account.
    default: int
    #: Counted per Availability Zone (NAT gateways), not per region.
    per_az: bool = False


VPCS = QuotaSpec("vpcs", "VPCs", "VPCs per Region", "vpc", "L-F678F1CE", 5)
EIPS = QuotaSpec("eips", "Elastic IPs", "EC2-VPC Elastic IPs", "ec2", "L-0263D0A3", 5)
IGWS = QuotaSpec(
    "igws", "Internet gateways", "Internet gateways per Region", "vpc", "L-A4707A72", 5
)
NATS = QuotaSpec(
    "nats", "NAT gateways", "NAT gateways per Availability Zone", "vpc", "L-FE5A380F", 5,
    per_az=True,
)  # fmt: skip
SPECS = (VPCS, EIPS, IGWS, NATS)
#: What a template creates that counts against each quota.
COUNTED_TYPES = {
    "AWS::EC2::VPC": VPCS,
    "AWS::EC2::EIP": EIPS,
    "AWS::EC2::InternetGateway": IGWS,
    "AWS::EC2::NatGateway": NATS,
}
#: A NAT gateway whose subnet's zone the template does not spell out.
UNKNOWN_AZ = "?"
NAT_STATES = ("pending", "available")

#: (quota key, AZ or None) -> count
Needs = Counter


def needs_of(template: Mapping[str, Any]) -> Needs:
    """What one copy of ``template`` creates against each quota (NAT gateways by zone)."""
    resources = template.get("Resources", {})
    needs: Needs = Counter()
    for resource in resources.values():
        spec = COUNTED_TYPES.get(resource.get("Type"))
        if spec is None:
            continue
        props = resource.get("Properties", {}) or {}
        if spec is NATS:
            if props.get("ConnectivityType") == "private":
                continue
            subnet = resources.get(ref_target(props.get("SubnetId")) or "", {})
            az = (subnet.get("Properties", {}) or {}).get("AvailabilityZone")
            needs[(spec.key, az if isinstance(az, str) else UNKNOWN_AZ)] += 1
        else:
            needs[(spec.key, None)] += 1
    return needs


def class_needs(
    templates: Mapping[str, Mapping[str, Any]],
    students: Sequence[str],
    live_stack_names: Iterable[str] = (),
) -> Tuple[Needs, Dict[str, List[str]]]:
    """What deploying each lab of ``templates`` (by lab id) for ``students`` adds: one copy
    per student whose stack ``week5-<student>-<lab>`` does not exist yet (an update adds
    nothing). Returns the needs and, per lab, the students it counted."""
    live = set(live_stack_names)
    total: Needs = Counter()
    counted: Dict[str, List[str]] = {}
    for lab_id, template in templates.items():
        new = [s for s in students if f"week5-{s}-{lab_id}" not in live]
        counted[lab_id] = new
        for key, count in needs_of(template).items():
            total[key] += count * len(new)
    return total, counted


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def read_quota(service_quotas, spec: QuotaSpec) -> Tuple[int, str]:
    """(the quota's value, where it came from): the account's applied value, else AWS's
    default from Service Quotas, else the documented default. Access denied is raised."""
    from botocore.exceptions import ClientError

    for call, source in (
        (service_quotas.get_service_quota, "account"),
        (service_quotas.get_aws_default_service_quota, "AWS default"),
    ):
        try:
            value = call(ServiceCode=spec.service, QuotaCode=spec.code)["Quota"]["Value"]
            return int(value), source
        except ClientError as error:
            if _error_code(error) not in ("NoSuchResourceException", "NotImplemented"):
                raise
    return spec.default, "AWS default (documented)"


def read_usage(ec2) -> Needs:
    """What the region holds now against each quota, every page."""
    usage: Needs = Counter()
    for page in ec2.get_paginator("describe_vpcs").paginate():
        usage[(VPCS.key, None)] += len(page.get("Vpcs", []))
    addresses = ec2.describe_addresses(Filters=[{"Name": "domain", "Values": ["vpc"]}])
    usage[(EIPS.key, None)] += len(addresses.get("Addresses", []))  # one page: no pagination
    for page in ec2.get_paginator("describe_internet_gateways").paginate():
        usage[(IGWS.key, None)] += len(page.get("InternetGateways", []))
    subnets = []
    for page in ec2.get_paginator("describe_nat_gateways").paginate(
        Filter=[{"Name": "state", "Values": list(NAT_STATES)}]
    ):
        subnets += [n["SubnetId"] for n in page.get("NatGateways", []) if n.get("SubnetId")]
    if subnets:
        az_of = {}
        for page in ec2.get_paginator("describe_subnets").paginate(SubnetIds=sorted(set(subnets))):
            az_of.update({s["SubnetId"]: s["AvailabilityZone"] for s in page.get("Subnets", [])})
        for subnet in subnets:
            usage[(NATS.key, az_of.get(subnet, UNKNOWN_AZ))] += 1
    return usage


@dataclass
class QuotaRow:
    spec: QuotaSpec
    az: Optional[str]
    quota: int
    source: str
    in_use: int
    needed: int

    @property
    def after(self) -> int:
        return self.in_use + self.needed

    @property
    def short(self) -> int:
        return max(0, self.after - self.quota)

    @property
    def label(self) -> str:
        return f"{self.spec.label} in {self.az}" if self.az else self.spec.label

    def to_json(self) -> Dict[str, Any]:
        return {
            "quota_name": self.spec.name,
            "service_code": self.spec.service,
            "quota_code": self.spec.code,
            "availability_zone": self.az,
            "quota": self.quota,
            "quota_source": self.source,
            "in_use": self.in_use,
            "needed": self.needed,
            "short_by": self.short,
        }


def compare(needs: Needs, quotas: Mapping[str, Tuple[int, str]], usage: Needs) -> List[QuotaRow]:
    """One row per quota (per zone for NAT gateways) that the deploy needs or the region uses."""
    rows = []
    for spec in SPECS:
        quota, source = quotas[spec.key]
        zones = sorted(
            {az for key, az in list(needs) + list(usage) if key == spec.key and az is not None}
        )
        for az in zones if spec.per_az else [None]:
            in_use, needed = usage.get((spec.key, az), 0), needs.get((spec.key, az), 0)
            if spec.per_az and not needed:
                continue  # a zone the deploy puts no NAT gateway in
            rows.append(QuotaRow(spec, az, quota, source, in_use, needed))
    return rows


def increase_command(row: QuotaRow, region: str, value: Optional[int] = None) -> str:
    """The AWS CLI call that asks for enough of ``row``'s quota."""
    return (
        f"aws service-quotas request-service-quota-increase --service-code {row.spec.service} "
        f"--quota-code {row.spec.code} --desired-value {value or row.after} --region {region}"
    )


def shortfalls(rows: Sequence[QuotaRow], region: str) -> List[str]:
    """One line per quota that would run out: the numbers and the command that raises it
    (NAT gateways: one request, for the zone that needs most)."""
    lines = []
    asked = set()
    short = [r for r in rows if r.short]
    for row in short:
        if row.spec.key in asked:
            continue
        asked.add(row.spec.key)
        value = max(r.after for r in short if r.spec.key == row.spec.key)
        lines.append(
            f"{row.label}: quota {row.quota} ({row.source}), {row.in_use} in use, the deploy "
            f"adds {row.needed}: short by {row.short}; raise it to {value}: "
            f"{increase_command(row, region, value)}"
        )
    return lines


def check(clients: Callable[..., Any], needs: Needs, region: str) -> List[QuotaRow]:
    """Read the quotas and the usage of ``region`` and compare them with ``needs``."""
    service_quotas = clients("service-quotas")
    quotas = {spec.key: read_quota(service_quotas, spec) for spec in SPECS}
    return compare(needs, quotas, read_usage(clients("ec2")))
