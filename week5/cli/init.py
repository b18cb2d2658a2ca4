"""``week5 init --student NAME``: set the student's name once for this project folder.

The name goes into CDK's own per-project context file, cdk.context.json (git-ignored), which the
CDK CLI reads on every command: ``scripts/cdk deploy Day1Lab1`` then deploys
``week5-<name>-Day1Lab1``, ``destroy`` removes that one, and ``week5 cost``, ``status``,
``audit`` and ``cleanup`` take the same name. Another name, once: ``-c student=<other>`` for
``scripts/cdk.py`` and ``week5 cost``, ``--student <other>`` for ``week5 status``, ``audit`` and
``cleanup`` (status and cleanup take no ``-c``; audit takes either).
``week5 init`` alone says which name is in use and where it comes from; ``week5 init
--clear-student`` removes the name again (class mode, ``-c students=...``, takes no single
student, and an instructor's folder once set up as a student's refused it).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Optional

from week5.cli.arguments import command_parser, student_argument
from week5.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import find_project_root
from week5.core.errors import CourseInputError, shown
from week5.core.progress import say
from week5.core.settings import (
    CONTEXT_STUDENT,
    ORIGIN_USER_FILE,
    PROJECT_CONTEXT_FILE,
    context_file,
    configured_student,
)


#: What ``week5 init --student`` adds: how to name another student for one command. The
#: launcher and ``week5 cost`` take CDK context, status, audit and cleanup an option (a trial's
#: `week5 status -c student=lee`, as the line had said, was "unrecognized arguments").
OTHER_STUDENT_ONCE = (
    "Another student, once: -c student=<name> with scripts/cdk.py and week5 cost, "
    "--student <name> with week5 status, audit and cleanup."
)


def register(commands: argparse._SubParsersAction) -> None:
    init = command_parser(
        commands,
        "init",
        help="set your student name once (cdk.context.json): deploy, destroy, cost, status, "
        "audit and cleanup use it",
    )
    which = init.add_mutually_exclusive_group()
    which.add_argument(
        "--student", help="your name: a lowercase letter first, then lowercase letters, digits "
        "or '-' (no '--', no '-' at the end; e.g. kim-minsu); without it, show the name in use"
    )  # fmt: skip
    which.add_argument(
        "--clear-student",
        action="store_true",
        help=f"remove the name from {PROJECT_CONTEXT_FILE} (keeping the rest): stacks are then "
        "the default student's, and class mode (-c students=kim,lee) needs no single name",
    )
    init.set_defaults(handler=run)


def write_student(root: Path, student: Optional[str]) -> Path:
    """Set ``student`` in the project's cdk.context.json (None: remove it), keeping what else
    CDK keeps there; written beside and renamed, so an interrupted write never leaves half a
    file."""
    path = root / PROJECT_CONTEXT_FILE
    context = {}
    if path.exists() and not path.is_file():  # a folder: os.replace fails, leaving the partial
        raise CliError(
            f"{path} is not a file; move it away (CDK keeps its context in that file), then run "
            "week5 init again",
            EXIT_USAGE,
        )
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # saved in another encoding (CP949 on a Korean Windows)
            raise CliError(
                f"{path} is not UTF-8 text; save it as UTF-8 (CDK reads it so), or delete it, "
                "then run week5 init again",
                EXIT_USAGE,
            ) from None
        except OSError as error:  # permissions, not its JSON
            raise CliError(
                f"{path} cannot be read ({error.strerror or error}); give yourself read access "
                "(chmod u+r) or delete it, then run week5 init again",
                EXIT_USAGE,
            ) from None
        try:
            context = json.loads(text)
        except (ValueError, RecursionError) as error:  # RecursionError: [[[...]]] nested deep
            reason = "nests too deeply to read" if isinstance(error, RecursionError) else error
            raise CliError(
                f"{path} is not valid JSON ({reason}); fix it or delete it, then run week5 init "
                "again",
                EXIT_USAGE,
            ) from None
        if not isinstance(context, dict):
            raise CliError(f"{path} does not hold a JSON object; delete it, then run week5 init "
                           "again", EXIT_USAGE)  # fmt: skip
    if student is None:
        context.pop(CONTEXT_STUDENT, None)
    else:
        context[CONTEXT_STUDENT] = student
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(
            json.dumps(context, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(partial, path)
    except OSError as error:  # a read-only folder, a full disk
        partial.unlink(missing_ok=True)
        raise CliError(f"could not write {path} ({error.strerror}); nothing changed") from None
    return path


def run(args: argparse.Namespace) -> int:
    root = find_project_root()
    if args.clear_student:
        return clear_student(root)
    if args.student is None:
        try:
            student, source = configured_student(root)
        except CourseInputError as error:
            raise CliError(str(error), EXIT_USAGE) from None
        print(f"Student: {student} (from {source}); stacks are named week5-{student}-<lab>.")
        if source != PROJECT_CONTEXT_FILE:
            say("Set your own once with: week5 init --student <your-name>")
        return EXIT_OK
    student = student_argument(args.student, "init")
    path = write_student(root, student)
    in_use, source = configured_student(root)
    if in_use != student:
        # cdk.json's context names a student, and the CDK CLI reads it before cdk.context.json.
        raise CliError(
            f"wrote student={student} to {path}, but the CDK CLI will still use {in_use!r} from "
            f'{source}, which it reads first: delete "student" from cdk.json\'s context',
            EXIT_FAILED,
        )
    print(
        f"Student set to {student} in {path}: scripts/cdk.py deploy Day1Lab1 now deploys "
        f"week5-{student}-Day1Lab1, and destroy, week5 cost, status, audit and cleanup use "
        f"{student} too. {OTHER_STUDENT_ONCE}"
    )
    return EXIT_OK


def clear_student(root: Path) -> int:
    """``--clear-student``: remove the name ``--student`` wrote; a file without one is left
    as it is (nothing to clear is no failure)."""
    path = root / PROJECT_CONTEXT_FILE
    try:
        had = context_file(path).get(CONTEXT_STUDENT)
    except CourseInputError as error:  # a broken cdk.context.json: its own fix
        raise CliError(str(error), EXIT_USAGE) from None
    if had is not None:
        write_student(root, None)
    try:
        in_use, source = configured_student(root)
    except CourseInputError as error:
        raise CliError(str(error), EXIT_USAGE) from None
    if source == "cdk.json":  # the CDK CLI reads cdk.json's context first
        raise CliError(
            f"the CDK CLI still uses student {in_use!r} from cdk.json, which it reads before "
            f'{PROJECT_CONTEXT_FILE}: delete "student" from cdk.json\'s context',
            EXIT_FAILED,
        )
    if source == ORIGIN_USER_FILE:  # read after the project's files, when they name none
        removed = f"student {shown(had)} removed from {path}, but " if had is not None else ""
        raise CliError(
            f"{removed}the CDK CLI still uses student {in_use!r} from {ORIGIN_USER_FILE}, which "
            f"it reads when {PROJECT_CONTEXT_FILE} names no student: delete \"student\" from the "
            f"context in {ORIGIN_USER_FILE} for the default student and class mode",
            EXIT_FAILED,
        )
    if had is None:
        print(f"No student is set in {path}; nothing changed (stacks are week5-{in_use}-<lab>).")
    else:
        print(
            f"Student {shown(had)} removed from {path}: stacks are now week5-{in_use}-<lab> "
            "(the default), and class mode (-c students=kim,lee) takes no single student."
        )
    return EXIT_OK
