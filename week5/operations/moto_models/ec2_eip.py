"""``AWS::EC2::EIP`` as moto 5.2.5 models it, with its release.

moto's model allocates the address but has no deletion: ``cdk destroy`` reported it deleted and
kept it allocated. This model is moto's (``Ref`` gives the address, ``Fn::GetAtt AllocationId``
its allocation), and deleting the stack releases the address through moto's EC2 backend,
disassociating it first, as its ``ReleaseAddress`` does. Delete this module when moto's model
releases the address (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidAddressError
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::EIP"


class EC2EIP(WithDeletion, CloudFormationModel):
    MOTO_MODEL = ElasticAddress
    GONE = (InvalidAddressError,)

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].release_address(address=physical_id)
