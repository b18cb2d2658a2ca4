"""``AWS::EC2::InternetGateway`` as moto 5.2.5 models it, with its deletion.

moto's model creates the gateway but has no deletion: ``cdk destroy`` reported it deleted and
left it. This model is moto's, and deleting the stack deletes the gateway through moto's EC2
backend once it is detached from its VPC (until then moto tries again in its next pass). Delete
this module when moto's model deletes the gateway (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidInternetGatewayIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.internet_gateways import InternetGateway

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::InternetGateway"


class EC2InternetGateway(WithDeletion, CloudFormationModel):
    MOTO_MODEL = InternetGateway
    GONE = (InvalidInternetGatewayIdError,)

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].delete_internet_gateway(physical_id)
