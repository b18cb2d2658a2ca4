"""The network checks: the VPC's CIDR, the subnets (CIDR, AZ, public or private), SSH or RDP
open to the internet, database and cache ports open to address ranges."""

from __future__ import annotations

from week5.analysis.rules.base import covers_port, from_wide_range
from week5.analysis.rules.data_ports_from_groups_only import DATA_PORTS
from week5.analysis.rules.no_admin_ports_from_internet import ADMIN_PORTS
from week5.operations.audit.model import Account, Check
from week5.operations.audit.reference import Reference


def _vpc_cidr(account: Account, ref: Reference) -> Check:
    return Check(
        "vpc-cidr",
        account.vpc_cidr == ref.vpc_cidr,
        f"{account.vpc_id} is {account.vpc_cidr}; the lab's is {ref.vpc_cidr}",
    )


def _subnets(account: Account, ref: Reference) -> Check:
    have, want = sorted(account.subnets), ref.subnets
    missing = [s for s in want if s not in have]
    extra = [s for s in have if s not in want]
    if not missing and not extra:
        return Check(
            "subnets", True, "as the diagram: " + ", ".join(f"{t} {c} {a}" for t, c, a in want)
        )
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"{t} {c} {a}" for t, c, a in missing))
    if extra:
        parts.append("not in the lab " + ", ".join(f"{t} {c} {a}" for t, c, a in extra))
    return Check("subnets", False, "; ".join(parts))


def _admin_from_internet(account: Account) -> Check:
    admin = [
        f"{gid} ({name}) admits {rule.get('FromPort', 'all')} from "
        f"{rule.get('CidrIp') or rule.get('CidrIpv6')}"
        for gid, name, rule in account.ingress
        if from_wide_range(rule) and any(covers_port(rule, p) for p in ADMIN_PORTS)
    ]
    return Check(
        "ssh-rdp-from-internet",
        not admin,
        "; ".join(admin) or "no 22 or 3389 from the internet",
    )


def _data_from_groups_only(account: Account) -> Check:
    data = [
        f"{gid} ({name}) admits {port} from "
        f"{rule.get('CidrIp') or rule.get('CidrIpv6') or rule.get('SourcePrefixListId')}"
        for gid, name, rule in account.ingress
        for port in DATA_PORTS
        if covers_port(rule, port)
        and any(rule.get(k) for k in ("CidrIp", "CidrIpv6", "SourcePrefixListId"))
    ]
    return Check(
        "databases-from-groups-only",
        not data,
        "; ".join(data) or "data ports admit security groups only",
    )
