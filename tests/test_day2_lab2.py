"""Day 2 Lab 2: S3 정적 웹 호스팅 — the sample site, a private bucket, CloudFront with OAC."""


from support import mask_asset_hashes, props, resources

from week5.assets import SITES_DIR

LAB = "Day2Lab2"
SITE = SITES_DIR / "cloudmart-static"


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_the_sample_site_has_html_css_and_js():
    assert {p.name for p in SITE.iterdir()} == {"index.html", "style.css", "app.js"}
    html = (SITE / "index.html").read_text()
    assert 'href="style.css"' in html and 'src="app.js"' in html


def test_bucket_is_private_and_served_through_oac(t):
    (bucket,) = props(t, "AWS::S3::Bucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (oac,) = props(t, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    (origin,) = dist["DistributionConfig"]["Origins"]
    assert "OriginAccessControlId" in origin and "S3OriginConfig" in origin


def test_content_is_deployed_and_invalidated(t):
    (deployment,) = props(t, "Custom::CDKBucketDeployment")
    assert deployment["DistributionPaths"] == ["/*"]
    assert len(deployment["SourceObjectKeys"]) == 1
    assert resources(t, "AWS::EC2::VPC") == {}  # no network: nothing billed by the hour


def test_outputs(t):
    assert {"SiteUrl", "BucketName", "CacheCheckCommand"} <= set(t["Outputs"])
