"""What an instructor's trial on the emulator found (session 15):

1. A class deploy of six students on the emulator was refused for a VPC quota of 5 that the
   emulator's Service Quotas reports and its EC2 does not enforce (20 VPCs made without error);
   the raise command it named answers HTTP 500 there, and only WEEK5_PREFLIGHT=0 (every check
   skipped) got through. On the emulator the shortfall is now a note of what AWS would say,
   and the deploy goes on; on AWS it is refused as before.
2. `week5 status --all` priced a DELETE_FAILED stack for the three resources CloudFormation
   still lists, two of them a terminated instance and a deleted launch template: each is now
   asked for by id, as status asks for the tagging API's leftovers.
3. `status --json` gave `cleanup_leaves_it: null` for a log group tagged Day=day1, where the
   text names the reason.
4. `week5 audit` failed `instance-types` with "2 × EC2 t3.micro; the lab runs EC2 t3.micro":
   only the count differs, and nothing said so.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto_in_process import AMI, REGION, aws, one_ami  # noqa: F401  (the fixtures)
from support import assembly_cdk
from test_audit import build_day1_lab1, run_audit
from test_audit import session as audit_session  # noqa: F401  (the fixture)
from test_preflight import fake_project, run_wrapper
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

from week5.cli import main
from week5.cli import preflight as cli_preflight
from week5.operations import preflight
from week5.operations.preflight import Plan

SIX = ("kim", "lee", "park", "choi", "jung", "kang")


# --- 1. the quota check on the emulator ------------------------------------------------------


def class_plan(students=SIX) -> Plan:
    return Plan("deploy", ["Day1Lab1"], False, "instructor", "the default", tuple(students),
                REGION, None)  # fmt: skip


def quota_check(plan, tmp_path, monkeypatch):
    """check_quotas on one VPC-and-gateway lab (Day1Lab1's networking), what it told, its code."""
    templates = {"Day1Lab1": lab_template("Day1Lab1", nat_azs=())}
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    told = []
    code = cli_preflight.check_quotas(plan, tmp_path, [], told.append)
    return code, told


def test_a_class_beyond_the_emulators_quotas_is_a_note_and_the_deploy_goes_on(
    moto_env, tmp_path, monkeypatch  # noqa: F811
):
    """moto's Service Quotas reports 5 VPCs (1 in use: its default VPC); six students add 6."""
    code, told = quota_check(class_plan(), tmp_path, monkeypatch)
    assert code == cli_preflight.EXIT_OK, told
    assert not any(line.startswith("refused") for line in told), told
    endpoint = moto_env["AWS_ENDPOINT_URL"]
    assert told[1] == (
        f"note: 6 students' Day1Lab1 would exceed 2 quota(s) as the emulator at {endpoint} "
        "reports them, but it enforces none: going on. With these figures AWS would refuse it "
        "until raised:"
    )
    assert told[2] == (
        "  VPCs: quota 5 (account), 1 in use, the deploy adds 6: short by 2; raise it to 7: "
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code "
        "L-F678F1CE --desired-value 7 --region ap-northeast-2"
    )
    assert told[3].startswith("  Internet gateways: quota 5")


def test_one_shortfall_on_the_emulator_is_one_note_line(moto_env, tmp_path, monkeypatch):  # noqa: F811
    templates = {"Day1Lab1": lab_template("Day1Lab1", nat_azs=())}
    del templates["Day1Lab1"]["Resources"]["Igw"], templates["Day1Lab1"]["Resources"]["Attach"]
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    told = []
    assert cli_preflight.check_quotas(class_plan(), tmp_path, [], told.append) == 0
    (note,) = told[1:]
    assert note.startswith("note: 6 students' Day1Lab1 would exceed 1 quota(s) as the emulator")
    assert note.endswith(
        "until raised: VPCs: quota 5 (account), 1 in use, the deploy adds 6: short by 2; raise "
        "it to 7: aws service-quotas request-service-quota-increase --service-code vpc "
        "--quota-code L-F678F1CE --desired-value 7 --region ap-northeast-2"
    )


def test_on_aws_the_same_class_is_still_refused(moto_env, tmp_path, monkeypatch):  # noqa: F811
    """The emulator stands for AWS here: its endpoint taken for AWS's own."""
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)
    code, told = quota_check(class_plan(), tmp_path, monkeypatch)
    assert code == cli_preflight.EXIT_REFUSED
    assert told[1].startswith("refused: 6 students' Day1Lab1 would exceed 2 quota(s)")


def test_the_emulator_is_the_deploys_endpoint_when_it_is_not_awss(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session = boto3.Session(region_name=REGION)
    assert preflight.emulator_endpoint(session.client("cloudformation")) is None
    assert preflight.emulator_endpoint(session.client("cloudformation", region_name="cn-north-1")) is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    session = boto3.Session(region_name=REGION)
    assert preflight.emulator_endpoint(session.client("cloudformation")) == "http://localhost:4566"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")  # read by neither
    session = boto3.Session(region_name=REGION)
    assert preflight.emulator_endpoint(session.client("cloudformation")) is None


def test_the_trials_class_deploy_runs_through_scripts_cdk_on_the_emulator(tmp_path, moto_env):  # noqa: F811
    """`scripts/cdk deploy "Day1Lab1-*" -c students=kim,lee,park,choi,jung,kang`: exit 1 with
    nothing deployed before; now the note, and cdk deploy runs."""
    root = fake_project(tmp_path)
    assembly = fake_assembly(tmp_path / "assembly",
                             {"Day1Lab1": lab_template("Day1Lab1", nat_azs=())})  # fmt: skip
    assembly_cdk(root, assembly)
    result, calls = run_wrapper(root, "cdk", ["deploy", "Day1Lab1-*", "-c",
                                              f"students={','.join(SIX)}"], dict(moto_env))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert calls[-1].startswith("deploy Day1Lab1-*"), calls
    assert "but it enforces none: going on" in result.stderr
    assert "short by 2; raise it to 7" in result.stderr


# --- 2. a DELETE_FAILED stack priced for what is alive ---------------------------------------


def partly_deleted_stack(aws):  # noqa: F811
    """The trial's stack: a launch template, an instance and an Elastic IP, its destroy failed."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    template = {
        "Description": "Week 5 Day1 Lab1: test - student kim",
        "Resources": {
            "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
                "LaunchTemplateData": {"InstanceType": "t3.micro", "ImageId": AMI}}},
            "Host": {"Type": "AWS::EC2::Instance",
                     "Properties": {"InstanceType": "t3.micro", "ImageId": AMI}},
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        },
    }  # fmt: skip
    stack_id = aws("cloudformation").create_stack(
        StackName="week5-kim-Day1Lab1", TemplateBody=json.dumps(template),
        Tags=[{"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "kim"}],
    )["StackId"]  # fmt: skip
    get_backend("cloudformation")[DEFAULT_ACCOUNT_ID][REGION].stacks[stack_id].status = (
        "DELETE_FAILED"
    )
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in aws("cloudformation").list_stack_resources(
            StackName="week5-kim-Day1Lab1")["StackResourceSummaries"]
    }  # fmt: skip


def status_json(capsys, *args):
    assert main(["status", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_partly_deleted_stack_prices_only_what_is_still_there(aws, capsys):  # noqa: F811
    ids = partly_deleted_stack(aws)
    (stack,) = status_json(capsys, "--all")["stacks"]
    assert stack["usd_per_hour"] == pytest.approx(0.018)  # the instance and the address
    ec2 = aws("ec2")
    ec2.terminate_instances(InstanceIds=[ids["Host"]])
    ec2.delete_launch_template(LaunchTemplateId=ids["Lt"])
    (stack,) = status_json(capsys, "--all")["stacks"]
    assert stack["usd_per_hour"] == pytest.approx(0.005)  # the Elastic IP alone
    assert stack["note"] == (
        "partly deleted: the 1 resource(s) left (2 more it lists no longer exist: not priced)"
    )
    ec2.release_address(PublicIp=ids["Eip"])
    (stack,) = status_json(capsys, "--all")["stacks"]
    assert stack["usd_per_hour"] == 0.0
    assert stack["note"].startswith("partly deleted: the 0 resource(s) left (3 more")


# --- 3. why cleanup leaves it, in --json -----------------------------------------------------


def test_json_says_why_cleanup_leaves_a_day_that_is_no_course_days(aws, capsys):  # noqa: F811
    logs = aws("logs")
    for name, day in (("/week5/lower", "day1"), ("/week5/none", None), ("/week5/fine", "Day1")):
        tags = {"Week": "Week5", "Student": "kim", **({"Day": day} if day else {})}
        logs.create_log_group(logGroupName=name, tags=tags)
    report = status_json(capsys, "--student", "kim")
    leaves = {u["arn"].split(":log-group:")[1].split(":")[0]: u for u in report["untracked"]}
    assert leaves["/week5/lower"]["cleanup_leaves_it"] == (
        "Day is no course day: cleanup leaves it; delete it by hand"
    )
    assert leaves["/week5/none"]["cleanup_leaves_it"] == (
        "no Day tag: cleanup leaves it; delete it by hand"
    )
    assert leaves["/week5/fine"]["cleanup_leaves_it"] is None
    assert leaves["/week5/fine"]["cleanup_takes_it"] is True
    assert main(["status", "--student", "kim"]) == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "/week5/lower" in x]
    assert line.endswith("(Day is no course day: cleanup leaves it; delete it by hand)")


def test_json_says_why_cleanup_leaves_a_kind_it_does_not_look_for(aws, capsys):  # noqa: F811
    aws("sns").create_topic(Name="week5-alerts", Tags=[
        {"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day1"},
        {"Key": "Student", "Value": "kim"}])  # fmt: skip
    (topic,) = status_json(capsys, "--student", "kim")["untracked"]
    assert topic["cleanup_takes_it"] is False
    assert topic["cleanup_leaves_it"] == (
        "`week5 cleanup` does not look for this kind (sns): delete it by hand"
    )


def test_json_says_why_cleanup_leaves_a_stack_that_is_no_labs(aws, capsys):  # noqa: F811
    body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    for name, day in (("kim-lower", "day1"), ("kim-day1", "Day1")):
        aws("cloudformation").create_stack(StackName=name, TemplateBody=body, Tags=[
            {"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "kim"},
            {"Key": "Day", "Value": day}])  # fmt: skip
    stacks = {s["stack"]: s for s in status_json(capsys, "--student", "kim")["other_stacks"]}
    assert stacks["kim-lower"]["cleanup_leaves_it"] == (
        "Day is no course day: cleanup leaves it; delete it by hand"
    )
    assert stacks["kim-day1"]["cleanup_takes_it"] is True
    assert stacks["kim-day1"]["cleanup_leaves_it"] is None


# --- 4. audit: a count that differs says so --------------------------------------------------


def test_a_second_instance_of_the_labs_type_is_named_as_a_count(audit_session, app):  # noqa: F811
    build_day1_lab1(audit_session, {"instance_types": ["t3.micro", "t3.micro"]})
    checks = run_audit(audit_session, app.templates["Day1Lab1"])
    types = checks["instance-types"]
    assert not types.passed
    assert types.evidence == (
        "2 instances of EC2 t3.micro; the lab runs 1: 1 more than the lab's "
        "(unexpected-resources names it): delete it"
    )


def test_a_missing_instance_says_the_lab_runs_more(audit_session, app):  # noqa: F811
    template = json.loads(json.dumps(app.templates["Day1Lab1"]))
    resources = template["Resources"]
    (host,) = [k for k, v in resources.items() if v["Type"] == "AWS::EC2::Instance"]
    resources[f"{host}Twin"] = resources[host]
    build_day1_lab1(audit_session)
    types = run_audit(audit_session, template)["instance-types"]
    assert not types.passed
    assert types.evidence == (
        "1 instance of EC2 t3.micro; the lab runs 2: 1 fewer than the lab's: deploy the lab "
        "again (scripts/cdk deploy) to bring back what is missing"
    )

