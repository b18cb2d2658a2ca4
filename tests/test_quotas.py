"""Class mode within quotas (issue #15 item 9): a class deploy needs N copies of each lab's VPC,
internet gateway, Elastic IPs and NAT gateways; `week5 quotas` and the `scripts/cdk` preflight
compare that with the account's quotas and usage, and refuse with the numbers and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from week5.cli import main
from week5.core.catalog import LAB_METADATA_KEY
from week5.operations import quotas

REGION = "ap-northeast-2"
CLASS = ",".join(f"s{i:02d}" for i in range(1, 13))  # twelve students


def lab_template(lab_id: str = "Day4Lab1", nat_azs=("ap-northeast-2a",)) -> dict:
    """A lab's networking as CDK writes it: a VPC, its internet gateway, one public subnet
    per AZ and a NAT gateway with its Elastic IP in each of ``nat_azs``."""
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16",
                "Tags": [{"Key": "Name", "Value": "week5-day1-vpc"}]}},
        "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
        "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment",
                   "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
    }  # fmt: skip
    for index, az in enumerate(("ap-northeast-2a", "ap-northeast-2b")):
        resources[f"Public{index}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "AvailabilityZone": az,
                           "CidrBlock": f"10.0.{index + 1}.0/24"},
        }  # fmt: skip
        if az in nat_azs:
            resources[f"Eip{index}"] = {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}
            resources[f"Nat{index}"] = {
                "Type": "AWS::EC2::NatGateway",
                "Properties": {"SubnetId": {"Ref": f"Public{index}"},
                               "AllocationId": {"Fn::GetAtt": [f"Eip{index}", "AllocationId"]}},
            }  # fmt: skip
    info = {"LabId": lab_id, "Day": f"Day{lab_id[3]}", "Lab": lab_id[4:], "TitleKo": lab_id,
            "TitleEn": lab_id, "CourseCostUsd": 0.3}  # fmt: skip
    return {
        "Description": f"Week 5 Day{lab_id[3]} {lab_id[4:]}: test",
        "Metadata": {LAB_METADATA_KEY: info},
        "Resources": resources,
    }


def fake_assembly(folder: Path, templates: dict, student: str = "instructor") -> Path:
    """A cloud assembly holding ``templates`` (lab id -> template), as `cdk synth` lays it out."""
    folder.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for lab_id, template in templates.items():
        (folder / f"{lab_id}.template.json").write_text(json.dumps(template))
        artifacts[lab_id] = {
            "type": "aws:cloudformation:stack",
            "displayName": lab_id,
            "properties": {
                "templateFile": f"{lab_id}.template.json",
                "stackName": f"week5-{student}-{lab_id}",
            },
        }
    (folder / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return folder


@pytest.fixture
def moto_env(local_aws_env, monkeypatch):
    """The moto server of conftest's `local_aws_env`, this process pointed at it; its Service
    Quotas also answers for the Elastic IP quota (moto models the vpc service's only)."""
    import urllib.request

    from moto.servicequotas.models import ServiceQuotasBackend

    # The server runs in this process, whose moto backends outlive it: start empty.
    reset = f"{local_aws_env['AWS_ENDPOINT_URL']}/moto-api/reset"
    urllib.request.urlopen(urllib.request.Request(reset, method="POST"), timeout=30).close()
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, local_aws_env[key])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    original = ServiceQuotasBackend.get_service_quota

    def get_service_quota(self, service_code, quota_code):
        if (service_code, quota_code) == ("ec2", quotas.EIPS.code):
            return {"QuotaCode": quota_code, "ServiceCode": "ec2", "Value": 5.0,
                    "QuotaName": quotas.EIPS.name}  # fmt: skip
        return original(self, service_code, quota_code)

    monkeypatch.setattr(ServiceQuotasBackend, "get_service_quota", get_service_quota)
    return local_aws_env


# --- what a template needs ------------------------------------------------------------------


def test_a_template_needs_its_vpc_gateway_addresses_and_nat_gateways_by_zone():
    needs = quotas.needs_of(lab_template(nat_azs=("ap-northeast-2a", "ap-northeast-2b")))
    assert needs == {
        ("vpcs", None): 1,
        ("igws", None): 1,
        ("eips", None): 2,
        ("nats", "ap-northeast-2a"): 1,
        ("nats", "ap-northeast-2b"): 1,
    }


def test_a_class_needs_one_copy_per_student_whose_stack_is_new():
    templates = {"Day4Lab1": lab_template()}
    needs, counted = quotas.class_needs(templates, ["kim", "lee", "park"], ["week5-lee-Day4Lab1"])
    assert counted == {"Day4Lab1": ["kim", "park"]}  # lee's stack exists: an update adds nothing
    assert needs[("vpcs", None)] == 2 and needs[("nats", "ap-northeast-2a")] == 2


def test_the_lab_templates_count_what_they_create(app):
    """Every synthesized lab: at most one VPC and one internet gateway; an Elastic IP per NAT
    gateway (CDK's VPC allocates one for each)."""
    for lab_id, template in app.templates.items():
        needs = quotas.needs_of(template)
        assert needs[("vpcs", None)] <= 1 and needs[("igws", None)] <= 1, lab_id
        nats = sum(n for (key, _), n in needs.items() if key == "nats")
        assert needs[("eips", None)] == nats, lab_id
        assert ("nats", quotas.UNKNOWN_AZ) not in needs, lab_id  # every NAT's zone is known


def test_shortfalls_name_the_numbers_and_the_command_that_raises_the_quota():
    needs, _ = quotas.class_needs({"Day4Lab1": lab_template()}, CLASS.split(","))
    usage = {("vpcs", None): 1, ("igws", None): 1, ("eips", None): 0}
    found = {spec.key: (5, "AWS default") for spec in quotas.SPECS}
    rows = quotas.compare(needs, found, usage)
    assert [(r.label, r.in_use, r.needed, r.short) for r in rows] == [
        ("VPCs", 1, 12, 8),
        ("Elastic IPs", 0, 12, 7),
        ("Internet gateways", 1, 12, 8),
        ("NAT gateways in ap-northeast-2a", 0, 12, 7),
    ]
    lines = quotas.shortfalls(rows, REGION)
    assert lines[0] == (
        "VPCs: quota 5 (AWS default), 1 in use, the deploy adds 12: short by 8; raise it to 13: "
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code "
        "L-F678F1CE --desired-value 13 --region ap-northeast-2"
    )
    assert "--service-code ec2 --quota-code L-0263D0A3 --desired-value 12" in lines[1]
    assert "--quota-code L-A4707A72 --desired-value 13" in lines[2]
    assert "--quota-code L-FE5A380F --desired-value 12" in lines[3]


# --- against moto ---------------------------------------------------------------------------


def test_quotas_and_usage_are_read_from_the_account(moto_env):
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.create_vpc(CidrBlock="10.9.0.0/16")
    ec2.allocate_address(Domain="vpc")
    make = lambda service, **kw: boto3.client(service, region_name=REGION, **kw)  # noqa: E731
    rows = quotas.check(make, quotas.needs_of(lab_template()), REGION)
    by_label = {r.label: r for r in rows}
    assert by_label["VPCs"].quota == 5 and by_label["VPCs"].source == "account"
    assert by_label["VPCs"].in_use == 2  # moto's default VPC and ours
    assert by_label["Elastic IPs"].in_use == 1 and by_label["Elastic IPs"].quota == 5


def test_week5_quotas_refuses_twelve_students_with_the_numbers(moto_env, tmp_path, capsys):
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    code = main(["quotas", "--students", CLASS, "Day4Lab1", "--assembly", str(assembly)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Class deploy of Day4Lab1 for 12 student(s):" in out
    assert "SHORT by" in out and "It does not fit" in out
    assert "request-service-quota-increase --service-code vpc --quota-code L-F678F1CE" in out


def test_week5_quotas_lets_two_students_through(moto_env, tmp_path, capsys):
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    code = main(["quotas", "--students", "kim,lee", "Day4Lab1", "--assembly", str(assembly),
                 "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["fits"] and report["fixes"] == []
    assert {q["quota_code"] for q in report["quotas"]} >= {"L-F678F1CE", "L-0263D0A3"}


def test_a_class_size_plans_before_the_names_are_known(moto_env, tmp_path, capsys):
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    assert main(["quotas", "--students", "12", "Day4Lab1", "--assembly", str(assembly)]) == 1
    assert "for 12 student(s)" in capsys.readouterr().out


def test_bad_students_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["quotas", "--students", "kim,Kim"])
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("week5: quotas: argument --students:") and "kim,lee,park" in line


def test_the_documented_default_is_used_only_where_service_quotas_has_none():
    from botocore.exceptions import ClientError

    class NoQuota:
        def _missing(self, **_):
            raise ClientError({"Error": {"Code": "NoSuchResourceException", "Message": "x"}}, "Get")

        get_service_quota = get_aws_default_service_quota = _missing

    assert quotas.read_quota(NoQuota(), quotas.EIPS) == (5, "AWS default (documented)")

    class Denied(NoQuota):
        def get_service_quota(self, **_):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Get")

    with pytest.raises(ClientError):
        quotas.read_quota(Denied(), quotas.EIPS)


@pytest.mark.parametrize("context", ["students=park", "students=kim", "students=Kim"])
def test_a_class_given_twice_differently_is_refused_before_aws(context, capsys):
    """A hostile trial: `--students kim,lee -c students=park` checked kim and lee, dropping the
    other class in silence. Before any AWS call: no credentials are needed to be told."""
    code = main(["quotas", "--students", "kim,lee", "Day4Lab1", "-c", context])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        f"week5: --students kim,lee and -c {context!r} name different classes: pass the class "
        "once, as --students\n"
    )
