"""An Auto Scaling group's desired capacity kept within its sizes, and its scale-in taken from
the AZ holding the most of its instances, as AWS does.

Written against moto 5.2.5, which
- accepts a ``SetDesiredCapacity`` above the group's ``MaxSize`` or below its ``MinSize`` and
  launches or terminates to match (a trial's max-4 group ran 9 instances); AWS refuses it with
  ``ValidationError`` ("New SetDesiredCapacity value 9 is above max value 4 for the
  AutoScalingGroup.");
- scales in by terminating the oldest instances wherever they are (a trial's scale-in
  left both survivors in one AZ), then keeps the survivors in no particular order (a set's).
  AWS's default termination policy takes each instance from the AZ with the most of the
  group's instances (that has one not protected from scale-in), so the group stays balanced.
:func:`install` makes ``SetDesiredCapacity`` refuse a value outside the group's sizes, with
AWS's error, before anything changes (scaling policies still go through moto, which does not
clamp them either), and makes the group scale in from the AZ with the most instances (ties:
the AZ holding the oldest instance; within an AZ: the oldest, where AWS goes on to the oldest
launch template or configuration, then to the instance closest to its next billing hour),
keeping the survivors in launch order. Delete this module when moto does both
(tests/test_emulator_events.py says when).
"""

from __future__ import annotations

from collections import Counter
from typing import List, Optional

from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult

#: moto's own, read before :func:`install` (tests/test_emulator_events.py runs them to tell
#: when moto no longer needs this module).
MOTO_SET_DESIRED_CAPACITY = FakeAutoScalingGroup.set_desired_capacity
MOTO_RESPONSE = AutoScalingResponse.set_desired_capacity


def termination_order(states: List[InstanceState]) -> List[InstanceState]:
    """``states`` in the order a scale-in takes them: each from the AZ with the most of the
    group's instances left, the oldest there first; the protected ones last (moto skips them)."""
    per_az = Counter(state.instance.placement.zone for state in states)
    left = [state for state in states if not state.protected_from_scale_in]
    order = []
    while left:
        most = max(per_az[state.instance.placement.zone] for state in left)
        pick = next(state for state in left if per_az[state.instance.placement.zone] == most)
        order.append(pick)
        left.remove(pick)
        per_az[pick.instance.placement.zone] -= 1
    return order + [state for state in states if state.protected_from_scale_in]


def set_desired_capacity(self: FakeAutoScalingGroup, new_capacity: Optional[int]) -> None:
    """moto's, given the instances in :func:`termination_order`; the survivors then in launch
    order, the new instances after them."""
    before = list(self.instance_states)
    self.instance_states = termination_order(before)
    try:
        MOTO_SET_DESIRED_CAPACITY(self, new_capacity)
    finally:
        after = list(self.instance_states)
        self.instance_states = [s for s in before if s in after] + [
            s for s in after if s not in before
        ]


def set_desired_capacity_response(self: AutoScalingResponse) -> ActionResult:
    """``SetDesiredCapacity``: AWS's ``ValidationError`` for a value outside the group's
    ``MinSize``..``MaxSize``, else moto's."""
    group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
    desired = self._get_int_param("DesiredCapacity")
    if group is not None and desired is not None:
        if group.max_size is not None and desired > group.max_size:
            raise ValidationError(
                f"New SetDesiredCapacity value {desired} is above max value {group.max_size} "
                "for the AutoScalingGroup."
            )
        if group.min_size is not None and desired < group.min_size:
            raise ValidationError(
                f"New SetDesiredCapacity value {desired} is below min value {group.min_size} "
                "for the AutoScalingGroup."
            )
    return MOTO_RESPONSE(self)


def install() -> None:
    """Patch moto's Auto Scaling group and its ``SetDesiredCapacity`` as the module's docstring
    says (idempotent)."""
    FakeAutoScalingGroup.set_desired_capacity = set_desired_capacity  # type: ignore[method-assign]
    AutoScalingResponse.set_desired_capacity = (  # type: ignore[method-assign]
        set_desired_capacity_response
    )
