"""The tags of the volumes an instance's termination deletes, dropped with them, as AWS does.

Written against moto 5.2.5, which deletes a terminated instance's volumes marked
``DeleteOnTermination`` but keeps their tags (its EC2 backend keeps tags in a table of their own
that no deletion clears, as :mod:`.deleted_ec2_tags` says): once the lab hosts' root volumes
carry the instance's tags (:mod:`.ec2_instance`, :mod:`.launch_template_volume_tags`),
``cdk destroy`` left EC2's ``DescribeTags`` listing each deleted root volume with the lab's
Week/Day/Lab/Student tags, as if it were left behind. :func:`install` makes an instance's
termination (the stack's deletion, an Auto Scaling group's, ``TerminateInstances``) drop the tags
of the volumes it deleted; a volume it only detaches keeps its tags, as on AWS. Delete this
module when moto's termination drops them (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.ec2.models.instances import Instance

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_TEARDOWN_DEFAULTS = Instance.teardown_defaults


def teardown_defaults(self: Instance) -> None:
    """moto's (detach each volume, delete those marked so), then the deleted ones' tags dropped."""
    volume_ids = [device.volume_id for _, device in self.get_block_device_mapping]
    MOTO_TEARDOWN_DEFAULTS(self)
    backend = self.ec2_backend
    for volume_id in volume_ids:
        if volume_id not in backend.volumes:
            tags = backend.describe_tags(filters={"resource-id": [volume_id]})
            backend.delete_tag_keys([volume_id], [tag["key"] for tag in tags])


def install() -> None:
    """Patch moto's instance termination as the module's docstring says (idempotent)."""
    Instance.teardown_defaults = teardown_defaults  # type: ignore[method-assign]
