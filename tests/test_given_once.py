"""An option that takes one value, given twice, is refused: argparse kept the last silently, and
a hostile trial's `rollout --accounts A --accounts B` rolled out to B alone, `cleanup --region
ap-northeast-2 --region us-east-1 --apply` cleaned us-east-1. Every command's such options are
walked (a new one cannot forget it), and a few refusals are run. Then what a trial found next to
them: `rollout --dry-run` went on to a minute of synthesis and exit 0 with a bad --profile, no
credentials or no AWS to reach; `quotas` named the credentials before a broken --assembly."""

from __future__ import annotations

import argparse
import socket

import pytest
from support import ROOT, aws_home_without_keys

from week5.cli import COMMANDS, build_parser, main
from week5.cli import rollout as rollout_cli
from week5.cli.arguments import GivenOnce

#: Actions that may come more than once: flags (their second changes nothing), ``-c``'s append
#: (each a value of its own), help. Anything else that an option runs must be GivenOnce.
MAY_REPEAT = (
    argparse._StoreConstAction,  # store_true and store_false too
    argparse._AppendAction,
    argparse._AppendConstAction,
    argparse._CountAction,
    argparse._HelpAction,
    argparse._VersionAction,
    argparse.BooleanOptionalAction,
)



def command_parsers(parser, prefix=()):
    """(``("prices", "refresh")``, its parser) for every command, the nested ones too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from command_parsers(sub, (*prefix, name))


COMMAND_PARSERS = dict(command_parsers(build_parser()))


def test_the_walk_reaches_every_command():
    names = {path[0] for path in COMMAND_PARSERS}
    assert names == {command.__name__.rsplit(".", 1)[1] for command in COMMANDS}
    assert ("prices", "refresh") in COMMAND_PARSERS


@pytest.mark.parametrize("path", sorted(COMMAND_PARSERS), ids=" ".join)
def test_no_option_is_taken_from_its_first_letters(path):
    """A hostile trial: `cleanup --day Day2 --ap --json` was `--apply` and deleted; `rollout
    --change` was `--change-trust`."""
    assert build_parser().allow_abbrev is False
    assert COMMAND_PARSERS[path].allow_abbrev is False


@pytest.mark.parametrize("argv, option", [
    (["cleanup", "--day", "Day2", "--ap"], "--ap"),
    (["cleanup", "--day", "Day2", "--appl", "--json"], "--appl"),
    (["rollout", "--accounts", "123456789012", "--change"], "--change"),
])  # fmt: skip
def test_an_abbreviated_option_is_refused_before_anything_runs(argv, option, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"unrecognized arguments: {option}" in line, line


@pytest.mark.parametrize("argv, says", [
    (["cost", "Day1Lab1", "--bogus"],
     "week5: cost: unrecognized arguments: --bogus (see `week5 cost --help`)"),
    (["prices", "refresh", "--x"],
     "week5: prices refresh: unrecognized arguments: --x (see `week5 prices refresh --help`)"),
    # a missing subcommand by the word a user types, not argparse's internal name
    (["prices"], "week5: prices: the following arguments are required: refresh (see `week5 "
     "prices --help`)"),
])  # fmt: skip
def test_an_unknown_argument_points_at_its_own_commands_help(argv, says, capsys):
    """It pointed at `week5 --help`, the list of commands (hostile trial)."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [says]


@pytest.mark.parametrize("path", sorted(COMMAND_PARSERS), ids=" ".join)
def test_every_option_that_takes_one_value_is_given_once(path):
    forgot = [
        "/".join(action.option_strings)
        for action in COMMAND_PARSERS[path]._actions
        if action.option_strings
        and not isinstance(action, (GivenOnce, *MAY_REPEAT))
    ]
    assert not forgot, (
        f"week5 {' '.join(path)}: {', '.join(forgot)} would keep the last of two values "
        "silently; make the command's parser with week5.cli.arguments.command_parser"
    )


@pytest.mark.parametrize(
    "argv, says",
    [
        (["rollout", "--accounts", "123456789012", "--accounts", "222233334444", "--dry-run",
          "-c", "instructor_account=111122223333"],
         "rollout: --accounts given twice ('123456789012', then '222233334444')"),
        (["cleanup", "--day", "Day1", "--region", "ap-northeast-2", "--region", "us-east-1",
          "--apply", "--student", "kim"],
         "cleanup: --region given twice ('ap-northeast-2', then 'us-east-1')"),
        (["init", "--student", "kim", "--student", "lee"],
         "init: --student given twice ('kim', then 'lee')"),
        (["status", "--student", "kim", "--student", "lee"],
         "status: --student given twice ('kim', then 'lee')"),
        (["audit", "Day1Lab1", "--student", "kim", "--student", "instructor"],
         "audit: --student given twice ('kim', then 'instructor')"),
        (["cost", "Day1Lab1", "--students", "3", "--students", "5"],
         "cost: --students given twice (3, then 5)"),
        (["diagram", "Day1Lab1", "--format", "text", "--format", "picture"],
         "diagram: --format given twice ('text', then 'picture')"),
        # Converted to names (#1, #2, #3), which the user never typed: the text typed shown.
        (["quotas", "--students", "3", "--students", "kim,lee"],
         "quotas: --students given twice ('3', then 'kim,lee')"),
        (["labs", "--assembly", "cdk.out", "--assembly", "other"],
         "labs: --assembly given twice ('cdk.out', then 'other')"),
        (["prices", "refresh", "--offer-url", "a", "--offer-url", "b"],
         "prices refresh: --offer-url given twice ('a', then 'b')"),
    ],
)  # fmt: skip
def test_an_option_given_twice_is_one_line_and_exit_2_before_the_command_runs(
    argv, says, tmp_path, monkeypatch, capsys
):
    # Outside the project: were the option taken, init would not write its cdk.context.json.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:  # argparse's: the command's handler never ran
        main(argv)
    out, err = capsys.readouterr()
    assert stopped.value.code == 2 and out == ""
    command = argv[0] if argv[0] != "prices" else "prices refresh"
    assert err == f"week5: {says}: pass it once (see `week5 {command} --help`)\n"


def test_flags_and_context_may_still_repeat():
    args = build_parser().parse_args(
        ["rollout", "--accounts", "222233334444", "--dry-run", "--dry-run",
         "-c", "instructor_account=111122223333", "-c", "external_id=week5-fall"]
    )  # fmt: skip
    assert args.dry_run and args.context == [
        "instructor_account=111122223333", "external_id=week5-fall",
    ]  # fmt: skip


# --- rollout --dry-run: AWS asked before the synthesis -------------------------------------


@pytest.fixture
def aws_home(tmp_path, monkeypatch):
    """No AWS variables, and an AWS config with one profile, `week5`, that has no keys; from the
    project folder (rollout reads the instructor app's context there)."""
    aws_home_without_keys(tmp_path, monkeypatch)
    monkeypatch.chdir(ROOT)
    return tmp_path


@pytest.fixture
def no_synthesis(monkeypatch):
    def synthesize(*args, **kwargs):
        raise AssertionError("synthesized although AWS could not be asked")

    monkeypatch.setattr(rollout_cli, "synthesize", synthesize)


def closed_port() -> int:
    """A port from 47100 to 47999 that nothing listens on."""
    for port in range(47100, 48000):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("every port from 47100 to 47999 is taken")


DRY_RUN = ["rollout", "--accounts", "123456789012", "--dry-run",
           "-c", "instructor_account=111122223333"]  # fmt: skip


def one_line(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "", (code, out, err)
    (line,) = err.splitlines()  # no "==> synthesizing", no "note:"
    assert line.startswith("week5: ") and "Traceback" not in err
    return line[len("week5: ") :]


def test_a_dry_run_with_an_unknown_profile_is_refused_before_the_synthesis(
    aws_home, no_synthesis, capsys
):
    assert one_line(capsys, [*DRY_RUN, "--profile", "nope"]) == (
        f"AWS profile 'nope' (from --profile) is not in {aws_home / 'config'} (AWS_CONFIG_FILE) "
        f"or {aws_home / 'credentials'} (AWS_SHARED_CREDENTIALS_FILE); pass one of: week5, or "
        "create it with `aws configure --profile nope` (or `aws configure sso`)"
    )


def test_a_dry_run_without_credentials_is_one_line(aws_home, no_synthesis, capsys):
    assert one_line(capsys, DRY_RUN).startswith("no AWS credentials were found")


def test_a_dry_run_that_cannot_reach_aws_is_one_line(aws_home, no_synthesis, capsys, monkeypatch):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert endpoint in one_line(capsys, DRY_RUN)


def test_a_bad_context_is_still_named_before_aws(aws_home, no_synthesis, capsys):
    """The instructor app's context is checked first: no AWS call is needed to refuse it."""
    line = one_line(capsys, ["rollout", "--accounts", "123456789012", "--dry-run"])
    assert line.startswith("rollout needs InstructorAccess's trusted account")


# --- quotas: a broken --assembly before AWS ----------------------------------------------


@pytest.mark.parametrize("manifest", [None, "{not json"])
def test_quotas_names_a_broken_assembly_before_the_credentials(
    manifest, aws_home, tmp_path, capsys
):
    assembly = tmp_path / "assembly"
    assembly.mkdir()
    if manifest is not None:
        (assembly / "manifest.json").write_text(manifest)
    line = one_line(capsys, ["quotas", "--students", "3", "--json", "--assembly", str(assembly)])
    assert "credentials" not in line and str(assembly) in line
    assert "cloud assembly" in line


# --- audit: AWS before a synthesis, a broken --assembly before AWS ---------------------------


@pytest.fixture
def audit_no_synthesis(monkeypatch):
    from week5.cli import audit as audit_cli

    def synthesized_lab(args, **kwargs):
        if args.assembly is None:
            raise AssertionError("synthesized although AWS could not be asked")
        return real(args, **kwargs)

    real = audit_cli.synthesized_lab
    monkeypatch.setattr(audit_cli, "synthesized_lab", synthesized_lab)


def test_audit_asks_aws_before_it_synthesizes(aws_home, audit_no_synthesis, capsys):
    """`week5 audit` synthesized the lab (seconds, cold) and only then found no credentials or
    an unknown profile; the other commands ask first."""
    assert one_line(capsys, ["audit", "Day4Lab1", "--profile", "nope"]).startswith(
        "AWS profile 'nope' (from --profile) is not in"
    )
    assert one_line(capsys, ["audit", "Day4Lab1"]).startswith("no AWS credentials were found")
    # the lab id and the context are the user's to fix first, as before
    assert one_line(capsys, ["audit", "day4lab1"]).startswith("'day4lab1' is not a lab id")
    assert "context 'student'" in one_line(capsys, ["audit", "Day4Lab1", "-c", "student=Kim Lee"])


def test_audit_names_a_broken_assembly_before_the_credentials(
    aws_home, audit_no_synthesis, tmp_path, capsys
):
    assembly = tmp_path / "assembly"
    assembly.mkdir()
    line = one_line(capsys, ["audit", "Day4Lab1", "--assembly", str(assembly)])
    assert "credentials" not in line and str(assembly) in line
