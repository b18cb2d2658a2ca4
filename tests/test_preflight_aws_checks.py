"""The launchers' two checks against AWS before synthesis (`week5 preflight`).

1. Without any AWS credentials, `scripts/cdk deploy Day1Lab1` (and diff, destroy) printed "note:
   could not check the account ... going on", synthesized for about 8 s, then failed with the
   CDK CLI's "Unable to resolve AWS account to use", exit 1 (destroy printed "destroying...
   [1/1]" first). Now: one line with the fix, exit 2, before the CDK CLI.
2. `-c key_name=<name>` was never checked: a typo failed the instance minutes into
   CloudFormation without naming the context key. Now a deploy asks EC2 for the key pair in its
   region first.

Every test points HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at its own folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
from botocore import exceptions as bx
from test_preflight import bad_input, fake_project, launch, project
from test_quotas import moto_env  # noqa: F401  (the fixture)

from week5.cli import preflight as preflight_cli
from week5.operations import aws_errors, preflight
from week5.operations.local.emulator import Emulator, emulator_env

WRAPPERS = ["cdk", "cdk.py"]
NO_CREDENTIALS_FIX = (
    "no AWS credentials were found; run `aws configure --profile week5` (access keys) or `aws sso "
    "login --profile week5` (IAM Identity Center), then pass --profile week5 or set "
    "AWS_PROFILE=week5"
)


def bare_env(tmp_path: Path, **extra: str) -> dict:
    """No AWS variable, no config or credentials file, no instance metadata: botocore finds no
    credentials at all (a student's laptop before `aws configure`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("WEEK5_PREFLIGHT", None)
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "no-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
               AWS_EC2_METADATA_DISABLED="true", **extra)  # fmt: skip
    return env


def in_process(cdk_args, env, root: Path, monkeypatch):
    """`week5 preflight` run as the launchers run it, in this process with exactly ``env`` in
    the project ``root``: (its exit code, the lines it said)."""
    for key in list(os.environ):
        if key.startswith("AWS_") or key in ("WEEK5_PREFLIGHT", "HOME"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    told = []
    return preflight_cli.check(list(cdk_args), told.append), told


# --- 1. no credentials at all -------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args", [["deploy", "Day1Lab1"], ["diff", "Day1Lab1"], ["destroy", "Day1Lab1", "--force"]],
    ids=["deploy", "diff", "destroy"],
)  # fmt: skip
def test_no_credentials_stops_deploy_diff_and_destroy_before_the_cli(wrapper, args, tmp_path,
                                                                      monkeypatch):  # fmt: skip
    """deploy through each wrapper, diff and destroy in process (test_preflight.launch)."""
    end_to_end = args[0] == "deploy"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, args, bare_env(tmp_path), monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: cdk {args[0]} needs AWS credentials to resolve the account, and "
        f"{NO_CREDENTIALS_FIX}; nothing was run"
    ]


def test_a_profile_without_keys_is_named_with_its_fix(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile empty]\nregion = ap-northeast-2\n")
    env = {**bare_env(tmp_path), "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "empty"}
    with pytest.raises(aws_errors.AwsInputError) as raised:
        in_process(["deploy", "Day1Lab1"], env, project(tmp_path), monkeypatch)
    assert str(raised.value) == (
        "cdk deploy needs AWS credentials to resolve the account, and AWS profile 'empty' has no "
        "credentials; run `aws configure --profile empty` (access keys) or `aws sso login "
        "--profile empty` (IAM Identity Center)"
    )


def test_an_endpoint_without_keys_is_told_what_the_emulator_takes(tmp_path, monkeypatch):
    """In process: the wrappers' exit 2 for no credentials is the test above's."""
    root = fake_project(tmp_path)
    env = bare_env(tmp_path, AWS_ENDPOINT_URL="http://localhost:4566")
    code, stderr, calls = launch(root, "cdk", ["deploy", "Day1Lab1"], env, monkeypatch,
                                 end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False), stderr
    (line,) = stderr.splitlines()
    assert line.endswith(
        f"{NO_CREDENTIALS_FIX}; for the emulator at AWS_ENDPOINT_URL any keys do: export "
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing (as `week5 local --keep` "
        "prints); nothing was run"
    ), line


def test_the_emulators_environment_has_credentials_and_goes_on(tmp_path, moto_env,  # noqa: F811
                                                               monkeypatch):  # fmt: skip
    """`week5 local`'s environment (emulator_env: the keys `testing`, AWS_ENDPOINT_URL) passes:
    the deploy runs. In process: preflight's 0 is the wrappers' "run cdk" (with the arguments
    and `--context labs=`: test_preflight's test_the_name_week5_init_set_is_the_one_destroyed)."""
    root = fake_project(tmp_path)
    port = int(moto_env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    env = emulator_env(bare_env(tmp_path), Emulator(port, None, tmp_path / "log"))
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_ENDPOINT_URL"]) == (
        "testing", moto_env["AWS_ENDPOINT_URL"]
    )  # fmt: skip
    env.update(AWS_CONFIG_FILE=str(tmp_path / "no-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"))  # fmt: skip
    code, stderr, _ = launch(root, "cdk", ["deploy", "Day1Lab1"], env, monkeypatch,
                             end_to_end=False)  # fmt: skip
    assert code == 0, stderr
    assert "credentials" not in stderr


@pytest.mark.parametrize("args", [["synth", "Day1Lab1"], ["ls"]])
def test_commands_that_need_no_aws_need_no_credentials(args, tmp_path, monkeypatch):
    """synth through scripts/cdk (cdk runs once), ls in process (preflight's 0)."""
    end_to_end = args[0] == "synth"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, "cdk", args, bare_env(tmp_path), monkeypatch, end_to_end)
    assert code == 0, stderr
    assert len(calls) == 1 if end_to_end else calls is None
    assert "credentials" not in stderr


@pytest.mark.parametrize(
    "args, settings",
    [
        (["deploy", "Day1Lab1", "--plugin", "cdk-assume-role-credential-plugin"], {}),
        (["deploy", "Day1Lab1", "-p", "my-plugin"], {}),
        (["deploy", "Day1Lab1"], {"plugin": ["cdk-assume-role-credential-plugin"]}),
    ],
    ids=["--plugin", "-p", "cdk.json"],
)
def test_a_cdk_cli_plugin_may_bring_credentials_so_none_is_not_judged(args, settings, tmp_path,
                                                                      monkeypatch):  # fmt: skip
    root = project(tmp_path)
    cdk_json = json.loads((root / "cdk.json").read_text())
    (root / "cdk.json").write_text(json.dumps({**cdk_json, **settings}))
    # Not refused as bad input: the stack check then fails as before, a note (run() says it).
    with pytest.raises(aws_errors.AwsError) as raised:
        in_process(args, bare_env(tmp_path), root, monkeypatch)
    assert not isinstance(raised.value, aws_errors.AwsInputError)
    assert str(raised.value).startswith("no AWS credentials were found")


def test_the_plugin_settings_are_read_where_the_cdk_cli_reads_them(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    root = project(tmp_path / "home")
    assert not preflight.uses_credential_plugin(["deploy", "Day1Lab1"], root)
    assert preflight.uses_credential_plugin(["deploy", "--plugin=x"], root)
    (tmp_path / "home" / ".cdk.json").write_text(json.dumps({"plugin": ["x"]}))
    assert preflight.uses_credential_plugin(["deploy", "Day1Lab1"], root)


def test_a_plugin_lets_the_deploy_go_on_with_the_note(tmp_path, monkeypatch):
    """In process: preflight's 0 is the wrappers' "run cdk" with the arguments as given
    (test_preflight's test_the_name_week5_init_set_is_the_one_destroyed runs both)."""
    root = fake_project(tmp_path)
    args = ["deploy", "Day1Lab1", "--plugin", "cdk-assume-role-credential-plugin"]
    code, stderr, _ = launch(root, "cdk", args, bare_env(tmp_path), monkeypatch, end_to_end=False)
    assert code == 0, stderr
    assert stderr.startswith(
        "scripts/cdk: note: could not check the account before deploy (no AWS credentials"
    )


def test_week5_preflight_0_skips_the_credentials_check(tmp_path, monkeypatch):
    env = bare_env(tmp_path, WEEK5_PREFLIGHT="0")
    code, told = in_process(["deploy", "Day1Lab1"], env, project(tmp_path), monkeypatch)
    assert (code, told) == (preflight_cli.EXIT_OK, [])


# --- 2. -c key_name ------------------------------------------------------------------------------


def key_pair(name: str, region: str = "ap-northeast-2") -> None:
    boto3.client("ec2", region_name=region).create_key_pair(KeyName=name)


def moto_wrapper_env(moto_env, tmp_path):  # noqa: F811
    env = {k: v for k, v in moto_env.items() if not k.startswith("AWS_") or k in (
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}  # fmt: skip
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "no-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"))  # fmt: skip
    return env


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_key_name_with_no_key_pair_stops_the_deploy(wrapper, tmp_path, moto_env,  # noqa: F811
                                                       monkeypatch):  # fmt: skip
    """Through each wrapper (the key pair checks below run in process)."""
    key_pair("week5-key")
    root = fake_project(tmp_path)
    args = ["deploy", "Day1Lab1", "-c", "key_name=week5-kye"]
    code, stderr, calls = launch(root, wrapper, args, moto_wrapper_env(moto_env, tmp_path),
                                 monkeypatch, end_to_end=True)  # fmt: skip
    assert (code, calls) == bad_input(True), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: context 'key_name'='week5-kye': no key pair named week5-kye in "
        "ap-northeast-2; create it (aws ec2 create-key-pair --key-name week5-kye --region "
        "ap-northeast-2 --query KeyMaterial --output text > week5-kye.pem) or fix the name "
        "(`aws ec2 describe-key-pairs --region ap-northeast-2` lists them)"
    ]


def test_the_key_pair_is_looked_up_in_the_deploys_region(tmp_path, moto_env,  # noqa: F811
                                                          monkeypatch):  # fmt: skip
    """A key pair is a region's: Seoul's does not serve a deploy to us-east-1 (-c region).
    In process (test_preflight.launch)."""
    key_pair("week5-key")
    root = fake_project(tmp_path)
    env = moto_wrapper_env(moto_env, tmp_path)
    args = ["deploy", "Day1Lab1", "-c", "key_name=week5-key", "-c", "region=us-east-1",
            "-c", "azs=us-east-1a,us-east-1b"]
    code, stderr, calls = launch(root, "cdk", args, env, monkeypatch, end_to_end=False)
    assert (code, calls) == bad_input(False), stderr
    assert "no key pair named week5-key in us-east-1; " in stderr
    args = ["deploy", "Day1Lab1", "-c", "key_name=week5-key"]
    code, stderr, _ = launch(root, "cdk", args, env, monkeypatch, end_to_end=False)
    assert code == 0, stderr
    assert stderr == ""


def test_a_key_name_from_a_context_file_is_checked_too(tmp_path, moto_env,  # noqa: F811
                                                       monkeypatch):  # fmt: skip
    root = fake_project(tmp_path, cdk_context={"student": "kim", "key_name": "gone"})
    code, stderr, calls = launch(root, "cdk", ["deploy", "--all"],
                                 moto_wrapper_env(moto_env, tmp_path), monkeypatch,
                                 end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False), stderr
    assert stderr.startswith(
        "scripts/cdk: context 'key_name'='gone': no key pair named gone in ap-northeast-2; "
    )


@pytest.mark.parametrize("args", [["deploy"], ["deploy", "Day1Lab1-*", "-c", "students=kim,lee"]],
                         ids=["no-lab", "class"])
def test_a_deploy_that_names_no_lab_checks_the_key_pair_too(args, tmp_path, moto_env,  # noqa: F811
                                                            monkeypatch):  # fmt: skip
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, "cdk", [*args, "-c", "key_name=gone"],
                                 moto_wrapper_env(moto_env, tmp_path), monkeypatch,
                                 end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False), stderr  # class mode: before the quotas
    assert stderr.startswith(
        "scripts/cdk: context 'key_name'='gone': no key pair named gone in ap-northeast-2; "
    )


def test_a_lab_whose_hosts_take_no_key_pair_is_not_stopped_by_one(tmp_path, moto_env,  # noqa: F811
                                                                   monkeypatch):  # fmt: skip
    """key_name left in cdk.context.json from Day 1 does not stop Day 4's deploy, which never
    reads it (settings.LABS_READING). In process: preflight's 0 is the wrappers' "run cdk"."""
    root = fake_project(tmp_path, cdk_context={"student": "kim", "key_name": "gone"})
    code, stderr, _ = launch(root, "cdk", ["deploy", "Day4Lab1"],
                             moto_wrapper_env(moto_env, tmp_path), monkeypatch,
                             end_to_end=False)  # fmt: skip
    assert code == 0, stderr


def test_a_restore_snapshot_id_with_no_snapshot_stops_day2_lab1s_deploy(tmp_path, moto_env,  # noqa: F811
                                                                         monkeypatch):  # fmt: skip
    """A re-trial: a well-formed but missing snap- id reached CloudFormation, which failed the
    volume at deploy (InvalidSnapshot.NotFound), without naming the context key. The refusal
    through scripts/cdk, the deploys that go on in process (preflight's 0: "run cdk")."""
    ec2 = boto3.client("ec2", region_name="ap-northeast-2")
    volume = ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=1)["VolumeId"]
    mine = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    root = fake_project(tmp_path)
    env = moto_wrapper_env(moto_env, tmp_path)
    gone = "snap-0123456789abcdef0"
    args = ["deploy", "Day2Lab1", "-c", f"restore_snapshot_id={gone}"]
    code, stderr, calls = launch(root, "cdk", args, env, monkeypatch, end_to_end=True)
    assert (code, calls) == bad_input(True), stderr
    assert stderr.splitlines() == [
        f"scripts/cdk: context 'restore_snapshot_id'='{gone}': no snapshot {gone} in "
        "ap-northeast-2 that this account can read; `aws ec2 describe-snapshots --owner-ids self "
        "--region ap-northeast-2` lists yours, or leave the key out for a new empty volume"
    ]
    args = ["deploy", "Day2Lab1", "-c", f"restore_snapshot_id={mine}"]
    code, stderr, _ = launch(root, "cdk", args, env, monkeypatch, end_to_end=False)
    assert code == 0, stderr
    # a lab that does not read it is not stopped by it
    code, stderr, _ = launch(root, "cdk", ["deploy", "Day4Lab1", "-c",
                                           f"restore_snapshot_id={gone}"], env, monkeypatch,
                             end_to_end=False)  # fmt: skip
    assert code == 0, stderr


@pytest.mark.parametrize("command", ["diff", "destroy"])
def test_only_deploy_checks_the_key_pair(command, tmp_path, moto_env, monkeypatch):  # noqa: F811
    """In process: preflight's 0 is the wrappers' "run cdk"."""
    root = fake_project(tmp_path, cdk_context={"student": "kim"})
    boto3.client("cloudformation", region_name="ap-northeast-2").create_stack(
        StackName="week5-kim-Day1Lab1", TemplateBody=json.dumps(
            {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    )  # fmt: skip
    args = [command, "Day1Lab1", "-c", "key_name=gone", "--force"]
    code, stderr, _ = launch(root, "cdk", args, moto_wrapper_env(moto_env, tmp_path), monkeypatch,
                             end_to_end=False)  # fmt: skip
    assert code == 0, stderr
    assert "key pair" not in stderr


@pytest.mark.parametrize("code", ["UnauthorizedOperation"], ids=["denied"])  # throttled: a
# stop since session 18 (tests/test_launcher_attached_context.py)
def test_a_key_pair_check_that_cannot_answer_is_a_note(code, tmp_path, monkeypatch):
    class Ec2:
        def describe_key_pairs(self, **_):
            raise bx.ClientError({"Error": {"Code": code, "Message": "no"}}, "DescribeKeyPairs")

    monkeypatch.setattr(aws_errors, "clients", lambda *_: lambda service: Ec2())
    root = project(tmp_path)
    told = []
    code_ = preflight_cli.check_named_resources(
        ["deploy", "Day1Lab1", "-c", "key_name=k"], root, ["Day1Lab1"], "ap-northeast-2", None,
        told.append,
    )
    assert code_ == preflight_cli.EXIT_OK
    (line,) = told
    assert line.startswith("note: could not check key pair 'k' before deploy (") and code in line
    assert line.endswith("; going on")


def test_a_key_pair_check_without_key_name_asks_nothing(tmp_path, monkeypatch):
    def no_call(*_):
        raise AssertionError("asked AWS")

    monkeypatch.setattr(aws_errors, "clients", no_call)
    told = []
    assert preflight_cli.check_named_resources(
        ["deploy", "Day1Lab1"], project(tmp_path), ["Day1Lab1"], "ap-northeast-2", None,
        told.append,
    ) == preflight_cli.EXIT_OK
    assert told == []
