"""PostgresDatabase and MysqlDatabase: RDS in private subnets, as Day 3 Lab 1 builds it."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Union

import jsii
from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from week5.constructs import access
from week5.constructs.hardening import (
    GROUP_NAME_SUFFIX,
    azs_acknowledgement,
    describe,
    name_label,
)
from week5.constructs.interfaces import ConnectableGrantable
from week5.constructs.vpc import private_subnets_of
from week5.constructs.props import (
    instance_type_name,
    refuse_token,
    require_bool,
    require_int,
    require_str,
    require_vpc,
)
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, acknowledge_all

#: The course's class (Day 3 Lab 1: "db.t3.micro PostgreSQL"), the cheapest that runs the lab.
DEFAULT_DB_INSTANCE_TYPE = "db.t3.micro"
#: gp3's minimum for RDS; the lab's tables need a few MB.
DEFAULT_ALLOCATED_STORAGE_GIB = 20
#: One day of automated backups: enough for the lab's point-in-time restore, gone with the stack.
DEFAULT_BACKUP_RETENTION_DAYS = 1
#: PostgreSQL 17: in RDS standard support (no extended-support charge) and runs on db.t3.micro.
#: A full version: "17" alone and 17.1-17.4 can no longer create instances (cfn-lint W3691);
#: Seoul offers 17.1-17.11 and 17.9 is this CDK's newest. Minors then upgrade automatically.
POSTGRES_VERSION = rds.PostgresEngineVersion.VER_17_9
#: MySQL 8.4 (LTS), not 8.0: 8.0 pays RDS extended support ($0.12 per vCPU-hour) since 2026-08-01.
#: RDS MySQL takes only full versions (CloudFormation's validation lists 8.4.3 to 8.4.11 in
#: Seoul); minors upgrade automatically from here.
MYSQL_VERSION = rds.MysqlEngineVersion.VER_8_4_10

#: The most days of automated backups RDS keeps.
MAX_BACKUP_RETENTION_DAYS = 35
#: An RDS instance class name (db.family.size).
DB_CLASS_RE = re.compile(r"^db\.[a-z]+[0-9][a-z0-9-]*\.(micro|small|medium|large|[0-9]*xlarge)\Z")
_IDENTIFIER_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,62}")
#: RDS's master user name: 1 to 16 letters, digits or _, a letter first (CreateDBInstance).
_USERNAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,15}")
#: User names RDS keeps for itself (its admin, replication and monitoring users and roles).
RDS_RESERVED_USERNAMES = frozenset(
    {"rdsadmin", "rdsrepladmin", "rdstopmgr", "rds_superuser", "rds_replication", "rds_iam"}
)
#: User names RDS for PostgreSQL refuses though PostgreSQL takes them ("MasterUsername admin
#: cannot be used as it is a reserved word used by the engine"; CDK's default moved off
#: ``admin`` for PostgreSQL for this, aws-cdk PR #10597).
RDS_POSTGRES_RESERVED_USERNAMES = frozenset({"admin"})
#: PostgreSQL's reserved key words (its manual's appendix C, "reserved"), which no role may be
#: named, and the role names it keeps (``public``, ``none``; ``pg_`` starts its own roles).
POSTGRES_RESERVED_USERNAMES = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column
    constraint create current_catalog current_date current_role current_time current_timestamp
    current_user default deferrable desc distinct do else end except false fetch for foreign
    from grant group having in initially intersect into lateral leading limit localtime
    localtimestamp not null offset on only or order placing primary references returning select
    session_user some symmetric system_user table then to trailing true union unique user using
    variadic when where window with public none""".split()
)
_EXTENDED_SUPPORT_OFF = rds.EngineLifecycleSupport.OPEN_SOURCE_RDS_EXTENDED_SUPPORT_DISABLED
#: Each RDS engine's default port, by its engine type's prefix. The instance sets no port, so it
#: listens on this one; CDK's instance engines leave ``default_port`` unset.
ENGINE_PORTS = {
    "postgres": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "oracle": 1521,
    "sqlserver": 1433,
    "db2": 50000,
}


def engine_port(engine: rds.IInstanceEngine, where: str) -> int:
    """The port an instance of ``engine`` listens on when none is set (5432 for PostgreSQL)."""
    engine_type = engine.engine_type
    for prefix, port in ENGINE_PORTS.items():
        if engine_type.startswith(prefix):
            return port
    raise CourseInputError(
        f"{where}: engine {engine_type!r} has no known default port; use "
        "rds.DatabaseInstanceEngine.postgres(...) or .mysql(...)"
    )


def _check_username(where: str, username: str, engine_type: str) -> None:
    """Refuse a master user name RDS or PostgreSQL keeps: RDS fails the deploy ("... cannot be
    used as it is a reserved word used by the engine") after minutes of waiting."""
    name = username.lower()
    postgres = engine_type.startswith("postgres")
    if (
        name in RDS_RESERVED_USERNAMES
        or (postgres and (name in POSTGRES_RESERVED_USERNAMES or name.startswith("pg_")))
        or (postgres and name in RDS_POSTGRES_RESERVED_USERNAMES)
    ):
        if name in RDS_RESERVED_USERNAMES:
            owner = "RDS"
        elif name in RDS_POSTGRES_RESERVED_USERNAMES:
            owner = "RDS for PostgreSQL"
        else:
            owner = "PostgreSQL"
        raise CourseInputError(
            f"{where}: username={username!r} is a name {owner} keeps for itself; pick another, "
            "e.g. 'labadmin' (the default)"
        )


@jsii.implements(ec2.IConnectable)
class LabDatabase(Construct):
    """An RDS instance for a lab: private, encrypted, secret in Secrets Manager, no leftovers.

    :param vpc: the VPC.
    :param engine: the RDS engine and version; ``PostgresDatabase`` and ``MysqlDatabase`` pass
        the course's (PostgreSQL 17, MySQL 8.4).
    :param subnets: where RDS may place the instance (and its standby).
        @default the VPC's private subnets (with or without NAT)
    :param instance_type: a class name, or an ``ec2.InstanceType`` (``t3.micro`` for
        ``db.t3.micro``, as RDS takes it). @default ``db.t3.micro`` (the course's class)
    :param multi_az: a synchronous standby in a second AZ. @default False (half the price;
        Day 3 Lab 1 turns it on, as its step 1 asks)
    :param allocated_storage_gib: gp3 storage. @default 20 (RDS gp3's minimum)
    :param backup_retention_days: automated backups, deleted with the instance.
        @default 1 (0 turns them off, which also forbids read replicas)
    :param read_replicas: read-only copies that share the read load (Day 4 case: "RDS Read
        Replica (읽기 부하 분산)"), in the AZs in turn starting with the last; a single-AZ
        primary with replicas is placed in the first AZ. Needs ``backup_retention_days`` >= 1.
        @default 0
    :param database_name: the database created at launch. @default ``lab``
    :param username: the master user (1 to 16 letters, digits or _, a letter first; not a name
        RDS or the engine keeps, such as ``rdsadmin``, PostgreSQL's ``user`` or, on PostgreSQL,
        ``admin``); its password is
        generated into Secrets Manager. @default ``labadmin``
    :param name: its security group's Name tag is ``<name>-sg`` (the console's Name column:
        students sharing an account tell theirs apart by it). @default the construct path

    ``cdk destroy`` deletes the instance without a final snapshot and with its automated backups;
    deletion protection is off. A database is an ``ec2.IConnectable`` whose default port is the
    engine's: ``db.grant_connect(consumer)`` admits that port from a host's or tier's security
    group (never a CIDR) and lets its role read the secret; ``db.connections
    .allow_default_port_from(peer, description)`` opens the port alone. Exposes ``instance``,
    ``secret``, ``security_group``, ``connections``, ``endpoint`` (host name), ``port`` (a
    string token, as CloudFormation returns it), ``port_number`` (the same port as an int, known
    at synthesis), ``instance_type``, ``multi_az``, ``read_replicas`` and ``replica_endpoints``.
    """

    engine_label = "database"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        engine: rds.IInstanceEngine,
        subnets: Optional[Sequence[ec2.ISubnet]] = None,
        instance_type: Union[str, ec2.InstanceType] = DEFAULT_DB_INSTANCE_TYPE,
        multi_az: bool = False,
        allocated_storage_gib: int = DEFAULT_ALLOCATED_STORAGE_GIB,
        backup_retention_days: int = DEFAULT_BACKUP_RETENTION_DAYS,
        read_replicas: int = 0,
        database_name: str = "lab",
        username: str = "labadmin",
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"{type(self).__name__} {node_path}"
        require_vpc(where, vpc)
        require_str(where, "name", name, optional=True)
        name_tag = name_label(where, name, node_path)
        require_bool(where, "multi_az", multi_az)
        for label, number in (
            ("allocated_storage_gib", allocated_storage_gib),
            ("backup_retention_days", backup_retention_days),
            ("read_replicas", read_replicas),
        ):
            require_int(where, label, number)
        for label, text in (("database_name", database_name), ("username", username)):
            require_str(where, label, text)
        # ec2.InstanceType("t3.micro"), RDS's own form, is db.t3.micro.
        instance_type = instance_type_name(
            where,
            instance_type,
            DB_CLASS_RE,
            "an RDS class (db.family.size, e.g. db.t3.micro, the course's class)",
            prefix="db.",
        )
        port_number = engine_port(engine, where)
        subnets = private_subnets_of(vpc, subnets, where)
        azs = {s.availability_zone for s in subnets}
        if len(azs) < 2:
            raise CourseInputError(
                f"{where}: RDS needs subnets in two AZs (a DB subnet group rule), got "
                f"{len(azs)}; use a MultiAzVpc with two AZs"
            )
        if not 20 <= allocated_storage_gib <= 65536:
            raise CourseInputError(
                f"{where}: allocated_storage_gib={allocated_storage_gib}; gp3 takes 20 to 65536"
            )
        if not 0 <= backup_retention_days <= MAX_BACKUP_RETENTION_DAYS:
            raise CourseInputError(
                f"{where}: backup_retention_days={backup_retention_days}; RDS keeps 0 to "
                f"{MAX_BACKUP_RETENTION_DAYS} days"
            )
        if not 0 <= read_replicas <= 5:
            raise CourseInputError(f"{where}: read_replicas={read_replicas}; a lab takes 0 to 5")
        if read_replicas and backup_retention_days == 0:
            raise CourseInputError(
                f"{where}: read replicas need automated backups; keep backup_retention_days >= 1"
            )
        for label, value, pattern, most in (
            ("database_name", database_name, _IDENTIFIER_RE, 63),
            ("username", username, _USERNAME_RE, 16),
        ):
            if not pattern.fullmatch(value):
                refuse_token(where, label, value, "a name such as 'lab'")
                raise CourseInputError(
                    f"{where}: {label}={value!r} must start with a letter and hold only "
                    f"letters, digits and _ (at most {most})"
                )
        _check_username(where, username, engine.engine_type)

        #: The security group of the instance and its replicas: the engine's port from granted
        #: groups only.
        self.security_group: ec2.SecurityGroup = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=describe(node_path, f"{self.engine_label} port from granted groups only"),
            allow_all_outbound=False,  # a database starts no connections
        )
        Tags.of(self.security_group).add("Name", f"{name_tag}{GROUP_NAME_SUFFIX}")
        #: The RDS instance (with its standby when ``multi_az``).
        self.instance: rds.DatabaseInstance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_type=ec2.InstanceType(instance_type.removeprefix("db.")),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=subnets),
            security_groups=[self.security_group],
            multi_az=multi_az,
            allocated_storage=allocated_storage_gib,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            credentials=rds.Credentials.from_generated_secret(username),
            database_name=database_name,
            backup_retention=Duration.days(backup_retention_days),
            delete_automated_backups=True,
            deletion_protection=False,
            removal_policy=RemovalPolicy.DESTROY,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            engine_lifecycle_support=_EXTENDED_SUPPORT_OFF,
            copy_tags_to_snapshot=True,
            # A single-AZ primary with replicas sits in the first AZ, so the first replica (in
            # the last) is in another one; RDS would otherwise pick, possibly the replica's.
            availability_zone=sorted(azs)[0] if read_replicas and not multi_az else None,
        )
        zones = sorted(azs, reverse=True)
        #: The read replicas, in the AZs in turn starting with the last.
        self.read_replicas: List[rds.DatabaseInstanceReadReplica] = [
            rds.DatabaseInstanceReadReplica(
                self,
                f"ReadReplica{index + 1}",
                source_database_instance=self.instance,
                instance_type=ec2.InstanceType(instance_type.removeprefix("db.")),
                vpc=vpc,
                vpc_subnets=ec2.SubnetSelection(subnets=subnets),
                availability_zone=zones[index % len(zones)],
                security_groups=[self.security_group],
                storage_type=rds.StorageType.GP3,
                # No storage_encrypted: a replica inherits its source's encryption, and
                # CloudFormation refuses the property next to SourceDBInstanceIdentifier.
                deletion_protection=False,
                removal_policy=RemovalPolicy.DESTROY,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
            )
            for index in range(read_replicas)
        ]
        #: The replicas' host names, in the order of ``read_replicas``.
        self.replica_endpoints: List[str] = [
            r.db_instance_endpoint_address for r in self.read_replicas
        ]
        #: The generated master credentials (JSON: ``username``, ``password``, ``host``, ...).
        self.secret: secretsmanager.ISecret = self.instance.secret
        #: The instance's host name.
        self.endpoint: str = self.instance.db_instance_endpoint_address
        #: The engine's port, as a string token (``Endpoint.Port``): for outputs and SSM values.
        self.port: str = self.instance.db_instance_endpoint_port
        #: The same port as an int, known at synthesis (the engine's default: no port is set),
        #: for code that needs a number, e.g. ``ec2.Port.tcp(db.port_number)``.
        self.port_number: int = port_number
        #: The instance class, RDS's name for it (``db.t3.micro``); replicas share it.
        self.instance_type: str = instance_type
        #: Whether a synchronous standby runs in a second AZ.
        self.multi_az: bool = multi_az
        self._acknowledge(multi_az)

    @property
    def connections(self) -> ec2.Connections:
        """The instance's security group, default port the engine's (``ec2.IConnectable``).

        Read replicas share the group, so whatever it admits reaches them too.
        """
        return self.instance.connections

    def grant_connect(self, consumer: ConnectableGrantable) -> iam.Grant:
        """Let ``consumer`` (a host or tier) use the database: admit the engine's port from its
        security groups only, and let its role read ``secret``; the grant of that read is
        returned.

        To open the port alone (a client that holds no credentials), use
        ``connections.allow_default_port_from(peer, description)``. Not CDK's
        ``DatabaseInstance.grant_connect(grantee, db_user)``, which grants ``rds-db:connect``
        for IAM database login (the labs log in with the secret's password); that one is
        ``instance.grant_connect``.
        """
        return access.grant_connect(
            self.connections,
            consumer,
            grant=self.secret.grant_read,
            description=f"{self.engine_label} from a granted security group",
            where=f"{type(self).__name__} {self.node.path}",
        )

    def _acknowledge(self, multi_az: bool) -> None:
        every_instance = {
            "AwsSolutions-RDS10": "Deletion protection would make `cdk destroy` fail and leave a "
            "billed database behind after the lab.",
            "AwsSolutions-RDS11": "The engine's default port is what the course's steps and "
            "clients use; a non-default port is obscurity, and the security group admits "
            "granted groups only.",
        }
        primary = dict(every_instance)
        if not multi_az:
            primary["AwsSolutions-RDS3"] = (
                "Single-AZ halves the lab's database cost; pass multi_az=True where the lab "
                "teaches failover (Day 3 Lab 1, Day 4 Challenge, Day 5)."
            )
        acknowledge_all(self.instance, primary)
        for replica in self.read_replicas:
            acknowledge_all(
                replica,
                {
                    **every_instance,
                    **azs_acknowledgement(replica),  # a replica is placed in an AZ by name
                    "AwsSolutions-RDS3": "A read replica is itself the second copy in another "
                    "AZ; a Multi-AZ replica would double its price for a lab that shows read "
                    "scaling.",
                    "AwsSolutions-RDS2": "A read replica inherits its source's storage encryption "
                    "(the source sets StorageEncrypted); CloudFormation refuses the property on "
                    "a replica.",
                },
            )
        acknowledge(
            self.instance.node.find_child("Secret"),  # the construct, not the ISecret proxy
            "AwsSolutions-SMG4",
            "Rotating the master password needs a rotation Lambda in the VPC whose ENIs hold the "
            "subnets for 20+ minutes after `cdk destroy`; the password lives for one lab.",
        )


class PostgresDatabase(LabDatabase):
    """RDS for PostgreSQL 17 (Day 3 Lab 1); see :class:`LabDatabase` for every prop."""

    engine_label = "PostgreSQL 5432"

    def __init__(self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc, **kwargs) -> None:
        super().__init__(
            scope,
            construct_id,
            vpc=vpc,
            engine=rds.DatabaseInstanceEngine.postgres(version=POSTGRES_VERSION),
            **kwargs,
        )


class MysqlDatabase(LabDatabase):
    """RDS for MySQL 8.4 (Day 2 case: "RDS MySQL"); see :class:`LabDatabase` for every prop."""

    engine_label = "MySQL 3306"

    def __init__(self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc, **kwargs) -> None:
        super().__init__(
            scope,
            construct_id,
            vpc=vpc,
            engine=rds.DatabaseInstanceEngine.mysql(version=MYSQL_VERSION),
            **kwargs,
        )
