"""Everything a course day left in a region, found by its tags, in the order to delete it;
what belongs to a found stack is folded into it, and what is tied to a resource outside the
day's tags is marked to be left, with everything that waits on it."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Dict, List, Optional, Tuple

from week5.analysis.assembly import tag_dict
from week5.core.tags import WEEK_KEY
from week5.operations.aws_errors import unsupported
from week5.operations.cleanup import compute, console, interfaces, network, services, stacks, ties
from week5.operations.cleanup.scope import Found, Scope, join_ids

#: Dependents first: what holds a resource is deleted before it (an instance before its
#: security group, subnets before their VPC). Stacks first: what they made goes with them.
#: Each finder with what it finds, for a "not checked" line.
DELETION_ORDER: Tuple[Tuple[str, Callable[[Scope], List[Found]]], ...] = (
    ("CloudFormation stacks", stacks.stacks),
    # before instances: a group replaces the instances it loses
    ("Auto Scaling groups", services.auto_scaling_groups),
    ("EC2 instances", compute.instances),
    ("RDS instances", services.db_instances),
    ("RDS snapshots", services.db_snapshots),
    ("ElastiCache groups", services.caches),
    ("EFS file systems", console.file_systems),
    ("load balancers", services.load_balancers),
    ("API Gateway APIs", console.apis),
    ("WAF web ACLs", console.web_acls),  # after what they protect
    ("target groups", services.target_groups),
    ("launch templates", compute.launch_templates),
    ("S3 buckets", services.buckets),
    ("NAT gateways", network.nat_gateways),
    ("Elastic IPs", interfaces.addresses),
    ("network interfaces", interfaces.network_interfaces),
    ("security groups", interfaces.security_groups),
    ("subnets", network.subnets),
    ("route tables", network.route_tables),
    ("internet gateways", network.internet_gateways),
    ("VPCs", network.vpcs),
    ("EBS volumes", compute.volumes),
    ("AMIs", compute.images),
    ("EBS snapshots", compute.snapshots),
    ("secrets", console.secrets),
    ("log groups", console.log_groups),
    ("ECR repositories", console.repositories),
    ("CloudFront distributions", services.distributions),
)


def find(scope: Scope) -> List[Found]:
    """Every resource of ``scope``, in :data:`DELETION_ORDER`; see the module docstring.

    A finder whose call the endpoint does not implement (an emulator lacking it:
    :func:`~week5.operations.aws_errors.unsupported`) finds nothing, and what it would have
    found is reported "not checked" (``scope.warnings``), one line per cause: nothing of it is
    deleted, and whatever needs it gone first is refused by AWS, not forced. Any other error
    stops the run (an account that refuses or times out is not half-read)."""
    found: List[Found] = []
    refs = scope.cached("found-refs", set)
    lacking: Dict[str, List[str]] = {}
    for what, step in DELETION_ORDER:
        try:
            items = step(scope)
        except Exception as error:
            line = unsupported(error, scope.region)
            if line is None:
                raise
            lacking.setdefault(line, []).append(what)
            continue
        for item in items:
            found.append(item)
            refs.update(r for r in (item.id, *item.refs) if r)
    for line, kinds in lacking.items():
        scope.warn(f"{join_all(kinds)}: {line}")
    found = _fold_into_stacks(scope, found)
    _leave_with_the_left(scope, found)
    return found


def join_all(words: List[str]) -> str:
    """``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _fold_into_stacks(scope: Scope, found: List[Found]) -> List[Found]:
    """A stack's resources go with it: they leave the list, their cost goes to the stack.
    A stack without course tags whose resources are the day's is the day's (the course's own
    stacks tag their resources only). A resource of a stack tagged for someone else, or of a
    stack that also holds someone else's resources, is left: that stack is not the day's."""
    owned = stacks.members(scope)
    existing = stacks.all_stacks(scope)
    ours: Dict[str, Found] = {f.id: f for f in found if f.kind == stacks.KIND}
    by_id = {f.id: f for f in found}
    counts: Dict[str, int] = {}
    unpriced: Dict[str, int] = {}

    def stack_of(item: Found, depth: int = 0) -> Optional[str]:
        stack = item.stack if item.stack in existing else None
        stack = stack or next((owned[r] for r in (item.id, *item.refs) if r in owned), None)
        if stack is None and item.part_of and depth < 3:
            maker = by_id.get(item.part_of)
            stack = stack_of(maker, depth + 1) if maker else owned.get(item.part_of)
        return stack

    kept: List[Found] = []
    for item in found:
        if item.kind == stacks.KIND:
            continue
        stack = stack_of(item)
        if stack is None:
            kept.append(item)
            continue
        description = existing[stack]
        if description.get("StackStatus") == "DELETE_IN_PROGRESS":
            continue  # going with its stack already
        if stack not in ours and not stacks.course_tagged(description):
            others = _someone_elses(scope, owned, stack)
            if others:
                item.ties.append(
                    f"CloudFormation stack {stack} made it and also {others}: delete that "
                    "stack by hand"
                )
                kept.append(item)
                continue
            ours[stack] = stacks.stack_found(scope, description)
        if stack in ours:
            holder = ours[stack]
            counts[stack] = counts.get(stack, 0) + 1
            if item.hourly is None:
                unpriced[stack] = unpriced.get(stack, 0) + 1
            else:
                holder.hourly = (holder.hourly or 0.0) + item.hourly
            continue
        item.ties.append(
            f"{scope.outside('CloudFormation stack ' + stack)}, made it (delete that stack "
            "instead of its resources)"
        )
        kept.append(item)
    refs = scope.cached("found-refs", set)
    for name, holder in ours.items():
        holder.name = f"{counts.get(name, 0)} tagged resource(s) in it" + (
            f", {unpriced[name]} of them not priced" if unpriced.get(name) else ""
        )
        untagged, not_looked_for = stacks.unfound(scope, name, refs)
        if untagged:
            holder.name += f"; not found with the day's tags, so not priced: {_kinds(untagged)}"
        if not_looked_for:
            holder.name += f"; not looked for (they go with it), not priced: {_kinds(not_looked_for)}"
    return list(ours.values()) + kept


def _kinds(types: List[str]) -> str:
    """``EC2::EIP, CloudWatch::Alarm x14``: each type once, with its count."""
    counted = Counter(types)
    return ", ".join(
        kind.removeprefix("AWS::") + (f" x{n}" if n > 1 else "") for kind, n in counted.items()
    )


def _someone_elses(scope: Scope, owned: Dict[str, str], stack: str) -> str:
    """What ``stack`` holds that is tagged for another day or student (as far as the EC2
    network and the Auto Scaling groups show), worded for a message; "" when nothing."""
    net = ties.network(scope)
    tagged: Dict[str, object] = {}
    for table in (net.instances, net.volumes, net.subnets, net.vpcs, net.groups):
        for resource_id, item in table.items():
            tagged[resource_id] = item.get("Tags")
    for group in ties.auto_scaling_groups_all(scope):
        tagged[group["AutoScalingGroupName"]] = group.get("Tags")
    others = [
        physical
        for physical, name in owned.items()
        if name == stack
        and physical in tagged
        and WEEK_KEY in tag_dict(tagged[physical])
        and not scope.ours(tagged[physical])
    ]
    return f"{', '.join(others[:3])}, tagged for another day or student" if others else ""


def _leave_with_the_left(scope: Scope, found: List[Found]) -> None:
    """A resource that needs a left one gone first is left too (a VPC whose route table is
    tied to an untagged subnet), and so is one that a left one needs to keep working (the route
    table of a subnet an untagged instance runs in, and the internet gateway that table routes
    through): deleting it would break what is left, and so what uses it outside the day's tags.
    Such a resource is reported with those, as its partners."""
    by_id = {f.id: f for f in found}
    changed = True
    while changed:
        changed = False
        for item in found:
            if item.held:
                continue
            for needed in item.needs:
                other = by_id.get(needed)
                if other is not None and other.held:
                    item.ties.append(f"it waits on {other}, which is left")
                    item.partners = list(other.partners)
                    changed = True
                    break
            else:
                for user_id, how in item.serves:
                    user = by_id.get(user_id)
                    if user is not None and user.held:
                        item.ties.append(_kept_for(scope, user, how))
                        item.partners = list(user.partners)
                        changed = True
                        break


def _kept_for(scope: Scope, user: Found, how: str) -> str:
    """Why a resource that ``user`` (left) needs is left: ``instance i-1, which is not tagged
    Day1/kim, uses it through subnet subnet-1, which is left and is associated with it (...)``;
    without partners (a tie not worded with one), ``user`` alone."""
    partners = list(dict.fromkeys(user.partners))
    if not partners:
        return f"{user}, which is left, {how}"
    uses = "uses" if len(partners) == 1 else "use"
    return (
        f"{scope.outside(join_ids(partners), len(partners))}, {uses} it through {user}, which "
        f"is left and {how}"
    )
