"""A lab without a VPC (Day 2's static site): its buckets and distributions, found by the
lab's tags, private behind CloudFront over HTTPS as in the reference."""

from __future__ import annotations

import functools
import json
from typing import Any, Callable, Dict, List, Mapping, Optional

from week5.analysis.assembly import tag_dict
from week5.operations.audit.model import Check, Clients, _code, _each


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return "*" in (aws if isinstance(aws, list) else [aws])


def _public_statements(policy_text: Optional[str]) -> List[str]:
    """The actions a bucket policy allows anyone, without a condition."""
    if not policy_text:
        return []
    statements = json.loads(policy_text).get("Statement", [])
    public = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if (
            statement.get("Effect") == "Allow"
            and _anyone(statement.get("Principal"))
            and not statement.get("Condition")
        ):
            action = statement.get("Action")
            public.append(", ".join(action) if isinstance(action, list) else str(action))
    return public


def _read_or_none(call: Callable[[], Any], absent: str) -> Any:
    """``call()``, or None when S3 answers ``absent`` (no such configuration)."""
    try:
        return call()
    except Exception as error:
        if _code(error) == absent:
            return None
        raise


def _bucket_problems(s3: Any, name: str) -> List[str]:
    """How a bucket is open to the public: a website endpoint, Block Public Access turned
    off, a policy that allows anyone."""
    problems = []
    if _read_or_none(lambda: s3.get_bucket_website(Bucket=name), "NoSuchWebsiteConfiguration"):
        problems.append(
            f"{name} serves a public website endpoint (the lab serves it through CloudFront)"
        )
    block = _read_or_none(
        lambda: s3.get_public_access_block(Bucket=name), "NoSuchPublicAccessBlockConfiguration"
    )
    off = sorted(
        k
        for k, v in ((block or {}).get("PublicAccessBlockConfiguration") or {}).items()
        if v is False
    )
    if off:
        problems.append(f"{name} turns off Block Public Access ({', '.join(off)})")
    policy = _read_or_none(lambda: s3.get_bucket_policy(Bucket=name), "NoSuchBucketPolicy")
    problems += [
        f"{name}'s policy allows {action} to anyone"
        for action in _public_statements((policy or {}).get("Policy"))
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
    for name in buckets:
        problems += _bucket_problems(s3, name)
    cloudfront = clients("cloudfront")
    distributions = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in (page.get("DistributionList") or {}).get("Items") or []:
            tags = cloudfront.list_tags_for_resource(Resource=item["ARN"])["Tags"].get("Items")
            if ours(tags):
                distributions.append(item)
    issues = _count("distribution(s)", len(distributions), want_distributions)
    for item in distributions:
        origins = [o.get("DomainName", "") for o in (item.get("Origins") or {}).get("Items") or []]
        if not any(o.split(".s3")[0] in buckets for o in origins if ".s3" in o):
            shown = ", ".join(origins) or "none"
            issues.append(f"{item['Id']} does not serve the lab's bucket (origins: {shown})")
        if (item.get("DefaultCacheBehavior") or {}).get("ViewerProtocolPolicy") == "allow-all":
            issues.append(f"{item['Id']} serves plain HTTP (viewer protocol allow-all)")
    served = ", ".join(f"{d['Id']} serves {', '.join(buckets)} over HTTPS" for d in distributions)
    extra = max(0, len(buckets) - want_buckets) + max(0, len(distributions) - want_distributions)
    return [
        Check(
            "s3-buckets",
            not problems,
            "; ".join(problems) or f"{', '.join(buckets) or 'none'}: private, as the lab",
        ),
        Check("cloudfront", not issues, "; ".join(issues) or served or "none, as the lab"),
        Check(
            "unexpected-resources",
            extra == 0,
            f"{extra} bucket(s) or distribution(s) beyond the lab"
            if extra
            else "nothing beyond the lab",
        ),
    ]
