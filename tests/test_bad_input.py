"""Every input the project takes, with bad values: context, command-line arguments, compose
files and file paths. Each bad value stops with one line that names the input and the fix,
before anything is deployed (or synthesized), and leaves nothing half-written on disk."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from support import ROOT, error_lines, make_app

from stacks.catalog import CATALOG
from week5.analysis.pricing import PRICES_FILE
from week5.assets import COMPOSE_DIR
from week5.cli import main
from week5.constructs.host import DockerHost
from week5.constructs.static_site import StaticSite
from week5.core.errors import CourseInputError
from week5.synth.app_builder import build_labs

#: A fix reads as an instruction or an example.
FIX_WORDS = (
    "-c ",
    "e.g.",
    "pass ",
    "use ",
    "valid labs",
    "did you mean",
    "leave ",
    "pick ",
    "choose ",
)

# (context key, bad value, labs to build, what the message must name)
CONTEXT_CASES = [
    ("student", "Kim Minsu", None, "'student'"),
    ("student", "1kim", None, "'student'"),
    ("student", "k" * 21, None, "'student'"),
    ("student", 42, None, "'student'"),
    ("student", "", None, "'student'"),
    ("ssh_cidr", "0.0.0.0/0", None, "'ssh_cidr'"),
    ("ssh_cidr", "::/0", None, "'ssh_cidr'"),
    ("ssh_cidr", "203.0.113.7/16", None, "'ssh_cidr'"),
    ("ssh_cidr", "my-ip", None, "'ssh_cidr'"),
    ("ssh_cidr", "2001:db8::/64", None, "'ssh_cidr'"),
    ("azs", "ap-northeast-2a", None, "'azs'"),
    ("azs", "ap-northeast-2a,ap-northeast-2a", None, "'azs'"),
    ("azs", "us-east-1a,us-east-1b", None, "'azs'"),
    ("azs", "zone-a,zone-b", None, "'azs'"),
    ("region", "Seoul", None, "'region'"),
    ("key_name", "키페어", None, "'key_name'"),
    ("labs", "Day9Lab1", None, "'Day9Lab1'"),
    ("labs", "day1lab1", None, "'day1lab1'"),
    ("labs", ",", None, "labs"),
    ("restore_snapshot_id", "snap-123", "Day2Lab1", "'restore_snapshot_id'"),
    ("students", "kim,Lee", None, "'students'"),
    ("students", "kim,kim", None, "'students'"),
    ("students", ",".join(f"s{i}" for i in range(31)), None, "'students'"),
    ("alarm_email", "kim@", "Day5Lab1", "alarm_email"),
    ("cloudmart_backend_image", "My Image!", "Day5Lab1", "backend_image"),
    ("cloudmart_backend_port", "http", "Day5Lab1", "cloudmart_backend_port"),
    ("cloudmart_backend_port", "70000", "Day5Challenge", "cloudmart_backend_port"),
    ("cloudmart_frontend_dir", "/nonexistent/dist", "Day5Lab1", "cloudmart_frontend_dir"),
]


def assert_one_clear_line(message: str, names: str) -> None:
    assert "\n" not in message.strip(), message
    assert names in message, message
    assert any(word in message for word in FIX_WORDS), f"no fix in: {message}"
    assert "Traceback" not in message


def files_under(folder: Path) -> list:
    return sorted(p for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize(
    "key, value, labs, names",
    CONTEXT_CASES,
    ids=[f"{key}={value!r}"[:40] for key, value, _, _ in CONTEXT_CASES],
)
def test_bad_context_stops_before_synthesis(tmp_path, key, value, labs, names):
    outdir = tmp_path / "cdk.out"
    context = {key: value}
    if labs:
        context["labs"] = labs
    cdk_app = make_app(outdir, **context)
    with pytest.raises(CourseInputError) as error:
        build_labs(cdk_app, CATALOG)
    assert_one_clear_line(str(error.value), names)
    assert files_under(outdir) == []  # nothing synthesized, nothing written


# The instructor's app (instructor_app.py): (context, what the message must name)
INSTRUCTOR_CASES = [
    ({}, "nothing to build"),
    ({"instructor_account": "1234"}, "'instructor_account'"),
    ({"instructor_account": "111122223333", "external_id": "x"}, "'external_id'"),
    ({"budget_email": "instructor"}, "'budget_email'"),
    ({"budget_topic_arn": "arn:aws:sqs:x"}, "'budget_topic_arn'"),
    ({"budget_email": "a@b.co", "budget_students": "Kim"}, "'budget_students'"),
]


@pytest.mark.parametrize(
    "context, names", INSTRUCTOR_CASES, ids=[str(c)[:40] for c, _ in INSTRUCTOR_CASES]
)
def test_bad_instructor_context_stops_before_synthesis(tmp_path, context, names):
    from instructor_app import build

    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build(make_app(outdir, **context))
    assert_one_clear_line(str(error.value), names)
    assert files_under(outdir) == []


#: The one line printed (after "week5: ") for each, as the README's bad-input table shows it.
#: ``\d`` and ``\w`` match any script's digits and letters, and ``$`` matches before a final
#: newline: these rows hold what slipped through them.
SSH_FIX = "pass your own IP as -c ssh_cidr=203.0.113.7/32 (curl -s https://checkip.amazonaws.com)"
SSH_WIDTH = (
    "the course admits SSH from your IP only (FAQ Q9), at most a /29 (8 addresses, e.g. a "
    f"classroom's NAT range); {SSH_FIX}"
)
SPACES = "has spaces or a line break around it; pass the value alone, e.g."
REGION_FIX = (
    "pass one such as -c region=ap-northeast-2, or leave it out for the course's ap-northeast-2"
)
#: The student-name rule as the context's lines state it.
STUDENT_RULE = (
    "a lowercase letter first, then lowercase letters, digits or '-' (no '--', no '-' at the "
    "end), at most 20 characters (Latin letters: write a Korean name as it is romanized)"
)
CONTEXT_LINES = [
    ("ssh_cidr", "198.51.100.0/24", f"context 'ssh_cidr'='198.51.100.0/24' admits 256 addresses; {SSH_WIDTH}"),
    ("ssh_cidr", "203.0.113.7/1", f"context 'ssh_cidr'='203.0.113.7/1' admits 2,147,483,648 addresses; {SSH_WIDTH}"),
    ("ssh_cidr", "224.0.0.5", f"context 'ssh_cidr'='224.0.0.5' is a multicast address, which no SSH client connects from; {SSH_FIX}"),
    ("ssh_cidr", "127.0.0.1", f"context 'ssh_cidr'='127.0.0.1' is a loopback address, which no SSH client connects from; {SSH_FIX}"),
    ("ssh_cidr", "0.0.0.0", f"context 'ssh_cidr'='0.0.0.0' is the unspecified address, which no SSH client connects from; {SSH_FIX}"),
    ("ssh_cidr", "169.254.169.254", f"context 'ssh_cidr'='169.254.169.254' is a link-local address, which no SSH client connects from; {SSH_FIX}"),
    ("ssh_cidr", "203.0.113.7/32\n", f"context 'ssh_cidr'='203.0.113.7/32\\n' {SPACES} -c ssh_cidr=203.0.113.7/32"),
    ("azs", "ap-northeast-2a,ap-northeast-2e", "context 'azs' has 'ap-northeast-2e', which the region ap-northeast-2 does not have (its zones are ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d); use -c azs=ap-northeast-2a,ap-northeast-2c"),
    ("azs", "ap-northeast-2a,ap-northeast-2c\n", f"context 'azs'='ap-northeast-2a,ap-northeast-2c\\n' {SPACES} -c azs=ap-northeast-2a,ap-northeast-2b"),
    ("region", "ap-northeast-9", f"context 'region'='ap-northeast-9' is not a region AWS has; {REGION_FIX}"),
    ("region", "ap-northeast-２", f"context 'region'='ap-northeast-２' is not an AWS region name; {REGION_FIX}"),
    ("region", "ap-northeast-2\n", f"context 'region'='ap-northeast-2\\n' {SPACES} -c region=ap-northeast-2"),
    ("student", "kim\n", f"context 'student'='kim\\n' {SPACES} -c student=kim"),
    ("student", "", "context 'student' is empty (-c student= with no name); pass your name, e.g. -c student=kim, or set it once with: week5 init --student kim"),
    ("students", "kim,lee\n", f"context 'students'='kim,lee\\n' {SPACES} -c students=kim,lee,park"),
    ("students", "kim,lee,kim", "context 'students' names kim twice; e.g. -c students=kim,lee,park"),
    ("key_name", "week5-key\n", f"context 'key_name'='week5-key\\n' {SPACES} -c key_name=week5-key"),
]  # fmt: skip


#: Names AWS refuses once in a resource's name (RDS ids week5-kim--day3-manual): they
#: synthesized, and the deploy failed part-way. Not in the README's table (CONTEXT_LINES).
STUDENT_NAME_LINES = [
    ("student", "kim-", f"context 'student'='kim-' is not a valid student name: use {STUDENT_RULE}; for example -c student=kim-minsu"),
    ("student", "a--b", f"context 'student'='a--b' is not a valid student name: use {STUDENT_RULE}; for example -c student=kim-minsu"),
    ("student", "-kim", f"context 'student'='-kim' is not a valid student name: use {STUDENT_RULE}; for example -c student=kim-minsu"),
    ("students", "kim,lee-", f"context 'students' has 'lee-', which is not a valid student name: {STUDENT_RULE}; e.g. -c students=kim,lee,park"),
    ("students", "a--b,kim", f"context 'students' has 'a--b', which is not a valid student name: {STUDENT_RULE}; e.g. -c students=kim,lee,park"),
]  # fmt: skip


@pytest.mark.parametrize(
    "key, value, line",
    CONTEXT_LINES + STUDENT_NAME_LINES,
    ids=[f"{k}={v!r}"[:40] for k, v, _ in CONTEXT_LINES + STUDENT_NAME_LINES],
)
def test_bad_context_prints_this_line(tmp_path, key, value, line):
    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build_labs(make_app(outdir, **{key: value}), CATALOG)
    assert str(error.value) == line
    assert_one_clear_line(line, f"'{key}'")
    assert files_under(outdir) == []


ACCOUNT = {"instructor_account": "111122223333"}
TOPIC = "arn:aws:sns:ap-northeast-2:111122223333:alerts"
INSTRUCTOR_LINES = [
    ({"instructor_account": "١١١١٢٢٢٢٣٣٣٣"}, "context 'instructor_account'='١١١١٢٢٢٢٣٣٣٣' must be the instructor's AWS account id, 12 ASCII digits, e.g. -c instructor_account=111122223333"),
    ({"instructor_account": "111122223333\n"}, f"context 'instructor_account'='111122223333\\n' {SPACES} -c instructor_account=111122223333"),
    ({**ACCOUNT, "external_id": "week5-가을"}, "context 'external_id'='week5-가을' must be 2 to 1224 ASCII letters, digits or +=,.@:/-_ (e.g. -c external_id=week5-2026-fall)"),
    ({**ACCOUNT, "external_id": "week5-fall\n"}, f"context 'external_id'='week5-fall\\n' {SPACES} -c external_id=week5-2026-fall"),
    ({"budget_email": "강사@example.com"}, "context 'budget_email'='강사@example.com' is not an e-mail address AWS takes (ASCII, one @, a domain with a dot); pass e.g. -c budget_email=instructor@example.com"),
    ({"budget_email": "instructor@example.com\n"}, f"context 'budget_email'='instructor@example.com\\n' {SPACES} -c budget_email=instructor@example.com"),
    ({"budget_topic_arn": "arn:aws:sns:ap-northeast-2:１１１１２２２２３３３３:alerts"}, f"context 'budget_topic_arn'='arn:aws:sns:ap-northeast-2:１１１１２２２２３３３３:alerts' is not an SNS topic ARN (ASCII: arn:aws:sns:<region>:<12 digits>:<topic name>); pass e.g. -c budget_topic_arn={TOPIC}"),
    ({"budget_topic_arn": TOPIC + "\n"}, f"context 'budget_topic_arn'='{TOPIC}\\n' {SPACES} -c budget_topic_arn={TOPIC}"),
    ({"budget_email": "a@b.co", "budget_students": "kim,lee\n"}, f"context 'budget_students'='kim,lee\\n' {SPACES} -c budget_students=kim,lee,park"),
]  # fmt: skip


@pytest.mark.parametrize(
    "context, line", INSTRUCTOR_LINES, ids=[str(c)[-40:] for c, _ in INSTRUCTOR_LINES]
)
def test_bad_instructor_context_prints_this_line(tmp_path, context, line):
    from instructor_app import build

    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build(make_app(outdir, **context))
    assert str(error.value) == line
    assert_one_clear_line(line, f"'{list(context)[-1]}'")
    assert files_under(outdir) == []


def test_student_and_students_together_are_refused(tmp_path):
    cdk_app = make_app(tmp_path / "out", student="kim", students="kim,lee")
    with pytest.raises(CourseInputError) as error:
        build_labs(cdk_app, CATALOG)
    assert_one_clear_line(str(error.value), "'students'")


def test_every_context_key_the_project_reads_has_a_bad_value_here():
    read = set()
    for path in list((ROOT / "week5").rglob("*.py")) + list((ROOT / "stacks").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        read |= {
            line.split("=", 1)[1].strip().strip('"')
            for line in text.splitlines()
            if line.startswith("CONTEXT_") and "=" in line
        }
    tested = {key for key, *_ in CONTEXT_CASES}
    tested |= {key for context, _ in INSTRUCTOR_CASES for key in context}
    assert read == tested


def week5(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=cwd, capture_output=True, text=True
    )


def week5_here(capsys, *args) -> subprocess.CompletedProcess:
    """`python -m week5 ARGS` in this process, as its ``sys.exit(main())`` runs it (argparse's
    own exit included), read as a finished process. A new process per row cost 0.2 s of CPU
    (Python's start and week5's imports, 8.2 s for CLI_CASES) and gave the same exit code,
    stdout and stderr for every row (compared row by row, 2026-11-28); AS_A_PROCESS runs one
    row per way a command stops in a real process."""
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["week5", *args], code, out, err)



PRICES = PRICES_FILE

# (arguments, exit code, what the one line must name); {tmp} is a fresh folder, {file} a file
CLI_CASES = [
    (["local", "--port", "abc"], 2, "--port"),
    (["local", "--port", "80"], 2, "--port"),
    (["local", "day4lab1"], 2, "'day4lab1'"),
    (["cost", "Day1Lab2", "--students", "0"], 2, "--students"),
    (["cost", "Day1Lab2", "--students", "twelve"], 2, "--students"),
    # str.isdigit() takes other scripts' digits; int() takes them too, or fails on "²"
    (["cost", "Day1Lab2", "--students", "\uff11\uff12"], 2, "--students"),  # full-width 12
    (["cost", "Day1Lab2", "--students", "\u0661\u0662"], 2, "--students"),  # Arabic-Indic 12
    (["cost", "Day1Lab2", "--students", "\u00b2"], 2, "--students"),  # superscript 2
    (["cost", "Day1Lab2", "--students", "10000000000000000000000"], 2, "--students"),
    (["cost", "Day1Lab2", "--students", "31"], 2, "1 to 30"),
    (["cost", "Day1Lab2", "--students", "1" * 5000], 2, "--students"),  # beyond int()'s limit
    (["cost", "Day1 Lab2"], 2, "'Day1 Lab2'"),
    (["check", "-c", "student"], 2, "-c/--context"),
    (["labs", "-c", "=kim"], 2, "'=kim' has no key before '='"),  # it said "'' is not a key"
    (["labs", "-c", "="], 2, "'=' has no key before '='"),
    (["labs", "-c", "김철수=x"], 2, "'김철수' is not a context key"),  # it said "not KEY=VALUE"
    (["check", "--assembly", "{tmp}/missing"], 2, "missing"),
    (["labs", "--assembly", "{tmp}"], 2, "not a cloud assembly"),
    (["labs", "--assembly", "x" * 10_000], 2, "not a cloud assembly"),  # too long a file name
    (["cost", "Day4Lab1", "--assembly", "a\nb"], 2, "a\\nb' is not a cloud assembly"),  # one line
    (["audit", "Day1Lab1", "--assembly", ""], 2, "--assembly ''"),
    (["check", "--assembly", " "], 2, "--assembly ' '"),
    (["check", ""], 2, "'' is not a lab id"),  # it was "context 'labs' is empty (-c labs=)"
    (["check", "-o", "{file}"], 2, "-o"),
    # A terminal's bell or a line break made a folder of that name (a trial).
    (["check", "Day1Lab1", "-o", "{tmp}/a\x07b"], 2, "a control character"),
    (["check", "Day1Lab1", "-o", "{tmp}/x\ny"], 2, "a control character"),
    (["check", "Day1Lab1", "-o", "{tmp}/o\u0085x"], 2, "a control character"),  # NEL (C1)
    (["check", "Day1Lab1", "-o", "{tmp}/o\u2028x"], 2, "a control character"),  # line sep.
    (["diagram", "Day1Lab2", "--format", "picture", "-o", "{tmp}/\x07"], 2,
     "not a usable file name"),
    (["nonsense"], 2, "invalid choice"),
    (["diagram", "day1lab2"], 2, "'day1lab2'"),
    (["rollout", "--accounts", "1234"], 2, "--accounts"),
    # A dry run said "Would roll  out" for a name AWS refuses.
    (["rollout", "--accounts", "111122223333", "--name", "", "--dry-run"], 2, "--name"),
    (["rollout", "--accounts", "111122223333", "--name", "$(id)", "--dry-run"], 2, "--name"),
    # The app took the last: the stack set trusted the second account given.
    (["rollout", "--accounts", "111122223333", "--dry-run", "-c",
      "instructor_account=111122223333", "-c", "instructor_account=444455556666"], 2,
     "-c instructor_account given twice"),
    (["cleanup", "--day", "day1"], 2, "--day"),
    # argparse kept the last silently: --apply then deleted another day's (or student's).
    (["cleanup", "--day", "Day1", "--day", "Day2"], 2, "--day given twice"),
    (["cleanup", "--day", "Day1", "--student", "kim", "--student", "lee"], 2, "--student given"),
    (["audit", "day1lab1"], 2, "'day1lab1'"),
    (["audit", "Day1Lab1", "--student", "Kim"], 2, "--student"),
    (["cleanup", "--day", "Day1", "--student", "Kim"], 2, "--student"),
    (["diagram", "Day1Lab2", "--format", "pdf"], 2, "--format"),
    (["prices", "refresh", "--offer-url", "ftp://example.com/{{service}}.json"], 2, "--offer-url"),
    (["prices", "refresh", "--offer-url", "https://example.com/offer.json"], 2, "--offer-url"),
    (["prices", "refresh", "--offer-url", "http://localhost:9/{{service}}.json"], 2, "--offer-url"),
    # An unset shell variable: it was taken for the default and went to AWS.
    (["prices", "refresh", "--offer-url", ""], 2, "--offer-url ''"),
    # Other braces: a KeyError traceback from inside the refresh.
    (["prices", "refresh", "--offer-url", "http://localhost:9/{{service}}/{{region}}"], 2,
     "no other braces"),
    (["prices", "refresh", "--offer-url", "http://x/{{service}}" + "a" * 100_000], 2,
     "--offer-url"),
    (["init", "--student", "Kim"], 2, "--student"),
    # AWS refuses `--` (RDS ids week5-kim--day3-manual) after the deploy has begun; `week5
    # init` with these: tests/test_init.py (in a folder of its own: here it would write ROOT's).
    (["status", "--student", "a--b"], 2, "--student 'a--b'"),
    (["audit", "Day3Lab1", "--student", "kim-"], 2, "--student 'kim-'"),
    (["cleanup", "--day", "Day3", "--student", "a--b"], 2, "--student 'a--b'"),
    (["quotas", "--students", "kim,lee-"], 2, "--students has 'lee-'"),
    (["check", "Day3Lab1", "-c", "student=kim-"], 2, "context 'student'='kim-'"),
    (["check", "Day3Lab1", "-c", "student=a--b"], 2, "context 'student'='a--b'"),
    (["check", "Day3Lab1", "-c", "students=kim,-kim"], 2, "context 'students' has '-kim'"),
    (["status", "--student", "Kim"], 2, "--student"),
    (["status", "--region", "Seoul"], 2, "--region"),
    (["status", "--region", "ap-northeast-9"], 2, "--region"),
    (["cleanup", "--day", "Day1", "--region", "Seoul"], 2, "--region"),
    (["audit", "Day1Lab1", "--region", "ap-northeast-9"], 2, "--region"),
    (["rollout", "--accounts", "111122223333", "--region", "Seoul"], 2, "--region"),
    (["quotas", "--students", "kim,Kim"], 2, "--students"),
    (["quotas", "--students", "0"], 2, "--students"),
    (["quotas", "--students", "\uff11\uff12"], 2, "ASCII digits"),
    (["quotas", "--students", "31"], 2, "1 to 30"),
    (["quotas", "--students", "kim", "day4lab1", "--region", "Seoul"], 2, "--region"),
]


#: One row of CLI_CASES per way a command stops: argparse's error (SystemExit), a command's own
#: check (CliError), a library's check of an argument (CourseInputError) and the region check
#: (AwsError), each run as a user runs it: a new process, its exit code, stderr.
AS_A_PROCESS = [
    (["nonsense"], 2, "invalid choice"),
    (["check", "--assembly", "{tmp}/missing"], 2, "missing"),
    (["cleanup", "--day", "day1"], 2, "--day"),
    (["status", "--region", "Seoul"], 2, "--region"),
]


def assert_refused_in_one_line(run, tmp_path, args, code, names):
    """``run(*args)`` (a finished process) exits ``code`` with one clear line naming ``names``,
    and writes nothing: not in ``tmp_path``, not the price table."""
    (tmp_path / "a-file").write_text("not a folder")
    args = [a.format(tmp=tmp_path, file=tmp_path / "a-file") for a in args]
    prices_before = hashlib.sha256(PRICES.read_bytes()).hexdigest()
    before = files_under(tmp_path)
    result = run(*args)
    assert result.returncode == code, result.stderr
    (line,) = error_lines(result.stderr)
    assert line.startswith("week5:")
    assert_one_clear_line(line.replace("--help", "help"), names)
    assert files_under(tmp_path) == before
    assert hashlib.sha256(PRICES.read_bytes()).hexdigest() == prices_before
    assert not list(PRICES.parent.glob(".*.partial"))


@pytest.mark.parametrize(
    "args, code, names", CLI_CASES, ids=[" ".join(a)[:50] for a, _, _ in CLI_CASES]
)
def test_bad_command_line_is_one_line_and_writes_nothing(
    tmp_path, capsys, monkeypatch, args, code, names
):
    monkeypatch.chdir(ROOT)  # as week5() runs it
    if args[0] == "init":  # it writes the project's cdk.context.json: a project of its own,
        # inside the folder whose files must not change (a broken rule once wrote the repo's)
        (tmp_path / "cdk.json").write_text((ROOT / "cdk.json").read_text())
        monkeypatch.chdir(tmp_path)
    assert_refused_in_one_line(partial(week5_here, capsys), tmp_path, args, code, names)


@pytest.mark.parametrize(
    "args, code, names", AS_A_PROCESS, ids=[" ".join(a)[:50] for a, _, _ in AS_A_PROCESS]
)
def test_bad_command_line_is_one_line_and_writes_nothing_as_a_process(
    tmp_path, args, code, names
):
    assert (args, code, names) in CLI_CASES
    assert_refused_in_one_line(week5, tmp_path, args, code, names)


def test_a_bad_context_through_the_real_cdk_cli_leaves_no_assembly(tmp_path):
    """`week5 check -o DIR` runs `cdk synth`: app.py refuses the value in one line, and the
    folder the user named is not left half-written."""
    outdir = tmp_path / "kept"
    result = week5("check", "Day1Lab1", "-o", str(outdir), "-c", "student=Kim Minsu")
    assert result.returncode == 2
    (line,) = error_lines(result.stderr)
    assert line.startswith("week5: context 'student'='Kim Minsu' is not a valid student name")
    assert not outdir.exists()


COURSE_COMPOSE = "services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: rootpassword\n"


@pytest.mark.parametrize(
    "content, names",
    [
        (None, "does not exist"),
        ("version: '3'\nimage: nginx\n", "no top-level 'services:'"),
        (COURSE_COMPOSE, "MYSQL_ROOT_PASSWORD is written in plain text"),
    ],
    ids=["missing", "not compose", "plaintext password"],
)
def test_bad_compose_file_is_refused_at_construction(stack, net, tmp_path, content, names):
    compose = tmp_path / "docker-compose.yml"
    if content is not None:
        compose.write_text(content)
    with pytest.raises(CourseInputError) as error:
        DockerHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], compose_file=compose)
    message = str(error.value)
    assert_one_clear_line(message, names)
    assert str(compose) in message and "DockerHost UnitStack/Web" in message


@pytest.mark.parametrize(
    "build, names",
    [
        (
            lambda stack, net, tmp: StaticSite(stack, "Site", content_dir=tmp / "missing"),
            "content_dir",
        ),
        (
            lambda stack, net, tmp: DockerHost(
                stack,
                "Web",
                vpc=net.vpc,
                subnet=net.public_subnets[0],
                compose_file=COMPOSE_DIR / "cache-demo.yml",
                app_files={"app.py": tmp / "missing.py"},
            ),
            "app file",
        ),
    ],
    ids=["site folder", "app file"],
)
def test_bad_file_paths_are_refused_at_construction(stack, net, tmp_path, build, names):
    with pytest.raises(CourseInputError) as error:
        build(stack, net, tmp_path)
    assert names in str(error.value) and "\n" not in str(error.value)


def bad_input_table() -> str:
    """The README's table of refused values: one row per line above, as the user sees it."""
    rows = ["| Input | Value | What `cdk synth` prints |", "|---|---|---|"]
    cases = [(key, value, line) for key, value, line in CONTEXT_LINES]
    for context, line in INSTRUCTOR_LINES:
        key = line.split("'")[1]  # the key the line names
        cases.append((key, context[key], line))
    for key, value, line in cases:
        cell = line.replace("|", "\\|")
        rows.append(f"| `{key}` | `{value!r}` | `week5: {cell}` |")
    return "\n".join(rows)


def test_the_readme_table_of_refused_values_is_these_rows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- bad-input:start -->\n", "<!-- bad-input:end -->"
    assert start in readme and end in readme, "README lacks the bad-input table's markers"
    block = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert block == bad_input_table(), "paste tests/test_bad_input.py's bad_input_table()"


@pytest.mark.parametrize(
    "bench",
    ["course_checks_time", "emulator_deploy_time", "synth_breakdown", "synth_time",
     "warm_command_time"],
)  # fmt: skip
def test_a_bench_refuses_runs_it_cannot_take_a_median_of(bench):
    """`--runs 0` ended in a StatisticsError traceback after the work, or before none."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{bench}.py"), "--runs", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{bench}.py: error: argument --runs: '0' is not a number of runs from 1 to 1000"
    )


@pytest.mark.parametrize(
    "key", ["student", "students", "ssh_cidr", "azs", "region", "key_name", "labs",
            "cloudmart_backend_port", "alarm_email"],
)  # fmt: skip
def test_a_pasted_file_as_a_value_is_not_echoed_whole(tmp_path, key):
    """The messages quoted a 100,000-character value in full (the hostile-input trial)."""
    from week5.operations import preflight

    (tmp_path / "cdk.json").write_text('{"app": "python app.py", "context": {}}')
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["synth", "Day5Lab1", "-c", f"{key}={'a' * 100_000}"], tmp_path)
    assert len(str(refused.value)) < 400 and "\n" not in str(refused.value)


@pytest.mark.parametrize("command", [["labs"], ["cost", "Day1Lab1"], ["diagram", "Day1Lab1"],
                                     ["status"], ["init"]])  # fmt: skip
def test_a_context_file_that_is_a_folder_is_one_line_for_every_command(
    tmp_path, monkeypatch, capsys, command
):
    """It was an IsADirectoryError traceback (labs, cost, check, diagram, audit, quotas,
    local), or silently the default student (status, cleanup, init)."""
    (tmp_path / "cdk.json").write_text((ROOT / "cdk.json").read_text())
    (tmp_path / "cdk.context.json").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"week5: {tmp_path / 'cdk.context.json'} is not a file (CDK reads it as one); move it "
        "away, then run `week5 init --student <your-name>` if you had set a name"
    )


def test_a_broken_cdk_json_is_to_be_restored_not_deleted(tmp_path, monkeypatch, capsys):
    """Deleting it, as the message said, left no project ("no cdk.json")."""
    (tmp_path / "cdk.json").write_text("{oops")
    monkeypatch.chdir(tmp_path)
    assert main(["labs"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"week5: {tmp_path / 'cdk.json'} is not valid JSON (")
    assert line.endswith("; restore it with `git checkout cdk.json`")


#: Assemblies a user may point --assembly at: (manifest, template, what the line says).
BROKEN_ASSEMBLIES = [
    ("{not json", None, "the cloud assembly's manifest cannot be read (not JSON"),
    ("[]", None, "the cloud assembly's manifest is not a JSON object"),
    ('{"artifacts": {"X": {"type": "aws:cloudformation:stack", "properties": '
     '{"templateFile": "X.template.json"}}}}', None, "the template of X cannot be read"),
    ('{"artifacts": {"X": {"type": "aws:cloudformation:stack", "properties": '
     '{"templateFile": "X.template.json"}}}}', "Resources: {}", "the template of X cannot be read"),
    ('{"artifacts": {"X": {"type": "aws:cloudformation:stack", "properties": '
     '{"templateFile": "X.template.json"}}}}', "[]", "the template of X is not a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize("manifest, template, says", BROKEN_ASSEMBLIES)
@pytest.mark.parametrize("command", [["labs"], ["cost", "Day1Lab1"], ["check"]])
def test_a_broken_assembly_is_one_line(tmp_path, capsys, manifest, template, says, command):
    """Each was a JSONDecodeError, FileNotFoundError or AttributeError traceback."""
    (tmp_path / "manifest.json").write_text(manifest)
    if template is not None:
        (tmp_path / "X.template.json").write_text(template)
    assert main([*command, "--assembly", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert says in line and "pass the folder `cdk synth` wrote" in line


def test_an_assembly_without_lab_stacks_names_that_not_an_empty_list(tmp_path, capsys):
    """cost said "unknown lab 'Day1Lab1'; valid labs: " with nothing after it."""
    (tmp_path / "manifest.json").write_text('{"artifacts": {}}')
    assert main(["cost", "Day1Lab1", "--assembly", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("week5: the assembly holds no Week 5 lab stacks;")
