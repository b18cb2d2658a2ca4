"""StaticSite: private bucket + OAC by default, the console's website mode as a switch."""

from pathlib import Path

import pytest

from conftest import props, resources, synth
from week5.constructs.static_site import StaticSite
from week5.settings import CourseInputError

SITE = Path(__file__).resolve().parent.parent / "week5" / "sites" / "cloudmart-static"


def test_private_bucket_read_only_by_the_distribution(stack):
    site = StaticSite(stack, "Site", content_dir=SITE)
    t = synth(stack)
    (bucket,) = props(t, "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in bucket
    enc = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert enc["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (policy,) = props(t, "AWS::S3::BucketPolicy")
    statements = policy["PolicyDocument"]["Statement"]
    deny_http = [s for s in statements if s["Effect"] == "Deny"]
    assert deny_http[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    readers = [s for s in statements if s["Effect"] == "Allow" and s["Action"] == "s3:GetObject"]
    assert readers[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert len(props(t, "AWS::CloudFront::OriginAccessControl")) == 1
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["PriceClass"] == "PriceClass_200"
    assert site.url.startswith("https://")


def test_destroy_empties_and_deletes_the_bucket_and_the_deploy_logs(stack):
    StaticSite(stack, "Site", content_dir=SITE)
    t = synth(stack)
    (bucket,) = resources(t, "AWS::S3::Bucket").values()
    assert bucket["DeletionPolicy"] == "Delete"
    assert len(resources(t, "Custom::S3AutoDeleteObjects")) == 1
    (group,) = resources(t, "AWS::Logs::LogGroup").values()
    assert group["DeletionPolicy"] == "Delete"
    (deployment,) = props(t, "Custom::CDKBucketDeployment")
    assert deployment["DistributionPaths"] == ["/*"]


def test_website_mode_is_the_consoles_public_bucket(stack):
    StaticSite(stack, "Site", content_dir=SITE, website_mode=True)
    t = synth(stack)
    (bucket,) = props(t, "AWS::S3::Bucket")
    assert bucket["WebsiteConfiguration"] == {"IndexDocument": "index.html"}
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is False
    (policy,) = props(t, "AWS::S3::BucketPolicy")
    assert any(s.get("Principal") == {"AWS": "*"} for s in policy["PolicyDocument"]["Statement"])
    assert props(t, "AWS::CloudFront::OriginAccessControl") == []


def test_missing_content_or_root_object(stack, tmp_path):
    with pytest.raises(CourseInputError, match="is not a folder"):
        StaticSite(stack, "A", content_dir=tmp_path / "nope")
    (tmp_path / "other.html").write_text("x")
    with pytest.raises(CourseInputError, match="has no index.html"):
        StaticSite(stack, "B", content_dir=tmp_path)
