"""What counts as a course day's resource in one region, one resource found there, and how the
finders read AWS: every list call through boto3's paginator, each client made once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from week5.analysis.assembly import tag_dict
from week5.core.catalog import COURSE_DAYS
from week5.core.errors import CourseInputError
from week5.core.settings import shown
from week5.core.tags import STUDENT_KEY, tag_filter
from week5.operations.price_table import PriceTable

T = TypeVar("T")

#: The tag CloudFormation puts on what a stack creates: such a resource goes with its stack.
STACK_TAG = "aws:cloudformation:stack-name"
#: The places ``week5 cleanup --json`` rounds each $/hour figure to, in every list (found,
#: deleted, failed, left, ...): a secret's $0.000548/h rounded to 4 would print $0.0005, and 105
#: of them $0.005/h short of what they cost.
JSON_PLACES = 6


#: ``--day all``: every course day's resources, in one run.
ALL_DAYS = "all"


def course_days() -> List[str]:
    """``Day1`` .. ``Day5``."""
    return [f"Day{d}" for d in COURSE_DAYS]


def parse_day(value: str) -> str:
    """A course day (its Day tag), or :data:`ALL_DAYS`."""
    days = course_days()
    if value not in (*days, ALL_DAYS):
        raise CourseInputError(
            f"--day {shown(value)}: pass one of {', '.join(days)}, or {ALL_DAYS} for every "
            "day's, e.g. --day Day1"
        )
    return value


def _nothing() -> None:
    return None


class Partner(NamedTuple):
    """A resource outside the day's tags that a tie names: worded (``instance i-1``) and the
    ids it is known by (an Elastic IP: its allocation id and its address)."""

    what: str
    ids: Tuple[str, ...]


@dataclass
class Found:
    """One tagged resource: what it is, its id, its Name tag, what it costs an hour.

    ``ties`` says, one line each, how it is bound to a resource outside the day's tags (an
    internet gateway attached to an untagged VPC): such a resource is left, with the other
    one, and reported. ``needs`` names the found resources that must go before it (a subnet's
    instances); when one of those is left, so is this. ``serves`` names the found resources
    that need it to keep working, each with how (a subnet its route table): when one of those
    is left, so is this, as deleting it would break what is left. ``partners`` are the
    resources outside the day's tags its ties name (``instance i-1``), for what is left with
    it. ``tied_to`` gives, for the ties that say, which resource each names (a tie to a
    resource of its own stack is no tie: that resource goes with the stack). ``stack`` is the
    CloudFormation stack it belongs to; ``refs`` other ids it is known by (an ARN, a public IP).
    """

    kind: str
    id: str
    name: str = ""
    hourly: Optional[float] = None
    delete: Callable[[], None] = field(default=_nothing, repr=False, compare=False)
    ties: List[str] = field(default_factory=list, compare=False)
    needs: List[str] = field(default_factory=list, repr=False, compare=False)
    stack: Optional[str] = field(default=None, compare=False)
    refs: Tuple[str, ...] = field(default=(), repr=False, compare=False)
    #: The resource it is part of (an instance's Auto Scaling group, a root volume's
    #: instance): it belongs to the same stack.
    part_of: Optional[str] = field(default=None, repr=False, compare=False)
    serves: List[Tuple[str, str]] = field(default_factory=list, repr=False, compare=False)
    partners: List[str] = field(default_factory=list, repr=False, compare=False)
    tied_to: Dict[str, Partner] = field(default_factory=dict, repr=False, compare=False)
    #: The course day whose tags it was found by (``Day1``): what ``--day all`` lists it under.
    day: Optional[str] = field(default=None, repr=False, compare=False)
    #: A stack's: its resources that ``hourly`` leaves out, "not priced", one entry each (the
    #: finder's kind, ``S3 bucket``, or the type of one no finder looks for,
    #: ``CloudWatch::Dashboard``). None for what holds no other resources.
    not_priced: Optional[List[str]] = field(default=None, repr=False, compare=False)
    #: A stack's: the listed resources that hold one of its resources (a tagged instance in its
    #: subnet), each ``{"kind", "id", "holds"}`` (``holds``: what of the stack it holds,
    #: ``["subnet subnet-1 (name)"]``): they go first (``needs``). None for a resource that is
    #: not a stack.
    held_by: Optional[List[Dict[str, Any]]] = field(default=None, repr=False, compare=False)
    #: Its Student tag's value (None when it has none): whose it is, which a run over every
    #: student's resources says on each line.
    student: Optional[str] = field(default=None, repr=False, compare=False)
    #: What the listing adds to ``name`` on what to do (a stack's "held by ...: that goes
    #: first" line): the end of ``name``, which a line of what was done leaves out
    #: (:meth:`done`).
    advice: str = field(default="", repr=False, compare=False)

    @property
    def held(self) -> Optional[str]:
        """Why it is left (not deleted), or None."""
        return "; ".join(self.ties) if self.ties else None

    def __str__(self) -> str:
        return self._shown(self.name)

    def _shown(self, name: str) -> str:
        # A Name tag is anyone's text: a line break or a right-to-left mark in it would forge a
        # report line ("deleted VPC vpc-0000"), so such a name is shown quoted, as status does.
        text = name if name.isprintable() else shown(name)
        return f"{self.kind} {self.id}" + (f" ({text})" if name else "")

    def _done_name(self) -> str:
        if self.advice and self.name.endswith(self.advice):
            return self.name[: -len(self.advice)]
        return self.name

    def done(self) -> str:
        """Itself for a line of what was done to it (``deleted ...``, ``already gone: ...``):
        as :meth:`__str__`, without what the listing said to do (:attr:`advice`)."""
        return self._shown(self._done_name())

    def to_json(self, done: bool = False) -> Dict[str, Any]:
        """For ``week5 cleanup --json``: ``day`` the day it was found by, ``student`` its
        Student tag's value (null when it has none), ``left_because`` why it is (or will be)
        left; a stack's ``not_priced`` (:attr:`not_priced`) and ``held_by`` (:attr:`held_by`).
        ``done``: an entry of what was done to it (deleted, already gone), its ``name`` without
        what the listing said to do (:meth:`done`)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self._done_name() if done else self.name,
            "day": self.day,
            "student": self.student,
            "usd_per_hour": None if self.hourly is None else round(self.hourly, JSON_PLACES),
            "left_because": self.held,
            # a stack's: what its $/hour leaves out, and what in the list goes before it
            **({} if self.not_priced is None else {"not_priced": list(self.not_priced)}),
            **({} if self.held_by is None else {"held_by": list(self.held_by)}),
        }


@dataclass
class Scope:
    """One course day's resources (one student's, when given) in one region: how to tell them
    by their tags, reach them (``clients(service)``: a boto3 client) and price them."""

    clients: Callable[..., Any]
    region: str
    day: str
    student: Optional[str]
    prices: PriceTable
    _made: Dict[Tuple[str, Optional[str]], Any] = field(default_factory=dict, repr=False)
    _cache: Dict[str, Any] = field(default_factory=dict, repr=False)
    #: What could not be checked (a bucket whose tags S3 would not show), one line each.
    warnings: List[str] = field(default_factory=list)
    #: The ids of what another course day's scope of the same ``--day all`` run found to delete
    #: (``Cleaner``): a resource tied to one of them is not left for it, as the run deletes
    #: that one too; it needs that one gone first (``Found.needs``).
    elsewhere: FrozenSet[str] = frozenset()

    # --- tags ---------------------------------------------------------------------------

    def wanted(self) -> Dict[str, str]:
        return tag_filter(self.day, student=self.student)

    def ours(self, tags: Any) -> bool:
        """Whether tags (a dict, or AWS's Key/Value list) carry the day's (and student's)."""
        tags = tag_dict(tags)
        return all(tags.get(k) == v for k, v in self.wanted().items())

    def ours_by_tags(self, tag_list: Optional[List[Dict[str, str]]]) -> bool:
        """``ours`` for a Key/Value tag list as the AWS APIs return it."""
        return self.ours(tag_list)

    def ec2_filters(self) -> List[Dict[str, Any]]:
        return [{"Name": f"tag:{k}", "Values": [v]} for k, v in self.wanted().items()]

    @property
    def label(self) -> str:
        """What "ours" means, for a message: ``Day1`` or ``Day1/kim``."""
        return self.day + (f"/{self.student}" if self.student else "")

    def outside(self, what: str, count: int = 1) -> str:
        """``vpc-1, which is not tagged Week5/Day1/kim``: a resource outside the day's tags
        (``count`` of them: ``which are``). The Week tag is named too: a resource of the right
        day and student but another week is outside as well."""
        tags = "/".join(self.wanted().values())
        return f"{what}, which {'is' if count == 1 else 'are'} not tagged {tags}"

    # --- AWS ----------------------------------------------------------------------------

    def client(self, service: str, region: Optional[str] = None) -> Any:
        """One boto3 client per service (and region, for the global ones in us-east-1)."""
        key = (service, None if region in (None, self.region) else region)
        if key not in self._made:
            self._made[key] = (
                self.clients(service)
                if key[1] is None
                else self.clients(service, region_name=key[1])
            )
        return self._made[key]

    def each(self, service: str, operation: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item of a list call, page after page (boto3's paginator: one page of 50 or
        100 is not the account's all)."""
        client = self.client(service)
        for page in client.get_paginator(operation).paginate(**params):
            yield from page.get(key) or []

    def cached(self, key: str, load: Callable[[], Any]) -> Any:
        """``load()`` once per scope (what several finders read: the EC2 network, the Auto
        Scaling groups, the stacks)."""
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def forget(self) -> None:
        """Drop what was read (a new :func:`find` reads the account again)."""
        self._cache.clear()
        self.warnings.clear()

    def warn(self, line: str) -> None:
        self.warnings.append(line)

    def price(self, key: str, count: float = 1.0) -> Optional[float]:
        return self.prices.hourly(key, count)


def name_tag(item: Mapping[str, Any]) -> str:
    return tag_dict(item.get("Tags")).get("Name", "")


def stack_of(tags: Any) -> Optional[str]:
    """The CloudFormation stack a resource belongs to, by the tag CloudFormation puts on it."""
    return tag_dict(tags).get(STACK_TAG)


#: What a line of a run over every student's resources says for one without a Student tag.
NO_STUDENT = "(no Student tag)"


def whose(item: Found) -> str:
    """``kim``: whose ``item`` is, by its Student tag, for a line of a run over every
    student's resources (:data:`NO_STUDENT` when it has none)."""
    return item.student or NO_STUDENT


def tagged(tags: Any) -> Dict[str, Optional[str]]:
    """What a found resource's tags say of it, as :class:`Found`'s keyword arguments: the
    stack it belongs to (:func:`stack_of`) and whose it is (its Student tag's value)."""
    values = tag_dict(tags)
    return {"stack": values.get(STACK_TAG), "student": values.get(STUDENT_KEY)}


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, else the exception's type name."""
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


#: AWS error codes with which a read about one listed resource (its tags, its mount targets)
#: says that resource is gone: deleted between the list call and this one. Such a resource is
#: simply not there any more; the rest of the read goes on.
VANISHED = frozenset(
    {
        "LoadBalancerNotFound",  # ELBv2 DescribeTags
        "TargetGroupNotFound",
        "CacheClusterNotFound",  # ElastiCache ListTagsForResource
        "ReplicationGroupNotFoundFault",
        "ServerlessCacheNotFoundFault",
        "SnapshotNotFoundFault",  # an ElastiCache snapshot's
        "NoSuchBucket",  # S3
        "NoSuchResource",  # CloudFront ListTagsForResource
        "NoSuchDistribution",
        "FileSystemNotFound",  # EFS DescribeMountTargets
        "WAFNonexistentItemException",
        "DBClusterNotFoundFault",
        "DBInstanceNotFound",
        "ResourceNotFoundException",  # CloudWatch Logs ListTagsForResource
        "RepositoryNotFoundException",  # ECR ListTagsForResource
    }
)


def vanished(error: Exception) -> bool:
    """Whether a read about one listed resource failed because that resource is gone since
    (:data:`VANISHED`)."""
    return error_code(error) in VANISHED


#: AWS error codes with which a policy refuses a call: an IAM policy, or an organization's
#: service control policy (AWS's documented region-deny SCP refuses every region but the
#: allowed ones, exempting only the global services it names).
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def denied(error: Exception) -> bool:
    """Whether a policy refused the call (:data:`DENIED`)."""
    return error_code(error) in DENIED


def not_checked(what: str, region: str, error: Exception) -> str:
    """The "not checked" line of a read in another region that a policy refused (``what``:
    the kinds it would have found): the call, its region and the answer. Nothing of it is
    deleted; the run goes on and exits 1."""
    operation = getattr(error, "operation_name", None) or "a read"
    return (
        f"{what}: {operation} in {region} answered {error_code(error)} (a policy, "
        f"such as an organization's region-deny SCP, refuses {region}): run with credentials "
        f"that may read {region} to check them"
    )


def unless_vanished(read: Callable[[], T]) -> Optional[T]:
    """``read()``, or None when what it reads about is gone since it was listed
    (:func:`vanished`); any other error is raised."""
    try:
        return read()
    except Exception as error:
        if vanished(error):
            return None
        raise


class NotYet(Exception):
    """A deletion AWS accepted and is still doing (a stack, a distribution): the deleter asks
    again after each wait, and reports it "still deleting" if the waits run out first.
    ``code`` another retried code (a stack's deletion that failed and is asked again:
    :data:`week5.operations.cleanup.stacks.FAILED_CODE`, failed if the waits run out first)."""

    def __init__(self, message: str, code: str = "StillDeleting") -> None:
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


class NotDeleted(Exception):
    """A deletion that did not happen for a reason waiting does not cure: AWS refused it (an
    object under object lock), reported failed at once with the cause; or it was gone already,
    deleted by someone else (``StackNotFound``), which the deleter reports "already gone"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


def join_ids(ids: Sequence[str], most: int = 3) -> str:
    """``a, b, c and 4 more``."""
    ids = list(ids)
    head = ", ".join(ids[:most])
    return head + (f" and {len(ids) - most} more" if len(ids) > most else "")
