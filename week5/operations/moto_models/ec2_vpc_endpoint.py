"""``AWS::EC2::VPCEndpoint`` as moto 5.2.5 models it, with its deletion.

moto's model creates the endpoint (a gateway endpoint adds its prefix-list route to each route
table) but has no deletion: ``cdk destroy`` of Day3Case (its S3 gateway endpoint) left the
endpoint ``available``, with the lab's tags, after its VPC was gone. Deleting the stack now
deletes it through moto's backend as ``DeleteVpcEndpoints`` does (its routes, or an interface
endpoint's network interfaces, then state ``deleted``, as AWS lists it for a while); a route
whose table went first counts as gone. Delete this module when moto's model deletes the endpoint
(tests/test_emulator_refusals.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidRouteError, InvalidRouteTableIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.vpcs import VPCEndPoint

from ._common import WithDeletion

CLOUDFORMATION_TYPE = "AWS::EC2::VPCEndpoint"


class EC2VpcEndpoint(WithDeletion, CloudFormationModel):
    MOTO_MODEL = VPCEndPoint

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        endpoint = backend.vpc_end_points.get(physical_id)
        if endpoint is None or endpoint.state == "deleted":
            return
        if (endpoint.vpc_endpoint_type or "").lower() == "interface":
            for eni_id in endpoint.network_interface_ids:
                backend.enis.pop(eni_id, None)
        else:
            for table_id in endpoint.route_table_ids or []:
                try:
                    backend.delete_route(table_id, endpoint.destination_prefix_list_id)
                except (InvalidRouteError, InvalidRouteTableIdError):
                    pass  # gone with its table
        endpoint.state = "deleted"
