"""An Auto Scaling group's target groups following its instances, as on AWS: an instance that
leaves the group leaves its target groups, and a replacement joins them.

Written against moto 5.2.5, whose group only ever registers its instances in its target groups
(``update_attached_target_groups``), and does not even that after EC2's ``TerminateInstances``:
- an instance the group terminated (``TerminateInstanceInAutoScalingGroup``, a scale-in) or
  detached (``DetachInstances``) stayed registered and "healthy": Day 4's challenge counted 3
  healthy targets for its 2 instances after killing one, Day 3's case 6 for 4;
- the replacement the group launched after ``aws ec2 terminate-instances`` was never
  registered: Day 2's case counted 1 target for its 2 instances.
On AWS the instance's target drains (for the target group's deregistration delay) and goes, and
every instance the group launches is registered. :func:`install` makes the group deregister,
from each of its target groups, the instances it registered there that are no longer its own
(at once: the emulator does not wait out the delay; asked for by id, such a target is
"unused", ``Target.NotRegistered``), and makes EC2's ``TerminateInstances`` bring the groups'
target groups up to date as the group's own calls do. Delete this module when moto does both
(tests/test_emulator_events.py says when).
"""

from __future__ import annotations

from typing import Dict, List, Set

from moto.autoscaling.models import AutoScalingBackend
from moto.elbv2.exceptions import TargetGroupNotFoundError

#: moto's own, read before :func:`install` (tests/test_emulator_events.py runs them to tell
#: when moto no longer needs this module).
MOTO_UPDATE = AutoScalingBackend.update_attached_target_groups
MOTO_NOTIFY = AutoScalingBackend.notify_terminate_instances
#: The group's attribute holding {target group ARN: the instance ids it registered there}.
REGISTERED = "week5_registered_targets"


def update_attached_target_groups(self: AutoScalingBackend, group_name: str) -> None:
    """moto's registration of the group's instances, then the deregistration of those it had
    registered that have left it."""
    group = self.autoscaling_groups[group_name]
    registered: Dict[str, Set[str]] = getattr(group, REGISTERED, {})
    current = {state.instance.id for state in group.instance_states}
    MOTO_UPDATE(self, group_name)
    for arn in group.target_group_arns:
        target_group = self.elbv2_backend.target_groups.get(arn)
        if target_group is None:
            continue
        gone = sorted(i for i in registered.get(arn, set()) - current if i in target_group.targets)
        if gone:
            target_group.deregister([{"Id": i} for i in gone])
        registered[arn] = set(current)
    setattr(group, REGISTERED, registered)


def notify_terminate_instances(self: AutoScalingBackend, instance_ids: List[str]) -> None:
    """moto's (each group drops the terminated instances and launches their replacements),
    then the target groups of each group that lost one brought up to date (one deleted before
    its group is passed over: the termination itself succeeded)."""
    hit = [
        name
        for name, group in self.autoscaling_groups.items()
        if group.target_group_arns
        and any(state.instance.id in instance_ids for state in group.instance_states)
    ]
    MOTO_NOTIFY(self, instance_ids)
    for name in hit:
        try:
            self.update_attached_target_groups(name)
        except TargetGroupNotFoundError:
            pass


def install() -> None:
    """Patch moto's Auto Scaling backend as the module's docstring says (idempotent)."""
    AutoScalingBackend.update_attached_target_groups = (  # type: ignore[method-assign]
        update_attached_target_groups
    )
    AutoScalingBackend.notify_terminate_instances = (  # type: ignore[method-assign]
        notify_terminate_instances
    )
