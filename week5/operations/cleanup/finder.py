"""Everything a course day left in a region, found by its tags, in the order to delete it;
what belongs to a found stack is folded into it, and what is tied to a resource outside the
day's tags is marked to be left, with everything that waits on it. A stack goes whole or not at
all: one of its resources tied to a resource outside the day's tags (an untagged instance in
its subnet) leaves the whole stack, reported with that resource and the other one; deleting the
stack would delete the resource under the other one, or on AWS fail half-way through."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Tuple

from week5.analysis.assembly import tag_dict
from week5.operations.aws_errors import unsupported
from week5.operations.cleanup import compute, console, interfaces, network, services, stacks, ties
from week5.operations.cleanup.scope import (
    Found,
    Scope,
    error_code,
    join_ids,
    vanished,
)

#: Dependents first: what holds a resource is deleted before it (an instance before its
#: security group, subnets before their VPC). Stacks first: what they made goes with them.
#: Each finder with what it finds, for a "not checked" line.
DELETION_ORDER: Tuple[Tuple[str, Callable[[Scope], List[Found]]], ...] = (
    ("CloudFormation stacks", stacks.stacks),
    # before instances: a group replaces the instances it loses
    ("Auto Scaling groups", services.auto_scaling_groups),
    ("EC2 instances", compute.instances),
    ("RDS instances", services.db_instances),
    ("RDS clusters", services.db_clusters),  # after their instances
    ("RDS snapshots", services.db_snapshots),
    ("ElastiCache groups", services.caches),
    ("ElastiCache serverless caches", services.serverless_caches),
    ("ElastiCache clusters", services.cache_clusters),  # outside a group
    ("ElastiCache snapshots", services.cache_snapshots),  # after their caches, as RDS's
    ("EFS file systems", console.file_systems),
    ("load balancers", services.load_balancers),
    ("API Gateway APIs", console.apis),
    ("WAF web ACLs", console.web_acls),  # after what they protect
    ("target groups", services.target_groups),
    ("launch templates", compute.launch_templates),
    ("S3 buckets", services.buckets),
    # before the subnets, security groups, route tables and VPCs their interfaces and routes hold
    ("VPC endpoints", network.vpc_endpoints),
    ("NAT gateways", network.nat_gateways),
    ("Elastic IPs", interfaces.addresses),
    ("network interfaces", interfaces.network_interfaces),
    ("security groups", interfaces.security_groups),
    ("subnets", network.subnets),
    ("network ACLs", network.network_acls),  # once no subnet is associated with them
    ("route tables", network.route_tables),
    ("internet gateways", network.internet_gateways),
    ("VPCs", network.vpcs),
    ("EBS volumes", compute.volumes),
    ("AMIs", compute.images),
    ("EBS snapshots", compute.snapshots),
    ("key pairs", compute.key_pairs),  # free; nothing waits on one (an instance keeps its key)
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
    deleted, and whatever needs it gone first is refused by AWS, not forced. So is a read of
    us-east-1 that a policy refuses (a region-deny SCP: :func:`.console.web_acls`). Any other
    error stops the run (an account that refuses or times out is not half-read)."""
    found: List[Found] = []
    refs = scope.cached("found-refs", set)
    typed = scope.cached("found-typed", set)
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
            typed.update(
                (r, kind)
                for r in (item.id, *item.refs)
                if r
                for kind in stacks.kind_types(item.kind)
            )
    for line, kinds in lacking.items():
        scope.warn(f"{join_all(kinds)}: {line}")
    members: Dict[str, Member] = {}
    found = _fold_into_stacks(scope, found, members)
    scope.cached("folded", dict).update(members)  # for ``--day all`` (``Cleaner.find``)
    _leave_with_the_left(scope, found, members)
    _held_by_the_listed(found, members)
    for item in found:
        item.day = scope.day
    return found


def join_all(words: List[str]) -> str:
    """``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


#: A found resource folded into its stack, and that stack's :class:`Found`.
Member = Tuple[Found, Found]

#: What the resource a found one is part of (``Found.part_of``) is, by the found one's kind:
#: an instance's Auto Scaling group, a volume's instance.
_MAKER_TYPES = {
    "EC2 instance": stacks.KIND_TYPES["Auto Scaling group"],
    "EBS volume": stacks.KIND_TYPES["EC2 instance"],
}
_ASG = stacks.KIND_TYPES["Auto Scaling group"]


def _fold_into_stacks(scope: Scope, found: List[Found], members: Dict[str, Member]) -> List[Found]:
    """A stack's resources go with it: they leave the list, their cost goes to the stack,
    and their ties to resources outside the stack and the day's tags leave the stack
    (``members``: each folded resource by id, with its stack's Found).
    Only a stack that itself carries the day's tags is the day's (a lab's stack does:
    :class:`week5.synth.lab.LabStack` tags it). A resource of any other stack, one tagged for
    someone else or one without course tags (someone's own, whose other resources cleanup
    never sees: a table, a bucket), is left with the stack named (:func:`_made_by`): one of
    its resources carrying the day's tags does not make that stack the day's."""
    owned = stacks.resources(scope)
    existing = stacks.all_stacks(scope)
    ours: Dict[str, Found] = {f.id: f for f in found if f.kind == stacks.KIND}
    by_id = {f.id: f for f in found}
    counts: Dict[str, int] = {}
    unpriced: Dict[str, List[str]] = {}

    def stack_of(item: Found, depth: int = 0) -> Optional[str]:
        # as the stack's resource of this kind (its id and its type: a bare name is no
        # identity, an SSM parameter `web` is not the target group `web`), or part of one; not
        # by its stack-name tag: what an earlier stack of that name kept carries it too
        ids = (item.id, *item.refs)
        stack = stacks.owner(owned, ids, stacks.kind_types(item.kind))
        if stack is None and item.part_of and depth < 3:
            maker = by_id.get(item.part_of)
            stack = (
                stack_of(maker, depth + 1)
                if maker
                else stacks.owner(owned, [item.part_of], _MAKER_TYPES.get(item.kind))
                or _stack_of_instance(scope, owned, item.part_of)
            )
        return stack if stack in existing else None

    kept: List[Found] = []
    for item in found:
        if item.kind == stacks.KIND:
            continue
        stack = stack_of(item)
        if stack is None:
            elsewhere = _global_holder(scope, item)
            if elsewhere == _GOING:
                continue  # going with its stack in another region already
            if elsewhere:
                item.ties.append(elsewhere)
            kept.append(item)
            continue
        description = existing[stack]
        if description.get("StackStatus") == "DELETE_IN_PROGRESS":
            continue  # going with its stack already
        if stack in ours:
            holder = ours[stack]
            _fold_ties(scope, owned, stack, item, holder)
            for key in (item.id, *item.refs):
                if key:
                    members.setdefault(key, (item, holder))
            counts[stack] = counts.get(stack, 0) + 1
            if item.hourly is None:
                unpriced.setdefault(stack, []).append(item.kind)
            else:
                holder.hourly = (holder.hourly or 0.0) + item.hourly
            continue
        item.ties.append(_made_by(scope, stack))
        kept.append(item)
    typed = scope.cached("found-typed", set)
    for name, holder in ours.items():
        state = str(existing[name].get("StackStatus", "")) if name in existing else ""
        if _mid_operation(state):
            holder.ties.append(f"a deploy is in progress ({state}): run again when it ends")
        untagged, not_looked_for = stacks.unfound(scope, name, typed)
        left_out = list(unpriced.get(name, []))
        for kind in not_looked_for:  # priced by type, as `week5 cost` prices them
            hourly = stacks.type_hourly(scope, kind)
            if hourly is None:
                left_out.append(kind.removeprefix("AWS::"))
            else:
                holder.hourly = (holder.hourly or 0.0) + hourly
        holder.not_priced = left_out + [kind.removeprefix("AWS::") for kind in untagged]
        holder.held_by = []
        holder.name = _state_words(state) + f"{counts.get(name, 0)} tagged resource(s) in it"
        if not_looked_for:
            holder.name += (
                f" and {len(not_looked_for)} it made that no finder looks for, going with it: "
                f"{_kinds(not_looked_for)}"
            )
        if left_out:
            holder.name += f"; not priced ({len(left_out)}): {_kinds(left_out)}"
        if untagged:
            holder.name += f"; not found with the day's tags, so not priced: {_kinds(untagged)}"
    return list(ours.values()) + kept


def _made_by(scope: Scope, stack: str) -> str:
    """Why a resource of ``stack``, a stack that does not carry the day's tags, is left: that
    stack made it, and goes whole or not at all."""
    return (
        f"{scope.outside(stacks.KIND + ' ' + stack)}, made it: if that stack is the day's, "
        "delete that stack (`cdk destroy`, or the CloudFormation console), never its resources "
        "one by one; cleanup deletes only a stack that carries the day's tags itself, as a "
        "lab's does"
    )


#: The states of a stack deployed and at rest: its line does not name them.
_AT_REST = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
#: A stack created by a change set never executed: nothing deployed yet.
_NOT_EXECUTED = "REVIEW_IN_PROGRESS"


def _mid_operation(state: str) -> bool:
    """Whether a stack in ``state`` is being deployed, updated, rolled back or imported now (a
    student's `cdk deploy` under way): deleting it would break that, so it is left. Not one
    being deleted (handled as going already), nor one whose change set was never executed."""
    return state.endswith("_IN_PROGRESS") and state not in ("DELETE_IN_PROGRESS", _NOT_EXECUTED)


def _state_words(state: str) -> str:
    """What a stack's line says of its state: nothing for one at rest (CREATE_COMPLETE,
    UPDATE_COMPLETE), else the state (``UPDATE_ROLLBACK_COMPLETE, ``)."""
    if not state or state in _AT_REST:
        return ""
    if state == _NOT_EXECUTED:
        return (
            f"{state}: a change set never executed, nothing deployed by it (deleted all the "
            "same), "
        )
    return f"{state}, "


#: What :func:`_global_holder` says of a global resource whose stack elsewhere is being
#: deleted: it goes with that stack.
_GOING = "going"
#: The tag CloudFormation puts on what a stack creates, naming the stack by its ARN (and so
#: its region).
#: CloudFront is global, and its web ACLs live in us-east-1: a global resource is listed from
#: every region, and its stack may be in any. Without a stack tag (moto's emulator gives a
#: distribution none) the stacks of these regions are searched for it: the course's, where
#: its labs are deployed, and us-east-1, where a CloudFront web ACL's stack must be.


def _is_global(item: Found) -> bool:
    """A CloudFront distribution, or a web ACL of WAF's CLOUDFRONT scope (its physical id is
    ``name|id|CLOUDFRONT``)."""
    if item.kind == "CloudFront distribution":
        return True
    return item.kind == "WAF web ACL" and any(str(r).endswith("|CLOUDFRONT") for r in item.refs)


def _global_tags(scope: Scope, item: Found) -> Dict[str, str]:
    """A global resource's tags, read again by its ARN (the finder keeps only the stack's
    name): CloudFront's, or WAF's in us-east-1."""
    arn = next((r for r in item.refs if str(r).startswith("arn:")), "")
    if not arn:
        return {}
    try:
        if item.kind == "CloudFront distribution":
            reply = scope.client("cloudfront").list_tags_for_resource(Resource=arn)
            return tag_dict((reply.get("Tags") or {}).get("Items"))
        waf = scope.client("wafv2", stacks.GLOBAL_REGION)
        reply = waf.list_tags_for_resource(ResourceARN=arn)
    except Exception as error:
        if vanished(error):
            return {}  # deleted since it was found: its deletion will say it is gone
        raise
    return tag_dict((reply.get("TagInfoForResource") or {}).get("TagList"))


def _region_scope(scope: Scope, region: str) -> Scope:
    """``scope`` in another region (its stacks read there, once)."""
    return scope.cached(
        f"region-scope:{region}",
        lambda: Scope(
            lambda service, **kwargs: scope.clients(service, **{"region_name": region, **kwargs}),
            region,
            scope.day,
            scope.student,
            scope.prices,
        ),
    )


def _global_holder(scope: Scope, item: Found) -> Optional[str]:
    """Why a global resource (:func:`_is_global`) that no stack of the run's region holds is
    left: a live stack of another region holds it. By its ``aws:cloudformation:stack-id`` tag
    (the stack's ARN names its region: DescribeStacks there), else, untagged, as a resource of a
    stack of the course's region or us-east-1 (:data:`.stacks.SEARCHED_REGIONS`). None when no live
    stack holds it (it is taken); :data:`_GOING` when its stack is being deleted. A region that
    cannot be read leaves it too: a live stack's resource is never deleted on a guess."""
    if not _is_global(item):
        return None
    stack_id = _global_tags(scope, item).get(stacks.STACK_ID_TAG, "")
    region = stacks.stack_region(stack_id)
    if region:
        if region == scope.region:
            return None  # a stack of this region, and not a live one (stack_of said)
        try:
            listed = list(
                _region_scope(scope, region).each(
                    "cloudformation", "describe_stacks", "Stacks", StackName=stack_id
                )
            )
        except Exception as error:
            if error_code(error) == "ValidationError":
                return None  # no such stack: gone
            return _unread(item, region, error)
        return _held_there(scope, item, listed[0] if listed else {}, region)
    for region in stacks.SEARCHED_REGIONS:
        if region == scope.region:
            continue
        there = _region_scope(scope, region)
        try:
            owned = stacks.resources(there)
            name = stacks.owner(owned, (item.id, *item.refs), stacks.kind_types(item.kind))
            description = stacks.all_stacks(there).get(name or "") or {}
        except Exception as error:
            return _unread(item, region, error)
        if description:
            return _held_there(scope, item, description, region)
    return None


def _held_there(scope: Scope, item: Found, stack: Dict[str, Any], region: str) -> Optional[str]:
    """Why ``item`` is left as ``stack``'s, a stack of ``region`` (None when it is gone)."""
    state = stack.get("StackStatus", "DELETE_COMPLETE")
    if state == "DELETE_COMPLETE":
        return None
    if state == "DELETE_IN_PROGRESS":
        return _GOING
    name = stack.get("StackName", "?")
    return (
        f"{stacks.KIND} {name} in {region} ({state}) holds it: {_global_kind(item)} is global, "
        f"listed from every region, and goes with its stack (`week5 cleanup --day {scope.day} "
        f"--region {region}`, or `cdk destroy` there)"
    )


def _global_kind(item: Found) -> str:
    return (
        "a CloudFront distribution"
        if item.kind == "CloudFront distribution"
        else "a web ACL of CloudFront's scope"
    )


def _unread(item: Found, region: str, error: Exception) -> str:
    return (
        f"whether a stack of {region} holds it is not known (reading its stacks answered "
        f"{error_code(error)}): {_global_kind(item)} is global, so it is left"
    )


def _kinds(types: List[str]) -> str:
    """``EC2::EIP, CloudWatch::Alarm x14``: each type (or kind: ``S3 bucket``) once, with its
    count."""
    counted = Counter(types)
    return ", ".join(
        kind.removeprefix("AWS::") + (f" x{n}" if n > 1 else "") for kind, n in counted.items()
    )


def _fold_ties(
    scope: Scope, owned: stacks.Index, stack: str, item: Found, holder: Found
) -> None:
    """``item``'s ties hold its stack ``holder``, each worded with ``item``; a tie to a
    resource of the same stack is none (that one goes with the stack too: an emulator drops
    some tags, and an Auto Scaling group's instances are not the stack's resources)."""
    kept = [
        tie
        for tie in item.ties
        if tie not in item.tied_to
        or not _of_stack(scope, owned, stack, item.tied_to[tie].ids, item.tied_to[tie].what)
    ]
    item.ties = kept
    item.partners = [item.tied_to[tie].what for tie in kept if tie in item.tied_to]
    holder.ties += [f"its {item}: {tie}" for tie in kept]
    holder.partners += item.partners


def _launched_by(scope: Scope) -> Dict[str, str]:
    """Instance id → the Auto Scaling group that launched it."""
    return scope.cached(
        "launched-by",
        lambda: {
            i["InstanceId"]: g["AutoScalingGroupName"]
            for g in ties.auto_scaling_groups_all(scope)
            for i in g.get("Instances", [])
        },
    )


def _stack_of_instance(scope: Scope, owned: stacks.Index, instance_id: str) -> Optional[str]:
    """The stack an instance not found with the day's tags is part of (what goes with it, a
    volume its launch template tagged, goes with that stack): one of its resources, tagged with
    its id (not its name alone: an earlier stack of that name may have left it), or launched by
    an Auto Scaling group of the stack."""
    instance = ties.network(scope).instances.get(instance_id)
    if instance is None:
        return None
    group = _launched_by(scope).get(instance_id) or ties.tags_of(instance).get(ties.ASG_TAG)
    return (
        stacks.owner(owned, [instance_id], stacks.KIND_TYPES["EC2 instance"])
        or stacks.id_tagged(scope, instance.get("Tags"))
        or stacks.owner(owned, [group or ""], _ASG)
    )


def _of_stack(
    scope: Scope, owned: stacks.Index, stack: str, ids: Tuple[str, ...], what: str = ""
) -> bool:
    """Whether the resource known by ``ids`` (worded ``what``: ``Auto Scaling group web``) is
    ``stack``'s: one of its resources (by an id and the type ``what`` says, or by an id no two
    resources share), tagged with its id (:func:`.stacks.id_tagged`), or an instance an Auto
    Scaling group of it launched."""
    net = ties.network(scope)
    launched = _launched_by(scope)
    tagged = (net.instances, net.volumes, net.subnets, net.vpcs, net.groups, net.route_tables)
    for resource_id in ids:
        if stacks.owner(owned, [resource_id], stacks.named_types(what)) == stack:
            return True
        eni = net.interfaces.get(resource_id)
        item = eni if eni is not None else next(
            (table[resource_id] for table in tagged if resource_id in table), None
        )
        tags = ties.eni_tags(item) if eni is not None else (item or {}).get("Tags")
        if stacks.id_tagged(scope, tags) == stack:
            return True
        group = launched.get(resource_id) or ties.tags_of(net.instances.get(resource_id)).get(
            ties.ASG_TAG
        )
        if group and stacks.owner(owned, [group], _ASG) == stack:
            return True
    return False


def _leave_with_the_left(scope: Scope, found: List[Found], members: Dict[str, Member]) -> None:
    """A resource that needs a left one gone first is left too (a VPC whose route table is
    tied to an untagged subnet), and so is one that a left one needs to keep working (the route
    table of a subnet an untagged instance runs in, and the internet gateway that table routes
    through): deleting it would break what is left, and so what uses it outside the day's tags.
    Such a resource is reported with those, as its partners. A stack's resource (``members``)
    is left when its stack is, and leaves its stack when it is."""
    by_id = {f.id: f for f in found}
    for key, (member, _) in members.items():
        by_id.setdefault(key, member)
    stack_of_member = {id(member): holder for member, holder in members.values()}

    def left(item: Found) -> bool:
        holder = stack_of_member.get(id(item))
        return bool(item.held or (holder is not None and holder.held))

    def leave(item: Found, tie: str, partners: List[str]) -> None:
        item.ties.append(tie)
        item.partners = list(partners)
        holder = stack_of_member.get(id(item))
        if holder is not None and not holder.held:
            holder.ties.append(f"its {item}: {tie}")
            holder.partners = list(partners)

    def same_stack(item: Found, other: Found) -> bool:
        holder = stack_of_member.get(id(item))
        return holder is not None and holder is stack_of_member.get(id(other))

    everything = list(found) + list({id(m): m for m, _ in members.values()}.values())
    changed = True
    while changed:
        changed = False
        for item in everything:
            if left(item):
                continue
            for needed in item.needs:
                other = by_id.get(needed)
                if other is not None and left(other) and not same_stack(item, other):
                    leave(item, f"it waits on {_named(other, stack_of_member)}, which is left",
                          _partners(other, stack_of_member))  # fmt: skip
                    changed = True
                    break
            else:
                for user_id, how in item.serves:
                    user = by_id.get(user_id)
                    if user is not None and left(user) and not same_stack(item, user):
                        leave(item, _kept_for(scope, user, how, stack_of_member),
                              _partners(user, stack_of_member))  # fmt: skip
                        changed = True
                        break


def _named(item: Found, stacks_of: Dict[int, Found]) -> str:
    """``subnet subnet-1``, or for a stack's resource ``subnet subnet-1 of CloudFormation stack
    week5-kim-Day1Lab2``."""
    holder = stacks_of.get(id(item))
    return f"{item} of {stacks.KIND} {holder.id}" if holder is not None else str(item)


def _partners(item: Found, stacks_of: Dict[int, Found]) -> List[str]:
    """The resources outside the day's tags for which ``item`` is left: its own, or, left with
    its stack, the stack's."""
    holder = stacks_of.get(id(item))
    return list(item.partners if item.held or holder is None else holder.partners)


def _kept_for(scope: Scope, user: Found, how: str, stacks_of: Dict[int, Found]) -> str:
    """Why a resource that ``user`` (left) needs is left: ``instance i-1, which is not tagged
    Day1/kim, uses it through subnet subnet-1, which is left and is associated with it (...)``;
    without partners (a tie not worded with one), ``user`` alone."""
    partners = list(dict.fromkeys(_partners(user, stacks_of)))
    if not partners:
        return f"{_named(user, stacks_of)}, which is left, {how}"
    uses = "uses" if len(partners) == 1 else "use"
    return (
        f"{scope.outside(join_ids(partners), len(partners))}, {uses} it through "
        f"{_named(user, stacks_of)}, which is left and {how}"
    )


def _held_by_the_listed(found: List[Found], members: Dict[str, Member]) -> None:
    """A stack one of whose resources needs a listed resource gone first (its subnet, in which
    a tagged instance launched by hand runs: CloudFormation cannot delete that subnet while it
    does) goes after that resource (``needs``: the listing and the deletion put it first), and
    its line names it with what of the stack it holds (``Found.held_by``), as a stack held by
    an untagged resource names that one. The listed resource may be another stack's (then that
    stack goes first)."""
    listed: Dict[str, Tuple[Found, Optional[Found]]] = {}
    for item in found:
        for key in (item.id, *item.refs):
            if key:
                listed.setdefault(key, (item, None))
    for key, (member, holder) in members.items():
        listed.setdefault(key, (holder, member))
    holds: Dict[int, Dict[str, Tuple[Found, str, List[str]]]] = {}
    for member, holder in {id(m): (m, h) for m, h in members.values()}.values():
        for need in member.needs:
            other, part = listed.get(need, (None, None))
            if other is None or other is holder or holder.held_by is None or other.held:
                continue  # one that is left: the stack waits on it, and says so (left_because)
            what = str(other) if part is None else f"{part} of {other.kind} {other.id}"
            _, _, held = holds.setdefault(id(holder), {}).setdefault(what, (other, what, []))
            if str(member) not in held:
                held.append(str(member))
    for holder in found:
        for other, what, held in holds.get(id(holder), {}).values():
            if other.id not in holder.needs:
                holder.needs.append(other.id)
            holder.held_by = (holder.held_by or []) + [
                {"kind": other.kind, "id": other.id, "holds": held}
            ]
            # what to do, for the listing: a line of what was done leaves it out (Found.done)
            advice = (
                f"; held by {what}, listed above it, which holds its {join_all(held)}: "
                "that goes first (--apply deletes it first; by hand, delete it, then destroy "
                "again)"
            )
            holder.name += advice
            holder.advice += advice
