"""Day 2 Lab 2 - S3 정적 웹 호스팅: the S3 website endpoint serves the sample site's index.html
(step 1), CloudFront serves it over HTTPS and a repeated request is a cache hit (step 2's x-cache
check), and the bucket holds index.html as HTML (the uploaded HTML/CSS/JS)."""

from promises import LabPromise, title_of
from stacks.day2 import SAMPLE_SITE

lab = LabPromise("Day2Lab2")
title = title_of(SAMPLE_SITE / "index.html")
lab.page("WebsiteEndpointServesIndex", lab.output("WebsiteUrl"), shows=title)
site_url = lab.output("SiteUrl")
lab.page("CloudFrontServesIndex", site_url, shows=title)
lab.page("RepeatedRequestIsCacheHit", site_url, headers={"x-cache": ["Hit from cloudfront"]})
lab.sdk_like(
    "BucketHoldsIndex", "S3", "headObject",
    {"Bucket": lab.output("BucketName"), "Key": "index.html"},
    {"ContentType": "text/html"},
)
lab.synth()
