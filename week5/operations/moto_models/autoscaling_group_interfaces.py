"""The network interfaces of an Auto Scaling group's instances, deleted with the instances when
moto's CloudFormation deletes the group, as AWS deletes them.

Written against moto 5.2.5, whose ``RunInstances`` gives an instance launched without
``NetworkInterfaces`` (as an Auto Scaling group launches its instances) a primary interface that
its termination keeps (AWS deletes a launched instance's primary interface with it): after
``cdk destroy`` of a lab with an Auto Scaling group, each of its instances left an interface
"in-use" in a subnet the stack had deleted. :func:`install` makes the stack's deletion of a
group mark its instances' primary interfaces to be deleted on termination before moto's
deletion terminates them. ``RunInstances`` itself, and instances the course's own model
launches (:mod:`.ec2_instance` asks for the deletion), are not changed. Delete this module when
moto deletes those interfaces (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.autoscaling.models import FakeAutoScalingGroup

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_DELETE = FakeAutoScalingGroup.delete


def delete(self: FakeAutoScalingGroup, account_id: str, region_name: str) -> None:
    """moto's, with the instances' primary interfaces deleted on termination."""
    for state in self.instance_states:
        primary = state.instance.nics.get(0)
        if primary is not None:
            primary.delete_on_termination = True
    MOTO_DELETE(self, account_id, region_name)


def install() -> None:
    """Patch moto's Auto Scaling group model as the module's docstring says (idempotent)."""
    FakeAutoScalingGroup.delete = delete  # type: ignore[method-assign]
