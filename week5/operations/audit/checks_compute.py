"""The compute checks: instance types (stand-alone instances, what each Auto Scaling group
launches, database and cache classes), Auto Scaling groups as the lab's, and what spans AZs
(load balancers, Multi-AZ databases, cache nodes)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from week5.analysis.rules.allowed_instance_classes import ALLOWED_CLASS
from week5.operations.audit.model import Account, Check
from week5.operations.audit.reference import Reference


def _short_azs(azs: List[str]) -> str:
    return ", ".join(azs) if azs else "no AZ"


def counted(pairs: List[Tuple[str, str]]) -> str:
    """``31 × EC2 t3.micro, RDS db.t3.micro``: each (kind, type) once in the order given, with
    its count when more than one, so a scaled-out account's evidence stays one short line."""
    return (
        ", ".join(
            f"{n} × {kind} {t}" if n > 1 else f"{kind} {t}"
            for (kind, t), n in Counter(pairs).items()
        )
        or "none"
    )


def _instance_types(account: Account, ref: Reference) -> Check:
    have = sorted(
        [("EC2", i["type"]) for i in account.instances]
        + [("NAT instance", i["type"]) for i in account.nat_instances]
        + [("Auto Scaling", g["type"]) for g in account.groups]
        + [("RDS", d["class"]) for d in account.databases if d.get("id") not in ref.restored]
        + [("ElastiCache", c["type"]) for c in account.caches]
    )
    want = sorted(
        [("EC2", t) for t in ref.instance_types]
        + [("NAT instance", t) for t in ref.nat_instances]
        + [("Auto Scaling", g["type"]) for g in ref.groups]
        + [("RDS", d["class"]) for d in ref.databases]
        + [("ElastiCache", c["type"]) for c in ref.caches]
    )
    outside = sorted({t for _, t in have if not ALLOWED_CLASS.match(str(t))})
    differs = Counter(have) != Counter(want)
    evidence = (
        _counts_differ(Counter(have), Counter(want))
        if differs and set(have) == set(want)
        else f"{counted(have)}; the lab runs {counted(want)}"
    )
    return Check(
        "instance-types",
        not outside and not differs,
        evidence + (f"; outside the course's classes: {', '.join(outside)}" if outside else ""),
    )


#: What one of each kind of :func:`_instance_types` is called, for a count.
_UNITS = {
    "EC2": "instance",
    "NAT instance": "instance",
    "Auto Scaling": "group",
    "RDS": "database",
    "ElastiCache": "cache",
}


def _counts_differ(have: Counter, want: Counter) -> str:
    """The evidence when the account runs the lab's types, only not as many of one: ``2
    instances of EC2 t3.micro; the lab runs 1: one more than the lab's (unexpected-resources
    names it): delete it``. "2 × EC2 t3.micro; the lab runs EC2 t3.micro" read as the same
    thing twice, and named no fix."""
    parts = []
    for (kind, kind_type), count in have.items():
        wanted = want[(kind, kind_type)]
        if count == wanted:
            continue
        unit = _UNITS.get(kind, "resource")
        head = f"{count} {unit}{'s' if count > 1 else ''} of {kind} {kind_type}; the lab runs {wanted}"
        if count > wanted:
            extra = count - wanted
            them = "it" if extra == 1 else "them"
            parts.append(
                f"{head}: {extra} more than the lab's (unexpected-resources names {them}): "
                f"delete {them}"
            )
        else:
            parts.append(
                f"{head}: {wanted - count} fewer than the lab's: deploy the lab again "
                "(scripts/cdk deploy) to bring back what is missing"
            )
    return "; ".join(parts)


def _pair(
    have: List[Dict[str, Any]], want: List[Dict[str, Any]], keys: Tuple[str, ...]
) -> List[Tuple[Dict[str, Any], Optional[Dict[str, Any]]]]:
    """Each wanted item with the account's closest (most keys equal), each used once."""
    left = list(have)
    pairs = []
    for wanted in want:
        best = max(left, key=lambda h: sum(h.get(k) == wanted.get(k) for k in keys), default=None)
        if best is not None:
            left.remove(best)
        pairs.append((wanted, best))
    return pairs


def _auto_scaling(account: Account, ref: Reference) -> Check:
    if not ref.groups:
        return Check("auto-scaling", True, "no Auto Scaling group in the lab")
    problems, fine = [], []
    for wanted, group in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")):
        label = f"{wanted['name']} ({wanted['min']}-{wanted['max']} in {_short_azs(wanted['azs'])})"
        if group is None:
            problems.append(f"no group for the lab's {label}")
            continue
        issues = []
        if (group["min"], group["max"]) != (wanted["min"], wanted["max"]):
            issues.append(
                f"size {group['min']}-{group['max']}, the lab's {wanted['min']}-{wanted['max']}"
            )
        missing = [az for az in wanted["azs"] if az not in group["azs"]]
        if missing:
            issues.append(
                f"subnets in {_short_azs(group['azs'])} only, missing {_short_azs(missing)}"
            )
        if wanted["balanced"] and not group["balanced"]:
            issues.append("not behind a load balancer's target group")
        if issues:
            problems.append(f"{group['name']}: " + "; ".join(issues))
        else:
            fine.append(
                f"{group['name']} {group['min']}-{group['max']} in {_short_azs(group['azs'])}"
            )
    return Check(
        "auto-scaling", not problems, "; ".join(problems) or "as the lab: " + "; ".join(fine)
    )


def _multi_az(account: Account, ref: Reference) -> Check:
    problems, fine = [], []
    for wanted, balancer in _pair(account.load_balancers, ref.load_balancers, ("scheme", "azs")):
        if balancer is None:
            problems.append(f"no load balancer for the lab's {wanted['name']} ({wanted['scheme']})")
            continue
        missing = [az for az in wanted["azs"] if az not in balancer["azs"]]
        if missing:
            problems.append(
                f"load balancer {balancer['name']} in {_short_azs(balancer['azs'])}, missing "
                f"{_short_azs(missing)}"
            )
        else:
            fine.append(f"load balancer {balancer['name']} in {_short_azs(balancer['azs'])}")
    # a database a guide step restores (ref.restored) is no candidate for the lab's own
    databases = [d for d in account.databases if d.get("id") not in ref.restored]
    primaries = [d for d in databases if not d["replica"]]
    replicas = [d for d in databases if d["replica"]]
    for kind, have, want in (
        ("database", primaries, [d for d in ref.databases if not d["replica"]]),
        ("read replica", replicas, [d for d in ref.databases if d["replica"]]),
    ):
        for wanted, db in _pair(have, want, ("multi_az", "class", "engine")):
            if db is None:
                problems.append(f"no {kind} for the lab's {wanted['name']}")
            elif db["multi_az"] != wanted["multi_az"]:
                problems.append(
                    f"{kind} {db['id']} is {'Multi-AZ' if db['multi_az'] else 'single-AZ'}; the "
                    f"lab's is {'Multi-AZ' if wanted['multi_az'] else 'single-AZ'}"
                )
            else:
                fine.append(f"{kind} {db['id']} {'Multi-AZ' if db['multi_az'] else 'single-AZ'}")
    for wanted, cache in _pair(account.caches, ref.caches, ("nodes", "type")):
        if cache is None:
            problems.append(f"no cache for the lab's {wanted['name']}")
        elif cache["nodes"] < wanted["nodes"]:
            problems.append(
                f"cache {cache['id']} has {cache['nodes']} node(s); the lab's has {wanted['nodes']}"
            )
        else:
            fine.append(f"cache {cache['id']} with {cache['nodes']} node(s)")
    if not problems and not fine:
        return Check("multi-az", True, "no load balancer, database or cache in the lab")
    return Check("multi-az", not problems, "; ".join(problems) or "as the lab: " + "; ".join(fine))
