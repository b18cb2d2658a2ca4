"""StaticSite: private bucket + OAC by default, the console's website mode as a switch."""


import pytest
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from support import props, resources, synth

from week5.assets import SITES_DIR
from week5.constructs.static_site import (
    StaticSite,
    bucket_behavior,
    load_balancer_behavior,
    private_bucket,
)
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge

SITE = SITES_DIR / "cloudmart-static"


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
    # One group for the deployment's function, one for CDK's auto-delete provider function.
    groups = resources(t, "AWS::Logs::LogGroup")
    assert len(groups) == 2
    assert all(g["DeletionPolicy"] == "Delete" for g in groups.values())
    functions = resources(t, "AWS::Lambda::Function").values()
    assert len(functions) == 2
    assert all(f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] in groups for f in functions)
    (deployment,) = props(t, "Custom::CDKBucketDeployment")
    assert deployment["DistributionPaths"] == ["/*"]


def test_website_mode_is_the_consoles_public_bucket(stack):
    site = StaticSite(stack, "Site", content_dir=SITE, website_mode=True)
    t = synth(stack)
    (bucket,) = props(t, "AWS::S3::Bucket")
    assert bucket["WebsiteConfiguration"] == {"IndexDocument": "index.html"}
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is False
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    (policy,) = props(t, "AWS::S3::BucketPolicy")
    statements = policy["PolicyDocument"]["Statement"]
    assert any(s.get("Principal") == {"AWS": "*"} for s in statements)
    # The website endpoint speaks HTTP only: a TLS-only deny would answer it with 403.
    assert [s for s in statements if s["Effect"] == "Deny"] == []
    assert props(t, "AWS::CloudFront::OriginAccessControl") == []
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    (origin,) = dist["DistributionConfig"]["Origins"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    assert stack.resolve(site.website_url) == {
        "Fn::GetAtt": [stack.resolve(site.bucket.node.default_child.logical_id), "WebsiteURL"]
    }


def _recording_acknowledgements(monkeypatch, skip=()):
    """Records what StaticSite acknowledges (rule → reason), leaving out the rules in ``skip``."""
    import week5.constructs.static_site as module

    real, reasons = module.acknowledge, {}

    def record(construct, rule, reason):
        reasons[rule] = reason
        if rule not in skip:
            real(construct, rule, reason)

    monkeypatch.setattr(module, "acknowledge", record)
    return reasons


def test_website_mode_acknowledges_the_course_step(stack, monkeypatch):
    reasons = _recording_acknowledgements(monkeypatch)
    StaticSite(stack, "Site", content_dir=SITE, website_mode=True)
    synth(stack)  # the nag gate passes
    for rule in ("AwsSolutions-S2", "AwsSolutions-S5", "AwsSolutions-S10", "AwsSolutions-CFR5"):
        assert "Day 2 Lab 2 step" in reasons[rule], rule


@pytest.mark.parametrize("rule", ["AwsSolutions-S2", "AwsSolutions-S5", "AwsSolutions-S10", "AwsSolutions-CFR5"])
def test_website_mode_needs_each_acknowledgement(stack, monkeypatch, rule):
    """Each acknowledgement answers a finding that the public website bucket really raises."""
    _recording_acknowledgements(monkeypatch, skip=(rule,))
    StaticSite(stack, "Site", content_dir=SITE, website_mode=True)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synth(stack)


def test_the_private_mode_has_no_website(stack):
    assert StaticSite(stack, "Site", content_dir=SITE).website_url is None


def test_missing_content_or_root_object(stack, tmp_path):
    with pytest.raises(CourseInputError, match="is not a folder"):
        StaticSite(stack, "A", content_dir=tmp_path / "nope")
    (tmp_path / "other.html").write_text("x")
    with pytest.raises(CourseInputError, match="has no index.html"):
        StaticSite(stack, "B", content_dir=tmp_path)


def test_extra_behaviors_route_paths_to_an_alb_and_a_bucket(stack, net):
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=net.vpc, internet_facing=True)
    acknowledge(alb, "AwsSolutions-ELB2", "A bare test ALB: the test reads CloudFront's behaviors.")
    acknowledge(alb, "AwsSolutions-EC23", "A bare test ALB: the test reads CloudFront's behaviors.")
    media = private_bucket(stack, "Media")
    StaticSite(
        stack,
        "Site",
        content_dir=SITE,
        behaviors={"/api/*": load_balancer_behavior(alb), "/media/*": bucket_behavior(media)},
    )
    t = synth(stack)
    (dist,) = props(t, "AWS::CloudFront::Distribution")
    behaviors = {b["PathPattern"]: b for b in dist["DistributionConfig"]["CacheBehaviors"]}
    assert set(behaviors) == {"/api/*", "/media/*"}
    api = behaviors["/api/*"]
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert "POST" in api["AllowedMethods"]
    assert behaviors["/media/*"]["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _distribution_reasons(monkeypatch):
    """What StaticSite acknowledges on its distribution (rule → reason), recorded."""
    import week5.constructs.static_site as module

    real, reasons = module.acknowledge_all, {}

    def record(construct, given):
        if construct.node.id == "Distribution":
            reasons.update(given)
        real(construct, given)

    monkeypatch.setattr(module, "acknowledge_all", record)
    return reasons


def test_no_waf_is_said_for_the_api_behind_the_alb(stack, net, monkeypatch):
    """CloudMart's and the news site's distributions forward POSTs and a login page to an ALB:
    "a page of static HTML with no forms" was not their trade-off (a review)."""
    reasons = _distribution_reasons(monkeypatch)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=net.vpc, internet_facing=True)
    acknowledge(alb, "AwsSolutions-ELB2", "A bare test ALB: the test reads CloudFront's behaviors.")
    acknowledge(alb, "AwsSolutions-EC23", "A bare test ALB: the test reads CloudFront's behaviors.")
    StaticSite(stack, "Site", content_dir=SITE, behaviors={"/api/*": load_balancer_behavior(alb)})
    synth(stack)
    assert "forwards dynamic paths" in reasons["AwsSolutions-CFR2"]
    assert "no forms" not in reasons["AwsSolutions-CFR2"]


def test_a_site_of_static_pages_alone_says_it_has_no_forms(stack, monkeypatch):
    reasons = _distribution_reasons(monkeypatch)
    StaticSite(stack, "Site", content_dir=SITE)
    synth(stack)
    assert "static HTML with no forms" in reasons["AwsSolutions-CFR2"]


@pytest.mark.parametrize("pattern", ["api/*", "/*", "/"])
def test_behavior_paths_must_not_shadow_the_default(stack, pattern):
    with pytest.raises(CourseInputError, match="behavior path"):
        StaticSite(stack, "Site", content_dir=SITE, behaviors={pattern: None})
