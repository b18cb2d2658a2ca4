"""``AWS::EC2::RouteTable`` as moto 5.2.5 models it, with its deletion.

moto's model creates the table but has no deletion: ``cdk destroy`` reported it deleted and left
it, and its VPC then failed with "The vpc vpc-... has dependencies and cannot be deleted". This
model is moto's, and deleting the stack deletes the table through moto's EC2 backend once its
subnets are disassociated (until then moto tries again in its next pass), its routes with it.
Delete this module when moto's model deletes the table (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidRouteTableIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import RouteTable

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::RouteTable"


class EC2RouteTable(WithDeletion, CloudFormationModel):
    MOTO_MODEL = RouteTable
    GONE = (InvalidRouteTableIdError,)

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].delete_route_table(physical_id)
