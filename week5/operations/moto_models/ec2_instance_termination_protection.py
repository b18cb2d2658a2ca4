"""An instance launched with ``DisableApiTermination`` keeps its termination protection, as on
AWS.

Written against moto 5.2.5, whose ``RunInstances`` drops ``DisableApiTermination``: an instance
launched with it (``aws ec2 run-instances --disable-api-termination``) answered ``False`` to
``DescribeInstanceAttribute`` and was terminated by ``TerminateInstances``. On AWS it keeps the
protection and ``TerminateInstances`` is refused (``OperationNotPermitted``, "The instance 'i-...'
may not be terminated. Modify its 'disableApiTermination' instance attribute and try again."),
which moto already answers for an instance protected by ``ModifyInstanceAttribute``.
:func:`install` makes ``RunInstances`` set the protection on the instances it launches. Delete
this module when moto does (tests/test_emulator_protection.py says when).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.responses.instances import InstanceResponse

from ._common import flag

#: moto's own, read before :func:`install` (tests/test_emulator_protection.py runs it to tell
#: when moto no longer needs this module).
MOTO_RUN_INSTANCES = InstanceResponse.run_instances


def run_instances(self: InstanceResponse) -> ActionResult:
    """moto's, with ``DisableApiTermination`` kept on the instances launched."""
    result = MOTO_RUN_INSTANCES(self)
    if flag(self._get_param("DisableApiTermination")):
        for instance in result.result.instances:  # type: ignore[attr-defined]
            instance.disable_api_termination = True
    return result


def install() -> None:
    """Patch moto's ``RunInstances`` as the module's docstring says (idempotent)."""
    InstanceResponse.run_instances = run_instances  # type: ignore[method-assign]
