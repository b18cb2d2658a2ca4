"""regional_web_acl: a WAF web ACL of AWS's managed rule groups and a per-IP rate limit.

A function, not a Construct: it creates the ACL in the caller's scope under the caller's id, so
a stack that built the ACL itself keeps its logical id (a wrapping Construct would add a level to
the path, and so change it).

Behind a proxy (API Gateway in front of an ALB, as in the Day 3 case) WAF sees the proxy's
addresses, not the callers': a per-IP limit then counts every caller of the proxy as one and
blocks them all together. :class:`ProxyHeaders` names the headers such a proxy adds (the
caller's address, and a token only it sends), and ``regional_web_acl(..., proxy=...)`` counts
the proxy's requests per caller by that header and everyone else's by their own address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from aws_cdk import Token
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from week5.constructs.props import (
    refuse_token,
    require_distinct,
    require_int,
    require_str,
    require_strings,
    shown,
)
from week5.core.errors import CourseInputError

#: AWS's common rules, SQL injection (the Day 3 case's "SQL Injection 차단") and known bad inputs.
DEFAULT_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
#: Requests per 5 minutes from one IP before WAF blocks it (a simple flood guard).
DEFAULT_RATE_LIMIT = 1000
#: WAF's pattern for a metric name (1 to 255 of these characters).
_METRIC_NAME_RE = re.compile(r"[\w#:.\-/]{1,255}")
#: The rate rule's name, after the managed groups: requests counted by their source address.
RATE_RULE_NAME = "RatePerIp"
#: With a ``proxy``, the rule after it: the proxy's requests counted by the caller it names.
FORWARDED_RATE_RULE_NAME = "RatePerForwardedIp"
#: A header name WAF can inspect (``SingleHeader`` takes 1 to 64 characters).
_HEADER_NAME_RE = re.compile(r"[A-Za-z0-9-]{1,64}")
#: Header names API Gateway refuses to map (the HTTP API parameter mapping's "reserved
#: headers": access-control-*, apigw-*, x-amz-*, x-amzn-*, X-Forwarded-For/-Host/-Proto and the
#: named ones), or that a caller or another proxy writes into (any x-forwarded-*; ``host``,
#: which every request carries and the integration's requests are routed by): WAF counts the
#: first address of the header, which would be the caller's own choice.
_RESERVED_HEADER_RE = re.compile(
    r"(x-amzn?-|x-forwarded-|access-control-|apigw-).*|authorization|connection|content-encoding"
    r"|content-length|content-location|forwarded|host|keep-alive|origin|proxy-authenticate"
    r"|proxy-authorization|te|trailers|transfer-encoding|upgrade|via",
    re.I,
)
#: A token WAF compares byte for byte: printable ASCII without spaces, at most 200 bytes (WAF's
#: ``SearchString`` limit).
_TOKEN_RE = re.compile(r"[!-~]{1,200}")


@dataclass(frozen=True)
class ProxyHeaders:
    """The headers a proxy in front of the protected resource adds to each request it forwards
    (API Gateway's HTTP API before an ALB): the caller's address, and a token that only the
    proxy sends, so WAF can tell the proxy's requests from a direct caller's.

    Without them WAF sees the proxy's own addresses: a per-IP rate limit then counts all of the
    proxy's callers as one, and one busy caller gets every caller blocked.

    :param client_ip_header: the header that carries the caller's address (API Gateway:
        ``$context.identity.sourceIp``), e.g. ``"x-week5-client-ip"``. The proxy must overwrite
        it, never append to it: WAF counts the header's first address.
    :param origin_header: the header that carries ``origin_token``, e.g. ``"x-week5-origin"``.
    :param origin_token: a value only the proxy sends (up to 200 printable ASCII characters), so
        a direct caller cannot pose as the proxy and choose its own address; a deploy-time value
        (a token, e.g. part of ``AWS::StackId``) keeps it out of the source.
    """

    client_ip_header: str
    origin_header: str
    origin_token: str

    def __post_init__(self) -> None:
        where = "ProxyHeaders"
        for name in ("client_ip_header", "origin_header"):
            value = getattr(self, name)
            require_str(where, name, value)
            refuse_token(where, name, value, "a header name, e.g. 'x-week5-client-ip'")
            if not _HEADER_NAME_RE.fullmatch(value):
                raise CourseInputError(
                    f"{where}: {name}={shown(value)} must be 1 to 64 letters, digits or '-' (a "
                    "header name WAF can inspect), e.g. 'x-week5-client-ip'"
                )
            if _RESERVED_HEADER_RE.fullmatch(value):
                raise CourseInputError(
                    f"{where}: {name}={shown(value)} is a header API Gateway reserves or callers "
                    "and other proxies write; name your own, e.g. 'x-week5-client-ip'"
                )
        if self.client_ip_header.lower() == self.origin_header.lower():
            raise CourseInputError(
                f"{where}: client_ip_header and origin_header are both "
                f"{shown(self.origin_header)}; give the token its own header, e.g. "
                "'x-week5-origin'"
            )
        require_str(where, "origin_token", self.origin_token)
        if not Token.is_unresolved(self.origin_token) and not _TOKEN_RE.fullmatch(self.origin_token):
            raise CourseInputError(
                f"{where}: origin_token must be 1 to 200 printable ASCII characters without "
                "spaces (WAF compares it byte for byte), e.g. a UUID"
            )

    def parameter_mapping(self) -> apigw.ParameterMapping:
        """An HTTP API integration's parameter mapping that writes both headers on each request
        it forwards: the caller's address (``$context.identity.sourceIp``) and the token. Both
        overwrite what the caller sent, so a caller chooses neither."""
        return (
            apigw.ParameterMapping()
            .overwrite_header(
                self.client_ip_header, apigw.MappingValue.context_variable("identity.sourceIp")
            )
            .overwrite_header(self.origin_header, apigw.MappingValue.custom(self.origin_token))
        )


def regional_web_acl(
    scope: Construct,
    construct_id: str,
    *,
    metric_name: str,
    managed_rule_groups: Sequence[str] = DEFAULT_MANAGED_RULE_GROUPS,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    proxy: Optional[ProxyHeaders] = None,
) -> wafv2.CfnWebACL:
    """A REGIONAL web ACL (for an ALB or a REST API) that allows by default, runs AWS's
    ``managed_rule_groups`` in order (their own actions), then blocks an IP that sends more than
    ``rate_limit`` requests in 5 minutes. Every rule reports CloudWatch metrics and samples
    under its own name; the ACL's metric is ``metric_name``.

    :param metric_name: the ACL's CloudWatch metric name (1 to 255 letters, digits or
        ``_-.:#/``), so its requests are found in CloudWatch.
    :param managed_rule_groups: AWS's managed rule groups, run in this order with their own
        actions. @default AWS's common, SQL-injection and known-bad-input rule groups
    :param rate_limit: requests in 5 minutes from one caller before WAF blocks it (WAF's
        minimum is 10). @default 1,000
    :param proxy: the headers a proxy in front of the resource adds (:class:`ProxyHeaders`),
        when callers also come through one (API Gateway before an ALB). Then ``RatePerIp``
        counts only requests without the proxy's token, by their source address (direct
        callers), and ``RatePerForwardedIp`` counts the proxy's requests by the caller address
        in ``proxy.client_ip_header`` (a request without a valid address there is not counted):
        each caller of the proxy gets its own ``rate_limit``, instead of all of them sharing
        one counted on the proxy's addresses. @default None: every request counted by its
        source address

    Attach it with ``wafv2.CfnWebACLAssociation(scope, id, resource_arn=alb.load_balancer_arn,
    web_acl_arn=acl.attr_arn)``.
    """
    where = f"regional_web_acl {scope.node.path}/{construct_id}"
    require_str(where, "metric_name", metric_name)
    # A token passes through as before: CloudFormation checks it at deploy.
    if not _METRIC_NAME_RE.fullmatch(metric_name) and not Token.is_unresolved(metric_name):
        raise CourseInputError(
            f"{where}: metric_name={shown(metric_name)} must be 1 to 255 letters, digits or "
            "_-.:#/ (WAF's rule), e.g. 'LabWebAcl'"
        )
    # One string would be taken letter by letter: a rule per character.
    require_strings(
        where,
        "managed_rule_groups",
        managed_rule_groups,
        DEFAULT_MANAGED_RULE_GROUPS[0],
        what="rule group names",
    )
    require_distinct(where, "managed_rule_groups", managed_rule_groups)
    require_int(where, "rate_limit", rate_limit)
    if rate_limit < 10:  # WAF's minimum for a rate-based rule
        raise CourseInputError(f"{where}: rate_limit={rate_limit} is below WAF's minimum of 10")
    if proxy is not None and not isinstance(proxy, ProxyHeaders):
        raise CourseInputError(
            f"{where}: proxy={shown(proxy)} must be a ProxyHeaders(client_ip_header=..., "
            "origin_header=..., origin_token=...)"
        )

    def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        )

    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=index,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=visibility(group),
        )
        for index, group in enumerate(managed_rule_groups)
    ]

    def rate_rule(name: str, **statement) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name=name,
            priority=len(rules),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, **statement
                )
            ),
            visibility_config=visibility(name),
        )

    if proxy is None:
        rules.append(rate_rule(RATE_RULE_NAME, aggregate_key_type="IP"))
    else:
        from_proxy = _has_header_value(proxy.origin_header, proxy.origin_token)
        # Direct callers (no token), each by its own address.
        rules.append(
            rate_rule(
                RATE_RULE_NAME,
                aggregate_key_type="IP",
                scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                    not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=from_proxy)
                ),
            )
        )
        # The proxy's requests (with the token), each caller by the address the proxy names.
        rules.append(
            rate_rule(
                FORWARDED_RATE_RULE_NAME,
                aggregate_key_type="FORWARDED_IP",
                forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                    header_name=proxy.client_ip_header, fallback_behavior="NO_MATCH"
                ),
                scope_down_statement=from_proxy,
            )
        )
    return wafv2.CfnWebACL(
        scope,
        construct_id,
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=visibility(metric_name),
        rules=rules,
    )


def _has_header_value(header: str, value: str) -> wafv2.CfnWebACL.StatementProperty:
    """A statement that matches a request whose ``header`` is exactly ``value``."""
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": header}),
            positional_constraint="EXACTLY",
            search_string=value,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )
