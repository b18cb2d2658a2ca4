"""``AWS::EC2::VolumeAttachment`` as moto 5.2.5 models it, with its deletion.

moto's model attaches the volume but has no deletion: ``cdk destroy`` reported it deleted and
left the volume attached, so the volume could not be deleted either. This model attaches with
moto's own model and keeps the attachment: deleting the stack detaches the volume through
moto's EC2 backend (a volume its instance's termination detached first counts as detached).
Delete this module when moto's model detaches it (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidVolumeIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import VolumeAttachment

from ._common import Wrapper

CLOUDFORMATION_TYPE = "AWS::EC2::VolumeAttachment"


class EC2VolumeAttachment(Wrapper, CloudFormationModel):
    MOTO_MODEL = VolumeAttachment
    resource: VolumeAttachment

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        volume, instance = self.resource.volume, self.resource.instance
        try:
            current = backend.get_volume(volume.id).attachment
        except InvalidVolumeIdError:
            return
        if current is None or current.instance.id != instance.id:
            return  # detached already: moto's termination detaches every volume
        backend.detach_volume(volume.id, instance.id, self.resource.device)
