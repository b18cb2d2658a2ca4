"""HaWebTier: ALB + ASG defaults, the security-group chain, scaling, HTTPS, and its errors."""

import pytest
from support import ingress_rules, props, resources, synth

from week5.constructs.web_tier import HaWebTier, ScalingMetric
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
    albs = {
        k: r["Properties"]
        for k, r in resources(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").items()
    }
    app_alb = next(p for k, p in albs.items() if k.startswith("App"))
    assert app_alb["Scheme"] == "internal"
    app_alb_sg = app_alb["SecurityGroups"][0]["Fn::GetAtt"][0]
    web_instance_sg = [
        k for k in resources(t, "AWS::EC2::SecurityGroup") if k.startswith("WebInstance")
    ][0]
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
    with pytest.raises(CourseInputError, match="user data would be .* bytes; EC2 takes 16384"):
        tier.add_boot_lines("x" * 16384)
