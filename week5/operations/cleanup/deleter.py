"""Delete found resources in their order, retrying what fails on a dependency after bounded
waits; report what went, what was gone already (not counted as deleted), what did not go (with
the reason) and what was left on purpose (tied to a resource outside the day's tags)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Sequence, Set, Tuple

from week5.operations.aws_errors import unsupported
from week5.operations.cleanup.scope import Found, error_code

#: AWS error codes that mean "not yet": something still depends on it, or it is still busy.
RETRYABLE = {
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBInstanceState",
    "InvalidDBInstanceStateFault",
    "InvalidReplicationGroupState",
    "InvalidReplicationGroupStateFault",
    "InvalidServerlessCacheStateFault",
    # ElastiCache: a cluster outside a group that is snapshotting or modifying, a snapshot
    # still being made (DeleteCacheCluster, DeleteSnapshot).
    "InvalidCacheClusterState",
    "InvalidSnapshotState",
    # An Aurora cluster whose instances are still being deleted.
    "InvalidDBClusterStateFault",
    "IncorrectState",
    "DistributionNotDisabled",
    "BucketNotEmpty",
    "InvalidIPAddress.InUse",
    "AuthFailure.AddressNotReleasable",
    "VolumeInUse",
    "InvalidNetworkInterface.InUse",
    "FileSystemInUse",
    "MountTargetConflict",
    "WAFAssociatedItemException",
    "WAFOptimisticLockException",
    "TooManyRequestsException",  # API Gateway deletes one API per 30 s
    "ConflictException",
    "OperationAborted",
    "StillDeleting",  # a stack: CloudFormation is on it
    # A stack's deletion that ended DELETE_FAILED, asked again (stacks.FAILED_CODE): failed, with
    # what CloudFormation could not delete, if it still reads so when the waits run out.
    "DeleteFailed",
    # Throttled: the API's rate limit (EC2: RequestLimitExceeded; most others: Throttling or
    # ThrottlingException).
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    # Auto Scaling: another change or a scaling activity is under way on the group.
    "ResourceContention",
    "ScalingActivityInProgress",
}
#: AWS error codes retried only when their message says it is a passing state: most often
#: they mean a wrong request, which waiting does not cure (reported at once). DeleteNetwork-
#: Interface answers InvalidParameterValue "Network interface 'eni-…' is currently in use."
#: while it is still detaching (aws/amazon-vpc-cni-k8s#1399, gruntwork-io/cloud-nuke#1132).
RETRYABLE_WHEN = {
    "InvalidParameterValue": ("is currently in use",),
}
#: AWS error codes retried only while the run has more in hand: something else it still tries,
#: or deleted of a kind AWS goes on deleting after the call (:data:`LINGERS`). A stack's
#: retried deletion that ended DELETE_FAILED again on the same resources
#: (``stacks.FAILED_AGAIN_CODE``) may fail on what this run is deleting (a DB subnet group a
#: hand-restored database still uses while RDS deletes it, 5-10 min: CloudFormation fails on
#: it within seconds); with nothing else in hand, waiting cures nothing: failed at once.
RETRYABLE_WHILE_BUSY = {"DeleteFailedAgain"}
#: The kinds AWS goes on deleting for minutes after the call returns (an instance
#: terminating, an RDS instance deleting): what they hold is held meanwhile.
LINGERS = frozenset(
    {
        "EC2 instance",
        "Auto Scaling group",
        "NAT gateway",
        "load balancer",
        "RDS instance",
        "RDS cluster",
        "ElastiCache group",
        "ElastiCache cluster",
        "ElastiCache serverless cache",
        "EFS file system",
        "VPC endpoint",
    }
)
#: What a retried deletion waits for, by its code, as the retry line says it; any other code
#: of :data:`RETRYABLE` waits for what depends on it ("dependencies").
WAITING_FOR = {
    # Objects came back after emptying (a writer; moto's paging skips versions past 1000).
    "BucketNotEmpty": "not empty yet",
    "StillDeleting": "still deleting",
    "DeleteFailed": "a stack's deletion failed, asked again",
    "DeleteFailedAgain": "a stack's deletion failed again while this run deletes more",
    "DistributionNotDisabled": "not disabled yet",
    "TooManyRequestsException": "throttled",
    "InvalidDBInstanceState": "busy",
    "InvalidDBInstanceStateFault": "busy",
    "InvalidReplicationGroupState": "busy",
    "InvalidReplicationGroupStateFault": "busy",
    "InvalidServerlessCacheStateFault": "busy",
    "InvalidCacheClusterState": "busy",
    "InvalidSnapshotState": "busy",
    "IncorrectState": "busy",
    "OperationAborted": "busy",
    "ConflictException": "busy",
    "WAFOptimisticLockException": "busy",
    "Throttling": "throttled",
    "ThrottlingException": "throttled",
    "RequestLimitExceeded": "throttled",
    "ResourceContention": "busy",
    "ScalingActivityInProgress": "busy",
}
#: Seconds to wait before each retry round: about five minutes in all, enough for instances to
#: terminate and NAT gateways to go. What AWS takes longer over (a stack such as Day4Case's,
#: 11.4 min to delete; a CloudFront distribution's disabling, about 7 min; a Multi-AZ RDS
#: instance, 15-20 min) is then reported "still deleting" (:attr:`Report.still_deleting`), and
#: what waits on it "not deleted yet" (:attr:`Report.waiting`): neither deleted nor failed.
DEFAULT_WAITS = (10, 20, 40, 60, 90, 90)
#: Minutes after which the report tells to run cleanup again, for what AWS was still deleting
#: when the waits ran out: with the waits' five minutes, enough for the slow deletions above
#: (seoul-prices.md's measured times) in most cases; one still going then is reported so again.
RERUN_MINUTES = 10
#: The kinds whose deletion AWS carries on by itself once asked (``StillDeleting``: a stack
#: CloudFormation is deleting): a run again only confirms it. Another kind that answers
#: ``StillDeleting`` waits on something AWS is deleting (an Elastic IP on its NAT gateway).
GOES_ON = ("CloudFormation stack",)
#: Codes with which a deletion waits on work AWS is doing by itself (a distribution's disabling
#: being deployed, a NAT gateway deleting): a run again deletes it.
AWS_AT_WORK = ("StillDeleting", "DistributionNotDisabled")
#: Codes with which a deletion waits on what depends on it: when what it waits on
#: (``Found.needs``) was deleted by this run, or is still deleting, AWS is still removing that.
DEPENDENCY_CODES = (
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBClusterStateFault",
    "InvalidIPAddress.InUse",
    "AuthFailure.AddressNotReleasable",
    "VolumeInUse",
    "InvalidNetworkInterface.InUse",
    "FileSystemInUse",
    "MountTargetConflict",
    "WAFAssociatedItemException",
    "InvalidParameterValue",  # an interface "currently in use" (RETRYABLE_WHEN)
)


#: AWS error codes that say the resource itself no longer exists (a volume deleted with its
#: instance, an interface with its load balancer): what its deletion was for. Only these: a
#: "not found" about something else (a rule, an association) is a failure. An EC2, RDS or ELB
#: code names one kind of resource, and says "gone" only of that kind: deleting a VPC endpoint
#: whose route table is gone answers InvalidRouteTableID.NotFound, and the endpoint stays.
GONE_FOR_KIND: Dict[str, FrozenSet[str]] = {
    code: frozenset(kinds)
    for code, kinds in {
        "InvalidInstanceID.NotFound": ["EC2 instance"],
        "InvalidVolume.NotFound": ["EBS volume"],
        "InvalidNetworkInterfaceID.NotFound": ["network interface"],
        "InvalidGroup.NotFound": ["security group"],
        "InvalidSubnetID.NotFound": ["subnet"],
        "InvalidRouteTableID.NotFound": ["route table"],
        "InvalidInternetGatewayID.NotFound": ["internet gateway"],
        "InvalidVpcID.NotFound": ["VPC"],
        "InvalidAllocationID.NotFound": ["Elastic IP"],
        "NatGatewayNotFound": ["NAT gateway"],
        "InvalidSnapshot.NotFound": ["EBS snapshot"],
        "InvalidAMIID.NotFound": ["AMI"],
        "InvalidLaunchTemplateId.NotFound": ["launch template"],
        "InvalidKeyPair.NotFound": ["key pair"],
        "InvalidVpcEndpointId.NotFound": ["VPC endpoint"],
        "InvalidVpcEndpoint.NotFound": ["VPC endpoint"],
        "InvalidNetworkAclID.NotFound": ["network ACL"],
        "DBInstanceNotFound": ["RDS instance"],
        "DBInstanceNotFoundFault": ["RDS instance"],
        "DBClusterNotFoundFault": ["RDS cluster"],
        "DBSnapshotNotFound": ["RDS snapshot"],
        "DBSnapshotNotFoundFault": ["RDS snapshot"],
        "CacheClusterNotFound": ["ElastiCache cluster"],
        "SnapshotNotFoundFault": ["ElastiCache snapshot"],
        "LoadBalancerNotFound": ["load balancer"],
        "TargetGroupNotFound": ["target group"],
    }.items()
}
#: Codes of deletions that name no other resource: "gone" whatever the kind.
GONE_ANY = {
    "ReplicationGroupNotFoundFault",
    "ServerlessCacheNotFoundFault",
    "NoSuchBucket",
    "NoSuchDistribution",
    "FileSystemNotFound",
    "ResourceNotFoundException",
    "NotFoundException",
    "RepositoryNotFoundException",
    "WAFNonexistentItemException",
    "StackNotFound",  # stacks.GONE_CODE
}


def gone_already(code: str, kind: str) -> bool:
    """Whether ``code``, answered to deleting a resource of ``kind``, says that resource itself
    is gone (see :data:`GONE_FOR_KIND`, :data:`GONE_ANY`)."""
    kinds = GONE_FOR_KIND.get(code)
    return kind in kinds if kinds is not None else code in GONE_ANY


def retryable(code: str, error: Exception) -> bool:
    """Whether a deletion that failed with ``code`` may succeed later (see
    :data:`RETRYABLE`, :data:`RETRYABLE_WHEN`)."""
    if code in RETRYABLE:
        return True
    hints = RETRYABLE_WHEN.get(code, ())
    message = " ".join(str(error).lower().split())
    return any(hint in message for hint in hints)


def _reason(code: str, error: Exception) -> str:
    """Why a deletion failed, on one line: an endpoint that lacks the call says so (an
    emulator's answer is a whole HTML page)."""
    return unsupported(error) or f"{code}: {' '.join(str(error).split())}"


@dataclass
class Report:
    deleted: List[Found] = field(default_factory=list)
    failed: List[Tuple[Found, str]] = field(default_factory=list)
    #: Tagged resources left on purpose, with why (the untagged resource they are tied to).
    left: List[Tuple[Found, str]] = field(default_factory=list)
    #: Found, then gone when this run came to delete them, and not with a resource it deleted
    #: (someone else deleted them meanwhile), with AWS's code: not among ``deleted``.
    gone: List[Tuple[Found, str]] = field(default_factory=list)
    #: What AWS was still deleting when the waits ran out (a stack), with what to do: neither
    #: deleted (not confirmed) nor failed.
    still_deleting: List[Tuple[Found, str]] = field(default_factory=list)
    #: What is not deleted yet because it waits on what AWS is still deleting or doing (a
    #: security group on an RDS instance this run deleted, a distribution being disabled), with
    #: what to do: a run again deletes it. Not failed.
    waiting: List[Tuple[Found, str]] = field(default_factory=list)

    def to_json(self) -> Dict[str, Any]:
        """Each entry as the listing's (:meth:`Found.to_json`); what was done to it (deleted,
        already gone, still deleting, not deleted yet) without what the listing said to do."""
        return {
            "deleted": [item.to_json(done=True) for item in self.deleted],
            "already_gone": [
                {**item.to_json(done=True), "code": code} for item, code in self.gone
            ],
            "failed": [{**item.to_json(), "error": why} for item, why in self.failed],
            "left": [item.to_json() for item, _ in self.left],
            "still_deleting": [
                {**i.to_json(done=True), "state": why} for i, why in self.still_deleting
            ],
            "waiting": [{**item.to_json(done=True), "state": why} for item, why in self.waiting],
        }

    @property
    def unfinished(self) -> bool:
        """Whether AWS is still deleting something, or something waits on that: a run again,
        :data:`RERUN_MINUTES` later, confirms or finishes it."""
        return bool(self.still_deleting or self.waiting)


def delete_in_order(
    found: Sequence[Found],
    waits: Sequence[float],
    sleep: Callable[[float], None],
    say: Callable[[str], None],
    shown: Callable[[Found], str] = Found.done,
) -> Report:
    """Delete ``found`` in order, except what is left on purpose; what fails with a
    :data:`RETRYABLE` code is tried again after each wait of ``waits`` (one of
    :data:`RETRYABLE_WHILE_BUSY` only while anything else is still to be deleted, or AWS may
    still be deleting one of :data:`LINGERS` the run deleted), anything else is reported at
    once. What is gone when its turn comes was deleted by this run when the
    resource it is part of was (a root volume with its instance), else it is reported
    already gone, not deleted. Each line ``say`` is given names a resource as ``shown`` words
    it: what was done to it, not what the listing said to do (:meth:`Found.done`)."""
    report = Report(left=[(item, item.held) for item in found if item.held])
    pending = [item for item in found if not item.held]
    last_error: Dict[int, str] = {}
    last_code: Dict[int, str] = {}
    waiting: Dict[int, str] = {}
    deleted_ids: Set[str] = set()
    lingering = False  # whether it deleted one of :data:`LINGERS`
    for round_number in range(len(waits) + 1):
        retry = []
        for index, item in enumerate(pending):
            try:
                item.delete()
            except Exception as error:
                code = error_code(error)
                if gone_already(code, item.kind) and item.part_of in deleted_ids:
                    report.deleted.append(item)
                    deleted_ids.update((item.id, *item.refs))
                    say(f"  deleted {shown(item)} (with {item.part_of}, which this run deleted)")
                    continue
                if gone_already(code, item.kind):
                    report.gone.append((item, code))
                    say(f"  already gone, not deleted by this run: {shown(item)} ({code})")
                    continue
                last_error[id(item)] = _reason(code, error)
                last_code[id(item)] = code
                busy = code in RETRYABLE_WHILE_BUSY and bool(
                    lingering or retry or pending[index + 1 :]
                )
                if retryable(code, error) or busy:
                    retry.append(item)
                    waiting[id(item)] = WAITING_FOR.get(code, "dependencies")
                else:
                    report.failed.append((item, last_error[id(item)]))
                continue
            report.deleted.append(item)
            deleted_ids.update((item.id, *item.refs))
            lingering = lingering or item.kind in LINGERS
            say(f"  deleted {shown(item)}")
        pending = retry
        if not pending or round_number == len(waits):
            break
        wait = waits[round_number]
        why = _why_waiting(pending, waiting)
        say(f"  {len(pending)} not deletable yet ({why}); retrying in {wait:.0f} s")
        sleep(wait)
    _sort_out(report, pending, last_error, last_code, deleted_ids, say, shown)
    return report


def _sort_out(
    report: Report,
    pending: Sequence[Found],
    last_error: Dict[int, str],
    last_code: Dict[int, str],
    deleted_ids: Set[str],
    say: Callable[[str], None],
    shown: Callable[[Found], str] = Found.done,
) -> None:
    """What is still not deleted when the waits run out: what AWS carries on deleting
    (:data:`GOES_ON`), what waits on AWS's own work (:data:`AWS_AT_WORK`), or on what this run
    deleted or AWS is still deleting (:data:`DEPENDENCY_CODES` and ``Found.needs``), and what
    waits on those, is reported so, with when to run again; anything else failed, with its last
    error."""
    going: Set[str] = set(deleted_ids)  # what AWS may still be deleting
    later: Set[str] = set()  # what a run again deletes: what waits on it waits too

    def not_yet(item: Found, why: str) -> None:
        why = f"{why}; run cleanup again in {RERUN_MINUTES} min to delete it"
        report.waiting.append((item, f"{why} ({last_error[id(item)]})"))
        say(f"  not deleted yet, not failed: {shown(item)}: {why}")
        later.update((item.id, *item.refs))

    rest = []
    for item in pending:
        code = last_code[id(item)]
        if code == "StillDeleting" and item.kind in GOES_ON:
            why = f"AWS goes on deleting it; run cleanup again in {RERUN_MINUTES} min to confirm"
            report.still_deleting.append((item, f"{why} ({last_error[id(item)]})"))
            say(f"  still deleting, not failed: {shown(item)}: {why}")
            going.update((item.id, *item.refs))
        elif code in AWS_AT_WORK:
            not_yet(item, "AWS is still at work on it")
        else:
            rest.append(item)
    changed = True
    while changed:
        changed = False
        for item in list(rest):
            deleting = [n for n in item.needs if n in going]
            behind = [n for n in item.needs if n in later and n not in going]
            if last_code[id(item)] not in DEPENDENCY_CODES or not (deleting or behind):
                continue
            words = [f"{', '.join(deleting)}, which AWS is still deleting"] if deleting else []
            words += [f"{', '.join(behind)}, not deleted yet either"] if behind else []
            not_yet(item, f"it waits on {'; and on '.join(words)}")
            rest.remove(item)
            changed = True
    report.failed += [(item, last_error[id(item)]) for item in rest]


def _why_waiting(pending: Sequence[Found], waiting: Dict[int, str]) -> str:
    """``dependencies``, or ``dependencies: 2, not empty yet: 1`` for several causes."""
    counts = Counter(waiting[id(item)] for item in pending)
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{why}: {n}" for why, n in counts.items())
