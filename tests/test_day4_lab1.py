"""Day 4 Lab 1: ALB + ASG 구성 — min 2 / max 4, CPU target tracking, health checks, load test."""

import pytest
from boot_scripts import exit_trap, flat
from support import (
    by_name,
    ingress_rules,
    logical_id,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

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
