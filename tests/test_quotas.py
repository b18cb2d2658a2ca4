"""Class mode within quotas (issue #15 item 9): a class deploy needs N copies of each lab's VPC,
internet gateway, Elastic IPs and NAT gateways, and the On-Demand vCPUs of its instances;
`week5 quotas` and the `scripts/cdk` preflight compare that with the account's quotas and
usage, and refuse with the numbers and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from week5.cli import main
from week5.core.catalog import LAB_METADATA_KEY
from week5.operations import preflight, quotas

REGION = "ap-northeast-2"
CLASS = ",".join(f"s{i:02d}" for i in range(1, 13))  # twelve students
#: What moto_env's Service Quotas answers as the account's applied value, by (service, code),
#: before moto's own vpc quotas; a test sets more with monkeypatch.setitem. Elastic IPs and
#: On-Demand vCPUs (L-1216C47A) at 5, a new account's: moto models only the vpc service's
#: quotas (ec2's are NoSuchResourceException) and not GetAWSDefaultServiceQuota (a 500).
APPLIED = {("ec2", "L-0263D0A3"): 5.0, ("ec2", "L-1216C47A"): 5.0}
VCPU_LABEL = "On-Demand vCPUs (standard families)"
NAMES = {spec.code: spec.name for spec in quotas.SPECS}


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


def with_web_tier(template: dict, min_size="2", instance_type="t3.micro") -> dict:
    """``template`` plus Day4Lab1's web tier as CDK writes it: a launch template and the Auto
    Scaling group that launches MinSize of it (no DesiredCapacity)."""
    resources = template["Resources"]
    resources["WebLaunchTemplate"] = {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"InstanceType": instance_type,
                                              "ImageId": "ami-12345678"}},
    }  # fmt: skip
    resources["WebAsg"] = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "WebLaunchTemplate"},
                               "Version": {"Fn::GetAtt": ["WebLaunchTemplate",
                                                          "LatestVersionNumber"]}},
            "MinSize": min_size, "MaxSize": "4",
            "VPCZoneIdentifier": [{"Ref": "Public0"}, {"Ref": "Public1"}],
        },
    }  # fmt: skip
    return template


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
    Quotas also answers APPLIED (the Elastic IP and vCPU quotas: moto models the vpc service's
    only)."""
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
        if (service_code, quota_code) in APPLIED:
            return {"QuotaCode": quota_code, "ServiceCode": service_code,
                    "Value": APPLIED[(service_code, quota_code)],
                    "QuotaName": NAMES.get(quota_code, quota_code)}  # fmt: skip
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
    gateway (CDK's VPC allocates one for each); every instance's vCPUs counted."""
    for lab_id, template in app.templates.items():
        needs = quotas.needs_of(template)
        assert needs[("vpcs", None)] <= 1 and needs[("igws", None)] <= 1, lab_id
        nats = sum(n for (key, _), n in needs.items() if key == "nats")
        assert needs[("eips", None)] == nats, lab_id
        assert ("nats", quotas.UNKNOWN_AZ) not in needs, lab_id  # every NAT's zone is known
        assert ("vcpus", quotas.UNCOUNTED) not in needs, lab_id  # every instance's type too
    # Day4Lab1's Auto Scaling group starts MinSize 2 t3.micro; Day1Case: its NAT instance
    # (t4g.nano) and two t3.micro hosts
    assert quotas.needs_of(app.templates["Day4Lab1"])[("vcpus", None)] == 4
    assert quotas.needs_of(app.templates["Day1Case"])[("vcpus", None)] == 6


def test_a_template_needs_the_vcpus_of_its_instances_and_auto_scaling_groups():
    """A t3.micro instance (its IMDSv2 launch template names no type, as CDK writes it) and
    an Auto Scaling group of MinSize 2 t3.micro through its launch template: 2 + 2 x 2 vCPUs."""
    template = with_web_tier(lab_template())
    template["Resources"]["ImdsV2"] = {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}},
    }  # fmt: skip
    template["Resources"]["Bastion"] = {
        "Type": "AWS::EC2::Instance",
        "Properties": {"InstanceType": "t3.micro", "ImageId": "ami-12345678",
                       "LaunchTemplate": {"LaunchTemplateId": {"Ref": "ImdsV2"}, "Version": "1"}},
    }  # fmt: skip
    assert quotas.needs_of(template)[("vcpus", None)] == 6
    assert ("vcpus", quotas.UNCOUNTED) not in quotas.needs_of(template)
    needs, _ = quotas.class_needs({"Day4Lab1": template}, CLASS.split(","))
    assert needs[("vcpus", None)] == 72


def test_vcpus_follow_the_type_the_capacity_and_the_family():
    resources = {
        "Config": {"Type": "AWS::AutoScaling::LaunchConfiguration",
                   "Properties": {"InstanceType": "m5.xlarge", "ImageId": "ami-12345678"}},
        # DesiredCapacity before MinSize; a launch configuration's type; 3 x 4
        "ByConfig": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                     "Properties": {"LaunchConfigurationName": {"Ref": "Config"},
                                    "MinSize": "1", "DesiredCapacity": 3, "MaxSize": "4"}},
        "Small": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t2.micro"}},  # 1
        "Graviton": {"Type": "AWS::EC2::Instance",
                     "Properties": {"InstanceType": "m6g.medium"}},  # 1
        "Big": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "c5.2xlarge"}},  # 8
        "Gpu": {"Type": "AWS::EC2::Instance",  # its own quota (G and VT), not the standard's
                "Properties": {"InstanceType": "g4dn.xlarge"}},
        # not spelled out: a parameter's type; a launch template outside the template
        "Typed": {"Type": "AWS::EC2::Instance",
                  "Properties": {"InstanceType": {"Ref": "InstanceTypeParameter"}}},
        "Elsewhere": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                      "Properties": {"LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0",
                                                        "Version": "1"},
                                     "MinSize": "2", "MaxSize": "2"}},
    }  # fmt: skip
    assert quotas.needs_of({"Resources": resources}) == {
        ("vcpus", None): 12 + 1 + 1 + 8,
        ("vcpus", quotas.UNCOUNTED): 2,
    }
    assert [quotas.vcpus_of(t) for t in ("t3.nano", "t4g.small", "t3.medium", "r5.large",
                                         "m5.12xlarge", "m5.metal")] == [2, 2, 2, 2, 48, None]


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
        (VCPU_LABEL, 0, 0, 0),  # the networking launches no instance
    ]
    lines = quotas.shortfalls(rows, REGION)
    assert lines[0] == (
        "VPCs: quota 5 (AWS default), 1 in use, the deploy adds 12: short by 8; raise it to 13: "
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code "
        "L-F678F1CE --desired-value 13 --region ap-northeast-2"
    )
    assert "--service-code ec2 --quota-code L-0263D0A3 --desired-value 12" in lines[1]
    assert lines[2] == (
        "Internet gateways: quota 5 (AWS default), 1 in use, the deploy adds 12: short by 8; "
        "the VPCs per Region request above raises it too"
    )
    assert "--quota-code L-FE5A380F --desired-value 12" in lines[3]
    assert len(lines) == 4


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


def test_vcpus_in_use_are_the_running_and_pending_instances_of_the_standard_families(moto_env):
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3, InstanceType="t3.micro")
    stopped = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                InstanceType="m5.large")["Instances"][0]["InstanceId"]  # fmt: skip
    ec2.stop_instances(InstanceIds=[stopped])  # a stopped instance holds no vCPU
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="g4dn.xlarge")
    assert quotas.read_usage(ec2)[("vcpus", None)] == 3 * 2
    make = lambda service, **kw: boto3.client(service, region_name=REGION, **kw)  # noqa: E731
    rows = quotas.check(make, quotas.needs_of(with_web_tier(lab_template())), REGION)
    (row,) = [r for r in rows if r.spec is quotas.VCPUS]
    assert (row.label, row.in_use, row.needed) == (VCPU_LABEL, 6, 4)
    assert (row.quota, row.source) == (5, "account") and row.short == 5


def test_twelve_students_beyond_the_vcpu_quota_are_refused_though_the_network_fits(
    moto_env, tmp_path, capsys, monkeypatch
):
    """Twelve students' Day4Lab1 (an Auto Scaling group of 2 t3.micro each: 48 vCPUs) against
    32 vCPUs, two t3.micro running already; every networking quota raised to 50."""
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)  # as on AWS
    for spec in quotas.SPECS:
        monkeypatch.setitem(APPLIED, (spec.service, spec.code), 50.0)
    monkeypatch.setitem(APPLIED, ("ec2", "L-1216C47A"), 32.0)
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, InstanceType="t3.micro")
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": with_web_tier(lab_template())})
    code = main(["quotas", "--students", CLASS, "Day4Lab1", "--assembly", str(assembly)])
    out = capsys.readouterr().out
    assert code == 1 and "It does not fit" in out
    (row,) = [x for x in out.splitlines() if x.startswith(VCPU_LABEL)]
    assert row.split()[-9:] == ["ec2/L-1216C47A", "32", "account", "4", "48", "52", "SHORT",
                                "by", "20"]  # fmt: skip
    assert [x.strip() for x in out.splitlines() if "request-service-quota-increase" in x] == [
        f"{VCPU_LABEL}: quota 32 (account), 4 in use, the deploy adds 48: short by 20; raise it "
        "to 52: aws service-quotas request-service-quota-increase --service-code ec2 "
        "--quota-code L-1216C47A --desired-value 52 --region ap-northeast-2"
    ]


def test_the_class_deploy_preflight_refuses_what_the_vcpu_quota_cannot_hold(
    moto_env, tmp_path, monkeypatch
):
    """scripts/cdk's check (week5.cli.preflight.check_quotas) reads the same rows: refused
    (on AWS: moto's endpoint is taken for AWS's here)."""
    from week5.cli import preflight as cli_preflight
    from week5.operations import preflight
    from week5.operations.preflight import Plan

    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)

    for spec in quotas.SPECS:
        monkeypatch.setitem(APPLIED, (spec.service, spec.code), 50.0)
    monkeypatch.setitem(APPLIED, ("ec2", "L-1216C47A"), 32.0)
    templates = {"Day4Lab1": with_web_tier(lab_template())}
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    plan = Plan("deploy", ["Day4Lab1"], False, "instructor", "the default",
                tuple(CLASS.split(",")), REGION, None)  # fmt: skip
    told = []
    code = cli_preflight.check_quotas(plan, tmp_path, [], told.append)
    assert code == cli_preflight.EXIT_REFUSED
    assert told[1].startswith("refused: 12 students' Day4Lab1 would exceed 1 quota(s)")
    assert told[2:] == [
        f"  {VCPU_LABEL}: quota 32 (account), 0 in use, the deploy adds 48: short by 16; raise "
        "it to 48: aws service-quotas request-service-quota-increase --service-code ec2 "
        "--quota-code L-1216C47A --desired-value 48 --region ap-northeast-2"
    ]


def test_week5_quotas_refuses_twelve_students_with_the_numbers(
    moto_env, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)  # as on AWS
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
    assert {q["quota_code"] for q in report["quotas"]} >= {"L-F678F1CE", "L-0263D0A3",
                                                           "L-1216C47A"}


def test_a_class_size_plans_before_the_names_are_known(moto_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)  # as on AWS
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    assert main(["quotas", "--students", "12", "Day4Lab1", "--assembly", str(assembly)]) == 1
    assert "for 12 student(s)" in capsys.readouterr().out


def test_bad_students_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["quotas", "--students", "kim,Kim"])
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("week5: quotas: argument --students:") and "kim,lee,park" in line


def client_error(code: str, status: int = 400, message: str = "x", operation: str = "Get"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)  # fmt: skip


class FakeServiceQuotas:
    """Answers GetServiceQuota and GetAWSDefaultServiceQuota with a value or raises an error."""

    def __init__(self, applied, default=None):
        self.applied, self.default, self.calls = applied, default, []

    def _answer(self, answer, name):
        self.calls.append(name)
        if isinstance(answer, Exception):
            raise answer
        return {"Quota": {"Value": answer}}

    def get_service_quota(self, **_):
        return self._answer(self.applied, "GetServiceQuota")

    def get_aws_default_service_quota(self, **_):
        return self._answer(self.default, "GetAWSDefaultServiceQuota")


def test_no_documented_default_stands_in_for_a_quota_service_quotas_cannot_report(monkeypatch):
    """A trial: AWS's documented 5-vCPU floor, used where the endpoint answered nothing,
    refused a 2-student Day4Lab1 on an emulator that enforces none. A quota Service Quotas
    cannot report is (None, the reason): not checked."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    no_such = client_error("NoSuchResourceException")
    # no applied value: AWS's default applies
    assert quotas.read_quota(FakeServiceQuotas(no_such, 32.0), quotas.VCPUS) == (32, "AWS default")
    assert quotas.read_quota(FakeServiceQuotas(64.0), quotas.VCPUS) == (64, "account")
    # no value at all: not the documented 5
    value, reason = quotas.read_quota(FakeServiceQuotas(no_such, no_such), quotas.VCPUS, REGION)
    assert (value, reason) == (None, "Service Quotas has no value for ec2/L-1216C47A in "
                               "ap-northeast-2 (NoSuchResourceException, for the account's and "
                               "for AWS's default)")  # fmt: skip
    # AWS's own server error, left after botocore's retries: the applied value is unknown, so
    # AWS's default (which may be lower) is not asked for in its place
    fake = FakeServiceQuotas(client_error("ServiceException", 500, "oops", "GetServiceQuota"), 5.0)
    assert quotas.read_quota(fake, quotas.EIPS, REGION) == (
        None, "AWS failed GetServiceQuota in ap-northeast-2 with a server error (HTTP 500); "
        "wait a minute, then run this again")  # fmt: skip
    assert fake.calls == ["GetServiceQuota"]
    not_implemented = client_error("NotImplementedException", 501, "no", "GetServiceQuota")
    value, reason = quotas.read_quota(FakeServiceQuotas(not_implemented), quotas.EIPS, REGION)
    assert value is None and reason.startswith("AWS in ap-northeast-2 does not implement")
    # moto's server: an HTML page with HTTP 500 for GetAWSDefaultServiceQuota
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    page = client_error("500", 500, "<!DOCTYPE HTML><title>500 Internal Server Error</title>",
                        "GetAWSDefaultServiceQuota")  # fmt: skip
    value, reason = quotas.read_quota(FakeServiceQuotas(no_such, page), quotas.VCPUS, REGION)
    assert value is None and reason.startswith(
        "the endpoint http://localhost:4566 (AWS_ENDPOINT_URL) failed GetAWSDefaultServiceQuota "
        "with HTTP 500, as moto does for a call it does not implement")


@pytest.mark.parametrize("code, status", [
    ("AccessDeniedException", 400), ("TooManyRequestsException", 400), ("ThrottlingException", 503),
    ("UnrecognizedClientException", 400), ("ExpiredTokenException", 400),
    ("IllegalArgumentException", 400),
])  # fmt: skip
def test_what_the_user_must_fix_is_raised_not_left_unchecked(code, status, monkeypatch):
    """Access denied, throttling (after botocore's retries) and credentials stay one line, exit
    2 (:mod:`aws_errors`): a quota is not called unchecked for them."""
    from botocore.exceptions import ClientError

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(ClientError):
        quotas.read_quota(FakeServiceQuotas(client_error(code, status)), quotas.EIPS, REGION)
    no_such = client_error("NoSuchResourceException")
    with pytest.raises(ClientError):
        quotas.read_quota(FakeServiceQuotas(no_such, client_error(code, status)), quotas.EIPS)


def moto_as_it_is(monkeypatch):
    """moto_env without the Elastic IP and vCPU quotas this file adds: moto's own answers
    (NoSuchResourceException for ec2's quotas, then HTTP 500 for GetAWSDefaultServiceQuota)."""
    for key in list(APPLIED):
        monkeypatch.delitem(APPLIED, key)


MOTO_500 = (
    "the endpoint {endpoint} (AWS_ENDPOINT_URL) failed GetAWSDefaultServiceQuota with HTTP 500, "
    "as moto does for a call it does not implement or fails on (its log says which); waiting "
    "will not help: use an emulator that implements it, or unset AWS_ENDPOINT_URL to run this "
    "against AWS"
)


def test_week5_quotas_on_the_emulator_shows_what_it_cannot_check(
    moto_env, tmp_path, capsys, monkeypatch
):
    """A trial: `week5 quotas` against `week5 local --keep` stopped with moto's HTTP 500, exit 2.
    Now the Elastic IP and vCPU quotas are "not checked" with the reason, the others and the
    usage are shown, and the exit code is what was checked: 0."""
    moto_as_it_is(monkeypatch)
    reason = MOTO_500.format(endpoint=moto_env["AWS_ENDPOINT_URL"])
    boto3.client("ec2", region_name=REGION).allocate_address(Domain="vpc")
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": with_web_tier(lab_template())})
    argv = ["quotas", "--students", "kim,lee", "Day4Lab1", "--assembly", str(assembly)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line.split() for line in out.splitlines()[3:8]}
    assert rows["VPCs"][-7:] == [
        "vpc/L-F678F1CE", "5", "account", "1", "2", "3", "ok"]
    assert rows["Elastic IPs"][-9:] == ["ec2/L-0263D0A3", "?", "not", "checked", "1", "2", "3",
                                        "not", "checked"]  # fmt: skip
    assert rows[VCPU_LABEL][-9:] == ["ec2/L-1216C47A", "?", "not", "checked", "0", "8", "8",
                                     "not", "checked"]  # fmt: skip
    assert out.endswith(
        "\nNote: Elastic IPs (ec2/L-0263D0A3: 1 in use, the deploy adds 2) and On-Demand vCPUs "
        "(standard families) (ec2/L-1216C47A: 0 in use, the deploy adds 8) not checked: "
        f"{reason}\nWhat was checked fits; 2 quota(s) not checked: compare them in the Service "
        "Quotas console before the class deploys.\n"
    )
    assert main(argv + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_code = {q["quota_code"]: q for q in report["quotas"]}
    assert {k: by_code["L-1216C47A"][k] for k in ("quota", "quota_source", "checked",
            "not_checked_reason", "in_use", "needed", "short_by")} == {
        "quota": None, "quota_source": "not checked", "checked": False,
        "not_checked_reason": reason, "in_use": 0, "needed": 8, "short_by": None}  # fmt: skip
    assert by_code["L-F678F1CE"]["checked"] is True and by_code["L-F678F1CE"]["quota"] == 5
    assert by_code["L-F678F1CE"]["not_checked_reason"] is None
    assert (report["fits"], report["not_checked"]) == (True, ["L-0263D0A3", "L-1216C47A"])


def test_a_checked_quota_that_is_short_still_fails_beside_those_not_checked(
    moto_env, tmp_path, capsys, monkeypatch
):
    moto_as_it_is(monkeypatch)
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)  # as on AWS
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    argv = ["quotas", "--students", CLASS, "Day4Lab1", "--assembly", str(assembly), "--json"]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["fits"] and report["not_checked"] == ["L-0263D0A3", "L-1216C47A"]
    assert [line.split(":")[0] for line in report["fixes"]] == [
        "VPCs", "Internet gateways", "NAT gateways in ap-northeast-2a"]


def test_the_class_deploy_preflight_checks_what_it_can_on_the_emulator(
    moto_env, tmp_path, monkeypatch
):
    """scripts/cdk's check stopped at moto's HTTP 500 and went on with a note; then it
    compared the quotas it could read and refused a class the emulator would have taken (an
    instructor's rehearsal of 6 students stopped there). Now on the emulator a shortfall is a
    note with AWS's numbers and the deploy goes on; the same check on AWS refuses."""
    from week5.cli import preflight as cli_preflight
    from week5.operations import preflight
    from week5.operations.preflight import Plan

    moto_as_it_is(monkeypatch)
    templates = {"Day4Lab1": with_web_tier(lab_template())}
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    plan = Plan("deploy", ["Day4Lab1"], False, "instructor", "the default",
                tuple(CLASS.split(",")), REGION, None)  # fmt: skip
    short = ["  VPCs", "  Internet gateways", "  NAT gateways in ap-northeast-2a"]
    told = []
    assert cli_preflight.check_quotas(plan, tmp_path, [], told.append) == cli_preflight.EXIT_OK
    (noted,) = [line for line in told if line.startswith("note: ") and "would exceed" in line]
    assert noted.startswith("note: 12 students' Day4Lab1 would exceed 3 quota(s)")
    assert "enforces none: going on" in noted
    assert [line.split(":")[0] for line in told if line.startswith("  ")] == short
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)  # as on AWS
    told = []
    assert cli_preflight.check_quotas(plan, tmp_path, [], told.append) == cli_preflight.EXIT_REFUSED
    (refused,) = [line for line in told if line.startswith("refused: ")]
    assert refused.startswith("refused: 12 students' Day4Lab1 would exceed 3 quota(s)")
    assert [line.split(":")[0] for line in told if line.startswith("  ")] == short
    plan = Plan("deploy", ["Day4Lab1"], False, "instructor", "the default", ("kim", "lee"),
                REGION, None)  # fmt: skip
    assert cli_preflight.check_quotas(plan, tmp_path, [], told.append) == cli_preflight.EXIT_OK


def test_access_denied_on_service_quotas_is_one_line_exit_2(
    moto_env, tmp_path, capsys, monkeypatch
):
    """Real AWS: a role without servicequotas:GetServiceQuota. The user's to fix: one line."""
    from moto.core.exceptions import JsonRESTError
    from moto.servicequotas.models import ServiceQuotasBackend

    def denied(self, service_code, quota_code):
        raise JsonRESTError("AccessDeniedException", "User: kim is not authorized to perform "
                            "servicequotas:GetServiceQuota")  # fmt: skip

    monkeypatch.setattr(ServiceQuotasBackend, "get_service_quota", denied)
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    assert main(["quotas", "--students", "kim", "Day4Lab1", "--assembly", str(assembly)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == (
        "week5: AWS refused GetServiceQuota in ap-northeast-2: AccessDeniedException: User: kim "
        "is not authorized to perform servicequotas:GetServiceQuota; these credentials may not "
        "call GetServiceQuota: use a profile whose role allows it (--profile NAME), or ask the "
        "account's administrator to grant it"
    )


def test_the_help_says_what_the_exit_code_means(capsys):
    with pytest.raises(SystemExit):
        main(["quotas", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "0 every quota that was checked fits (a quota Service Quotas cannot report" in out
    assert '"not checked" with the reason, and does not change the code)' in out
    assert "1 a quota that was checked is short" in out


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


def test_what_cannot_be_counted_is_a_note_not_a_silence(moto_env, tmp_path, capsys):
    """An Auto Scaling group whose launch template is not in the template: the table says that
    its vCPUs are not counted (one per student), the JSON too."""
    template = with_web_tier(lab_template())
    template["Resources"]["WebAsg"]["Properties"]["LaunchTemplate"] = {
        "LaunchTemplateId": "lt-0123456789abcdef0", "Version": "1"}  # fmt: skip
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": template})
    assert main(["quotas", "--students", "kim,lee", "Day4Lab1", "--assembly", str(assembly)]) == 0
    out = capsys.readouterr().out
    assert (
        f"\nNote: {VCPU_LABEL}: 2 instance(s) or Auto Scaling group(s) whose instance type or "
        "capacity the templates do not spell out are not counted.\nIt fits." in out
    )
    main(["quotas", "--students", "kim,lee", "Day4Lab1", "--assembly", str(assembly), "--json"])
    (vcpus,) = [q for q in json.loads(capsys.readouterr().out)["quotas"]
                if q["quota_code"] == "L-1216C47A"]  # fmt: skip
    assert (vcpus["needed"], vcpus["uncounted"]) == (0, 2)


def test_a_short_vcpu_quota_says_what_it_could_not_count():
    template = with_web_tier(lab_template())  # 2 x t3.micro: 4 vCPUs a student
    template["Resources"]["Typed"] = {
        "Type": "AWS::EC2::Instance", "Properties": {"InstanceType": {"Ref": "TypeParameter"}}}
    needs, _ = quotas.class_needs({"Day4Lab1": template}, ["kim", "lee", "park"])
    found = {spec.key: (50, "account") for spec in quotas.SPECS}
    found["vcpus"] = (10, "account")
    (line,) = quotas.shortfalls(quotas.compare(needs, found, {}), REGION)
    assert line == (
        f"{VCPU_LABEL}: quota 10 (account), 0 in use, the deploy adds 12: short by 2; raise it "
        "to 12: aws service-quotas request-service-quota-increase --service-code ec2 "
        "--quota-code L-1216C47A --desired-value 12 --region ap-northeast-2 (3 instance(s) or "
        "Auto Scaling group(s) whose instance type or capacity the templates do not spell out "
        "are not counted)"
    )


def test_the_class_deploy_preflight_names_the_quotas_it_could_not_check(
    moto_env, tmp_path, monkeypatch
):
    """Without the note, scripts/cdk went on in silence about the Elastic IP and vCPU quotas an
    emulator cannot report (before: one note that the whole check could not run)."""
    from week5.cli import preflight as cli_preflight
    from week5.operations.preflight import Plan

    moto_as_it_is(monkeypatch)
    templates = {"Day4Lab1": with_web_tier(lab_template())}
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    told = []
    plan = Plan("deploy", ["Day4Lab1"], False, "instructor", "the default", ("kim", "lee"),
                REGION, None)  # fmt: skip
    assert cli_preflight.check_quotas(plan, tmp_path, [], told.append) == cli_preflight.EXIT_OK
    assert told[1:] == [
        "note: Elastic IPs (ec2/L-0263D0A3: 0 in use, the deploy adds 2) and On-Demand vCPUs "
        "(standard families) (ec2/L-1216C47A: 0 in use, the deploy adds 8) not checked: "
        + MOTO_500.format(endpoint=moto_env["AWS_ENDPOINT_URL"])
    ]


def test_no_quota_checked_is_no_verdict_but_one_line(moto_env, tmp_path, capsys, monkeypatch):
    """A hostile trial: a Service Quotas endpoint answering HTTP 500 left every row "not
    checked", and `week5 quotas` said "fits": true, exit 0: success for a check not done."""
    why = "the endpoint failed GetServiceQuota with HTTP 500"
    monkeypatch.setattr(quotas, "read_quota", lambda client, spec, region=None: (None, why))
    assembly = fake_assembly(tmp_path / "out", {"Day4Lab1": lab_template()})
    argv = ["quotas", "--students", "kim,lee", "Day4Lab1", "--assembly", str(assembly)]
    for extra in ([], ["--json"]):
        assert main(argv + extra) == 2
        out, err = capsys.readouterr()
        assert out == ""
        (line,) = err.splitlines()[-1:]
        assert line.startswith("week5: no quota could be checked: ") and line.endswith(why)


def test_a_bad_lab_or_class_is_named_before_aws(monkeypatch, capsys, tmp_path):
    """A hostile trial: with no credentials, `quotas --students kim,lee day4lab1` said "no AWS
    credentials" (the lab id came only once AWS answered), and `--students 2` against a
    different -c students was shown as "--students #1,#2"."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["quotas", "--students", "kim,lee", "day4lab1"]) == 2
    assert "'day4lab1' is not a lab id" in capsys.readouterr().err
    assert main(["quotas", "--students", "2", "Day4Lab1", "-c", "students=kim,lee"]) == 2
    assert "--students 2 and -c 'students=kim,lee'" in capsys.readouterr().err
