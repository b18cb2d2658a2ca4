"""Day 4 case: News & Media 플랫폼 — CloudFront over S3 (static), the ALB (/news/*, Ghost on an
ASG) and a media bucket; Redis; RDS MySQL with a read replica."""

import json

from support import (
    ingress_rules,
    logical,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
)

LAB = "Day4Case"


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def distribution(t):
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    return dist["DistributionConfig"]


def origin_of(config, behavior):
    (origin,) = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    return origin


def test_cloudfront_default_is_the_static_bucket(t):
    config = distribution(t)
    default = config["DefaultCacheBehavior"]
    site_bucket = logical(t, "AWS::S3::Bucket", "SiteBucket")
    origin = origin_of(config, default)
    assert origin["DomainName"] == {"Fn::GetAtt": [site_bucket, "RegionalDomainName"]}
    assert "OriginAccessControlId" in origin
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"


def test_news_path_goes_to_the_alb_and_media_to_the_media_bucket(t):
    config = distribution(t)
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviors) == {"/news/*", "/media/*"}
    news = behaviors["/news/*"]
    alb = logical(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "NewsAlb")
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
    media_bucket = logical(t, "AWS::S3::Bucket", "Media")
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


def test_news_servers_scale_2_to_4_on_requests_in_the_private_subnets(t):
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
    template = t["Resources"][logical(t, "AWS::EC2::LaunchTemplate", "NewsLaunchTemplate")]
    assert template["Properties"]["LaunchTemplateData"]["InstanceType"] == "t3.small"


def test_mysql_with_a_read_replica_in_az_b(t):
    instances = resources(t, "AWS::RDS::DBInstance")
    primary = instances[logical(t, "AWS::RDS::DBInstance", "DatabaseInstance")]["Properties"]
    replica = instances[logical(t, "AWS::RDS::DBInstance", "DatabaseReadReplica1")]["Properties"]
    assert len(instances) == 2
    assert (primary["Engine"], primary["DBName"], primary["StorageEncrypted"]) == (
        "mysql",
        "ghost",
        True,
    )
    assert replica["SourceDBInstanceIdentifier"]["Fn::Join"][1][-1] == {
        "Ref": logical(t, "AWS::RDS::DBInstance", "DatabaseInstance")
    }
    assert replica["AvailabilityZone"] == "ap-northeast-2b"
    assert replica["PubliclyAccessible"] is False and replica["DeletionProtection"] is False
    assert (
        instances[logical(t, "AWS::RDS::DBInstance", "DatabaseReadReplica1")]["DeletionPolicy"]
        == "Delete"
    )


def test_database_and_redis_admit_only_the_news_servers(t):
    news = logical(t, "AWS::EC2::SecurityGroup", "NewsInstanceSecurityGroup")
    for prefix, port in (("DatabaseSecurityGroup", "Endpoint.Port"), ("CacheSecurityGroup", 6379)):
        sg = logical(t, "AWS::EC2::SecurityGroup", prefix)
        rules = ingress_rules(t, sg)
        assert [r["SourceSecurityGroupId"]["Fn::GetAtt"][0] for r in rules] == [news]
        from_port = rules[0]["FromPort"]
        assert (from_port["Fn::GetAtt"][1] if isinstance(from_port, dict) else from_port) == port


def test_ghost_gets_cloudfronts_url_and_its_secrets_at_boot(t):
    template = t["Resources"][logical(t, "AWS::EC2::LaunchTemplate", "NewsLaunchTemplate")]
    parts = template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    dist = logical(t, "AWS::CloudFront::Distribution", "SiteDistribution")
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
