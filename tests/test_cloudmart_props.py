"""CloudMartStack checks each of its own props under its own name: a wrong value is one line
"CloudMartStack <path>: <prop>=<value> ...", never the inner construct's prop (node_type=,
content_dir) the user never typed, nor a jsii TypeError."""

import inspect
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from support import CourseAzStack, logical_id, make_app, props, synth

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
        (
            {"data_subnets": "subnet-0abc"},
            "data_subnets='subnet-0abc' must be an ec2.SubnetSelection, e.g. data_subnets=ec2."
            "SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)",
        ),
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


# ---- one app's CloudMartStacks: a parameter_prefix per account and region, a name_prefix per
# stack (a trial's two stacks synthesized, and the second deploy failed: the parameter exists)

ACCOUNT = "123456789012"
ENVS = {
    "seoul": cdk.Environment(account=ACCOUNT, region="ap-northeast-2"),
    "seoul-other-account": cdk.Environment(account="210987654321", region="ap-northeast-2"),
    "seoul-any-account": cdk.Environment(region="ap-northeast-2"),
    "virginia": cdk.Environment(account=ACCOUNT, region="us-east-1"),
    "virginia-any-account": cdk.Environment(region="us-east-1"),
    "agnostic": None,
}


def two_stacks(tmp_path, first, second):
    app = make_app(tmp_path)
    return (
        CourseAzStack(app, "ShopStack", env=ENVS[first]),
        CourseAzStack(app, "OtherStack", env=ENVS[second]),
    )


def test_a_parameter_prefix_of_another_stack_in_the_same_account_and_region_is_refused(
    tmp_path,
):
    shop_stack, other_stack = two_stacks(tmp_path, "seoul", "seoul")
    CloudMartStack(shop_stack, "Shop", parameter_prefix="/shop/cloudmart")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(other_stack, "Shop", parameter_prefix="/shop/cloudmart")
    assert str(raised.value) == (
        "CloudMartStack OtherStack/Shop: parameter_prefix /shop/cloudmart is also "
        "ShopStack/Shop's, whose stack ShopStack deploys to the same account and region "
        f"({ACCOUNT}, ap-northeast-2), where SSM parameter names are unique: the second deploy "
        "would fail, the parameter already exists; pass another parameter_prefix to one of "
        "them, e.g. parameter_prefix='/OtherStack/Shop'"
    )


@pytest.mark.parametrize(
    "first, second, says",
    [
        (
            "seoul", "agnostic",
            f"ShopStack ({ACCOUNT}, ap-northeast-2) may deploy to the same account and region "
            "as OtherStack (any account, any region)",
        ),
        (
            "agnostic", "virginia",
            "ShopStack (any account, any region) may deploy to the same account and region as "
            f"OtherStack ({ACCOUNT}, us-east-1)",
        ),
        (
            "seoul-any-account", "seoul",
            "ShopStack (any account, ap-northeast-2) may deploy to the same account and region "
            f"as OtherStack ({ACCOUNT}, ap-northeast-2)",
        ),
    ],
    ids=["seoul-and-agnostic", "agnostic-and-virginia", "seoul-any-account-and-seoul"],
)  # fmt: skip
def test_a_parameter_prefix_of_a_stack_that_may_share_its_region_is_refused(
    tmp_path, first, second, says
):
    """An environment-agnostic stack's account or region is known only at deploy."""
    shop_stack, other_stack = two_stacks(tmp_path, first, second)
    CloudMartStack(shop_stack, "Shop", parameter_prefix="/shop/cloudmart")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(other_stack, "Shop", parameter_prefix="/shop/cloudmart")
    message = str(raised.value)
    assert message.startswith(
        "CloudMartStack OtherStack/Shop: parameter_prefix /shop/cloudmart is also "
        f"ShopStack/Shop's, whose stack {says}, where SSM"
    ), message


@pytest.mark.parametrize(
    "first, second",
    [
        ("seoul", "seoul-other-account"),
        ("seoul", "virginia"),
        ("seoul-any-account", "virginia-any-account"),
    ],
)
def test_a_parameter_prefix_of_another_account_or_region_is_taken(tmp_path, first, second):
    for stack in two_stacks(tmp_path, first, second):
        CloudMartStack(stack, "Shop", parameter_prefix="/shop/cloudmart")


def test_a_parameter_prefix_of_another_app_is_taken(tmp_path):
    for n in (1, 2):
        (stack, _) = two_stacks(tmp_path / str(n), "seoul", "seoul")
        CloudMartStack(stack, "Shop", parameter_prefix="/shop/cloudmart")


def test_one_refused_half_way_claims_nothing(stack):
    """Refused after its checks (an ECR image of another region): the prefixes are free."""
    with pytest.raises(CourseInputError, match="is in ECR of another account or region"):
        CloudMartStack(
            stack,
            "Shop",
            parameter_prefix="/unit/shop",
            backend_image=f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop:1",
        )
    CloudMartStack(stack, "Shop2", parameter_prefix="/unit/shop")


def test_a_name_prefix_of_another_in_the_stack_is_refused(stack):
    """Both would be week5-day5-db-sg, -cache-sg, ... in the console: 7 Name tags twice."""
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop")
    with pytest.raises(CourseInputError) as raised:
        CloudMartStack(stack, "Outlet", parameter_prefix="/unit/outlet")
    assert str(raised.value) == (
        "CloudMartStack UnitStack/Outlet: name_prefix='week5-day5' is also UnitStack/Shop's, "
        "in the same stack: both would give their database, cache and backend the same Name "
        "tags (week5-day5-db-sg, ...); pass another name_prefix to one of them, e.g. "
        "name_prefix='week5-day5-outlet'"
    )
    CloudMartStack(
        stack, "Outlet2", parameter_prefix="/unit/outlet", name_prefix="week5-day5-outlet"
    )


def test_a_name_prefix_of_another_stack_is_taken(tmp_path):
    """Stacks are told apart by their own names; only SSM's names are per account."""
    for n, stack in enumerate(two_stacks(tmp_path, "seoul", "seoul")):
        CloudMartStack(stack, "Shop", parameter_prefix=f"/shop{n}/cloudmart")


# ---- the port the backend serves on: 80, whatever backend_port is ----


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"backend_image": "ghcr.io/kim/shop:1", "backend_port": 3000}],
    ids=["demo", "own-image"],
)
def test_the_connections_default_port_is_the_one_the_instances_serve_on(stack, kwargs):
    """A trial opened 3000 (backend_port's default) to a function: nothing listens there; the
    container's port is mapped to the instances' 80."""
    shop = CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", **kwargs)
    assert shop.backend.app_port == 80
    assert shop.connections.default_port.to_string() == "80"
    assert shop.connections.security_groups == [shop.backend.instance_security_group]
    caller = ec2.SecurityGroup(stack, "Caller", vpc=shop.vpc, description="a caller")
    shop.connections.allow_default_port_from(caller, "the caller to the backend")
    ingress = [
        p for p in props(synth(stack), "AWS::EC2::SecurityGroupIngress")
        if p.get("Description") == "the caller to the backend"
    ]  # fmt: skip
    assert len(ingress) == 1 and (ingress[0]["FromPort"], ingress[0]["ToPort"]) == (80, 80)
    assert ingress[0]["GroupId"]["Fn::GetAtt"][0] == logical_id(
        shop.backend.instance_security_group
    )
    doc = " ".join(inspect.getdoc(CloudMartStack).split())
    assert "serve on ``backend.app_port`` (80" in doc
