"""``AWS::EC2::Volume`` as moto 5.2.5 models it, with its deletion.

moto's model creates the volume but has no deletion: ``cdk destroy`` reported it deleted and
left it (a lab's data volume, tagged for the lab). This model is moto's, and deleting the stack
deletes the volume through moto's EC2 backend once it is detached (until then moto tries again
in its next pass). Delete this module when moto's model deletes the volume
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidVolumeIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import Volume

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::Volume"


class EC2Volume(WithDeletion, CloudFormationModel):
    MOTO_MODEL = Volume
    GONE = (InvalidVolumeIdError,)

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].delete_volume(physical_id)
