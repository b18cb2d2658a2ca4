"""The network interfaces of an Auto Scaling group's instances: spread over the group's subnets
and deleted with the instances, as on AWS.

Written against moto 5.2.5, whose Auto Scaling group launches each instance into the first
subnet of its ``VPCZoneIdentifier`` and through ``RunInstances`` without ``NetworkInterfaces``,
which gives it a primary interface that its termination keeps:
- every instance of a lab's group landed in its first subnet's AZ, where AWS balances a group's
  instances over its subnets' AZs;
- an interface stayed "in-use", attached to a terminated instance, for each instance terminated:
  by ``TerminateInstanceInAutoScalingGroup`` (Day 4's challenge kills a web instance), by a
  scale-in, by the stack's deletion of the group; ``cdk destroy`` then left it in a subnet the
  stack had deleted. AWS deletes a launched instance's primary interface with it.
:func:`install` makes the group launch as moto does, but one instance at a time into a subnet
of the AZ holding the fewest of the group's instances (ties: the subnets' order), and marks each
instance's primary interface to be deleted on its termination. ``RunInstances`` itself, and
instances the course's own model launches (:mod:`.ec2_instance` asks for the deletion), are not
changed. Delete this module when moto does both (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Tuple

from moto.autoscaling.models import ASG_NAME_TAG, FakeAutoScalingGroup, InstanceState

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_REPLACE = FakeAutoScalingGroup.replace_autoscaling_group_instances


def _places(group: FakeAutoScalingGroup) -> List[Tuple[Optional[str], str]]:
    """(subnet, AZ) the group launches into, in its order: its subnets, else its AZs."""
    subnet_ids = [s.strip() for s in (group.vpc_zone_identifier or "").split(",") if s.strip()]
    if not subnet_ids:
        return [(None, az) for az in group.availability_zones]
    ec2 = group.autoscaling_backend.ec2_backend
    return [(s, ec2.get_subnet(s).availability_zone) for s in subnet_ids]


def _next_place(
    places: List[Tuple[Optional[str], str]], instances: List[InstanceState]
) -> Tuple[Optional[str], str]:
    """The place in the AZ with the fewest of ``instances``, then the emptiest subnet there."""
    per_az = Counter(state.instance.placement.zone for state in instances)
    per_subnet = Counter(state.instance.subnet_id for state in instances)
    return min(places, key=lambda place: (per_az[place[1]], per_subnet[place[0]]))


def replace_autoscaling_group_instances(
    self: FakeAutoScalingGroup, count_needed: int, propagated_tags: Dict[str, str]
) -> None:
    """moto's launch, an instance at a time into :func:`_next_place`, its interface deleted
    with it."""
    propagated_tags[ASG_NAME_TAG] = self.name
    propagated_tags.update(self.instance_tags)
    associate_public_ip = (
        self.launch_config.associate_public_ip_address if self.launch_config else None
    )
    launch_template = None
    if self.ec2_launch_template:
        if self.ec2_launch_template.id:
            launch_template = {"LaunchTemplateId": self.ec2_launch_template.id}
        elif self.ec2_launch_template.name:
            launch_template = {"LaunchTemplateName": self.ec2_launch_template.name}
    places = _places(self)
    for _ in range(count_needed):
        subnet_id, zone = _next_place(places, self.instance_states)
        reservation = self.autoscaling_backend.ec2_backend.run_instances(
            self.image_id,
            1,
            self.user_data,
            self.security_groups,
            instance_type=self.instance_type,
            tags={"instance": propagated_tags},
            placement=zone,
            launch_config=self.launch_config,
            launch_template=launch_template,
            is_instance_type_default=False,
            associate_public_ip=associate_public_ip,
            subnet_id=subnet_id,
        )
        for instance in reservation.instances:
            primary = instance.nics.get(0)
            if primary is not None:
                primary.delete_on_termination = True
            instance.autoscaling_group = self
            self.instance_states.append(
                InstanceState(
                    instance, protected_from_scale_in=self.new_instances_protected_from_scale_in
                )
            )


def install() -> None:
    """Patch moto's Auto Scaling group model as the module's docstring says (idempotent)."""
    FakeAutoScalingGroup.replace_autoscaling_group_instances = (  # type: ignore[method-assign]
        replace_autoscaling_group_instances
    )
