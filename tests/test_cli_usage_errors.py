"""argparse's own usage errors echoed the argument whole: a student trial's `week5 status -c
student=<10,000 a's>` printed 10,078 characters, and `-c student=$'kim\\n'` two lines. Bad input
is one line that names it (cut and escaped as the project's other messages show a value,
``shown``) and where the fix is, exit 2, nothing on stdout. Hostile values are walked through
argparse's messages (unrecognized arguments, invalid choice, ignored explicit argument, expected
one argument) for every command a student runs, ``--json`` too; none reaches a handler."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from support import ROOT

from week5.cli import build_parser, main
from week5.core.errors import shown

HOSTILE = {
    "long": "a" * 10_000,
    "newline": "kim\n",
    "tab": "kim\tlee",
    "escape": "\x1b[31mred",
    "unicode": "김민수🙂",
    "empty": "",
}

#: Each command as a student types it before the bad part, and whether it has --json.
COMMANDS = {
    "status": ([], True),
    "cleanup": (["--day", "Day1"], True),
    "audit": (["Day1Lab1"], True),
    "init": ([], False),
    "cost": (["Day1Lab1"], True),
    "labs": ([], True),
    "check": (["--no-cache"], False),
    "local": (["Day4Lab1"], False),
    "diagram": (["Day1Lab1"], False),
    "quotas": (["--students", "3"], True),
    "rollout": (["--accounts", "111122223333"], False),
}

#: argparse's messages each echo the value differently: "unrecognized arguments" as typed,
#: "ignored explicit argument" in Python's quotes. (command, value) -> the bad part.
FORMS = {
    "positional": lambda command, value: [value],  # no command takes a second one
    "unknown option": lambda command, value: [f"--bogus={value}"],
    "student as context": lambda command, value: ["-c", f"student={value}"],
    "flag with a value": lambda command, value: [f"--json={value}" if COMMANDS[command][1]
                                                 else f"--help={value}"],
}  # fmt: skip

#: Where `-c student=` is CDK context the command takes (a check of the value, not argparse's).
TAKES_CONTEXT = {"audit", "cost", "labs", "check", "local", "diagram", "quotas", "rollout"}


def cases():
    for command, (base, has_json) in COMMANDS.items():
        for form, bad in FORMS.items():
            if form == "student as context" and command in TAKES_CONTEXT:
                continue
            if form == "positional" and command in ("check", "quotas"):  # LAB ...: any number
                continue
            for name, value in HOSTILE.items():
                argv = [command, *base, *bad(command, value)]
                yield pytest.param(argv, value, id=f"{command}-{form}-{name}")
                if has_json:
                    argv = [command, *base, "--json", *bad(command, value)]
                    yield pytest.param(argv, value, id=f"{command}-json-{form}-{name}")


def refused(argv, capsys) -> str:
    """The one line ``week5 ARGV`` prints, checked: exit 2, stdout empty."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert captured.out == ""
    return captured.err


def assert_one_line(err: str, command: str) -> None:
    assert err.endswith(f"(see `week5 {command} --help`)\n"), err[:300]
    line = err[:-1]
    assert "\n" not in line and "\r" not in line, err[:300]
    assert all(c.isprintable() for c in line), ascii(err[:300])
    assert len(err) <= 300, (len(err), err[:300])


@pytest.mark.parametrize("argv, value", cases())
def test_a_hostile_argument_is_one_short_line(argv, value, capsys):
    err = refused(argv, capsys)
    assert_one_line(err, argv[0])
    assert err.startswith(f"week5: {argv[0]}: ")
    # The input is named, escaped and cut as shown() shows a value; an empty one by the
    # argument that held it, or as '' (review D16: `"" in err` could not fail).
    if value:
        assert shown(value)[1:-1][:20] in err, err
    else:
        assert argv[-1] in err or shown(argv[-1]) in err or "''" in err, err


@pytest.mark.parametrize("name, value", HOSTILE.items(), ids=list(HOSTILE))
def test_a_hostile_command_name_is_one_short_line(name, value, capsys):
    err = refused([value], capsys)
    assert err.startswith(f"week5: argument COMMAND: invalid choice: {shown(value)} ")
    assert err.endswith("(see `week5 --help`)\n")
    assert "\n" not in err[:-1] and len(err) <= 300 and err[:-1].isprintable(), ascii(err[:300])


@pytest.mark.parametrize("name, value", HOSTILE.items(), ids=list(HOSTILE))
def test_a_hostile_choice_is_named_with_the_choices(name, value, capsys):
    err = refused(["diagram", "Day1Lab1", "--format", value], capsys)
    assert err == (
        f"week5: diagram: argument --format: invalid choice: {shown(value)} (choose from "
        "'text', 'picture') (see `week5 diagram --help`)\n"
    )


@pytest.mark.parametrize("command", ["status", "cleanup", "audit", "init"])
def test_an_option_without_its_value_is_one_line(command, capsys):
    base = COMMANDS[command][0]
    err = refused([command, *base, "--student"], capsys)
    assert err == (
        f"week5: {command}: argument --student: expected one argument "
        f"(see `week5 {command} --help`)\n"
    )


def test_the_trial_lines(capsys):
    err = refused(["status", "-c", "student=" + "a" * 10_000], capsys)
    assert err == (
        f"week5: status: unrecognized arguments: -c {shown('student=' + 'a' * 10_000)} "
        "(see `week5 status --help`)\n"
    )
    assert refused(["status", "-c", "student=kim\n"], capsys) == (
        "week5: status: unrecognized arguments: -c 'student=kim\\n' (see `week5 status --help`)\n"
    )
    # What reads back as typed stays as typed (tests elsewhere pin it).
    assert refused(["status", "-c", "student=lee"], capsys) == (
        "week5: status: unrecognized arguments: -c student=lee (see `week5 status --help`)\n"
    )


@pytest.mark.parametrize("word, named", [("", "''"), ("a b", "'a b'"), (" ", "' '")])
def test_an_empty_or_spaced_word_is_named_quoted(word, named, capsys):
    """An empty argument was named as nothing ("unrecognized arguments:  (see"), and `a b`
    read as two."""
    assert refused(["status", word, "x"], capsys) == (
        f"week5: status: unrecognized arguments: {named} x (see `week5 status --help`)\n"
    )


def test_many_stray_words_are_counted_not_listed(capsys):
    """A paragraph pasted after the command: its first words, then how many more."""
    err = refused(["status", *("word" for _ in range(3000))], capsys)
    assert err == (
        "week5: status: unrecognized arguments: word word word (and 2997 more) "
        "(see `week5 status --help`)\n"
    )


def test_a_checks_own_message_is_kept_whole(capsys):
    """A type check's message quotes with shown() already and says the fix: not cut further."""
    err = refused(["quotas", "--students", "a b"], capsys)
    assert err.startswith("week5: quotas: argument --students: --students has 'a b', ")
    assert err.endswith("(see `week5 quotas --help`)\n") and err.count("\n") == 1


def parsers(parser, prefix=("week5",)):
    yield " ".join(prefix), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*prefix, name))


PARSERS = dict(parsers(build_parser()))


@pytest.mark.parametrize("prog", list(PARSERS))
def test_every_commands_parser_shortens_what_it_echoes(prog, capsys):
    """Every subcommand's parser is the class that shortens (`prices refresh` too), as argparse
    itself calls it with the arguments after the command's name."""
    parser = PARSERS[prog]
    assert type(parser) is type(build_parser()), prog
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["--help=\x1b[2J" + "x" * 5000])  # argparse's parse_args, not ours
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "week5: " + f"{prog.partition(' ')[2]}: " * (prog != "week5") + "argument -h/--help: "
        f"ignored explicit argument '\\x1b[2J{'x' * 33}...' (see `{prog} --help`)\n"
    )


def test_the_installed_command_prints_one_line():
    """What a terminal gets: the process's stderr, exit 2, stdout empty."""
    for value, line_has in (("a" * 10_000, "'student=aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"),
                            ("kim\n", "'student=kim\\n'")):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "week5", "status", "-c", f"student={value}"],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and len(result.stderr) <= 300, result.stderr[:300]
        assert line_has in result.stderr
