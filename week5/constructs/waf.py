"""regional_web_acl: a WAF web ACL of AWS's managed rule groups and a per-IP rate limit.

A function, not a Construct: it creates the ACL in the caller's scope under the caller's id, so
a stack that built the ACL itself keeps its logical id (a wrapping Construct would add a level to
the path, and so change it).
"""

from __future__ import annotations

import re
from typing import Sequence

from aws_cdk import Token
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from week5.constructs.props import (
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
_METRIC_NAME_RE = re.compile(r"^[\w#:.\-/]{1,255}$")
#: The rate rule's name, after the managed groups.
RATE_RULE_NAME = "RatePerIp"


def regional_web_acl(
    scope: Construct,
    construct_id: str,
    *,
    metric_name: str,
    managed_rule_groups: Sequence[str] = DEFAULT_MANAGED_RULE_GROUPS,
    rate_limit: int = DEFAULT_RATE_LIMIT,
) -> wafv2.CfnWebACL:
    """A REGIONAL web ACL (for an ALB or a REST API) that allows by default, runs AWS's
    ``managed_rule_groups`` in order (their own actions), then blocks an IP that sends more than
    ``rate_limit`` requests in 5 minutes. Every rule reports CloudWatch metrics and samples
    under its own name; the ACL's metric is ``metric_name``.

    Attach it with ``wafv2.CfnWebACLAssociation(scope, id, resource_arn=alb.load_balancer_arn,
    web_acl_arn=acl.attr_arn)``.
    """
    where = f"regional_web_acl {scope.node.path}/{construct_id}"
    require_str(where, "metric_name", metric_name)
    # A token passes through as before: CloudFormation checks it at deploy.
    if not _METRIC_NAME_RE.match(metric_name) and not Token.is_unresolved(metric_name):
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
    rules.append(
        wafv2.CfnWebACL.RuleProperty(
            name=RATE_RULE_NAME,
            priority=len(rules),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=visibility(RATE_RULE_NAME),
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
