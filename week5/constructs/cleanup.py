"""LeftoverCleanup: deletes, with the stack, what a lab made that CloudFormation did not.

A snapshot schedule, the console's "Create snapshot" on a lab volume, or the course's manual
RDS snapshot step all make things that are not the stack's resources: ``cdk destroy`` would
leave them billing. This construct is a custom resource whose Delete removes them (the code is
``week5/assets/functions/snapshot_cleanup/index.py``, tested against moto's EC2 and RDS).
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

from aws_cdk import ArnFormat, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from week5.assets import FUNCTIONS_DIR
from week5.constructs.props import require_db_instance, require_list, require_str, require_volume
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, nag_arn

#: The tag by which the cleanup finds what a schedule of the stack made (snapshots, AMIs).
CLEANUP_TAG_KEY = "week5:snapshot-schedule"
#: Kept as first deployed: CloudFormation cannot change a resource's type in place.
CLEANUP_RESOURCE_TYPE = "Custom::Week5SnapshotCleanup"
#: Enough to wait out a snapshot still being taken when the stack is deleted.
CLEANUP_TIMEOUT = Duration.minutes(10)

_CODE = FUNCTIONS_DIR / "snapshot_cleanup"


class LeftoverCleanup(Construct):
    """On stack deletion, delete the lab's snapshots, AMIs and manual DB snapshots.

    :param tag_value: delete AMIs and EBS snapshots tagged ``week5:snapshot-schedule=<value>``
        (a schedule of the stack writes the tag). @default None: none by tag
    :param volumes: delete every snapshot taken of these volumes (``ec2.IVolume``, e.g.
        ``[data.volume]`` of a ``DataVolume``), by a schedule or by hand, but one an AMI of the
        account uses (AWS refuses it: kept and named in the log and the response's ``Kept``, so
        the stack still deletes). @default none
    :param databases: delete every manual snapshot of these DB instances (``[db.instance]`` of a
        ``PostgresDatabase`` or ``MysqlDatabase``; automated backups are deleted with the
        instance). @default none

    At least one is needed. Put it beside what it cleans: CloudFormation deletes it, and so
    runs the cleanup, before the volumes and databases it references. Exposes ``function``
    and ``resource``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tag_value: Optional[str] = None,
        volumes: Sequence[ec2.IVolume] = (),
        databases: Sequence[rds.IDatabaseInstance] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"LeftoverCleanup {self.node.path}"
        require_str(where, "tag_value", tag_value, optional=True)
        volumes = () if volumes is None else volumes
        databases = () if databases is None else databases
        require_list(where, "volumes", volumes, "volumes=[data.volume]")
        for volume in volumes:
            require_volume(where, "volumes", volume, item=True)
        require_list(where, "databases", databases, "databases=[db.instance]")
        for database in databases:
            require_db_instance(where, "databases", database, item=True)
        if not (tag_value or volumes or databases):
            raise CourseInputError(
                f"{where}: give tag_value, volumes or databases; "
                "with none it would have nothing to clean up"
            )
        function, resource = build_cleanup(
            self,
            ("Logs", "Function", "Resource"),
            tag_value=tag_value,
            volumes=volumes,
            databases=databases,
        )
        #: The cleanup Lambda function (its log group is the stack's).
        self.function: lambda_.Function = function
        #: The custom resource whose deletion runs the function.
        self.resource: CustomResource = resource


def build_cleanup(
    scope: Construct,
    ids: Sequence[str],
    *,
    tag_value: Optional[str],
    volumes: Sequence[ec2.IVolume],
    databases: Sequence[rds.IDatabaseInstance],
):
    """The log group, function and custom resource, under ``scope`` with ``ids`` (in that
    order): ScheduledSnapshots keeps the ids it was first deployed with."""
    log_id, function_id, resource_id = ids
    stack = Stack.of(scope)
    log_group = logs.LogGroup(
        scope, log_id, retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY
    )
    function = lambda_.Function(
        scope,
        function_id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_asset(str(_CODE), exclude=["__pycache__", "*.pyc"]),
        timeout=CLEANUP_TIMEOUT,
        log_group=log_group,
        description=f"{scope.node.path}: delete the lab's leftovers when the stack is deleted",
    )
    snapshots = stack.format_arn(service="ec2", resource="snapshot", resource_name="*", account="")
    describe = ["ec2:DescribeSnapshots", "ec2:DescribeImages"] if (tag_value or volumes) else []
    if databases:
        describe.append("rds:DescribeDBSnapshots")
    function.add_to_role_policy(iam.PolicyStatement(actions=describe, resources=["*"]))
    if tag_value:
        tagged = {"StringEquals": {f"aws:ResourceTag/{CLEANUP_TAG_KEY}": tag_value}}
        # An AMI's ARN has no account, like a snapshot's.
        images = stack.format_arn(service="ec2", resource="image", resource_name="*", account="")
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ec2:DeregisterImage", "ec2:DeleteSnapshot"],
                resources=[images, snapshots],
                conditions=tagged,
            )
        )
    if volumes:
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ec2:DeleteSnapshot"],
                resources=[snapshots],
                conditions={"ArnEquals": {"ec2:ParentVolume": [volume_arn(v) for v in volumes]}},
            )
        )
    db_snapshots = stack.format_arn(
        service="rds",
        resource="snapshot",
        resource_name="*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    if databases:
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["rds:DeleteDBSnapshot"], resources=[db_snapshots])
        )
    properties: Dict[str, object] = {}
    if tag_value:
        properties.update(TagKey=CLEANUP_TAG_KEY, TagValue=tag_value)
    if volumes:
        properties["VolumeIds"] = [v.volume_id for v in volumes]
    if databases:
        properties["DbInstanceIds"] = [d.instance_identifier for d in databases]
    resource = CustomResource(
        scope,
        resource_id,
        service_token=function.function_arn,
        resource_type=CLEANUP_RESOURCE_TYPE,
        properties=properties,
    )
    # As cdk-nag renders them in a finding's id.
    rendered = {
        "snapshots": nag_arn(stack, snapshots),
        "images": nag_arn(
            stack,
            stack.format_arn(service="ec2", resource="image", resource_name="*", account=""),
        ),
        "db_snapshots": nag_arn(stack, db_snapshots),
    }
    _acknowledge(function, rendered, tag_value=tag_value, volumes=volumes, databases=databases)
    return function, resource


def _acknowledge(function: lambda_.Function, rendered, *, tag_value, volumes, databases) -> None:
    role = function.role
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "ec2:DescribeSnapshots, ec2:DescribeImages and rds:DescribeDBSnapshots take no resource "
        "ARN; deletion is limited by tag, parent volume or the lab's DB instance.",
    )
    if tag_value or volumes:
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{rendered['snapshots']}]",
            "Snapshot ids are unknown in advance; ec2:DeleteSnapshot is limited by conditions "
            "to this stack's tag or its volumes (ec2:ParentVolume).",
        )
    if tag_value:
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{rendered['images']}]",
            "AMI ids are unknown in advance; ec2:DeregisterImage is limited by the aws:ResourceTag "
            "condition to AMIs this stack's schedule tagged.",
        )
    if databases:
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{rendered['db_snapshots']}]",
            "A manual DB snapshot's name is the student's choice; the function deletes only "
            "snapshots whose DBInstanceIdentifier is this stack's database.",
        )
    acknowledge(
        role,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        "The cleanup function logs through AWS's basic Lambda execution policy into its own "
        "log group, which is deleted with the stack.",
    )


def volume_arn(volume: ec2.IVolume) -> str:
    return Stack.of(volume).format_arn(
        service="ec2", resource="volume", resource_name=volume.volume_id
    )
