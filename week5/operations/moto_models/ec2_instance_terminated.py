"""An instance already terminated is terminated again without error, as on AWS: by ``aws ec2
terminate-instances`` and by the deletion of its stack.

Written against moto 5.2.5, whose termination deletes the instance's interfaces marked to go
with it every time it runs: those the course's instances have (:mod:`.ec2_instance`,
:mod:`.ec2_subnet_dependencies`, :mod:`.autoscaling_group_interfaces`) were gone at the second,
which failed with "The networkInterface ID 'eni-..' does not exist". So a stack whose instance a
student terminated by hand (an instructor's trial of ``week5-jung-Day1Lab1``) ended
``DELETE_FAILED`` (:mod:`.stack_delete_failed`) however often ``cdk destroy`` ran, and a second
``terminate-instances`` failed, where AWS answers it (the instance stays ``terminated``) and
CloudFormation counts a terminated instance as deleted. :func:`install` makes the termination of
a terminated instance change nothing and answer its state, and moto's termination otherwise.
Delete this module when moto does so (tests/test_emulator_hand_deletes.py says when).
"""

from __future__ import annotations

import copy

from moto.ec2.models.instances import Instance, InstanceState

#: moto's own, read before :func:`install` (tests/test_emulator_hand_deletes.py runs it to tell
#: when moto no longer needs this module).
MOTO_TERMINATE = Instance.terminate


def terminate(self: Instance) -> InstanceState:
    """moto's, unless the instance is terminated already: then its state (the previous state
    ``TerminateInstances`` answers), nothing changed."""
    if self._state.name == "terminated":
        return copy.copy(self._state)
    return MOTO_TERMINATE(self)


def install() -> None:
    """Patch moto's instance as the module's docstring says (idempotent)."""
    Instance.terminate = terminate  # type: ignore[method-assign]
