"""The constructs' API as a CDK user meets it: the parts of each pattern are public, typed
honestly and documented; props that do nothing are refused; the course rules' fixes name
things that exist.
"""

from __future__ import annotations

import importlib
import re

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_iam as iam
from support import CourseAzStack, logical_id

from week5.analysis.rules import RULES
from week5.constructs import (
    CloudMartStack,
    DataVolume,
    HaWebTier,
    LabHost,
    MysqlDatabase,
    PostgresDatabase,
    RedisCache,
    ScheduledSnapshots,
)
from week5.constructs.interfaces import ConnectableGrantable
from week5.core.errors import CourseInputError

ECR_IMAGE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/cloudmart-backend:1.0"


# ---- the parts of each pattern are public attributes ----


def test_a_cache_exposes_its_subnet_group_engine_and_a_plain_port(stack, net):
    cache = RedisCache(stack, "Cache", vpc=net.vpc, engine="valkey")
    assert isinstance(cache.subnet_group, elasticache.CfnSubnetGroup)
    group = cache.replication_group
    assert stack.resolve(group.cache_subnet_group_name) == {"Ref": logical_id(cache.subnet_group)}
    assert cache.engine == "valkey" == group.engine
    # 6379 as an int a boot script or an output can use, not a float token.
    assert type(cache.port) is int and cache.port == 6379 == group.port
    assert not Token.is_unresolved(cache.port)


@pytest.mark.parametrize("engine, port", [(PostgresDatabase, 5432), (MysqlDatabase, 3306)])
def test_a_database_has_its_port_as_a_number_beside_the_token(stack, net, engine, port):
    db = engine(stack, "Db", vpc=net.vpc, instance_type="db.t4g.micro")
    assert type(db.port_number) is int and db.port_number == port
    assert isinstance(db.port, str) and Token.is_unresolved(db.port)  # Endpoint.Port
    assert db.instance_type == "db.t4g.micro"


def test_a_volume_exposes_its_attachment(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    data = DataVolume(stack, "Data", host=host)
    assert isinstance(data.attachment, ec2.CfnVolumeAttachment)
    assert stack.resolve(data.attachment.volume_id) == {"Ref": logical_id(data.volume)}
    assert data.attachment.device == data.device


def test_a_host_exposes_its_imdsv2_launch_template(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    template = host.launch_template
    assert isinstance(template, ec2.CfnLaunchTemplate)
    spec = stack.resolve(host.instance.instance.launch_template)
    assert spec["launchTemplateId"] == {"Ref": logical_id(template)}
    options = stack.resolve(template.launch_template_data)["metadataOptions"]
    assert options == {"httpTokens": "required"}


# ---- grant_connect: one contract ----


def test_every_grant_connect_takes_a_connectable_grantable_and_returns_a_grant(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    web = HaWebTier(stack, "Web", vpc=net.vpc)
    app = HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False)
    assert isinstance(host, ConnectableGrantable) and isinstance(web, ConnectableGrantable)
    assert not isinstance(ec2.SecurityGroup(stack, "Bare", vpc=net.vpc), ConnectableGrantable)
    for store in (PostgresDatabase, RedisCache, HaWebTier):
        hint = store.grant_connect.__annotations__
        assert "ConnectableGrantable" in str(next(iter(hint.values()))), store
        assert hint["return"] in ("iam.Grant", iam.Grant), store
    grant = app.grant_connect(web)
    assert isinstance(grant, iam.Grant)
    assert grant.principal_statements == []  # a listener asks for no credentials
    assert isinstance(RedisCache(stack, "Cache", vpc=net.vpc).grant_connect(host), iam.Grant)


def test_an_internal_tier_refuses_a_caller_without_a_role(stack, net):
    app = HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False)
    bare = ec2.SecurityGroup(stack, "Bare", vpc=net.vpc)
    with pytest.raises(CourseInputError, match="listener.connections.allow_default_port_from"):
        app.grant_connect(bare)


# ---- CloudMartStack: props that would do nothing are refused ----


def test_backend_port_without_backend_image_is_refused(stack):
    with pytest.raises(CourseInputError, match="backend_port=8080 is the port of your own image"):
        CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", backend_port=8080)


def test_a_backend_port_that_is_not_a_number_is_a_course_error(stack):
    with pytest.raises(CourseInputError, match="backend_port='8080' must be a whole number"):
        CloudMartStack(
            stack, "Shop", parameter_prefix="/unit/shop", backend_image=ECR_IMAGE,
            backend_port="8080",
        )


def connections_alarm(cloudmart):
    alarm = cloudmart.alarms["DbConnections"].node.default_child
    return alarm.threshold, alarm.alarm_description


def test_the_connections_alarm_follows_the_database_class(stack):
    small = CloudMartStack(
        stack, "Shop", parameter_prefix="/unit/shop", db_instance_type="db.t3.small"
    )
    assert connections_alarm(small) == (
        160,
        "CloudMart: database connections near db.t3.small's limit",
    )


def test_the_connections_alarm_takes_a_threshold(stack):
    shop = CloudMartStack(
        stack, "Shop", parameter_prefix="/unit/shop", db_instance_type="db.x2g.large",
        db_connections_alarm=500,
    )
    assert connections_alarm(shop)[0] == 500


def test_a_class_of_unknown_memory_needs_the_threshold(stack):
    with pytest.raises(CourseInputError, match="pass db_connections_alarm= too"):
        CloudMartStack(
            stack, "Shop", parameter_prefix="/unit/shop", db_instance_type="db.x2g.large"
        )


# ---- ScheduledSnapshots outside a LabStack ----


def snapshot_tags_sent(snapshots):
    """The snapshot tags in the schedule's CreateSnapshot call (the literal parts of its input)."""
    target = snapshots.node.scope.resolve(snapshots.schedule.target)
    parts = target["input"]["Fn::Join"][1]
    text = "".join(part for part in parts if isinstance(part, str))
    return dict(re.findall(r'\{"Key":"([^"]+)","Value":"([^"]+)"\}', text))


def test_snapshot_tags_are_honoured_outside_a_lab_stack(stack, net):
    assert not hasattr(stack, "course_tags")  # a plain stack, not a LabStack
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    data = DataVolume(stack, "Data", host=host)
    snapshots = ScheduledSnapshots(
        stack, "Snaps", volume=data.volume, snapshot_tags={"Student": "kim", "Day": "Day2"}
    )
    assert snapshots.snapshot_tags == {"Student": "kim", "Day": "Day2"}
    assert snapshot_tags_sent(snapshots) == {
        "week5:snapshot-schedule": snapshots.tag_value,
        "Day": "Day2",
        "Student": "kim",
    }


def test_snapshot_tags_default_to_the_stacks_course_tags(stack, net):
    class TaggedStack(CourseAzStack):
        course_tags = {"Student": "lee"}

    tagged = TaggedStack(
        stack.node.root, "Tagged", env=cdk.Environment(region="ap-northeast-2")
    )
    volume = ec2.Volume(
        tagged, "Volume", availability_zone="ap-northeast-2a", size=None,
        snapshot_id="snap-0123456789abcdef0",
    )
    snapshots = ScheduledSnapshots(tagged, "Snaps", volume=volume, interval=Duration.hours(1))
    assert snapshot_tags_sent(snapshots)["Student"] == "lee"


def test_snapshot_tags_must_be_strings_and_leave_the_schedule_tag_alone(stack, net):
    volume = ec2.Volume(
        stack, "Volume", availability_zone="ap-northeast-2a", size=None,
        snapshot_id="snap-0123456789abcdef0",
    )
    with pytest.raises(CourseInputError, match="snapshot_tags must map tag keys to values"):
        ScheduledSnapshots(stack, "Bad", volume=volume, snapshot_tags={"Day": 2})
    with pytest.raises(CourseInputError, match="snapshot_tags sets week5:snapshot-schedule"):
        ScheduledSnapshots(
            stack, "Clash", volume=volume, snapshot_tags={"week5:snapshot-schedule": "x"}
        )


# ---- the course rules' fixes name what exists ----


def resolve_dotted(name: str):
    """Import the longest module prefix of ``name`` and get the rest as attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise ModuleNotFoundError(name)


def test_every_week5_name_in_a_rules_fix_exists():
    named = {
        (rule.name, name)
        for rule in RULES
        for name in re.findall(r"week5(?:\.[A-Za-z_]\w*)+", rule.fix)
    }
    assert ("NoPlaintextSecrets", "week5.constructs.generated_password") in named
    for rule_name, name in sorted(named):
        try:
            resolve_dotted(name)
        except (ImportError, AttributeError) as error:
            pytest.fail(f"{rule_name}'s fix names {name}, which does not exist: {error}")


def test_the_data_port_fix_grants_the_cdk_way():
    (rule,) = [r for r in RULES if r.name == "DataPortsFromGroupsOnly"]
    assert "db.grant_connect(app)" in rule.fix
    assert "connections.allow_default_port_from(" in rule.fix
    assert "add_ingress_rule" not in rule.fix


# ---- no re-exports nothing imports ----


@pytest.mark.parametrize(
    "module, names",
    [
        ("web_tier", ("CLOUDFRONT_PREFIX_LIST", "CLOUDFRONT_PREFIX_LIST_WEIGHT",
                      "INBOUND_RULES_QUOTA", "cloudfront_origin_facing_prefix_list",
                      "BOOT_TIME", "DOCKER_BOOT_TIME", "MIN_SIGNAL_TIMEOUT")),
        ("cloudmart", ("ALB_5XX_PER_5_MINUTES", "CPU_ALARM_PERCENT", "DB_CONNECTIONS",
                       "DB_FREE_STORAGE_BYTES", "REDIS_MEMORY_PERCENT")),
        ("host", ("SSH_USER",)),
    ],
)
def test_names_live_only_where_they_are_defined(module, names):
    loaded = importlib.import_module(f"week5.constructs.{module}")
    assert [name for name in names if hasattr(loaded, name)] == []
