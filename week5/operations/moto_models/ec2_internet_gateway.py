"""``AWS::EC2::InternetGateway`` as moto 5.2.5 models it, with the template's tags and its deletion.

moto's model creates the gateway without the template's ``Tags`` (its Name, ``week5-day1-igw``,
and the course's tags: only the stack's tags reached it, through :mod:`.stack_tags`), and it has
no deletion: ``cdk destroy`` reported it deleted and left it. This model is moto's, with the
template's tags put on the gateway through moto's EC2 backend, and deleting the stack deletes the
gateway through that backend once it is detached from its VPC (until then moto tries again in its
next pass). Delete this module when moto's model reads the tags and deletes the gateway
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidInternetGatewayIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.internet_gateways import InternetGateway

from ._common import WithDeletion, add_ec2_tags

CLOUDFORMATION_TYPE = "AWS::EC2::InternetGateway"


class EC2InternetGateway(WithDeletion, CloudFormationModel):
    MOTO_MODEL = InternetGateway
    GONE = (InvalidInternetGatewayIdError,)

    @classmethod
    def created(
        cls, resource: Any, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        add_ec2_tags(account_id, region_name, resource.id, properties)
        return resource

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].delete_internet_gateway(physical_id)
