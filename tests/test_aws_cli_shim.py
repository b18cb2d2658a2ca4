"""tests/aws_cli_shim.py, the ``aws`` the emulator tests run the labs' lines with, against an
emulator of its own (the one `week5 local` starts, nothing deployed): what it prints and how it
ends, as the AWS CLI's, then every ``aws`` line the project prints (the labs' outputs, the
guides in docs/labs, `week5 local`'s notes) made through it, so a printed line it cannot run
fails here.

A student trial found the printed lines the shim could not run: Day4Lab1's
WatchScalingCommand (``--max-items``, the CLI's paging option, was "no option"), `week5
local`'s ``aws s3 ls s3://BUCKET --recursive`` ("s3 has no operation ls"), ``ec2
run-instances`` without ``--count``; and what it printed otherwise than the CLI: the answer's
ResponseMetadata, an error's prefix twice, a traceback for a line the CLI would refuse.
"""

from __future__ import annotations

import ast
import base64
import glob
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple

import pytest
from aws_cli_server import LOG_ENV, aws_on_path
from lab_outputs import render

from week5.constructs.commands import scaling_activities_command

ROOT = Path(__file__).resolve().parent.parent
SHIM = Path(__file__).resolve().parent / "aws_cli_shim.py"
REGION = "ap-northeast-2"
#: What ``aws s3 ls`` prints before a name: the time (local), then for an object its size.
LS_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


# --- the emulator and the `aws` --------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """`week5 local`'s emulator, empty, and the environment that points ``aws`` at it."""
    from week5.cli.synthesis import tool_env
    from week5.operations import local

    started = local.start_emulator(
        Path(sys.executable).parent, log_parent=tmp_path_factory.mktemp("shim-emulator")
    )
    try:
        yield started, local.emulator_env(tool_env(ROOT), started)
    finally:
        started.stop()


@pytest.fixture(scope="module")
def clients(emulator):
    from week5.operations.local.emulator import clients as emulator_clients

    return emulator_clients(emulator[0].endpoint)


@pytest.fixture
def aws(emulator, tmp_path):
    """``aws(*words)``: the shim run as the emulator tests run it, in a fresh folder."""

    def call(*words: str, env: Dict[str, str] = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(SHIM), *words], env=env or emulator[1], cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    return call


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The failure's stderr, checked to be what a student can read: no traceback, one line
    (after the CLI's leading blank line, where it prints one)."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip("\n").splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def make_group(clients, name: str) -> None:
    """An Auto Scaling group of one instance in a subnet of its own VPC."""
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{REGION}a")[
        "Subnet"
    ]["SubnetId"]
    ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.micro"},
    )
    clients("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=1, MaxSize=4, DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateName": name}, VPCZoneIdentifier=subnet,
    )  # fmt: skip


# --- paging: --max-items, --starting-token, --page-size, --no-paginate --------------------


def test_watch_scaling_command_runs_as_printed(aws, clients):
    """Day4Lab1's and Day4Case's WatchScalingCommand, verbatim: the CLI pages the operation
    and keeps the five latest (moto records no activity: the list is empty)."""
    make_group(clients, "shim-watch")
    line = scaling_activities_command("shim-watch", region=REGION)
    assert "--max-items 5" in line
    done = aws(*shlex.split(line)[1:])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"Activities": []}


def test_max_items_caps_the_answer_and_the_token_goes_on(aws, clients):
    ssm = clients("ssm")
    names = [f"/shim/paging/p{n}" for n in range(5)]
    for name in names:
        ssm.put_parameter(Name=name, Value="v", Type="String")
    path = ["ssm", "get-parameters-by-path", "--path", "/shim/paging"]
    first = aws(*path, "--max-items", "2")
    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)
    assert [p["Name"] for p in answer["Parameters"]] == names[:2]
    assert answer["NextToken"]  # as the CLI prints it, for --starting-token
    rest = aws(*path, "--max-items", "2", "--starting-token", answer["NextToken"],
               "--query", "Parameters[].Name", "--output", "text")  # fmt: skip
    assert rest.stdout.split() == names[2:4]
    every = aws(*path, "--page-size", "1", "--query", "Parameters[].Name", "--output", "text")
    assert every.stdout.split() == names  # every page, one parameter a page
    one_call = aws(*path, "--no-paginate", "--max-results", "1", "--query", "Parameters[].Name",
                   "--output", "text")  # fmt: skip
    assert one_call.stdout.split() == names[:1]


def test_paging_options_only_where_the_operation_pages(aws):
    """describe-target-health has no paginator: the CLI adds no paging option to it."""
    done = aws("elbv2", "describe-target-health", "--target-group-arn", "arn", "--max-items", "5")
    assert done.returncode == 252
    assert one_line_error(done) == "aws: error: Unknown options: --max-items, 5"


# --- aws s3: ls, cp, rm, rb -----------------------------------------------------------------


@pytest.fixture
def bucket(clients):
    s3 = clients("s3")
    name = "week5-shim-listing"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    for key, body in (("top.txt", b"0123456789"), ("a/f.txt", b"abc"), ("a/b/g.txt", b"")):
        s3.put_object(Bucket=name, Key=key, Body=body)
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def ls_rows(stdout: str) -> List[tuple]:
    """``aws s3 ls``'s object rows as (size, name), each checked to be the CLI's columns: the
    time, the size right-aligned in ten, the name."""
    rows = []
    for line in stdout.splitlines():
        if line.lstrip().startswith("PRE "):
            assert line == "PRE".rjust(30) + line[30:], line
            rows.append(("PRE", line[31:]))
            continue
        assert re.fullmatch(LS_TIME + r" [ \d]{10} .+", line), line
        rows.append((int(line[20:30]), line[31:]))
    return rows


def test_s3_ls_lists_buckets_a_folder_and_every_key(aws, clients, bucket):
    s3 = clients("s3")
    buckets = aws("s3", "ls")
    assert buckets.returncode == 0, buckets.stderr
    created = {b["Name"]: b["CreationDate"] for b in s3.list_buckets()["Buckets"]}
    local_time = created[bucket].astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert f"{local_time} {bucket}" in buckets.stdout.splitlines()
    folder = aws("s3", "ls", f"s3://{bucket}")
    assert ls_rows(folder.stdout) == [("PRE", "a/"), (10, "top.txt")]
    modified = s3.head_object(Bucket=bucket, Key="top.txt")["LastModified"]
    assert folder.stdout.splitlines()[1].startswith(
        modified.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    )
    # `week5 local`'s line (week5/cli/local.py), then Day3Case's ArchiveListCommand's shape.
    every = aws("s3", "ls", f"s3://{bucket}", "--recursive")
    assert ls_rows(every.stdout) == [(0, "a/b/g.txt"), (3, "a/f.txt"), (10, "top.txt")]
    under = aws("s3", "ls", "--region", REGION, "--recursive", f"s3://{bucket}/a/")
    assert ls_rows(under.stdout) == [(0, "a/b/g.txt"), (3, "a/f.txt")]
    nothing = aws("s3", "ls", f"s3://{bucket}/none/")
    assert (nothing.returncode, nothing.stdout) == (1, "")  # the CLI's: nothing matched


def test_s3_mb_cp_up_and_down_rm_and_rb_with_force(aws, clients, tmp_path):
    s3 = clients("s3")
    name = "week5-shim-media"
    made = aws("s3", "mb", f"s3://{name}", "--region", REGION)
    assert (made.returncode, made.stdout) == (0, f"make_bucket: {name}\n"), made.stderr
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == REGION
    (tmp_path / "photo.jpg").write_bytes(b"jpeg")
    # Day4Case's MediaUploadCommand's shape.
    up = aws("s3", "cp", "photo.jpg", f"s3://{name}/media/photo.jpg", "--region", REGION)
    assert (up.returncode, up.stdout) == (0, f"upload: photo.jpg to s3://{name}/media/photo.jpg\n")
    assert s3.get_object(Bucket=name, Key="media/photo.jpg")["Body"].read() == b"jpeg"
    down = aws("s3", "cp", f"s3://{name}/media/photo.jpg", "copy.jpg")
    assert down.stdout == f"download: s3://{name}/media/photo.jpg to copy.jpg\n"
    assert (tmp_path / "copy.jpg").read_bytes() == b"jpeg"
    removed = aws("s3", "rm", f"s3://{name}/media/photo.jpg")
    assert removed.stdout == f"delete: s3://{name}/media/photo.jpg\n"
    assert s3.list_objects_v2(Bucket=name).get("Contents", []) == []
    missing = aws("s3", "cp", "none.jpg", f"s3://{name}/none.jpg")
    assert missing.returncode == 255
    assert one_line_error(missing) == "The user-provided path none.jpg does not exist."
    aws("s3", "cp", "photo.jpg", f"s3://{name}/media/")  # a folder: the file's name in it
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]] == ["media/photo.jpg"]
    kept = aws("s3", "rb", f"s3://{name}")
    assert kept.returncode == 1 and "BucketNotEmpty" in one_line_error(kept)
    gone = aws("s3", "rb", f"s3://{name}", "--force")  # the guides' Day2Lab2 line's shape
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.splitlines() == [
        f"delete: s3://{name}/media/photo.jpg", f"remove_bucket: {name}",
    ]  # fmt: skip
    assert name not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_ecr_get_login_password_prints_the_tokens_password(aws, clients):
    """The CLI's own command (CloudMart's instances log in to ECR with it): the password part
    of the registry's token, nothing else."""
    done = aws("ecr", "get-login-password", "--region", REGION)
    assert done.returncode == 0, done.stderr
    (data,) = clients("ecr").get_authorization_token()["authorizationData"]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and done.stdout == f"{password}\n"


# --- ec2 run-instances --count --------------------------------------------------------------


def test_run_instances_takes_count_and_launches_one_without(aws, clients):
    launch = ["ec2", "run-instances", "--image-id", "ami-12345678", "--instance-type",
              "t3.micro", "--query", "Instances[].InstanceId", "--output", "text"]  # fmt: skip
    one = aws(*launch)
    assert one.returncode == 0, one.stderr
    assert len(one.stdout.split()) == 1
    two = aws(*launch, "--count", "2")
    assert len(two.stdout.split()) == 2, two.stderr
    ranged = aws(*launch, "--count", "2:3")
    assert ranged.returncode == 0 and 2 <= len(ranged.stdout.split()) <= 3, ranged.stderr
    clients("ec2").terminate_instances(
        InstanceIds=(one.stdout + two.stdout + ranged.stdout).split()
    )
    refused = aws(*launch, "--min-count", "1")  # the CLI takes --count instead
    assert refused.returncode == 252
    assert one_line_error(refused) == "aws: error: Unknown options: --min-count, 1"


# --- what is printed, and how it ends -------------------------------------------------------


def test_json_output_has_no_response_metadata(aws, clients):
    vpcs = aws("ec2", "describe-vpcs", "--output", "json")
    assert vpcs.returncode == 0, vpcs.stderr
    assert list(json.loads(vpcs.stdout)) == ["Vpcs"]
    clients("ssm").put_parameter(Name="/shim/gone", Value="v", Type="String")
    deleted = aws("ssm", "delete-parameter", "--name", "/shim/gone")
    assert (deleted.returncode, deleted.stdout) == (0, "")  # an empty answer: nothing printed


def test_a_refused_call_says_what_the_cli_says_and_exits_254(aws):
    done = aws("rds", "describe-db-instances", "--db-instance-identifier", "week5-none")
    assert done.returncode == 254
    assert done.stderr == (
        "\nAn error occurred (DBInstanceNotFound) when calling the DescribeDBInstances "
        "operation: DBInstance week5-none not found.\n"
    )


@pytest.mark.parametrize("words, says", [
    (["rds", "describe-db-instances", "--db-instance-id", "d"],
     "Unknown options: --db-instance-id, d"),
    (["rds", "reboot-db-instance", "--db-instance-identifier", "d", "--force-failover", "true"],
     "Unknown options: true"),
    (["rds", "delete-db-snapshot"], "the following arguments are required: "
     "--db-snapshot-identifier"),
    (["elasticache", "failover", "--replication-group-id", "g"],
     r"argument operation: Invalid choice: 'failover' \(elasticache\)"),
    (["rdss", "describe-db-instances"], "argument command: Invalid choice: 'rdss'"),
    (["ec2", "describe-snapshots", "--filters", "Name=volume-id,Values=[v"],
     "Error parsing parameter '--filters': .*"),
    (["ec2", "run-instances", "--image-id", "ami-1", "--count", "two"],
     "argument --count: invalid int value: 'two'"),
    (["s3", "ls", "s3://b", "--recursiv"], "Unknown options: --recursiv"),
    (["s3", "sync", ".", "s3://b"], r"argument subcommand: Invalid choice: \['sync'\] \(s3\)"),
])  # fmt: skip
def test_a_line_the_cli_refuses_is_one_line_and_exit_252(aws, words, says):
    done = aws(*words)
    assert done.returncode == 252, done.stderr
    assert re.fullmatch(f"aws: error: {says}", one_line_error(done))


def test_what_the_shim_cannot_make_is_one_line_never_a_traceback(aws, emulator):
    table = aws("ec2", "describe-vpcs", "--output", "table")
    assert table.returncode == 255
    assert one_line_error(table) == (
        "aws (tests/aws_cli_shim.py): --output table is not made by tests/aws_cli_shim.py"
    )
    no_region = {k: v for k, v in emulator[1].items() if k not in ("AWS_DEFAULT_REGION",
                                                                 "AWS_REGION")}  # fmt: skip
    unset = aws("ec2", "describe-vpcs", env={**no_region, "AWS_CONFIG_FILE": os.devnull})
    assert unset.returncode == 253
    assert one_line_error(unset).startswith("You must specify a region.")
    waited = aws("rds", "wait", "db-snapshot-available", "--db-snapshot-identifier", "none")
    assert waited.returncode == 255
    assert one_line_error(waited).startswith("Waiter DBSnapshotAvailable failed: ")


# --- every printed line, through the shim ---------------------------------------------------

#: A printed ``aws`` line in backquotes (the guides, `week5 local`'s notes).
QUOTED = re.compile(r"`(aws [^`]+)`")


def _source_strings(path: Path):
    """Every string in a Python file, implicit concatenations joined, an f-string's fields
    as ``{}``."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def printed_lines() -> Dict[str, str]:
    """Every ``aws`` line the project prints -> where: the labs' outputs (their snapshot
    templates, as `cdk deploy` prints them), docs/labs, `week5 local`'s notes."""
    found: Dict[str, str] = {}
    for path in sorted(glob.glob(str(ROOT / "tests/__snapshots__/*/test_snapshot.json"))):
        lab = Path(path).parent.name
        for key, output in json.loads(Path(path).read_text()).get("Outputs", {}).items():
            line = render(output["Value"])
            if "aws " in line and not key.endswith("PowerShell"):
                found.setdefault(line, f"{lab}:{key}")
    for path in sorted((ROOT / "docs/labs").glob("*.md")):
        for match in QUOTED.finditer(path.read_text()):
            found.setdefault(match.group(1), f"docs/labs/{path.name}")
    local_notes = ROOT / "week5/cli/local.py"
    for text in _source_strings(local_notes):
        for match in QUOTED.finditer(text):
            found.setdefault(match.group(1), "week5/cli/local.py")
    return found


SESSION = (
    "Session Manager: the CLI hands the session to session-manager-plugin, and the emulator "
    "answers StartSession with HTTP 500 (week5/cli/local.py)"
)
#: Printed lines the shim does not run, and why (each still printed: a test checks it).
NOT_RUN = {
    "aws s3control get-public-access-block --account-id <계정>":
        "s3control puts the account id in the host name: the emulator is not reached",
    "aws s3control": "a mention in week5/cli/local.py's note, no operation",
    "aws ssm send-command": "a mention in week5/cli/local.py's note, no options",
    "aws rds reboot-db-instance --force-failover":
        "a mention in docs/labs/Day2Case.md, the instance is the output's",
    "aws rds restore-db-instance-to-point-in-time --use-latest-restorable-time":
        "a mention in docs/labs/Day5Challenge.md of what a restore would take",
    "aws secretsmanager get-secret-value ... --query SecretString --output text":
        "docs/labs/Day2Case.md's shortening of DbCredentialsCommand, which is run",
}  # fmt: skip
#: Kinds of printed line the shim does not run, by a part of the line, and why.
NOT_RUN_WHEN = {
    "ssm start-session": SESSION,
    "--output table": "the shim prints no table (the CLI's --output table); the line's call "
    "and query are made in-process by tests/test_day2_lab1.py (run_on_moto)",
}


def not_run(line: str) -> str:
    """Why the shim does not run ``line``; "" when it does."""
    return NOT_RUN.get(line) or next(
        (why for part, why in NOT_RUN_WHEN.items() if part in line), ""
    )


#: What a filled line names: the group, the bucket, the instance, the stack... The group and
#: the bucket are there (:func:`world`), each other name the emulator refuses (254).
PLACE = "week5-shim-x"
#: A command id as Run Command makes them (36 characters: the model's minimum).
COMMAND_ID = "0b6e6a4a-3f0d-4a43-9d1c-3c9f1d1e2f3a"


#: The guide's ``off.json`` (docs/labs/Day2Lab2.md): a distribution's DistributionConfig with
#: ``"Enabled": false``, for ``update-distribution --distribution-config file://off.json``.
OFF = {
    "CallerReference": "week5-shim", "Comment": "", "Enabled": False,
    "Origins": {"Quantity": 1, "Items": [{
        "Id": "site", "DomainName": "example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
        },
    }]},
    "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all"},
}  # fmt: skip


def filled(line: str) -> str:
    """The line with a value where the guide or the output leaves one to the student."""
    line = line.replace(",...]", "]")  # a tag list the guide cuts short
    line = re.sub(r"\b(i|eipalloc|nat|ami|snap|vol)-\.\.\.", r"\1-0123456789abcdef0", line)
    line = re.sub(r"(--[a-z-]+) \.\.\.", r"\1 E2EXAMPLE", line)
    line = re.sub(r"<[^<>]+>", PLACE, line)
    line = line.replace("--command-id ID", f"--command-id {COMMAND_ID}")
    line = line.replace("--instance-id ID", "--instance-id i-0123456789abcdef0")
    line = re.sub(r"\b(GROUP|STACK)\b", PLACE, line)
    return line.replace("{bucket}", PLACE).replace("{}", PLACE)


PRINTED = printed_lines()
RUN = {line: where for line, where in PRINTED.items() if not not_run(line)}


class Ran(NamedTuple):
    done: subprocess.CompletedProcess
    #: Each ``aws`` call the line made: its words, its exit code, its stderr.
    calls: List[tuple]


@pytest.fixture(scope="module")
def line_runner(emulator, tmp_path_factory):
    """``line_runner(text)``: the line run by bash with ``aws`` the shim (one server process for
    the module: tests/aws_cli_server.py; each call logged), ``curl`` answering nothing and
    ``sleep`` ending the shell (a watch loop runs once)."""
    folder = tmp_path_factory.mktemp("printed-lines")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    (bin_dir / "curl").write_text("#!/bin/bash\n")
    (bin_dir / "sleep").write_text("#!/bin/bash\nkill -TERM $PPID\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    runs = iter(range(10**6))
    with aws_on_path(folder, emulator[1]) as env:

        def run(line: str) -> Ran:
            log = folder / f"calls-{next(runs)}.log"
            cwd = folder / log.stem
            cwd.mkdir()
            (cwd / "photo.jpg").write_bytes(b"jpeg")  # Day4Case's MediaUploadCommand uploads it
            (cwd / "off.json").write_text(json.dumps(OFF))  # the guide's disabled distribution
            done = subprocess.run(
                ["bash", "-c", line], env={**env, LOG_ENV: str(log)}, cwd=cwd,
                capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            calls = (
                [json.loads(row) for row in log.read_text().splitlines()] if log.exists() else []
            )
            return Ran(done, calls)

        yield run


@pytest.fixture(scope="module")
def group(clients):
    """The Auto Scaling group the filled lines name (a kill, a scale, a watch)."""
    make_group(clients, PLACE)
    return PLACE


@pytest.fixture
def world(clients, group):
    """What the filled lines act on, as a student has it: the group (one instance at least),
    the bucket (a line may have removed it: ``s3 rb --force``)."""
    scaling = clients("autoscaling")
    scaling.update_auto_scaling_group(AutoScalingGroupName=group, MinSize=1, DesiredCapacity=1)
    s3 = clients("s3")
    if PLACE not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=PLACE, CreateBucketConfiguration={"LocationConstraint": REGION})
    # Day3Case's ArchiveListCommand lists transfers/ (a prefix with nothing: the CLI's exit 1)
    s3.put_object(Bucket=PLACE, Key="transfers/week5-shim.csv", Body=b"id\n")


@pytest.mark.parametrize("line", sorted(RUN), ids=lambda line: RUN[line])
def test_every_printed_aws_line_runs_through_the_shim(line_runner, world, line):
    """Each call the line makes is taken as the CLI takes it and made: it answers (exit 0), or
    the empty emulator refuses it (254: no such resource), or a waiter gives up (255, the
    CLI's "Waiter ... failed"). Never the CLI's refusal of the line (252) or the shim's own."""
    ran = line_runner(filled(line))
    assert "Traceback" not in ran.done.stderr, ran.done.stderr
    assert ran.calls, f"no aws call made: {ran.done.stderr}"
    for words, code, stderr in ran.calls:
        waiter_gave_up = code == 255 and stderr.startswith("\nWaiter ")
        assert code in (0, 254) or waiter_gave_up, (words, code, stderr)


def test_the_lines_not_run_are_printed_and_the_rest_are_run():
    """Each exception above names a line still printed (a stale one fails), and the lines run
    cover the trial's: WatchScalingCommand and `week5 local`'s ``s3 ls``."""
    assert set(NOT_RUN) <= set(PRINTED), set(NOT_RUN) - set(PRINTED)
    for part in NOT_RUN_WHEN:
        assert any(part in line for line in PRINTED), part
    shapes = {" ".join(shlex.split(filled(line))[:3]) for line in RUN}
    assert {"aws autoscaling describe-scaling-activities", "aws s3 ls", "aws s3 cp",
            "aws s3 rb"} <= shapes  # fmt: skip
    assert "week5/cli/local.py" in RUN.values()
