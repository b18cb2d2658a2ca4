"""Day 3 Lab 1: RDS PostgreSQL 구성 — Multi-AZ db.t3.micro, 5432 only from the psql client."""

import shlex

import pytest
from lab_outputs import outputs, run, step_registry
import moto_in_process
from moto_in_process import REGION
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

# The AWS CLI on moto: Day 2 Lab 1's test module holds it.
from aws_cli_on_moto import run_on_moto, shorthand

from stacks.day3 import LAB_APP_DIR, LAB_APP_SCRIPT, PSYCOPG_PIN, RDS_APP
from week5.analysis.teardown import teardown_findings

LAB = "Day3Lab1"
#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws


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
    assert {
        "DbEndpoint", "DbSecretName", "SnapshotCommand", "DeleteSnapshotCommand",
        "RestoreDbCommand", "RestoredDbEndpointCommand", "DeleteRestoredDbCommand",
    } <= set(outputs)  # fmt: skip
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


def test_the_restore_outputs_restore_the_manual_snapshot_beside_the_lab_and_delete_it(
    t, lab, aws, tmp_path
):
    """A course-step audit: Step 3 is "백업 & 복원" and DeleteSnapshotCommand said "복원을 확인한
    뒤", but no output restored. Made on moto, as the AWS CLI makes them: the snapshot, the
    restore (after the snapshot is available) into the lab's subnet group and security group,
    single-AZ, private, with the course's tags; the wait for it and its host; its deletion
    with the wait that `cdk destroy` needs; the snapshot's deletion."""
    ec2, rds = aws("ec2"), aws("rds")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.1{n}.0/24", AvailabilityZone=f"{REGION}{z}")
        ["Subnet"]["SubnetId"]
        for n, z in ((1, "a"), (2, "b"))
    ]
    rds.create_db_subnet_group(
        DBSubnetGroupName="lab-subnets", DBSubnetGroupDescription="lab", SubnetIds=subnets
    )
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    tags = [{"Key": k, "Value": v} for k, v in lab.course_tags.items()]
    rds.create_db_instance(
        DBInstanceIdentifier="week5-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="labadmin", MasterUserPassword="secret-password", AllocatedStorage=20,
        MultiAZ=True, DBSubnetGroupName="lab-subnets", VpcSecurityGroupIds=[group],
        CopyTagsToSnapshot=True, Tags=tags,
    )  # fmt: skip
    shown = outputs(t)
    stand_ins = {
        f"<{logical_id(lab.database.instance)}>": "week5-db",
        f"<{logical_id(lab.database.instance.node.find_child('SubnetGroup'))}>": "lab-subnets",
        f"<{logical_id(lab.database.security_group)}.GroupId>": group,
    }
    run_on_moto(aws, shown["SnapshotCommand"], stand_ins, tmp_path / "snapshot")
    restored = "week5-instructor-day3-restored"
    waited, status = run_on_moto(aws, shown["RestoreDbCommand"], stand_ins, tmp_path / "restore")
    assert waited is None and status  # the wait for the snapshot, then the restore's status
    (db,) = rds.describe_db_instances(DBInstanceIdentifier=restored)["DBInstances"]
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == "lab-subnets"
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [group]
    assert db["DBInstanceClass"] == "db.t3.micro"
    assert (db["MultiAZ"], db["PubliclyAccessible"]) == (False, False)  # the snapshot's: True
    assert {tag["Key"]: tag["Value"] for tag in db["TagList"]} == lab.course_tags
    _, host = run_on_moto(aws, shown["RestoredDbEndpointCommand"], stand_ins, tmp_path / "host")
    assert host == db["Endpoint"]["Address"]
    _, waited = run_on_moto(
        aws, shown["DeleteRestoredDbCommand"], stand_ins, tmp_path / "delete"
    )
    assert waited is None  # db-instance-deleted: the subnet group is free for `cdk destroy`
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == [
        "week5-db"
    ]
    run_on_moto(aws, shown["DeleteSnapshotCommand"], stand_ins, tmp_path / "delete-snapshot")
    assert rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"] == []
    # The guide's clean-up order: the restored database before `cdk destroy`, and why.
    describe = {k: o["Description"] for k, o in t["Outputs"].items()}
    assert "cdk destroy 전에" in describe["DeleteRestoredDbCommand"]
    assert "DELETE_FAILED" in describe["DeleteRestoredDbCommand"]
    assert "5분을 넘음" in describe["RestoreDbCommand"] and "$0.03/시간" in describe["RestoreDbCommand"]


# ---- The course's steps (week5-course-rules.md, Day 3 Lab 1), each made doable ----

COURSE_STEPS, step = step_registry()


@pytest.fixture
def fake_aws(tmp_path):
    """A folder whose ``aws`` prints its arguments one per line, for PATH."""
    aws = tmp_path / "aws"
    aws.write_text("#!/bin/bash\nprintf '%s\\n' \"$@\"\n")
    aws.chmod(0o755)
    return str(tmp_path)


def client_instance(lab):
    """The client's placeholder: its logical id carries a hash of its user data."""
    return f"<{lab.resolve(lab.client.instance.instance_id)['Ref']}>"


@step("1.1", "RDS 인스턴스 생성 — db.t3.micro PostgreSQL")
def _postgres(t, lab, hosts, fake_aws):
    test_postgres_17_db_t3_micro_multi_az_encrypted_private(t)
    assert outputs(t)["DbEndpoint"] == f"<{logical_id(lab.database.instance)}.Endpoint.Address>"


@step("1.2", "Multi-AZ 배포")
def _multi_az(t, lab, hosts, fake_aws):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert db["MultiAZ"] is True
    test_subnet_group_spans_the_two_private_subnets_which_have_no_internet_route(t)


@step("1.3", "Security Group 구성")
def _security_group(t, lab, hosts, fake_aws):
    test_5432_only_from_the_client_security_group(t, hosts)


@step("2.1", "EC2에서 psql 연결")
def _psql(t, lab, hosts, fake_aws):
    test_client_has_psql_and_reads_the_secret(t, hosts, lab)
    shown = outputs(t)
    assert shown["PsqlCommand"] == "sudo /usr/local/bin/lab-psql"
    session = run(shown["ClientSsmCommand"], {client_instance(lab): "i-0123"}, path=fake_aws)
    assert session.stdout.split() == [
        "ssm", "start-session", "--region", "ap-northeast-2", "--target", "i-0123",
    ]


@step("2.2", "테이블 생성 및 데이터 삽입")
def _table(t, lab, hosts, fake_aws):
    # lab-psql is psql as the master user, who owns the database: CREATE TABLE and INSERT
    # work there (tests/test_psql_client.py runs both against a real PostgreSQL).
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert db["DBName"] == "week5"
    assert "PGDATABASE=$(field dbname)" in user_data_text(hosts["week5-day3-psql-client"])


@step("2.3", "애플리케이션 연동 테스트")
def _app(t, lab, hosts, fake_aws):
    text = user_data_text(hosts["week5-day3-psql-client"])
    # Python 3.11 with the tested psycopg, AWS's RDS CA bundle for verify-full, the app and
    # its wrapper (tests/test_rds_app.py runs them against a real PostgreSQL).
    assert "dnf install -y python3.11 python3.11-pip" in text
    assert f"{LAB_APP_DIR}/bin/pip install --no-cache-dir '{PSYCOPG_PIN}'" in text
    assert (
        "https://truststore.pki.rds.amazonaws.com/ap-northeast-2/ap-northeast-2-bundle.pem"
        in text
    )
    assert RDS_APP.read_text().strip() in text
    assert f"cat > {LAB_APP_SCRIPT} <<" in text and "PGSSLMODE=verify-full" in text
    assert f"chmod 0755 {LAB_APP_SCRIPT}" in text
    shown = outputs(t)
    assert shown["AppCommand"] == f"sudo {LAB_APP_SCRIPT}"  # sudo's secure_path may lack it
    # From the student's terminal: the app runs on the client through Session Manager.
    words = run(shown["AppTestCommand"], {client_instance(lab): "i-0123"}, path=fake_aws)
    args = words.stdout.splitlines()
    assert args[:6] == ["ssm", "start-session", "--region", "ap-northeast-2", "--target",
                        "i-0123"]
    assert args[6:8] == ["--document-name", "AWS-StartInteractiveCommand"]
    # Shorthand with the command in single quotes: no double quote for Windows PowerShell 5.1
    # to strip (tests/test_outputs_powershell.py), one list of one command for the CLI.
    assert args[8:] == ["--parameters", f"command='sudo {LAB_APP_SCRIPT}'"]
    assert shorthand(args[9]) == {"command": f"sudo {LAB_APP_SCRIPT}"}
    assert shlex.split(shown["AppTestCommand"])[-1] == f"command='sudo {LAB_APP_SCRIPT}'"


@step("3.1", "백업 & 복원 — 수동 스냅샷 생성")
def _snapshot(t, lab, hosts, fake_aws):
    test_outputs_endpoint_secret_and_snapshot_commands(t)
    create = run(outputs(t)["SnapshotCommand"],
                 {f"<{logical_id(lab.database.instance)}>": "week5-db"}, path=fake_aws)
    assert create.stdout.split() == [
        "rds", "create-db-snapshot", "--region", "ap-northeast-2",
        "--db-instance-identifier", "week5-db",
        "--db-snapshot-identifier", "week5-instructor-day3-manual",
    ]
    test_the_manual_snapshot_is_deleted_with_the_stack(t)


@step("3.2", "백업 & 복원 — 스냅샷에서 복원 (선택: 5분을 넘음)")
def _restore(t, lab, hosts, fake_aws):
    db = f"<{logical_id(lab.database.instance)}>"
    subnets = f"<{logical_id(lab.database.instance.node.find_child('SubnetGroup'))}>"
    group = f"<{logical_id(lab.database.security_group)}.GroupId>"
    region, restored = "--region ap-northeast-2", "week5-instructor-day3-restored"
    assert db not in outputs(t)["RestoreDbCommand"]  # from the snapshot, not the database
    assert outputs(t)["RestoreDbCommand"] == (
        f"aws rds wait db-snapshot-available {region} "
        "--db-snapshot-identifier week5-instructor-day3-manual; "
        f"aws rds restore-db-instance-from-db-snapshot {region} "
        "--db-snapshot-identifier week5-instructor-day3-manual "
        f"--db-instance-identifier {restored} --db-instance-class db.t3.micro --no-multi-az "
        f"--db-subnet-group-name {subnets} --vpc-security-group-ids {group} "
        "--no-publicly-accessible --tags 'Key=Week,Value=Week5' 'Key=Day,Value=Day3' "
        "'Key=Lab,Value=Lab1' 'Key=Student,Value=instructor' "
        "--query DBInstance.DBInstanceStatus --output text"
    )
    assert outputs(t)["DeleteRestoredDbCommand"] == (
        f"aws rds delete-db-instance {region} --db-instance-identifier {restored} "
        "--skip-final-snapshot --delete-automated-backups "
        "--query DBInstance.DBInstanceStatus --output text; "
        f"aws rds wait db-instance-deleted {region} --db-instance-identifier {restored}"
    )
    # Run on moto in test_the_restore_outputs_restore_the_manual_snapshot_beside_the_lab_...


@step("4", "리소스 정리")
def _cleanup(t, lab, hosts, fake_aws):
    assert teardown_findings(t) == []
    test_database_is_gone_after_destroy(t)


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "4"]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, hosts, fake_aws):
    _, check = COURSE_STEPS[number]
    check(t, lab, hosts, fake_aws)
