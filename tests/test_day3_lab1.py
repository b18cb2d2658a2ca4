"""Day 3 Lab 1: RDS PostgreSQL 구성 — Multi-AZ db.t3.micro, 5432 only from the psql client."""

import pytest
from support import (
    by_name,
    default_route_targets,
    ingress_rules,
    instance_security_groups,
    logical_id,
    mask_asset_hashes,
    props,
    resources,
    user_data_text,
)

LAB = "Day3Lab1"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_postgres_17_db_t3_micro_multi_az_encrypted_private(t):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert (db["Engine"], db["EngineVersion"].split(".")[0]) == ("postgres", "17")
    assert db["DBInstanceClass"] == "db.t3.micro"
    assert db["MultiAZ"] is True
    assert db["StorageEncrypted"] is True and db["StorageType"] == "gp3"
    assert db["PubliclyAccessible"] is False
    assert db["EngineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    assert db["DBName"] == "week5"


def test_database_is_gone_after_destroy(t):
    (db,) = resources(t, "AWS::RDS::DBInstance").values()
    assert db["DeletionPolicy"] == "Delete"
    p = db["Properties"]
    assert p["DeletionProtection"] is False and p["DeleteAutomatedBackups"] is True
    assert p["BackupRetentionPeriod"] == 1


def test_subnet_group_spans_the_two_private_subnets_which_have_no_internet_route(t):
    (group,) = props(t, "AWS::RDS::DBSubnetGroup")
    assert len(group["SubnetIds"]) == 2
    subnets = {n: p["CidrBlock"] for n, p in by_name(t, "AWS::EC2::Subnet").items()}
    assert subnets == {
        "week5-day3-public-subnet-a": "10.0.1.0/24",
        "week5-day3-public-subnet-b": "10.0.2.0/24",
        "week5-day3-private-subnet-a": "10.0.11.0/24",
        "week5-day3-private-subnet-b": "10.0.12.0/24",
    }
    targets = default_route_targets(t)
    assert targets["week5-day3-private-subnet-a"] is None
    assert resources(t, "AWS::EC2::NatGateway") == {}


def test_5432_only_from_the_client_security_group(t, hosts):
    (db,) = props(t, "AWS::RDS::DBInstance")
    (db_sg,) = [g["Fn::GetAtt"][0] for g in db["VPCSecurityGroups"]]
    (client_sg,) = instance_security_groups(hosts["week5-day3-psql-client"])
    rules = ingress_rules(t, db_sg)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules] == [
        ({"Fn::GetAtt": [resources_key(t, "AWS::RDS::DBInstance"), "Endpoint.Port"]}, client_sg)
    ]
    assert ingress_rules(t, client_sg) == []  # the client takes no inbound traffic


def resources_key(t, rtype):
    (key,) = resources(t, rtype)
    return key


def test_client_has_psql_and_reads_the_secret(t, hosts, lab):
    text = user_data_text(hosts["week5-day3-psql-client"])
    assert "dnf install -y postgresql17" in text and "/usr/local/bin/lab-psql" in text
    assert "PGSSLMODE=require" in text
    client_role = logical_id(lab.client.role)
    (policy,) = [p for p in props(t, "AWS::IAM::Policy") if p["Roles"] == [{"Ref": client_role}]]
    assert "secretsmanager:GetSecretValue" in str(policy)


def test_outputs_endpoint_secret_and_snapshot_commands(t):
    outputs = t["Outputs"]
    assert {"DbEndpoint", "DbSecretName", "SnapshotCommand", "DeleteSnapshotCommand"} <= set(
        outputs
    )
    create = "".join(
        p for p in outputs["SnapshotCommand"]["Value"]["Fn::Join"][1] if isinstance(p, str)
    )
    assert create.startswith("aws rds create-db-snapshot --region ap-northeast-2")
    assert create.endswith("--db-snapshot-identifier week5-instructor-day3-manual")
    assert outputs["DeleteSnapshotCommand"]["Value"].endswith("week5-instructor-day3-manual")


def test_the_manual_snapshot_is_deleted_with_the_stack(t):
    """Step 3's snapshot is not the stack's: the cleanup deletes the database's manual
    snapshots on delete, and may delete DB snapshots only (no EBS, no AMIs)."""
    ((cleanup_id, cleanup),) = resources(t, "Custom::Week5SnapshotCleanup").items()
    db_id = next(iter(resources(t, "AWS::RDS::DBInstance")))
    assert cleanup["Properties"]["DbInstanceIds"] == [{"Ref": db_id}]
    assert "TagValue" not in cleanup["Properties"] and "VolumeIds" not in cleanup["Properties"]
    actions = {
        a
        for p in props(t, "AWS::IAM::Policy")
        for s in p["PolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "rds:DeleteDBSnapshot" in actions and "rds:DescribeDBSnapshots" in actions
    assert not {"ec2:DeleteSnapshot", "ec2:DeregisterImage"} & actions
