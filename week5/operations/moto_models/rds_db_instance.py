"""``AWS::RDS::DBInstance`` as moto 5.2.5 models it, with the identifier CloudFormation would
generate and the security groups the template names.

moto names a DB instance without ``DBInstanceIdentifier`` ``{stack}-{LogicalId}-{SUFFIX}`` and
passes it uncut to its RDS backend, which then refuses it: over 63 characters once the stack
name is ``week5-instructor-Day4Challenge`` ("The parameter DBInstanceIdentifier is not a valid
identifier"). CloudFormation on AWS generates a valid one (cut, lowercase); this model cuts
the generated name the same way. A template that names its instance (``DBInstanceIdentifier``)
keeps its name.

moto's model also reads the security groups from ``VpcSecurityGroupIds``, a property
CloudFormation does not have: the template's ``VPCSecurityGroups`` were dropped and the
instance sat in its VPC's default group. This model passes them under the name moto reads.

moto's model also gives an instance without ``Port`` port 3306 whatever its engine, so a
PostgreSQL instance's ``Endpoint.Port`` (which ``grant_connect`` opens) read 3306; this model
gives it the engine's default port, as RDS does.

moto's model also reads ``DBSubnetGroupName`` as the subnet group itself (what moto's ``Ref``
gave); a ``Ref`` now gives the group's name, as on AWS (:mod:`.rds_db_subnet_group_name`), and so
does a template naming an existing group: this model hands moto the group of that name.

And moto's stack deletion ignores dependencies (it tries the resources in a set's order,
again while the count goes down): when a primary went before its read replica, moto's
``delete_db_instance`` removed the replica and then failed looking up the gone primary, and
every retry said the replica was "not found", so the stack (Day4Case) stayed DELETE_FAILED in
about half of the runs. CloudFormation deletes the replica first (it names the primary); so
does this model: a primary waits while a replica of it exists, and what is gone counts as
deleted.

Everything else is moto's own model, whose instance this returns (``Ref``, ``Fn::GetAtt``
and moto's lack of updates unchanged). Delete this module when moto fixes them all
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.rds.models import DBInstance, rds_backends

from ._common import MotoOverride, short_name

CLOUDFORMATION_TYPE = "AWS::RDS::DBInstance"
#: RDS's limit on a DB instance identifier.
ID_LIMIT = 63


class RDSDBInstance(MotoOverride, CloudFormationModel):
    MOTO_MODEL = DBInstance

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> DBInstance:
        # Shallow copies: the resolved properties hold moto objects (a DB subnet group's Ref).
        properties = dict(cloudformation_json.get("Properties", {}))
        cloudformation_json = {**cloudformation_json, "Properties": properties}
        if "DBInstanceIdentifier" not in properties:
            resource_name = short_name(resource_name, ID_LIMIT)
        if "Port" not in properties and properties.get("Engine"):
            properties["Port"] = DBInstance.default_port(properties["Engine"])
        if "VPCSecurityGroups" in properties:
            properties["VpcSecurityGroupIds"] = properties.pop("VPCSecurityGroups")
        if isinstance(properties.get("DBSubnetGroupName"), str):
            # moto's model reads the group (``.name``): a Ref gives its name
            # (rds_db_subnet_group_name), as does a template naming an existing group
            properties["DBSubnetGroupName"] = rds_backends[account_id][
                region_name
            ].describe_db_subnet_groups(properties["DBSubnetGroupName"])[0]
        return super().create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    @classmethod
    def created(
        cls, resource: Any, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> DBInstance:
        # The stack's deletion calls the resource's own delete: this one, on this instance only.
        resource.delete = functools.partial(delete_replicas_first, resource)
        return resource


class ReplicaStillThere(Exception):
    """A primary's deletion waits for its read replicas' (moto tries again in its next pass)."""


def delete_replicas_first(instance: DBInstance, account_id: str, region_name: str) -> None:
    """Delete ``instance`` as CloudFormation orders it: after its read replicas; gone is done."""
    backend = rds_backends[account_id][region_name]
    if instance.db_instance_identifier not in backend.databases:
        return
    waiting = [r for r in instance.replicas if r in backend.databases]
    if waiting:
        raise ReplicaStillThere(f"{instance.db_instance_identifier} has replicas {waiting}")
    backend.delete_db_instance(instance.db_instance_identifier)
