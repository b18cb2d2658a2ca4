"""cdk-nag 3 wiring: the AwsSolutions pack as a validation plugin, and acknowledgements.

cdk-nag 3 runs as a CDK validation plugin: an unacknowledged finding fails ``app.synth()``.
An acknowledgement sits on the construct that causes the finding and names the lab trade-off.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

#: Reasons shorter than this are almost always "not needed", which explains nothing.
MIN_REASON_LENGTH = 30


def enable_nag(app: App) -> AwsSolutionsChecks:
    """Run AwsSolutions on every stack of ``app`` at synthesis; findings fail the synth."""
    checks = AwsSolutionsChecks(app, verbose=True)
    Validations.of(app).add_plugins(checks)
    return checks


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag rule on ``construct`` (and its children), with the trade-off."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(
            f"acknowledging {rule_id} on {construct.node.path} needs a reason that names the "
            f"lab trade-off (at least {MIN_REASON_LENGTH} characters), got {reason!r}"
        )
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))
