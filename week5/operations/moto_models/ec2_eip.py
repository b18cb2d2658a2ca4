"""``AWS::EC2::EIP`` as moto 5.2.5 models it, with the template's tags and its release.

moto's model allocates the address without the template's ``Tags`` (a "TODO" in moto: the NAT
gateway's address lost its Name and the course's tags, only the stack's tags reached it, through
:mod:`.stack_tags`), and it has no deletion: ``cdk destroy`` reported it deleted and kept it
allocated. This model is moto's (``Ref`` gives the address, ``Fn::GetAtt AllocationId`` its
allocation), with the template's tags put on the allocation through moto's EC2 backend, and
deleting the stack releases the address through that backend, disassociating it first, as its
``ReleaseAddress`` does. Delete this module when moto's model reads the tags and releases the
address (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidAddressError
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress

from ._common import WithDeletion, add_ec2_tags

CLOUDFORMATION_TYPE = "AWS::EC2::EIP"


class EC2EIP(WithDeletion, CloudFormationModel):
    MOTO_MODEL = ElasticAddress
    GONE = (InvalidAddressError,)

    @classmethod
    def created(
        cls, resource: Any, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        # An EC2-Classic ("standard") address has no allocation to tag; the labs' are "vpc".
        if resource.allocation_id:
            add_ec2_tags(account_id, region_name, resource.allocation_id, properties)
        return resource

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].release_address(address=physical_id)
