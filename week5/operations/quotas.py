"""Class mode within quotas: what a class deploy needs against the account's quotas and usage.

Twelve students in one account need twelve copies of a lab's VPC, internet gateway, Elastic
IPs and NAT gateways, and a new account may hold five of each per region (VPCs, internet
gateways and Elastic IPs per region; NAT gateways per Availability Zone). Their instances count
against the region's On-Demand vCPU quota of the standard families (A, C, D, H, I, M, R, T, Z;
a t3.micro is 2 vCPUs), which a new account may hold low too. CloudFormation finds out
half-way through a deploy, with half the class's stacks rolling back. This counts what the
synthesized templates create, times the students whose stack does not exist yet, reads the
quotas (Service Quotas: the account's applied value, else AWS's default) and what the region
already holds (Describe* calls, every page), and names each quota that would run out with the
numbers and the command that asks for more (for internet gateways, the VPC quota's: AWS raises
them only through it). A stack that holds nothing yet (a failed create rolled back, a change
set never executed) is created again, so counts as new; a NAT gateway being deleted still
counts, as AWS counts it.

A quota Service Quotas cannot report (the call not implemented, as on an emulator: moto's
server answers GetAWSDefaultServiceQuota with HTTP 500; a server error after botocore's
retries; no value for it at all) is "not checked", with the reason: no default is guessed in
its place (AWS's documented 5-vCPU floor refused a 2-student Day4Lab1 on an emulator that
enforces none). The other quotas and the usage are still compared. A refusal that is the
user's to fix (access denied, credentials, throttling) is raised, as any other AWS error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import (
    Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union,
)  # fmt: skip

from week5.analysis.assembly import ref_target


@dataclass(frozen=True)
class QuotaSpec:
    key: str
    label: str
    name: str
    service: str
    code: str
    #: AWS's documented default, for the reader: never used in place of a quota Service Quotas
    #: does not report (that quota is not checked; see read_quota).
    default: int
    #: Counted per Availability Zone (NAT gateways), not per region.
    per_az: bool = False
    #: The quota whose increase raises this one, when AWS raises it only so (internet gateways
    #: per Region: "To increase this quota, increase the quota for VPCs per Region", Amazon VPC
    #: quotas; the VPC quota's increase raises it by the same amount); None: its own code.
    raised_by: Optional["QuotaSpec"] = None


VPCS = QuotaSpec("vpcs", "VPCs", "VPCs per Region", "vpc", "L-F678F1CE", 5)
EIPS = QuotaSpec("eips", "Elastic IPs", "EC2-VPC Elastic IPs", "ec2", "L-0263D0A3", 5)
IGWS = QuotaSpec(
    "igws", "Internet gateways", "Internet gateways per Region", "vpc", "L-A4707A72", 5,
    raised_by=VPCS,
)  # fmt: skip
NATS = QuotaSpec(
    "nats", "NAT gateways", "NAT gateways per Availability Zone", "vpc", "L-FE5A380F", 5,
    per_az=True,
)  # fmt: skip
#: Counted in vCPUs: what the standard families' running and pending On-Demand instances
#: hold. AWS documents 5 vCPUs as the starting On-Demand limit of some new accounts (many
#: accounts start higher): only Service Quotas' value is compared with.
VCPUS = QuotaSpec(
    "vcpus", "On-Demand vCPUs (standard families)",
    "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", "ec2", "L-1216C47A", 5,
)  # fmt: skip
SPECS = (VPCS, EIPS, IGWS, NATS, VCPUS)
#: What a template creates that counts against each quota.
COUNTED_TYPES = {
    "AWS::EC2::VPC": VPCS,
    "AWS::EC2::EIP": EIPS,
    "AWS::EC2::InternetGateway": IGWS,
    "AWS::EC2::NatGateway": NATS,
}
#: A NAT gateway whose subnet's zone the template does not spell out.
UNKNOWN_AZ = "?"
#: The NAT gateways a zone's quota counts: "only in the pending, active, and deleting states"
#: (Amazon VPC quotas; the API's "available" is the page's "active"). One being deleted still
#: counts: a class destroyed and deployed again at once passed the check, then CloudFormation
#: failed with NatGatewayLimitExceeded.
NAT_STATES = ("pending", "available", "deleting")
#: What counts against the vCPU quota: stopped instances hold none.
INSTANCE_STATES = ("pending", "running")

#: (quota key, AZ or None) -> count
Needs = Counter
#: The "zone" of the vCPU needs that could not be counted: instances and groups whose instance
#: type, size or capacity the template does not spell out (a parameter, a mixed instances
#: policy, a ``.metal`` size), one per resource.
UNCOUNTED = "uncounted"

#: The standard families' first letters; these families of other letters have quotas of their
#: own (Inf, HPC, DL, Trn, Mac).
STANDARD_LETTERS = frozenset("acdhimrtz")
OWN_QUOTA_FAMILIES = ("inf", "hpc", "dl", "trn", "mac")
#: Sizes below ``large`` whose vCPUs differ from the rule in vcpus_of: t1 and t2's smallest
#: have one vCPU (t3, t3a and t4g's have two).
ONE_VCPU_SMALL = {"t1", "t2"}
SMALL_SIZES = ("nano", "micro", "small")


def is_standard(instance_type: str) -> bool:
    """Whether ``instance_type`` counts against the standard families' On-Demand quota."""
    family = instance_type.split(".", 1)[0].lower()
    return (
        family[:1] in STANDARD_LETTERS
        and not family.startswith(OWN_QUOTA_FAMILIES)
        and not family.startswith("u-")
    )


def vcpus_of(instance_type: str) -> Optional[int]:
    """The vCPUs of ``instance_type``, from its size's name (None when the name does not say:
    ``metal``, an unknown size). nano, micro and small: 2 for t3, t3a and t4g, 1 for t1, t2
    and the others (t2.micro, m1.small); medium: 2 for the burstable t families, 1 for the
    others (m6g.medium, c6g.medium, r6g.medium, c7a.medium); large: 2; xlarge: 4; Nxlarge: 4N."""
    family, _, size = instance_type.lower().partition(".")
    burstable = family.startswith("t")
    if size in SMALL_SIZES:
        return 1 if family in ONE_VCPU_SMALL or not burstable else 2
    if size == "medium":
        return 2 if burstable else 1
    if size == "large":
        return 2
    match = re.fullmatch(r"(\d*)xlarge", size)
    if match:
        return 4 * int(match.group(1) or 1)
    return None


def _count(value: Any) -> Optional[int]:
    """A template's number (CloudFormation writes "2" as often as 2), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _cpu_options(options: Any) -> Optional[int]:
    """CoreCount × ThreadsPerCore when both are spelled out."""
    if isinstance(options, dict):
        cores, threads = _count(options.get("CoreCount")), _count(options.get("ThreadsPerCore"))
        if cores is not None and threads is not None:
            return cores * threads
    return None


def _props(resource: Any) -> Dict[str, Any]:
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


def _named(resources: Mapping[str, Any], kinds: str, reference: Any, name_key: str):
    """The resource of type ``kinds`` that ``reference`` points to: a Ref/GetAtt, or a literal
    name equal to the resource's ``name_key`` property."""
    target = ref_target(reference)
    if target is not None:
        found = resources.get(target)
        return found if isinstance(found, dict) and found.get("Type") == kinds else None
    if isinstance(reference, str):
        for resource in resources.values():
            if (
                isinstance(resource, dict)
                and resource.get("Type") == kinds
                and _props(resource).get(name_key) == reference
            ):
                return resource
    return None


def _launch_template_data(resources: Mapping[str, Any], spec: Any) -> Optional[Dict[str, Any]]:
    """The LaunchTemplateData of the template's launch template that ``spec`` (an instance's
    or a group's LaunchTemplate) names, else None."""
    if not isinstance(spec, dict):
        return None
    reference = spec.get("LaunchTemplateId", spec.get("LaunchTemplateName"))
    found = _named(resources, "AWS::EC2::LaunchTemplate", reference, "LaunchTemplateName")
    data = _props(found).get("LaunchTemplateData") if found else None
    return data if isinstance(data, dict) else None


def _per_instance(instance_type: Any, cpu_options: Any) -> Optional[int]:
    """vCPUs one On-Demand instance of the standard families holds (0 for another family),
    else None when the template does not say."""
    if not isinstance(instance_type, str):
        return None
    if not is_standard(instance_type):
        return 0
    return _cpu_options(cpu_options) or vcpus_of(instance_type)


def _spot(data: Optional[Mapping[str, Any]]) -> bool:
    options = (data or {}).get("InstanceMarketOptions")
    return isinstance(options, dict) and options.get("MarketType") == "spot"


def launched_vcpus(resources: Mapping[str, Any], resource: Mapping[str, Any]) -> Optional[int]:
    """The standard families' On-Demand vCPUs ``resource`` launches at deploy (an instance; an
    Auto Scaling group's DesiredCapacity, else MinSize, of its launch template's or launch
    configuration's type); 0 for anything else; None when the template does not say."""
    kind, props = resource.get("Type"), _props(resource)
    if kind == "AWS::EC2::Instance":
        data = _launch_template_data(resources, props.get("LaunchTemplate")) or {}
        if _spot(data):
            return 0
        if "InstanceType" in props:
            return _per_instance(props["InstanceType"], props.get("CpuOptions"))
        return _per_instance(data.get("InstanceType"), data.get("CpuOptions"))
    if kind != "AWS::AutoScaling::AutoScalingGroup":
        return 0
    if "MixedInstancesPolicy" in props:
        return None  # On-Demand and Spot by a distribution: not counted here
    size = _count(props.get("DesiredCapacity", props.get("MinSize")))
    if "LaunchTemplate" in props:
        data = _launch_template_data(resources, props["LaunchTemplate"])
        if data is None:
            return None
        if _spot(data):
            return 0
        each = _per_instance(data.get("InstanceType"), data.get("CpuOptions"))
    else:
        found = _named(
            resources, "AWS::AutoScaling::LaunchConfiguration",
            props.get("LaunchConfigurationName"), "LaunchConfigurationName",
        )  # fmt: skip
        if found is None:
            return None
        config = _props(found)
        if config.get("SpotPrice"):
            return 0
        each = _per_instance(config.get("InstanceType"), None)
    if each is None or size is None:
        return None
    return each * size


def needs_of(template: Mapping[str, Any]) -> Needs:
    """What one copy of ``template`` creates against each quota (NAT gateways by zone; the
    vCPUs its instances and Auto Scaling groups launch, and under UNCOUNTED how many of them
    could not be counted)."""
    resources = template.get("Resources", {})
    needs: Needs = Counter()
    for resource in resources.values():
        if resource.get("Type") in ("AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup"):
            vcpus = launched_vcpus(resources, resource)
            if vcpus is None:
                needs[(VCPUS.key, UNCOUNTED)] += 1
            elif vcpus:
                needs[(VCPUS.key, None)] += vcpus
            continue
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


#: Stack states in which a stack holds nothing the quotas count and a deploy creates all of
#: it: a failed create rolled back (the CDK CLI deletes such a stack and creates it again) and
#: a change set never executed (deployed with a CREATE change set, as a new stack).
CREATED_AGAIN = frozenset({"ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"})


def holding_stacks(live_stacks: Union[Iterable[str], Mapping[str, str]]) -> Set[str]:
    """The names of the stacks a deploy updates, not creates: ``live_stacks`` as names, or as
    name -> status (:func:`week5.operations.preflight.stack_states`), then without those in
    :data:`CREATED_AGAIN`."""
    if isinstance(live_stacks, Mapping):
        return {name for name, state in live_stacks.items() if state not in CREATED_AGAIN}
    return set(live_stacks)


def class_needs(
    templates: Mapping[str, Mapping[str, Any]],
    students: Sequence[str],
    live_stack_names: Union[Iterable[str], Mapping[str, str]] = (),
) -> Tuple[Needs, Dict[str, List[str]]]:
    """What deploying each lab of ``templates`` (by lab id) for ``students`` adds: one copy
    per student whose stack ``week5-<student>-<lab>`` does not exist yet, or holds nothing
    (:func:`holding_stacks`: rolled back, never executed) and is created again (an update
    adds nothing). Returns the needs and, per lab, the students it counted."""
    live = holding_stacks(live_stack_names)
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


#: The quota_source of a quota that Service Quotas could not report (read_quota's None).
NOT_CHECKED = "not checked"


def unreported(error: Exception, region: Optional[str] = None) -> Optional[str]:
    """Why Service Quotas could not report a quota, when ``error`` (a call's) means it cannot
    (the call not implemented: an emulator's HTTP 500 page, a 501, a "not implemented" code; a
    server error left after botocore's retries); else None: the error is the user's to fix
    (access denied, credentials, throttling, a bad request) and is raised."""
    from week5.operations import aws_errors

    lacking = aws_errors.unsupported(error, region)
    if lacking:
        return lacking
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = _error_code(error)
        if status >= 500 and code not in aws_errors.THROTTLED_CODES:
            return aws_errors.describe(error, None, region)
    return None


def read_quota(service_quotas, spec: QuotaSpec, region: Optional[str] = None
               ) -> Tuple[Optional[int], str]:  # fmt: skip
    """(the quota's value, where it came from): the account's applied value, else (no applied
    value: NoSuchResourceException) AWS's default from Service Quotas. (None, the reason) when
    Service Quotas cannot report it (:func:`unreported`; no value at all): the quota is not
    checked, and no documented default stands in. Anything else (access denied, credentials,
    throttling after botocore's retries) is raised."""
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    for call, source in (
        (service_quotas.get_service_quota, "account"),
        (service_quotas.get_aws_default_service_quota, "AWS default"),
    ):
        try:
            value = call(ServiceCode=spec.service, QuotaCode=spec.code)["Quota"]["Value"]
            return int(value), source
        except (ClientError, ResponseParserError) as error:
            if _error_code(error) == "NoSuchResourceException":
                continue  # no applied value: AWS's default applies
            reason = unreported(error, region)
            if reason is None:
                raise
            return None, reason
    return None, (
        f"Service Quotas has no value for {spec.service}/{spec.code} in {region or 'the region'}"
        " (NoSuchResourceException, for the account's and for AWS's default)"
    )


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
    for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": list(INSTANCE_STATES)}]
    ):
        for reservation in page.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                usage[(VCPUS.key, None)] += instance_vcpus(instance)
    return usage


def instance_vcpus(instance: Mapping[str, Any]) -> int:
    """The vCPUs a running instance holds of the standard families' On-Demand quota: its
    CpuOptions, else its type's (0: a Spot or Capacity Block instance, another family)."""
    instance_type = str(instance.get("InstanceType", ""))
    if instance.get("InstanceLifecycle") or not is_standard(instance_type):
        return 0
    return _cpu_options(instance.get("CpuOptions")) or vcpus_of(instance_type) or 0


@dataclass
class QuotaRow:
    spec: QuotaSpec
    az: Optional[str]
    #: None: not checked (Service Quotas could not report it; ``reason`` says why).
    quota: Optional[int]
    source: str
    in_use: int
    needed: int
    #: Instances and groups whose vCPUs the templates do not spell out (vCPUs only).
    uncounted: int = 0
    #: Why the quota was not checked, else "".
    reason: str = ""

    @property
    def checked(self) -> bool:
        return self.quota is not None

    @property
    def after(self) -> int:
        return self.in_use + self.needed

    @property
    def short(self) -> int:
        """How far the deploy goes beyond the quota; 0 when it fits or was not checked."""
        return max(0, self.after - self.quota) if self.quota is not None else 0

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
            "checked": self.checked,
            "not_checked_reason": self.reason or None,
            "in_use": self.in_use,
            "needed": self.needed,
            "short_by": self.short if self.checked else None,
            "uncounted": self.uncounted,
            # the quota whose increase raises this one (its own code cannot be raised)
            "raised_through": (
                f"{self.spec.raised_by.service}/{self.spec.raised_by.code}"
                if self.spec.raised_by else None
            ),
        }

    @property
    def note(self) -> str:
        """What the deploy adds that this row could not count, or ''."""
        if not self.uncounted:
            return ""
        return (
            f"{self.uncounted} instance(s) or Auto Scaling group(s) whose instance type or "
            "capacity the templates do not spell out are not counted"
        )


def compare(
    needs: Needs, quotas: Mapping[str, Tuple[Optional[int], str]], usage: Needs
) -> List[QuotaRow]:
    """One row per quota (per zone for NAT gateways) that the deploy needs or the region uses;
    a quota of None (not checked) keeps its reason."""
    rows = []
    for spec in SPECS:
        quota, source = quotas[spec.key]
        source, reason = (source, "") if quota is not None else (NOT_CHECKED, source)
        zones = sorted(
            {az for key, az in list(needs) + list(usage) if key == spec.key and az is not None}
        )
        for az in zones if spec.per_az else [None]:
            in_use, needed = usage.get((spec.key, az), 0), needs.get((spec.key, az), 0)
            if spec.per_az and not needed:
                continue  # a zone the deploy puts no NAT gateway in
            uncounted = needs.get((spec.key, UNCOUNTED), 0) if not spec.per_az else 0
            rows.append(QuotaRow(spec, az, quota, source, in_use, needed, uncounted, reason))
    return rows


def increase_command(row: QuotaRow, region: str, value: Optional[int] = None) -> str:
    """The AWS CLI call that asks for enough of ``row``'s quota (of the quota that raises it:
    :attr:`QuotaSpec.raised_by`; ``value`` is then that quota's)."""
    spec = row.spec.raised_by or row.spec
    return (
        f"aws service-quotas request-service-quota-increase --service-code {spec.service} "
        f"--quota-code {spec.code} --desired-value {value or row.after} --region {region}"
    )


def _raised_to(row: QuotaRow, rows: Sequence[QuotaRow]) -> int:
    """The value to ask for of the quota that raises ``row``'s (its own: what the deploy
    leaves in use). Through another quota (:attr:`QuotaSpec.raised_by`), which raises this one
    by as much as it is raised: that quota plus ``row``'s shortfall, and at least what that
    quota's own row leaves in use; its quota unread, ``row``'s figure."""
    through = row.spec.raised_by
    if through is None:
        return row.after
    other = next((r for r in rows if r.spec is through), None)
    if other is None or other.quota is None:
        return row.after
    return max(other.quota + row.short, other.after)


def shortfalls(rows: Sequence[QuotaRow], region: str) -> List[str]:
    """One line per quota that would run out: the numbers and the command that raises it
    (NAT gateways: one request, for the zone that needs most; internet gateways: the request
    on VPCs per Region, which raises both, once, for what each needs)."""
    lines = []
    short = [r for r in rows if r.short]
    asked = set()  # the quotas a line already asks to raise
    for row in short:
        spec = row.spec.raised_by or row.spec
        head = (
            f"{row.label}: quota {row.quota} ({row.source}), {row.in_use} in use, the deploy "
            f"adds {row.needed}: short by {row.short}; "
        )
        if spec.key in asked:
            if row.spec.raised_by:
                lines.append(f"{head}the {spec.name} request above raises it too")
            continue
        asked.add(spec.key)
        value = max(_raised_to(r, rows) for r in short if (r.spec.raised_by or r.spec) is spec)
        if row.spec.raised_by:
            how = (
                f"raise {spec.name} ({spec.service}/{spec.code}) to {value}, which raises it "
                "by as much (AWS raises it no other way)"
            )
        else:
            how = f"raise it to {value}"
            also = [r.label for r in short if r.spec.raised_by is spec]
            if value > row.after and also:
                how += f" ({' and '.join(also)} need that: it raises them by as much)"
        lines.append(
            f"{head}{how}: {increase_command(row, region, value)}"
            + (f" ({row.note})" if row.note else "")
        )
    return lines


def not_checked(rows: Sequence[QuotaRow]) -> List[str]:
    """One line per reason a quota was not checked, naming the quotas it left out and what the
    deploy needs of each (to compare by hand); [] when every quota was checked."""
    reasons: Dict[str, List[QuotaRow]] = {}
    for row in rows:
        if not row.checked:
            reasons.setdefault(row.reason, []).append(row)
    lines = []
    for reason, left in reasons.items():
        named = [
            f"{r.label} ({r.spec.service}/{r.spec.code}: {r.in_use} in use, the deploy adds "
            f"{r.needed})" for r in left
        ]  # fmt: skip
        what = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        lines.append(f"{what} not checked: {reason}")
    return lines


def check(clients: Callable[..., Any], needs: Needs, region: str) -> List[QuotaRow]:
    """Read the quotas and the usage of ``region`` and compare them with ``needs``; a quota
    Service Quotas cannot report is a row that is not checked (:func:`read_quota`)."""
    service_quotas = clients("service-quotas")
    quotas = {spec.key: read_quota(service_quotas, spec, region) for spec in SPECS}
    return compare(needs, quotas, read_usage(clients("ec2")))
