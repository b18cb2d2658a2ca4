"""`week5 local` on a static site lab (a student trial of Day2Lab2): the files a lab's
``BucketDeployment`` puts in its bucket on AWS are put there after the deploy (its Lambda does
not run on the emulator), in one line, so the printed `aws s3 ls` lists them; the bucket's
policy is there for ``BucketPolicyCommand``; an output reaching an S3 website endpoint or a
CloudFront host says, in one line, that it reaches nothing here; and a failed run names the
log it keeps on its failure line.

The first tests use an in-process moto and an assembly made here; the last ones the session's
emulator with every lab deployed (tests/emulated_labs.py) and the session's real assembly, and
empty what they filled (the destroy tests that follow find nothing left).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Dict, List

import moto_in_process
import pytest
from moto_in_process import REGION
from test_emulator_log_folder import Process  # the emulator's process, running until stopped

from week5.analysis.assembly import SynthesizedLab
from week5.cli import local as local_command
from week5.cli.errors import CliError
from week5.operations import local
from week5.operations.local.deploy import upload_bucket_deployments

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

SITE = {"index.html": b"<h1>CloudMart</h1>", "style.css": b"h1 {}", "js/app.js": b"go()"}


def deployment(bucket_ref: str, key: str, **properties: Any) -> Dict[str, Any]:
    return {
        "Type": "Custom::CDKBucketDeployment",
        "Properties": {
            "ServiceToken": "arn:aws:lambda:ap-northeast-2:123456789012:function:x",
            "DestinationBucketName": {"Ref": bucket_ref},
            "SourceBucketNames": ["cdk-hnb659fds-assets-123456789012-ap-northeast-2"],
            "SourceObjectKeys": [key],
            **properties,
        },
    }


def assembly_with(tmp_path: Path) -> Path:
    """An assembly as `cdk synth` leaves it: a folder asset (packaging zip, BucketDeployment's
    ``Source.asset(dir)``), a zip asset (packaging file), and the manifest naming their keys."""
    folder = tmp_path / "asset.site"
    for name, body in SITE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    with zipfile.ZipFile(tmp_path / "asset.docs.zip", "w") as archive:
        archive.writestr("guide/readme.txt", "read me")
    manifest = {"version": "55.0.0", "files": {
        "site": {"source": {"path": "asset.site", "packaging": "zip"},
                 "destinations": {"d": {"bucketName": "b", "objectKey": "site.zip"}}},
        "docs": {"source": {"path": "asset.docs.zip", "packaging": "file"},
                 "destinations": {"d": {"bucketName": "b", "objectKey": "docs.zip"}}},
    }}  # fmt: skip
    (tmp_path / "Lab.assets.json").write_text(json.dumps(manifest))
    return tmp_path


class Stack:
    """The emulator's CloudFormation for one stack: the physical ids it lists (moto marks a
    ``Custom::`` resource created without running its function)."""

    def __init__(self, physical: Dict[str, str]) -> None:
        self.physical = physical

    def list_stack_resources(self, StackName: str) -> Dict[str, Any]:  # noqa: N803 (boto3's)
        return {"StackResourceSummaries": [
            {"LogicalResourceId": k, "PhysicalResourceId": v} for k, v in self.physical.items()
        ]}  # fmt: skip


def lab_of(tmp_path: Path, resources: Dict[str, Any]) -> SynthesizedLab:
    return SynthesizedLab("Lab", "week5-kim-Lab", tmp_path / "Lab.template.json",
                          {"Resources": resources})  # fmt: skip


def keys(s3, bucket: str) -> List[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_each_deployment_puts_its_assets_files_in_its_bucket(aws, tmp_path):
    s3 = aws("s3")
    for bucket in ("site-bucket", "docs-bucket"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    resources = {
        "Site": {"Type": "AWS::S3::Bucket"},
        "Docs": {"Type": "AWS::S3::Bucket"},
        "SiteContent": deployment("Site", "site.zip", DestinationKeyPrefix="/"),
        "DocsContent": deployment("Docs", "docs.zip", DestinationKeyPrefix="v1"),
        "DocsZip": deployment("Docs", "docs.zip", DestinationKeyPrefix="raw/", Extract=False),
        "NotCreated": deployment("Site", "docs.zip", DestinationKeyPrefix="never/"),
    }
    physical = {"Site": "site-bucket", "Docs": "docs-bucket", "SiteContent": "c1",
                "DocsContent": "c2", "DocsZip": "c3"}  # fmt: skip
    client = lambda service: Stack(physical) if service == "cloudformation" else aws(service)  # noqa: E731
    rows = upload_bucket_deployments("", assembly_with(tmp_path), lab_of(tmp_path, resources),
                                     client)  # fmt: skip
    assert [(r["logical_id"], r["bucket"], r["prefix"], r["files"]) for r in rows] == [
        ("SiteContent", "site-bucket", "", 3),
        ("DocsContent", "docs-bucket", "v1/", 1),
        ("DocsZip", "docs-bucket", "raw/", 1),
    ]
    assert keys(s3, "site-bucket") == ["index.html", "js/app.js", "style.css"]
    assert keys(s3, "docs-bucket") == ["raw/docs.zip", "v1/guide/readme.txt"]
    page = s3.get_object(Bucket="site-bucket", Key="index.html")
    assert (page["ContentType"], page["Body"].read()) == ("text/html", SITE["index.html"])
    assert s3.head_object(Bucket="site-bucket", Key="style.css")["ContentType"] == "text/css"
    archive = s3.get_object(Bucket="docs-bucket", Key="raw/docs.zip")["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(archive)).namelist() == ["guide/readme.txt"]


def test_an_asset_the_assembly_lacks_is_one_line_naming_it(aws, tmp_path):
    resources = {"Site": {"Type": "AWS::S3::Bucket"}, "Content": deployment("Site", "gone.zip")}
    client = lambda service: Stack({"Site": "b", "Content": "c"})  # noqa: E731
    with pytest.raises(local.LocalError) as caught:
        upload_bucket_deployments("", assembly_with(tmp_path), lab_of(tmp_path, resources),
                                  client)  # fmt: skip
    assert str(caught.value) == (
        f"Custom::CDKBucketDeployment Content: no asset for gone.zip in {tmp_path}"
    )


# --- the printout ---------------------------------------------------------------------------


def read_back(**fields: Any) -> local.ReadBack:
    return local.ReadBack(
        stack_name="week5-kim-Day2Lab2", coverage=local.Coverage(13, 13), subnets=[], vpcs=[],
        security_groups=[], instances=[], load_balancers=[], auto_scaling_groups=[],
        databases=[], **fields,
    )  # fmt: skip


UPLOAD = {"logical_id": "SiteContentCustomResource883909E6", "bucket": "site-b", "prefix": "",
          "files": 3, "sources": ["asset.fd7b"]}  # fmt: skip
FUNCTIONS = {"Custom::CDKBucketDeployment": 1, "Custom::S3AutoDeleteObjects": 1}


def test_the_read_back_says_in_one_line_what_was_uploaded():
    lines = local_command.format_read_back(
        "Day2Lab2", read_back(functions_not_run=FUNCTIONS, uploads=[UPLOAD])
    ).splitlines()
    (said,) = [line for line in lines if line.startswith("Created, but their Lambda")]
    assert "upload a site" not in said and said.endswith("here week5 local did the upload):")
    assert lines[lines.index(said) + 1] == (
        "  3 files of the lab put into s3://site-b/, as SiteContentCustomResource883909E6's "
        "function does on AWS (`aws s3 ls s3://site-b --recursive` lists them)"
    )
    # Without an upload (a coverage run) the line says the upload does not happen here.
    plain = local_command.format_read_back("Day2Lab2", read_back(functions_not_run=FUNCTIONS))
    assert "files into its bucket: here it does not happen)" in plain
    assert "did the upload" not in plain and "snapshots" not in plain
    assert "the emulator empties a bucket tagged for it" in plain


def test_outputs_that_reach_a_website_endpoint_or_cloudfront_say_so_in_one_line():
    website = "http://site-b.s3-website.ap-northeast-2.amazonaws.com"
    back = read_back(outputs=[
        {"key": "WebsiteUrl", "description": "", "value": website, "skipped": []},
        {"key": "SiteUrl", "description": "", "value": "https://d1abc.cloudfront.net",
         "skipped": []},
        {"key": "PerformanceTestCommand", "description": "", "skipped": [],
         "value": f"for url in {website}/ https://d1abc.cloudfront.net/; do curl $url; done"},
        {"key": "BucketPolicyCommand", "description": "", "skipped": [],
         "value": "aws s3api get-bucket-policy --bucket site-b --query Policy --output text"},
    ])  # fmt: skip
    lines = local_command.format_outputs(back).splitlines()[1:]
    assert lines == [
        "  WebsiteUrl",
        f"    {website}",
        "    (reaches nothing here: the emulator serves no S3 website endpoint; `aws s3 ls "
        "s3://site-b --recursive` lists the files it serves on AWS)",
        "  SiteUrl",
        "    https://d1abc.cloudfront.net",
        "    (reaches nothing here: the emulator serves no CloudFront host; on AWS it answers)",
        "  PerformanceTestCommand",
        f"    for url in {website}/ https://d1abc.cloudfront.net/; do curl $url; done",
        "    (reaches nothing here: the emulator serves no S3 website endpoint and no CloudFront "
        "host; `aws s3 ls s3://site-b --recursive` lists the files it serves on AWS)",
        "  BucketPolicyCommand",
        "    aws s3api get-bucket-policy --bucket site-b --query Policy --output text",
    ]


# --- a failed run names its log -------------------------------------------------------------


@pytest.mark.parametrize("failure", ["bootstrap", "deploy"])
def test_a_failed_run_names_the_log_it_keeps_on_its_failure_line(monkeypatch, tmp_path, failure):
    """A trial: the log was named at start-up only, though the README says a failed run names
    it."""
    log = tmp_path / "week5-moto-x" / "moto.log"
    monkeypatch.setattr(local, "start_emulator", lambda *a: local.Emulator(1, Process(), log))

    def bootstrap(env):
        if failure == "bootstrap":
            raise local.LocalError("cdk bootstrap failed: no")
        return 0.0

    monkeypatch.setattr(local, "bootstrap", bootstrap)
    with pytest.raises(CliError) as caught:
        with local_command.emulator_for(argparse.Namespace(port=None), {}):
            raise CliError("cdk deploy Day2Lab2 failed on the emulator, which cannot take it")
    what = "cdk bootstrap failed: no" if failure == "bootstrap" else (
        "cdk deploy Day2Lab2 failed on the emulator, which cannot take it")  # fmt: skip
    assert str(caught.value) == f"{what} (the emulator's log is kept: {log})"
    assert caught.value.code == 1


# --- the session's emulator, the real assembly ----------------------------------------------


@pytest.mark.xdist_group("emulator")
@pytest.mark.parametrize("lab_id", ["Day2Lab2", "Day5Lab1"])
def test_the_real_labs_site_files_are_uploaded_and_listed(emulated_labs, app, lab_id):
    """`week5 local Day2Lab2 --keep`'s `aws s3 ls s3://BUCKET --recursive` printed nothing
    (as for Day5Lab1's frontend); its BucketPolicyCommand failed with NoSuchBucketPolicy."""
    lab, s3 = emulated_labs.labs[lab_id], emulated_labs.clients("s3")
    rows = upload_bucket_deployments(
        emulated_labs.emulator.endpoint, app.outdir, lab, emulated_labs.clients
    )
    try:
        (row,) = rows
        (source,) = row["sources"]
        asset = app.outdir / source
        expected = sorted(p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file())
        assert "index.html" in expected and row["files"] == len(expected)
        assert keys(s3, row["bucket"]) == expected
        page = s3.get_object(Bucket=row["bucket"], Key="index.html")
        assert page["ContentType"] == "text/html"
        assert page["Body"].read() == (asset / "index.html").read_bytes()
        back = dataclasses.replace(emulated_labs.results[lab_id], uploads=rows)
        printed = local_command.format_read_back(lab_id, back)
        assert local_command.format_upload(row) in printed.splitlines()
        (listing,) = [c for c in back.checks if c.startswith("aws s3 ls")]
        assert listing == f"aws s3 ls s3://{row['bucket']} --recursive"
        policy = json.loads(s3.get_bucket_policy(Bucket=row["bucket"])["Policy"])
        assert policy["Statement"]
        if lab_id == "Day2Lab2":  # BucketPolicyCommand's two calls, as printed
            (statement, *_) = policy["Statement"]
            assert (statement["Action"], statement["Principal"]) == ("s3:GetObject", {"AWS": "*"})
            website = s3.get_bucket_website(Bucket=row["bucket"])
            assert website["IndexDocument"] == {"Suffix": "index.html"}
    finally:  # the destroy tests that follow find the bucket empty, as the function leaves it
        for bucket in {row["bucket"] for row in rows}:
            for key in keys(s3, bucket):
                s3.delete_object(Bucket=bucket, Key=key)
