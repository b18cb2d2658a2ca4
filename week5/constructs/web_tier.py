"""HaWebTier: an Application Load Balancer in front of an Auto Scaling group (Day 4 Lab 1)."""

from __future__ import annotations

import enum
import re
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

import jsii
from aws_cdk import Duration, Stack, Tags, Token
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from week5.analysis.timing import BOOT_SECONDS_METADATA
from week5.constructs import access, userdata
from week5.constructs.alb_ingress import admit_audience, audience
from week5.constructs.hardening import (
    DEFAULT_INSTANCE_TYPE,
    INSTANCE_TYPE_RE,
    TAG_VALUE_MAX,
    TAG_VALUE_RE,
    amazon_linux_2023,
    boot_script,
    check_user_data_size,
    describe,
    encrypted_root_volume,
    session_manager_role,
)
from week5.constructs.interfaces import ConnectableGrantable
from week5.constructs.signals import (
    HEALTH_CHECK_INTERVAL_S,
    HEALTHY_THRESHOLD,
    UNHEALTHY_THRESHOLD,
    MAX_BOOT_TIME,
    default_boot_time,
    min_in_service,
    signal_timeout,
    signal_when_ready,
    update_pause_time,
)
from week5.constructs.props import (
    instance_type_name,
    require_bool,
    require_duration,
    require_enum,
    require_int,
    require_lines,
    require_number,
    require_str,
    require_subnets,
    require_vpc,
    shown,
)
from week5.core.errors import CourseInputError
from week5.synth.lab import LabStack
from week5.synth.nag import acknowledge, acknowledge_all

#: The course's sizes (Day 4 Lab 1: "ASG 생성 (Min: 2, Max: 4)").
DEFAULT_MIN_CAPACITY = 2
DEFAULT_MAX_CAPACITY = 4
#: Target tracking: keep average CPU near half, so a load test scales out within minutes.
DEFAULT_CPU_TARGET_PERCENT = 50
#: Instances get at least this long (and at least their ``boot_time``) to boot and pass health
#: checks before ELB checks count.
HEALTH_CHECK_GRACE = Duration.minutes(5)
#: Deregistration waits this long for in-flight requests (ALB's default is 300 s, slow to destroy).
DEREGISTRATION_DELAY = Duration.seconds(30)
#: An ACM certificate's ARN: an ALB's listener takes one of its own region.
CERTIFICATE_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$"
)
#: Above the Name CDK gives a launch template (its path, priority 100).
_NAME_TAG_PRIORITY = 200


def _check_certificate_arn(where: str, arn: str, region: str) -> None:
    """An ACM certificate's ARN (a token, such as ``certificate.certificate_arn``, is taken),
    of the stack's region where the stack has one: an ALB takes no other region's."""
    if Token.is_unresolved(arn):
        return
    match = CERTIFICATE_ARN_RE.match(arn)
    if match is None:
        raise CourseInputError(
            f"{where}: certificate_arn={arn!r} is not an ACM certificate's ARN; pass one like "
            "arn:aws:acm:ap-northeast-2:123456789012:certificate/<id> (ACM console, Certificates)"
        )
    if not Token.is_unresolved(region) and match["region"] != region:
        raise CourseInputError(
            f"{where}: certificate_arn is in {match['region']}, the stack in {region}; an ALB "
            f"takes a certificate of its own region: request or import one in ACM in {region}"
        )


#: The longest Name tag ``name`` starts: the ALB's security group's.
_LONGEST_NAME_SUFFIX = "-alb-sg"


def _require_name(where: str, name: str) -> None:
    """``name``: not blank (the group would be ``-asg``, the launch template's Name empty),
    only what an ELB tag holds, and short enough that ``<name>-alb-sg`` fits a tag's 256."""
    if not name.strip():
        raise CourseInputError(
            f"{where}: name={shown(name)} is blank: the group's Name would read "
            f"'{name}-asg' and the instances' be empty; pass e.g. name='week5-day4-kim-web', "
            "or leave it out"
        )
    if not TAG_VALUE_RE.fullmatch(name):
        raise CourseInputError(
            f"{where}: name={shown(name)} has characters the ALB's Name tag cannot hold; use "
            "letters, digits, spaces and _.:/=+-@, e.g. name='week5-day4-kim-web'"
        )
    most = TAG_VALUE_MAX - len(_LONGEST_NAME_SUFFIX)
    if len(name) > most:
        raise CourseInputError(
            f"{where}: name is {len(name)} characters; its longest Name tag "
            f"('<name>{_LONGEST_NAME_SUFFIX}') takes {TAG_VALUE_MAX}: pass {most} characters "
            "or fewer"
        )


def _require_default_name(where: str, tier: Construct, name: str) -> None:
    """The default name, held to the explicit name's rules: a construct id with ``(`` or of 300
    characters would give Name tags the ALB refuses."""
    what = (
        "the default name (the lab's Name prefix and the construct id)"
        if isinstance(Stack.of(tier), LabStack)
        else "the construct path, the default name,"
    )
    most = TAG_VALUE_MAX - len(_LONGEST_NAME_SUFFIX)
    if not TAG_VALUE_RE.fullmatch(name):
        raise CourseInputError(
            f"{where}: {what} {shown(name)} has characters the ALB's Name tag cannot hold; "
            "pass name= with letters, digits, spaces and _.:/=+-@, e.g. "
            "name='week5-day4-kim-web'"
        )
    if len(name) > most:
        raise CourseInputError(
            f"{where}: {what} is {len(name)} characters; its longest Name tag "
            f"('<name>{_LONGEST_NAME_SUFFIX}') takes {TAG_VALUE_MAX}: pass a name= of {most} "
            "characters or fewer"
        )


def _default_name(tier: Construct, construct_id: str) -> str:
    """``<prefix>-<id>`` in a course lab stack (``week5-day4-kim-web``), else the path."""
    stack = Stack.of(tier)
    if isinstance(stack, LabStack):
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", construct_id).lower()
        return f"{stack.name_prefix}-{words}"
    return tier.node.path


def is_checkable_path(path: str) -> bool:
    """A path the target group and the boot script's readiness loop can both use: it starts
    with / and holds no quote, space or backslash (the loop puts it in a shell command)."""
    return path.startswith("/") and not any(c in path for c in "'\" \\\n")


def _zones(subnets: Sequence[ec2.ISubnet]) -> List[str]:
    return sorted({subnet.availability_zone for subnet in subnets})


def _alb_subnets_message(
    where: str, vpc: ec2.IVpc, internet_facing: bool, alb_subnets: Sequence[ec2.ISubnet]
) -> str:
    """Why the ALB has no subnets in two AZs: ``internet_facing`` picks the VPC's public
    subnets, else its private (or isolated) ones; the fix is a VPC whose subnets of that kind
    span two AZs, or the other scheme where the VPC's other subnets do."""
    kind, other_kind = ("public", "private") if internet_facing else ("private", "public")
    zones = _zones(alb_subnets)
    found = (
        f"its {kind} subnets are in one AZ ({zones[0]})" if zones else f"it has no {kind} subnets"
    )
    fix = (
        f"pass a vpc with {kind} subnets in two AZs, e.g. MultiAzVpc(self, 'Network').vpc "
        "(two AZs, public and private, by default)"
    )
    others = (
        list(vpc.private_subnets) or list(vpc.isolated_subnets)
        if internet_facing
        else list(vpc.public_subnets)
    )
    if len(_zones(others)) >= 2:
        scheme = "an internal ALB" if internet_facing else "an internet-facing ALB"
        fix += (
            f", or internet_facing={not internet_facing} for {scheme} in its {other_kind} "
            "subnets"
        )
    return (
        f"{where}: internet_facing={internet_facing} puts the ALB in the VPC's {kind} subnets, "
        f"and an ALB needs them in two AZs, but {found}: {fix}"
    )


class _CheckedProps(NamedTuple):
    """``HaWebTier``'s props once checked, completed by their defaults."""

    instance_type: str
    https: bool
    ready_path: str
    lines: List[str]
    boot_time: Duration
    instance_subnets: List[ec2.ISubnet]
    alb_subnets: List[ec2.ISubnet]


class ScalingMetric(enum.Enum):
    """What target tracking holds steady."""

    #: Average CPU of the group, in percent.
    CPU = "cpu"
    #: ALB requests per target, per minute.
    REQUESTS_PER_TARGET = "requests-per-target"


@jsii.implements(ec2.IConnectable, iam.IGrantable)
class HaWebTier(Construct):
    """ALB + Auto Scaling group of Amazon Linux 2023 instances, health-checked and target-tracked.

    :param vpc: the VPC.
    :param instance_subnets: where instances run. @default the VPC's private subnets with egress
        (they pull packages), else its public subnets
    :param internet_facing: an internet-facing ALB in public subnets, else an internal one in
        private subnets, which admits only the callers granted with ``grant_connect(caller)``
        (at least one, or synthesis fails: an internal ALB that admits no one is a mistake).
        @default True
    :param instance_type: a name or an ``ec2.InstanceType``. @default ``t3.micro``
    :param min_capacity: the fewest instances the group keeps: two, one per AZ, so losing an
        AZ leaves one serving. @default 2 (the course's)
    :param max_capacity: the most instances scaling may add, which caps a load test's bill.
        A rolling update keeps ``min_capacity`` in service, or one fewer when the two are equal
        (CloudFormation takes a MinInstancesInService below MaxSize only). @default 4 (the
        course's)
    :param desired_capacity: the size to start at, between the two. @default unset:
        CloudFormation starts at ``min_capacity`` and redeploys leave the group's current size
        alone (a fixed value would undo a scale-out at every deploy)
    :param app_port: the port instances serve on. @default 80
    :param health_check_path: what the target group polls: a liveness path that the app's
        process answers by itself. It must not query a database or cache: during an RDS
        Multi-AZ failover (60-120 s) such a check fails on every instance at once, the target
        group marks them all unhealthy after 45 s and the group replaces healthy instances.
        Report the stores on a readiness path (``ready_path``) instead. @default ``/``
    :param ready_path: what each instance polls on itself (``http://127.0.0.1:<app_port>`` and
        this path) before it signals CloudFormation that it serves: the group has a creation
        policy, so ``cdk deploy`` returns only when every first instance answers. A readiness
        path may check the stores (they exist before the group). @default ``health_check_path``
    :param boot_time: launch to answering ``ready_path``, at the upper end. ``week5 labs`` counts
        it as the group's creation time (the template's ``week5:BootSeconds`` metadata);
        CloudFormation waits twice as long (at least 10 minutes) for the signals before it
        fails the deploy (a rolling update at most an hour for each new instance, its longest
        PauseTime), and ELB health checks count only after it. An hour at most. @default 3
        minutes, 8 when the boot script installs Docker (images to pull, an app's first start)
    :param cloudfront_origin: the ALB is a CloudFront origin: its security group admits the
        listener's port only from CloudFront's origin-facing servers (the AWS-managed prefix
        list ``com.amazonaws.global.cloudfront.origin-facing``, whose id differs per region and
        is looked up at deploy time by a small custom resource), so no one reaches the app
        around CloudFront and ``url`` answers only through it. Needs ``internet_facing``. The
        reference counts as 55 of the group's 60 inbound rules: only the listener's port is
        opened. @default False (80 from anywhere, and 443 with ``certificate_arn``)
    :param user_data_lines: the boot script. @default an nginx page naming the instance and AZ,
        so reloading the ALB URL shows the balancing
    :param scaling_metric: what target tracking follows: average CPU, as the course's load
        test drives it, or requests per target, for an app whose CPU says little.
        @default ``ScalingMetric.CPU``
    :param scaling_target: percent CPU, or requests per target per minute.
        @default 50 (% CPU), 1000 (requests)
    :param detailed_monitoring: the instances send their EC2 metrics every minute, not every
        five: CPU target tracking then acts within minutes of a load test (AWS recommends it
        for target tracking; with 5-minute data a 10-minute test can end before the group
        scales out). About $0.003 an instance-hour (7 metrics at $0.30 a month).
        @default False
    :param certificate_arn: an ACM certificate: adds an HTTPS listener on 443 and redirects 80 to
        it. @default None (HTTP on 80 only)
    :param https: require HTTPS; needs ``certificate_arn``. @default ``certificate_arn is not None``
    :param name: the Name of the instances and their volumes (from the launch template), and
        with a suffix of the group (``-asg``), ALB (``-alb``), target group (``-tg``) and
        security groups (``-alb-sg``, ``-sg``): in one account, twelve students' tiers are told
        apart by it. Letters and digits of any script, spaces and ``_.:/=+-@`` (what an ALB's tag
        holds), 249 characters at most (``<name>-alb-sg`` fits a tag's 256). @default in a course lab stack, its Name prefix and the construct id
        (``week5-day4-kim-web`` for ``Web``), as the lab's VPC and hosts are named; elsewhere
        the construct path

    Instances: IMDSv2 required, encrypted gp3 root, Session Manager role; their security group
    admits ``app_port`` only from the ALB's. Each instance's boot script ends, whatever lines
    were added, by waiting for ``ready_path`` to answer locally, then for the target group's two
    passing checks, and sends ``cfn-signal`` with the script's exit status (a failed boot fails
    the deploy at once, with the instance named, instead of at the timeout). The tier is an
    ``ec2.IConnectable`` (its instances' security group, which is what a database or cache
    admits with ``grant_connect(tier)``; no default port, as callers come in through the ALB)
    and an ``iam.IGrantable`` (the instances' role). ``grant_connect(caller)`` admits a caller
    to an internal ALB's listener; so does ``listener.connections.allow_default_port_from(
    caller)``. Exposes ``alb``, ``asg``,
    ``launch_template``, ``target_group``, ``listener``, ``alb_security_group``,
    ``instance_security_group``, ``role``, ``user_data``, ``url``, ``app_port``,
    ``internet_facing``, ``cloudfront_origin``, ``ready_path``, ``boot_time`` and
    ``signal_timeout``; ``add_boot_lines()`` appends to the boot script (before the signal).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        instance_subnets: Optional[Sequence[ec2.ISubnet]] = None,
        internet_facing: bool = True,
        instance_type: Union[str, ec2.InstanceType] = DEFAULT_INSTANCE_TYPE,
        min_capacity: int = DEFAULT_MIN_CAPACITY,
        max_capacity: int = DEFAULT_MAX_CAPACITY,
        desired_capacity: Optional[int] = None,
        app_port: int = 80,
        health_check_path: str = "/",
        ready_path: Optional[str] = None,
        boot_time: Optional[Duration] = None,
        cloudfront_origin: bool = False,
        user_data_lines: Optional[Sequence[str]] = None,
        scaling_metric: ScalingMetric = ScalingMetric.CPU,
        scaling_target: Optional[float] = None,
        certificate_arn: Optional[str] = None,
        https: Optional[bool] = None,
        detailed_monitoring: bool = False,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"HaWebTier {node_path}"
        checked = self._check_props(
            where,
            vpc=vpc,
            instance_subnets=instance_subnets,
            internet_facing=internet_facing,
            instance_type=instance_type,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            desired_capacity=desired_capacity,
            app_port=app_port,
            health_check_path=health_check_path,
            ready_path=ready_path,
            boot_time=boot_time,
            cloudfront_origin=cloudfront_origin,
            user_data_lines=user_data_lines,
            scaling_metric=scaling_metric,
            scaling_target=scaling_target,
            certificate_arn=certificate_arn,
            https=https,
            detailed_monitoring=detailed_monitoring,
            name=name,
        )
        https = checked.https

        #: Whether the ALB faces the internet (public subnets), else internal.
        self.internet_facing: bool = internet_facing
        #: Whether the ALB admits only CloudFront's origin-facing servers (a CloudFront origin).
        self.cloudfront_origin: bool = cloudfront_origin
        #: The port the instances serve on, behind the ALB.
        self.app_port: int = app_port
        #: The path each instance polls on itself before it signals CloudFormation.
        self.ready_path: str = checked.ready_path
        #: Launch to answering ``ready_path``, at the upper end (the group's creation estimate).
        self.boot_time: Duration = checked.boot_time
        #: How long CloudFormation waits for the instances' signals (twice ``boot_time``, at
        #: least 10 minutes).
        self.signal_timeout: Duration = signal_timeout(checked.boot_time)
        alb_security_group, instance_security_group = self._security_groups(vpc, https)
        #: The ALB's security group: 80 (and 443 with HTTPS) from anywhere, the listener's port
        #: from CloudFront's origin-facing servers, or (internal) the granted callers.
        self.alb_security_group: ec2.SecurityGroup = alb_security_group
        #: The instances' security group: ``app_port`` from the ALB only.
        self.instance_security_group: ec2.SecurityGroup = instance_security_group
        #: The instances' role (Session Manager); the tier's ``grant_principal``.
        self.role: iam.Role = session_manager_role(self, "InstanceRole", node_path)
        #: The instances' boot script; ``add_boot_lines()`` appends to it.
        self.user_data: ec2.UserData = boot_script(checked.lines, where)
        #: The launch template: IMDSv2, encrypted gp3 root, the role and the boot script.
        self.launch_template: ec2.LaunchTemplate = self._launch_template(
            checked.instance_type, detailed_monitoring
        )
        #: The Auto Scaling group of the instances.
        self.asg: autoscaling.AutoScalingGroup = self._asg(
            vpc, checked.instance_subnets, min_capacity, max_capacity, desired_capacity
        )
        #: The Application Load Balancer.
        self.alb: elbv2.ApplicationLoadBalancer = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=internet_facing,
            vpc_subnets=ec2.SubnetSelection(subnets=checked.alb_subnets),
            security_group=self.alb_security_group,
            drop_invalid_header_fields=True,
        )
        #: The target group of the Auto Scaling group, health-checked on ``health_check_path``.
        self.target_group: elbv2.ApplicationTargetGroup = self._target_group(
            vpc, health_check_path
        )
        self._signal_when_ready()
        #: The listener callers reach: HTTPS on 443 with a certificate, else HTTP on 80. Its
        #: ``connections`` have the listener's port as their default port.
        self.listener: elbv2.ApplicationListener = self._listener(https, certificate_arn)
        self._scaling(scaling_metric, scaling_target)
        scheme = "https" if https else "http"
        #: The ALB's URL (``http://`` or ``https://`` and its DNS name). A ``cloudfront_origin``
        #: ALB answers it only to CloudFront: give viewers the distribution's address instead.
        self.url: str = f"{scheme}://{self.alb.load_balancer_dns_name}"
        self._name_parts(name if name is not None else _default_name(self, construct_id))
        self._acknowledge(internet_facing)

    def _check_props(
        self,
        where: str,
        *,
        vpc: ec2.IVpc,
        instance_subnets: Optional[Sequence[ec2.ISubnet]],
        internet_facing: bool,
        instance_type: Union[str, ec2.InstanceType],
        min_capacity: int,
        max_capacity: int,
        desired_capacity: Optional[int],
        app_port: int,
        health_check_path: str,
        ready_path: Optional[str],
        boot_time: Optional[Duration],
        cloudfront_origin: bool,
        user_data_lines: Optional[Sequence[str]],
        scaling_metric: ScalingMetric,
        scaling_target: Optional[float],
        certificate_arn: Optional[str],
        https: Optional[bool],
        detailed_monitoring: bool,
        name: Optional[str],
    ) -> _CheckedProps:
        """Refuse a wrong prop under its own name, before anything is made; return the props
        the defaults complete (the instance type's name, HTTPS, the ready path, the boot
        script and time, the instances' and the ALB's subnets)."""
        require_str(where, "name", name, optional=True, instead="a name such as 'web'")
        if name is not None:
            _require_name(where, name)
        else:
            _require_default_name(where, self, _default_name(self, self.node.id))
        require_vpc(where, vpc)
        for label, number in (
            ("min_capacity", min_capacity),
            ("max_capacity", max_capacity),
            ("app_port", app_port),
        ):
            require_int(where, label, number)
        require_int(where, "desired_capacity", desired_capacity, optional=True)
        require_number(where, "scaling_target", scaling_target, optional=True)
        require_str(where, "health_check_path", health_check_path, instead="a path such as '/'")
        require_str(where, "ready_path", ready_path, optional=True, instead="a path such as '/'")
        require_str(where, "certificate_arn", certificate_arn, optional=True)
        require_bool(where, "detailed_monitoring", detailed_monitoring)
        require_bool(where, "internet_facing", internet_facing)
        require_bool(where, "cloudfront_origin", cloudfront_origin)
        if https is not None:
            require_bool(where, "https", https)
        if instance_subnets is not None:
            require_subnets(where, "instance_subnets", instance_subnets, vpc)
        require_duration(where, "boot_time", boot_time, optional=True)
        require_enum(where, "scaling_metric", scaling_metric, ScalingMetric)
        if user_data_lines is not None:
            require_lines(where, "user_data_lines", user_data_lines)
        instance_type = instance_type_name(
            where, instance_type, INSTANCE_TYPE_RE, "an EC2 instance type (e.g. t3.micro)"
        )
        desired = min_capacity if desired_capacity is None else desired_capacity
        https = certificate_arn is not None if https is None else https
        if min_capacity < 0:
            raise CourseInputError(
                f"{where}: min_capacity={min_capacity} is negative; use 0 or more"
            )
        if min_capacity > max_capacity:
            raise CourseInputError(
                f"{where}: min_capacity={min_capacity} is above max_capacity={max_capacity}; "
                "raise max_capacity or lower min_capacity"
            )
        if not min_capacity <= desired <= max_capacity:
            raise CourseInputError(
                f"{where}: desired_capacity={desired} is outside {min_capacity}..{max_capacity}"
            )
        if https and certificate_arn is None:
            raise CourseInputError(
                f"{where}: an HTTPS listener needs certificate_arn (an ACM certificate in "
                "the stack's region)"
            )
        if not https and certificate_arn is not None:
            raise CourseInputError(
                f"{where}: certificate_arn is unused with https=False; drop one of the two"
            )
        if certificate_arn is not None:
            _check_certificate_arn(where, certificate_arn, Stack.of(self).region)
        cpu = scaling_metric is ScalingMetric.CPU
        if scaling_target is not None and not (0 < scaling_target <= (100 if cpu else 1e9)):
            raise CourseInputError(
                f"{where}: scaling_target={scaling_target!r} is not "
                + ("a CPU percent (above 0, at most 100)" if cpu else "a positive request count")
            )
        if not 1 <= app_port <= 65535:
            raise CourseInputError(f"{where}: app_port={app_port} is not a TCP port")
        ready_path = health_check_path if ready_path is None else ready_path
        for label, path in (("health_check_path", health_check_path), ("ready_path", ready_path)):
            if not is_checkable_path(path):
                raise CourseInputError(
                    f"{where}: {label}={shown(path)} must start with / and hold no quote, space "
                    "or backslash; e.g. /health"
                )
        if cloudfront_origin and not internet_facing:
            raise CourseInputError(
                f"{where}: cloudfront_origin needs internet_facing=True; CloudFront reaches "
                "origins over the internet"
            )
        lines = userdata.web_page() if user_data_lines is None else list(user_data_lines)
        if boot_time is None:
            boot_time = default_boot_time(lines)
        boot_seconds = boot_time.to_seconds()
        if boot_seconds < 60:
            raise CourseInputError(f"{where}: boot_time under a minute; no instance boots so fast")
        if boot_seconds > MAX_BOOT_TIME.to_seconds():
            raise CourseInputError(
                f"{where}: boot_time={boot_time.to_human_string()} is above an hour; a rolling "
                "update waits at most an hour (CloudFormation's longest PauseTime, PT1H) for "
                "each new instance: pass boot_time=Duration.minutes(60) or less, and install "
                "what takes longer into an AMI"
            )
        if instance_subnets is None:
            instance_subnets = list(vpc.private_subnets) or list(vpc.public_subnets)
        instance_subnets = list(instance_subnets)
        alb_subnets = list(vpc.public_subnets if internet_facing else vpc.private_subnets)
        if not alb_subnets and not internet_facing:
            alb_subnets = list(vpc.isolated_subnets)
        if len({s.availability_zone for s in alb_subnets}) < 2:
            raise CourseInputError(_alb_subnets_message(where, vpc, internet_facing, alb_subnets))
        return _CheckedProps(
            instance_type=instance_type,
            https=https,
            ready_path=ready_path,
            lines=lines,
            boot_time=boot_time,
            instance_subnets=instance_subnets,
            alb_subnets=alb_subnets,
        )

    def _security_groups(
        self, vpc: ec2.IVpc, https: bool
    ) -> Tuple[ec2.SecurityGroup, ec2.SecurityGroup]:
        """The ALB's group (its audience on the listener's port) and the instances' group
        (``app_port`` from the ALB's only)."""
        node_path = self.node.path
        listener_port = 443 if https else 80
        who = audience(
            listener_port,
            cloudfront_origin=self.cloudfront_origin,
            internet_facing=self.internet_facing,
            https=https,
        )
        alb_security_group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=vpc,
            description=describe(node_path, f"ALB {who}"),
            allow_all_outbound=False,
        )
        instance_security_group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=vpc,
            description=describe(node_path, f"app port {self.app_port} from the ALB only"),
            allow_all_outbound=True,  # packages and images at boot
        )
        instance_security_group.connections.allow_from(
            alb_security_group, ec2.Port.tcp(self.app_port), "app port from the ALB only"
        )
        admit_audience(
            self,
            alb_security_group,
            listener_port=listener_port,
            https=https,
            cloudfront_origin=self.cloudfront_origin,
            internet_facing=self.internet_facing,
        )
        return alb_security_group, instance_security_group

    def _launch_template(
        self, instance_type: str, detailed_monitoring: bool
    ) -> ec2.LaunchTemplate:
        """IMDSv2, an encrypted gp3 root, the role, the instances' group and the boot script."""
        machine_type = ec2.InstanceType(instance_type)
        return ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            instance_type=machine_type,
            machine_image=amazon_linux_2023(machine_type),
            security_group=self.instance_security_group,
            role=self.role,
            user_data=self.user_data,
            require_imdsv2=True,
            block_devices=[encrypted_root_volume()],
            detailed_monitoring=detailed_monitoring or None,  # unset: the template stays as it was
        )

    def _asg(
        self,
        vpc: ec2.IVpc,
        instance_subnets: List[ec2.ISubnet],
        min_capacity: int,
        max_capacity: int,
        desired_capacity: Optional[int],
    ) -> autoscaling.AutoScalingGroup:
        """The group: ELB health checks after the boot, a creation policy and rolling updates
        that wait for each instance's signal, and no launch before its routes out and role."""
        boot_seconds = self.boot_time.to_seconds()
        asg = autoscaling.AutoScalingGroup(
            self,
            "Asg",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=instance_subnets),
            launch_template=self.launch_template,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            # Only when asked: a fixed desired size resets on every deploy and undoes scaling.
            desired_capacity=desired_capacity,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=Duration.seconds(
                    max(HEALTH_CHECK_GRACE.to_seconds(), boot_seconds)
                ),
            ),
            # Creation waits for a signal from each first instance (its app answers), and a
            # rolling update for each new instance's, so a finished deploy is a working URL.
            signals=(
                autoscaling.Signals.wait_for_min_capacity(timeout=self.signal_timeout)
                if min_capacity > 0
                else None
            ),
            # CloudFormation takes a MinInstancesInService below MaxSize and a PauseTime of an
            # hour at most (boot_time is an hour at most, so each new instance fits in it).
            update_policy=autoscaling.UpdatePolicy.rolling_update(
                max_batch_size=1,
                min_instances_in_service=min_in_service(min_capacity, max_capacity),
                wait_on_resource_signals=True,
                pause_time=update_pause_time(self.boot_time),
            ),
        )
        # For `week5 labs`: the group takes boot_time to create (week5/analysis/timing.py).
        asg_node = asg.node
        asg_node.default_child.add_metadata(BOOT_SECONDS_METADATA, int(boot_seconds))
        # Boot scripts install packages and read secrets with the role: launch no instance
        # before the subnets' routes out (NAT) and the role's policy exist, or its first boot
        # fails and the group replaces it only after the health-check grace period.
        asg_node.add_dependency(
            self.role, *(subnet.internet_connectivity_established for subnet in instance_subnets)
        )
        return asg

    def _target_group(
        self, vpc: ec2.IVpc, health_check_path: str
    ) -> elbv2.ApplicationTargetGroup:
        """The group's instances on ``app_port``, checked on ``health_check_path``."""
        return elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=vpc,
            port=self.app_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.asg],
            deregistration_delay=DEREGISTRATION_DELAY,
            health_check=elbv2.HealthCheck(
                path=health_check_path,
                healthy_http_codes="200-399",
                interval=Duration.seconds(HEALTH_CHECK_INTERVAL_S),
                healthy_threshold_count=HEALTHY_THRESHOLD,
                unhealthy_threshold_count=UNHEALTHY_THRESHOLD,
            ),
        )

    def _signal_when_ready(self) -> None:
        """End the boot script, whatever lines come before, by waiting for ``ready_path`` and
        the target group's checks, then ``cfn-signal`` with its exit status."""
        self.user_data.add_on_exit_commands(
            *signal_when_ready(
                self.app_port, self.ready_path, int(self.signal_timeout.to_seconds())
            )
        )
        self.user_data.add_signal_on_exit_command(self.asg)
        check_user_data_size(self.user_data, f"HaWebTier {self.node.path}")

    def _listener(
        self, https: bool, certificate_arn: Optional[str]
    ) -> elbv2.ApplicationListener:
        """HTTPS on 443 (and 80 redirected to it) with a certificate, else HTTP on 80; neither
        opens its port (the ALB's group admits the audience)."""
        listener = (
            self.alb.add_listener(
                "Https",
                port=443,
                certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_target_groups=[self.target_group],
                open=False,
            )
            if https
            else self.alb.add_listener(
                "Http", port=80, default_target_groups=[self.target_group], open=False
            )
        )
        if https:
            self.alb.add_redirect(source_port=80, target_port=443, open=False)
        return listener

    def _scaling(self, scaling_metric: ScalingMetric, scaling_target: Optional[float]) -> None:
        """Target tracking on average CPU or on requests per target."""
        if scaling_metric is ScalingMetric.CPU:
            self.asg.scale_on_cpu_utilization(
                "CpuTarget",
                target_utilization_percent=(
                    DEFAULT_CPU_TARGET_PERCENT if scaling_target is None else scaling_target
                ),
            )
        else:
            self.asg.scale_on_request_count(
                "RequestsTarget",
                target_requests_per_minute=int(1000 if scaling_target is None else scaling_target),
            )

    def _name_parts(self, name: str) -> None:
        """Name every part: CDK names the launch template (and so the instances and volumes
        it tags) by its path, and the rest not at all."""
        for part, suffix, resource_type in (
            (self.launch_template, "", "AWS::EC2::LaunchTemplate"),
            (self.asg, "-asg", "AWS::AutoScaling::AutoScalingGroup"),
            (self.alb, "-alb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),  # not its listeners
            (self.target_group, "-tg", "AWS::ElasticLoadBalancingV2::TargetGroup"),
            (self.alb_security_group, "-alb-sg", "AWS::EC2::SecurityGroup"),
            (self.instance_security_group, "-sg", "AWS::EC2::SecurityGroup"),
        ):
            # Not the instances from the group's tags: the launch template's Name stays theirs.
            Tags.of(part).add(
                "Name",
                name + suffix,
                priority=_NAME_TAG_PRIORITY,
                apply_to_launched_instances=False,
                include_resource_types=[resource_type],
            )

    def add_boot_lines(self, *lines: str) -> None:
        """Append to the instances' boot script, e.g. a proxy to a tier built after this one.

        The launch template renders its user data at synthesis, so lines may name resources
        created later (another tier's ALB). Refused when the script would pass EC2's 16 KB.
        """
        self.user_data.add_commands(*lines)
        check_user_data_size(self.user_data, f"HaWebTier {self.node.path}")

    def grant_connect(self, caller: ConnectableGrantable) -> iam.Grant:
        """Admit ``caller`` (a web tier or host) to this internal tier's listener, from its
        security groups only: the arrow from the tier in front to this one.

        Returns an ``iam.Grant`` like every store's ``grant_connect``, so a caller treats each
        arrow alike; it holds no statement (``iam.Grant.drop``), as a listener asks for no
        credentials. Refused on an internet-facing tier, which admits everyone to its listener
        already, and for a caller with no role: to open the listener to any peer, use
        ``listener.connections.allow_default_port_from(peer, description)``.
        """
        where = f"HaWebTier {self.node.path}"
        if self.internet_facing:
            raise CourseInputError(
                f"{where}: grant_connect is for internal ALBs; an "
                "internet-facing one admits everyone to its listener already"
            )
        access.require_consumer(
            where,
            "caller",
            caller,
            "the listener alone, use listener.connections.allow_default_port_from(peer)",
        )
        # caller.connections and its role, not caller: Node would call back into Python. Across
        # stacks the rules land in the caller's stack, which depends on this one already (its
        # boot lines name this ALB), not in this one (a cycle).
        caller_connections = caller.connections
        listener_connections = self.listener.connections
        access.require_same_vpc(where, listener_connections, caller_connections, "caller")
        access.admit_default_port(listener_connections, caller_connections, "from a granted tier")
        return iam.Grant.drop(caller.grant_principal, f"{where}'s listener, by port alone")

    @property
    def connections(self) -> ec2.Connections:
        """The instances' security group (``ec2.IConnectable``): what a database or cache
        admits with ``db.grant_connect(tier)``. No default port: callers come in through the
        ALB (``grant_connect``, ``listener.connections``)."""
        return self.instance_security_group.connections

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The instances' role (``iam.IGrantable``): ``bucket.grant_read(tier)`` lands on it."""
        return self.role

    def _acknowledge(self, internet_facing: bool) -> None:
        acknowledge(
            self.alb,
            "AwsSolutions-ELB2",
            "ALB access logs need a log bucket that outlives the stack and bills after the lab; "
            "the target group's health and CloudWatch metrics answer the lab's questions.",
        )
        acknowledge_all(
            self.asg,
            {
                "AwsSolutions-AS3": "Scaling notifications need an SNS topic and a subscriber; "
                "students watch the group's Activity tab during the load test instead.",
                "AwsSolutions-EC26": "False positive of cdk-nag 3.0.2: its EC26 matches an ASG to "
                "any unnamed launch template in the stack (undefined === undefined), e.g. a NAT "
                "instance's; this tier's own template encrypts every volume, which the "
                "project's tests assert.",
            },
        )
