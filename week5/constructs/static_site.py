"""StaticSite: S3 + CloudFront static hosting, deployed from a folder: a private bucket behind
Origin Access Control, or (Day 2 Lab 2) the console's public S3 website with CloudFront in front."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Mapping, Optional

from aws_cdk import DefaultStackSynthesizer, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

# private_bucket lived here first: ``as`` keeps it importable from this module.
from week5.constructs.bucket import acknowledge_no_access_logs
from week5.constructs.bucket import private_bucket as private_bucket
from week5.constructs.props import require_bool, require_enum, require_str, shown
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, acknowledge_all, nag_arn
from week5.synth.providers import give_provider_functions_log_groups

#: Edges in Asia (Korea included), North America and Europe; PriceClass_100 has no Asian edge.
DEFAULT_PRICE_CLASS = cloudfront.PriceClass.PRICE_CLASS_200
DEFAULT_ROOT_OBJECT = "index.html"


def load_balancer_behavior(
    alb: elbv2.IApplicationLoadBalancer,
    *,
    cache_policy: cloudfront.ICachePolicy = cloudfront.CachePolicy.CACHING_DISABLED,
) -> cloudfront.BehaviorOptions:
    """A path served by an ALB: every method, the viewer's headers, cookies and query strings.

    :param cache_policy: @default ``CACHING_DISABLED`` (an API); pass
        ``CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS`` to let the app's ``Cache-Control``
        decide what the edge keeps (news pages during a traffic spike).
    CloudFront reaches the ALB over HTTP: a lab ALB has no domain of its own for a certificate.
    """
    return cloudfront.BehaviorOptions(
        origin=origins.LoadBalancerV2Origin(
            alb, protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY
        ),
        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
        cache_policy=cache_policy,
        origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    )


def bucket_behavior(bucket: s3.IBucket) -> cloudfront.BehaviorOptions:
    """A path served from a private bucket through Origin Access Control, cached at the edge."""
    return cloudfront.BehaviorOptions(
        origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
    )


def _asset_bucket_arn(stack: Stack) -> str:
    """CDK's asset bucket's ARN as the stack's policies hold it: each of the stack's partition,
    account and region literal when CDK knows it at synth, else its pseudo parameter."""
    qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return stack.format_arn(
        service="s3",
        region="",
        account="",
        resource=f"cdk-{qualifier}-assets-{stack.account}-{stack.region}",
    )


#: CloudFront's limit on a distribution's comment.
COMMENT_MAX = 128


def _comment(site: Construct) -> str:
    """The distribution's comment, the console's Description column: the stack's name (the
    student's, in a shared account) and the site's path in it, 128 characters at most."""
    stack = Stack.of(site)
    inside = site.node.path.removeprefix(f"{stack.node.path}/")
    return f"{stack.stack_name}/{inside}: static site"[:COMMENT_MAX]


class StaticSite(Construct):
    """S3 + CloudFront static hosting, with the files of ``content_dir`` deployed at deploy time.

    :param content_dir: the folder whose files the site serves (it must hold the root object).
    :param website_mode: the course's console steps (Day 2 Lab 2, step 1: "정적 웹 호스팅 설정",
        "버킷 정책 구성"): S3 static website hosting with a public-read bucket policy, served at
        the bucket's website endpoint (``website_url``, HTTP only) and by CloudFront, which
        reaches that endpoint as an HTTP custom origin. Why a switch: the website endpoint is
        readable by anyone and speaks only HTTP, so the bucket policy cannot require TLS; use it
        where the lab teaches the console's website hosting. @default False: a private bucket
        (all public access blocked, TLS required) that only this distribution reads, through
        Origin Access Control
    :param default_root_object: the object CloudFront serves for ``/``: the site's front page.
        @default ``index.html``
    :param price_class: which CloudFront edges serve the site; the cheaper classes leave out
        Korea's. @default PriceClass_200 (includes the edges in Korea)
    :param behaviors: more paths on the same distribution, e.g.
        ``{"/api/*": load_balancer_behavior(alb)}`` or ``{"/media/*": bucket_behavior(media)}``.
        @default none: the bucket serves every path

    Always: HTTPS for viewers of the distribution (HTTP redirects), S3-managed encryption, a
    bucket that ``cdk destroy`` empties and deletes, a CloudFront invalidation on each content
    change; an SSL-only bucket policy except in ``website_mode``.
    Exposes ``bucket``, ``distribution``, ``url``, ``website_url`` and ``deployment``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        content_dir: Path,
        website_mode: bool = False,
        default_root_object: str = DEFAULT_ROOT_OBJECT,
        price_class: cloudfront.PriceClass = DEFAULT_PRICE_CLASS,
        behaviors: Optional[Mapping[str, cloudfront.BehaviorOptions]] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"StaticSite {node_path}"
        require_str(where, "default_root_object", default_root_object)
        require_bool(where, "website_mode", website_mode)
        require_enum(where, "price_class", price_class, cloudfront.PriceClass)
        if not default_root_object:
            raise CourseInputError(
                f"{where}: default_root_object='' is empty; name the page served at / "
                f"(e.g. {DEFAULT_ROOT_OBJECT!r}), or leave it out"
            )
        if not isinstance(content_dir, (str, os.PathLike)):
            raise CourseInputError(
                f"{where}: content_dir={shown(content_dir)} must be a folder's path, e.g. "
                "Path('site'), whose files the site serves"
            )
        content_dir = Path(content_dir)
        if not content_dir.is_dir():
            raise CourseInputError(f"{where}: content_dir {content_dir} is not a folder")
        if not (content_dir / default_root_object).is_file():
            raise CourseInputError(
                f"{where}: {content_dir} has no {default_root_object}, the default root object"
            )

        if behaviors is not None and not isinstance(behaviors, Mapping):
            raise CourseInputError(
                f"{where}: behaviors={shown(behaviors)} must be a dict of path to behavior, e.g. "
                "{'/api/*': load_balancer_behavior(alb)}"
            )
        behaviors = dict(behaviors or {})
        for pattern, behavior in behaviors.items():
            if not isinstance(pattern, str):
                raise CourseInputError(
                    f"{where}: behaviors has {shown(pattern)}, which is not a path (a string "
                    "such as '/api/*')"
                )
            if not pattern.startswith("/") or pattern in ("/", "/*", "*"):
                raise CourseInputError(
                    f"{where}: behavior path {pattern!r} must start with / and name a path "
                    "other than the default (e.g. /api/*)"
                )
            if not isinstance(behavior, cloudfront.BehaviorOptions):
                raise CourseInputError(
                    f"{where}: behaviors[{pattern!r}]={shown(behavior)} is not a "
                    "cloudfront.BehaviorOptions; pass e.g. load_balancer_behavior(alb) or "
                    "bucket_behavior(bucket)"
                )
        public_read = website_mode
        #: The site's bucket: private (OAC), or public-read with ``website_mode``.
        self.bucket: s3.Bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            # The website endpoint serves HTTP only: a deny on aws:SecureTransport=false would
            # answer every website request (CloudFront's included) with 403.
            enforce_ssl=not website_mode,
            block_public_access=(
                s3.BlockPublicAccess(
                    block_public_acls=True,
                    ignore_public_acls=True,
                    block_public_policy=False,
                    restrict_public_buckets=False,
                )
                if public_read
                else s3.BlockPublicAccess.BLOCK_ALL
            ),
            public_read_access=public_read,
            website_index_document=default_root_object if website_mode else None,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        give_provider_functions_log_groups(Stack.of(self))
        origin = (
            origins.S3StaticWebsiteOrigin(self.bucket)
            if website_mode
            else origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        )
        #: The CloudFront distribution: HTTPS, the bucket by default, ``behaviors`` besides.
        self.distribution: cloudfront.Distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=_comment(self),
            default_root_object=default_root_object,
            price_class=price_class,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            additional_behaviors=behaviors or None,
        )
        #: The site's ``https://`` address on CloudFront's domain.
        self.url: str = f"https://{self.distribution.distribution_domain_name}"
        #: The bucket's S3 website endpoint (``http://<bucket>.s3-website.<region>...``) in
        #: ``website_mode``, else None (a private bucket has no website).
        self.website_url: Optional[str] = self.bucket.bucket_website_url if website_mode else None
        deploy_logs = logs.LogGroup(
            self,
            "DeploymentLogs",
            retention=logs.RetentionDays.ONE_WEEK,
            removal_policy=RemovalPolicy.DESTROY,
        )
        #: Copies ``content_dir`` into the bucket at deploy time and invalidates the cache.
        self.deployment: s3deploy.BucketDeployment = s3deploy.BucketDeployment(
            self,
            "Content",
            sources=[s3deploy.Source.asset(str(content_dir))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            log_group=deploy_logs,
        )
        self._acknowledge(
            website_mode,
            http_origins=any(
                isinstance(b.origin, origins.LoadBalancerV2Origin) for b in behaviors.values()
            ),
        )

    def _acknowledge_deployment_handler(self) -> None:
        """CDK's BucketDeployment handler (a stack-wide singleton) and the policy CDK writes."""
        role = self.deployment.handler_role
        stack = Stack.of(self)
        reason = (
            "CDK's BucketDeployment handler copies the site from CDK's asset bucket into the site "
            "bucket and invalidates the distribution; CDK writes this policy, scoped to those two "
            "buckets (CloudFront invalidations take no resource ARN)."
        )
        details = (
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Resource::*",
            # The two buckets' objects, as CDK writes them in the policy.
            f"Resource::{nag_arn(stack, self.bucket.arn_for_objects('*'))}",
            f"Resource::{nag_arn(stack, _asset_bucket_arn(stack) + '/*')}",
        )
        acknowledge_all(
            role,
            {
                **{f"AwsSolutions-IAM5[{detail}]": reason for detail in details},
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]": "CDK's BucketDeployment handler logs through "
                "AWS's basic Lambda execution policy; its log group is this construct's and is "
                "deleted with the stack.",
            },
        )
        acknowledge(
            role.node.scope,
            "AwsSolutions-L1",
            "CDK pins the Python runtime of its BucketDeployment handler with each aws-cdk-lib "
            "release; upgrading aws-cdk-lib moves it.",
        )

    def _acknowledge(self, website_mode: bool, http_origins: bool) -> None:
        self._acknowledge_deployment_handler()
        acknowledge_no_access_logs(self.bucket)
        distribution: Dict[str, str] = {}
        if http_origins and not website_mode:
            distribution["AwsSolutions-CFR5"] = (
                "CloudFront reaches the lab's ALB over HTTP: an ALB certificate needs a domain "
                "the lab does not own; viewers still get HTTPS from CloudFront."
            )
        distribution["AwsSolutions-CFR1"] = (
            "No geo restriction: students and the instructor open the site from wherever they "
            "study."
        )
        distribution["AwsSolutions-CFR2"] = (
            (
                "WAF costs $5 a month per web ACL plus $1 a rule, prorated but not free. This "
                "distribution also forwards dynamic paths (an API's writes, a login page) to an "
                "ALB that admits only CloudFront; the course plan puts WAF in Day 3's case "
                "alone, which shows it in front of such an API."
            )
            if http_origins
            else (
                "WAF costs $5 a month per web ACL plus rules, prorated but not free, for a page "
                "of static HTML with no forms; Day 3's case shows WAF where it matters."
            )
        )
        distribution["AwsSolutions-CFR3"] = (
            "Access logs need a log bucket that outlives the stack; the lab reads x-cache "
            "headers instead."
        )
        distribution["AwsSolutions-CFR4"] = (
            "The default *.cloudfront.net certificate: a lab has no domain name of its own, and "
            "CloudFront then allows TLSv1 for old clients on that name."
        )
        acknowledge_all(self.distribution, distribution)
        if website_mode:
            acknowledge(
                self.bucket,
                "AwsSolutions-S2",
                "website_mode, the course's Day 2 Lab 2 step 1 (정적 웹 호스팅 설정, 버킷 정책 "
                "구성): S3 website hosting serves objects to anyone through a public-read bucket "
                "policy, so public policies cannot be blocked; public ACLs still are.",
            )
            acknowledge(
                self.bucket,
                "AwsSolutions-S5",
                "website_mode, Day 2 Lab 2 step 1: CloudFront reads the S3 website endpoint as a "
                "custom origin, which Origin Access Control cannot sign; the default mode uses OAC.",
            )
            acknowledge(
                self.bucket,
                "AwsSolutions-S10",
                "website_mode, Day 2 Lab 2 step 1: the S3 website endpoint speaks HTTP only, so a "
                "bucket policy that denies non-TLS requests would refuse every website request; "
                "viewers of the CloudFront URL still get HTTPS.",
            )
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR5",
                "website_mode, Day 2 Lab 2 step 2: CloudFront in front of the S3 website endpoint "
                "reaches it over HTTP, the only protocol it speaks; viewers get HTTPS.",
            )
