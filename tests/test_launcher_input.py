"""Hostile input to the launchers (scripts/cdk, scripts/cdk.py, scripts/instructor) and to
`week5 preflight`, which they run first: each case reached the CDK CLI, which deployed with the
environment's keys, retried an unreachable AWS for a minute, or synthesized every lab before
"No stacks match". Each is now one line, exit 2, before synthesis."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
from botocore import exceptions as bx
from support import ROOT
from test_preflight import bad_input, fake_project, launch, project, run_wrapper

from week5.cli import preflight as preflight_cli
from week5.core.errors import CourseInputError
from week5.operations import aws_errors, preflight

WRAPPERS = ["cdk", "cdk.py"]
EMPTY_PROFILE = (
    "--profile '' names no profile: pass a profile's name (`aws configure list-profiles` shows "
    "them), or leave --profile out to use the environment's; nothing was run"
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens


def offline_env(tmp_path, endpoint=None):
    """No profile and no config; keys in the environment (what the CDK CLI went on with)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("WEEK5_PREFLIGHT", None)
    env.update(HOME=str(tmp_path), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true",
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))  # fmt: skip
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def week5(args, env):
    return subprocess.run([sys.executable, "-m", "week5", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


# --- 1. an empty --profile ------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("profile", [["--profile", ""], ["--profile="]], ids=["apart", "joined"])
def test_an_empty_profile_is_refused_before_anything_runs(wrapper, profile, tmp_path,
                                                          monkeypatch):  # fmt: skip
    """It deployed with the environment's keys, exit 0 (`week5 status` refused it). "apart"
    through each wrapper, "joined" in process (test_preflight.launch)."""
    end_to_end = profile == ["--profile", ""]
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, ["deploy", "Day1Lab2", *profile],
                                 offline_env(tmp_path), monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [f"scripts/{wrapper}: {EMPTY_PROFILE}"]


@pytest.mark.parametrize(
    "cdk_args", [["deploy", "InstructorAccess", "--profile", ""],
                 ["--", "destroy", "BudgetGuard", "--profile="]], ids=["deploy", "destroy"],
)  # fmt: skip
def test_scripts_instructor_refuses_an_empty_profile_too(cdk_args, tmp_path, monkeypatch):
    code, told = instructor_preflight(cdk_args, offline_env(tmp_path), monkeypatch)
    assert code == preflight_cli.EXIT_BAD_CONTEXT
    assert told == [f"scripts/instructor: {EMPTY_PROFILE}"]


def instructor_preflight(cdk_args, env, monkeypatch):
    """`scripts/instructor`'s preflight, in this process with ``env``: (its exit code, the
    lines it said)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(ROOT)
    told = []
    monkeypatch.setattr(preflight_cli, "say", told.append)
    args = argparse.Namespace(prog="scripts/instructor", app="instructor", cdk_args=cdk_args)
    return preflight_cli.run(args), told


# --- 2. an empty AWS_PROFILE, an unreadable config file ---------------------------------------


def test_an_empty_aws_profile_is_named_with_its_fix(tmp_path):
    env = {**offline_env(tmp_path), "AWS_PROFILE": ""}
    result = week5(["status", "--json"], env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "week5: AWS_PROFILE is set but empty, so it names no AWS profile; unset it (`unset "
        "AWS_PROFILE`) or set it to a profile's name (`aws configure list-profiles` shows them)"
    )


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_the_launchers_name_an_empty_aws_profile(wrapper, tmp_path):
    root = fake_project(tmp_path)
    result, calls = run_wrapper(root, wrapper, ["destroy", "Day2Lab1", "--force"],
                                offline_env(tmp_path), profile="")  # fmt: skip
    assert (result.returncode, calls) == (2, [])
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"scripts/{wrapper}: AWS_PROFILE is set but empty"), line
    assert "None" not in line and line.endswith("; nothing was run")


def test_a_config_file_that_is_a_directory_is_named(tmp_path):
    folder = tmp_path / "config-folder"
    folder.mkdir()
    env = {**offline_env(tmp_path), "AWS_CONFIG_FILE": str(folder), "AWS_PROFILE": "x"}
    result = week5(["status"], env)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"week5: AWS profile 'x' (from AWS_PROFILE) cannot be looked up: AWS_CONFIG_FILE="
        f"'{folder}' is a directory, not a file, so no profile could be read; point "
        "AWS_CONFIG_FILE at the file, or unset it"
    )


def test_a_missing_config_file_keeps_the_profile_line(tmp_path, monkeypatch):
    """A file that does not exist holds no profile: the line names the profile, as before."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    line = aws_errors.describe(bx.ProfileNotFound(profile="x"), "x")
    assert line.startswith("AWS profile 'x' (from --profile) is not in ~/.aws/config")


# --- 3. AWS certainly out of reach ------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args",
    [["destroy", "Day1Lab1", "--force"], ["deploy", "Day1Lab1"], ["diff", "Day1Lab1"],
     ["deploy", "--all"], ["bootstrap"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_a_refused_connection_stops_a_command_that_needs_aws(wrapper, args, tmp_path,
                                                             monkeypatch):  # fmt: skip
    """The CDK CLI retried for about a minute, then printed five lines of ECONNREFUSED.
    destroy through each wrapper, the other commands in process."""
    end_to_end = args[0] == "destroy"
    endpoint = f"http://127.0.0.1:{closed_port()}"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, args, offline_env(tmp_path, endpoint),
                                 monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: cannot reach AWS at {endpoint}/ (connection refused); "
        f"AWS_ENDPOINT_URL={endpoint} is set: start what should answer there, or unset it to "
        "reach AWS; nothing was run"
    ]


def test_a_host_that_does_not_resolve_stops_it_too(tmp_path, monkeypatch):
    """In process: the wrappers' exit 2 for it is test_a_refused_connection_stops_...'s."""
    root = fake_project(tmp_path)
    env = offline_env(tmp_path, "http://week5-no-such-host.invalid")
    code, stderr, calls = launch(root, "cdk", ["destroy", "Day1Lab1", "--force"], env,
                                 monkeypatch, end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False)
    assert "(the host name does not resolve)" in stderr


@pytest.mark.parametrize("where", ["--proxy", "cdk.json"])
def test_the_check_goes_through_the_cdk_clis_proxy(where, tmp_path, monkeypatch):
    """Where only a proxy reaches AWS, the check's direct call found the host unresolvable and
    refused a working deploy (a review of the day's diff): it uses the CLI's proxy too, and a
    proxy that does not answer is not "certainly out of reach". In process: preflight's 0 is
    the wrappers' "run cdk" (test_synth_and_ls_need_no_aws runs it)."""
    proxy = f"http://127.0.0.1:{closed_port()}"
    root = fake_project(tmp_path)
    args = ["destroy", "Day1Lab1", "--force"]
    if where == "--proxy":
        args += ["--proxy", proxy]
    else:
        settings = json.loads((root / "cdk.json").read_text())
        (root / "cdk.json").write_text(json.dumps({**settings, "proxy": proxy}))
    env = offline_env(tmp_path, "http://week5-no-such-host.invalid")
    code, stderr, _ = launch(root, "cdk", args, env, monkeypatch, end_to_end=False)
    assert "does not resolve" not in stderr
    assert code == 0, stderr  # the CLI runs, its proxy its own


def test_a_resolver_that_does_not_answer_is_not_certain():
    """EAI_AGAIN (a resolver down for a moment) is not "no such host"."""
    import socket

    again = bx.EndpointConnectionError(
        endpoint_url="https://x", error=socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
    )
    none = bx.EndpointConnectionError(
        endpoint_url="https://x", error=socket.gaierror(socket.EAI_NONAME, "Name not known")
    )
    assert aws_errors._certainly_unreachable(again) is None
    assert aws_errors._certainly_unreachable(none) == "the host name does not resolve"


@pytest.mark.parametrize("args", [["synth", "Day1Lab1"], ["ls"]], ids=["synth", "ls"])
def test_synth_and_ls_need_no_aws(args, tmp_path, monkeypatch):
    """synth through scripts/cdk (which runs cdk once), ls in process (preflight's 0)."""
    end_to_end = args[0] == "synth"
    root = fake_project(tmp_path)
    env = offline_env(tmp_path, f"http://127.0.0.1:{closed_port()}")
    code, stderr, calls = launch(root, "cdk", args, env, monkeypatch, end_to_end)
    assert code == 0 and stderr == ""
    assert len(calls) == 1 if end_to_end else calls is None


def test_the_instructors_destroy_stops_on_a_refused_connection(tmp_path, monkeypatch):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    for key, value in offline_env(tmp_path, endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(ROOT)
    args = argparse.Namespace(prog="scripts/instructor", app="instructor",
                              cdk_args=["destroy", "BudgetGuard", "--force"])  # fmt: skip
    assert preflight_cli.run(args) == preflight_cli.EXIT_BAD_CONTEXT


def test_a_timeout_is_no_certainty(monkeypatch):
    """A timeout may pass: the check says so and the CDK CLI runs."""
    timeout = bx.ConnectTimeoutError(endpoint_url="https://cloudformation.example")
    with pytest.raises(aws_errors.AwsError) as raised:
        with aws_errors.translated():
            raise timeout
    assert not isinstance(raised.value, aws_errors.AwsUnreachableError)
    monkeypatch.setattr(preflight_cli, "check", lambda *_: (_ for _ in ()).throw(raised.value))
    told = []
    monkeypatch.setattr(preflight_cli, "say", told.append)
    args = argparse.Namespace(prog="scripts/cdk", app="labs", cdk_args=["deploy", "Day1Lab1"])
    assert preflight_cli.run(args) == 0
    assert told[0].endswith("going on")


# --- 4. selectors no stack id can be --------------------------------------------------------


@pytest.mark.parametrize(
    "args, start",
    [(["synth", "😀"], "'😀' is no stack id or pattern"),
     (["deploy", "Day1Lab1" + "x" * 100_000], "'Day1Lab1xxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
      "(100008 characters) is no stack id or pattern"),
     (["synth", "a" * 100_000 + "*"], "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (100001 "
      "characters)")],
    ids=["emoji", "100 KB id", "100 KB pattern"],
)  # fmt: skip
def test_a_selector_no_stack_id_can_be_is_refused(tmp_path, args, start):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(args, project(tmp_path))
    assert str(refused.value).startswith(start), str(refused.value)


def test_a_copy_pattern_without_class_mode_is_refused(tmp_path):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_patterns(["deploy", "Day1Lab1-*"], project(tmp_path))
    assert str(refused.value) == (
        "'Day1Lab1-*' matches no stack: the ids built are Day1Lab1; copies such as Day1Lab1-kim "
        "exist only in class mode (-c students=kim,lee); pass lab ids such as Day1Lab1 "
        "(`scripts/cdk ls` lists them)"
    )


@pytest.mark.parametrize(
    "args",
    [["deploy", "Day1Lab1-*", "-c", "students=kim,lee"], ["synth", "Day*"], ["ls", "Day?Lab1"],
     ["deploy", "Day4Lab1-{kim,lee}", "-c", "students=kim,lee"], ["deploy", "Day4Lab1-[kl]*"],
     ["ls", "!InstructorAccess"], ["deploy", "InstructorAccess"],
     ["deploy", "Day1Lab1", "--resource-mapping", "매핑.json"],
     ["deploy", "Day1Lab1", "--role-arn", "arn:aws:iam::111122223333:role/x"]],
)  # fmt: skip
def test_patterns_and_values_that_may_match_pass(tmp_path, args):
    root = project(tmp_path)
    preflight.check_context(args, root)
    preflight.check_patterns(args, root)


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args, says",
    [(["synth", "😀"], "'😀' is no stack id or pattern"),
     (["deploy", "Day1Lab1-*"], "'Day1Lab1-*' matches no stack")],
    ids=["emoji", "copy"],
)  # fmt: skip
def test_the_launchers_refuse_them_before_synthesis(wrapper, args, says, tmp_path, monkeypatch):
    """The emoji through each wrapper, the copy pattern in process."""
    end_to_end = args == ["synth", "😀"]
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, args, offline_env(tmp_path), monkeypatch,
                                 end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end)
    (line,) = stderr.splitlines()
    assert line.startswith(f"scripts/{wrapper}: {says}"), line


# --- 5, 6. week5 preflight run by hand ------------------------------------------------------


def test_preflight_help_says_its_exit_codes(tmp_path):
    result = week5(["preflight", "--help"], offline_env(tmp_path))
    assert result.returncode == 0
    for code, name in ((10, "EXIT_DONE"), (11, "EXIT_REFUSED"), (12, "EXIT_BAD_CONTEXT")):
        assert f"  {code}  {name}: " in result.stdout, result.stdout


def test_an_empty_prog_falls_back_to_the_default(tmp_path):
    result = week5(["preflight", "--prog", "", "--", "synth", "DAY1LAB1"], offline_env(tmp_path))
    assert result.returncode == 12
    assert result.stderr.startswith("scripts/cdk: 'DAY1LAB1' is not a lab id"), result.stderr


# --- 7. the launchers' trial after the hostile-input fixes ---------------------------------
# Each reached the CDK CLI: seconds of synthesis, then "No stacks match" (or, for destroy,
# "does not exist", exit 0), or a minute of retries. Ports 47350-47359 are this part's.

CLOSED_PORTS = (47352, 47353)


def with_catalog(root):
    """The fake project with the real catalog, which the launchers read the lab ids from."""
    (root / "stacks").mkdir()
    for name in ("__init__.py", "catalog.py"):
        shutil.copy(ROOT / "stacks" / name, root / "stacks" / name)
    return root


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args, pattern",
    [(["ls", "Day4Lab1-{park}", "-c", "students=kim,lee"], "Day4Lab1-{park}"),
     (["ls", "Day1Lab1-{kim}"], "Day1Lab1-{kim}"),
     (["deploy", "Day1Lab1-{kim}"], "Day1Lab1-{kim}"),
     (["ls", "Day1Lab1-{a,b"], "Day1Lab1-{a,b"), (["ls", "Day{1,2}Lab1}"], "Day{1,2}Lab1}")],
    ids=["park not in class", "kim without class", "deploy", "unclosed", "closed twice"],
)  # fmt: skip
def test_a_brace_pattern_that_matches_no_lab_is_refused(wrapper, args, pattern, tmp_path,
                                                        monkeypatch):  # fmt: skip
    """`ls` printed nothing, exit 0; `deploy` synthesized 9 s, then "No stacks match".
    "deploy" through each wrapper, the others in process."""
    end_to_end = args[0] == "deploy"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, args, offline_env(tmp_path), monkeypatch,
                                 end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    (line,) = stderr.splitlines()
    assert line.startswith(f"scripts/{wrapper}: '{pattern}' matches no stack"), line


@pytest.mark.parametrize(
    "pattern, expanded",
    [("Day4Lab1-{kim,lee}", ["Day4Lab1-kim", "Day4Lab1-lee"]),
     ("Day{1,2}Lab{1,2}", ["Day1Lab1", "Day1Lab2", "Day2Lab1", "Day2Lab2"]),
     ("Day4Lab1-{kim}", ["Day4Lab1-{kim}"]),  # picomatch keeps a brace without a comma
     ("Day{1..3}Lab1", None), ("Day4Lab1-[kl]*", None), ("{a,b}" * 12, None),
     # braces that do not pair up are text to the CLI (it lists nothing for them)
     ("{a,b", ["{a,b"]), ("Day1Lab1}", ["Day1Lab1}"]), ("}{a,b}", ["}{a,b}"]),
     ("{a,b}}", ["a}", "b}"])],
)  # fmt: skip
def test_braces_are_expanded_as_the_cdk_cli_reads_them(pattern, expanded):
    assert preflight.brace_alternatives(pattern) == expanded


def test_braces_that_do_not_pair_up_are_named_in_the_refusal(tmp_path):
    """`ls 'Day1Lab1-{a,b'` listed nothing and exited 0: the CDK CLI reads the brace as text."""
    with pytest.raises(CourseInputError) as refused:
        preflight.check_patterns(["ls", "Day1Lab1{"], project(tmp_path), lab_ids=CATALOG_IDS)
    assert str(refused.value).startswith("'Day1Lab1{' matches no stack: the ids built are ")
    assert "its braces do not pair up, so the CDK CLI reads them as text" in str(refused.value)


def test_a_brace_pattern_that_matches_a_copy_passes(tmp_path):
    root = project(tmp_path)
    for args in (["deploy", "Day4Lab1-{kim,park}", "-c", "students=kim,lee"],
                 ["ls", "Day{1,9}Lab1"]):  # fmt: skip
        preflight.check_patterns(args, root, lab_ids=CATALOG_IDS)


CATALOG_IDS = [
    "Day1Lab1", "Day1Lab2", "Day1Case", "Day2Lab1", "Day2Lab2", "Day2Case", "Day3Lab1",
    "Day3Lab2", "Day3Case", "Day4Lab1", "Day4Challenge", "Day4Case", "Day5Lab1", "Day5Challenge",
]  # fmt: skip


def test_catalog_ids_is_the_catalog():
    from stacks.catalog import CATALOG

    assert sorted(CATALOG.ids) == sorted(CATALOG_IDS)


@pytest.mark.parametrize("pattern", ["Day1Chall*", "Day3*nge"])
def test_a_pattern_is_matched_against_the_catalogs_labs(tmp_path, pattern):
    """Day x kind made 20 ids (Day1Challenge...); the catalog has 14."""
    with pytest.raises(CourseInputError) as refused:
        preflight.check_patterns(["ls", pattern], project(tmp_path), lab_ids=CATALOG_IDS)
    assert str(refused.value).startswith(f"'{pattern}' matches no stack: the ids built are")
    assert "Challenge" not in str(refused.value)  # 5 shown, none of them a challenge
    preflight.check_patterns(["ls", "Day4Chall*"], project(tmp_path), lab_ids=CATALOG_IDS)


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_the_launchers_pass_the_catalogs_lab_ids(wrapper, tmp_path):
    root = with_catalog(fake_project(tmp_path))
    result, calls = run_wrapper(root, wrapper, ["ls", "Day1Chall*"], offline_env(tmp_path))
    assert (result.returncode, calls) == (2, []), result.stderr
    assert result.stderr.startswith(f"scripts/{wrapper}: 'Day1Chall*' matches no stack")
    result, calls = run_wrapper(root, wrapper, ["ls", "Day4Chall*"], offline_env(tmp_path))
    assert (result.returncode, len(calls)) == (0, 1), result.stderr


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args", [["destroy", "InstructorAccess", "--force"], ["deploy", "BudgetGuard"]],
    ids=["destroy", "deploy"],
)  # fmt: skip
def test_an_instructor_stack_is_sent_to_scripts_instructor(wrapper, args, tmp_path, monkeypatch):
    """destroy synthesized 15 s, then "InstructorAccess does not exist.", exit 0. destroy
    through each wrapper, deploy in process."""
    end_to_end = args[0] == "destroy"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, args, offline_env(tmp_path), monkeypatch,
                                 end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: {args[1]} is the instructor app's stack, not a lab's: run "
        f"`scripts/instructor {args[0]} {args[1]}` (README \"Instructor tools\"); nothing was run"
    ]


@pytest.mark.parametrize(
    "name, shown_as", [("😀", "'😀'"), ("Day*", "'Day*'"), ("Day1Lab1", "'Day1Lab1'"),
                       ("{Budget,Access}Guards", "'{Budget,Access}Guards'")],
)  # fmt: skip
@pytest.mark.parametrize("command", ["deploy", "synth", "diff"])
def test_the_instructor_app_refuses_a_name_neither_stack_has(command, name, shown_as, tmp_path,
                                                              monkeypatch):  # fmt: skip
    """6 s of synthesis, then "No stacks match", exit 1 (destroy was refused already)."""
    for key, value in offline_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(ROOT)
    told = []
    monkeypatch.setattr(preflight_cli, "say", told.append)
    args = argparse.Namespace(prog="scripts/instructor", app="instructor", lab_ids=None,
                              cdk_args=[command, name, "-c", "instructor_account=111122223333"])
    assert preflight_cli.run(args) == preflight_cli.EXIT_BAD_CONTEXT
    assert told == [
        f"scripts/instructor: {shown_as} matches neither InstructorAccess nor BudgetGuard, the "
        "instructor app's stacks; pass one of them (`scripts/instructor ls` lists them); "
        "nothing was run"
    ]


def test_the_instructor_stacks_pass(tmp_path):
    for name in ("InstructorAccess", "Budget*", "{BudgetGuard,x}", "!BudgetGuard"):
        preflight.check_app_stacks(["deploy", name], app="instructor")
    preflight.check_app_stacks(["ls", "!InstructorAccess"])


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "profiles, first, then",
    [(["--profile", "", "--profile", "emu"], "''", "'emu'"),
     (["--profile", "nosuch", "--profile", "emu"], "'nosuch'", "'emu'"),
     (["--profile", "emu", "--profile=nosuch"], "'emu'", "'nosuch'")],
    ids=["empty first", "unknown first", "unknown last"],
)  # fmt: skip
def test_a_profile_given_twice_is_refused(wrapper, profiles, first, then, tmp_path,
                                          monkeypatch):  # fmt: skip
    """Only the last was checked: the first could be '' or a misspelt name. "empty first"
    through each wrapper, the others in process."""
    end_to_end = profiles[1] == ""
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, ["diff", "Day1Lab2", *profiles],
                                 offline_env(tmp_path), monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: --profile given twice ({first}, then {then}): pass it once"
    ]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("args", [["deploy", "Day1Lab1"], ["diff", "Day1Lab1"]],
                         ids=["deploy", "diff"])  # fmt: skip
def test_an_endpoint_without_a_scheme_is_refused(wrapper, args, tmp_path, monkeypatch):
    """"is not a URL ... going on", then the CDK CLI's "TypeError: Invalid URL", exit 1.
    deploy through each wrapper, diff in process."""
    end_to_end = args[0] == "deploy"
    root = fake_project(tmp_path)
    env = offline_env(tmp_path, f"127.0.0.1:{CLOSED_PORTS[0]}")
    code, stderr, calls = launch(root, wrapper, args, env, monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: the AWS endpoint '127.0.0.1:{CLOSED_PORTS[0]}' (from "
        "AWS_ENDPOINT_URL) is not a URL: set it to one such as http://localhost:<port> (`week5 "
        "local --keep` prints its line), or unset it to reach AWS; nothing was run"
    ]


@pytest.fixture
def emulator():
    """A moto server on a free port: the working AWS_ENDPOINT_URL. (On a fixed port, 47351,
    the suite hung for good when another program held it: moto's server thread failed to bind
    and start() waits for it without a timeout.)"""
    from servers import moto_in_thread

    with moto_in_thread() as (host, port):
        yield f"http://{host}:{port}"


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("args", [["diff", "Day1Lab1"], ["bootstrap"]], ids=["diff", "bootstrap"])
def test_cloudformations_own_endpoint_is_the_one_checked(wrapper, args, tmp_path, emulator,
                                                          monkeypatch):  # fmt: skip
    """STS answered at AWS_ENDPOINT_URL; the CDK CLI went to AWS_ENDPOINT_URL_CLOUDFORMATION and
    retried it for 49.9 s, then ECONNREFUSED. diff through each wrapper, bootstrap in process."""
    end_to_end = args[0] == "diff"
    root = fake_project(tmp_path)
    refused = f"http://127.0.0.1:{CLOSED_PORTS[1]}"
    env = {**offline_env(tmp_path, emulator), "AWS_ENDPOINT_URL_CLOUDFORMATION": refused}
    code, stderr, calls = launch(root, wrapper, args, env, monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: cannot reach AWS at {refused}/ (connection refused); "
        f"AWS_ENDPOINT_URL_CLOUDFORMATION={refused} is set: start what should answer there, or "
        "unset it to reach AWS; nothing was run"
    ]
    env.pop("AWS_ENDPOINT_URL_CLOUDFORMATION")  # the emulator answers CloudFormation too
    code, stderr, calls = launch(root, wrapper, args, env, monkeypatch, end_to_end)
    assert code == 0, stderr
    assert len(calls) == 1 if end_to_end else calls is None


def test_an_unknown_profile_names_the_config_file_that_was_read(tmp_path, monkeypatch):
    config = tmp_path / "my-aws-config"
    config.write_text("[profile other]\nregion = ap-northeast-2\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE", raising=False)
    line = aws_errors.describe(bx.ProfileNotFound(profile="x"), "x")
    assert line.startswith(
        f"AWS profile 'x' (from --profile) is not in {config} (AWS_CONFIG_FILE) or "
        "~/.aws/credentials; pass one of: other, or create it"
    ), line
