"""The account-wide checks: the course's four tags on everything the audit read (each kind
named), and what is there that the reference does not have, with what it costs an hour:
priced by `week5 cleanup`'s own functions (:func:`pricing_scope`), each with what belongs to
it (an instance's public IPv4 addresses and volumes, a NAT gateway's Elastic IPs, a
database's storage), so that both commands give the same resource the same $/h."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional

from week5.analysis.rules.course_tags import TAG_VALIDATORS
from week5.core.errors import shown
from week5.core.tags import COURSE_TAG_KEYS
from week5.operations.audit.checks_compute import _pair
from week5.operations.audit.model import KINDS, Account, Check
from week5.operations.audit.reference import Reference
from week5.operations.cleanup.compute import _instance_hourly
from week5.operations.cleanup.scope import Scope
from week5.operations.cleanup.services import _balancer_hourly, _db_instance_hourly
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


def _no_clients(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the audit's pricing scope reaches no AWS")  # never called


def pricing_scope(prices: PriceTable) -> Scope:
    """A `week5 cleanup` :class:`~week5.operations.cleanup.scope.Scope` that only prices (it
    reaches no AWS), so that cleanup's own functions price what the audit reads: one figure for
    the same resource in both commands (a trial's NAT gateway and Elastic IP read $0.0590/h in
    the audit, $0.0640/h in cleanup; a restored database $0.0280/h and $0.0316/h)."""
    return Scope(_no_clients, "", "", None, prices)


def instance_hourly(scope: Scope, instance: Dict[str, Any]) -> Optional[float]:
    """A stand-alone instance's hour as `week5 cleanup` prices it with what belongs to it: its
    type while it runs, each public IPv4 address it holds (AWS's or an Elastic IP: cleanup
    prices an Elastic IP on that address's own line) and each attached volume's GB
    (cleanup's EBS volume lines, by the same key). None ("not priced") when any has no price.
    Cleanup lists only what carries the day's tags: an untagged volume (which the tags check
    names) is priced here, not there."""
    described = instance.get("described") or {
        "InstanceType": instance["type"],
        "State": {"Name": "running"},
    }
    cost = _instance_hourly(scope, described, set())
    for volume in instance.get("volumes") or []:
        storage = scope.price(f"ebs:{volume.get('VolumeType', 'gp3')}", volume.get("Size", 0))
        cost = None if cost is None or storage is None else cost + storage
    return cost


def nat_hourly(scope: Scope, account: Account, gateway_id: str) -> Optional[float]:
    """A NAT gateway's hour and each of its public IPv4 addresses' (its Elastic IPs, which
    `week5 cleanup` lists, and prices, as Elastic IPs)."""
    gateway = scope.price("nat-gateway")
    addresses = len(account.nat_addresses.get(gateway_id) or [])
    held = scope.price("public-ipv4", addresses) if addresses else 0.0
    return None if gateway is None or held is None else gateway + held


def db_hourly(scope: Scope, db: Dict[str, Any]) -> Optional[float]:
    """An RDS instance's hour as `week5 cleanup` prices it: its class and its allocated storage
    (and RDS Extended Support's charge for a major past standard support)."""
    described = db.get("described") or {
        "Engine": db["engine"],
        "DBInstanceClass": db["class"],
        "MultiAZ": db["multi_az"],
    }
    return _db_instance_hourly(scope, described)[0]


def balancer_hourly(scope: Scope, balancer: Dict[str, Any]) -> Optional[float]:
    """A load balancer's hour as `week5 cleanup` prices it: an application load balancer's,
    and an internet-facing one's public IPv4 address in each of its zones."""
    described = balancer.get("described") or {
        "Scheme": balancer["scheme"],
        "AvailabilityZones": [{"ZoneName": z} for z in balancer["azs"]],
    }
    return _balancer_hourly(scope, described)


def _unexpected(account: Account, ref: Reference) -> Check:
    scope = pricing_scope(PriceTable())
    unpriced = 0

    def counted(cost: Optional[float], resources: int = 1) -> Optional[float]:
        """``cost``, counting ``resources`` (how many of what is listed it is for) as not
        priced when it is None (a t3.large read $0.0000/h)."""
        nonlocal unpriced
        unpriced += resources if cost is None else 0
        return cost

    def each(cost: Optional[float]) -> str:
        return "not priced" if cost is None else f"${cost:.4f}/h"

    extra, hourly = [], 0.0
    wanted = Counter(ref.instance_types)
    beyond: Dict[str, List[Dict[str, Any]]] = {}  # instance type → those beyond the lab's
    for instance in account.instances:
        if wanted[instance["type"]] > 0:
            wanted[instance["type"]] -= 1
            continue
        beyond.setdefault(instance["type"], []).append(instance)
    for instance_type, instances in beyond.items():
        costs = [counted(instance_hourly(scope, i)) for i in instances]
        hourly += sum(c for c in costs if c is not None)
        if len(instances) <= NAMED:
            extra += [
                f"{i['id']} {instance_type} ({each(c)})" for i, c in zip(instances, costs)
            ]
        else:  # one short entry, not dozens: the count, a few ids, the sum
            ids = [i["id"] for i in instances]
            shown = ", ".join(ids[:NAMED]) + f" and {len(ids) - NAMED} more"
            total = None if None in costs else sum(c for c in costs if c is not None)
            extra.append(f"{len(ids)} × {instance_type}: {shown} ({each(total)})")
    matched = {
        id(g) for _, g in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")) if g
    }
    for group in account.groups:
        if id(group) not in matched:
            # What it keeps running (cleanup prices the instances it has now, as instances).
            cost = counted(scope.price(f"ec2:{group['type']}", group["desired"]))
            extra.append(
                f"Auto Scaling group {group['name']} {group['desired']} × {group['type']} "
                f"({each(cost)})"
            )
            hourly += cost or 0.0
    for gateway_id in account.nat_gateways[ref.nat_gateways :]:
        cost = counted(nat_hourly(scope, account, gateway_id))
        extra.append(f"NAT gateway {gateway_id} ({each(cost)})")
        hourly += cost or 0.0
    for balancer in account.load_balancers[len(ref.load_balancers) :]:
        cost = counted(balancer_hourly(scope, balancer))
        extra.append(f"load balancer {balancer['name']} ({each(cost)})")
        hourly += cost or 0.0
    for address in account.elastic_ips:
        cost = counted(scope.price("public-ipv4"))
        extra.append(f"Elastic IP {address['id']} {address['ip']} ({each(cost)})")
        hourly += cost or 0.0
    steps = []  # what a guide step made from the lab's outputs: named, priced, no failure
    for db in account.databases:
        if db.get("id") in ref.restored:
            made, deletes = ref.restored[db["id"]]
            cost = counted(db_hourly(scope, db))
            steps.append(
                f"RDS {db['id']} {db['class']} ({each(cost)}), which the {made} output made"
                + (f": {deletes} deletes it when the step is done" if deletes else "")
            )
            hourly += cost or 0.0
    lab_databases = [d for d in account.databases if d.get("id") not in ref.restored]
    for db in lab_databases[len(ref.databases) :]:
        cost = counted(db_hourly(scope, db))
        extra.append(f"RDS {db['id']} {db['class']} ({each(cost)})")
        hourly += cost or 0.0
    for cache in account.caches[len(ref.caches) :]:
        key = f"elasticache:{cache['engine']}:{cache['type']}"
        cost = counted(scope.price(key, max(cache["nodes"], 1)))
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
