"""The account-wide checks: the course's four tags on everything the audit read (each kind
named), and what is there that the reference does not have, with what it costs an hour."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional

from week5.analysis.rules.course_tags import TAG_VALIDATORS
from week5.core.errors import shown
from week5.core.tags import COURSE_TAG_KEYS
from week5.operations.audit.checks_compute import _pair
from week5.operations.audit.model import KINDS, Account, Check
from week5.operations.audit.reference import Reference
from week5.operations.price_table import PriceTable


def _read(account: Account) -> str:
    """What the tags check read, kind by kind: "the 23 resources read: VPC, 4 subnets, ..."."""
    counts = Counter(account.kinds.get(r, "") for r in account.tags)
    named = [
        one if counts[kind] == 1 else f"{counts[kind]} {several}"
        for kind, (one, several) in KINDS.items()
        if counts[kind]
    ]
    if counts[""]:  # kept without a kind: named as resources
        named.append(f"{counts['']} other")
    return f"the {len(account.tags)} resources read: {', '.join(named) or 'none'}"


def _tags(account: Account, lab_tags: Dict[str, str]) -> Check:
    """The course's tags on each resource :func:`.read_account` read, each named by its kind,
    and the line says which kinds those were: a kind it does not read is not claimed."""
    order = {kind: n for n, kind in enumerate(KINDS)}

    def placed(resource_id: str) -> tuple:
        return order.get(account.kinds.get(resource_id, ""), len(order)), resource_id

    untagged = []
    for resource_id in sorted(account.tags, key=placed):
        tags = account.tags[resource_id]
        kind = KINDS.get(account.kinds.get(resource_id, ""), ("resource",))[0]
        bad = [k for k, valid in TAG_VALIDATORS.items() if not valid(tags.get(k))]
        bad += [k for k, v in lab_tags.items() if k not in bad and tags.get(k) not in (None, v)]
        # A tag that is there with a wrong value is not "lacking" (Student=김철수 read so).
        missing = [k for k in bad if tags.get(k) is None]
        wrong = [f"{k}={shown(tags[k])}" for k in bad if tags.get(k) is not None]
        if missing:
            untagged.append(f"{kind} {resource_id} lacks {'/'.join(missing)}")
        if wrong:
            untagged.append(f"{kind} {resource_id} has {', '.join(wrong)}, not the course's")
    if untagged:
        return Check("tags", False, f"{'; '.join(untagged)} (of {_read(account)})")
    return Check("tags", True, f"{', '.join(COURSE_TAG_KEYS)} on {_read(account)}")


#: How many extra instances of one type are named by id; more are counted.
NAMED = 3


def _unexpected(account: Account, ref: Reference) -> Check:
    prices = PriceTable()
    unpriced = 0

    def usd(key: str, count: float = 1.0, resources: int = 1) -> Optional[float]:
        """The hourly price of ``count`` units, or None when the table has none (a t3.large
        read $0.0000/h); ``resources``: how many of what is listed that price is for."""
        nonlocal unpriced
        cost = prices.hourly(key, count)
        unpriced += resources if cost is None else 0
        return cost

    def each(cost: Optional[float], count: int = 1) -> str:
        return "not priced" if cost is None else f"${cost / count:.4f}/h"

    extra, hourly = [], 0.0
    wanted = Counter(ref.instance_types)
    beyond: Dict[str, List[str]] = {}  # instance type → the ids beyond the lab's, in order
    for instance in account.instances:
        if wanted[instance["type"]] > 0:
            wanted[instance["type"]] -= 1
            continue
        beyond.setdefault(instance["type"], []).append(instance["id"])
    for instance_type, ids in beyond.items():
        cost = usd(f"ec2:{instance_type}", len(ids), resources=len(ids))
        hourly += cost or 0.0
        if len(ids) <= NAMED:
            extra += [f"{i} {instance_type} ({each(cost, len(ids))})" for i in ids]
        else:  # one short entry, not dozens: the count, a few ids, the sum
            shown = ", ".join(ids[:NAMED]) + f" and {len(ids) - NAMED} more"
            extra.append(f"{len(ids)} × {instance_type}: {shown} ({each(cost)})")
    matched = {
        id(g) for _, g in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")) if g
    }
    for group in account.groups:
        if id(group) not in matched:
            cost = usd(f"ec2:{group['type']}", group["desired"])
            extra.append(
                f"Auto Scaling group {group['name']} {group['desired']} × {group['type']} "
                f"({each(cost)})"
            )
            hourly += cost or 0.0
    for kind, ids, key in (
        ("NAT gateway", account.nat_gateways[ref.nat_gateways :], "nat-gateway"),
        (
            "load balancer",
            [b["name"] for b in account.load_balancers][len(ref.load_balancers) :],
            "alb",
        ),
    ):
        for resource_id in ids:
            cost = usd(key)
            extra.append(f"{kind} {resource_id} ({each(cost)})")
            hourly += cost or 0.0
    steps = []  # what a guide step made from the lab's outputs: named, priced, no failure
    for db in account.databases:
        if db["id"] in ref.restored:
            made, deletes = ref.restored[db["id"]]
            cost = usd(_db_price_key(db))
            steps.append(
                f"RDS {db['id']} {db['class']} ({each(cost)}), which the {made} output made"
                + (f": {deletes} deletes it when the step is done" if deletes else "")
            )
            hourly += cost or 0.0
    lab_databases = [d for d in account.databases if d["id"] not in ref.restored]
    for db in lab_databases[len(ref.databases) :]:
        cost = usd(_db_price_key(db))
        extra.append(f"RDS {db['id']} {db['class']} ({each(cost)})")
        hourly += cost or 0.0
    for cache in account.caches[len(ref.caches) :]:
        cost = usd(f"elasticache:{cache['engine']}:{cache['type']}", max(cache["nodes"], 1))
        extra.append(f"ElastiCache {cache['id']} {cache['type']} ({each(cost)})")
        hourly += cost or 0.0
    # A total with something unpriced in it is no total: $0.0000/h "in all" for an m5.large
    # read as if it cost nothing.
    total = (
        f"${hourly:.4f}/h for what is priced, plus {unpriced} not priced: cost unknown"
        if unpriced
        else f"${hourly:.4f}/h in all"
    )
    if extra or steps:
        evidence = "; ".join(extra + steps) + f"; {total}"
    else:
        evidence = "nothing beyond the lab"
    return Check("unexpected-resources", not extra, evidence)


def _db_price_key(db: Dict[str, Any]) -> str:
    return f"rds:{db['engine']}:{db['class']}:{'multi-az' if db['multi_az'] else 'single-az'}"
