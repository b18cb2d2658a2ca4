"""The account-wide checks: the course's four tags on everything the audit read (each kind
named), and what is there that the reference does not have, with what it costs an hour:
priced by `week5 cleanup`'s own functions (:func:`pricing_scope`), each with what belongs to
it (an instance's public IPv4 addresses and volumes, a NAT gateway's Elastic IPs, a
database's storage), so that both commands give the same resource the same $/h, shown in the
parts cleanup lists (:func:`priced`). A security group or network interface the lab does not
have is beyond it too (free, but it holds the VPC or a subnet), and an extra in a subnet or
the VPC the lab's stack made says `cdk destroy` fails until it goes (:func:`held`). Of several
NAT gateways, load balancers or databases, the extras are those without the lab stack's tag,
then the newest (:func:`beyond`), not the last listed."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from week5.analysis.rules.course_tags import TAG_VALIDATORS
from week5.core.errors import shown
from week5.core.tags import COURSE_TAG_KEYS
from week5.operations.audit.checks_compute import _pair
from week5.operations.audit.model import KINDS, Account, Check
from week5.operations.audit.reference import Reference
from week5.operations.cleanup.compute import _instance_hourly
from week5.operations.cleanup.scope import STACK_TAG, Scope
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


#: One part of an extra's price, as `week5 cleanup` lists it on a line of its own: (what,
#: $/h or None when not priced).
Part = Tuple[str, Optional[float]]


def total(parts: List[Part]) -> Optional[float]:
    """The parts' sum; None ("not priced") when any has no price."""
    costs = [cost for _, cost in parts]
    return None if None in costs else sum(c for c in costs if c is not None)


def instance_parts(scope: Scope, instance: Dict[str, Any]) -> List[Part]:
    """A stand-alone instance's hour as `week5 cleanup` lists it, line by line: the instance
    (its type while it runs and each public IPv4 address AWS gave it), each Elastic IP it holds
    and each attached volume's GB (cleanup's EBS volume lines, by the same key). Cleanup lists
    only what carries the day's tags: an untagged volume (which the tags check names) is priced
    here, not there."""
    described = instance.get("described") or {
        "InstanceType": instance["type"],
        "State": {"Name": "running"},
    }
    elastic = set(instance.get("elastic") or [])
    parts: List[Part] = [("instance", _instance_hourly(scope, described, set(elastic)))]
    parts += [("Elastic IP", scope.price("public-ipv4")) for _ in sorted(elastic)]
    for volume in instance.get("volumes") or []:
        size = volume.get("Size", 0)
        parts.append(("volume", scope.price(f"ebs:{volume.get('VolumeType', 'gp3')}", size)))
    return parts


def instance_hourly(scope: Scope, instance: Dict[str, Any]) -> Optional[float]:
    """A stand-alone instance's hour with what belongs to it (:func:`instance_parts`)."""
    return total(instance_parts(scope, instance))


def nat_parts(scope: Scope, account: Account, gateway_id: str) -> List[Part]:
    """A NAT gateway's hour and each of its public IPv4 addresses' (its Elastic IPs, which
    `week5 cleanup` lists, and prices, as Elastic IPs)."""
    addresses = account.nat_addresses.get(gateway_id) or []
    return [("NAT gateway", scope.price("nat-gateway"))] + [
        ("Elastic IP", scope.price("public-ipv4")) for _ in addresses
    ]


def nat_hourly(scope: Scope, account: Account, gateway_id: str) -> Optional[float]:
    """A NAT gateway's hour with its Elastic IPs' (:func:`nat_parts`)."""
    return total(nat_parts(scope, account, gateway_id))


def each(cost: Optional[float]) -> str:
    return "not priced" if cost is None else f"${cost:.4f}/h"


def priced(parts: List[Part]) -> str:
    """What an entry says of its price: "$0.0322/h", or its parts as `week5 cleanup` lists
    them, and their sum: "instance $0.0310 + volume $0.0012 = $0.0322/h" (a trial read
    $0.0322 in the audit where cleanup listed $0.0310 and $0.0012); "not priced" when any
    part is not."""
    cost = total(parts)
    if cost is None or len(parts) == 1:
        return each(cost)
    return " + ".join(f"{what} ${part:.4f}" for what, part in parts) + f" = {each(cost)}"


def held(account: Account, *resource_ids: str) -> str:
    """What an extra (or several, on one entry) in a subnet or the VPC the lab's stack made
    adds to its entry: `cdk destroy` fails (DependencyViolation) while it is there. `week5
    cleanup` says the same facts as "held by ... which holds its subnet ...: that goes
    first". "" for one elsewhere, or in a lab built by hand (no stack to destroy)."""
    ids = [p for r in resource_ids for p in account.places.get(r, [])]
    places = list(dict.fromkeys(account.lab_places[p] for p in ids if p in account.lab_places))
    if not places:
        return ""
    subnets = [p.split(" ", 1)[1] for p in places if p.startswith("subnet ")]
    named = ", ".join(
        ([f"subnet{'s' if len(subnets) > 1 else ''} {', '.join(subnets)}"] if subnets else [])
        + [p for p in places if not p.startswith("subnet ")]
    )
    return f", in {named}: `cdk destroy` fails until it goes"


def beyond(account: Account, listed: List[Any], keep: int, key: Any) -> List[Any]:
    """Those of ``listed`` beyond the ``keep`` the lab has: AWS lists them in no promised
    order, so the lab's are those carrying its stack's ``aws:cloudformation:stack-name`` tag
    (:attr:`Account.stack`), then the oldest; the extras, those without it, then the newest.
    ``key`` gives an item's id (its tags and creation time in ``account``)."""

    def placed(item: Any) -> tuple:
        resource_id = key(item)
        ours = bool(account.stack) and (
            account.tags.get(resource_id, {}).get(STACK_TAG) == account.stack
        )
        return (not ours, account.created.get(resource_id, ""))

    return sorted(listed, key=placed)[keep:]


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

    extra, hourly = [], 0.0

    def add(what: str, resource_id: str, parts: List[Part]) -> None:
        """One extra's entry: what it is, its price (its parts, as cleanup lists them) and
        whether it holds what the lab's stack made."""
        nonlocal hourly
        cost = counted(total(parts))
        extra.append(f"{what} ({priced(parts)}){held(account, resource_id)}")
        hourly += cost or 0.0

    wanted = Counter(ref.instance_types)
    beyond_lab: Dict[str, List[Dict[str, Any]]] = {}  # instance type → those beyond the lab's
    for instance in account.instances:
        if wanted[instance["type"]] > 0:
            wanted[instance["type"]] -= 1
            continue
        beyond_lab.setdefault(instance["type"], []).append(instance)
    for instance_type, instances in beyond_lab.items():
        if len(instances) <= NAMED:
            for i in instances:
                add(f"{i['id']} {instance_type}", i["id"], instance_parts(scope, i))
        else:  # one short entry, not dozens: the count, a few ids, the sum
            costs = [counted(instance_hourly(scope, i)) for i in instances]
            hourly += sum(c for c in costs if c is not None)
            ids = [i["id"] for i in instances]
            shown = ", ".join(ids[:NAMED]) + f" and {len(ids) - NAMED} more"
            cost = None if None in costs else sum(c for c in costs if c is not None)
            extra.append(f"{len(ids)} × {instance_type}: {shown} ({each(cost)})" + held(account, *ids))
    matched = {
        id(g) for _, g in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")) if g
    }
    for group in account.groups:
        if id(group) not in matched:
            # What it keeps running (cleanup prices the instances it has now, as instances).
            cost = scope.price(f"ec2:{group['type']}", group["desired"])
            add(
                f"Auto Scaling group {group['name']} {group['desired']} × {group['type']}",
                group["name"],
                [("", cost)],
            )
    for gateway_id in beyond(account, account.nat_gateways, ref.nat_gateways, str):
        add(f"NAT gateway {gateway_id}", gateway_id, nat_parts(scope, account, gateway_id))
    for balancer in beyond(
        account, account.load_balancers, len(ref.load_balancers), lambda b: b["name"]
    ):
        parts = [("", balancer_hourly(scope, balancer))]
        add(f"load balancer {balancer['name']}", balancer["name"], parts)
    for address in account.elastic_ips:
        parts = [("", scope.price("public-ipv4"))]
        add(f"Elastic IP {address['id']} {address['ip']}", address["id"], parts)
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
    for db in beyond(account, lab_databases, len(ref.databases), lambda d: d["id"]):
        add(f"RDS {db['id']} {db['class']}", db["id"], [("", db_hourly(scope, db))])
    for cache in account.caches[len(ref.caches) :]:
        key = f"elasticache:{cache['engine']}:{cache['type']}"
        cost = scope.price(key, max(cache["nodes"], 1))
        add(f"ElastiCache {cache['id']} {cache['type']}", cache["id"], [("", cost)])
    # Free, but each holds the VPC or a subnet: the lab's groups are the VPC's default and
    # those its stack made (none is the stack's in a VPC built by hand: its groups are the
    # student's own, which the template's cannot be told from); no lab makes an interface.
    for group in account.security_groups:
        if not group["default"] and group["stack"] != account.stack:
            name = f" {group['name']}" if group["name"] else ""
            add(f"security group {group['id']}{name}", group["id"], [("", 0.0)])
    for eni in account.interfaces:
        if not account.stack or eni["stack"] != account.stack:
            name = f" {eni['name']}" if eni["name"] else ""
            add(f"network interface {eni['id']}{name}", eni["id"], [("", 0.0)])
    # A total with something unpriced in it is no total: $0.0000/h "in all" for an m5.large
    # read as if it cost nothing.
    in_all = (
        f"${hourly:.4f}/h for what is priced, plus {unpriced} not priced: cost unknown"
        if unpriced
        else f"${hourly:.4f}/h in all"
    )
    if extra or steps:
        evidence = "; ".join(extra + steps) + f"; {in_all}"
    else:
        evidence = "nothing beyond the lab"
    return Check("unexpected-resources", not extra, evidence)
