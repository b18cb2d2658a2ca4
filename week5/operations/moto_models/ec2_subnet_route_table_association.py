"""``AWS::EC2::SubnetRouteTableAssociation`` as moto 5.2.5 models it, recorded on the route table.

moto's model stores the association in a table of its own: the route table's associations stay
empty, so ``DescribeRouteTables`` (and its ``association.subnet-id`` filter) cannot say which
table a subnet uses, its ``Ref`` gives the route table's id instead of the association's, and
deleting the stack leaves it. This model associates through moto's EC2 backend, as the API's
``AssociateRouteTable`` does: ``Ref`` gives the association id (``rtbassoc-...``), as on AWS,
and deleting the stack disassociates. Delete this module when moto's model records the
association (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

CLOUDFORMATION_TYPE = "AWS::EC2::SubnetRouteTableAssociation"


class EC2SubnetRouteTableAssociation(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, association_id: str, route_table_id: str, subnet_id: str) -> None:
        self.id = association_id
        self.route_table_id = route_table_id
        self.subnet_id = subnet_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "EC2SubnetRouteTableAssociation":
        p = cloudformation_json["Properties"]
        association_id = ec2_backends[account_id][region_name].associate_route_table(
            p["RouteTableId"], subnet_id=p["SubnetId"]
        )
        return cls(association_id, p["RouteTableId"], p["SubnetId"])

    def delete(self, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].disassociate_route_table(self.id)

    def is_created(self) -> bool:
        return True
