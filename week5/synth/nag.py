"""cdk-nag 3 wiring: AwsSolutions and the course's own pack as validation plugins, and
acknowledgements.

cdk-nag 3 runs as a CDK validation plugin: an unacknowledged finding fails ``app.synth()``.
An acknowledgement sits on the construct that causes the finding and names the lab trade-off;
one of a resource ARN names it as cdk-nag writes it (:func:`nag_arn`).
"""

from __future__ import annotations

import json
from typing import Mapping, Tuple

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, NagPack
from constructs import IConstruct

from week5.core.errors import CourseInputError

#: Reasons shorter than this are almost always "not needed", which explains nothing.
MIN_REASON_LENGTH = 30


def enable_nag(app: App) -> Tuple[AwsSolutionsChecks, NagPack]:
    """Run AwsSolutions and the course's rules on every stack of ``app`` at synthesis.

    A finding of either fails the synth and lands in ``cdk.out/validation-report.json``.
    """
    from week5.synth.course_checks import (
        CourseChecks,  # imports the rules, which import settings
    )

    checks = (AwsSolutionsChecks(app, verbose=True), CourseChecks(app))
    Validations.of(app).add_plugins(*checks)
    return checks


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag rule on ``construct`` (and its children), with the trade-off."""
    acknowledge_all(construct, {rule_id: reason})


def acknowledge_all(construct: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledge several rules on ``construct`` (rule id: the trade-off), in order.

    One ``Validations.of(...).acknowledge(...)`` for them all: each call is a round trip to
    Node, and a lab's hosts, databases and sites acknowledge three to nine rules each.
    """
    if not reasons:
        return
    for rule_id, reason in reasons.items():
        if len(reason.strip()) < MIN_REASON_LENGTH:
            # The caller's input (a helper's ``reason=``): one line, as any bad prop.
            raise CourseInputError(
                f"acknowledging {rule_id} on {construct.node.path} needs a reason that names "
                f"the lab trade-off (at least {MIN_REASON_LENGTH} characters), got {reason!r}"
            )
    Validations.of(construct).acknowledge(
        *(Acknowledgment(id=rule_id, reason=reason) for rule_id, reason in reasons.items())
    )


def nag_arn(scope: IConstruct, arn: str) -> str:
    """``arn`` as cdk-nag writes it in a finding's id (``AwsSolutions-IAM5[Resource::<arn>]``).

    Why: an acknowledgement names the finding exactly, or the finding fails the synth; a token
    in the id would fail it too. The ARN is resolved in ``scope``'s stack and flattened as
    cdk-nag's ``flattenCfnReference`` does: each ``Ref`` as ``<AWS::Partition>``,
    ``<AWS::Region>``, ``<AWS::AccountId>`` (or ``<LogicalId>``), ``Fn::GetAtt`` as
    ``<LogicalId.Attr>``, ``Fn::Join`` joined, ``Fn::Sub``'s ``${X}`` as ``<X>``. What CDK writes
    literally stays literal: a bucket of the stack is ``<Logical.Arn>``, one imported by name
    ``arn:aws:s3:::name`` (the course's ``@aws-cdk/core:enablePartitionLiterals``, a region
    known) or ``arn:<AWS::Partition>:s3:::name``, a stack with an account its number, an
    env-agnostic one ``<AWS::Region>``: build the ARN with the token CDK writes in the policy
    (``bucket.arn_for_objects("in/*")``, ``stack.format_arn(...)``), never a guess.
    """
    return _flatten(Stack.of(scope).resolve(arn))


def _flatten(node: object) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return delimiter.join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return _flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))
