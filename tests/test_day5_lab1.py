"""Day 5 Lab 1: CloudMart 인프라 구축 — Multi-AZ VPC, PostgreSQL Multi-AZ, Redis, S3 + CloudFront
frontend with /api/* to the ALB + ASG backend, configuration in Parameter Store, alarms."""

import json

import pytest
from aws_cdk.assertions import Template
from boot_scripts import compose_services, embedded_files, env_file_lines, exit_trap, mask_embedded
from lab_outputs import COURSE_PLAN, plan_step_numbers, step_registry
from lab_outputs import outputs as lab_outputs
from support import (
    by_name,
    ingress_rules,
    logical_id,
    make_app,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

from stacks.catalog import CATALOG
from week5.constructs.cloudmart import DEMO_BACKEND_DIR
from week5.core.errors import CourseInputError
from week5.core.settings import CourseSettings

LAB = "Day5Lab1"
PREFIX = "/week5-instructor-Day5Lab1/cloudmart"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def user_data(t):
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    return template["LaunchTemplateData"]["UserData"]["Fn::Base64"]


def test_snapshot(t, json_snapshot):
    assert mask_embedded(mask_asset_hashes(t)) == json_snapshot


def test_step1_multi_az_vpc_with_public_and_private_subnets(t):
    subnets = {
        n: (p["CidrBlock"], p["AvailabilityZone"])
        for n, p in by_name(t, "AWS::EC2::Subnet").items()
    }
    assert subnets == {
        "week5-day5-public-subnet-a": ("10.0.1.0/24", "ap-northeast-2a"),
        "week5-day5-public-subnet-b": ("10.0.2.0/24", "ap-northeast-2b"),
        "week5-day5-private-subnet-a": ("10.0.11.0/24", "ap-northeast-2a"),
        "week5-day5-private-subnet-b": ("10.0.12.0/24", "ap-northeast-2b"),
    }
    assert len(resources(t, "AWS::EC2::NatGateway")) == 1


def test_step2_postgres_multi_az_and_one_redis_node(t):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert (db["Engine"], db["DBInstanceClass"], db["MultiAZ"], db["DBName"]) == (
        "postgres",
        "db.t3.micro",
        True,
        "cloudmart",
    )
    assert (db["BackupRetentionPeriod"], db["DeleteAutomatedBackups"]) == (1, True)
    (redis,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    assert (redis["Engine"], redis["CacheNodeType"], redis["NumCacheClusters"]) == (
        "redis",
        "cache.t3.micro",
        1,
    )
    assert redis["TransitEncryptionEnabled"] is True


def test_step3_frontend_on_cloudfront_with_api_routed_to_the_alb(t, lab):
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    bucket = logical_id(lab.cloudmart.frontend.bucket)
    default_origin = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert default_origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    (api,) = config["CacheBehaviors"]
    alb = logical_id(lab.cloudmart.backend.alb)
    assert api["PathPattern"] == "/api/*"
    assert origins[api["TargetOriginId"]]["DomainName"] == {"Fn::GetAtt": [alb, "DNSName"]}
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert "POST" in api["AllowedMethods"]


def test_step3_backend_asg_2_to_4_in_private_subnets_health_checked_on_api_health(t):
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    ids = subnet_ids_by_name(t)
    assert (group["MinSize"], group["MaxSize"], group["HealthCheckType"]) == ("2", "4", "ELB")
    assert sorted(s["Ref"] for s in group["VPCZoneIdentifier"]) == sorted(
        [ids["week5-day5-private-subnet-a"], ids["week5-day5-private-subnet-b"]]
    )
    (target_group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert (target_group["Port"], target_group["HealthCheckPath"]) == (80, "/api/health")
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    assert template["LaunchTemplateData"]["InstanceType"] == "t3.micro"


def test_security_groups_chain_cloudfront_alb_backend_and_the_stores(t, lab):
    cloudmart = lab.cloudmart
    alb = logical_id(cloudmart.backend.alb_security_group)
    backend = logical_id(cloudmart.backend.instance_security_group)
    # Only CloudFront's origin-facing servers reach the ALB: no way around CloudFront.
    (lookup,) = resources(t, "Custom::AWS")
    assert [(r["FromPort"], r.get("SourcePrefixListId")) for r in ingress_rules(t, alb)] == [
        (80, {"Fn::GetAtt": [lookup, "PrefixLists.0.PrefixListId"]})
    ]
    assert "com.amazonaws.global.cloudfront.origin-facing" in t["Resources"][lookup][
        "Properties"
    ]["Create"]
    assert [
        (r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, backend)
    ] == [(80, alb)]
    for store in (cloudmart.database, cloudmart.cache):
        rules = ingress_rules(t, logical_id(store.security_group))
        assert [r["SourceSecurityGroupId"]["Fn::GetAtt"][0] for r in rules] == [backend]


def test_configuration_lives_in_parameter_store_not_in_user_data(t, lab):
    parameters = {p["Name"]: p["Value"] for p in props(t, "AWS::SSM::Parameter")}
    db = logical_id(lab.cloudmart.database.instance)
    assert parameters[f"{PREFIX}/db-endpoint"] == {"Fn::GetAtt": [db, "Endpoint.Address"]}
    assert set(parameters) == {
        f"{PREFIX}/db-endpoint",
        f"{PREFIX}/db-secret-arn",
        f"{PREFIX}/redis-endpoint",
        f"{PREFIX}/redis-secret-arn",
        f"{PREFIX}/log-group",
    }
    script = user_data(t)
    assert isinstance(script, str)  # no token: no endpoint, ARN or password in the user data
    for name in parameters:
        assert f"--name '{name}'" in script
    assert "printf '%s=%s\\n' DB_PASSWORD" in script
    # The demo backend, inline (gzip), byte for byte.
    assert embedded_files(script)["/opt/week5/app/server.js"] == (
        DEMO_BACKEND_DIR / "server.js"
    ).read_bytes()


def test_every_store_setting_reaches_the_backend_container(t):
    script = user_data(t)
    env = env_file_lines(script)
    (api,) = compose_services(script).values()
    for variable, parameter in (
        ("DB_HOST", "db-endpoint"),
        ("REDIS_HOST", "redis-endpoint"),
        ("LOG_GROUP", "log-group"),
    ):
        assert env[variable].endswith(f"--name '{PREFIX}/{parameter}'"), variable
    for variable in ("DB_USER", "DB_PASSWORD", "REDIS_AUTH_TOKEN"):
        assert "get-secret-value" in env[variable], variable
    for variable in ("DB_HOST", "DB_USER", "DB_PASSWORD", "REDIS_HOST", "REDIS_AUTH_TOKEN"):
        assert api["environment"][variable].startswith(f"${{{variable}:?"), variable
    assert api["logging"]["options"]["awslogs-group"].startswith("${LOG_GROUP:?")


def test_deploy_returns_once_every_backend_answers_with_both_stores(t, lab):
    (group_id,) = resources(t, "AWS::AutoScaling::AutoScalingGroup")
    group = t["Resources"][group_id]
    assert group["CreationPolicy"] == {"ResourceSignal": {"Count": 2, "Timeout": "PT10M"}}
    assert group["Metadata"]["week5:BootSeconds"] == 300
    trap = exit_trap(user_data(t))
    assert "http://127.0.0.1:80/api/health/deep; do sleep 5; done" in trap[1]
    assert f"--resource {group_id} " in trap[-1]
    # ...while the ALB checks liveness only: a store's failover pulls no instance out.
    (target_group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert target_group["HealthCheckPath"] == "/api/health"


def test_backend_logs_go_to_a_log_group_the_stack_deletes(t, lab):
    group_id = logical_id(lab.cloudmart.backend_log_group)
    group = t["Resources"][group_id]
    assert (group["DeletionPolicy"], group["Properties"]["RetentionInDays"]) == ("Delete", 7)
    assert t["Outputs"]["BackendLogGroup"]["Value"] == {"Ref": group_id}
    policy = t["Resources"][logical_id(backend_role_policy(lab))]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    (write,) = [s for s in statements if "logs:PutLogEvents" in s["Action"]]
    assert write["Resource"] == {"Fn::GetAtt": [group_id, "Arn"]}


def backend_role_policy(lab):
    """The backend role's default policy: iam.Role keeps it private, under ``DefaultPolicy``."""
    return lab.cloudmart.backend.role.node.find_child("DefaultPolicy")


def test_backend_role_reads_exactly_its_parameters_and_secrets(t, lab):
    policy = t["Resources"][logical_id(backend_role_policy(lab))]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    (ssm_read,) = [s for s in statements if "ssm:GetParameter" in s["Action"]]
    named = {r["Fn::Join"][1][-1]["Ref"] for r in ssm_read["Resource"]}
    assert named == set(resources(t, "AWS::SSM::Parameter"))  # each by its ARN, no wildcard
    assert "*" not in json.dumps(ssm_read["Resource"])
    (secret_read,) = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert sorted(r["Ref"] for r in secret_read["Resource"]) == sorted(
        [
            logical_id(lab.cloudmart.cache.auth_secret),
            logical_id(lab.cloudmart.database.secret),  # the secret's attachment to the instance
        ]
    )


def test_boots_only_after_its_parameters_role_and_routes_exist(t, lab):
    (group_id,) = resources(t, "AWS::AutoScaling::AutoScalingGroup")
    depends = t["Resources"][group_id]["DependsOn"]
    assert {k for k in resources(t, "AWS::SSM::Parameter")} <= set(depends)
    assert logical_id(backend_role_policy(lab)) in depends
    first_private = lab.cloudmart.network.private_subnets[0]  # the ec2 L2 keeps its route private
    assert logical_id(first_private.node.find_child("DefaultRoute")) in depends


EXPECTED_ALARMS = {
    # metric: (namespace, threshold, comparison, evaluation periods)
    "HTTPCode_Target_5XX_Count": ("AWS/ApplicationELB", 10, "GreaterThanOrEqualToThreshold", 1),
    "UnHealthyHostCount": ("AWS/ApplicationELB", 1, "GreaterThanOrEqualToThreshold", 3),
    "CPUUtilization/AWS/EC2": ("AWS/EC2", 80, "GreaterThanOrEqualToThreshold", 2),
    "CPUUtilization/AWS/RDS": ("AWS/RDS", 80, "GreaterThanOrEqualToThreshold", 2),
    "FreeStorageSpace": ("AWS/RDS", 2 * 1024**3, "LessThanOrEqualToThreshold", 1),
    "DatabaseConnections": ("AWS/RDS", 80, "GreaterThanOrEqualToThreshold", 2),
    # Every node at its highest (one node here): it follows the primary through a failover.
    "MAX([n1])": ("AWS/ElastiCache", 80, "GreaterThanOrEqualToThreshold", 2),
}


def test_alarms_watch_each_tier_and_notify_the_topic(t, lab):
    topic = logical_id(lab.cloudmart.alarm_topic)
    found = {}
    for alarm in props(t, "AWS::CloudWatch::Alarm"):
        if "Metrics" in alarm:  # an expression over metrics
            (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
            stats = [m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m]
            namespaces = {stat["Metric"]["Namespace"] for stat in stats}
            alarm = {**alarm, "MetricName": expression["Expression"], "Namespace": namespaces.pop()}
        key = alarm["MetricName"]
        if key == "CPUUtilization":
            key = f"CPUUtilization/{alarm['Namespace']}"
        found[key] = (
            alarm["Namespace"],
            alarm["Threshold"],
            alarm["ComparisonOperator"],
            alarm["EvaluationPeriods"],
        )
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert alarm["TreatMissingData"] == "notBreaching"
    assert found == EXPECTED_ALARMS
    (dashboard,) = props(t, "AWS::CloudWatch::Dashboard")
    assert "DashboardBody" in dashboard
    assert props(t, "AWS::SNS::Subscription") == []  # no alarm_email in cdk.json


def test_backups_are_removed_with_the_stack(t):
    for resource in resources(t, "AWS::RDS::DBInstance").values():
        assert resource["DeletionPolicy"] == "Delete"
        assert "DBSnapshotIdentifier" not in resource["Properties"]
    (redis,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    assert "FinalSnapshotIdentifier" not in redis


def test_outputs(t, lab):
    assert {
        "CloudMartUrl",
        "ApiHealthUrl",
        "DbEndpoint",
        "RedisEndpoint",
        "ParameterPath",
        "AlarmTopicArn",
        "AlarmNotifications",
        "BackendLogGroup",
        "DashboardUrl",
    } <= set(t["Outputs"])
    assert t["Outputs"]["ParameterPath"]["Value"] == PREFIX
    # The app's address is CloudFront's: no output hands out the ALB, which admits CloudFront only.
    alb = logical_id(lab.cloudmart.backend.alb)
    assert alb not in json.dumps(t["Outputs"])
    assert t["Outputs"]["ApiHealthUrl"]["Value"]["Fn::Join"][1][-1] == "/api/health/deep"
    # No alarm_email in cdk.json: the outputs say that no one gets the alarms.
    assert t["Outputs"]["AlarmNotifications"]["Value"].startswith("없음: 경보 토픽에 구독자가 없어")


def build_with(tmp_path, **context):
    cdk_app = make_app(tmp_path, **context)
    settings = CourseSettings.from_context(cdk_app.node.try_get_context)
    lab = CATALOG.get(LAB)
    return lab.build(cdk_app, lab, settings)


@pytest.mark.parametrize(
    "context, says",
    [
        (
            {"cloudmart_backend_port": "http"},
            "context 'cloudmart_backend_port'='http' is not a TCP port",
        ),
        # A port without an image was ignored: the demo backend listens on its own.
        (
            {"cloudmart_backend_port": "8080"},
            "context 'cloudmart_backend_port'='8080' is the port of your own backend image: "
            "pass -c cloudmart_backend_image=<image> with it",
        ),
        ({"cloudmart_frontend_dir": "."}, "holds no index.html"),
        ({"alarm_email": "not-mail"}, "is not an e-mail address"),
    ],
)
def test_bad_context_is_refused_with_the_fix(tmp_path, context, says):
    with pytest.raises(CourseInputError, match=says):
        build_with(tmp_path, **context)


def test_context_points_the_lab_at_your_own_build(tmp_path):
    frontend = tmp_path / "dist"
    frontend.mkdir()
    (frontend / "index.html").write_text("<h1>mine</h1>")
    stack = build_with(
        tmp_path,
        cloudmart_backend_image="ghcr.io/acme/cloudmart-backend:2.1",
        cloudmart_backend_port="8080",
        cloudmart_frontend_dir=str(frontend),
        alarm_email="kim@example.com",
    )
    t = Template.from_stack(stack).to_json()
    values = {p["Name"]: p["Value"] for p in props(t, "AWS::SSM::Parameter")}
    assert values[f"{PREFIX}/backend-image"] == "ghcr.io/acme/cloudmart-backend:2.1"
    assert values[f"{PREFIX}/backend-port"] == "8080"
    (subscription,) = props(t, "AWS::SNS::Subscription")
    assert subscription["Endpoint"] == "kim@example.com"
    assert t["Outputs"]["AlarmNotifications"]["Value"] == (
        "kim@example.com로 이메일 (받은 메일의 확인 링크를 누른 뒤부터)"
    )
    (deployment,) = props(t, "Custom::CDKBucketDeployment")
    assert len(deployment["SourceObjectKeys"]) == 1  # the folder given, as one asset


# ---- The course's steps (week5-course-rules.md, Day 5 Lab 1), each made doable ----

#: The plan's section for this lab; its ``Step N:`` lines are the registry's keys.
PLAN_SECTION = "Lab 1: CloudMart 인프라 구축 (14:00-14:50)"
#: The same numbers, hard-coded from the plan, for a checkout without ../shared.
LAB1_CLOUDMART_STEPS = ["1", "2", "3", "4"]

COURSE_STEPS, step = step_registry()


@step("1", "네트워크 구성 — Multi-AZ VPC, Public/Private Subnets")
def _network(t, lab):
    test_step1_multi_az_vpc_with_public_and_private_subnets(t)


@step("2", "데이터베이스 배포 — RDS PostgreSQL (Multi-AZ), ElastiCache Redis")
def _stores(t, lab):
    test_step2_postgres_multi_az_and_one_redis_node(t)
    shown = lab_outputs(t)
    assert shown["DbEndpoint"] == f"<{logical_id(lab.cloudmart.database.instance)}.Endpoint.Address>"
    assert "RedisEndpoint" in shown


@step("3", "애플리케이션 배포 — Frontend: S3 + CloudFront, Backend: EC2 + ALB + ASG")
def _app(t, lab):
    test_step3_frontend_on_cloudfront_with_api_routed_to_the_alb(t, lab)
    test_step3_backend_asg_2_to_4_in_private_subnets_health_checked_on_api_health(t)
    test_security_groups_chain_cloudfront_alb_backend_and_the_stores(t, lab)
    test_every_store_setting_reaches_the_backend_container(t)


@step("4", "검증")
def _verify(t, lab):
    (dist,) = resources(t, "AWS::CloudFront::Distribution")
    shown = lab_outputs(t)
    assert shown["CloudMartUrl"] == f"https://<{dist}.DomainName>"
    # Both stores answer through CloudFront → ALB → backend, or a 503 names the one that fails.
    assert shown["ApiHealthUrl"] == f"https://<{dist}.DomainName>/api/health/deep"
    test_deploy_returns_once_every_backend_answers_with_both_stores(t, lab)
    test_alarms_watch_each_tier_and_notify_the_topic(t, lab)
    (dashboard,) = resources(t, "AWS::CloudWatch::Dashboard")
    assert f"<{dashboard}>" in shown["DashboardUrl"]
    assert shown["DashboardUrl"].startswith("https://ap-northeast-2.console.aws.amazon.com/")
    test_backend_logs_go_to_a_log_group_the_stack_deletes(t, lab)


def test_every_step_of_the_plan_has_an_entry():
    assert list(COURSE_STEPS) == LAB1_CLOUDMART_STEPS
    if COURSE_PLAN.exists():
        assert plan_step_numbers(PLAN_SECTION) == LAB1_CLOUDMART_STEPS


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab):
    _, check = COURSE_STEPS[number]
    check(t, lab)
