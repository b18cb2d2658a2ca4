"""``AWS::EC2::Route`` as moto 5.2.5 models it, with its deletion.

moto's model adds the route but has no deletion: ``cdk destroy`` reported it deleted and left it
in its table (a route to the internet gateway or a NAT gateway that the stack deleted). This
model is moto's, and deleting the stack deletes the route through moto's EC2 backend; a route
whose table went first went with it. Delete this module when moto's model deletes the route
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidRouteError, InvalidRouteTableIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import Route

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::Route"


class EC2Route(WithDeletion, CloudFormationModel):
    MOTO_MODEL = Route
    GONE = (InvalidRouteTableIdError, InvalidRouteError)

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        # moto's route id is "<table>~<destination>": a CIDR, an IPv6 CIDR or a prefix list,
        # which its delete_route reads from the same argument.
        route_table_id, _, destination = physical_id.partition("~")
        ec2_backends[account_id][region_name].delete_route(route_table_id, destination)
