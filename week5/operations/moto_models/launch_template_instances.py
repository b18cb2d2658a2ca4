"""An instance launched from a launch template gets the template's root volume alone and its
detailed monitoring, as on AWS.

Written against moto 5.2.5, whose ``RunInstances`` gives an instance launched without the
request's own ``BlockDeviceMappings`` (an Auto Scaling group's, ``aws ec2 run-instances
--launch-template``) moto's default 8 GiB gp2 unencrypted ``/dev/sda1`` volume and then adds
the template's mappings beside it: each instance of Day4Lab1's group had that phantom volume
beside the template's gp3 ``/dev/xvda``, so ``week5 cleanup`` priced and ``week5 audit``
counted volumes that AWS never makes (the template's mapping of the root device replaces the
AMI's). And moto reads monitoring from the request alone: ``Monitoring.State`` said
"disabled" though the template sets ``Monitoring.Enabled`` true. :func:`install` makes such an
instance skip moto's default volume when the template maps a root device (the AMI's, or
``/dev/xvda`` or ``/dev/sda1``, the two names AMIs give theirs: moto's stand-in AMIs may name
another than the real one), and take the template's monitoring when the request does not
enable it (the API's request cannot be told from one that disables it: a template enabling
monitoring wins over an explicit ``--no-monitoring``, the one case that differs from AWS).
Delete this module when moto does both (tests/test_emulator_refusals.py says when).
"""

from __future__ import annotations

from typing import Any, List

from moto.ec2.models.instances import Instance

from ._common import flag

#: moto's own, read before :func:`install` (tests/test_emulator_refusals.py runs them to tell
#: when moto no longer needs this module).
MOTO_INIT = Instance.__init__
MOTO_SETUP_DEFAULTS = Instance.setup_defaults
#: The names AMIs give their root device.
ROOT_DEVICES = ("/dev/xvda", "/dev/sda1")
#: The instance's attribute saying its launch template maps its root device.
TEMPLATE_ROOT = "week5_template_maps_root"


def __init__(
    self: Instance,
    ec2_backend: Any,
    image_id: str,
    user_data: Any,
    security_groups: List[Any],
    **kwargs: Any,
) -> None:
    """moto's, then the launch template's monitoring and root device (named the instance's
    root device, as the template names it) read."""
    MOTO_INIT(self, ec2_backend, image_id, user_data, security_groups, **kwargs)
    setattr(self, TEMPLATE_ROOT, False)
    if not kwargs.get("launch_template"):
        return
    data = ec2_backend._get_template_from_args(kwargs["launch_template"]).data
    if self.monitoring_state == "disabled" and flag((data.get("Monitoring") or {}).get("Enabled")):
        self.monitoring_state = "enabled"
    devices = {m.get("DeviceName") for m in data.get("BlockDeviceMappings") or []}
    roots = [d for d in (self.root_device_name, *ROOT_DEVICES) if d in devices]
    if roots:
        setattr(self, TEMPLATE_ROOT, True)
        self.root_device_name = roots[0]


def setup_defaults(self: Instance) -> None:
    """moto's default root volume, unless the launch template maps the root device."""
    if not getattr(self, TEMPLATE_ROOT, False):
        MOTO_SETUP_DEFAULTS(self)


def install() -> None:
    """Patch moto's instance as the module's docstring says (idempotent)."""
    Instance.__init__ = __init__  # type: ignore[method-assign]
    Instance.setup_defaults = setup_defaults  # type: ignore[method-assign]
