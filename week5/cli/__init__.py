"""The ``week5`` command line: one module per command, assembled here.

``week5 check [LAB ...]``: synthesize the labs with the pinned CDK CLI (both rule packs gate the
synthesis), run cfn-lint and the teardown check, print the lab catalog (:mod:`.check`).

``week5 local [LAB]``: deploy one lab (default Day4Lab1) into moto's server, a local AWS
emulator, with the pinned CDK CLI, and print what it created; ``--coverage`` prints which labs
deploy locally (:mod:`.local`).

``week5 cost LAB``: one lab's cost per hour, lab, day and month, itemized (:mod:`.cost`).

``week5 labs``: every lab's estimated $/hour and create/delete time against the course's figure
and the 50-minute slot (:mod:`.labs`).

``week5 diagram LAB``: the lab's architecture, as text or PNG and SVG (:mod:`.diagram`).

``week5 rollout --accounts ...``: InstructorAccess to every student account with StackSets
(:mod:`.rollout`).

``week5 audit LAB``: a student's hand-built lab checked against the reference, read-only
(:mod:`.audit`).

``week5 cleanup --day DayN``: list, or with ``--apply`` delete, a course day's tagged resources,
dependents first (:mod:`.cleanup`).

``week5 prices refresh``: rebuild the price table from the AWS Price List bulk API
(:mod:`.prices`).

``week5 init --student NAME``: set the student's name once, in cdk.context.json; ``--clear-student``
removes it (:mod:`.init`).

``week5 status``: the lab stacks in the account with their age and estimated $/hour, and what is
tagged for the course but in no stack (:mod:`.status`).

``week5 quotas --students ...``: whether a class deploy fits the account's quotas (:mod:`.quotas`).

``week5 preflight -- CDK ARGS``: what ``scripts/cdk`` checks before a command that runs the app
(the context) and before deploy and destroy (the account's stacks, the quotas) (:mod:`.preflight`).

Output: a command's result (a table, or JSON with ``--json``) alone on stdout; progress and
notes on stderr. An error is one line on stderr: ``week5: <cause>; <fix>``. AWS errors (no
credentials, an unknown profile, a bad region, an unreachable endpoint, a refusal) too, for
every command (:mod:`week5.operations.aws_errors`), exit 2.

Shared: :mod:`.synthesis` (the project folder, the CDK CLI, ``--assembly`` and ``-c``),
:mod:`.table` (the one table renderer), :mod:`.errors` (``CliError`` and the exit codes: 0 ok,
1 failed, 2 usage).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from week5.cli import (
    audit,
    check,
    cleanup,
    cost,
    diagram,
    init,
    labs,
    local,
    preflight,
    prices,
    quotas,
    rollout,
    status,
)
from week5.cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UNRECOGNIZED_NAMED,
    CliError,
    as_typed,
    usage_text,
)
from week5.cli.output import tolerant_stdout
from week5.core.errors import CourseInputError
from week5.operations.aws_errors import AwsError, check_region, translated

#: In the order ``week5 --help`` lists them.
COMMANDS = (
    check, local, cost, labs, diagram, rollout, audit, cleanup, prices,
    init, status, quotas, preflight,
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line that says where the help is (exit 2), and an
    argument it quotes is cut and escaped as other messages show a value (a trial's `week5
    status -c student=<10,000 characters>` printed all of them; `$'kim\\n'` printed two lines).
    Every command's parser is one too: ``add_subparsers`` makes its parsers of this class."""

    #: The arguments this parser was given (a subcommand's parser: those after its name).
    typed: Sequence[str] = ()

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201
        self.typed = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        command = self.prog.partition(" ")[2]  # "local" of "week5 local"; "" at the top
        where = f"{command}: " if command else ""
        text = usage_text(message, self.typed)
        self.exit(EXIT_USAGE, f"week5: {where}{text} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="week5", description="Week 5 AWS course labs as CDK.", allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """``parser.parse_args``, but an argument no option takes is the subcommand's error, which
    points at its own help (``week5 cost --help``), not the top-level list of commands."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        deepest = parser  # down the chosen subcommands: `week5 prices refresh`'s own parser
        while True:
            chosen = [
                action.choices[getattr(args, action.dest)]
                for action in deepest._actions
                if isinstance(action, argparse._SubParsersAction) and getattr(args, action.dest)
            ]
            if not chosen:
                break
            deepest = chosen[0]
        # Each as typed, or quoted and cut as a value is (empty, a space, a line break, long).
        named = " ".join(map(as_typed, extra[:UNRECOGNIZED_NAMED]))
        if len(extra) > UNRECOGNIZED_NAMED:
            named += f" (and {len(extra) - UNRECOGNIZED_NAMED} more)"
        deepest.error(f"unrecognized arguments: {named}")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    tolerant_stdout()  # a tag's emoji on a cp949 console: printed escaped, not a traceback
    args = parse(build_parser(), argv)
    profile, region = getattr(args, "profile", None), getattr(args, "region", None)
    try:
        # Every command that talks to AWS: the region checked before anything runs, and what
        # botocore raises (credentials, profile, endpoint, refusals) as one line.
        with translated(profile, region):
            if region is not None:
                check_region(region)
            return args.handler(args)
    except CliError as error:
        print(f"week5: {error}", file=sys.stderr)
        return error.code
    except (CourseInputError, AwsError) as error:  # a library check on an argument; AWS
        print(f"week5: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C in a command without its own word on it (cleanup, audit and local say what
        # is left): a synthesis cut short keeps nothing in the cache (its folder is renamed in
        # only when whole), so the same command again starts over.
        print("week5: interrupted (Ctrl-C); run the command again to start over", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
