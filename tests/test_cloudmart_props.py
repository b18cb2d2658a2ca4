"""CloudMartStack checks each of its own props under its own name: a wrong value is one line
"CloudMartStack <path>: <prop>=<value> ...", never the inner construct's prop (node_type=,
content_dir) the user never typed, nor a jsii TypeError."""

import inspect
import re
from pathlib import Path

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs

from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.vpc import NatMode
from week5.core.errors import CourseInputError

WHERE = "CloudMartStack UnitStack/Shop: "


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"parameter_prefix": 5}, "parameter_prefix=5 must be a string"),
        ({"backend_image": 5}, "backend_image=5 must be a string"),
        ({"name_prefix": 5}, "name_prefix=5 must be a string"),
        ({"nat": "none"}, "nat='none' must be one of NatMode.NONE, "),
        ({"nat": False}, "nat=False must be one of NatMode.NONE, "),  # None: the default
        ({"instance_type": "t3.tiny"}, "instance_type='t3.tiny' is not an EC2 instance type"),
        ({"min_capacity": "2"}, "min_capacity='2' must be a whole number"),
        ({"max_capacity": 4.0}, "max_capacity=4.0 must be a whole number"),
        ({"min_capacity": -1}, "min_capacity=-1 is negative; use 0 or more"),
        (
            {"min_capacity": 5},
            "min_capacity=5 is above max_capacity=4; raise max_capacity or lower min_capacity",
        ),
        ({"db_instance_type": "db.t3.nano"}, "db_instance_type='db.t3.nano' is not an RDS class"),
        ({"db_instance_type": 5}, "db_instance_type=5 is not an RDS class"),
        ({"db_multi_az": "false"}, "db_multi_az='false' must be True or False"),
        ({"db_backup_retention_days": "7"}, "db_backup_retention_days='7' must be a whole number"),
        (
            {"db_backup_retention_days": 36},
            "db_backup_retention_days=36 is out of range; RDS keeps 0 to 35 days",
        ),
        ({"cache_node_type": "cache.t3.nano"}, "cache_node_type='cache.t3.nano' is not an "),
        ({"cache_node_type": 5}, "cache_node_type=5 is not an ElastiCache node type"),
        ({"cache_engine": "memcached"}, "cache_engine='memcached' is not offered here; use "),
        ({"cache_engine": 5}, "cache_engine=5 must be a string"),
        ({"cache_replicas": "1"}, "cache_replicas='1' must be a whole number"),
        ({"cache_replicas": 6}, "cache_replicas=6 is out of range; a shard holds 0 to 5"),
        (
            {"cache_snapshot_retention_days": True},
            "cache_snapshot_retention_days=True must be a whole number",
        ),
        (
            {"cache_snapshot_retention_days": 36},
            "cache_snapshot_retention_days=36 is out of range; ElastiCache keeps 0 to 35",
        ),
        ({"health_check_path": "health"}, "health_check_path='health' must start with / and "),
        ({"health_check_path": 5}, "health_check_path=5 must be a string"),
        (
            {"log_retention": 7},
            "log_retention=7 must be a RetentionDays, e.g. logs.RetentionDays.ONE_WEEK",
        ),
        ({"log_retention": None}, "log_retention=None must be a RetentionDays"),
        ({"frontend_dir": Path("/nope")}, "frontend_dir='/nope' is not a folder; pass the "),
        ({"frontend_dir": 5}, "frontend_dir=5 must be a folder's path"),
    ],
)
def test_a_wrong_prop_is_named_by_cloudmart_stack(stack, kwargs, says):
    kwargs.setdefault("parameter_prefix", "/unit/shop")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Shop", **kwargs)
    message = str(raised.value)
    assert message.startswith(WHERE + says), message
    assert "\n" not in message


def site_folder(tmp_path):
    """A folder for the frontend's files beside, not around, the app's output (tmp_path)."""
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def test_a_frontend_dir_without_its_index_is_named_by_cloudmart_stack(stack, tmp_path):
    folder = site_folder(tmp_path)
    (folder / "app.js").write_text("")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", frontend_dir=folder)
    assert str(raised.value) == (
        f"{WHERE}frontend_dir={str(folder)!r} has no index.html; pass the folder of the "
        "built files, which holds it (e.g. frontend/dist)"
    )


def test_the_checks_take_the_other_forms_the_inner_constructs_take(stack, tmp_path):
    folder = site_folder(tmp_path)
    (folder / "index.html").write_text("<p>shop</p>")
    shop = CloudMartStack(
        stack,
        "Shop",
        parameter_prefix="/unit/shop",
        nat=NatMode.INSTANCE,
        instance_type=ec2.InstanceType("t3.small"),
        db_instance_type=ec2.InstanceType("t4g.micro"),  # RDS's db.t4g.micro
        min_capacity=0,
        max_capacity=0,
        cache_engine="valkey",
        log_retention=logs.RetentionDays.INFINITE,
        frontend_dir=str(folder),
    )
    assert shop.database.instance_type == "db.t4g.micro"


def param_docs():
    """CloudMartStack's ``:param name: text`` entries, by name."""
    doc = inspect.getdoc(CloudMartStack)
    entries = re.findall(r"^:param (\w+): (.*?)(?=^:param |^\S|\Z)", doc, re.M | re.S)
    return {name: " ".join(text.split()) for name, text in entries}


def test_every_prop_is_documented_with_a_summary_before_its_default():
    docs = param_docs()
    props = [
        p for p in inspect.signature(CloudMartStack.__init__).parameters
        if p not in ("self", "scope", "construct_id")
    ]
    assert sorted(docs) == sorted(props)
    bare = [name for name, text in docs.items() if text.startswith("@default")]
    assert bare == [], f"props with a default but no summary: {bare}"
