"""Day3Lab1's database on the emulator as on AWS, and what a DELETE_FAILED stack lists and keeps
(week5/operations/moto_models): a DB subnet group's ``Ref`` and physical id are its name
(rds_db_subnet_group_name); the subnet group and security group a database restored by hand
uses refuse deletion, so ``cdk destroy`` ends DELETE_FAILED (rds_groups_in_use); a restore takes
``--no-multi-az`` and ``--no-publicly-accessible`` (rds_restore_false_overrides); ``CDKMetadata``
is listed as AWS lists it and what moto did not make is no blank row (cdk_metadata,
stack_delete_failed); ``delete-stack --retain-resources`` deletes a DELETE_FAILED stack and keeps
the named resources (stack_delete_failed).

Re-trials on the emulator: Day3Lab1's ``RestoreDbCommand`` printed ``--db-subnet-group-name
<moto.rds.models.DBSubnetGroup object at 0x7f...>``; its ``cdk destroy`` ended DELETE_COMPLETE
under a restored database; cleanup said "could not delete 2 of its resource(s): ;
AWS::EC2::VPC ..." and the ``--retain-resources`` command it printed left the stack
DELETE_FAILED. Each through boto3 against an in-process moto with the package loaded
(tests/moto_in_process.py); each ``test_moto_alone_still_...`` puts moto's own code back and
fails when moto no longer needs the module (delete the module then).
"""

from __future__ import annotations

import functools
import json
from typing import Any, Dict, List

import moto_in_process
from moto_in_process import REGION, error, listed

from week5.operations.cleanup import stacks as cleanup_stacks

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

STACK = "week5-kim-Day3Lab1"
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day3"}]
#: The database a student restores by hand (Day3Lab1's RestoreDbCommand).
RESTORED = "week5-kim-day3-restored"

#: Day3Lab1's shape: a VPC with two private subnets, the database's security group and subnet
#: group, a Multi-AZ PostgreSQL database in them, and CDK's metadata resource.
DAY3_LAB1: Dict[str, Any] = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "PrivateA": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24",
            "AvailabilityZone": f"{REGION}a",
        },
    },
    "PrivateC": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.2.0/24",
            "AvailabilityZone": f"{REGION}c",
        },
    },
    "DatabaseSecurityGroup": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "PostgreSQL 5432", "VpcId": {"Ref": "Vpc"}},
    },
    "DatabaseSubnetGroup": {
        "Type": "AWS::RDS::DBSubnetGroup",
        "Properties": {
            "DBSubnetGroupDescription": "Subnet group for Instance database",
            "SubnetIds": [{"Ref": "PrivateA"}, {"Ref": "PrivateC"}],
        },
    },
    "Database": {
        "Type": "AWS::RDS::DBInstance",
        "DeletionPolicy": "Delete",
        "Properties": {
            "AllocatedStorage": "20",
            "DBInstanceClass": "db.t3.micro",
            "DBName": "week5",
            "DBSubnetGroupName": {"Ref": "DatabaseSubnetGroup"},
            "Engine": "postgres",
            "MasterUsername": "labadmin",
            "MasterUserPassword": "secret-password",
            "MultiAZ": True,
            "PubliclyAccessible": True,
            "VPCSecurityGroups": [{"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}],
        },
    },
    "CDKMetadata": {
        "Type": "AWS::CDK::Metadata",
        "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzQ"},
        "Condition": "CDKMetadataAvailable",
    },
}
CONDITIONS = {
    "CDKMetadataAvailable": {"Fn::Equals": [{"Ref": "AWS::Region"}, REGION]},
    "Never": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
}
OUTPUTS = {
    "SubnetGroup": {"Value": {"Ref": "DatabaseSubnetGroup"}},
    "RestoreDbCommand": {
        "Value": {
            "Fn::Join": [
                "",
                [
                    "aws rds restore-db-instance-from-db-snapshot --no-multi-az "
                    "--db-subnet-group-name ",
                    {"Ref": "DatabaseSubnetGroup"},
                    " --vpc-security-group-ids ",
                    {"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]},
                ],
            ]
        }
    },
}


#: ``lab_stack(aws, resources)``: the stack made with :data:`CONDITIONS`, tagged :data:`TAGS`
#: (tests/moto_in_process.py); ``Outputs=`` gives it outputs.
lab_stack = functools.partial(
    moto_in_process.lab_stack, name=STACK, tags=TAGS, Conditions=CONDITIONS
)


def summaries(aws) -> List[Dict[str, Any]]:
    return aws("cloudformation").list_stack_resources(StackName=STACK)["StackResourceSummaries"]


def stack_outputs(aws) -> Dict[str, str]:
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def status(aws) -> str:
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    return stack["StackStatus"]


def restore_by_hand(aws, physical: Dict[str, str], **request: Any) -> Dict[str, Any]:
    """A snapshot of the stack's database restored as RestoreDbCommand does (the stack's subnet
    group and security group); the restored database."""
    rds = aws("rds")
    rds.create_db_snapshot(
        DBInstanceIdentifier=physical["Database"], DBSnapshotIdentifier="week5-kim-day3-manual"
    )
    rds.restore_db_instance_from_db_snapshot(
        DBSnapshotIdentifier="week5-kim-day3-manual",
        DBInstanceIdentifier=RESTORED,
        DBInstanceClass="db.t3.micro",
        DBSubnetGroupName=physical["DatabaseSubnetGroup"],
        VpcSecurityGroupIds=[physical["DatabaseSecurityGroup"]],
        **request,
    )
    (db,) = rds.describe_db_instances(DBInstanceIdentifier=RESTORED)["DBInstances"]
    return db


# --- a DB subnet group's Ref is its name --------------------------------------------------------


def test_a_db_subnet_groups_ref_and_physical_id_are_its_name(aws):
    physical = lab_stack(aws, DAY3_LAB1, Outputs=OUTPUTS)
    (group,) = aws("rds").describe_db_subnet_groups()["DBSubnetGroups"]
    name = group["DBSubnetGroupName"]
    assert physical["DatabaseSubnetGroup"] == name
    shown = stack_outputs(aws)
    assert shown["SubnetGroup"] == name
    assert f"--db-subnet-group-name {name} --vpc-security-group-ids" in shown["RestoreDbCommand"]
    assert "object at 0x" not in shown["RestoreDbCommand"]
    # the stack's database is in the group its Ref names
    (db,) = aws("rds").describe_db_instances(DBInstanceIdentifier=physical["Database"])[
        "DBInstances"
    ]
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == name


def test_a_database_naming_an_existing_subnet_group_is_in_it(aws):
    """A template that names a group (no Ref) gets it, as on AWS (moto read the name as a group:
    AttributeError)."""
    physical = lab_stack(aws, DAY3_LAB1)
    database = {
        **DAY3_LAB1["Database"],
        "Properties": {
            **DAY3_LAB1["Database"]["Properties"],
            "DBSubnetGroupName": physical["DatabaseSubnetGroup"],
            "VPCSecurityGroups": [physical["DatabaseSecurityGroup"]],
        },
    }
    cfn = aws("cloudformation")
    cfn.create_stack(
        StackName="week5-kim-other",
        TemplateBody=json.dumps({"Resources": {"Other": database}}),
    )
    (other,) = cfn.list_stack_resources(StackName="week5-kim-other")["StackResourceSummaries"]
    (db,) = aws("rds").describe_db_instances(DBInstanceIdentifier=other["PhysicalResourceId"])[
        "DBInstances"
    ]
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == physical["DatabaseSubnetGroup"]


# --- the groups a restored database uses refuse deletion ----------------------------------------


def test_destroy_under_a_restored_database_ends_delete_failed_on_its_groups(aws):
    """The re-trial: RestoreDbCommand's database left, then ``cdk destroy`` (moto:
    DELETE_COMPLETE, the groups deleted under the database)."""
    physical = lab_stack(aws, DAY3_LAB1)
    restore_by_hand(aws, physical)
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=STACK)
    assert status(aws) == "DELETE_FAILED"
    listed_status = {r["LogicalResourceId"]: r["ResourceStatus"] for r in summaries(aws)}
    assert listed_status["DatabaseSubnetGroup"] == "DELETE_FAILED"
    assert listed_status["DatabaseSecurityGroup"] == "DELETE_FAILED"
    assert listed_status["Database"] == "DELETE_COMPLETE"  # the stack's own went first
    rds, ec2 = aws("rds"), aws("ec2")
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == [
        RESTORED
    ]
    assert rds.describe_db_subnet_groups(DBSubnetGroupName=physical["DatabaseSubnetGroup"])[
        "DBSubnetGroups"
    ]
    assert ec2.describe_security_groups(GroupIds=[physical["DatabaseSecurityGroup"]])[
        "SecurityGroups"
    ]
    # once the restored database is deleted (DeleteRestoredDbCommand), the retry deletes the rest
    rds.delete_db_instance(DBInstanceIdentifier=RESTORED, SkipFinalSnapshot=True)
    cfn.delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []


def test_the_groups_a_database_uses_are_refused_with_awss_errors(aws):
    physical = lab_stack(aws, DAY3_LAB1)
    group, subnet_group = physical["DatabaseSecurityGroup"], physical["DatabaseSubnetGroup"]
    assert error(lambda: aws("rds").delete_db_subnet_group(DBSubnetGroupName=subnet_group)) == (
        "InvalidDBSubnetGroupStateFault",
        f"Cannot delete the subnet group '{subnet_group}' because at least one database "
        f"instance: {physical['Database']} is still using it.",
    )
    assert error(lambda: aws("ec2").delete_security_group(GroupId=group)) == (
        "DependencyViolation",
        f"resource {group} has a dependent object",
    )


def test_the_stacks_own_database_does_not_keep_its_groups(aws):
    """The suite's shared destroy: the stack's database goes before its groups."""
    physical = lab_stack(aws, DAY3_LAB1)
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    assert aws("rds").describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert aws("ec2").describe_security_groups(
        Filters=[{"Name": "group-id", "Values": [physical["DatabaseSecurityGroup"]]}]
    )["SecurityGroups"] == []


# --- a restore takes the request's false settings -----------------------------------------------


def test_a_restore_takes_no_multi_az_and_no_publicly_accessible(aws):
    physical = lab_stack(aws, DAY3_LAB1)
    (own,) = aws("rds").describe_db_instances(DBInstanceIdentifier=physical["Database"])[
        "DBInstances"
    ]
    assert (own["MultiAZ"], own["PubliclyAccessible"]) == (True, True)
    db = restore_by_hand(aws, physical, MultiAZ=False, PubliclyAccessible=False)
    assert (db["MultiAZ"], db["PubliclyAccessible"]) == (False, False)
    assert "SecondaryAvailabilityZone" not in db
    # Single-AZ: a forced failover is refused (rds_force_failover)
    code, _ = error(
        lambda: aws("rds").reboot_db_instance(DBInstanceIdentifier=RESTORED, ForceFailover=True)
    )
    assert code == "InvalidDBInstanceState"


def test_a_restore_without_them_keeps_the_snapshots(aws):
    db = restore_by_hand(aws, lab_stack(aws, DAY3_LAB1))
    assert (db["MultiAZ"], db["PubliclyAccessible"]) == (True, True)


# --- CDKMetadata listed, what moto did not make left out ----------------------------------------

#: Resources moto does not make: a type it lacks (the labs' egress rule) and a false Condition.
NOT_MADE: Dict[str, Any] = {
    "Egress": {
        "Type": "AWS::EC2::SecurityGroupEgress",
        "Properties": {
            "GroupId": {"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]},
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIp": "0.0.0.0/0",
        },
    },
    "NeverMade": {
        "Type": "AWS::EC2::SecurityGroup",
        "Condition": "Never",
        "Properties": {"GroupDescription": "never", "VpcId": {"Ref": "Vpc"}},
    },
}


def test_cdk_metadata_is_listed_as_aws_lists_it(aws):
    lab_stack(aws, {**DAY3_LAB1, **NOT_MADE})
    rows = summaries(aws)
    (metadata,) = [r for r in rows if r["LogicalResourceId"] == "CDKMetadata"]
    assert metadata["ResourceType"] == "AWS::CDK::Metadata"
    assert metadata["ResourceStatus"] == "CREATE_COMPLETE"
    assert len(metadata["PhysicalResourceId"]) == 36  # a UUID, as AWS gives it
    # what moto did not make is no row at all (it was a blank one)
    assert {r["LogicalResourceId"] for r in rows} == set(DAY3_LAB1)
    assert all(r["ResourceType"] and r["PhysicalResourceId"] for r in rows)
    cfn = aws("cloudformation")
    described = cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    assert {r["LogicalResourceId"] for r in described} == set(DAY3_LAB1)
    (one,) = cfn.describe_stack_resources(StackName=STACK, LogicalResourceId="Vpc")[
        "StackResources"
    ]
    assert one["ResourceType"] == "AWS::EC2::VPC"


def test_a_failed_destroy_names_only_what_it_could_not_delete(aws):
    """The re-trial's cleanup line: "could not delete 2 of its resource(s): ; AWS::EC2::VPC ..."
    (CDKMetadata, a blank row, listed DELETE_FAILED)."""
    physical = lab_stack(aws, {**DAY3_LAB1, **NOT_MADE})
    restore_by_hand(aws, physical)
    aws("cloudformation").delete_stack(StackName=STACK)
    rows = summaries(aws)
    by_status = {r["LogicalResourceId"]: r["ResourceStatus"] for r in rows}
    assert by_status["CDKMetadata"] == "DELETE_COMPLETE"
    assert "" not in by_status
    failed = sorted(k for k, v in by_status.items() if v == "DELETE_FAILED")
    assert "DatabaseSubnetGroup" in failed and "DatabaseSecurityGroup" in failed
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    ids, line = cleanup_stacks.delete_failed(_Scope(aws), stack)
    assert list(ids) == failed
    assert f"could not delete {len(failed)} of its resource(s): AWS::" in line
    assert ": ;" not in line and "; ;" not in line


class _Scope:
    """What :func:`cleanup_stacks.delete_failed` reads of cleanup's scope: its clients and
    every page of a list."""

    def __init__(self, aws) -> None:
        self._aws = aws

    def client(self, service: str) -> Any:
        return self._aws(service)

    def each(self, service: str, operation: str, key: str, **request: Any) -> List[Any]:
        pages = self._aws(service).get_paginator(operation).paginate(**request)
        return [item for page in pages for item in page.get(key, [])]


# --- delete-stack --retain-resources ------------------------------------------------------------


def failed_destroy(aws) -> Dict[str, str]:
    """The stack deployed, a database restored by hand into its groups, its deletion asked
    (DELETE_FAILED on the two groups and what holds them); the stack's physical ids."""
    physical = lab_stack(aws, DAY3_LAB1)
    restore_by_hand(aws, physical)
    aws("cloudformation").delete_stack(StackName=STACK)
    assert status(aws) == "DELETE_FAILED"
    return physical


def test_retain_resources_deletes_a_delete_failed_stack_and_keeps_them(aws):
    """The command cleanup prints for a DELETE_FAILED stack (moto: it stayed DELETE_FAILED)."""
    physical = failed_destroy(aws)
    left = sorted(
        r["LogicalResourceId"] for r in summaries(aws) if r["ResourceStatus"] == "DELETE_FAILED"
    )
    cfn = aws("cloudformation")
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    cfn.delete_stack(StackName=STACK, RetainResources=left)
    assert listed(aws, STACK) == []
    (deleted,) = cfn.describe_stacks(StackName=stack["StackId"])["Stacks"]
    assert deleted["StackStatus"] == "DELETE_COMPLETE"
    # the retained resources are kept, the restored database in them
    rds, ec2 = aws("rds"), aws("ec2")
    assert rds.describe_db_subnet_groups(DBSubnetGroupName=physical["DatabaseSubnetGroup"])[
        "DBSubnetGroups"
    ]
    assert ec2.describe_security_groups(GroupIds=[physical["DatabaseSecurityGroup"]])[
        "SecurityGroups"
    ]
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == [
        RESTORED
    ]


def test_retain_resources_of_one_retries_the_others(aws):
    """Retaining the subnet group alone: the security group, still in use, fails again; the
    stack stays DELETE_FAILED on it alone, and the retained group is kept."""
    physical = failed_destroy(aws)
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=STACK, RetainResources=["DatabaseSubnetGroup"])
    (stack,) = listed(aws, STACK)
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"].startswith(
        "The following resource(s) failed to delete: [Vpc, DatabaseSecurityGroup]. "
    )  # the group still in the VPC holds it too, as on AWS
    assert aws("rds").describe_db_subnet_groups(
        DBSubnetGroupName=physical["DatabaseSubnetGroup"]
    )["DBSubnetGroups"]
    # the retry retains what failed: the stack is deleted
    cfn.delete_stack(
        StackName=STACK, RetainResources=["DatabaseSubnetGroup", "DatabaseSecurityGroup", "Vpc"]
    )
    assert listed(aws, STACK) == []


def test_retaining_a_resource_the_deletion_deleted_is_refused(aws):
    failed_destroy(aws)
    code, message = error(
        lambda: aws("cloudformation").delete_stack(StackName=STACK, RetainResources=["Database"])
    )
    assert (code, message) == (
        "ValidationError",
        "The specified resources to retain must be in a valid state. Do not specify resources "
        "that are in the DELETE_COMPLETE state.",
    )
    assert status(aws) == "DELETE_FAILED"


# --- moto alone (delete the patches when these fail) --------------------------------------------


def test_moto_alone_still_gives_a_subnet_group_no_physical_id():
    from week5.operations.moto_models import rds_db_subnet_group_name as patch

    assert patch.MOTO_PHYSICAL_ID is None, "moto now gives a DB subnet group a physical id"


def test_moto_alone_still_deletes_the_groups_under_a_database(aws, monkeypatch):
    from moto.ec2.models.security_groups import SecurityGroupBackend
    from moto.rds.models import RDSBackend

    from week5.operations.moto_models import rds_groups_in_use as patch

    monkeypatch.setattr(RDSBackend, "delete_subnet_group", patch.MOTO_DELETE_SUBNET_GROUP)
    monkeypatch.setattr(
        SecurityGroupBackend, "delete_security_group", patch.MOTO_DELETE_SECURITY_GROUP
    )
    physical = lab_stack(aws, DAY3_LAB1)
    restore_by_hand(aws, physical)
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []


def test_moto_alone_still_drops_a_false_multi_az(aws, monkeypatch):
    from moto.rds.models import RDSBackend

    from week5.operations.moto_models import rds_restore_false_overrides as patch

    monkeypatch.setattr(RDSBackend, "restore_db_instance_from_db_snapshot", patch.MOTO_RESTORE)
    db = restore_by_hand(aws, lab_stack(aws, DAY3_LAB1), MultiAZ=False, PubliclyAccessible=False)
    assert (db["MultiAZ"], db["PubliclyAccessible"]) == (True, True)


def test_moto_alone_still_lists_what_it_did_not_make_as_a_blank_row(aws, monkeypatch):
    from moto.cloudformation.models import Stack

    from week5.operations.moto_models import stack_delete_failed as patch

    monkeypatch.setattr(Stack, "stack_resources", patch.MOTO_STACK_RESOURCES)
    template = {"Conditions": CONDITIONS, "Resources": {**DAY3_LAB1, **NOT_MADE}}
    aws("cloudformation").create_stack(StackName=STACK, TemplateBody=json.dumps(template))
    described = aws("cloudformation").describe_stack_resources(StackName=STACK)[
        "StackResources"
    ]
    assert [r for r in described if not r.get("LogicalResourceId")]


def test_moto_alone_still_ignores_retain_resources(aws, monkeypatch):
    from moto.cloudformation.responses import CloudFormationResponse

    from week5.operations.moto_models import stack_delete_failed as patch

    monkeypatch.setattr(CloudFormationResponse, "delete_stack", patch.MOTO_DELETE_STACK_RESPONSE)
    failed_destroy(aws)
    aws("cloudformation").delete_stack(
        StackName=STACK, RetainResources=["DatabaseSubnetGroup", "DatabaseSecurityGroup"]
    )
    assert status(aws) == "DELETE_FAILED"

