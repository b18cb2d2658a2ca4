"""``week5 status``: which lab stacks exist in the account, how old they are and what they cost
an hour, and what carries the course's tags but belongs to no stack. Read-only calls only.

A lab stack is a CloudFormation stack named ``week5-<student>-<lab id>`` (what
:mod:`week5.synth.lab` names them) that says it is the course's: the ``Week=Week5`` stack tag, or
the description every lab stack is given (``Week 5 Day4 Lab1: ...``). Its cost is its deployed
template priced like ``week5 cost`` prices a synthesized one
(:func:`week5.analysis.pricing.estimate`).
What is tagged ``Week=Week5`` (Resource Groups Tagging API) and belongs to no live stack was
made by hand, or left behind by a stack that is gone: ``cdk destroy`` does not remove it,
``week5 cleanup`` does. A resource belongs to a live stack when it is among the resources the
stack lists (by its id and type, as cleanup: what CloudFormation does not tag too, SSM
parameters, CloudFront distributions), when it is an instance one of the stack's Auto Scaling
groups launched or an EBS volume that goes with an instance of the stack (an Auto Scaling
group's volumes get the launch template's tags, no stack's), or when its
``aws:cloudformation:stack-id`` tag is the live stack's own id (that one stack's ARN: no
listing needed). The ``aws:cloudformation:stack-name`` tag alone does not say so: a resource
an earlier stack of the same name kept (DeletionPolicy Retain, or the stack deleted and
deployed again) carries it too, with that stack's id, and it is listed as left behind
(``live_stack``). What the tagging API lists that no longer exists (it keeps listing deleted
resources for 20 minutes and more) is asked for by id and left out: EC2's kinds, Elastic
Load Balancing's, RDS's and ElastiCache's (:func:`gone`, :func:`gone_load_balancing`,
:func:`gone_databases`, :func:`gone_caches`: one being deleted too). us-east-1's tagging
API, read for CloudFront's resources, denied (a policy that allows only the course's region)
is a line saying so (``not_checked``), not the end of the listing. A stack tagged for the
course that is no lab's (a student's own CDK app) is listed apart (:func:`tagged_stacks`):
cleanup deletes it too. The region's default VPC, its default subnets and its internet
gateway are marked as cleanup leaves them (:func:`default_vpc_parts`, cleanup's own rule).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from week5.analysis import pricing
from week5.analysis.assembly import tag_dict
from week5.core.catalog import COURSE_DAYS
from week5.core.progress import say
from week5.core.tags import DAY_KEY, LAB_KEY, STUDENT_KEY, WEEK_KEY, WEEK_TAG_VALUE
from week5.operations.cleanup.compute import goes_with_instance
from week5.operations.cleanup.network import _default_vpc_part
from week5.operations.cleanup.stacks import (
    GLOBAL_REGION,
    SEARCHED_REGIONS,
    STACK_ID_TAG,
    arn_types,
    owner,
    stack_region,
)

#: ``week5-<student>-<lab id>``: a student name is lowercase, so it never holds ``-Day``.
STACK_NAME_RE = re.compile(
    r"week5-(?P<student>[a-z][a-z0-9-]*)-(?P<lab>Day[1-5](?:Lab1|Lab2|Case|Challenge))", re.ASCII
)
#: How :class:`week5.synth.lab.LabStack` begins every lab stack's description.
DESCRIPTION_PREFIX = "Week 5 "
#: The tags CloudFormation puts on what a stack creates: the stack's name, and its ARN (which
#: names its region).
STACK_NAME_TAG = "aws:cloudformation:stack-name"
#: Stacks in these states hold nothing that bills (a failed create rolled everything back).
NOTHING_LEFT = frozenset({"ROLLBACK_COMPLETE"})
#: A destroy that failed part-way: only what it has not deleted is priced (:func:`what_is_left`).
PARTLY_DELETED = "DELETE_FAILED"
GLOBAL_ARN_PREFIXES = ("arn:aws:cloudfront::",)
#: A WAF web ACL of CloudFront's scope (``arn:aws:wafv2:us-east-1:<account>:global/webacl/...``):
#: global too, its stack in us-east-1.
GLOBAL_WAF = re.compile(r"arn:aws:wafv2:[^:]*:[^:]*:global/")
SHOWN_TAGS = (DAY_KEY, LAB_KEY, STUDENT_KEY, "Name")
#: What a stack's $/hour is, beside `week5 cleanup`'s (what exists now with the day's tags):
#: the two differ by design (an Auto Scaling group scaled out or in, a resource deleted by hand,
#: the assumed use), and each says what it priced.
PRICED = (
    "each stack's deployed template as `week5 cost LAB` prices it: what the template "
    "declares (Auto Scaling groups at their desired capacity) and the use it assumes (ALB "
    "LCUs), at on-demand Seoul prices. `week5 cleanup --day DayN` prices what exists instead"
)


@dataclass
class LabStackStatus:
    """One lab stack in the account."""

    name: str
    student: str
    lab: str
    status: str
    created: datetime
    #: Estimated on-demand $/hour of its deployed template; None when it could not be read.
    usd_per_hour: Optional[float] = None
    #: Resources of the template with no price (never counted as $0).
    not_priced: int = 0
    note: str = ""
    #: Its Day tag (a stack of :func:`tagged_stacks`: what `week5 cleanup --day` reads); "".
    day: str = ""
    #: Its termination protection is on (a stack of :func:`tagged_stacks`): cleanup leaves it.
    protected: bool = False

    def age_hours(self, now: datetime) -> float:
        return max(0.0, (now - self.created).total_seconds() / 3600)

    def to_json(self, now: datetime) -> Dict[str, Any]:
        return {
            "stack": self.name,
            "student": self.student,
            "lab": self.lab,
            "status": self.status,
            "created": self.created.isoformat(),
            "age_hours": round(self.age_hours(now), 3),
            "usd_per_hour": None if self.usd_per_hour is None else round(self.usd_per_hour, 4),
            "not_priced": self.not_priced,
            "note": self.note,
        }


#: Why `week5 cleanup --day DayN` leaves what has no Day tag, or one that is no course day's:
#: status's line (in parentheses) and ``--json``'s ``cleanup_leaves_it`` (:class:`Untracked`).
NO_DAY_TAG = f"no {DAY_KEY} tag: cleanup leaves it; delete it by hand"
NO_COURSE_DAY = f"{DAY_KEY} is no course day: cleanup leaves it; delete it by hand"


@dataclass
class Untracked:
    """A resource tagged for the course that belongs to no stack in the account."""

    arn: str
    tags: Dict[str, str]
    #: The stack its tag names when that stack is gone; "" when it never had one.
    gone_stack: str = ""
    #: The region of that stack, when its ``aws:cloudformation:stack-id`` tag names another
    #: than the one read; "" otherwise.
    stack_region: str = ""
    #: The live stack its ``aws:cloudformation:stack-name`` tag names though it is none of that
    #: stack's resources (an earlier stack of that name kept it: DeletionPolicy Retain, or the
    #: stack deleted and deployed again); "" otherwise. Until :func:`of_live_stacks` has
    #: looked, the live stack the tag names.
    live_stack: str = ""
    #: Why `week5 cleanup` leaves it as part of the region's default VPC (the VPC, a default
    #: subnet, its internet gateway: cleanup's own rule, :func:`default_vpc_parts`); "" else.
    default_vpc: str = ""
    #: The live stack whose snapshot cleanup (``LeftoverCleanup``) deletes it when the stack
    #: is destroyed (a snapshot of its volume or database, one its schedule took); "" else
    #: (:func:`deleted_at_destroy`).
    destroy_deletes: str = ""

    @property
    def copied_stack_tags(self) -> bool:
        """Whether its stack tags may be copies (a manual snapshot of a live stack's database:
        CopyTagsToSnapshot copies them), not left by an earlier stack of the name."""
        return bool(self.live_stack) and carries_copied_tags(self.arn)

    @property
    def course_day(self) -> bool:
        """Whether its Day tag is a course day's: `week5 cleanup --day DayN` takes one course
        day's resources, so not one without a Day tag, or with a day the course has not
        (``Day７``, ``Day9``)."""
        return self.tags.get(DAY_KEY) in {f"Day{d}" for d in COURSE_DAYS}

    @property
    def cleanup_takes_it(self) -> bool:
        """Whether `week5 cleanup --day DayN` can find it: tagged with a course day
        (:attr:`course_day`), and not part of the region's default VPC (``default_vpc``)."""
        return self.course_day and not self.default_vpc

    @property
    def cleanup_leaves_why(self) -> str:
        """Why `week5 cleanup --day DayN` leaves it, as status's line says it: no Day tag, a
        Day tag that is no course day's (``Day=day1``), part of the region's default VPC
        (``default_vpc``'s reason); "" when :attr:`cleanup_takes_it`. ``--json``'s
        ``cleanup_leaves_it``: it was null for a Day tag the text named as the reason."""
        if DAY_KEY not in self.tags:
            return NO_DAY_TAG
        if not self.course_day:
            return NO_COURSE_DAY
        return self.default_vpc

    def to_json(self) -> Dict[str, Any]:
        return {
            "arn": self.arn,
            "tags": self.tags,
            "gone_stack": self.gone_stack or None,
            "stack_region": self.stack_region or None,
            "live_stack": self.live_stack or None,
            "cleanup_takes_it": self.cleanup_takes_it,
            "cleanup_leaves_it": self.cleanup_leaves_why or None,
            "destroy_deletes_it": self.destroy_deletes or None,
        }


@dataclass
class StatusReport:
    region: str
    #: The student asked about; None for every student.
    student: Optional[str]
    stacks: List[LabStackStatus] = field(default_factory=list)
    untracked: List[Untracked] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    #: The lab stacks of other students in the region, when one student was asked about.
    others: int = 0
    #: One line per read that was denied and what it leaves unlisted (its call and region).
    not_checked: List[str] = field(default_factory=list)
    #: The stacks tagged for the course that are no lab's (:func:`tagged_stacks`): cleanup
    #: deletes them too.
    other_stacks: List[LabStackStatus] = field(default_factory=list)

    @property
    def usd_per_hour(self) -> float:
        return sum(s.usd_per_hour or 0.0 for s in self.stacks)

    @property
    def other_usd_per_hour(self) -> float:
        return sum(s.usd_per_hour or 0.0 for s in self.other_stacks)

    def to_json(self) -> Dict[str, Any]:
        return {
            "region": self.region,
            "student": self.student,
            "stacks": [s.to_json(self.now) for s in self.stacks],
            "usd_per_hour": round(self.usd_per_hour, 4),
            "priced": PRICED,
            "untracked": [u.to_json() for u in self.untracked],
            "other_students_stacks": self.others,
            "other_stacks": [
                {**s.to_json(self.now), "cleanup_takes_it": stack_cleanup_takes(s)}
                for s in self.other_stacks
            ],
            "other_stacks_usd_per_hour": round(self.other_usd_per_hour, 4),
            "not_checked": self.not_checked,
        }


def parse_stack_name(name: str) -> Optional[re.Match]:
    return STACK_NAME_RE.fullmatch(name or "")


def live_stacks(cloudformation) -> List[Dict[str, Any]]:
    """Every stack CloudFormation still holds in the region (all but DELETE_COMPLETE), every
    page: name, status, creation time, description and tags."""
    stacks = []
    for page in cloudformation.get_paginator("describe_stacks").paginate():
        stacks += [s for s in page.get("Stacks", []) if s.get("StackStatus") != "DELETE_COMPLETE"]
    return stacks


def is_course_stack(stack: Dict[str, Any]) -> bool:
    """Named like a lab stack and saying it is the course's (stack tag or description)."""
    if not parse_stack_name(stack.get("StackName", "")):
        return False
    tags = tag_dict(stack.get("Tags"))
    return tags.get(WEEK_KEY) == WEEK_TAG_VALUE or str(stack.get("Description", "")).startswith(
        DESCRIPTION_PREFIX
    )


#: A stack created by a change set that was never executed (`cdk deploy --no-execute`, or
#: interrupted): nothing deployed yet, and GetTemplate answers without Resources.
NOT_EXECUTED = "REVIEW_IN_PROGRESS"


def deployed_template(cloudformation, stack_name: str) -> Tuple[Optional[Dict[str, Any]], str]:
    """(the stack's template as deployed, "") or (None, why it cannot be priced): JSON
    (boto3 hands it over parsed) declaring resources; an AWS error for this one stack (it was
    deleted meanwhile, GetTemplate is denied) is the reason, not the end of the listing."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    try:
        response = cloudformation.get_template(StackName=stack_name, TemplateStage="Original")
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code") or "error"
        return None, f"GetTemplate failed ({code})"
    body = response.get("TemplateBody")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None, "template not JSON"  # YAML: not a template the course synthesizes
    if not isinstance(body, dict):
        return None, "template not a JSON object"
    if not pricing.template_resources(body):
        return None, "template has no Resources"
    return dict(body), ""


def price(cloudformation, stack: LabStackStatus,
          clients: Optional[Callable[..., Any]] = None) -> None:  # fmt: skip
    """Fill in the stack's estimated $/hour from its deployed template, or say why not.
    ``clients``: to ask whether a DELETE_FAILED stack's resources still exist
    (:func:`what_is_left`); None: CloudFormation's word is taken."""
    if stack.status in NOTHING_LEFT:
        stack.usd_per_hour, stack.note = 0.0, "rolled back: nothing left"
        return
    if stack.status == NOT_EXECUTED:  # its template is the change set's, if any: not deployed
        stack.note = "change set not executed: not priced"
        return
    template, why = deployed_template(cloudformation, stack.name)
    if template is None:
        stack.note = f"{why}: not priced"
        return
    if stack.status == PARTLY_DELETED:
        template, stack.note = what_is_left(cloudformation, stack.name, template, clients)
    estimate = pricing.estimate(template)
    stack.usd_per_hour = estimate.hourly
    stack.not_priced = len(estimate.not_priced)


def what_is_left(
    cloudformation, stack_name: str, template: Dict[str, Any],
    clients: Optional[Callable[..., Any]] = None,
) -> Tuple[Dict[str, Any], str]:  # fmt: skip
    """A DELETE_FAILED stack's template cut to the resources it still has (not DELETE_COMPLETE:
    a failed destroy left a VPC and a subnet, not the instances it priced), and the note.
    With ``clients``, those CloudFormation still lists that no longer exist are left out too
    (:func:`gone_stack_resources`: a terminated instance, a deleted launch template; an
    instructor trial's stack was priced $0.019/h for two such of its three)."""
    from botocore.exceptions import ClientError

    try:
        summaries = [
            r
            for page in cloudformation.get_paginator("list_stack_resources").paginate(
                StackName=stack_name
            )
            for r in page.get("StackResourceSummaries", [])
            if r.get("ResourceStatus") != "DELETE_COMPLETE"
        ]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code") or "error"
        return template, f"partly deleted; its resources not read ({code}): all priced"
    left = {r["LogicalResourceId"] for r in summaries}
    ended = gone_stack_resources(clients, summaries) if clients is not None else set()
    resources = pricing.template_resources(template)
    kept = {k: v for k, v in resources.items() if k in left - ended}
    note = f"partly deleted: the {len(kept)} resource(s) left"
    gone_too = len([k for k in resources if k in left & ended])
    if gone_too:
        note += f" ({gone_too} more it lists no longer exist: not priced)"
    return {**template, "Resources": kept}, note


#: A stack resource's CloudFormation type -> its kind in :data:`_EC2_KINDS`: its physical id
#: is the id that kind's Describe call lists (an Elastic IP's is its public address, unless an
#: allocation id: asked by address, :func:`_released_addresses`).
_STACK_EC2_KINDS = {
    "AWS::EC2::Instance": "instance",
    "AWS::EC2::NatGateway": "natgateway",
    "AWS::EC2::VPCEndpoint": "vpc-endpoint",
    "AWS::EC2::Volume": "volume",
    "AWS::EC2::SecurityGroup": "security-group",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::InternetGateway": "internet-gateway",
    "AWS::EC2::RouteTable": "route-table",
    "AWS::EC2::NetworkAcl": "network-acl",
    "AWS::EC2::EIP": "elastic-ip",
    "AWS::EC2::LaunchTemplate": "launch-template",
    "AWS::EC2::NetworkInterface": "network-interface",
}
#: Load balancing's stack resources, whose physical id is their ARN.
_STACK_ELB_TYPES = frozenset({
    "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule",
})  # fmt: skip
#: RDS's and ElastiCache's stack resources, whose physical id is their identifier: (the
#: service, its ARN resource type).
_STACK_NAMED_KINDS = {
    "AWS::RDS::DBInstance": ("rds", "db"),
    "AWS::RDS::DBCluster": ("rds", "cluster"),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache", "replicationgroup"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "cluster"),
}


def gone_stack_resources(clients: Callable[..., Any],
                         summaries: Iterable[Dict[str, Any]]) -> Set[str]:  # fmt: skip
    """The logical ids of the stack resources (ListStackResources' summaries) that no longer
    exist though CloudFormation still lists them (a DELETE_FAILED stack's: an instance
    terminated, a launch template deleted, by hand or by the failed destroy), asked by id as
    status asks for the tagging API's leftovers (:func:`gone`, :func:`gone_load_balancing`,
    :func:`gone_databases`, :func:`gone_caches`). A kind whose read fails (denied) and any
    other kind stay: priced, as CloudFormation lists them."""
    by_arn: Dict[str, str] = {}
    by_ip: Dict[str, str] = {}  # an Elastic IP's physical id is its address
    for summary in summaries:
        kind, physical = summary.get("ResourceType", ""), summary.get("PhysicalResourceId")
        if not physical:
            continue
        if kind in _STACK_EC2_KINDS:
            if kind == "AWS::EC2::EIP" and not str(physical).startswith("eipalloc-"):
                by_ip[str(physical)] = summary["LogicalResourceId"]
                continue
            by_arn[f"arn:aws:ec2:::{_STACK_EC2_KINDS[kind]}/{physical}"] = summary[
                "LogicalResourceId"
            ]
        elif kind in _STACK_ELB_TYPES and str(physical).startswith("arn:"):
            by_arn[str(physical)] = summary["LogicalResourceId"]
        elif kind in _STACK_NAMED_KINDS:
            service, arn_kind = _STACK_NAMED_KINDS[kind]
            by_arn[f"arn:aws:{service}:::{arn_kind}:{physical}"] = summary["LogicalResourceId"]
    arns = list(by_arn)
    ended: Set[str] = set()
    if any(arn.startswith("arn:aws:ec2:") for arn in arns):
        ended |= gone(clients("ec2"), arns)
    if any(arn.startswith("arn:aws:elasticloadbalancing:") for arn in arns):
        ended |= gone_load_balancing(clients("elbv2"), arns)
    if any(arn.startswith("arn:aws:rds:") for arn in arns):
        ended |= gone_databases(clients("rds"), arns)
    if any(arn.startswith("arn:aws:elasticache:") for arn in arns):
        ended |= gone_caches(clients("elasticache"), arns)
    return {by_arn[arn] for arn in ended} | _released_addresses(clients, by_ip)


def _released_addresses(clients: Callable[..., Any], by_ip: Dict[str, str]) -> Set[str]:
    """The values of ``by_ip`` (public IP -> logical id) whose Elastic IP the region no longer
    holds: DescribeAddresses filtered by ``public-ip`` (asked by address, one that is gone
    would fail the call as a whole); a read that fails (denied) marks none."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    if not by_ip:
        return set()
    ips = sorted(by_ip)
    held: Set[str] = set()
    try:
        for start in range(0, len(ips), _FILTER_VALUES):
            chunk = [{"Name": "public-ip", "Values": ips[start : start + _FILTER_VALUES]}]
            answer = clients("ec2").describe_addresses(Filters=chunk)
            held |= {a.get("PublicIp", "") for a in answer.get("Addresses", [])}
    except ClientError:
        return set()
    return {logical for ip, logical in by_ip.items() if ip not in held}


def course_stacks(
    cloudformation,
    stacks: Iterable[Dict[str, Any]],
    student: Optional[str] = None,
    priced: bool = True,
    clients: Optional[Callable[..., Any]] = None,
) -> List[LabStackStatus]:
    """The lab stacks among ``stacks`` (of ``student`` when given), priced (unless ``priced``
    is false: then ``cloudformation`` is not used), by student and lab."""
    found = []
    for stack in stacks:
        match = parse_stack_name(stack.get("StackName", ""))
        if not match or not is_course_stack(stack):
            continue
        if student is not None and match.group("student") != student:
            continue
        created = stack.get("CreationTime")
        if isinstance(created, datetime) and created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        status = LabStackStatus(
            name=stack["StackName"],
            student=match.group("student"),
            lab=match.group("lab"),
            status=stack.get("StackStatus", ""),
            created=created if isinstance(created, datetime) else datetime.now(timezone.utc),
        )
        if priced:
            price(cloudformation, status, clients)
        found.append(status)
    return sorted(found, key=lambda s: (s.student, s.lab))


#: A stack in these states is on its way out: `week5 cleanup` does not delete it again.
STACK_GOING = frozenset({"DELETE_IN_PROGRESS", "DELETE_COMPLETE"})


def stack_cleanup_takes(stack: LabStackStatus) -> bool:
    """Whether `week5 cleanup --day DayN` deletes a stack of :func:`tagged_stacks`: its Day
    tag is a course day's, it is not being deleted already, and its termination protection is
    off (cleanup never turns it off: :func:`week5.operations.cleanup.stacks.stack_found`)."""
    return (
        stack.status not in STACK_GOING
        and stack.day in {f"Day{d}" for d in COURSE_DAYS}
        and not stack.protected
    )


def tagged_stacks(
    cloudformation,
    stacks: Iterable[Dict[str, Any]],
    student: Optional[str] = None,
    priced: bool = True,
    clients: Optional[Callable[..., Any]] = None,
) -> List[LabStackStatus]:
    """The root stacks tagged ``Week=Week5`` (and ``Student=<student>``) that are no lab
    stack (:func:`is_course_stack`): one made by hand, or by a student's own CDK app
    (``week5-kim-Protected``). `week5 cleanup --day DayN` deletes those its tags name, as
    it deletes a lab stack, so status lists them: ``lab`` is their Day and Lab tags, priced
    from their deployed template as a lab stack is."""
    found = []
    for stack in stacks:
        tags = tag_dict(stack.get("Tags"))
        if tags.get(WEEK_KEY) != WEEK_TAG_VALUE or stack.get("ParentId") or is_course_stack(stack):
            continue
        if student is not None and tags.get(STUDENT_KEY) != student:
            continue
        created = stack.get("CreationTime")
        if isinstance(created, datetime) and created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        status = LabStackStatus(
            name=stack.get("StackName", ""),
            student=tags.get(STUDENT_KEY, ""),
            lab=tags.get(DAY_KEY, "") + tags.get(LAB_KEY, ""),
            status=stack.get("StackStatus", ""),
            created=created if isinstance(created, datetime) else datetime.now(timezone.utc),
            day=tags.get(DAY_KEY, ""),
            protected=bool(stack.get("EnableTerminationProtection")),
        )
        if priced:
            price(cloudformation, status, clients)
        found.append(status)
    return sorted(found, key=lambda s: (s.student, s.name))


def tagged_resources(tagging, student: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every resource tagged ``Week=Week5`` (and ``Student=<student>``), every page."""
    filters = [{"Key": WEEK_KEY, "Values": [WEEK_TAG_VALUE]}]
    if student is not None:
        filters.append({"Key": STUDENT_KEY, "Values": [student]})
    found = []
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
        found += page.get("ResourceTagMappingList", [])
    return found


def own_stack_name(arn: str) -> str:
    """A CloudFormation stack's name from its own ARN (``...:stack/<name>/<id>``), else "":
    a stack carries its tags but not the ``aws:cloudformation:stack-name`` tag its resources
    get, and the tagging API lists stacks among the tagged resources."""
    kind, rest = arn_resource(arn, "cloudformation")
    name, _, stack_id = rest.partition("/")
    return name if kind == "stack" and stack_id else ""


def arn_resource(arn: str, service: str) -> Tuple[str, str]:
    """(resource type, the rest) of an ARN of ``service`` (``arn:aws:<service>:<region>:
    <account>:<type>/<rest>``); ("", "") for another service's, or no ARN."""
    fields = arn.split(":", 5)
    if len(fields) < 6 or fields[2] != service:
        return "", ""
    kind, _, rest = fields[5].partition("/")
    return kind, rest


def colon_resource(arn: str, service: str) -> Tuple[str, str]:
    """(resource type, name) of an ARN of ``service`` whose resource part is ``<type>:<name>``
    (RDS's ``db:name``, Secrets Manager's ``secret:name-suffix``); ("", "") otherwise."""
    fields = arn.split(":", 6)
    if len(fields) != 7 or fields[2] != service:
        return "", ""
    return fields[5], fields[6]


def untracked(mappings: Iterable[Dict[str, Any]], live_names: Set[str]) -> List[Untracked]:
    """The tagged resources but the live stacks themselves: each still to be checked against
    the live stacks (:func:`of_live_stacks`). One whose stack tag names a live stack carries
    its name (``live_stack``: the tag alone does not make it that stack's), one whose stack
    is gone that stack's (``gone_stack``)."""
    found = []
    for mapping in mappings:
        arn = mapping.get("ResourceARN", "")
        if own_stack_name(arn) in live_names:
            continue
        tags = tag_dict(mapping.get("Tags"))
        stack = tags.get(STACK_NAME_TAG, "") or own_stack_name(arn)
        shown = {k: tags[k] for k in SHOWN_TAGS if k in tags}
        live = stack if stack in live_names else ""
        gone = stack if stack and not live else ""
        found.append(Untracked(arn=arn, tags=shown, gone_stack=gone, live_stack=live))
    return sorted(found, key=lambda u: u.arn)


#: How EC2 answers for each kind of resource, by ARN resource type: (the Describe call, its
#: filter parameter (None: one unfiltered read), the id filter, the list key, the id key, the
#: state that means gone ("": none; a resource not listed is gone)). The tagging API keeps
#: listing what was deleted for 20 minutes and more (aws/aws-cli#4173, aws/aws-sdk#676,
#: boto/boto3#3341): `week5 status` right after `week5 cleanup` listed as left behind what
#: cleanup had just deleted.
_EC2_KINDS: Dict[str, Tuple[str, Optional[str], str, str, str, str]] = {
    "instance": ("describe_instances", "Filters", "instance-id", "Reservations", "InstanceId",
                 "terminated"),
    "natgateway": ("describe_nat_gateways", "Filter", "nat-gateway-id", "NatGateways",
                   "NatGatewayId", "deleted"),
    # every endpoint, unfiltered: a region has few, and the emulator has no vpc-endpoint-id
    # filter (an id no longer listed would fail VpcEndpointIds= as a whole)
    "vpc-endpoint": ("describe_vpc_endpoints", None, "", "VpcEndpoints", "VpcEndpointId",
                     "deleted"),
    "volume": ("describe_volumes", "Filters", "volume-id", "Volumes", "VolumeId", ""),
    "security-group": ("describe_security_groups", "Filters", "group-id", "SecurityGroups",
                       "GroupId", ""),
    "subnet": ("describe_subnets", "Filters", "subnet-id", "Subnets", "SubnetId", ""),
    "vpc": ("describe_vpcs", "Filters", "vpc-id", "Vpcs", "VpcId", ""),
    "internet-gateway": ("describe_internet_gateways", "Filters", "internet-gateway-id",
                         "InternetGateways", "InternetGatewayId", ""),
    "route-table": ("describe_route_tables", "Filters", "route-table-id", "RouteTables",
                    "RouteTableId", ""),
    # every ACL, unfiltered: one or two per VPC, and the emulator has no network-acl-id filter
    "network-acl": ("describe_network_acls", None, "", "NetworkAcls", "NetworkAclId", ""),
    "elastic-ip": ("describe_addresses", "Filters", "allocation-id", "Addresses",
                   "AllocationId", ""),
    # every launch template, unfiltered: a lab has one or two, and the emulator has no
    # launch-template-id filter (LaunchTemplateIds= fails as a whole on one that is gone)
    "launch-template": ("describe_launch_templates", None, "", "LaunchTemplates",
                        "LaunchTemplateId", ""),
    "image": ("describe_images", "Filters", "image-id", "Images", "ImageId", ""),
    "snapshot": ("describe_snapshots", "Filters", "snapshot-id", "Snapshots", "SnapshotId", ""),
    "key-pair": ("describe_key_pairs", "Filters", "key-pair-id", "KeyPairs", "KeyPairId", ""),
    "network-interface": ("describe_network_interfaces", "Filters", "network-interface-id",
                          "NetworkInterfaces", "NetworkInterfaceId", ""),
}  # fmt: skip
#: EC2 takes at most 200 values in one filter.
_FILTER_VALUES = 200


def _pages(client: Any, call: str, **kwargs: Any) -> Iterable[Dict[str, Any]]:
    """Every page of ``call`` (DescribeAddresses and DescribeKeyPairs have one page)."""
    if client.can_paginate(call):
        return client.get_paginator(call).paginate(**kwargs)
    return [getattr(client, call)(**kwargs)]


def _unlisted(
    client: Any,
    kinds: Mapping[str, Tuple[str, Optional[str], str, str, str, str]],
    ids_of: Callable[[str], Tuple[str, str]],
    arns: Iterable[str],
    batch: int,
) -> Set[str]:
    """Which of ``arns`` (of ``kinds``, by what ``ids_of`` makes of an ARN: its type and id)
    their kind's Describe call does not list, or lists in the state that means gone; by id,
    ``batch`` to a call, every page. A kind whose read fails (denied) is not checked: what it
    would say is gone stays listed."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    wanted: Dict[str, Dict[str, str]] = {kind: {} for kind in kinds}
    for arn in arns:
        kind, resource_id = ids_of(arn)
        if kind in wanted and resource_id:
            wanted[kind][resource_id] = arn
    found: Set[str] = set()
    for kind, by_id in wanted.items():
        if not by_id:
            continue
        call, parameter, name, key, id_key, state = kinds[kind]
        ids = sorted(by_id)
        if parameter is None:  # one unfiltered read
            chunks: List[Dict[str, Any]] = [{}]
        else:
            chunks = [
                {parameter: [{"Name": name, "Values": ids[start : start + batch]}]}
                for start in range(0, len(ids), batch)
            ]
        listed: Set[str] = set()
        try:
            for chunk in chunks:
                for page in _pages(client, call, **chunk):
                    for item in page.get(key, []):
                        for resource in item.get("Instances", [item]):
                            status = resource.get("State")
                            status = status.get("Name") if isinstance(status, dict) else status
                            if not state or str(status).lower() != state:
                                listed.add(resource.get(id_key, ""))
        except ClientError:
            continue  # not checked: every one of this kind stays listed
        found |= {arn for resource_id, arn in by_id.items() if resource_id not in listed}
    return found


def gone(ec2: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` (EC2 resources of :data:`_EC2_KINDS`) no longer exist: not listed by
    their kind's Describe call, or listed as terminated or deleted (instances, NAT gateways,
    VPC endpoints); the tagging API lists them for a while after (moto's emulator for good),
    and they neither bill nor need cleaning up. By id, 200 to a call, every page; a kind whose
    read fails (denied) stays listed (:func:`_unlisted`)."""
    return _unlisted(ec2, _EC2_KINDS, lambda arn: arn_resource(arn, "ec2"), arns, _FILTER_VALUES)


#: RDS's resources by ARN resource type (``arn:aws:rds:<region>:<account>:<type>:<name>``), as
#: :data:`_EC2_KINDS`: the tagging API lists a deleted database or snapshot for a while too.
_RDS_KINDS: Dict[str, Tuple[str, Optional[str], str, str, str, str]] = {
    "db": ("describe_db_instances", "Filters", "db-instance-id", "DBInstances",
           "DBInstanceIdentifier", ""),
    "cluster": ("describe_db_clusters", "Filters", "db-cluster-id", "DBClusters",
                "DBClusterIdentifier", ""),
    "snapshot": ("describe_db_snapshots", "Filters", "db-snapshot-id", "DBSnapshots",
                 "DBSnapshotIdentifier", ""),
    "cluster-snapshot": ("describe_db_cluster_snapshots", "Filters", "db-cluster-snapshot-id",
                         "DBClusterSnapshots", "DBClusterSnapshotIdentifier", ""),
}  # fmt: skip
#: RDS's filters document no limit on their values: 100 to a call.
_RDS_VALUES = 100


def gone_databases(rds: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` are RDS databases, clusters or snapshots that no longer exist (as
    :func:`gone`): by identifier, 100 to a call, every page."""
    return _unlisted(rds, _RDS_KINDS, lambda arn: colon_resource(arn, "rds"), arns, _RDS_VALUES)


#: Elastic Load Balancing's resources by ARN resource type: (the Describe call, its ARN
#: parameter, the list key, the ARN key, the code that says one of the ARNs does not exist).
#: Classic load balancers (``loadbalancer/<name>``, the elb API) are not checked.
_ELB_KINDS: Dict[str, Tuple[str, str, str, str, str]] = {
    "loadbalancer": ("describe_load_balancers", "LoadBalancerArns", "LoadBalancers",
                     "LoadBalancerArn", "LoadBalancerNotFound"),
    "targetgroup": ("describe_target_groups", "TargetGroupArns", "TargetGroups",
                    "TargetGroupArn", "TargetGroupNotFound"),
    "listener": ("describe_listeners", "ListenerArns", "Listeners", "ListenerArn",
                 "ListenerNotFound"),
    "listener-rule": ("describe_rules", "RuleArns", "Rules", "RuleArn", "RuleNotFound"),
}  # fmt: skip
#: DescribeLoadBalancers takes at most 20 ARNs; the other kinds are asked as many at a time.
_ELB_ARNS = 20


def gone_load_balancing(elbv2: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` are Application or Network Load Balancers, target groups, listeners or
    listener rules that no longer exist (the tagging API lists them for a while after: see
    :data:`_EC2_KINDS`). By ARN, 20 to a call, every page: a call answers with its kind's
    NotFound code when one of its ARNs is gone, and then each is asked alone (NotFound: gone).
    A read that fails otherwise (denied) leaves what it asked listed."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    wanted: Dict[str, List[str]] = {}
    for arn in arns:
        kind, rest = arn_resource(arn, "elasticloadbalancing")
        if kind in _ELB_KINDS and rest and (kind != "loadbalancer" or "/" in rest):
            wanted.setdefault(kind, []).append(arn)

    def listed(kind: str, asked: List[str]) -> Set[str]:
        call, parameter, key, arn_key, _ = _ELB_KINDS[kind]
        return {
            item.get(arn_key, "")
            for page in elbv2.get_paginator(call).paginate(**{parameter: asked})
            for item in page.get(key, [])
        }

    found: Set[str] = set()
    for kind, asked in wanted.items():
        not_found = _ELB_KINDS[kind][4]
        asked = sorted(set(asked))
        for start in range(0, len(asked), _ELB_ARNS):
            chunk = asked[start : start + _ELB_ARNS]
            try:
                there = listed(kind, chunk)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != not_found:
                    continue  # not checked: the chunk stays listed
                there = set()
                for arn in chunk:  # which one: each alone
                    try:
                        there |= listed(kind, [arn])
                    except ClientError as one:
                        if one.response.get("Error", {}).get("Code") != not_found:
                            there.add(arn)  # not checked: stays listed
            found |= {arn for arn in chunk if arn not in there}
    return found


#: ElastiCache's resources by ARN resource type (``arn:aws:elasticache:<region>:<account>:
#: <type>:<id>``): (the Describe call, its id parameter, the list key, the status key, the code
#: that says it does not exist). A group, cluster or snapshot `week5 cleanup` deleted is
#: "deleting" for several minutes, and the tagging API lists it for a while after that.
_CACHE_KINDS: Dict[str, Tuple[str, str, str, str, str]] = {
    "replicationgroup": ("describe_replication_groups", "ReplicationGroupId",
                         "ReplicationGroups", "Status", "ReplicationGroupNotFoundFault"),
    "cluster": ("describe_cache_clusters", "CacheClusterId", "CacheClusters",
                "CacheClusterStatus", "CacheClusterNotFound"),
    "snapshot": ("describe_snapshots", "SnapshotName", "Snapshots", "SnapshotStatus",
                 "SnapshotNotFoundFault"),
}  # fmt: skip
#: The states of an ElastiCache resource on its way out: it is cleanup's no longer.
_CACHE_GOING = frozenset({"deleting", "deleted"})


def gone_caches(elasticache: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` are ElastiCache replication groups, cache clusters or snapshots that
    no longer exist (their kind's NotFound code) or are being deleted (``deleting``): as
    :func:`gone`, left out. Each asked by its id (a lab has one or two). A read that fails
    otherwise (denied) leaves it listed."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    found: Set[str] = set()
    for arn in sorted(set(arns)):
        kind, resource_id = colon_resource(arn, "elasticache")
        if kind not in _CACHE_KINDS or not resource_id:
            continue
        call, parameter, key, status_key, not_found = _CACHE_KINDS[kind]
        try:
            items = getattr(elasticache, call)(**{parameter: resource_id}).get(key, [])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == not_found:
                found.add(arn)
            continue  # not checked otherwise: it stays listed
        if not items or all(
            str(item.get(status_key, "")).lower() in _CACHE_GOING for item in items
        ):
            found.add(arn)
    return found


#: The EC2 kinds that may be part of the region's default VPC, by ARN resource type: (the
#: Describe call, its id filter, the list key, the id key).
_DEFAULT_VPC_KINDS = {
    "vpc": ("describe_vpcs", "vpc-id", "Vpcs", "VpcId"),
    "subnet": ("describe_subnets", "subnet-id", "Subnets", "SubnetId"),
    "internet-gateway": ("describe_internet_gateways", "internet-gateway-id",
                         "InternetGateways", "InternetGatewayId"),
}  # fmt: skip


@dataclass
class _Vpcs:
    """The part of cleanup's :class:`~week5.operations.cleanup.ties.Network` its default-VPC
    rule reads: the VPCs, by id."""

    vpcs: Dict[str, Dict[str, Any]]


def default_vpc_parts(ec2: Any, arns: Iterable[str]) -> Dict[str, str]:
    """ARN -> why `week5 cleanup` leaves it, for those of ``arns`` that are the region's
    default VPC, one of its default subnets or its internet gateway: cleanup's own rule
    (:func:`week5.operations.cleanup.network._default_vpc_part`), so status never says cleanup
    deletes what it leaves. By id, 200 to a call; a read that fails (denied) marks nothing."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    wanted: Dict[str, Dict[str, str]] = {kind: {} for kind in _DEFAULT_VPC_KINDS}
    for arn in arns:
        kind, resource_id = arn_resource(arn, "ec2")
        if kind in wanted and resource_id:
            wanted[kind][resource_id] = arn
    if not any(wanted.values()):
        return {}
    items: Dict[str, Dict[str, Any]] = {}  # ARN -> the item
    try:
        for kind, by_id in wanted.items():
            call, name, key, id_key = _DEFAULT_VPC_KINDS[kind]
            ids = sorted(by_id)
            for start in range(0, len(ids), _FILTER_VALUES):
                chunk = [{"Name": name, "Values": ids[start : start + _FILTER_VALUES]}]
                for page in _pages(ec2, call, Filters=chunk):
                    for item in page.get(key, []):
                        if item.get(id_key) in by_id:
                            items[by_id[item[id_key]]] = item
        vpc_ids = sorted(
            {item.get("VpcId", "") for item in items.values()}
            | {
                a.get("VpcId", "")
                for item in items.values()
                for a in item.get("Attachments", [])
            }
            - {""}
        )
        vpcs: Dict[str, Dict[str, Any]] = {}
        for start in range(0, len(vpc_ids), _FILTER_VALUES):
            chunk = [{"Name": "vpc-id", "Values": vpc_ids[start : start + _FILTER_VALUES]}]
            for page in _pages(ec2, "describe_vpcs", Filters=chunk):
                vpcs.update({v["VpcId"]: v for v in page.get("Vpcs", []) if v.get("VpcId")})
    except ClientError:
        return {}  # not checked: nothing marked
    net = _Vpcs(vpcs)
    found = {
        arn: _default_vpc_part(item, net)  # type: ignore[arg-type]
        for arn, item in items.items()
    }
    return {arn: why for arn, why in found.items() if why}


def secret_arns(arns: Iterable[str]) -> Set[str]:
    """The Secrets Manager secrets among ``arns``
    (``arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>``)."""
    return {arn for arn in arns if colon_resource(arn, "secretsmanager")[0] == "secret"}


def deleted_secrets(secretsmanager: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` are Secrets Manager secrets scheduled for deletion (``week5 cleanup``
    deletes them so, restorable for 7 days; a ``DeletedDate`` in ListSecrets): the tagging API
    still lists them, and they neither bill nor are cleanup's to find. One ListSecrets, every
    page, with ``IncludePlannedDeletion``; none when ``arns`` holds no secret. A read that fails
    (denied) hides nothing: what was not checked stays listed."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    wanted = secret_arns(arns)
    if not wanted:
        return set()
    found: Set[str] = set()
    try:
        pages = secretsmanager.get_paginator("list_secrets").paginate(IncludePlannedDeletion=True)
        for page in pages:
            for secret in page.get("SecretList", []):
                if secret.get("DeletedDate") and secret.get("ARN") in wanted:
                    found.add(secret["ARN"])
    except ClientError:
        pass  # the pages read before are checked; the rest stays listed
    return found


#: How RDS names the snapshots it takes itself (``arn:aws:rds:<region>:<account>:snapshot:
#: rds:<db>-<date>``): they carry their database's tags but no stack's.
AUTOMATED_SNAPSHOT_PREFIX = "rds:"


def backups_of_live_databases(rds: Any, arns: Iterable[str]) -> Set[str]:
    """Which of ``arns`` are RDS's automatic snapshots of a database that still exists: they
    copy the database's course tags, not its stack tag, and go with the database (a lab's
    ``cdk destroy`` removes them); once the database is gone, one that was kept bills as
    storage and is left behind."""
    wanted = {}
    for arn in arns:
        kind, name = colon_resource(arn, "rds")
        if kind == "snapshot" and name.startswith(AUTOMATED_SNAPSHOT_PREFIX):
            wanted[name] = arn
    if not wanted:
        return set()
    live = {
        db["DBInstanceIdentifier"]
        for page in rds.get_paginator("describe_db_instances").paginate()
        for db in page.get("DBInstances", [])
    }
    found: Set[str] = set()
    pages = rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="automated")
    for page in pages:
        for snapshot in page.get("DBSnapshots", []):
            arn = wanted.get(snapshot.get("DBSnapshotIdentifier", ""))
            if arn is not None and snapshot.get("DBInstanceIdentifier") in live:
                found.add(arn)
    return found


def stack_resources(
    cloudformation: Any, stacks: Iterable[Dict[str, Any]]
) -> Dict[str, List[Tuple[str, str]]]:
    """Physical id -> [(resource type, root stack name)] of every resource of the live course
    stacks (and of the stacks nested in them), one ListStackResources (every page) per stack:
    one id may name several resources, of different types (:func:`cleanup.stacks.owner`).
    A stack deleted since DescribeStacks listed it holds nothing any more."""
    return stacks_resources(cloudformation, stacks)


def stacks_resources(
    cloudformation: Any, stacks: Iterable[Dict[str, Any]], also: Iterable[str] = ()
) -> Dict[str, List[Tuple[str, str]]]:
    """:func:`stack_resources`, and those of the stacks named in ``also`` (those a resource's
    stack tag names) even when they are not course stacks (a student's own app built with the
    library)."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    stacks = list(stacks)
    also = set(also)
    by_id = {s.get("StackId"): s for s in stacks}
    owned: Dict[str, List[Tuple[str, str]]] = {}
    for stack in stacks:
        root = by_id.get(stack.get("RootId") or stack.get("StackId"), stack)
        named = {stack.get("StackName"), root.get("StackName")} & also
        if not is_course_stack(root) and not named:
            continue
        paginator = cloudformation.get_paginator("list_stack_resources")
        try:
            for page in paginator.paginate(StackName=stack.get("StackId") or stack["StackName"]):
                for resource in page.get("StackResourceSummaries", []):
                    # what a failed destroy (DELETE_FAILED) deleted is no longer the stack's
                    if resource.get("PhysicalResourceId") and (
                        resource.get("ResourceStatus") != "DELETE_COMPLETE"
                    ):
                        owned.setdefault(resource["PhysicalResourceId"], []).append(
                            (resource.get("ResourceType", ""), root.get("StackName", ""))
                        )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ValidationError":
                raise
    return owned


def physical_ids(arn: str) -> Set[str]:
    """What CloudFormation may call the resource of ``arn`` (its PhysicalResourceId): the ARN
    itself (load balancers, secrets), its resource part, the id after the resource type
    (``volume/vol-1``, ``distribution/E1``, ``db:name``), and an SSM parameter's name (its
    ARN drops the name's leading ``/``)."""
    fields = arn.split(":", 5)
    if len(fields) < 6:
        return {arn} if arn else set()
    resource = fields[5]
    ids = {arn, resource}
    kind, slash, rest = resource.partition("/")
    if slash and rest:
        ids.add(rest)
        if fields[2] == "ssm" and kind == "parameter":
            ids.add(f"/{rest}")
    kind, colon, rest = resource.partition(":")
    if colon and rest:
        ids.add(rest.removesuffix(":*") if fields[2] == "logs" else rest)
    return ids


#: The tag Auto Scaling puts on the instances a group launches.
GROUP_NAME_TAG = "aws:autoscaling:groupName"
ASG_TYPE = "AWS::AutoScaling::AutoScalingGroup"
INSTANCE_TYPE = "AWS::EC2::Instance"


def instances_of_live_stacks(
    ec2: Any,
    instance_ids: Iterable[str],
    live_ids: Set[str],
    owned: Dict[str, List[Tuple[str, str]]],
) -> Dict[str, Dict[str, Any]]:
    """Which of ``instance_ids`` a live stack made (id -> the instance): one of its resources,
    launched by one of its Auto Scaling groups, or tagged with the id of a live stack
    (``live_ids``: an Auto Scaling group gives its instances its stack's tags). Not by its
    stack-name tag alone: an earlier stack of that name may have left it. DescribeInstances by
    id, in batches."""
    groups = {
        physical for physical, entries in owned.items() for kind, _ in entries if kind == ASG_TYPE
    }
    ids = sorted(set(instance_ids))
    found: Dict[str, Dict[str, Any]] = {}
    for start in range(0, len(ids), _FILTER_VALUES):
        chunk = [{"Name": "instance-id", "Values": ids[start : start + _FILTER_VALUES]}]
        for page in ec2.get_paginator("describe_instances").paginate(Filters=chunk):
            for reservation in page.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    tags = tag_dict(instance.get("Tags"))
                    if (
                        owner(owned, [instance.get("InstanceId", "")], {INSTANCE_TYPE})
                        or tags.get(STACK_ID_TAG) in live_ids
                        or tags.get(GROUP_NAME_TAG) in groups
                    ):
                        found[instance["InstanceId"]] = instance
    return found


def volumes_of_live_stacks(
    ec2: Any, arns: Iterable[str], live_ids: Set[str], owned: Dict[str, List[Tuple[str, str]]]
) -> Set[str]:
    """Which of ``arns`` are EBS volumes that go with an instance of a live stack: a launch
    template's TagSpecifications give them the lab's tags but no stack's, on AWS too. A volume
    attached by hand (not deleted on termination) outlives the stack: it stays listed, as
    cleanup lists it. DescribeVolumes and DescribeInstances by id, in batches."""
    by_id: Dict[str, str] = {}
    for arn in arns:
        kind, volume_id = arn_resource(arn, "ec2")
        if kind == "volume" and volume_id:
            by_id[volume_id] = arn
    # instance id -> (volume id, its attachment) for each of its tagged volumes
    attached: Dict[str, List[Tuple[str, Dict[str, Any]]]] = {}
    ids = sorted(by_id)
    for start in range(0, len(ids), _FILTER_VALUES):
        chunk = [{"Name": "volume-id", "Values": ids[start : start + _FILTER_VALUES]}]
        for page in ec2.get_paginator("describe_volumes").paginate(Filters=chunk):
            for volume in page.get("Volumes", []):
                if volume.get("VolumeId") not in by_id:
                    continue
                for attachment in volume.get("Attachments", []):
                    if attachment.get("InstanceId"):
                        attached.setdefault(attachment["InstanceId"], []).append(
                            (volume["VolumeId"], attachment)
                        )
    if not attached:
        return set()
    live = instances_of_live_stacks(ec2, attached, live_ids, owned)
    return {
        by_id[volume_id]
        for instance_id, instance in live.items()
        for volume_id, attachment in attached[instance_id]
        if goes_with_instance(volume_id, attachment, instance)
    }


def stacks_named_by(stacks: List[Dict[str, Any]], left: List[Untracked]) -> List[Dict[str, Any]]:
    """The live stacks a leftover's Student, Day and Lab tags name
    (``week5-<student>-<day><lab>``) or its stack tag names (``live_stack``), and the stacks
    nested in them: only those can hold it, so only those are listed (a class account has a
    stack per student and lab)."""
    named = {
        f"week5-{u.tags[STUDENT_KEY]}-{u.tags[DAY_KEY]}{u.tags[LAB_KEY]}"
        for u in left
        if all(u.tags.get(k) for k in (STUDENT_KEY, DAY_KEY, LAB_KEY))
    } | {u.live_stack for u in left if u.live_stack}
    roots = {s.get("StackId") for s in stacks if s.get("StackName") in named}
    return [s for s in stacks if s.get("StackId") in roots or s.get("RootId") in roots]


#: RDS resources that may carry a stack's tags without being its: a manual snapshot of a lab's
#: database (CopyTagsToSnapshot copies every tag, the stack's own too) and a database restored
#: from one. Only the stack's list of resources tells; the stack-id tag is no proof for them.
_COPIED_TAG_KINDS = frozenset({"db", "snapshot", "cluster", "cluster-snapshot"})


def carries_copied_tags(arn: str) -> bool:
    """Whether ``arn`` is of a kind whose stack tags may be copies (:data:`_COPIED_TAG_KINDS`)."""
    return colon_resource(arn, "rds")[0] in _COPIED_TAG_KINDS


def held_by_tag(arn: str, tags: Mapping[str, str], live_ids: Set[str]) -> bool:
    """A live stack's by its ``aws:cloudformation:stack-id`` tag alone: CloudFormation tags
    what it makes so, but a copied tag (:func:`carries_copied_tags`) needs the stack's list."""
    return tags.get(STACK_ID_TAG) in live_ids and not carries_copied_tags(arn)


def stack_ids(stacks: Iterable[Dict[str, Any]]) -> Set[str]:
    """The ids (ARNs) of ``stacks``: what carries one of them in its
    ``aws:cloudformation:stack-id`` tag is that stack's, as CloudFormation tags what it makes
    (a stack of the same name deleted before had another id: what it kept is no resource of
    this one)."""
    return {s["StackId"] for s in stacks if s.get("StackId")}


def of_live_stacks(
    clients: Callable[..., Any],
    stacks: List[Dict[str, Any]],
    left: List[Untracked],
    tags_of: Optional[Dict[str, Dict[str, str]]] = None,
) -> Set[str]:
    """Which of the resources ``left`` a live stack holds: tagged with its id
    (:func:`stack_ids`), one of its resources (by its id and type), or an instance or volume of
    one (:func:`volumes_of_live_stacks`); not by a stack-name tag alone. Only the stacks the
    leftovers' tags name are listed; nothing is read when nothing is left. ``tags_of``: each
    resource's tags by ARN."""
    tags_of = tags_of or {}
    live_ids = stack_ids(stacks)
    found = {u.arn for u in left if held_by_tag(u.arn, tags_of.get(u.arn, {}), live_ids)}
    rest = [u for u in left if u.arn not in found]
    if not rest:
        return found
    owned = stacks_resources(
        clients("cloudformation"),
        stacks_named_by(stacks, rest),
        {u.live_stack for u in rest if u.live_stack},
    )
    # by an id and its type (an SSM parameter `web` is not the log group `web`), as cleanup
    found |= {u.arn for u in rest if owner(owned, sorted(physical_ids(u.arn)), arn_types(u.arn))}
    arns = [u.arn for u in rest if u.arn not in found]
    ec2 = clients("ec2")
    instances: Dict[str, str] = {}
    for arn in arns:
        kind, instance_id = arn_resource(arn, "ec2")
        if kind == "instance" and instance_id:
            instances[instance_id] = arn
    if instances:
        live = instances_of_live_stacks(ec2, instances, live_ids, owned)
        found |= {instances[i] for i in live}
    return found | volumes_of_live_stacks(ec2, arns, live_ids, owned)


#: The custom resource type of ``LeftoverCleanup`` (week5/constructs/cleanup.py, not imported:
#: status needs no CDK) and the properties that name what its Delete removes.
SNAPSHOT_CLEANUP_TYPE = "Custom::Week5SnapshotCleanup"


def snapshot_cleanups(cloudformation: Any, stack: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What each ``LeftoverCleanup`` of ``stack`` deletes at its destroy: ``volumes`` and
    ``databases`` (physical ids: every snapshot of them) and ``tag`` ((key, value): the
    snapshots and AMIs tagged so). Empty when the stack has none."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    name = stack.get("StackId") or stack["StackName"]
    try:
        summaries = [
            r
            for page in cloudformation.get_paginator("list_stack_resources").paginate(
                StackName=name
            )
            for r in page.get("StackResourceSummaries", [])
        ]
        if not any(r.get("ResourceType") == SNAPSHOT_CLEANUP_TYPE for r in summaries):
            return []
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in summaries}
        body = cloudformation.get_template(StackName=name).get("TemplateBody") or {}
    except ClientError:
        return []
    template = json.loads(body) if isinstance(body, str) else body

    def ids(refs: Any) -> Set[str]:
        return {
            physical.get(ref.get("Ref"), "")
            for ref in refs or []
            if isinstance(ref, dict) and ref.get("Ref") in physical
        } - {""}

    found = []
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") != SNAPSHOT_CLEANUP_TYPE:
            continue
        props = resource.get("Properties") or {}
        found.append({
            "volumes": ids(props.get("VolumeIds")),
            "databases": ids(props.get("DbInstanceIds")),
            "tag": (props.get("TagKey"), props.get("TagValue")) if props.get("TagValue")
            else None,
        })  # fmt: skip
    return found


def deleted_at_destroy(
    clients: Callable[..., Any],
    stacks: List[Dict[str, Any]],
    left: List[Untracked],
    tags_of: Optional[Dict[str, Dict[str, str]]] = None,
) -> Dict[str, str]:
    """ARN -> the live stack whose ``LeftoverCleanup`` deletes it at the stack's destroy: an EBS
    snapshot of a volume it names or tagged as it looks for, an AMI so tagged, a manual RDS
    snapshot of a database it names (Day2Lab1's and Day3Lab1's snapshots taken by hand: `cdk
    destroy` deletes them there). Only the stacks the leftovers' tags name are read."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    tags_of = tags_of or {}
    wanted = [
        u for u in left
        if arn_resource(u.arn, "ec2")[0] in ("snapshot", "image")
        or colon_resource(u.arn, "rds")[0] == "snapshot"
    ]  # fmt: skip
    if not wanted:
        return {}
    cloudformation = clients("cloudformation")
    cleanups = {
        s["StackName"]: found
        for s in stacks_named_by(stacks, wanted)
        if not s.get("ParentId") and (found := snapshot_cleanups(cloudformation, s))
    }
    if not cleanups:
        return {}
    result: Dict[str, str] = {}
    for u in wanted:
        tags = tags_of.get(u.arn, {})
        kind, ec2_id = arn_resource(u.arn, "ec2")
        of: Tuple[str, str] = ("", "")  # ("volumes" | "databases", its id)
        try:
            if kind == "snapshot":
                (snapshot,) = clients("ec2").describe_snapshots(SnapshotIds=[ec2_id])["Snapshots"]
                of = ("volumes", snapshot.get("VolumeId", ""))
            elif kind != "image":
                name = colon_resource(u.arn, "rds")[1]
                (snapshot,) = clients("rds").describe_db_snapshots(DBSnapshotIdentifier=name)[
                    "DBSnapshots"
                ]
                of = ("databases", snapshot.get("DBInstanceIdentifier", ""))
        except (ClientError, ValueError):  # gone since it was listed
            continue
        for stack_name, found in cleanups.items():
            if any(
                (of[1] and of[1] in cleanup[of[0]])
                or (kind in ("snapshot", "image") and cleanup["tag"]
                    and tags.get(cleanup["tag"][0]) == cleanup["tag"][1])
                for cleanup in found
            ):  # fmt: skip
                result[u.arn] = stack_name
                break
    return result


def read_status(
    clients: Callable[..., Any], region: str, student: Optional[str] = None
) -> StatusReport:
    """What the account holds for the course in ``region`` (and CloudFront's us-east-1):
    the lab stacks of ``student`` (every student when None) and the untracked resources."""
    cloudformation = clients("cloudformation")
    stacks = live_stacks(cloudformation)
    report = StatusReport(region=region, student=student)
    report.stacks = course_stacks(cloudformation, stacks, student, clients=clients)
    report.other_stacks = tagged_stacks(cloudformation, stacks, student, clients=clients)
    names = {s["StackName"] for s in stacks}
    mappings = tagged_resources(clients("resourcegroupstaggingapi"), student)
    if region != GLOBAL_REGION:
        in_global = global_tagged_resources(clients, student, report)
        # A region's own tagging API may list global resources too (moto's does): once each.
        seen = {m.get("ResourceARN") for m in mappings}
        mappings += [
            m
            for m in in_global
            if str(m.get("ResourceARN", "")).startswith(GLOBAL_ARN_PREFIXES)
            and m.get("ResourceARN") not in seen
        ]
    left = untracked(mappings, names)
    tags_of = {m.get("ResourceARN", ""): tag_dict(m.get("Tags")) for m in mappings}
    # What a live stack's id tags is its; what is gone (a secret scheduled for deletion too) or
    # a live database's backup: they need no stack read.
    live_ids = stack_ids(stacks)
    left = [u for u in left if not held_by_tag(u.arn, tags_of.get(u.arn, {}), live_ids)]
    arns = [u.arn for u in left]
    # What the tagging API still lists after it was deleted (this region's: the tagging API
    # may list another region's, an emulator's every bucket).
    here = [arn for arn in arns if arn_region(arn) == region]
    ended = gone(clients("ec2"), here) | backups_of_live_databases(clients("rds"), arns)
    if any(colon_resource(arn, "rds")[0] in _RDS_KINDS for arn in here):
        ended |= gone_databases(clients("rds"), here)
    if any(arn_resource(arn, "elasticloadbalancing")[0] in _ELB_KINDS for arn in here):
        ended |= gone_load_balancing(clients("elbv2"), here)
    if secret_arns(arns):
        ended |= deleted_secrets(clients("secretsmanager"), arns)
    if any(colon_resource(arn, "elasticache")[0] in _CACHE_KINDS for arn in here):
        ended |= gone_caches(clients("elasticache"), here)
    left = [u for u in left if u.arn not in ended]
    held = of_live_stacks(clients, stacks, left, tags_of)
    left = [u for u in left if u.arn not in held]
    held = of_stacks_elsewhere(clients, region, left, tags_of)
    report.untracked = [u for u in left if u.arn not in held]
    leaves = default_vpc_parts(
        clients("ec2"), [u.arn for u in report.untracked if arn_region(u.arn) == region]
    )
    for u in report.untracked:
        u.default_vpc = leaves.get(u.arn, "")
    deletes = deleted_at_destroy(
        clients, stacks, [u for u in report.untracked if arn_region(u.arn) == region], tags_of
    )
    for u in report.untracked:
        u.destroy_deletes = deletes.get(u.arn, "")
    if student is not None:
        report.others = len(course_stacks(None, stacks, None, priced=False)) - len(report.stacks)
    return report


def arn_region(arn: str) -> str:
    """The region an ARN names (``arn:aws:<service>:<region>:...``), else ""."""
    fields = arn.split(":", 4)
    return fields[3] if len(fields) == 5 else ""


#: What a denied call answers (query and JSON protocols): a region-deny SCP (AWS
#: Organizations' documented example denies every region but the allowed ones, except for
#: global services, and the tagging API is none) or an IAM policy conditioned on
#: ``aws:RequestedRegion``.
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def global_tagged_resources(
    clients: Callable[..., Any], student: Optional[str], report: StatusReport
) -> List[Dict[str, Any]]:
    """:func:`tagged_resources` of us-east-1 (CloudFront's, and CloudFront-scope WAF web
    ACLs': they are tagged there only). Denied (a policy that allows only the course's region),
    that one read is not checked: a line on stderr and in ``report.not_checked`` names the call
    and the region, and the region's own listing is still printed. Any other error is raised."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    try:
        return tagged_resources(
            clients("resourcegroupstaggingapi", region_name=GLOBAL_REGION), student
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code") or ""
        if code not in _DENIED:
            raise
    line = (
        f"not checked: tag:GetResources in {GLOBAL_REGION} was denied ({code}; a policy that "
        f"allows only some regions?): CloudFront distributions and CloudFront-scope WAF web "
        f"ACLs tagged {WEEK_KEY}={WEEK_TAG_VALUE} are not listed"
    )
    report.not_checked.append(line)
    say(line)
    return []


def is_global(arn: str) -> bool:
    """A CloudFront resource, or a WAF web ACL of CloudFront's scope: listed from every
    region, its stack possibly in any."""
    return arn.startswith(GLOBAL_ARN_PREFIXES) or bool(GLOBAL_WAF.match(arn))


def of_stacks_elsewhere(
    clients: Callable[..., Any],
    region: str,
    left: List[Untracked],
    tags_of: Dict[str, Dict[str, str]],
) -> Set[str]:
    """Which of ``left`` a live stack of another region holds: one whose
    ``aws:cloudformation:stack-id`` tag names a stack of another region that lives
    (DescribeStacks there; a gone one's region is kept for its note, ``stack_region``), and a
    global resource without that tag (:func:`is_global`) that a course stack of the course's
    region or us-east-1 lists (:data:`SEARCHED_REGIONS`). A global resource is listed from every
    region, and an emulator's tagging API lists every region's buckets."""
    from botocore.exceptions import ClientError  # boto3 is there: a client was made

    held: Set[str] = set()
    states: Dict[str, str] = {}
    unfound: List[Untracked] = []
    for u in left:
        stack_id = tags_of.get(u.arn, {}).get(STACK_ID_TAG, "")
        where = stack_region(stack_id)
        if not where or where == region:
            if not stack_id and is_global(u.arn):
                unfound.append(u)
            continue
        if stack_id not in states:
            try:
                (stack,) = clients("cloudformation", region_name=where).describe_stacks(
                    StackName=stack_id
                )["Stacks"]
                states[stack_id] = stack.get("StackStatus", "")
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ValidationError":
                    raise
                states[stack_id] = "DELETE_COMPLETE"  # no such stack
        if states[stack_id] != "DELETE_COMPLETE":
            held.add(u.arn)
        else:
            u.stack_region = where
            if u.live_stack:  # the stack it names is that one, gone: not this region's namesake
                u.gone_stack, u.live_stack = u.live_stack, ""
    for where in SEARCHED_REGIONS:
        if where == region or not unfound:
            continue
        cloudformation = clients("cloudformation", region_name=where)
        stacks = live_stacks(cloudformation)
        owned = stack_resources(cloudformation, stacks_named_by(stacks, unfound))
        found = {
            u.arn for u in unfound if owner(owned, sorted(physical_ids(u.arn)), arn_types(u.arn))
        }
        held |= found
        unfound = [u for u in unfound if u.arn not in found]
    return held


def format_age(hours: float) -> str:
    minutes = int(round(hours * 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {(minutes // 60) % 24} h"
