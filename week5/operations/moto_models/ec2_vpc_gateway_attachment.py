"""``AWS::EC2::VPCGatewayAttachment`` as moto 5.2.5 models it, with its deletion.

moto's model attaches the internet (or VPN) gateway but has no deletion: ``cdk destroy``
reported it deleted and left the gateway attached, so the gateway could not be deleted either.
This model attaches with moto's own model and keeps which gateway it attached: ``Ref`` gives the
VPC's id, as moto's does, and deleting the stack detaches the gateway through moto's EC2 backend.
Delete this module when moto's model detaches it (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import (
    GatewayNotAttachedError,
    InvalidInternetGatewayIdError,
    InvalidVpnGatewayAttachmentError,
    InvalidVpnGatewayIdError,
)
from moto.ec2.models import ec2_backends
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

from ._common import Wrapper

CLOUDFORMATION_TYPE = "AWS::EC2::VPCGatewayAttachment"
#: What says the gateway is already detached, or gone.
GONE = (
    GatewayNotAttachedError,
    InvalidInternetGatewayIdError,
    InvalidVpnGatewayAttachmentError,
    InvalidVpnGatewayIdError,
)


class EC2VPCGatewayAttachment(Wrapper, CloudFormationModel):
    MOTO_MODEL = VPCGatewayAttachment
    resource: VPCGatewayAttachment

    @property
    def physical_resource_id(self) -> str:
        return self.resource.physical_resource_id

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        gateway, vpc = self.resource.gateway_id, self.resource.vpc_id
        try:
            if gateway.startswith("igw-"):
                backend.detach_internet_gateway(internet_gateway_id=gateway, vpc_id=vpc)
            else:
                backend.detach_vpn_gateway(vpn_gateway_id=gateway, vpc_id=vpc)
        except GONE:
            pass
