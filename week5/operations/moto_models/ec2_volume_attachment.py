"""``AWS::EC2::VolumeAttachment`` as moto 5.2.5 models it, with its deletion.

moto's model attaches the volume but has no deletion: ``cdk destroy`` reported it deleted and
left the volume attached, so the volume could not be deleted either. This model attaches with
moto's own model and keeps the attachment: deleting the stack detaches the volume through
moto's EC2 backend (a volume its instance's termination detached first counts as detached).
Delete this module when moto's model detaches it (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidVolumeIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import VolumeAttachment

CLOUDFORMATION_TYPE = "AWS::EC2::VolumeAttachment"


class EC2VolumeAttachment(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, attachment: VolumeAttachment) -> None:
        self.attachment = attachment

    @staticmethod
    def cloudformation_name_type() -> str:
        return VolumeAttachment.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return VolumeAttachment.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "EC2VolumeAttachment":
        return cls(
            VolumeAttachment.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        volume, instance = self.attachment.volume, self.attachment.instance
        try:
            current = backend.get_volume(volume.id).attachment
        except InvalidVolumeIdError:
            return
        if current is None or current.instance.id != instance.id:
            return  # detached already: moto's termination detaches every volume
        backend.detach_volume(volume.id, instance.id, self.attachment.device)

    def is_created(self) -> bool:
        return True
