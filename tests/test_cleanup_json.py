"""`week5 cleanup --json` (what was found, deleted, failed, left and not checked: JSON alone on
stdout, progress on stderr), and a call the endpoint does not implement: reported "not
checked" with the endpoint and the call, while the rest is found and deleted; never success.
Against moto's server, as an instructor runs it against AWS."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict

import boto3
import pytest
from botocore.exceptions import ClientError
from test_aws_errors import MOTO_LACKS

import week5.cli.cleanup as cleanup_cli
from week5.cli import main
from week5.operations.cleanup import Cleaner, Found
from week5.operations.cleanup.deleter import delete_in_order

REGION = "ap-northeast-2"
TAGS = [
    {"Key": k, "Value": v} for k, v in {"Week": "Week5", "Day": "Day1", "Student": "kim"}.items()
]


def spec(kind):
    return [{"ResourceType": kind, "Tags": TAGS}]


@pytest.fixture
def emulator(local_aws_env, monkeypatch):
    """conftest's moto server, this process pointed at it: (its environment, boto3 client
    maker). The server runs in this process, whose moto backends outlive it: start empty,
    without moto's 1,286 default AMIs, which each reset builds again (none is used here)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    request = urllib.request.Request(
        f"{local_aws_env['AWS_ENDPOINT_URL']}/moto-api/reset", method="POST"
    )
    urllib.request.urlopen(request, timeout=30).close()
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, local_aws_env[key])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    session = boto3.Session(region_name=REGION)
    return local_aws_env, session.client


def a_day(client) -> Dict[str, str]:
    """Day1/kim's VPC with a subnet, and a tagged VPC held by an untagged subnet in it."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.1.0/24", TagSpecifications=spec("subnet")
    )["Subnet"]["SubnetId"]
    held = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    stray = ec2.create_subnet(VpcId=held, CidrBlock="10.1.9.0/24")["Subnet"]["SubnetId"]
    return {"vpc": vpc, "subnet": subnet, "held": held, "stray": stray}


def week5(capfd, *args):
    """`week5 cleanup --day Day1 --student kim ARGS` in this process (test_cleanup.py and
    test_cleanup_accounts.py run the command's own process): (exit code, stdout, stderr), as
    the file descriptors got them."""
    code = main(["cleanup", "--day", "Day1", "--student", "kim", *args])
    out, err = capfd.readouterr()
    return code, out, err


def test_json_lists_then_reports_what_was_deleted_and_left(emulator, capfd):
    _, client = emulator
    ids = a_day(client)
    code, out, err = week5(capfd, "--json")
    assert code == 0, err
    body = json.loads(out)  # the whole of stdout
    assert "==> Week5 Day1 resources of student kim" in err
    assert body["applied"] is False and (body["day"], body["student"]) == ("Day1", "kim")
    assert (body["deleted"], body["failed"], body["left"], body["not_checked"]) == (
        None, None, None, []
    )  # fmt: skip
    found = {f["id"]: f for f in body["found"]}
    assert set(found) == {ids["vpc"], ids["subnet"], ids["held"]}
    assert found[ids["vpc"]] == {
        "kind": "VPC", "id": ids["vpc"], "name": "", "day": "Day1", "usd_per_hour": 0.0,
        "left_because": None, "student": "kim",
    }  # fmt: skip
    assert ids["stray"] in found[ids["held"]]["left_because"]
    assert body["usd_per_hour"] == 0.0 and body["not_priced"] == 0
    assert body["priced"].startswith("what exists now and carries the day's tags")

    code, out, err = week5(capfd, "--apply", "--json")
    assert code == 1, err  # one VPC is left
    body = json.loads(out)
    assert body["applied"] is True
    assert {f["id"] for f in body["deleted"]} == {ids["vpc"], ids["subnet"]}
    assert body["failed"] == [] and [f["id"] for f in body["left"]] == [ids["held"]]
    assert f"deleted VPC {ids['vpc']}" in err  # progress, on stderr
    vpcs = {v["VpcId"] for v in client("ec2").describe_vpcs()["Vpcs"]}
    assert ids["held"] in vpcs and ids["vpc"] not in vpcs


def lacking(client, service, operation):
    """``client`` (a client maker) whose ``service`` clients answer ``operation`` as moto's
    server answers a call it lacks, paged or not, through botocore's own handling: a JSON
    service's bare 500 becomes a ClientError; where XML was due (EC2), botocore cannot parse
    the page. A before-call hook, so no request is sent and nothing is retried."""
    from botocore.awsrequest import AWSResponse
    from botocore.parsers import ResponseParserError

    def answer(protocol: str) -> Any:
        def hook(**_: Any) -> Any:
            if protocol in ("json", "rest-json"):
                return AWSResponse("", 500, {}, None), MOTO_LACKS
            page = MOTO_LACKS["Error"]["Message"].encode()
            raise ResponseParserError(f"Unable to parse response, invalid XML received:\n{page}")

        return hook

    def make(name: str, **kwargs: Any) -> Any:
        made = client(name, **kwargs)
        if name == service:
            model = made.meta.service_model
            made.meta.events.register(
                f"before-call.{model.service_id.hyphenize()}.{operation}", answer(model.protocol)
            )
        return made

    return make


def a_web_acl(client) -> str:
    reply = client("wafv2").create_web_acl(
        Name="kim-acl",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "a"
        },
        Tags=TAGS,
    )  # fmt: skip
    return reply["Summary"]["Id"]


def test_a_call_the_endpoint_lacks_is_not_checked_and_the_rest_goes(emulator, monkeypatch, capsys):
    """Not "wait a minute, then run this again", and not a stop: the web ACLs are "not
    checked" (the line names the endpoint and the call), nothing of them is deleted, the VPC
    goes, and the run exits 1."""
    env, client = emulator
    ids = a_day(client)
    acl = a_web_acl(client)
    real = cleanup_cli.aws_clients
    monkeypatch.setattr(
        cleanup_cli,
        "aws_clients",
        lambda profile, region: lacking(real(profile, region), "wafv2", "ListResourcesForWebACL"),
    )
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--apply", "--json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    body = json.loads(out)
    assert body["not_checked"] == [
        f"WAF web ACLs: the endpoint {env['AWS_ENDPOINT_URL']} (AWS_ENDPOINT_URL) failed "
        "ListResourcesForWebACL with HTTP 500, as moto does for a call it does not implement "
        "or fails on (its log says which); waiting will not help: use an emulator that "
        "implements it, "
        "or unset AWS_ENDPOINT_URL to run this against AWS"
    ]
    assert "wait a minute" not in out + err
    assert {f["id"] for f in body["deleted"]} == {ids["vpc"], ids["subnet"]}
    assert acl not in {f["id"] for f in body["found"]}
    assert [a["Id"] for a in client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]] == [acl]

    # The same as text: the line under the listing, and again under the report.
    assert main(["cleanup", "--day", "Day1", "--student", "kim", "--apply"]) == 1
    out = capsys.readouterr().out
    assert "\n  not checked: WAF web ACLs: the endpoint " in out
    assert "\n  not checked, so nothing of it deleted: WAF web ACLs: " in out


def test_one_cause_is_one_line_for_every_finder_it_stops(emulator):
    """The region's EC2 network is read once for many finders: one line names them all."""
    _, client = emulator
    a_day(client)
    cleaner = Cleaner(
        lacking(client, "ec2", "DescribeNatGateways"),
        region=REGION, day="Day1", student="kim",
    )  # fmt: skip
    assert cleaner.find() == []
    (line,) = cleaner.warnings
    assert line.startswith(
        "Auto Scaling groups, EC2 instances, VPC endpoints, NAT gateways, Elastic IPs, network "
        "interfaces, security groups, subnets, network ACLs, route tables, internet gateways, "
        "VPCs, EBS volumes, AMIs and EBS snapshots: the endpoint "
    )
    assert "failed DescribeNatGateways with HTTP 500" in line


def test_any_other_error_still_stops_the_run(emulator):
    """An account that refuses to be read is not half-read: the error goes up (the command
    prints its one line, exit 2)."""
    _, client = emulator

    def refuse(**_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListWebACLs")

    def make(name, **kwargs):
        made = client(name, **kwargs)
        made.meta.events.register("before-call.wafv2.ListWebACLs", refuse)
        return made

    with pytest.raises(ClientError, match="AccessDenied"):
        Cleaner(make, region=REGION, day="Day1", student="kim").find()


def test_a_deletion_the_endpoint_lacks_fails_on_one_line(monkeypatch):
    """Reported failed at once (no retries for minutes), the reason on one line, not moto's
    HTML page."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:5055")

    def delete():
        raise ClientError(MOTO_LACKS, "DeleteWebACL")

    waits = []
    report = delete_in_order(
        [Found("WAF web ACL", "acl-1", delete=delete)], (10, 20), waits.append, lambda line: None
    )
    assert waits == [] and report.deleted == []
    ((item, why),) = report.failed
    assert why.startswith(
        "the endpoint http://localhost:5055 (AWS_ENDPOINT_URL) failed DeleteWebACL with HTTP 500"
    )
    assert "\n" not in why


def test_interrupted_json_leaves_stdout_empty(emulator, monkeypatch, capsys):
    """Ctrl-C: no JSON was made, so stdout holds nothing; the note goes to stderr."""

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Cleaner, "find", interrupted)
    assert main(["cleanup", "--day", "Day1", "--json"]) == 130
    out, err = capsys.readouterr()
    assert out == "" and "Interrupted: run the same command again" in err


def test_the_student_week5_init_set_is_the_default_and_all_overrides_it(
    emulator, tmp_path, monkeypatch, capsys
):
    """A student's `week5 cleanup --day Day1 --apply` in a shared account must not take the
    class's Day 1 with it: without --student it is the name `week5 init` set, as scripts/cdk
    deploys for it; --all is every student's."""
    _, client = emulator
    ec2 = client("ec2")
    kims = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    lee = [{**t, "Value": "lee"} if t["Key"] == "Student" else t for t in TAGS]
    lees = ec2.create_vpc(
        CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": lee}]
    )["Vpc"]["VpcId"]
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"student": "kim"}))
    monkeypatch.chdir(tmp_path)

    def found(*args):
        assert main(["cleanup", "--day", "Day1", "--json", *args]) == 0
        out, err = capsys.readouterr()
        return err, {f["id"] for f in json.loads(out)["found"]}

    err, ids = found()
    assert ids == {kims}
    assert "of student kim (from cdk.context.json; --all for every student)" in err
    assert found("--all")[1] == {kims, lees}
    assert found("--student", "lee")[1] == {lees}
    # named by ~/.cdk.json, it says so (it said "set by `week5 init`": a re-trial)
    (tmp_path / "cdk.context.json").unlink()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".cdk.json").write_text(json.dumps({"context": {"student": "lee"}}))
    err, ids = found()
    assert ids == {lees} and "of student lee (from ~/.cdk.json; --all" in err
    (tmp_path / "cdk.context.json").write_text(json.dumps({"studnet": "kim"}))
    assert main(["cleanup", "--day", "Day1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("week5: context 'studnet' is not a setting of this app")
