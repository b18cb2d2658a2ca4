"""Day 2 case: E-Commerce 플랫폼 — CloudFront+S3 static files, ALB → PrestaShop, MySQL 8.4, Redis."""

import pytest
from support import ingress_rules, logical_id, mask_asset_hashes, props, resources

LAB = "Day2Case"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def groups(lab):
    return (
        logical_id(lab.shop.alb_security_group),
        logical_id(lab.shop.instance_security_group),
        logical_id(lab.database.security_group),
        logical_id(lab.cache.security_group),
    )


def sources(t, sg):
    return {
        (r["FromPort"], r.get("CidrIp") or r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, sg)
    }


def test_security_groups_chain_alb_shop_database_and_cache(t, lab):
    alb, shop, db, cache = groups(lab)
    assert sources(t, alb) == {(80, "0.0.0.0/0")}
    assert sources(t, shop) == {(80, alb)}
    (db_rule,) = ingress_rules(t, db)
    (db_id,) = resources(t, "AWS::RDS::DBInstance")
    assert db_rule["FromPort"] == {"Fn::GetAtt": [db_id, "Endpoint.Port"]}
    assert db_rule["SourceSecurityGroupId"]["Fn::GetAtt"][0] == shop
    assert sources(t, cache) == {(6379, shop)}


def test_mysql_8_4_not_8_0(t):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert db["Engine"] == "mysql" and db["EngineVersion"].startswith("8.4.")
    assert db["DBName"] == "prestashop" and db["StorageEncrypted"] is True


def test_shop_runs_prestashop_with_credentials_from_the_rds_secret(t, lab):
    template = t["Resources"][logical_id(lab.shop.launch_template)]["Properties"]
    parts = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    text = "".join(p for p in parts if isinstance(p, str))
    assert "image: prestashop/prestashop:latest" in text
    assert text.count("json.load(sys.stdin)") == 2  # DB_USER and DB_PASSWD from the RDS secret
    assert "DB_PASSWD: password" not in text and "rootpassword" not in text
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert (asg["MinSize"], asg["MaxSize"]) == ("1", "2")


def test_static_files_through_cloudfront_with_oac(t):
    assert len(props(t, "AWS::CloudFront::OriginAccessControl")) == 1
    (bucket,) = props(t, "AWS::S3::Bucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_private_hosts_reach_the_internet_through_a_nat_instance(t):
    assert resources(t, "AWS::EC2::NatGateway") == {}
    assert [p["InstanceType"] for p in props(t, "AWS::EC2::Instance")] == ["t4g.nano"]


def test_outputs(t):
    assert {"ShopUrl", "StaticUrl", "DbEndpoint", "RedisEndpoint"} <= set(t["Outputs"])
