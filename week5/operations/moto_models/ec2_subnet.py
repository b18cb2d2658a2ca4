"""``AWS::EC2::Subnet`` as moto 5.2.5 models it, with the template's ``MapPublicIpOnLaunch``.

moto's model creates the subnet from its ``VpcId``, ``CidrBlock``, ``AvailabilityZone`` and
``Tags`` alone: Day1Lab1's public subnet, ``MapPublicIpOnLaunch: true`` in its template, said
``False`` on the emulator, so an instance launched there without an address of its own got no
public IP where AWS gives it one; and moto maps public IPs on a subnet it takes for the first
in its AZ (the default VPC's, by moto's reckoning), whatever the template says. This model is
moto's, with the attribute set as the template says (false when it says nothing, as on AWS)
through moto's EC2 backend (``modify_subnet_attribute``, as ``aws ec2 modify-subnet-attribute``
does); deletion is moto's. Delete this module when moto's model reads the property
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.subnets import Subnet

from ._common import MotoDeletion, flag

CLOUDFORMATION_TYPE = "AWS::EC2::Subnet"


class EC2Subnet(MotoDeletion, CloudFormationModel):
    MOTO_MODEL = Subnet

    @classmethod
    def created(
        cls, resource: Subnet, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Subnet:
        ec2_backends[account_id][region_name].modify_subnet_attribute(
            resource.id, "map_public_ip_on_launch", flag(properties.get("MapPublicIpOnLaunch"))
        )
        return resource
