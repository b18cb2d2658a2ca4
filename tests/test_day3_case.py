"""Day 3 case: FinTech — WAF on the ALB, API Gateway in front, RDS Multi-AZ, Redis, archive."""


import pytest
from support import ingress_rules, logical_id, mask_asset_hashes, props, resources

from week5.assets import APPS_DIR

LAB = "Day3Case"
APP = APPS_DIR / "fintech_api"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def only(t, rtype):
    (key,) = resources(t, rtype)
    return key


def test_waf_blocks_sql_injection_and_floods_on_the_alb(t):
    (acl,) = props(t, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    groups = [
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert "AWSManagedRulesSQLiRuleSet" in groups and "AWSManagedRulesCommonRuleSet" in groups
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 1000}
    assert rate["Action"] == {"Block": {}}
    (association,) = props(t, "AWS::WAFv2::WebACLAssociation")
    assert association["ResourceArn"] == {
        "Ref": only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    }


def test_api_gateway_proxies_to_the_waf_protected_alb_with_logs_and_throttling(t):
    (integration,) = props(t, "AWS::ApiGatewayV2::Integration")
    assert integration["IntegrationType"] == "HTTP_PROXY"
    uri = integration["IntegrationUri"]["Fn::Join"][1]
    alb = only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert uri == ["http://", {"Fn::GetAtt": [alb, "DNSName"]}, "/{proxy}"]
    (stage,) = props(t, "AWS::ApiGatewayV2::Stage")
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    log_group = stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert t["Resources"][log_group]["DeletionPolicy"] == "Delete"


def test_chain_alb_api_servers_database_and_cache(t, lab):
    alb = logical_id(lab.api_servers.alb_security_group)
    servers = logical_id(lab.api_servers.instance_security_group)
    db = logical_id(lab.database.security_group)
    cache = logical_id(lab.cache.security_group)
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, alb)] == [(80, "0.0.0.0/0")]
    for sg, expected_source in ((servers, alb), (db, servers), (cache, servers)):
        rules = ingress_rules(t, sg)
        assert [r["SourceSecurityGroupId"]["Fn::GetAtt"][0] for r in rules] == [expected_source]


def test_api_servers_run_the_node_api_with_health_checks(t, lab):
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert (asg["MinSize"], asg["MaxSize"], asg["HealthCheckType"]) == ("2", "4", "ELB")
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/health"
    template = t["Resources"][logical_id(lab.api_servers.launch_template)]["Properties"]
    parts = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    text = "".join(p for p in parts if isinstance(p, str))
    assert (APP / "server.js").read_text().strip() in text
    assert "image: node:22-alpine" in text and "rds-ca.pem" in text
    assert "POSTGRES_PASSWORD: password" not in text


def test_postgres_multi_az_for_the_transactions(t):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert (db["Engine"], db["MultiAZ"], db["DBName"]) == ("postgres", True, "fintech")


def test_archive_moves_to_glacier_and_is_write_only_for_the_api(t):
    ((bucket_id, bucket),) = resources(t, "AWS::S3::Bucket").items()
    rule = bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert rule["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 30}]
    assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
    assert bucket["DeletionPolicy"] == "Delete"
    statements = [
        s
        for p in props(t, "AWS::IAM::Policy")
        for s in p["PolicyDocument"]["Statement"]
        if "s3:PutObject" in s["Action"] or s["Action"] == "s3:PutObject"
    ]
    assert statements == [
        {
            "Action": "s3:PutObject",
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/transfers/*"]]},
        }
    ]


def test_outputs(t):
    assert {"ApiGatewayUrl", "AlbUrl", "ArchiveBucket", "DbEndpoint", "TransferExample"} <= set(
        t["Outputs"]
    )
