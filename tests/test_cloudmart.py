"""CloudMartStack: its props, your own backend image, alarm e-mail, and each invalid input."""

import json

import pytest
from aws_cdk import aws_logs as logs
from boot_scripts import compose_services, embedded_files, env_file_lines
from support import props, resources, synth

from week5.constructs.cloudmart import DEMO_BACKEND_DIR, CloudMartStack
from week5.core.errors import CourseInputError

ECR_IMAGE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/cloudmart-backend:1.0"


def launch_script(t):
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    body = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]
    assert isinstance(body, str), "the user data must hold no token"
    return body


def test_defaults_run_the_demo_backend(stack):
    cloudmart = CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop")
    t = synth(stack)
    script = launch_script(t)
    files = embedded_files(script)
    # The demo's source, byte for byte (gzip: as text it would not fit EC2's 16 KB).
    for name in ("server.js", "package.json"):
        assert files[f"/opt/week5/app/{name}"] == (DEMO_BACKEND_DIR / name).read_bytes()
    (api,) = compose_services(script).values()
    assert api["image"] == "node:22-alpine"
    assert {p["Name"] for p in props(t, "AWS::SSM::Parameter")} == {
        "/unit/shop/db-endpoint",
        "/unit/shop/db-secret-arn",
        "/unit/shop/redis-endpoint",
        "/unit/shop/redis-secret-arn",
        "/unit/shop/log-group",
    }
    # The ALB checks liveness; an instance signals once the demo's readiness (both stores) does.
    (target_group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert target_group["HealthCheckPath"] == "/api/health"
    assert "http://127.0.0.1:80/api/health/deep; do sleep 5" in script
    assert cloudmart.backend.boot_time.to_minutes() == 5 and cloudmart.backend.cloudfront_origin
    assert cloudmart.url.startswith("https://") and set(cloudmart.alarms) == {
        "Alb5xx",
        "UnhealthyTargets",
        "BackendCpu",
        "DbCpu",
        "DbFreeStorage",
        "DbConnections",
        "RedisMemory",
    }


def test_alarm_email_subscribes_to_the_topic(stack):
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", alarm_email="kim@example.com")
    (subscription,) = props(synth(stack), "AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "kim@example.com")


def test_a_public_image_runs_from_parameters_without_the_demo_source(stack):
    CloudMartStack(
        stack,
        "Shop",
        parameter_prefix="/unit/shop",
        backend_image="ghcr.io/acme/cloudmart-backend:2.1",
        backend_port=8080,
    )
    t = synth(stack)
    script = launch_script(t)
    assert "image: ${BACKEND_IMAGE:?from Parameter Store}" in script
    assert "server.js" not in script and "docker login" not in script
    # Your image promises its health path only: the instance waits for that, for longer.
    assert "http://127.0.0.1:80/api/health; do sleep 5" in script
    (group,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert group["CreationPolicy"]["ResourceSignal"]["Timeout"] == "PT16M"
    values = {p["Name"]: p["Value"] for p in props(t, "AWS::SSM::Parameter")}
    assert values["/unit/shop/backend-image"] == "ghcr.io/acme/cloudmart-backend:2.1"
    assert values["/unit/shop/backend-port"] == "8080"
    assert "ecr:" not in json.dumps(props(t, "AWS::IAM::Policy"))


def test_an_ecr_image_logs_in_and_may_pull_only_its_repository(stack):
    CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", backend_image=ECR_IMAGE)
    t = synth(stack)
    script = launch_script(t)
    assert (
        "aws ecr get-login-password --region ap-northeast-2 | docker login --username AWS "
        "--password-stdin 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
    ) in script
    statements = [
        {**s, "Action": [s["Action"]] if isinstance(s["Action"], str) else s["Action"]}
        for p in props(t, "AWS::IAM::Policy")
        for s in p["PolicyDocument"]["Statement"]
    ]
    pull = next(s for s in statements if "ecr:BatchGetImage" in s["Action"])
    assert "repository/cloudmart-backend" in json.dumps(pull["Resource"])
    token = next(s for s in statements if "ecr:GetAuthorizationToken" in s["Action"])
    assert token["Resource"] == "*"  # acknowledged: the API takes no resource


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"alarm_email": "kim"}, "is not an e-mail address"),
        ({"backend_image": "Not An Image"}, "is not an image reference"),
        ({"backend_port": 0}, "is not a TCP port"),
        ({"parameter_prefix": "cloudmart"}, "must be a path"),
        ({"parameter_prefix": "/cloudmart/"}, "must be a path"),
        (
            {"backend_image": ECR_IMAGE.replace("ap-northeast-2", "us-east-1")},
            "ECR of another account or region",
        ),
    ],
)
def test_invalid_props(stack, kwargs, says):
    kwargs.setdefault("parameter_prefix", "/unit/shop")
    with pytest.raises(CourseInputError, match=says):
        CloudMartStack(stack, "Shop", **kwargs)


def test_the_parameter_prefix_defaults_to_the_stack_name(stack):
    cloudmart = CloudMartStack(stack, "Shop")
    assert cloudmart.parameter_prefix == "/UnitStack/cloudmart"
    assert len(resources(synth(stack), "AWS::SSM::Parameter")) == 5


def test_the_backends_container_logs_go_to_a_log_group_the_stack_deletes(stack):
    cloudmart = CloudMartStack(
        stack, "Shop", parameter_prefix="/unit/shop", log_retention=logs.RetentionDays.ONE_DAY
    )
    t = synth(stack)
    group_id = stack.resolve(cloudmart.backend_log_group.node.default_child.logical_id)
    group = t["Resources"][group_id]
    assert (group["DeletionPolicy"], group["Properties"]["RetentionInDays"]) == ("Delete", 1)
    values = {p["Name"]: p["Value"] for p in props(t, "AWS::SSM::Parameter")}
    assert values["/unit/shop/log-group"] == {"Ref": group_id}
    script = launch_script(t)
    assert env_file_lines(script)["LOG_GROUP"].endswith("--name '/unit/shop/log-group'")
    (api,) = compose_services(script).values()
    assert api["logging"] == {
        "driver": "awslogs",
        "options": {"awslogs-group": "${LOG_GROUP:?from Parameter Store}", "tag": "api/{{.ID}}"},
    }
    writes = [
        s
        for p in props(t, "AWS::IAM::Policy")
        for s in p["PolicyDocument"]["Statement"]
        if "logs:PutLogEvents" in s["Action"]
    ]
    assert [w["Resource"] for w in writes] == [{"Fn::GetAtt": [group_id, "Arn"]}]


def test_the_redis_memory_alarm_watches_every_node_not_node_001(stack):
    cloudmart = CloudMartStack(stack, "Shop", parameter_prefix="/unit/shop", cache_replicas=1)
    t = synth(stack)
    alarm_id = stack.resolve(cloudmart.alarms["RedisMemory"].node.default_child.logical_id)
    metrics = t["Resources"][alarm_id]["Properties"]["Metrics"]
    (expression,) = [m for m in metrics if "Expression" in m]
    assert expression["Expression"] == "MAX([n1, n2])" and expression["ReturnData"]
    group = stack.resolve(cloudmart.cache.replication_group.ref)
    nodes = [m["MetricStat"]["Metric"] for m in metrics if "MetricStat" in m]
    assert [n["Dimensions"] for n in nodes] == [
        [{"Name": "CacheClusterId", "Value": {"Fn::Join": ["", [group, suffix]]}}]
        for suffix in ("-001", "-002")
    ]
    assert {n["MetricName"] for n in nodes} == {"DatabaseMemoryUsagePercentage"}
