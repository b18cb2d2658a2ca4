"""Day 4 Challenge: 고가용성 아키텍처 — web, app and DB tiers across two AZs, each admitting only
the tier in front of it."""

import pytest
from boot_scripts import exit_trap
from lab_outputs import COURSE_PLAN, outputs, plan_step_numbers, step_registry
from support import (
    by_name,
    default_route_targets,
    ingress_rules,
    logical_id,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

from week5.analysis.teardown import teardown_findings

LAB = "Day4Challenge"
PUBLIC = ["week5-day4-public-subnet-a", "week5-day4-public-subnet-b"]
PRIVATE = ["week5-day4-private-subnet-a", "week5-day4-private-subnet-b"]


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def refs(items):
    return sorted(item["Ref"] for item in items)


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_course_cidrs_and_a_nat_gateway_in_each_az(t):
    subnets = {n: p["CidrBlock"] for n, p in by_name(t, "AWS::EC2::Subnet").items()}
    assert subnets == {
        PUBLIC[0]: "10.0.1.0/24",
        PUBLIC[1]: "10.0.2.0/24",
        PRIVATE[0]: "10.0.11.0/24",
        PRIVATE[1]: "10.0.12.0/24",
    }
    zones = {n: p["AvailabilityZone"] for n, p in by_name(t, "AWS::EC2::Subnet").items()}
    assert zones[PUBLIC[0]] == zones[PRIVATE[0]] == "ap-northeast-2a"
    assert zones[PUBLIC[1]] == zones[PRIVATE[1]] == "ap-northeast-2b"
    ids = subnet_ids_by_name(t)
    nats = resources(t, "AWS::EC2::NatGateway")
    nat_subnet = {k: r["Properties"]["SubnetId"]["Ref"] for k, r in nats.items()}
    assert sorted(nat_subnet.values()) == sorted(ids[n] for n in PUBLIC)
    routes = default_route_targets(t)
    for private, public in zip(PRIVATE, PUBLIC):  # each AZ leaves through its own NAT
        (nat,) = [k for k, s in nat_subnet.items() if s == ids[public]]
        assert routes[private] == {"NatGatewayId": {"Ref": nat}}


def test_web_alb_is_internet_facing_and_app_alb_internal(t, lab):
    ids = subnet_ids_by_name(t)
    albs = resources(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    web = albs[logical_id(lab.web.alb)]["Properties"]
    app = albs[logical_id(lab.app.alb)]["Properties"]
    assert len(albs) == 2
    assert web["Scheme"] == "internet-facing"
    assert refs(web["Subnets"]) == sorted(ids[n] for n in PUBLIC)
    assert app["Scheme"] == "internal"
    assert refs(app["Subnets"]) == sorted(ids[n] for n in PRIVATE)
    assert sorted(
        (p["Port"], p["Protocol"]) for p in props(t, "AWS::ElasticLoadBalancingV2::Listener")
    ) == [
        (80, "HTTP"),
        (80, "HTTP"),
    ]


def test_target_groups_health_check_each_tier(t, lab):
    groups = resources(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    web = groups[logical_id(lab.web.target_group)]
    app = groups[logical_id(lab.app.target_group)]
    assert (web["Properties"]["Port"], web["Properties"]["HealthCheckPath"]) == (80, "/")
    assert (app["Properties"]["Port"], app["Properties"]["HealthCheckPath"]) == (
        8080,
        "/api/health",
    )


def test_both_tiers_scale_2_to_4_in_both_private_subnets_on_cpu(t):
    ids = subnet_ids_by_name(t)
    groups = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert len(groups) == 2
    for group in groups:
        assert (group["MinSize"], group["MaxSize"], group["HealthCheckType"]) == ("2", "4", "ELB")
        assert refs(group["VPCZoneIdentifier"]) == sorted(ids[n] for n in PRIVATE)
    policies = props(t, "AWS::AutoScaling::ScalingPolicy")
    assert [
        (
            p["PolicyType"],
            p["TargetTrackingConfiguration"]["PredefinedMetricSpecification"][
                "PredefinedMetricType"
            ],
            p["TargetTrackingConfiguration"]["TargetValue"],
        )
        for p in policies
    ] == [("TargetTrackingScaling", "ASGAverageCPUUtilization", 50)] * 2


def source_groups(t, sg):
    """(port, source SG logical id or CIDR) for each ingress rule of ``sg``."""
    rules = []
    for rule in ingress_rules(t, sg):
        source = rule.get("CidrIp") or rule["SourceSecurityGroupId"]["Fn::GetAtt"][0]
        port = rule["FromPort"]
        if isinstance(port, dict):  # the database's port, read from the instance
            port = port["Fn::GetAtt"][1]
        rules.append((port, source))
    return rules


def test_each_tier_admits_only_the_tier_in_front_of_it(t, lab):
    sg = "AWS::EC2::SecurityGroup"
    web_alb = logical_id(lab.web.alb_security_group)
    web = logical_id(lab.web.instance_security_group)
    app_alb = logical_id(lab.app.alb_security_group)
    app = logical_id(lab.app.instance_security_group)
    db = logical_id(lab.database.security_group)
    assert source_groups(t, web_alb) == [(80, "0.0.0.0/0")]
    assert source_groups(t, web) == [(80, web_alb)]
    assert source_groups(t, app_alb) == [(80, web)]
    assert source_groups(t, app) == [(8080, app_alb)]
    assert source_groups(t, db) == [("Endpoint.Port", app)]
    assert len(resources(t, sg)) == 5


def test_multi_az_postgres_in_the_private_subnets(t):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert (db["Engine"], db["MultiAZ"], db["DBInstanceClass"]) == ("postgres", True, "db.t3.micro")
    assert db["StorageEncrypted"] is True and db["PubliclyAccessible"] is False
    (group,) = props(t, "AWS::RDS::DBSubnetGroup")
    assert refs(group["SubnetIds"]) == sorted(subnet_ids_by_name(t)[n] for n in PRIVATE)


def launch_template_user_data(t, tier):
    template = t["Resources"][logical_id(tier.launch_template)]
    return template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]


def test_web_tier_proxies_api_to_the_internal_alb(t, lab):
    parts = launch_template_user_data(t, lab.web)
    app_alb = logical_id(lab.app.alb)
    index = parts.index({"Fn::GetAtt": [app_alb, "DNSName"]})
    assert parts[index - 1].endswith("set $upstream http://")
    text = "".join(p for p in parts if isinstance(p, str))
    assert "location /api/ {" in text and "resolver 169.254.169.253 valid=30s;" in text
    assert '<a href="/api/">' in text


def test_app_tier_runs_the_tier_app_with_the_database_address(t, lab):
    parts = launch_template_user_data(t, lab.app)
    db = logical_id(lab.database.instance)
    index = parts.index({"Fn::GetAtt": [db, "Endpoint.Address"]})
    assert parts[index - 1].endswith('Environment="DB_HOST=')
    text = "".join(p for p in parts if isinstance(p, str))
    assert 'Environment="PORT=8080"' in text
    assert "systemctl enable --now tier-app" in text
    assert "def probe_database" in text  # week5/assets/apps/tier_app.py, inline
    assert "password" not in text.lower()


def test_outputs_the_urls_and_the_failure_tests(t):
    outputs = t["Outputs"]
    assert {
        "AlbUrl", "ApiUrl", "DbFailoverCommand", "DbAzCommand", "KillWebInstanceCommand"
    } <= set(outputs)  # fmt: skip
    failover = "".join(
        p if isinstance(p, str) else "<db>"
        for p in outputs["DbFailoverCommand"]["Value"]["Fn::Join"][1]
    )
    assert failover == (
        "aws rds reboot-db-instance --region ap-northeast-2 --db-instance-identifier <db> "
        "--force-failover"
    )
    kill = "".join(
        p if isinstance(p, str) else "<asg>"
        for p in outputs["KillWebInstanceCommand"]["Value"]["Fn::Join"][1]
    )
    assert "terminate-instance-in-auto-scaling-group" in kill
    assert "--no-should-decrement-desired-capacity" in kill
    assert "--auto-scaling-group-names <asg>" in kill


def test_a_database_failover_replaces_no_app_instance_and_deploys_wait_for_each_tier(t, lab):
    """The app tier's ALB checks liveness (/api/health answers without the database); each
    first instance signals CloudFormation once its readiness (/api/ready: the database's port
    answers) does, and each web instance once its page does."""
    groups = resources(t, "AWS::AutoScaling::AutoScalingGroup")
    for tier, ready in (
        (lab.app, "http://127.0.0.1:8080/api/ready"),
        (lab.web, "http://127.0.0.1:80/"),
    ):
        group_id = logical_id(tier.asg)
        assert groups[group_id]["CreationPolicy"]["ResourceSignal"] == {
            "Count": 2,
            "Timeout": "PT10M",
        }
        parts = launch_template_user_data(t, tier)
        trap = exit_trap("".join(p for p in parts if isinstance(p, str)))
        assert f"{ready}; do sleep 5" in trap[1]
        assert f"--resource {group_id} " in trap[-1]
    group = t["Resources"][logical_id(lab.app.target_group)]["Properties"]
    assert group["HealthCheckPath"] == "/api/health"


# ---- The course's steps (week5-course-rules.md, Day 4 Challenge), each made doable ----

#: The plan's section for this lab; its ``Step N:`` lines are the registry's keys.
PLAN_SECTION = "Challenge: 고가용성 아키텍처 (15:00-15:50)"
#: The same numbers, hard-coded from the plan, for a checkout without ../shared.
CHALLENGE_HA_STEPS = ["1", "2", "3", "4"]

COURSE_STEPS, step = step_registry()


@step("1", "아키텍처 설계 — Multi-AZ, Web: ALB + ASG, App: Internal ALB + ASG, DB: Multi-AZ RDS")
def _design(t, lab):
    # The plan's 요구사항, one by one, in what the stack builds.
    test_course_cidrs_and_a_nat_gateway_in_each_az(t)
    test_web_alb_is_internet_facing_and_app_alb_internal(t, lab)
    test_both_tiers_scale_2_to_4_in_both_private_subnets_on_cpu(t)
    test_multi_az_postgres_in_the_private_subnets(t)


@step("2", "인프라 구축")
def _build(t, lab):
    test_target_groups_health_check_each_tier(t, lab)
    test_each_tier_admits_only_the_tier_in_front_of_it(t, lab)
    test_web_tier_proxies_api_to_the_internal_alb(t, lab)
    test_app_tier_runs_the_tier_app_with_the_database_address(t, lab)
    # What the student opens to see it work: the web ALB, and /api/ across all three tiers.
    shown = outputs(t)
    web_alb = logical_id(lab.web.alb)
    assert shown["AlbUrl"] == f"http://<{web_alb}.DNSName>"
    assert shown["ApiUrl"] == f"http://<{web_alb}.DNSName>/api/"


@step("3", "장애 테스트")
def _failure_test(t, lab):
    # A database failover: the command names the DB instance, which has a standby to fail to.
    db = logical_id(lab.database.instance)
    assert outputs(t)["DbFailoverCommand"] == (
        "aws rds reboot-db-instance --region ap-northeast-2 "
        f"--db-instance-identifier <{db}> --force-failover"
    )
    assert t["Resources"][db]["Properties"]["MultiAZ"] is True
    # ...and what shows the standby in the other AZ took over (a trial found nothing did).
    assert outputs(t)["DbAzCommand"] == (
        f"aws rds describe-db-instances --region ap-northeast-2 --db-instance-identifier <{db}> "
        "--query 'DBInstances[0].[AvailabilityZone,SecondaryAvailabilityZone]' --output text"
    )
    # A web instance lost: the command names the web tier's group, which replaces it.
    web_asg = logical_id(lab.web.asg)
    kill = outputs(t)["KillWebInstanceCommand"]
    assert f"--auto-scaling-group-names <{web_asg}>" in kill
    assert "--no-should-decrement-desired-capacity" in kill
    assert t["Resources"][web_asg]["Properties"]["MinSize"] == "2"
    test_a_database_failover_replaces_no_app_instance_and_deploys_wait_for_each_tier(t, lab)


@step("4", "리소스 정리")
def _cleanup(t, lab):
    assert teardown_findings(t) == []


def test_every_step_of_the_plan_has_an_entry():
    assert list(COURSE_STEPS) == CHALLENGE_HA_STEPS
    if COURSE_PLAN.exists():
        assert plan_step_numbers(PLAN_SECTION) == CHALLENGE_HA_STEPS


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab):
    _, check = COURSE_STEPS[number]
    check(t, lab)
