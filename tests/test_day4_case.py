"""Day 4 case: News & Media 플랫폼 — CloudFront over S3 (static), the ALB (/news/*, Ghost on an
ASG) and a media bucket; Redis; RDS MySQL with a read replica."""

import json

import pytest
from support import (
    ingress_rules,
    logical_id,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

LAB = "Day4Case"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def distribution(t):
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    return dist["DistributionConfig"]


def origin_of(config, behavior):
    (origin,) = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    return origin


def test_cloudfront_default_is_the_static_bucket(t, lab):
    config = distribution(t)
    default = config["DefaultCacheBehavior"]
    site_bucket = logical_id(lab.site.bucket)
    origin = origin_of(config, default)
    assert origin["DomainName"] == {"Fn::GetAtt": [site_bucket, "RegionalDomainName"]}
    assert "OriginAccessControlId" in origin
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"


def test_news_path_goes_to_the_alb_and_media_to_the_media_bucket(t, lab):
    config = distribution(t)
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviors) == {"/news/*", "/media/*"}
    news = behaviors["/news/*"]
    alb = logical_id(lab.news.alb)
    news_origin = origin_of(config, news)
    assert news_origin["DomainName"] == {"Fn::GetAtt": [alb, "DNSName"]}
    assert news_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    assert news["AllowedMethods"] == [
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "POST",
        "DELETE",
    ]
    # CloudFront's managed policies: UseOriginCacheControlHeaders, AllViewerExceptHostHeader.
    assert news["CachePolicyId"] == "83da9c7e-98b4-4e11-a168-04f0df8e2c65"
    assert news["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    media_bucket = logical_id(lab.media)
    media_origin = origin_of(config, behaviors["/media/*"])
    assert media_origin["DomainName"] == {"Fn::GetAtt": [media_bucket, "RegionalDomainName"]}
    assert "OriginAccessControlId" in media_origin


def test_buckets_are_private_encrypted_and_removed_with_the_stack(t):
    buckets = resources(t, "AWS::S3::Bucket")
    assert len(buckets) == 2
    for bucket in buckets.values():
        p = bucket["Properties"]
        assert p["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ] == {"SSEAlgorithm": "AES256"}
        assert bucket["DeletionPolicy"] == "Delete"
    assert len(resources(t, "Custom::S3AutoDeleteObjects")) == 2


def test_news_servers_scale_2_to_4_on_requests_in_the_private_subnets(t, lab):
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    ids = subnet_ids_by_name(t)
    assert (group["MinSize"], group["MaxSize"], group["HealthCheckType"]) == ("2", "4", "ELB")
    assert sorted(s["Ref"] for s in group["VPCZoneIdentifier"]) == sorted(
        [ids["week5-day4-private-subnet-a"], ids["week5-day4-private-subnet-b"]]
    )
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    config = policy["TargetTrackingConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ALBRequestCountPerTarget"
    )
    assert config["TargetValue"] == 1000
    (target_group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert (target_group["Port"], target_group["HealthCheckPath"]) == (80, "/news/")
    template = t["Resources"][logical_id(lab.news.launch_template)]
    assert template["Properties"]["LaunchTemplateData"]["InstanceType"] == "t3.small"


def test_mysql_with_a_read_replica_in_az_b(t, lab):
    instances = resources(t, "AWS::RDS::DBInstance")
    primary_id = logical_id(lab.database.instance)
    (replica_id,) = [logical_id(r) for r in lab.database.read_replicas]
    primary = instances[primary_id]["Properties"]
    replica = instances[replica_id]["Properties"]
    assert len(instances) == 2
    assert (primary["Engine"], primary["DBName"], primary["StorageEncrypted"]) == (
        "mysql",
        "ghost",
        True,
    )
    assert replica["SourceDBInstanceIdentifier"]["Fn::Join"][1][-1] == {"Ref": primary_id}
    assert replica["AvailabilityZone"] == "ap-northeast-2b"
    assert replica["PubliclyAccessible"] is False and replica["DeletionProtection"] is False
    assert instances[replica_id]["DeletionPolicy"] == "Delete"


def test_database_and_redis_admit_only_the_news_servers(t, lab):
    news = logical_id(lab.news.instance_security_group)
    for store, port in ((lab.database, "Endpoint.Port"), (lab.cache, 6379)):
        rules = ingress_rules(t, logical_id(store.security_group))
        assert [r["SourceSecurityGroupId"]["Fn::GetAtt"][0] for r in rules] == [news]
        from_port = rules[0]["FromPort"]
        assert (from_port["Fn::GetAtt"][1] if isinstance(from_port, dict) else from_port) == port


def test_ghost_gets_cloudfronts_url_and_its_secrets_at_boot(t, lab):
    template = t["Resources"][logical_id(lab.news.launch_template)]
    parts = template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    dist = logical_id(lab.site.distribution)
    index = parts.index({"Fn::GetAtt": [dist, "DomainName"]})
    assert parts[index - 1].endswith("echo 'SITE_URL=http://")
    assert parts[index + 1].startswith("/news/'")
    text = "".join(p for p in parts if isinstance(p, str))
    assert "image: ghost:5-alpine" in text and '"80:2368"' in text
    # The password is read from Secrets Manager at boot; the compose file only names it.
    assert "database__connection__password: ${DB_PASSWORD:?" in text
    assert "printf '%s=%s\\n' DB_PASSWORD" in text and "get-secret-value" in text
    secrets = json.dumps(props(t, "AWS::IAM::Policy"))
    assert "secretsmanager:GetSecretValue" in secrets


def test_outputs(t):
    assert {
        "SiteUrl",
        "NewsUrl",
        "DbEndpoint",
        "ReadReplicaEndpoint",
        "RedisEndpoint",
        "MediaUploadCommand",
    } <= set(t["Outputs"])
