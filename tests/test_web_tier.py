"""HaWebTier: ALB + ASG defaults, the security-group chain, scaling, HTTPS, and its errors."""

import json
import subprocess
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from boot_scripts import exit_trap, flat
from servers import free_port, serve_in_thread
from support import (
    CourseAzStack,
    ingress_rules,
    logical_id,
    make_app,
    props,
    resources,
    synth,
)

from week5.analysis.timing import BOOT_SECONDS_METADATA
from week5.constructs import userdata
from week5.constructs.vpc import MultiAzVpc
from week5.constructs.web_tier import HaWebTier, ScalingMetric, signal_when_ready
from week5.core.errors import CourseInputError

CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc"


def sg_of(t, rtype, key):
    (p,) = props(t, rtype)
    return [g["Fn::GetAtt"][0] if isinstance(g, dict) else g for g in p[key]]


def test_course_defaults_min2_max4_elb_health_cpu_target(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc)
    t = synth(stack)
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert (asg["MinSize"], asg["MaxSize"]) == ("2", "4") and "DesiredCapacity" not in asg
    assert (asg["HealthCheckType"], asg["HealthCheckGracePeriod"]) == ("ELB", 300)
    assert all("PrivateSubnet" in s["Ref"] for s in asg["VPCZoneIdentifier"])
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    config = policy["TargetTrackingConfiguration"]
    assert (
        config["PredefinedMetricSpecification"]["PredefinedMetricType"]
        == "ASGAverageCPUUtilization"
    )
    assert config["TargetValue"] == 50
    (update,) = [
        r["UpdatePolicy"] for r in resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    ]
    assert update["AutoScalingRollingUpdate"]["MaxBatchSize"] == 1
    (alb,) = props(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Scheme"] == "internet-facing"
    (listener,) = props(t, "AWS::ElasticLoadBalancingV2::Listener")
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/" and group["Port"] == 80
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    data = template["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert data["InstanceType"] == "t3.micro"
    assert tier.url.startswith("http://")


def test_instances_admit_the_app_port_only_from_the_alb(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, app_port=8080, health_check_path="/health")
    t = synth(stack)
    (alb_sg,) = sg_of(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups")
    instance_sg = [k for k in resources(t, "AWS::EC2::SecurityGroup") if "Instance" in k][0]
    assert [
        (r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, instance_sg)
    ] == [(8080, alb_sg)]
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, alb_sg)] == [(80, "0.0.0.0/0")]


def test_internal_tier_admits_only_the_granted_tier(stack, net):
    web = HaWebTier(stack, "Web", vpc=net.vpc)
    app_tier = HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False)
    app_tier.grant_connect(web)
    t = synth(stack)
    app_alb = t["Resources"][logical_id(app_tier.alb)]["Properties"]
    assert app_alb["Scheme"] == "internal"
    app_alb_sg = app_alb["SecurityGroups"][0]["Fn::GetAtt"][0]
    assert app_alb_sg == logical_id(app_tier.alb_security_group)
    web_instance_sg = logical_id(web.instance_security_group)
    rules = ingress_rules(t, app_alb_sg)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules] == [
        (80, web_instance_sg)
    ]


def test_an_internal_tier_nobody_may_call_fails_at_synth(stack, net):
    HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False)  # constructing it is fine
    with pytest.raises(Exception, match="internal ALB admits no one; grant the web tier"):
        synth(stack)


def test_https_listener_and_redirect(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc, certificate_arn=CERT)
    t = synth(stack)
    listeners = {p["Port"]: p for p in props(t, "AWS::ElasticLoadBalancingV2::Listener")}
    assert listeners[443]["Certificates"] == [{"CertificateArn": CERT}]
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    assert tier.url.startswith("https://")


@pytest.mark.parametrize(
    "https, ports, says", [(False, [80], "80 from"), (True, [80, 443], "80/443 from")]
)
def test_the_alb_groups_description_names_the_ports_it_opens(stack, net, https, ports, says):
    """The console shows the description beside the rules: it said 80/443 where only 80 was
    open (a trial read it in the template)."""
    tier = HaWebTier(stack, "Web", vpc=net.vpc, **({"certificate_arn": CERT} if https else {}))
    t = synth(stack)
    group = t["Resources"][stack.resolve(tier.alb_security_group.node.default_child.logical_id)]
    props_ = group["Properties"]
    assert props_["GroupDescription"].endswith(f"ALB {says} anywhere")
    assert sorted(r["FromPort"] for r in props_["SecurityGroupIngress"]) == ports


def test_request_count_scaling(stack, net):
    HaWebTier(
        stack,
        "Web",
        vpc=net.vpc,
        scaling_metric=ScalingMetric.REQUESTS_PER_TARGET,
        scaling_target=600,
    )
    (policy,) = props(synth(stack), "AWS::AutoScaling::ScalingPolicy")
    config = policy["TargetTrackingConfiguration"]
    assert (
        config["PredefinedMetricSpecification"]["PredefinedMetricType"]
        == "ALBRequestCountPerTarget"
    )
    assert config["TargetValue"] == 600


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"min_capacity": 5, "max_capacity": 4}, "min_capacity=5 is above max_capacity=4"),
        ({"desired_capacity": 9}, "desired_capacity=9 is outside 2..4"),
        ({"https": True}, "HTTPS listener needs certificate_arn"),
        ({"app_port": 70000}, "not a TCP port"),
        ({"health_check_path": "health"}, "must start with /"),
        ({"instance_type": "large"}, "not an EC2 instance type"),
        ({"instance_type": None}, "instance_type=None is not an EC2 instance type"),
        ({"https": False, "certificate_arn": "arn:aws:acm:x"}, "certificate_arn is unused"),
        ({"scaling_target": 0}, "scaling_target=0 is not a CPU percent"),
        ({"scaling_target": 150}, "scaling_target=150 is not a CPU percent"),
        (
            {"scaling_metric": ScalingMetric.REQUESTS_PER_TARGET, "scaling_target": -5},
            "scaling_target=-5 is not a positive request count",
        ),
    ],
)
def test_invalid_combinations(stack, net, kwargs, says):
    with pytest.raises(CourseInputError, match=says):
        HaWebTier(stack, "Web", vpc=net.vpc, **kwargs)


def test_boot_lines_added_later_reach_the_launch_template(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc, user_data_lines=["echo first"])
    tier.add_boot_lines("echo added-after-construction")
    t = synth(stack)
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    text = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]
    assert text.index("echo first") < text.index("echo added-after-construction")
    with pytest.raises(CourseInputError, match="user data is .* bytes; EC2 takes 16384"):
        tier.add_boot_lines("x" * 16384)


# ---- creation signals: a finished deploy means a working URL ----


def asg_resource(t):
    (group,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    return group


def launch_user_data(t):
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    return flat(template["LaunchTemplateData"]["UserData"])


def test_the_group_waits_for_each_first_instance_to_signal_that_its_page_answers(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc)
    tier.add_boot_lines("echo added-after-construction")
    t = synth(stack)
    group = asg_resource(t)
    group_id = stack.resolve(tier.asg.node.default_child.logical_id)
    assert group["CreationPolicy"] == {"ResourceSignal": {"Count": 2, "Timeout": "PT10M"}}
    update = group["UpdatePolicy"]["AutoScalingRollingUpdate"]
    assert (update["WaitOnResourceSignals"], update["PauseTime"]) == (True, "PT10M")
    assert group["Metadata"][BOOT_SECONDS_METADATA] == 180  # 3 minutes: an nginx page
    assert group["Properties"]["HealthCheckGracePeriod"] == 300
    text = launch_user_data(t)
    assert exit_trap(text) == [
        "exitCode=$?",
        "[ \"$exitCode\" -ne 0 ] || timeout 600 bash -c 'until curl -fsS -o /dev/null "
        "--max-time 5 http://127.0.0.1:80/; do sleep 5; done' || exitCode=$?",
        '[ "$exitCode" -ne 0 ] || sleep 35',
        "[ -x /opt/aws/bin/cfn-signal ] || dnf install -y aws-cfn-bootstrap || true",
        f"/opt/aws/bin/cfn-signal --stack UnitStack --resource {group_id} "
        "--region ap-northeast-2 -e $exitCode || echo 'Failed to send Cloudformation Signal'",
    ]
    # The trap is armed before the script's first line, so lines added later run before it.
    assert text.index("trap exitTrap EXIT") < text.index("set -euxo pipefail")
    assert text.index("systemctl enable --now nginx") < text.index("echo added-after")


def test_a_docker_boot_gets_longer_and_a_ready_path_apart_from_liveness(stack, net):
    HaWebTier(
        stack,
        "Web",
        vpc=net.vpc,
        app_port=8080,
        health_check_path="/healthz",
        ready_path="/ready",
        user_data_lines=userdata.install_docker(),
    )
    t = synth(stack)
    group = asg_resource(t)
    assert group["CreationPolicy"]["ResourceSignal"]["Timeout"] == "PT16M"  # twice 8 minutes
    assert group["Metadata"][BOOT_SECONDS_METADATA] == 480
    assert group["Properties"]["HealthCheckGracePeriod"] == 480  # ELB checks after the boot
    (target_group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert target_group["HealthCheckPath"] == "/healthz"  # liveness for the ALB
    assert "timeout 960 bash -c 'until curl -fsS -o /dev/null --max-time 5 " in (
        launch_user_data(t)
    )
    assert "http://127.0.0.1:8080/ready; do" in launch_user_data(t)


def test_an_explicit_boot_time_sets_the_estimate_and_twice_it_the_timeout(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc, boot_time=Duration.minutes(7))
    group = asg_resource(synth(stack))
    assert group["Metadata"][BOOT_SECONDS_METADATA] == 420
    assert group["CreationPolicy"]["ResourceSignal"]["Timeout"] == "PT14M"
    assert tier.signal_timeout.to_minutes() == 14


def test_a_group_of_zero_waits_for_no_signal(stack, net):
    HaWebTier(stack, "Web", vpc=net.vpc, min_capacity=0, max_capacity=2)
    assert "CreationPolicy" not in asg_resource(synth(stack))


def run_trap(tmp_path, lines, body="exit 0", signal_log="signal.log"):
    """Runs the exit trap as the boot script would, with a stand-in cfn-signal that records
    its arguments; returns them."""
    fake = tmp_path / "cfn-signal"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / signal_log}\n')
    fake.chmod(0o755)
    script = "\n".join(
        ["#!/bin/bash", "function exitTrap(){", "exitCode=$?"]
        + [line.replace("/opt/aws/bin/cfn-signal", str(fake)) for line in lines]
        + [f"{fake} --resource Asg -e $exitCode", "}", "trap exitTrap EXIT", "set -eu", body]
    )
    subprocess.run(["bash", "-c", script], timeout=60, check=False)
    return (tmp_path / signal_log).read_text().split()


def test_the_trap_signals_success_once_the_app_answers(tmp_path):
    class Ready(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/ready" else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Ready)
    serve_in_thread(server)
    try:
        port = server.server_address[1]
        lines = signal_when_ready(port, "/ready", 20, settle_s=0)
        assert run_trap(tmp_path, lines) == ["--resource", "Asg", "-e", "0"]
        failing = signal_when_ready(port, "/broken", 2, settle_s=0)  # 500s: never ready
        assert run_trap(tmp_path, failing) == ["--resource", "Asg", "-e", "124"]
    finally:
        server.shutdown()


def test_a_failed_boot_signals_its_exit_status_at_once(tmp_path):
    lines = signal_when_ready(free_port(), "/", 600, settle_s=0)
    started = time.monotonic()
    assert run_trap(tmp_path, lines, body="false") == ["--resource", "Asg", "-e", "1"]
    assert time.monotonic() - started < 10  # no wait for an app that will not come


# ---- CloudFront origins: no way around CloudFront ----


def test_a_cloudfront_origin_admits_only_cloudfronts_prefix_list(stack, net):
    web = HaWebTier(stack, "Web", vpc=net.vpc, cloudfront_origin=True)
    HaWebTier(stack, "Shop", vpc=net.vpc, cloudfront_origin=True)
    t = synth(stack)
    alb_sg = stack.resolve(web.alb_security_group.node.default_child.logical_id)
    (rule,) = ingress_rules(t, alb_sg)  # one rule: it counts as 55 of the group's 60
    (lookup_id,) = resources(t, "Custom::AWS")  # one lookup for the stack's tiers
    assert rule["SourcePrefixListId"] == {
        "Fn::GetAtt": [lookup_id, "PrefixLists.0.PrefixListId"]
    }
    assert (rule["FromPort"], rule["ToPort"]) == (80, 80) and "CidrIp" not in rule
    call = json.loads(t["Resources"][lookup_id]["Properties"]["Create"])
    assert (call["service"], call["action"]) == ("EC2", "describeManagedPrefixLists")
    assert call["parameters"]["Filters"] == [
        {"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}
    ]
    (function,) = props(t, "AWS::Lambda::Function")
    group = function["LoggingConfig"]["LogGroup"]["Ref"]
    assert t["Resources"][group]["DeletionPolicy"] == "Delete"  # the stack's own log group
    for other in props(t, "AWS::EC2::SecurityGroup"):
        assert all(r.get("CidrIp") != "0.0.0.0/0" for r in other.get("SecurityGroupIngress", []))


def test_cloudfront_origin_and_paths_are_checked(stack, net):
    with pytest.raises(CourseInputError, match="cloudfront_origin needs internet_facing=True"):
        HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False, cloudfront_origin=True)
    with pytest.raises(CourseInputError, match="ready_path='health' must start with /"):
        HaWebTier(stack, "A", vpc=net.vpc, ready_path="health")
    with pytest.raises(
        CourseInputError, match="ready_path=\"/it's\" must start with / and hold no quote"
    ):
        HaWebTier(stack, "B", vpc=net.vpc, ready_path="/it's")
    with pytest.raises(CourseInputError, match="boot_time under a minute"):
        HaWebTier(stack, "C", vpc=net.vpc, boot_time=Duration.seconds(30))


def test_a_second_port_from_cloudfront_would_pass_the_rule_quota_and_fails_synth(stack, net):
    tier = HaWebTier(stack, "Web", vpc=net.vpc, cloudfront_origin=True)
    tier.alb_security_group.add_ingress_rule(
        ec2.Peer.prefix_list("pl-22a6434b"), ec2.Port.tcp(443), "443 from CloudFront too"
    )
    with pytest.raises(Exception, match=r"would count 110 inbound rules .* EC2 allows 60"):
        synth(stack)


def test_two_stacks_with_the_same_cloudfront_tier_are_each_within_the_quota(tmp_path):
    """Each student's or lab's copy has the same logical ids; rules count per group."""
    cdk_app = make_app(tmp_path)
    for name in ("One", "Two"):
        unit = CourseAzStack(cdk_app, name, env=cdk.Environment(region="ap-northeast-2"))
        HaWebTier(unit, "Web", vpc=MultiAzVpc(unit, "Net").vpc, cloudfront_origin=True)
    assert len(cdk_app.synth().stacks) == 2
