"""A versioned bucket with more versions than one page of ListObjectVersions (1,000) is emptied
and deleted in one run. A trial's instructor cleanup deleted the first page while it listed, the
emulator's next page came back empty, and the bucket waited for a 10 s retry per 1,000 versions
(one of ~10,000 would have outlasted the retries)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from week5.operations.price_table import PriceTable
from week5.operations.cleanup.scope import Scope
from week5.operations.cleanup.services import _empty_and_delete

REGION = "ap-northeast-2"


@mock_aws
def test_every_page_of_versions_goes_before_the_bucket():
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="week5-lee-day2-hand",
                     CreateBucketConfiguration={"LocationConstraint": REGION})  # fmt: skip
    s3.put_bucket_versioning(
        Bucket="week5-lee-day2-hand", VersioningConfiguration={"Status": "Enabled"}
    )
    for number in range(1100):
        s3.put_object(Bucket="week5-lee-day2-hand", Key=f"photo-{number:04}.jpg", Body=b"x")
    for number in range(150):  # delete markers too: 1,250 entries in all
        s3.delete_object(Bucket="week5-lee-day2-hand", Key=f"photo-{number:04}.jpg")
    scope = Scope(lambda service: s3, REGION, "Day2", "lee", PriceTable())
    _empty_and_delete(scope, "week5-lee-day2-hand")
    assert "week5-lee-day2-hand" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
