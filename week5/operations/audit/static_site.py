"""A lab without a VPC (Day 2's static site): its buckets and distributions, found by the
lab's tags, behind CloudFront over HTTPS and open to the public no more than the reference is
(Day 2 Lab 2's bucket is a public-read website, as the course's step 1 makes it)."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional

from week5.analysis import pricing
from week5.analysis.assembly import tag_dict
from week5.operations.audit.model import Check, Clients, _code, _each
from week5.operations.price_table import PriceTable

#: An S3 endpoint a CloudFront origin names a bucket by: REST (``<bucket>.s3.amazonaws.com``,
#: ``<bucket>.s3.<region>.amazonaws.com``, legacy ``<bucket>.s3-<region>...``, dual-stack) or
#: website (``<bucket>.s3-website-<region>...``, ``<bucket>.s3-website.<region>...``); the
#: bucket is everything before it (a bucket name may hold dots, even ``.s3``).
_S3_ORIGIN = re.compile(
    r"(?P<bucket>[a-z0-9][a-z0-9.-]*)\.s3(?:-website)?"
    r"(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?\.?",
    re.ASCII,
)


def origin_bucket(domain: str) -> Optional[str]:
    """The bucket a CloudFront origin's domain is an S3 endpoint of, else None (a custom
    origin: a load balancer, or a host whose name only starts like a bucket's)."""
    match = _S3_ORIGIN.fullmatch(domain.lower())
    return match.group("bucket") if match else None


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return "*" in (aws if isinstance(aws, list) else [aws])


def _public_actions(statements: Any) -> List[str]:
    """The actions a policy's ``statements`` allow anyone, without a condition."""
    public = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if (
            isinstance(statement, dict)
            and statement.get("Effect") == "Allow"
            and _anyone(statement.get("Principal"))
            and not statement.get("Condition")
        ):
            action = statement.get("Action")
            public += action if isinstance(action, list) else [str(action)]
    return public


#: S3's four Block Public Access settings: a bucket without the configuration has all four off
#: (a template's bucket without it gets AWS's default since 2023, all four on).
BLOCK_PUBLIC_ACCESS_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@dataclass(frozen=True)
class Openness:
    """How the lab's reference opens its bucket to the public: Day 2 Lab 2 serves a website
    endpoint with a public-read policy (the course's step 1), a private site none of it."""

    website: bool = False
    #: Block Public Access settings the reference turns off.
    unblocked: FrozenSet[str] = frozenset()
    #: Actions the reference's bucket policy allows anyone.
    actions: FrozenSet[str] = frozenset()

    @classmethod
    def of(cls, resources: Mapping[str, Any]) -> "Openness":
        website, unblocked, actions = False, set(), set()
        for resource in resources.values():
            props = resource.get("Properties") or {}
            if resource.get("Type") == "AWS::S3::Bucket":
                website = website or bool(props.get("WebsiteConfiguration"))
                block = props.get("PublicAccessBlockConfiguration") or {}
                unblocked |= {k for k, v in block.items() if v is False}
            elif resource.get("Type") == "AWS::S3::BucketPolicy":
                document = props.get("PolicyDocument") or {}
                actions |= set(_public_actions(document.get("Statement", [])))
        return cls(website, frozenset(unblocked), frozenset(actions))

    def describe(self) -> str:
        """The check's evidence when a bucket is open no more than this."""
        if not (self.website or self.unblocked or self.actions):
            return "private, as the lab"
        parts = ["a website endpoint"] if self.website else []
        parts += [f"{', '.join(sorted(self.actions))} to anyone"] if self.actions else []
        return f"open no more than the lab's ({'; '.join(parts)})"


def _read_or_none(call: Callable[[], Any], absent: str) -> Any:
    """``call()``, or None when S3 answers ``absent`` (no such configuration)."""
    try:
        return call()
    except Exception as error:
        if _code(error) == absent:
            return None
        raise


def _bucket_problems(s3: Any, name: str, reference: Openness) -> List[str]:
    """How a bucket is open to the public beyond the lab's reference: a website endpoint,
    Block Public Access turned off, a policy that allows anyone."""
    problems = []
    website = _read_or_none(
        lambda: s3.get_bucket_website(Bucket=name), "NoSuchWebsiteConfiguration"
    )
    if website and not reference.website:
        problems.append(
            f"{name} serves a public website endpoint (the lab serves it through CloudFront)"
        )
    block = _read_or_none(
        lambda: s3.get_public_access_block(Bucket=name), "NoSuchPublicAccessBlockConfiguration"
    )
    # No setting at all (DeletePublicAccessBlock) is every one of the four off.
    settings = (
        (block or {}).get("PublicAccessBlockConfiguration") or {}
        if block is not None
        else dict.fromkeys(BLOCK_PUBLIC_ACCESS_SETTINGS, False)
    )
    off = sorted(k for k, v in settings.items() if v is False and k not in reference.unblocked)
    if off:
        how = (
            "turns off"
            if block is not None
            else "has no bucket-level setting (the account's may still block), so turns off"
        )
        problems.append(f"{name} {how} Block Public Access ({', '.join(off)})")
    policy = _read_or_none(lambda: s3.get_bucket_policy(Bucket=name), "NoSuchBucketPolicy")
    statements = json.loads(policy["Policy"]).get("Statement", []) if policy else []
    problems += [
        f"{name}'s policy allows {action} to anyone"
        for action in _public_actions(statements)
        if action not in reference.actions
    ]
    return problems


def _count(what: str, found: int, wanted: int) -> List[str]:
    return [] if found == wanted else [f"{found} {what} tagged for the lab; the lab has {wanted}"]


def audit_site(
    template: Mapping[str, Any], clients: Clients, lab_tags: Dict[str, str]
) -> List[Check]:
    """A lab without a VPC (S3 and CloudFront): the lab's buckets and distributions, found by
    the lab's tags, private behind CloudFront over HTTPS as in the reference."""
    resources = template.get("Resources", {})
    want_buckets = sum(1 for r in resources.values() if r.get("Type") == "AWS::S3::Bucket")
    want_distributions = sum(
        1 for r in resources.values() if r.get("Type") == "AWS::CloudFront::Distribution"
    )

    def ours(tags: Any) -> bool:
        tags = tag_dict(tags)
        return all(tags.get(k) == v for k, v in lab_tags.items())

    clients = functools.lru_cache(maxsize=None)(clients)  # one client per service
    s3 = clients("s3")
    buckets = []
    for bucket in _each(s3, "list_buckets", "Buckets"):
        try:
            tags = s3.get_bucket_tagging(Bucket=bucket["Name"]).get("TagSet")
        except Exception as error:
            if _code(error) in ("NoSuchTagSet", "NoSuchBucket", "AccessDenied"):
                continue  # untagged (or not readable): not the lab's
            raise
        if ours(tags):
            buckets.append(bucket["Name"])
    problems = _count("bucket(s)", len(buckets), want_buckets)
    reference = Openness.of(resources)
    for name in buckets:
        problems += _bucket_problems(s3, name, reference)
    cloudfront = clients("cloudfront")
    distributions = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in (page.get("DistributionList") or {}).get("Items") or []:
            tags = cloudfront.list_tags_for_resource(Resource=item["ARN"])["Tags"].get("Items")
            if ours(tags):
                distributions.append(item)
    issues = _count("distribution(s)", len(distributions), want_distributions)
    serves: Dict[str, List[str]] = {}  # distribution id → the lab's buckets its origins name
    for item in distributions:
        origins = [o.get("DomainName", "") for o in (item.get("Origins") or {}).get("Items") or []]
        serves[item["Id"]] = sorted({b for b in map(origin_bucket, origins) if b in buckets})
        if not serves[item["Id"]]:
            shown = ", ".join(origins) or "none"
            issues.append(f"{item['Id']} does not serve the lab's bucket (origins: {shown})")
        behaviors = [item.get("DefaultCacheBehavior") or {}]
        behaviors += (item.get("CacheBehaviors") or {}).get("Items") or []
        plain = [
            b.get("PathPattern") or "default"
            for b in behaviors
            if b.get("ViewerProtocolPolicy") == "allow-all"
        ]
        if plain:
            issues.append(
                f"{item['Id']} serves plain HTTP (viewer protocol allow-all: {', '.join(plain)})"
            )
    served = "; ".join(
        f"{d['Id']} serves {', '.join(serves[d['Id']])} over HTTPS" for d in distributions
    )
    return [
        Check(
            "s3-buckets",
            not problems,
            "; ".join(problems)
            or f"{', '.join(buckets) or 'none'}: {reference.describe()}",
        ),
        Check("cloudfront", not issues, "; ".join(issues) or served or "none, as the lab"),
        _beyond_the_lab(buckets, want_buckets, distributions, want_distributions, serves),
    ]


def _beyond_the_lab(
    buckets: List[str],
    want_buckets: int,
    distributions: List[Dict[str, Any]],
    want_distributions: int,
    serves: Dict[str, List[str]],
) -> Check:
    """What is tagged for the lab beyond its buckets and distributions, each named with what it
    costs an hour at the use `week5 cost` assumes, as the VPC labs' check names each. The
    ones named are those no distribution serves (buckets) or serving none of the lab's buckets
    (distributions), before any that does: those are the lab's."""
    prices, usage = PriceTable(), pricing.load_prices()["usage_assumed"]
    served = {b for names in serves.values() for b in names}
    extra, hourly = [], 0.0
    by_use = sorted(buckets, key=lambda b: b not in served)  # stable: served ones first
    for name in by_use[want_buckets:]:
        cost = prices.hourly("s3:standard", usage["s3_gb"]) or 0.0
        extra.append(f"bucket {name} (${cost:.4f}/h, {usage['s3_gb']} GB assumed)")
        hourly += cost
    ordered = sorted(distributions, key=lambda d: not serves.get(d["Id"]))
    for item in ordered[want_distributions:]:
        gb = usage["cloudfront_gb_per_hour"]
        cost = prices.hourly("cloudfront:transfer", gb) or 0.0
        extra.append(f"distribution {item['Id']} (${cost:.4f}/h, {gb} GB/h assumed)")
        hourly += cost
    if not extra:
        return Check("unexpected-resources", True, "nothing beyond the lab")
    return Check("unexpected-resources", False, "; ".join(extra) + f"; ${hourly:.4f}/h in all")
