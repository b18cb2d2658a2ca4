"""Day 4 Lab 1: ALB + ASG 구성 — min 2 / max 4, CPU target tracking, health checks, load test."""

import json

import pytest
from boot_scripts import exit_trap, flat
from lab_outputs import COURSE_PLAN, plan_step_numbers, step_registry
from support import (
    by_name,
    ingress_rules,
    logical_id,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

from week5.analysis.teardown import teardown_findings

LAB = "Day4Lab1"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_course_network_with_one_nat_in_public_a(t):
    subnets = {n: p["CidrBlock"] for n, p in by_name(t, "AWS::EC2::Subnet").items()}
    assert subnets == {
        "week5-day4-public-subnet-a": "10.0.1.0/24",
        "week5-day4-public-subnet-b": "10.0.2.0/24",
        "week5-day4-private-subnet-a": "10.0.11.0/24",
        "week5-day4-private-subnet-b": "10.0.12.0/24",
    }
    (nat,) = props(t, "AWS::EC2::NatGateway")
    assert nat["SubnetId"] == {"Ref": subnet_ids_by_name(t)["week5-day4-public-subnet-a"]}


def test_internet_facing_alb_in_both_public_subnets_listening_on_80(t):
    (alb,) = props(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    ids = subnet_ids_by_name(t)
    assert alb["Scheme"] == "internet-facing"
    assert sorted(s["Ref"] for s in alb["Subnets"]) == sorted(
        [ids["week5-day4-public-subnet-a"], ids["week5-day4-public-subnet-b"]]
    )
    (listener,) = props(t, "AWS::ElasticLoadBalancingV2::Listener")
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert (group["HealthCheckPath"], group["Port"]) == ("/", 80)


def test_asg_min_2_max_4_in_private_subnets_with_elb_health_checks(t):
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    ids = subnet_ids_by_name(t)
    assert (asg["MinSize"], asg["MaxSize"]) == ("2", "4")
    assert asg["HealthCheckType"] == "ELB"
    assert sorted(s["Ref"] for s in asg["VPCZoneIdentifier"]) == sorted(
        [ids["week5-day4-private-subnet-a"], ids["week5-day4-private-subnet-b"]]
    )


def test_target_tracking_on_cpu_50_percent(t):
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    assert policy["PolicyType"] == "TargetTrackingScaling"
    config = policy["TargetTrackingConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ASGAverageCPUUtilization"
    )
    assert config["TargetValue"] == 50


def test_instances_take_http_only_from_the_alb(t, lab):
    alb_sg = logical_id(lab.web.alb_security_group)
    instance_sg = logical_id(lab.web.instance_security_group)
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, alb_sg)] == [(80, "0.0.0.0/0")]
    rules = ingress_rules(t, instance_sg)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules] == [
        (80, alb_sg)
    ]


def test_outputs_alb_url_and_the_load_test(t):
    outputs = t["Outputs"]
    assert {"AlbUrl", "LoadTestCommand", "WatchScalingCommand"} <= set(outputs)
    (asg_id,) = resources(t, "AWS::AutoScaling::AutoScalingGroup")
    parts = outputs["LoadTestCommand"]["Value"]["Fn::Join"][1]
    assert parts[1] == {"Ref": asg_id}
    text = "".join(p for p in parts if isinstance(p, str))
    assert "Key=tag:aws:autoscaling:groupName,Values=" in text
    assert "stress-ng --cpu 0 --timeout 600s" in text


def test_instances_send_one_minute_metrics_for_the_load_test(t, lab):
    """With EC2's 5-minute metrics, CPU target tracking could scale out only near the end of
    the 10-minute load test, or after it."""
    data = t["Resources"][logical_id(lab.web.launch_template)]["Properties"]["LaunchTemplateData"]
    assert data["Monitoring"] == {"Enabled": True}
    assert "stress-ng --cpu 0 --timeout 600s" in json.dumps(t["Outputs"]["LoadTestCommand"])


def test_deploy_returns_once_both_first_instances_serve_their_page(t, lab):
    group = t["Resources"][logical_id(lab.web.asg)]
    assert group["CreationPolicy"] == {"ResourceSignal": {"Count": 2, "Timeout": "PT10M"}}
    assert group["UpdatePolicy"]["AutoScalingRollingUpdate"]["WaitOnResourceSignals"] is True
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    trap = exit_trap(flat(template["LaunchTemplateData"]["UserData"]))
    assert "http://127.0.0.1:80/; do sleep 5" in trap[1]
    assert trap[-1].startswith(
        "/opt/aws/bin/cfn-signal --stack week5-instructor-Day4Lab1 "
        f"--resource {logical_id(lab.web.asg)} --region ap-northeast-2 -e $exitCode"
    )


# ---- The course's steps (week5-course-rules.md, Day 4 Lab 1), each made doable ----

#: The plan's section for this lab; its ``Step N:`` lines are the registry's keys.
PLAN_SECTION = "Lab 1: ALB + ASG 구성 (14:00-14:50)"
#: The same numbers, hard-coded from the plan, for a checkout without ../shared.
LAB1_ALB_ASG_STEPS = ["1", "2", "3", "4"]

COURSE_STEPS, step = step_registry()


@step("1", "Launch Template — User Data로 웹 서버 설치, 보안 설정")
def _launch_template(t, lab):
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    data = template["LaunchTemplateData"]
    assert "http://127.0.0.1:80/" in flat(data["UserData"])  # the web server answers on 80
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    group_ids = [g["Fn::GetAtt"][0] for g in data["SecurityGroupIds"]]
    assert group_ids == [logical_id(lab.web.instance_security_group)]
    test_instances_take_http_only_from_the_alb(t, lab)


@step("2", "ALB 생성 — Application Load Balancer, Target Group, Health Check")
def _alb(t, lab):
    test_internet_facing_alb_in_both_public_subnets_listening_on_80(t)
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/"
    assert logical_id(lab.web.alb) in json.dumps(t["Outputs"]["AlbUrl"]["Value"])


@step("3", "Auto Scaling Group — Min 2 / Max 4, Target Tracking 정책, 부하 테스트")
def _asg(t, lab):
    test_asg_min_2_max_4_in_private_subnets_with_elb_health_checks(t)
    test_target_tracking_on_cpu_50_percent(t)
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    assert policy["AutoScalingGroupName"] == {"Ref": logical_id(lab.web.asg)}
    # The load test: names the ASG, loads every CPU; the watch command names it too.
    test_outputs_alb_url_and_the_load_test(t)
    asg = {"Ref": logical_id(lab.web.asg)}
    assert asg in t["Outputs"]["LoadTestCommand"]["Value"]["Fn::Join"][1]
    assert asg in t["Outputs"]["WatchScalingCommand"]["Value"]["Fn::Join"][1]


@step("4", "리소스 정리")
def _cleanup(t, lab):
    assert teardown_findings(t) == []


def test_every_step_of_the_plan_has_an_entry():
    assert list(COURSE_STEPS) == LAB1_ALB_ASG_STEPS
    if COURSE_PLAN.exists():
        assert plan_step_numbers(PLAN_SECTION) == LAB1_ALB_ASG_STEPS


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab):
    _, check = COURSE_STEPS[number]
    check(t, lab)
