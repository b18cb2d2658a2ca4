"""Day 2: compute and storage (EBS, EFS, S3 static hosting with CloudFront)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput
from constructs import Construct

from week5.catalog import Lab
from week5.constructs.static_site import StaticSite
from week5.lab import LabStack
from week5.settings import CourseSettings

SAMPLE_SITE = Path(__file__).resolve().parent.parent / "week5" / "sites" / "cloudmart-static"


class Day2Lab2Stack(LabStack):
    """Day 2 Lab 2 - S3 정적 웹 호스팅: a sample site in S3, delivered by CloudFront.

    Step 1: the bucket, and the HTML/CSS/JS of ``week5/sites/cloudmart-static`` uploaded at
    deploy time. The course's console steps turn on S3 website hosting and write a public-read
    bucket policy; this stack keeps the bucket private and lets only the distribution read it
    (Origin Access Control), which is what AWS recommends. ``StaticSite(website_mode=True)``
    builds the console's variant. Step 2: the CloudFront distribution (HTTPS, HTTP redirects,
    ``index.html`` as the root object). Step 3: ``curl -sI <SiteUrl> | grep -i x-cache`` twice
    shows a miss, then a hit. ``cdk destroy`` empties and deletes the bucket.
    """

    def __init__(self, scope: Construct, lab: Lab, settings: CourseSettings) -> None:
        super().__init__(scope, lab, settings)
        self.site = StaticSite(self, "Site", content_dir=SAMPLE_SITE)
        CfnOutput(self, "SiteUrl", value=self.site.url, description="CloudFront")
        CfnOutput(self, "BucketName", value=self.site.bucket.bucket_name)
        CfnOutput(
            self,
            "CacheCheckCommand",
            value=f"curl -sI {self.site.url}/ | grep -i x-cache",
        )
