"""``AWS::CDK::Metadata`` (the ``CDKMetadata`` resource CDK adds to every stack) for moto's
CloudFormation, which has nothing to create.

Written against moto 5.2.5, which has no model for the type: the resource was skipped, and
``ListStackResources`` listed it as a blank row (no logical id, type or physical id) in every lab
stack, ``DELETE_FAILED`` after a failed deletion (cleanup then said "could not delete 2 of its
resource(s): ; AWS::EC2::VPC ..." when only the VPC failed). AWS lists it ``CDKMetadata``,
``AWS::CDK::Metadata``, ``CREATE_COMPLETE``, with a generated id (a UUID) as its physical id,
and deletes it with the stack. Delete this module when moto models the type
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import uuid
from typing import Any, Dict

from moto.core.common_models import CloudFormationModel

from ._common import TypeModel

CLOUDFORMATION_TYPE = "AWS::CDK::Metadata"


class CDKMetadata(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    PHYSICAL_ID = "id"

    def __init__(self, id: str) -> None:  # noqa: A002 - the physical id's name
        self.id = id

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "CDKMetadata":
        return cls(str(uuid.uuid1()))

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing was made."""
