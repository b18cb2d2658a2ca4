"""A distribution's S3 origin keeps its origin access control on the emulator, as on AWS
(week5/operations/moto_models/cloudfront_distribution.py): ``get-distribution``,
``get-distribution-config`` and ``list-distributions`` give the origin's
``OriginAccessControlId`` and ``S3OriginConfig`` (a student trial: Day2Case's distribution showed
its S3 origin with neither, moto's ``Origin`` dropped both).

Through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_nat_cloudfront.py does.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Tuple

import moto_in_process
from moto_in_process import REGION

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Day2Case"}]
STACK = "week5-park-Day2Case"
#: Day2Case's static files as CDK's ``S3BucketOrigin.withOriginAccessControl`` makes them, with
#: an application origin beside (a custom origin, which has no origin access control).
STATIC_FILES = {
    "Bucket": {"Type": "AWS::S3::Bucket"},
    "Oac": {
        "Type": "AWS::CloudFront::OriginAccessControl",
        "Properties": {
            "OriginAccessControlConfig": {
                "Name": "week5-park-day2case-oac",
                "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always",
                "SigningProtocol": "sigv4",
            }
        },
    },
    "Distribution": {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Origins": [
                    {
                        "Id": "static",
                        "DomainName": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
                        "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    },
                    {
                        "Id": "shop",
                        "DomainName": "shop.example.com",
                        "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"},
                    },
                ],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "static",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        },
    },
}

lab_stack = functools.partial(moto_in_process.lab_stack, name=STACK, tags=TAGS)


def origins(config: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The distribution config's origins by id."""
    return {o["Id"]: o for o in config["Origins"]["Items"]}


def access(origin: Dict[str, Any]) -> Tuple[Any, Any]:
    """What says how an origin is reached: (OriginAccessControlId, S3OriginConfig)."""
    return origin.get("OriginAccessControlId"), origin.get("S3OriginConfig")


def test_a_stacks_s3_origin_shows_its_origin_access_control(aws):
    physical = lab_stack(aws, STATIC_FILES)
    cloudfront = aws("cloudfront", "us-east-1")
    distribution_id, oac = physical["Distribution"], physical["Oac"]
    expected = {
        "static": (oac, {"OriginAccessIdentity": ""}),
        "shop": ("", None),  # AWS gives every origin the field, empty without a control
    }
    distribution = cloudfront.get_distribution(Id=distribution_id)["Distribution"]
    got = origins(distribution["DistributionConfig"])
    assert {k: access(o) for k, o in got.items()} == expected
    assert got["static"]["DomainName"] == f"{physical['Bucket']}.s3.{REGION}.amazonaws.com"
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert {k: access(o) for k, o in origins(config).items()} == expected
    (listed,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert {k: access(o) for k, o in origins(listed).items()} == expected
    # the control it names is there
    control = cloudfront.get_origin_access_control(Id=oac)["OriginAccessControl"]
    assert control["OriginAccessControlConfig"]["Name"] == "week5-park-day2case-oac"


def test_disabling_it_with_its_own_config_keeps_the_control(aws):
    """The course's disable-then-delete: the config read back, ``Enabled`` false, sent back."""
    physical = lab_stack(aws, STATIC_FILES)
    cloudfront = aws("cloudfront", "us-east-1")
    distribution_id = physical["Distribution"]
    read = cloudfront.get_distribution_config(Id=distribution_id)
    config = {**read["DistributionConfig"], "Enabled": False}
    cloudfront.update_distribution(
        Id=distribution_id, DistributionConfig=config, IfMatch=read["ETag"]
    )
    after = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert after["Enabled"] is False
    assert access(origins(after)["static"]) == (physical["Oac"], {"OriginAccessIdentity": ""})


def test_a_distribution_made_with_the_api_keeps_it_too(aws):
    cloudfront = aws("cloudfront", "us-east-1")
    oac = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "by-hand",
            "OriginAccessControlOriginType": "s3",
            "SigningBehavior": "always",
            "SigningProtocol": "sigv4",
        }
    )["OriginAccessControl"]["Id"]
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "by-hand",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "s3",
                        "DomainName": f"by-hand.s3.{REGION}.amazonaws.com",
                        "OriginAccessControlId": oac,
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "https-only"},
        }
    )["Distribution"]
    assert access(origins(created["DistributionConfig"])["s3"]) == (
        oac,
        {"OriginAccessIdentity": ""},
    )
    got = cloudfront.get_distribution(Id=created["Id"])["Distribution"]
    assert access(origins(got["DistributionConfig"])["s3"]) == (oac, {"OriginAccessIdentity": ""})
