"""PostgresDatabase and MysqlDatabase: defaults, overrides and clear errors."""

import pytest
from support import props, resources, synth

from week5.constructs.database import MysqlDatabase, PostgresDatabase
from week5.constructs.host import LabHost
from week5.constructs.vpc import MultiAzVpc
from week5.core.errors import CourseInputError


def test_postgres_defaults(stack, net):
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    t = synth(stack)
    (p,) = props(t, "AWS::RDS::DBInstance")
    assert (p["DBInstanceClass"], p["MultiAZ"], p["AllocatedStorage"]) == (
        "db.t3.micro",
        False,
        "20",
    )
    assert p["EngineVersion"] == "17.9"
    assert p["MasterUsername"] == "labadmin" and p["DBName"] == "lab"
    assert "{{resolve:secretsmanager:" in str(p["MasterUserPassword"])
    (sg,) = props(t, "AWS::EC2::SecurityGroup")
    assert sg["SecurityGroupEgress"][0]["CidrIp"] == "255.255.255.255/32"  # no outbound
    assert db.secret is not None and db.endpoint is not None


def test_mysql_is_8_4_not_8_0(stack, net):
    MysqlDatabase(stack, "Db", vpc=net.vpc)
    (p,) = props(synth(stack), "AWS::RDS::DBInstance")
    assert p["Engine"] == "mysql" and p["EngineVersion"].startswith("8.4.")


def test_grant_connect_admits_only_a_security_group(stack, net):
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    db.grant_connect(host)
    t = synth(stack)
    (rule,) = props(t, "AWS::EC2::SecurityGroupIngress")
    assert "SourceSecurityGroupId" in rule and "CidrIp" not in rule
    assert rule["Description"] == "PostgreSQL 5432 from a granted security group"


def test_overrides(stack, net):
    PostgresDatabase(
        stack,
        "Db",
        vpc=net.vpc,
        instance_type="db.t4g.micro",
        multi_az=True,
        allocated_storage_gib=30,
        backup_retention_days=7,
        database_name="cloudmart",
        username="cloudmart",
    )
    (p,) = props(synth(stack), "AWS::RDS::DBInstance")
    assert (p["DBInstanceClass"], p["MultiAZ"], p["BackupRetentionPeriod"]) == (
        "db.t4g.micro",
        True,
        7,
    )


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"instance_type": "t3.micro"}, "is not an RDS class"),
        ({"instance_type": "db.t3.banana"}, "is not an RDS class"),
        ({"allocated_storage_gib": 5}, "gp3 takes 20"),
        ({"backup_retention_days": 40}, "0 to 35"),
        ({"database_name": "1db"}, "must start with a letter"),
        ({"username": "admin-user"}, "must start with a letter"),
        ({"read_replicas": 6}, "0 to 5"),
        ({"read_replicas": 1, "backup_retention_days": 0}, "need automated backups"),
    ],
)
def test_invalid_props(stack, net, kwargs, says):
    with pytest.raises(CourseInputError, match=says):
        PostgresDatabase(stack, "Db", vpc=net.vpc, **kwargs)


def test_multi_az_needs_two_azs(stack):
    net = MultiAzVpc(stack, "Net", availability_zones=["ap-northeast-2a"])
    with pytest.raises(CourseInputError, match="subnets in two AZs"):
        PostgresDatabase(stack, "Db", vpc=net.vpc, multi_az=True)


def test_needs_private_subnets(stack):
    net = MultiAzVpc(stack, "Net", private_subnet_cidrs=())
    with pytest.raises(CourseInputError, match="no private subnet"):
        PostgresDatabase(stack, "Db", vpc=net.vpc)


def test_nothing_retained(stack, net):
    PostgresDatabase(stack, "Db", vpc=net.vpc)
    template = synth(stack)
    assert len(resources(template, "AWS::RDS::DBInstance")) == 1
    for resource in template["Resources"].values():
        assert resource.get("DeletionPolicy", "Delete") == "Delete"


def test_read_replicas_share_the_group_and_spread_over_the_azs(stack, net):
    db = MysqlDatabase(stack, "Db", vpc=net.vpc, read_replicas=2)
    t = synth(stack)
    replicas = [p for p in props(t, "AWS::RDS::DBInstance") if "SourceDBInstanceIdentifier" in p]
    assert [r["AvailabilityZone"] for r in replicas] == ["ap-northeast-2b", "ap-northeast-2a"]
    assert all("StorageEncrypted" not in r for r in replicas)  # inherited from the source
    (group,) = resources(t, "AWS::EC2::SecurityGroup")
    assert all(r["VPCSecurityGroups"] == [{"Fn::GetAtt": [group, "GroupId"]}] for r in replicas)
    assert len(db.replica_endpoints) == 2
