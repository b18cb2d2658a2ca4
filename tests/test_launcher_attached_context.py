"""Hostile launcher arguments and endpoints before a deploy or a destroy (`week5 preflight`, which
scripts/cdk, scripts/cdk.py and scripts/instructor run first). A trial found each reaching the
CDK CLI:

1. ``-cstudent=lee`` (no space after -c; ``--contextstudent=lee`` alike): the CLI warned
   "Unknown option(s): --s, --u..." and deployed week5-instructor-Day1Lab1, exit 0.
2. ``synth "Day1Lab1 "`` (a trailing space): 20 s of synthesis, then "No stacks match", exit 1.
3. A profile whose source_profile does not exist (or loops): "could not check the account
   ...; going on", then a failure after synthesis.
4. AWS throttling the check: a note, and the deploy failed after 62 s.
5. AWS_ENDPOINT_URL answering HTML with HTTP 200: "note: the check before destroy failed
   (KeyError: 'ListStacksResult'); going on", then the CLI said destroyed, exit 0, with the
   stack still there. No check that failed unexpectedly goes on to a deploy or a destroy now.

Each is one line, exit 2 through the wrappers, before the CDK CLI runs."""

from __future__ import annotations

import argparse

import pytest
from support import ROOT
from test_hostile_endpoints import Portal, Refusing, Throttling, serving
from test_launcher_input import offline_env
from test_preflight import bad_input, fake_project, launch

from week5.cli import preflight as preflight_cli
from week5.operations import preflight

WRAPPERS = ["cdk", "cdk.py"]


# --- 1. -cstudent=lee -----------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "typed, line",
    [("-cstudent=lee", "-cstudent=lee: put a space after -c (-c student=lee)"),
     ("--contextstudent=lee",
      "--contextstudent=lee: put a space after --context (--context student=lee)")],
    ids=["-c", "--context"],
)  # fmt: skip
def test_a_context_value_attached_to_its_option_is_refused(wrapper, typed, line, tmp_path,
                                                           monkeypatch):  # fmt: skip
    """Through each wrapper end to end for -c, in process for --context."""
    end_to_end = typed == "-cstudent=lee"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, ["deploy", "Day1Lab1", typed],
                                 offline_env(tmp_path), monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/{wrapper}: {line}; the CDK CLI would drop the value"
    ]


@pytest.mark.parametrize(
    "args",
    [["-c", "student=lee"], ["-c=student=lee"], ["--context=student=lee"],
     ["--context", "student=lee"], ["--tags", "-cx=y"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_the_forms_the_cdk_cli_reads_pass(args):
    preflight.check_attached_context(["deploy", "Day1Lab1", *args])


# --- 2. a stack selector with a space around it -----------------------------------------------


@pytest.mark.parametrize("selector", ["Day1Lab1 ", " Day1Lab1", "Day1Lab1-kim\t"])
def test_a_selector_with_a_space_around_it_is_refused(selector, tmp_path, monkeypatch):
    root = fake_project(tmp_path)
    end_to_end = selector == "Day1Lab1 "
    code, stderr, calls = launch(root, "cdk", ["synth", selector, "-q"], offline_env(tmp_path),
                                 monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/cdk: {selector!r} has a space at its start or end, so it names no stack; "
        f"pass {selector.strip()!r} (`scripts/cdk ls` lists them)"
    ]


# --- 3. a source_profile that does not exist, or loops ------------------------------------------


@pytest.mark.parametrize(
    "config, says",
    [("[profile broken]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = nope\n",
      'The source_profile "nope" referenced in the profile "broken" does not exist.'),
     ("[profile broken]\nrole_arn = arn:aws:iam::111122223333:role/x\n"
      "source_profile = broken\n",
      "comes back to itself (broken -> broken)")],
    ids=["missing", "loop"],
)  # fmt: skip
@pytest.mark.parametrize("args", [["deploy", "Day1Lab1"], ["destroy", "Day1Lab1", "--force"]],
                         ids=["deploy", "destroy"])  # fmt: skip
def test_a_broken_source_profile_stops_the_command(config, says, args, tmp_path, monkeypatch):
    root = fake_project(tmp_path)
    env = offline_env(tmp_path)
    (tmp_path / "config").write_text(config)
    env.update(AWS_CONFIG_FILE=str(tmp_path / "config"))
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    code, stderr, calls = launch(root, "cdk", args, env, monkeypatch, False, profile="broken")
    assert (code, calls) == bad_input(False), stderr
    (line,) = stderr.splitlines()
    assert says in line and line.endswith("; nothing was run") and "going on" not in line


# --- 4. throttling ------------------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_throttling_stops_the_deploy(wrapper, tmp_path, monkeypatch):
    server, url = serving(Throttling)
    try:
        root = fake_project(tmp_path)
        code, stderr, calls = launch(root, wrapper, ["deploy", "Day1Lab1"],
                                     offline_env(tmp_path, url), monkeypatch,
                                     end_to_end=wrapper == "cdk")  # fmt: skip
    finally:
        server.shutdown()
    assert (code, calls) == bad_input(wrapper == "cdk"), stderr
    (line,) = stderr.splitlines()
    assert line.startswith(f"scripts/{wrapper}: AWS refused ")
    assert line.endswith(
        ": Throttling: Rate exceeded; AWS is throttling this account's calls: wait a minute, "
        "then run this again; nothing was run"
    )


def test_one_throttled_probe_before_a_bootstrap_lets_the_cli_run(tmp_path, monkeypatch):
    """The probe before a bootstrap makes one attempt: one throttled answer stopped it, where
    the CLI backs off and retries (review D18b: one request, then "AWS is throttling")."""
    server, url = serving(Throttling)
    try:
        root = fake_project(tmp_path)
        code, stderr, _ = launch(root, "cdk", ["bootstrap"], offline_env(tmp_path, url),
                                 monkeypatch, end_to_end=False)  # fmt: skip
    finally:
        server.shutdown()
    assert code == 0, stderr
    assert "throttling" not in stderr


def test_a_refusal_stays_a_note_and_the_deploy_goes_on(tmp_path, monkeypatch):
    """AccessDenied: a role that may not list stacks may still deploy (the CDK CLI's own
    bootstrap roles): the note says so, and cdk runs."""
    server, url = serving(Refusing)
    try:
        root = fake_project(tmp_path)
        code, stderr, _ = launch(root, "cdk", ["deploy", "Day1Lab1"],
                                 offline_env(tmp_path, url), monkeypatch, end_to_end=False)
    finally:
        server.shutdown()
    assert code == 0, stderr
    assert "AccessDenied" in stderr and stderr.rstrip().endswith("; going on")


def test_a_throttled_key_pair_check_stops_the_deploy(tmp_path, monkeypatch):
    """The key pair check said "note: could not check key pair ... going on" too."""
    from botocore import exceptions as bx
    from test_preflight import project

    from week5.operations import aws_errors

    class Ec2:
        def describe_key_pairs(self, **_):
            raise bx.ClientError({"Error": {"Code": "RequestLimitExceeded", "Message": "no"}},
                                 "DescribeKeyPairs")  # fmt: skip

    monkeypatch.setattr(aws_errors, "clients", lambda *_: lambda service: Ec2())
    with pytest.raises(aws_errors.AwsThrottledError):
        preflight_cli.check_named_resources(
            ["deploy", "Day1Lab1", "-c", "key_name=k"], project(tmp_path), ["Day1Lab1"],
            "ap-northeast-2", None, lambda line: None,
        )


# --- 5. an endpoint that answers HTML, and checks that fail unexpectedly -------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_portal_page_on_the_endpoint_stops_the_destroy(wrapper, tmp_path, monkeypatch):
    server, url = serving(Portal)
    try:
        root = fake_project(tmp_path)
        code, stderr, calls = launch(root, wrapper,
                                     ["destroy", "Day1Lab1", "-c", "student=kim", "--force"],
                                     offline_env(tmp_path, url), monkeypatch,
                                     end_to_end=True)  # fmt: skip
    finally:
        server.shutdown()
    assert (code, calls) == bad_input(True), stderr
    (line,) = stderr.splitlines()
    assert line.startswith(f"scripts/{wrapper}: the answer of the endpoint {url} "
                           "(AWS_ENDPOINT_URL) to ")  # fmt: skip
    assert line.endswith("or unset AWS_ENDPOINT_URL to reach AWS; nothing was run")


def test_the_instructors_destroy_stops_on_a_portal_page(tmp_path, monkeypatch):
    server, url = serving(Portal)
    try:
        for key, value in offline_env(tmp_path, url).items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(ROOT)
        args = argparse.Namespace(prog="scripts/instructor", app="instructor",
                                  cdk_args=["destroy", "--all", "--force"])  # fmt: skip
        assert preflight_cli.run(args) == preflight_cli.EXIT_BAD_CONTEXT
    finally:
        server.shutdown()


def broken_check(*_, **__):
    raise RuntimeError("a bug in the check")


@pytest.mark.parametrize("command", ["deploy", "destroy"])
def test_a_check_that_fails_unexpectedly_runs_no_deploy_or_destroy(command, tmp_path,
                                                                   monkeypatch, capsys):  # fmt: skip
    monkeypatch.setattr(preflight_cli.preflight, "check_context", broken_check)
    monkeypatch.chdir(fake_project(tmp_path))
    args = argparse.Namespace(prog="scripts/cdk", app="labs", lab_ids=None,
                              cdk_args=[command, "Day1Lab1", "--force"])  # fmt: skip
    assert preflight_cli.run(args) == preflight_cli.EXIT_BAD_CONTEXT
    assert capsys.readouterr().err.splitlines() == [
        f"scripts/cdk: the check before {command} failed (RuntimeError: a bug in the check); "
        "nothing was run: run it again, or set WEEK5_PREFLIGHT=0 to run cdk without the check"
    ]


def test_a_check_that_fails_unexpectedly_before_synth_is_still_a_note(tmp_path, monkeypatch,
                                                                      capsys):  # fmt: skip
    monkeypatch.setattr(preflight_cli.preflight, "check_context", broken_check)
    monkeypatch.chdir(fake_project(tmp_path))
    args = argparse.Namespace(prog="scripts/cdk", app="labs", lab_ids=None,
                              cdk_args=["synth", "Day1Lab1"])  # fmt: skip
    assert preflight_cli.run(args) == preflight_cli.EXIT_OK
    assert capsys.readouterr().err.splitlines() == [
        "scripts/cdk: note: the check before synth failed (RuntimeError: a bug in the check); "
        "going on"
    ]
