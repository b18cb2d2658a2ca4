"""CloudMartStack: the CloudMart app on AWS, as Day 5 deploys it (a construct, not a Stack)."""

from __future__ import annotations

import os
import re
import weakref
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from aws_cdk.region_info import RegionInfo
from constructs import Construct

from week5.assets import APPS_DIR, COMPOSE_DIR, SITES_DIR
from week5.constructs import userdata
from week5.constructs.cache import (
    DEFAULT_ENGINE,
    DEFAULT_NODE_TYPE,
    ENGINE_VERSIONS,
    MAX_REPLICAS,
    MAX_SNAPSHOT_RETENTION_DAYS,
    RedisCache,
    validate_node_type,
)
from week5.constructs.database import (
    DB_CLASS_RE,
    DEFAULT_BACKUP_RETENTION_DAYS,
    DEFAULT_DB_INSTANCE_TYPE,
    MAX_BACKUP_RETENTION_DAYS,
    PostgresDatabase,
)
from week5.constructs.hardening import DEFAULT_INSTANCE_TYPE, INSTANCE_TYPE_RE
from week5.constructs.monitoring import (
    alarm_dashboard,
    alarm_topic,
    backend_alarms,
    db_connections_alarm,
)
from week5.constructs.props import (
    instance_type_name,
    refuse_token,
    require_bool,
    require_enum,
    require_instance_type,
    require_int,
    require_member,
    require_str,
    require_vpc,
    shown,
)
from week5.constructs.static_site import DEFAULT_ROOT_OBJECT, StaticSite, load_balancer_behavior
from week5.constructs.vpc import MultiAzVpc, NatMode, check_name_prefix
from week5.constructs.web_tier import (
    DEFAULT_MAX_CAPACITY,
    DEFAULT_MIN_CAPACITY,
    HaWebTier,
    is_checkable_path,
)
from week5.core.errors import CourseInputError
from week5.core.settings import IMAGE_RE, is_email
from week5.synth.nag import acknowledge

#: The demo backend and frontend shipped with the course (the course's own images are private).
DEMO_BACKEND_DIR = APPS_DIR / "cloudmart_api"
DEMO_FRONTEND_DIR = SITES_DIR / "cloudmart"
DEMO_COMPOSE = COMPOSE_DIR / "cloudmart-backend.yml"
#: The demo's files the compose file mounts, written beside it at boot.
DEMO_SOURCE_FILES = ("server.js", "package.json")
IMAGE_COMPOSE = COMPOSE_DIR / "cloudmart-image.yml"
#: The network's Name tags' prefix (``week5-day5-vpc``), as Day 5's console steps name them.
DEFAULT_NAME_PREFIX = "week5-day5"
#: The port the demo backend listens on in its container.
DEFAULT_BACKEND_PORT = 3000
#: The ALB's check: liveness, which the backend answers without its stores.
DEFAULT_HEALTH_CHECK_PATH = "/api/health"
#: The demo backend's readiness: both stores answer and its tables exist. An instance waits for
#: it before it signals CloudFormation; ``ApiHealthUrl`` shows it.
DEMO_READY_PATH = "/api/health/deep"
#: The demo backend's boot, launch to ready: Docker, the node:22 image, npm install, the tables.
DEMO_BOOT_TIME = Duration.minutes(5)
#: The backend's container logs stay this long in the stack's log group (deleted with it).
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_WEEK

#: The backend's parameters under ``parameter_prefix``, the longest last (its name's length).
PARAMETER_KEYS = (
    "db-endpoint",
    "log-group",
    "backend-image",
    "backend-port",
    "db-secret-arn",
    "redis-endpoint",
    "redis-secret-arn",
)
#: SSM's limit on a parameter name, counted with the ARN before it (``arn:aws:ssm:<region>:
#: <account>:parameter/...``); the API's 2048 includes room SSM keeps for itself.
SSM_NAME_MAX_WITH_ARN = 1011
#: SSM's deepest hierarchy: a name of at most 15 levels (``/a/b`` is 2).
SSM_MAX_LEVELS = 15


class _Claim(NamedTuple):
    """What a CloudMartStack names that another must not: its ``parameter_prefix`` in its
    stack's account and region (SSM's names are unique there), its ``name_prefix`` in its stack
    (the Name tags the console tells things apart by)."""

    path: str
    stack: str
    account: str
    region: str
    parameter_prefix: str
    name_prefix: str


# Each CloudMartStack of an app, by the app: two that write the same parameters into one
# account and region synth, and CloudFormation fails the second's deploy ("already exists").
_CLAIMS: "weakref.WeakKeyDictionary[Construct, List[_Claim]]" = weakref.WeakKeyDictionary()

_ECR_IMAGE_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9._/-]+)(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?\Z"
)


@jsii.implements(ec2.IConnectable, iam.IGrantable)
class CloudMartStack(Construct):
    """CloudMart on AWS: VPC, PostgreSQL, Redis, an S3 + CloudFront frontend, an ALB + ASG backend.

    The Day 5 Lab 1 steps, as one construct: "Multi-AZ VPC, Public/Private Subnets" (a
    ``MultiAzVpc``), "RDS PostgreSQL (Multi-AZ)" and "ElastiCache Redis", "Frontend: S3 +
    CloudFront" (a ``StaticSite`` whose distribution also sends ``/api/*`` to the backend's
    ALB, so the frontend calls its API on its own origin) and "Backend: EC2 + ALB + ASG" (a
    ``HaWebTier`` in the private subnets running the backend container).

    Configuration reaches the backend through Parameter Store and Secrets Manager, never the
    user data: the boot script names SSM parameters only (``<parameter_prefix>/db-endpoint``,
    ``/db-secret-arn``, ``/redis-endpoint``, ``/redis-secret-arn``, ``/log-group``, and for
    your own image ``/backend-image`` and ``/backend-port``) and reads them, and the secrets
    they point to, with the instance role. CloudWatch alarms (ALB 5xx, unhealthy targets,
    backend CPU, RDS CPU, free storage and connections, Redis memory of whichever node is the
    primary) go to an SNS topic, by e-mail when ``alarm_email`` is given (without it the topic
    has no subscriber: the alarms change state on the dashboard only), and a dashboard shows
    them. The backend container's output goes to CloudWatch Logs (Docker's ``awslogs``
    driver) in a log group of the stack, deleted with it. Backups are RDS's automated backups
    (point-in-time restore) and, when ``cache_snapshot_retention_days`` is above 0 (it is 0 by
    default), ElastiCache's daily snapshots; ``cdk destroy`` deletes both with their resources.

    The backend's ALB admits only CloudFront (``HaWebTier(cloudfront_origin=True)``): the app's
    address is ``url``, never the ALB's. The ALB checks liveness (``/api/health``, which the
    demo answers without its stores, so a database or Redis failover replaces no instance);
    each instance signals CloudFormation once the demo's readiness (``/api/health/deep``: both
    stores answer) does, so a finished deploy means a working ``url``.

    :param parameter_prefix: where the SSM parameters go: a path of its own per CloudMartStack
        that may deploy to the same account and region (in one stack, or in stacks of the app
        whose environments match or are not set: SSM's names are unique per account and
        region, so the second deploy would fail), not starting with ``aws`` or
        ``ssm`` (SSM keeps those), short enough for SSM's names (1011 characters with the ARN)
        and the boot script, which names each. @default ``/<stack name>/cloudmart`` (one per
        student, as the stack name is)
    :param vpc: an ``ec2.IVpc`` of yours to place CloudMart in, as ``ecs_patterns`` take one:
        for an app that already has a VPC (a second VPC would cost its own NAT gateway and
        share nothing). It needs private subnets with egress (NAT: the backend pulls its image
        through it; the database and cache go there too, unless the VPC has isolated subnets:
        ``data_subnets``) and public subnets (the ALB), each in at least 2 AZs; ``nat`` is then
        the VPC's own, so passing ``nat`` too is refused. Each private subnet defined in the
        app needs its 0.0.0.0/0 route (a NAT gateway's or instance's, or your
        ``subnet.add_route``/``ec2.CfnRoute``) before the CloudMartStack is made; an imported
        subnet's (``Vpc.from_lookup``, ``from_vpc_attributes``) cannot be checked here, so a
        deploy into one without a route out fails only at the backend's signal timeout.
        @default None: a ``MultiAzVpc`` of its own (``network``)
    :param data_subnets: which of the VPC's subnets the database and cache go into: private or
        isolated ones (never public), in at least 2 AZs (RDS's subnet group), e.g.
        ``ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)`` for a ``vpc``
        whose stores stay off the NAT's subnets. @default the VPC's isolated subnets when it
        has any, else its private ones (a ``MultiAzVpc`` has one kind or the other)
    :param name_prefix: Name tags of the network it builds (``<prefix>-vpc``, ...), and the
        names of its database, cache and backend (``<prefix>-db``, ``-cache``, ``-backend``,
        with ``vpc`` too): one of its own per CloudMartStack in a stack. @default
        ``week5-day5``
    :param nat: how the private subnets of the VPC it builds reach the internet, through which
        the backend pulls its image and packages (``NatMode.NONE`` puts the backend in the
        public subnets); not with ``vpc``, whose NAT is its own. @default None:
        ``NatMode.SINGLE_GATEWAY``, one gateway for the lab (``GATEWAY_PER_AZ`` survives an
        AZ, at a gateway-hour per AZ)
    :param instance_type: backend instances. @default ``t3.micro`` (``t4g.micro`` is about 20 %
        cheaper and runs the demo's multi-architecture image)
    :param min_capacity: the fewest backend instances, the ASG's size at deploy (0 or more).
        @default 2, one per AZ, so the app survives an instance or an AZ
    :param max_capacity: the most backend instances CPU scaling may add (at least
        ``min_capacity``). @default 4, twice the minimum, which caps the lab's bill
    :param db_instance_type: the RDS class of the PostgreSQL instance (a string or an
        ``ec2.InstanceType``). @default ``db.t3.micro``, the course's class (``db.t4g.micro``
        is a little cheaper)
    :param db_multi_az: a standby in the other AZ that RDS fails over to. @default True (the
        Lab 1 step: "RDS PostgreSQL (Multi-AZ)"); False halves the database's price
    :param db_backup_retention_days: days of RDS automated backups, the point-in-time restore
        window (0 to 35; 0 turns backups off). @default 1, enough for a lab that lasts hours
    :param db_connections_alarm: the connection count the ``DbConnections`` alarm fires at.
        @default 80 per GiB of ``db_instance_type``'s memory, at most 3600 (80 on
        db.t3.micro and db.t4g.micro, whose limit is about 110); needed for a class outside the
        t, m and r families
    :param cache_node_type: the ElastiCache node type of every cache node. @default
        ``cache.t3.micro``, the course's (``cache.t4g.micro`` is cheaper)
    :param cache_engine: ``"redis"`` or ``"valkey"`` (Redis-compatible: the backend does not
        tell them apart). @default ``redis``, what the course teaches (Valkey is about 20 %
        cheaper on cache.t4g.micro)
    :param cache_replicas: read replicas beside the primary (0 to 5). @default 0: one node, the
        cheapest, as the cache is rebuilt from the database (1 adds automatic failover across
        AZs)
    :param cache_snapshot_retention_days: daily ElastiCache snapshots kept. @default 0 (no
        snapshots: the cache is rebuilt from the database)
    :param alarm_email: subscribe this address to the alarm topic (AWS sends a confirmation
        mail first); a deploy-time value (a ``CfnParameter``'s) is taken as is, and SNS checks
        it at deploy. @default None: the alarms still change state and show on the dashboard
    :param backend_image: your CloudMart backend image (Docker Hub, public ECR, or ECR in this
        account and region). @default None: the demo backend in ``week5/assets/apps/cloudmart_api``
    :param backend_port: the port your image listens on inside its container; only with
        ``backend_image`` (the demo backend has its own). Docker maps it to ``backend.app_port``
        (80), the port the instances serve on. @default 3000 (the demo's)
    :param health_check_path: what the ALB polls: a liveness path your image answers without
        its stores. @default ``/api/health``
    :param log_retention: how long the backend's container logs stay in the stack's log group
        (the group goes with the stack either way). @default one week
    :param frontend_dir: the frontend's built files. @default ``week5/assets/sites/cloudmart``

    It is an ``ec2.IConnectable`` and an ``iam.IGrantable`` through its backend (the backend
    instances' security group and role): ``bucket.grant_read(cloudmart)`` lets the backend read
    a bucket. The instances serve on ``backend.app_port`` (80: Docker maps the container's
    ``backend_port``, 3000 by default, to it, and nothing listens on 3000 on the instance),
    the connections' default port: ``cloudmart.connections.allow_default_port_from(peer)``
    admits ``peer`` to the instances on 80. Exposes ``network`` (the ``MultiAzVpc`` it builds,
    None with ``vpc``), ``vpc`` (yours or ``network.vpc``), ``database``, ``cache``,
    ``backend``, ``frontend``, ``parameters`` (name: ``StringParameter``), ``parameter_prefix``,
    ``alarm_topic``, ``alarm_email``, ``alarms`` (name: ``Alarm``), ``dashboard``,
    ``backend_log_group`` and ``url``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        parameter_prefix: Optional[str] = None,
        vpc: Optional[ec2.IVpc] = None,
        data_subnets: Optional[ec2.SubnetSelection] = None,
        name_prefix: str = DEFAULT_NAME_PREFIX,
        nat: Optional[NatMode] = None,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        min_capacity: int = DEFAULT_MIN_CAPACITY,
        max_capacity: int = DEFAULT_MAX_CAPACITY,
        db_instance_type: str = DEFAULT_DB_INSTANCE_TYPE,
        db_multi_az: bool = True,
        db_backup_retention_days: int = DEFAULT_BACKUP_RETENTION_DAYS,
        db_connections_alarm: Optional[int] = None,
        cache_node_type: str = DEFAULT_NODE_TYPE,
        cache_engine: str = DEFAULT_ENGINE,
        cache_replicas: int = 0,
        cache_snapshot_retention_days: int = 0,
        alarm_email: Optional[str] = None,
        backend_image: Optional[str] = None,
        backend_port: Optional[int] = None,
        health_check_path: str = DEFAULT_HEALTH_CHECK_PATH,
        log_retention: logs.RetentionDays = DEFAULT_LOG_RETENTION,
        frontend_dir: Path = DEMO_FRONTEND_DIR,
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"CloudMartStack {self.node.path}"
        _check_scope(where, self)
        # Every prop is checked here, under its own name: passed on unchecked, a wrong one would
        # be reported by the inner construct, under a name the user never typed (node_type=).
        db_class = _check_props(
            where,
            name_prefix=name_prefix,
            data_subnets=data_subnets,
            nat=nat,
            instance_type=instance_type,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            db_instance_type=db_instance_type,
            db_multi_az=db_multi_az,
            db_backup_retention_days=db_backup_retention_days,
            cache_node_type=cache_node_type,
            cache_engine=cache_engine,
            cache_replicas=cache_replicas,
            cache_snapshot_retention_days=cache_snapshot_retention_days,
            health_check_path=health_check_path,
            log_retention=log_retention,
            frontend_dir=frontend_dir,
        )
        if vpc is not None:
            _check_vpc(where, self, vpc, nat)
        parameter_prefix, backend_port, db_connections_alarm = self._check_backend_props(
            where,
            parameter_prefix=parameter_prefix,
            alarm_email=alarm_email,
            backend_image=backend_image,
            backend_port=backend_port,
            db_connections_alarm=db_connections_alarm,
            db_class=db_class,
        )
        claim = _claim_of(self, parameter_prefix, name_prefix)
        _check_claim(where, self, claim)

        #: Where the backend's SSM parameters are (``<prefix>/db-endpoint``, ...).
        self.parameter_prefix: str = parameter_prefix
        #: The course VPC it builds; None with ``vpc``: the VPC is then yours, and nothing of
        #: it (subnets, NAT, Name tags) is made here.
        self.network: Optional[MultiAzVpc] = None
        if vpc is None:
            self.network = MultiAzVpc(
                self,
                "Network",
                nat=NatMode.SINGLE_GATEWAY if nat is None else nat,
                name_prefix=name_prefix,
            )
            vpc = self.network.vpc
        #: The VPC everything is placed in: ``vpc`` if given, else ``network.vpc``.
        self.vpc: ec2.IVpc = vpc
        stores_subnets = _data_subnets(where, vpc, data_subnets)
        #: PostgreSQL 17 (Multi-AZ by default); only the backend may connect.
        self.database: PostgresDatabase = PostgresDatabase(
            self,
            "Database",
            vpc=self.vpc,
            subnets=stores_subnets,
            instance_type=db_instance_type,
            multi_az=db_multi_az,
            backup_retention_days=db_backup_retention_days,
            database_name="cloudmart",
            name=f"{name_prefix}-db",
        )
        #: Redis (or Valkey); only the backend may connect.
        self.cache: RedisCache = RedisCache(
            self,
            "Cache",
            vpc=self.vpc,
            subnets=stores_subnets,
            node_type=cache_node_type,
            engine=cache_engine,
            replicas=cache_replicas,
            snapshot_retention_days=cache_snapshot_retention_days,
            name=f"{name_prefix}-cache",
        )

        #: The backend containers' logs (Docker's awslogs driver), deleted with the stack.
        self.backend_log_group: logs.LogGroup = logs.LogGroup(
            self,
            "BackendLogs",
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        #: The backend's configuration in Parameter Store, by key (``db-endpoint``, ...).
        self.parameters: Dict[str, ssm.StringParameter] = self._parameters(
            backend_image, backend_port
        )
        boot = self._boot_script(backend_image)
        try:
            backend = HaWebTier(
                self,
                "Backend",
                vpc=self.vpc,
                name=f"{name_prefix}-backend",
                instance_type=instance_type,
                min_capacity=min_capacity,
                max_capacity=max_capacity,
                health_check_path=health_check_path,
                # Your image promises only its health path; the demo's readiness checks the
                # stores.
                ready_path=DEMO_READY_PATH if backend_image is None else None,
                boot_time=DEMO_BOOT_TIME if backend_image is None else None,
                cloudfront_origin=True,
                user_data_lines=boot,
            )
        except CourseInputError as error:
            raise _prefix_too_long(where, parameter_prefix, boot, error) from None
        #: The backend: an internet-facing ALB and an ASG in the private subnets.
        self.backend: HaWebTier = backend
        # The backend's group, with the port its instances serve on as the default (the
        # tier's has none: its callers come through the ALB).
        self._connections = ec2.Connections(
            security_groups=[backend.instance_security_group],
            default_port=ec2.Port.tcp(backend.app_port),
        )
        self._grant_backend(backend_image)

        #: The frontend: S3 + CloudFront, with ``/api/*`` to the backend's ALB.
        self.frontend: StaticSite = StaticSite(
            self,
            "Frontend",
            content_dir=frontend_dir,
            behaviors={"/api/*": load_balancer_behavior(self.backend.alb)},
        )
        #: CloudMart's address (the frontend's CloudFront URL).
        self.url: str = self.frontend.url
        #: The address subscribed to the alarm topic, or None: then the topic has no subscriber.
        self.alarm_email: Optional[str] = alarm_email
        #: Where the alarms go: an SSL-only SNS topic, mailed to ``alarm_email`` when given.
        self.alarm_topic: sns.Topic = alarm_topic(self, alarm_email)
        #: The alarms by name (``Alb5xx``, ``UnhealthyTargets``, ``BackendCpu``, ``DbCpu``,
        #: ``DbFreeStorage``, ``DbConnections``, ``RedisMemory``), each into ``alarm_topic``.
        self.alarms: Dict[str, cloudwatch.Alarm] = backend_alarms(
            self,
            backend=self.backend,
            database=self.database,
            cache=self.cache,
            topic=self.alarm_topic,
            db_connections=db_connections_alarm,
        )
        #: A CloudWatch dashboard of the alarms, three to a row.
        self.dashboard: cloudwatch.Dashboard = alarm_dashboard(self, self.alarms)
        # Claimed once built: one refused half-way claims nothing.
        _CLAIMS.setdefault(self.node.root, []).append(claim)

    def _check_backend_props(
        self,
        where: str,
        *,
        parameter_prefix: Optional[str],
        alarm_email: Optional[str],
        backend_image: Optional[str],
        backend_port: Optional[int],
        db_connections_alarm: Optional[int],
        db_class: str,
    ) -> Tuple[str, int, int]:
        """Refuse a wrong prop of the backend's configuration and alarms under its own name;
        return ``parameter_prefix``, ``backend_port`` and ``db_connections_alarm`` with their
        defaults (the stack's name, the demo's port, the DB class's threshold)."""
        require_str(where, "parameter_prefix", parameter_prefix, optional=True)
        require_str(where, "backend_image", backend_image, optional=True)
        stack = Stack.of(self)
        if parameter_prefix is None:
            if Token.is_unresolved(stack.stack_name):
                raise CourseInputError(
                    f"{where}: pass parameter_prefix (the stack name is a token)"
                )
            parameter_prefix = f"/{stack.stack_name}/cloudmart"
        if not re.fullmatch(r"(/[A-Za-z0-9_.-]+)+", parameter_prefix):
            raise CourseInputError(
                f"{where}: parameter_prefix={parameter_prefix!r} must be a path like "
                "/week5-kim-Day5Lab1/cloudmart"
            )
        _check_parameter_prefix(where, stack, parameter_prefix)
        # A deploy-time value (a CfnParameter's) has no address yet: SNS checks it at deploy.
        if (
            alarm_email is not None
            and not (isinstance(alarm_email, str) and Token.is_unresolved(alarm_email))
            and not is_email(alarm_email)
        ):
            # The prop's own form: a lab's stack parses -c alarm_email first, with that hint.
            raise CourseInputError(
                f"{where}: alarm_email={shown(alarm_email)} is not an e-mail address AWS takes "
                "(ASCII, one @, a domain with a dot); pass e.g. alarm_email='kim@example.com', "
                "or leave it out for alarms without e-mail"
            )
        if backend_image is not None and not IMAGE_RE.match(backend_image):
            raise CourseInputError(
                f"{where}: backend_image={backend_image!r} is not an image reference (e.g. "
                "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/cloudmart-backend:1.0)"
            )
        require_int(where, "backend_port", backend_port, optional=True)
        if backend_port is not None and not 1 <= backend_port <= 65535:
            raise CourseInputError(f"{where}: backend_port={backend_port} is not a TCP port")
        if backend_port is not None and backend_image is None:
            raise CourseInputError(
                f"{where}: backend_port={backend_port} is the port of your own image; pass "
                "backend_image with it, or leave it out for the demo backend"
            )
        if backend_port is None:
            backend_port = DEFAULT_BACKEND_PORT
        require_int(where, "db_connections_alarm", db_connections_alarm, optional=True)
        if db_connections_alarm is not None and db_connections_alarm < 1:
            raise CourseInputError(
                f"{where}: db_connections_alarm={db_connections_alarm}; pass 1 or more"
            )
        if db_connections_alarm is None:  # the class as checked and named above
            db_connections_alarm = db_connections_alarm_for(db_class, where)
        return parameter_prefix, backend_port, db_connections_alarm

    def _parameters(
        self, backend_image: Optional[str], backend_port: int
    ) -> Dict[str, ssm.StringParameter]:
        """One SSM parameter per value the backend reads at boot (your image's name and port
        only with ``backend_image``)."""
        values: Dict[str, str] = {
            "db-endpoint": self.database.endpoint,
            "db-secret-arn": self.database.secret.secret_arn,
            "redis-endpoint": self.cache.endpoint,
            "redis-secret-arn": self.cache.auth_secret.secret_arn,
            "log-group": self.backend_log_group.log_group_name,
        }
        if backend_image is not None:
            values["backend-image"] = backend_image
            values["backend-port"] = str(backend_port)
        return {
            key: ssm.StringParameter(
                self,
                "".join(part.title() for part in key.split("-")) + "Parameter",
                parameter_name=f"{self.parameter_prefix}/{key}",
                string_value=value,
                description=f"CloudMart {key}, read by the backend at boot",
            )
            for key, value in values.items()
        }

    def _boot_script(self, backend_image: Optional[str]) -> List[str]:
        """Docker, an ECR login for an ECR image, the demo's source without one, and compose
        up with the values read from the parameters (and the secrets they name)."""
        stack = Stack.of(self)
        parameter_prefix = self.parameter_prefix
        # Literal names (parameter_name is a token): the boot script names them, nothing else.
        names = {key: f"{parameter_prefix}/{key}" for key in self.parameters}
        parameter_env = {
            "DB_HOST": names["db-endpoint"],
            "REDIS_HOST": names["redis-endpoint"],
            "LOG_GROUP": names["log-group"],
        }
        if backend_image is not None:
            parameter_env.update(
                BACKEND_IMAGE=names["backend-image"], BACKEND_PORT=names["backend-port"]
            )
        boot = userdata.install_docker()
        if backend_image is not None and _ECR_IMAGE_RE.match(backend_image):
            registry = backend_image.split("/", 1)[0]
            boot.append(
                f"aws ecr get-login-password --region {stack.region} | "
                f"docker login --username AWS --password-stdin {registry}"
            )
        if backend_image is None:  # the demo's source, beside where the compose file goes
            for name in DEMO_SOURCE_FILES:
                boot += userdata.write_file_gzipped(
                    f"{userdata.APP_DIR}/{name}", DEMO_BACKEND_DIR / name
                )
        boot += userdata.compose_up_from_parameters(
            DEMO_COMPOSE if backend_image is None else IMAGE_COMPOSE,
            region=stack.region,
            parameter_env=parameter_env,
            secret_env={
                "DB_USER": (names["db-secret-arn"], "username"),
                "DB_PASSWORD": (names["db-secret-arn"], "password"),
                "REDIS_AUTH_TOKEN": (names["redis-secret-arn"], None),
            },
        )
        return boot

    def _grant_backend(self, backend_image: Optional[str]) -> None:
        """The backend's role writes its logs, reads the parameters (and launches after
        them), connects to both stores and pulls your ECR image."""
        # The backend's role (and its group's node) read once: given the backend itself, Node
        # would call back into Python for the role at every grant.
        backend_role = self.backend.grant_principal
        backend_node = self.backend.asg.node
        self.backend_log_group.grant_write(backend_role)
        for parameter in self.parameters.values():
            parameter.grant_read(backend_role)
            # The boot script reads them by name, which CloudFormation cannot see: order it.
            backend_node.add_dependency(parameter)
        self.database.grant_connect(self.backend)
        self.cache.grant_connect(self.backend)
        if backend_image is not None:
            self._grant_image_pull(backend_image)

    def _grant_image_pull(self, image: str) -> None:
        match = _ECR_IMAGE_RE.match(image)
        if match is None:
            return  # a public registry: nothing to grant
        stack = Stack.of(self)
        # An environment-agnostic stack's account or region is a token, known only at deploy:
        # compare what is known; the grant still names the image's repository.
        if any(
            not Token.is_unresolved(mine) and mine != theirs
            for mine, theirs in (
                (stack.account, match["account"]),
                (stack.region, match["region"]),
            )
        ):
            raise CourseInputError(
                f"CloudMartStack {self.node.path}: backend_image {image} is in ECR of another "
                "account or region; push it to this account's ECR in "
                f"{stack.region}, or use a public image"
            )
        repository = ecr.Repository.from_repository_name(
            self, "BackendRepository", match["repository"]
        )
        role = self.backend.role
        # What repository.grant_pull gives, but the login in a policy of its own: its
        # Resource::* is acknowledged there, not on the role, where it would also silence a
        # user's own statement on * (cloudmart.grant_principal.add_to_principal_policy).
        repository.grant(
            role,
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
        )
        login = iam.Policy(
            self,
            "BackendRegistryLogin",
            roles=[role],
            statements=[
                iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"])
            ],
        )
        # The boot script logs in to ECR: launch no instance before the policy exists.
        self.backend.asg.node.add_dependency(login)
        acknowledge(
            login,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken takes no resource ARN; pulling is limited to the one "
            "repository of the backend image.",
        )

    @property
    def connections(self) -> ec2.Connections:
        """The backend instances' security group (``ec2.IConnectable``), whose default port is
        the one they serve on, ``backend.app_port`` (80), not the container's
        ``backend_port``."""
        return self._connections

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The backend instances' role (``iam.IGrantable``)."""
        return self.backend.grant_principal


def _check_parameter_prefix(where: str, stack: Stack, prefix: str) -> None:
    """Refuse a prefix SSM reserves and one whose names SSM would refuse as too long or too
    deep (one another CloudMartStack writes under: ``_check_claim``)."""
    first = prefix.lstrip("/").split("/", 1)[0]
    if first.lower().startswith(("aws", "ssm")):
        raise CourseInputError(
            f"{where}: parameter_prefix={prefix!r} starts with {first[:3]!r}, which SSM keeps "
            "for itself; pass e.g. /week5-kim-Day5Lab1/cloudmart"
        )
    longest = f"{prefix}/{max(PARAMETER_KEYS, key=len)}"
    region = stack.region if not Token.is_unresolved(stack.region) else "ap-southeast-5"
    partition = RegionInfo.get(region).partition or "aws-us-gov"
    arn = f"arn:{partition}:ssm:{region}:123456789012:parameter{longest}"
    if len(arn) > SSM_NAME_MAX_WITH_ARN:
        most = len(prefix) - (len(arn) - SSM_NAME_MAX_WITH_ARN)
        raise CourseInputError(
            f"{where}: parameter_prefix is {len(prefix)} characters; SSM takes a name of at "
            f"most {SSM_NAME_MAX_WITH_ARN} with its ARN, and <prefix>/{longest.rsplit('/', 1)[1]} "
            f"would be {len(arn)}: use at most {most}"
        )
    if longest.count("/") > SSM_MAX_LEVELS:
        raise CourseInputError(
            f"{where}: parameter_prefix={prefix!r} has {prefix.count('/')} levels; SSM names "
            f"go {SSM_MAX_LEVELS} deep, with the parameter's own: use at most "
            f"{SSM_MAX_LEVELS - 1}"
        )


def _claim_of(cloudmart: Construct, parameter_prefix: str, name_prefix: str) -> _Claim:
    stack = Stack.of(cloudmart)
    return _Claim(
        cloudmart.node.path,
        stack.node.path,
        stack.account,
        stack.region,
        parameter_prefix,
        name_prefix,
    )


def _may_share_region(one: _Claim, other: _Claim) -> bool:
    """Whether two CloudMartStacks' stacks may deploy to one account and region: yes in one
    stack, and unless an account or region both stacks know differs (an environment-agnostic
    stack's are known only at deploy)."""
    return one.stack == other.stack or not any(
        not Token.is_unresolved(mine) and not Token.is_unresolved(theirs) and mine != theirs
        for mine, theirs in ((one.account, other.account), (one.region, other.region))
    )


def _environment(claim: _Claim) -> str:
    account = "any account" if Token.is_unresolved(claim.account) else claim.account
    region = "any region" if Token.is_unresolved(claim.region) else claim.region
    return f"{account}, {region}"


def _check_claim(where: str, cloudmart: Construct, claim: _Claim) -> None:
    """Refuse a ``parameter_prefix`` another CloudMartStack of the app writes its parameters
    under in what may be the same account and region (SSM's names are unique there: the second
    deploy fails, the parameter already exists), and a ``name_prefix`` another in the same
    stack names its resources with (the same Name tags twice)."""
    claims = _CLAIMS.get(cloudmart.node.root, ())
    stack_name = Stack.of(cloudmart).stack_name
    construct_id = cloudmart.node.id
    prefix = claim.parameter_prefix
    for other in claims:
        if other.parameter_prefix != prefix or not _may_share_region(claim, other):
            continue
        if other.stack == claim.stack:
            why = "in the same stack, and SSM parameter names are unique per account and region"
        else:
            # Both environments known and not different: the same.
            known = not any(
                Token.is_unresolved(value)
                for value in (claim.account, claim.region, other.account, other.region)
            )
            goes = (
                f"deploys to the same account and region ({_environment(claim)})"
                if known
                else f"({_environment(other)}) may deploy to the same account and region as "
                f"{claim.stack} ({_environment(claim)})"
            )
            why = (
                f"whose stack {other.stack} {goes}, where SSM parameter names are unique: the "
                "second deploy would fail, the parameter already exists"
            )
        raise CourseInputError(
            f"{where}: parameter_prefix {prefix} is also {other.path}'s, {why}; pass another "
            f"parameter_prefix to one of them, e.g. parameter_prefix='/{stack_name}/"
            f"{construct_id}'"
        )
    for other in claims:
        if other.stack == claim.stack and other.name_prefix == claim.name_prefix:
            example = re.sub(r"[^a-z0-9-]", "", construct_id.lower()) or "shop"
            raise CourseInputError(
                f"{where}: name_prefix={claim.name_prefix!r} is also {other.path}'s, in the "
                f"same stack: both would give their database, cache and backend the same Name "
                f"tags ({claim.name_prefix}-db-sg, ...); pass another name_prefix to one of "
                f"them, e.g. name_prefix='{claim.name_prefix}-{example}'"
            )


#: Room for the lines HaWebTier appends to a boot script after its first size check.
_TIER_LINES_BYTES = 1024


def _prefix_too_long(where: str, prefix: str, boot, error: CourseInputError) -> Exception:
    """The backend's user data over EC2's limit because the boot script names every parameter
    by its full name: said of ``parameter_prefix``, with the length that fits. Another error,
    or one a shorter prefix would not fix, as it was."""
    size = re.search(r"user data is (\d+) bytes; EC2 takes (\d+)", str(error))
    uses = "\n".join(boot).count(prefix)
    if size is None or not uses:
        return error
    # The size said may be the boot script's before the tier adds its readiness wait and
    # cfn-signal (about 500 bytes): leave room for them, so the length named fits.
    excess = int(size[1]) - int(size[2]) + _TIER_LINES_BYTES
    most = len(prefix) - -(-excess // uses)
    if most < 2:
        return error
    return CourseInputError(
        f"{where}: parameter_prefix is {len(prefix)} characters, in the backend's boot script "
        f"{uses} times, which takes its user data past EC2's {size[2]} bytes: use at most "
        f"{most}"
    )


def _check_scope(where: str, cloudmart: Construct) -> None:
    """A construct, despite its name: CDK refuses one outside a Stack (with
    ``ShouldBeCreatedInStackScope``, deep in the VPC), so say what to write instead."""
    if not any(Stack.is_stack(scope) for scope in cloudmart.node.scopes):
        raise CourseInputError(
            f"{where}: a CloudMartStack is a construct, not a Stack; create it inside a "
            f"Stack, e.g. CloudMartStack(Stack(app, 'CloudMart'), '{cloudmart.node.id}')"
        )


def _check_props(where: str, **props: Any) -> str:
    """Refuse a wrong prop of ``CloudMartStack`` under its own name (the inner constructs repeat
    these checks under theirs). Returns ``db_instance_type``'s RDS class name."""
    check_name_prefix(where, props["name_prefix"], DEFAULT_NAME_PREFIX, "week5-day5-kim")
    selection = props["data_subnets"]
    if selection is not None and not isinstance(selection, ec2.SubnetSelection):
        raise CourseInputError(
            f"{where}: data_subnets={shown(selection)} must be an ec2.SubnetSelection, e.g. "
            f"{_DATA_SUBNETS_EXAMPLE}"
        )
    if props["nat"] is not None:
        require_enum(where, "nat", props["nat"], NatMode)
    instance_type_name(
        where, props["instance_type"], INSTANCE_TYPE_RE, "an EC2 instance type (e.g. t3.micro)"
    )
    low, high = props["min_capacity"], props["max_capacity"]
    require_int(where, "min_capacity", low)
    require_int(where, "max_capacity", high)
    if low < 0:
        raise CourseInputError(f"{where}: min_capacity={low} is negative; use 0 or more")
    if low > high:
        raise CourseInputError(
            f"{where}: min_capacity={low} is above max_capacity={high}; raise max_capacity "
            "or lower min_capacity"
        )
    db_class = require_instance_type(
        where,
        "db_instance_type",
        props["db_instance_type"],
        DB_CLASS_RE,
        f"an RDS class (db.family.size, e.g. {DEFAULT_DB_INSTANCE_TYPE}, the course's class)",
        prefix="db.",
    )
    require_bool(where, "db_multi_az", props["db_multi_az"])
    for name, most, what in (
        ("db_backup_retention_days", MAX_BACKUP_RETENTION_DAYS,
         f"RDS keeps 0 to {MAX_BACKUP_RETENTION_DAYS} days of backups"),
        ("cache_snapshot_retention_days", MAX_SNAPSHOT_RETENTION_DAYS,
         f"ElastiCache keeps 0 to {MAX_SNAPSHOT_RETENTION_DAYS} daily snapshots"),
        ("cache_replicas", MAX_REPLICAS,
         f"a shard holds 0 to {MAX_REPLICAS} replicas (1 adds failover across AZs)"),
    ):
        require_int(where, name, props[name])
        if not 0 <= props[name] <= most:
            raise CourseInputError(f"{where}: {name}={props[name]} is out of range; {what}")
    node_type = props["cache_node_type"]
    refuse_token(where, "cache_node_type", node_type, "a node type's name")
    try:
        validate_node_type(node_type, where)
    except CourseInputError:
        raise CourseInputError(
            f"{where}: cache_node_type={shown(node_type)} is not an ElastiCache node type; use "
            f"e.g. {DEFAULT_NODE_TYPE} (the course's) or cache.t4g.micro (cheaper)"
        ) from None
    engine = props["cache_engine"]
    require_str(where, "cache_engine", engine)
    if engine not in ENGINE_VERSIONS:
        raise CourseInputError(
            f"{where}: cache_engine={engine!r} is not offered here; use 'redis' (the course's) "
            "or 'valkey' (cheaper)"
        )
    path = props["health_check_path"]
    require_str(where, "health_check_path", path)
    if not is_checkable_path(path):
        raise CourseInputError(
            f"{where}: health_check_path={shown(path)} must start with / and hold no quote, "
            f"space or backslash; e.g. {DEFAULT_HEALTH_CHECK_PATH}"
        )
    require_member(
        where, "log_retention", props["log_retention"], logs.RetentionDays,
        "logs.RetentionDays.ONE_WEEK (a number of days is not taken)",
    )
    folder = props["frontend_dir"]
    if not isinstance(folder, (str, os.PathLike)):
        raise CourseInputError(
            f"{where}: frontend_dir={shown(folder)} must be a folder's path, e.g. "
            "Path('frontend/dist'), the frontend's built files"
        )
    if not Path(folder).is_dir():
        raise CourseInputError(
            f"{where}: frontend_dir={str(folder)!r} is not a folder; pass the folder of "
            "the frontend's built files (e.g. frontend/dist)"
        )
    if not (Path(folder) / DEFAULT_ROOT_OBJECT).is_file():
        raise CourseInputError(
            f"{where}: frontend_dir={str(folder)!r} has no {DEFAULT_ROOT_OBJECT}; pass the "
            "folder of the built files, which holds it (e.g. frontend/dist)"
        )
    return db_class


def _check_vpc(where: str, cloudmart: Construct, vpc: Any, nat: Optional[NatMode]) -> None:
    """Refuse, under ``vpc=``, what is not a VPC, one of another region or account, ``nat``
    beside it (the VPC's NAT is its own) and a VPC without what CloudMart places in it:
    private subnets with egress in 2 AZs (the backend pulls its image through NAT; RDS's
    subnet group needs 2 AZs), each with a route out if defined in the app (an imported
    subnet's routes are unknown here), and public subnets in 2 AZs (the ALB). Left to the inner
    constructs, the message would name their props (PostgresDatabase's subnets), or a VPC
    without NAT would put the backend in its public subnets unasked."""
    require_vpc(where, vpc)
    # A VPC of another stack is taken (a cross-stack reference), if in CloudMart's account and
    # region: RDS, ElastiCache and the ALB take subnets of their own region only.
    stack = Stack.of(cloudmart)
    for what, theirs, mine in (
        ("region", vpc.env.region, stack.region),
        ("account", vpc.env.account, stack.account),
    ):
        if not Token.is_unresolved(theirs) and not Token.is_unresolved(mine) and theirs != mine:
            raise CourseInputError(
                f"{where}: vpc= is in {what} {theirs} (stack {Stack.of(vpc).stack_name}), and "
                f"CloudMart's stack is in {mine}: its database, cache and ALB need subnets of "
                f"their own {what}; pass a VPC of {mine}, or leave vpc out for one of "
                "CloudMart's own"
            )
    if nat is not None:
        raise CourseInputError(
            f"{where}: nat={nat} with vpc=: a VPC you pass has its own NAT; leave nat out, or "
            "leave vpc out for a VPC of CloudMart's own with that NAT"
        )
    missing = []
    for kind, subnets in (
        ("private subnets with egress (NAT)", vpc.private_subnets),
        ("public subnets", vpc.public_subnets),
    ):
        zones = sorted({subnet.availability_zone for subnet in subnets})
        if len(zones) < 2:
            found = f"in 1 AZ ({zones[0]})" if zones else "none"
            missing.append(f"{kind}: {found}")
    if missing:
        raise CourseInputError(
            f"{where}: vpc= needs private subnets with egress (NAT) and public subnets, each "
            f"in at least 2 AZs, and has {'; '.join(missing)}; pass a VPC with both, e.g. "
            "MultiAzVpc(self, 'Network').vpc, or leave vpc out for one of CloudMart's own"
        )
    closed = _subnets_without_route_out(vpc.private_subnets)
    if closed:
        raise CourseInputError(
            f"{where}: vpc= has private subnets with egress but no route out (0.0.0.0/0): "
            f"{', '.join(closed)}; the backend there could pull no image nor signal "
            "CloudFormation, and the deploy would fail at its timeout; give the VPC NAT (e.g. "
            "ec2.Vpc(nat_gateways=1)) or add a 0.0.0.0/0 route to each, or leave vpc out for "
            "one of CloudMart's own"
        )


#: ``data_subnets``'s example, in its messages.
_DATA_SUBNETS_EXAMPLE = (
    "data_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)"
)
#: ``ec2.SubnetSelection``'s fields, as ``IVpc.select_subnets`` takes them (keywords).
_SELECTION_FIELDS = (
    "availability_zones",
    "one_per_az",
    "subnet_filters",
    "subnet_group_name",
    "subnet_type",
    "subnets",
)


def _data_subnets(
    where: str, vpc: ec2.IVpc, selection: Optional[ec2.SubnetSelection]
) -> List[ec2.ISubnet]:
    """The database's and cache's subnets: ``selection`` of ``vpc``, else its isolated subnets
    when it has any, else its private ones (a ``MultiAzVpc`` has one kind or the other).
    Refused under ``data_subnets=``: a selection of none, of a public subnet, or in 1 AZ
    (RDS's subnet group needs 2)."""
    if selection is None:
        return list(vpc.isolated_subnets or vpc.private_subnets)
    fields = {name: getattr(selection, name) for name in _SELECTION_FIELDS}
    fix = (
        f"select the VPC's private or isolated subnets in 2 AZs, e.g. {_DATA_SUBNETS_EXAMPLE}, "
        "or leave it out for its isolated subnets, else its private ones"
    )
    try:
        subnets = list(
            vpc.select_subnets(**{k: v for k, v in fields.items() if v is not None}).subnets
        )
    except RuntimeError:  # CDK's "There are no 'Isolated' subnet groups in this VPC. ..."
        subnets = []
    if not subnets:
        raise CourseInputError(
            f"{where}: data_subnets= selects no subnet of the VPC, which has "
            f"{len(vpc.public_subnets)} public, {len(vpc.private_subnets)} private with "
            f"egress and {len(vpc.isolated_subnets)} isolated subnets; {fix}"
        )
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    exposed = [subnet.node.path for subnet in subnets if subnet.subnet_id in public]
    if exposed:
        raise CourseInputError(
            f"{where}: data_subnets= selects public subnets ({', '.join(exposed)}), and the "
            f"database and cache belong in private ones; {fix}"
        )
    zones = sorted({subnet.availability_zone for subnet in subnets})
    if len(zones) < 2:
        raise CourseInputError(
            f"{where}: data_subnets= selects subnets in 1 AZ ({zones[0]}), and RDS's subnet "
            f"group needs 2; {fix}"
        )
    return subnets


#: Where IPv4's default route goes.
_ANYWHERE = "0.0.0.0/0"


def _subnets_without_route_out(subnets: List[ec2.ISubnet]) -> List[str]:
    """The paths of the subnets defined in the app (an imported one's routes are not known
    here) with no 0.0.0.0/0 route yet: CDK names the one it adds for a NAT gateway or
    instance ``DefaultRoute`` (in the subnet); one added by hand (``subnet.add_route``,
    ``ec2.CfnRoute``) is found by its route table."""
    closed = []
    for subnet in subnets:
        if not isinstance(subnet.node.default_child, ec2.CfnSubnet):
            continue  # imported: its route table is not in the app
        route = subnet.node.try_find_child("DefaultRoute")
        if not (isinstance(route, ec2.CfnRoute) and route.destination_cidr_block == _ANYWHERE):
            closed.append(subnet)
    if closed:
        # Resolved ({"Ref": <table>}): the same table however its id was written.
        tables = {
            str(Stack.of(child).resolve(child.route_table_id))
            for child in closed[0].node.root.node.find_all()
            if isinstance(child, ec2.CfnRoute) and child.destination_cidr_block == _ANYWHERE
        }
        closed = [
            subnet
            for subnet in closed
            if str(Stack.of(subnet).resolve(subnet.route_table.route_table_id)) not in tables
        ]
    return [subnet.node.path for subnet in closed]


def db_connections_alarm_for(db_instance_type: str, where: str) -> int:
    """The connections alarm's default threshold for ``db_instance_type`` (``db.t3.micro``; see
    :func:`~week5.constructs.monitoring.db_connections_alarm`), or a message naming the prop."""
    threshold = db_connections_alarm(db_instance_type)
    if threshold is None:
        raise CourseInputError(
            f"{where}: db_instance_type={db_instance_type!r} is outside the t, m and r "
            "classes whose memory (and so connection limit) is known here; pass "
            "db_connections_alarm= too"
        )
    return threshold
