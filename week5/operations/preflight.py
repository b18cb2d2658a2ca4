"""What ``scripts/cdk`` and ``scripts/cdk.py`` check before a CDK command that runs the app:
the context, and before ``cdk deploy`` and ``cdk destroy`` the account's stacks.

The stack a command acts on is ``week5-<student>-<lab>``, and the student comes from ``-c
student=``, else the project's context files (``week5 init --student kim`` writes
cdk.context.json), else the user's ~/.cdk.json, as the CDK CLI reads them, else the default
``instructor``. A name that is not the student's own makes
``cdk destroy`` remove nothing while reporting "destroyed", and the student's stack keeps
billing; ``cdk deploy`` builds a second copy beside it. So, with one paginated ``ListStacks``:

* ``destroy`` of a stack that does not exist, while the same lab exists under another name:
  nothing is run, the names are printed, exit 1 (nothing destroyed, and nothing says so);
* ``destroy`` of a stack that does not exist, and no other copy either: "nothing to destroy",
  exit 0, without running ``cdk destroy`` (which would print "destroyed");
* ``deploy`` of a new stack while the same lab exists under another name: one warning line with
  the names, then the deploy goes on (twelve students share an account by design).

Before those, and before ``synth``, ``diff``, ``ls`` and ``watch`` too, the context the app will
get (``-c``, cdk.json, cdk.context.json, ~/.cdk.json) is checked as the app checks it, without
running it (:func:`check_context`, a few milliseconds): a misspelt key, an empty or null value,
a ``-c key`` with no value (which the CDK CLI drops), a ``-c`` with nothing after it (the CDK
CLI prints its help), a bad course-wide value or a lab id the catalog does not have
(:func:`check_known_labs`) stops the wrapper with one line, exit 2, instead of the app's line and
the CDK CLI's "Subprocess exited with error 1".

Class mode (``-c students=``) names each stack ``Day4Lab1-kim``: a bare ``Day4Lab1`` (or the
copy of a student not in the class) is refused with the ids to pass, before the quota check and
the CDK CLI's "No stacks match"; so is a copy's id no student name makes (``Day4Lab1-김``, a
zero-width space, a full-width digit), which ``cdk destroy`` would call done. Without class mode,
a copy's id (``Day1Lab1-kim``) is refused with ``-c student=kim`` to pass. Class mode skips
the name warnings and, for ``deploy``, checks the quotas (:mod:`week5.operations.quotas`; the
CLI layer synthesizes the templates); on an emulator (:func:`emulator_endpoint`), which enforces
no quota, a shortfall is a note of what AWS would refuse and the deploy goes on
(:func:`emulator_quota_note`). When AWS cannot be asked (a timeout, a refusal, boto3 not
installed), one note says so and the command goes on: ``cdk`` itself then reports the
problem. When botocore finds no credentials at all, ``deploy``, ``diff`` and ``destroy``
(:data:`CREDENTIAL_COMMANDS`) stop with the fix (:func:`no_credentials_message`), where the CDK
CLI would synthesize, then fail ("Unable to resolve AWS account to use"); and ``deploy`` of a
lab that reads context ``key_name`` or ``restore_snapshot_id`` (from ``-c`` or a context file)
asks EC2 for that key pair or snapshot (:func:`key_pair_missing`, :func:`snapshot_missing`),
which a typo would make fail minutes into CloudFormation. When AWS certainly cannot be reached (a refused connection, a
host name that does not resolve), a command that needs AWS (:data:`AWS_COMMANDS`) stops
instead. A selector no stack id can be (not ASCII, too long: :func:`check_context`) or a
``*``/``?`` pattern that matches none of the labs' ids (``Day1Lab1-*`` without class mode:
:func:`check_patterns`) stops too. ``WEEK5_PREFLIGHT=0`` skips every check.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from week5.core.catalog import COURSE_DAYS, LAB_ID_RE, LAB_KINDS, unknown_lab_message
from week5.core.errors import CourseInputError
from week5.core.settings import check_context as check_known_context
from week5.core.settings import (
    CONTEXT_LABS,
    CONTEXT_REGION,
    CONTEXT_RESTORE_SNAPSHOT_ID,
    CONTEXT_STUDENT,
    CONTEXT_STUDENTS,
    DEFAULT_REGION,
    INSTRUCTOR_STACKS,
    KNOWN_CONTEXT,
    CourseSettings,
    check_instructor_context,
    check_lab_context,
    configured_student,
    context_origins,
    parse_region,
    parse_student,
    parse_students,
    read_project_context,
    shown,
)
from week5.operations.aws_errors import aws_endpoint, local_endpoint
from week5.operations.status import parse_stack_name

#: The same pattern the wrappers select labs with (scripts/cdk, scripts/cdk.py).
LAB_ARG_RE = re.compile(r"([Dd]ay[0-9]+[A-Za-z0-9]*)(-[A-Za-z0-9*?-]*)?", re.ASCII)
#: What makes a selector a pattern for the CDK CLI, which matches with picomatch: globs,
#: braces, extglobs and classes (``Day4Lab1-{kim,lee}``, ``!InstructorAccess``).
PATTERN_CHARACTERS = frozenset("*?[]{}()!+@|")


def is_pattern(arg: str) -> bool:
    """Whether the CDK CLI reads ``arg`` as a pattern: it is the CLI's to match, not checked."""
    return any(c in PATTERN_CHARACTERS for c in arg)


#: CDK CLI options that take a value (so the value is not the command).
VALUE_OPTIONS = frozenset(
    {"-a", "--app", "-c", "--context", "--profile", "-o", "--output", "-r", "--role-arn",
     "-p", "--plugin", "--proxy", "--ca-bundle-path", "--toolkit-stack-name",
     # deploy's and diff's own (CDK CLI 2.1148), so their values are not read as stacks
     "-O", "--outputs-file", "--change-set-name", "--template", "-t", "--tags", "--parameters",
     "--notification-arns", "-E", "--build-exclude", "--concurrency", "--require-approval",
     "-m", "--method", "--progress",
     # global ones that take a string or a list (CDK CLI 2.1148)
     "--telemetry-file", "--unstable"}
)  # fmt: skip
CHECKED_COMMANDS = ("deploy", "destroy")
#: The CDK CLI commands that cannot work without AWS: when it certainly cannot be reached (a
#: refused connection, a host name that does not resolve) the preflight stops them, where the
#: CDK CLI would retry for a minute. synth and ls need no AWS. The launchers run the preflight
#: before the app's commands and bootstrap only (scripts/cdk.py PREFLIGHT_COMMANDS): import,
#: rollback, drift, gc and refactor are here for a preflight run by hand.
AWS_COMMANDS = ("deploy", "destroy", "diff", "watch", "bootstrap", "import", "rollback",
                "drift", "gc", "refactor")  # fmt: skip
#: The CDK CLI commands that cannot run without AWS credentials: each resolves the account
#: first, and without credentials fails with "Unable to resolve AWS account to use" (exit 1)
#: after seconds of synthesis (destroy after printing "destroying..."). The preflight stops
#: them when botocore finds none (:func:`no_credentials_message`).
CREDENTIAL_COMMANDS = ("deploy", "diff", "destroy")
#: The setting of cdk.json (or ~/.cdk.json) and the options that load CDK CLI plugins, which
#: may supply credentials botocore cannot see: with one, missing credentials are not judged.
PLUGIN_SETTING = "plugin"
PLUGIN_OPTIONS = ("-p", "--plugin")
#: The EC2 error code for a key pair the region does not have.
KEY_PAIR_NOT_FOUND = "InvalidKeyPair.NotFound"
SNAPSHOT_NOT_FOUND = "InvalidSnapshot.NotFound"
#: Longer than any stack id of the labs (CloudFormation's stack names stop at 128) and than a
#: class's brace pattern (30 students): a selector this long matches nothing, and the CDK CLI
#: says so after synthesizing every lab (picomatch refuses one of 64 KB outright).
SELECTOR_MAX_LENGTH = 1024
#: More alternatives than a class's brace pattern has: beyond, the pattern is the CLI's.
_MAX_ALTERNATIVES = 256
#: The CDK CLI commands that run the app, whose context :func:`check_context` checks first.
APP_COMMANDS = ("synth", "synthesize", "diff", "deploy", "destroy", "ls", "list", "watch")
#: At most this many other stacks are named in one line.
NAMES_SHOWN = 5
SKIP_ENV = "WEEK5_PREFLIGHT"


@dataclass
class Plan:
    """What a ``cdk deploy``/``destroy`` command line will act on."""

    command: str
    labs: List[str]
    all_labs: bool
    student: str
    #: Where the student came from: "-c student", a file name, or "the default".
    student_source: str
    students: Tuple[str, ...]
    region: str
    profile: Optional[str]
    context: Dict[str, str] = field(default_factory=dict)
    #: In class mode, per lab named, the students whose copies its selectors name
    #: (:func:`class_copies`: ``Day1Lab2-kim``, kim's); a lab not in it: every student's.
    copies: Dict[str, Tuple[str, ...]] = field(default_factory=dict)

    @property
    def class_mode(self) -> bool:
        return bool(self.students)

    def students_of(self, lab: str) -> Tuple[str, ...]:
        """The students whose copy of ``lab`` the command acts on (class mode: those its
        selectors name, else all of -c students; else the one student)."""
        if not self.students:
            return (self.student,)
        return self.copies[lab] if lab in self.copies else self.students

    def targets(self, lab: str) -> List[str]:
        return [f"week5-{name}-{lab}" for name in self.students_of(lab)]

    @property
    def named_students(self) -> Tuple[str, ...]:
        """The students whose copies of the labs named the command acts on, in the class's
        order: ``deploy Day1Lab2-kim -c students=kim,lee,park`` acts on kim's alone."""
        if not self.students:
            return (self.student,)
        if self.all_labs or not self.labs:
            return self.students
        chosen = {name for lab in self.labs for name in self.students_of(lab)}
        return tuple(name for name in self.students if name in chosen)

    @property
    def who(self) -> str:
        source = self.student_source
        origin = source if source == "the default" else f"from {source}"
        return f"student {self.student!r} ({origin})"


def _arguments(args: Sequence[str]) -> Iterator[Tuple[str, Optional[str]]]:
    """Each argument of a ``cdk`` command line as (it, or its option, and the option's value;
    None for a bare argument): ``-c k=v``, ``--context=k=v`` and ``-c=k=v`` alike."""
    items = list(args)
    index = 0
    while index < len(items):
        arg, value = items[index], None
        if arg in VALUE_OPTIONS and index + 1 < len(items):
            value = items[index + 1]
            index += 1
        elif (arg.startswith("--") or arg.startswith("-c=")) and "=" in arg:
            arg, value = arg.split("=", 1)  # --context=k=v, and -c=k=v, which the CLI takes too
        yield arg, value
        index += 1


def command_context(args: Sequence[str]) -> Tuple[Optional[str], Dict[str, str], Optional[str]]:
    """(the CDK command, ``-c`` context, ``--profile``) from a ``cdk`` command line."""
    command, context, profile = None, {}, None
    for arg, value in _arguments(args):
        if value is not None:
            if arg in ("-c", "--context") and "=" in value:
                key, item = value.split("=", 1)
                context[key] = item
            elif arg == "--profile":
                profile = value
        elif not arg.startswith("-") and command is None:
            command = arg
    return command, context, profile


def check_given_once(args: Sequence[str]) -> None:
    """``--profile`` given twice with two values: the CDK CLI takes the last, silently, while
    a check of the first (``--profile ''``, a misspelt name) would pass or refuse the wrong
    one. Refused as a ``-c`` key given twice is (:func:`check_context`)."""
    given: Optional[str] = None
    for arg, value in _arguments(args):
        if arg == "--profile" and value is not None:
            if given is not None and value != given:
                raise CourseInputError(
                    f"--profile given twice ({shown(given)}, then {shown(value)}): pass it once"
                )
            given = value


def check_attached_context(args: Sequence[str]) -> None:
    """``-cstudent=lee`` (no space after ``-c``) or ``--contextstudent=lee``: the CDK CLI reads
    the first as the short options -c, -s, -t... and the second as an unknown option, warns
    "Unknown option(s)" and drops the value, so the deploy went on as the default student's
    (a trial deployed week5-instructor-Day1Lab1). Refused as :class:`CourseInputError` with
    the form the CLI reads; ``-c=k=v`` and ``--context=k=v`` it reads, so they pass."""
    for arg, value in _arguments(args):
        typed = arg if value is None or arg in VALUE_OPTIONS else f"{arg}={value}"
        if value is None and len(arg) > 2 and arg.startswith("-c") and arg[2] not in "-=":
            option, given = "-c", arg[2:]
        elif arg.startswith("--context") and arg not in ("--context", "--context="):
            option, given = "--context", typed[len("--context"):]
        else:
            continue
        raise CourseInputError(
            f"{_as_typed(typed)}: put a space after {option} ({option} {_as_typed(given)}); "
            "the CDK CLI would drop the value"
        )


def _as_typed(text: str) -> str:
    """``text`` as typed when it reads as itself (printable, no space), else quoted."""
    plain = text.isprintable() and not any(c.isspace() for c in text) and len(text) <= 60
    return text if plain else shown(text, 60)


def context_without_values(args: Sequence[str]) -> List[str]:
    """The ``-c``/``--context`` arguments of a ``cdk`` command line that are no ``key=value``:
    the CDK CLI warns and drops them, so ``-c student`` (its value lost) deploys the default."""
    return [
        value
        for arg, value in _arguments(args)
        if arg in ("-c", "--context") and value is not None and "=" not in value
    ]


def lab_args(args: Sequence[str]) -> Tuple[List[str], bool]:
    """(the lab ids named, as the wrappers select them; True for ``--all``)."""
    labs: List[str] = []
    for arg in args:
        if arg == "--all":
            return [], True
        match = LAB_ARG_RE.fullmatch(arg)
        if match and LAB_ID_RE.match(match.group(1)) and match.group(1) not in labs:
            labs.append(match.group(1))
    return labs, False


def class_copies(args: Sequence[str], students: Sequence[str]) -> Dict[str, Tuple[str, ...]]:
    """In class mode, per lab named on a ``cdk`` line, the students (of ``students``, in their
    order) whose copies its selectors name: ``Day1Lab2-kim`` kim's; ``"Day4Lab1-*"`` and
    ``"Day4Lab1-{kim,lee}"`` (its alternatives: :func:`brace_alternatives`) those they match. A
    plain lab id (which :func:`check_context` refuses in class mode) or a pattern fnmatch cannot
    read alike (picomatch's): every student's, as before (the quota check then counts the whole
    class). Selectors matching none of ``students`` (``"Day4Lab1-x*"``): none, so destroy says
    there is nothing to destroy (it went ahead with a note naming the class's stacks)."""
    command, _, _ = command_context(args)
    named: Dict[str, set] = {}
    for arg, value in _arguments(args):
        if value is not None or arg.startswith("-") or arg == command:
            continue
        alternatives = brace_alternatives(arg) if is_pattern(arg) else [arg]
        if alternatives is None:  # picomatch's to match: every copy of the lab it starts with
            lead = re.match(r"(Day[0-9]+[A-Za-z0-9]*)-", arg, re.ASCII)
            if lead and LAB_ID_RE.match(lead.group(1)):
                named.setdefault(lead.group(1), set()).update(students)
            continue
        for alternative in alternatives:
            match = LAB_ARG_RE.fullmatch(alternative)
            if not match or not LAB_ID_RE.match(match.group(1)):
                continue
            lab = match.group(1)
            found = named.setdefault(lab, set())
            if match.group(2) is None:
                found.update(students)
            else:
                found.update(s for s in students
                             if fnmatch.fnmatchcase(f"{lab}-{s}", alternative))  # fmt: skip
    return {lab: tuple(s for s in students if s in found) for lab, found in named.items()}


def _check_stack_selector(arg: str, app: str = "labs") -> None:
    """A lab id written in another case, or nothing: the CDK CLI would synthesize every lab and
    then say "No stacks match" (exit 1). Anything else bare is left to the CLI (a command, a
    glob, an option's value this check does not know)."""
    if not arg.strip():
        advice = (
            f"pass {' or '.join(INSTRUCTOR_STACKS)} (`scripts/instructor ls` lists them)"
            if app == "instructor"
            else "pass lab ids such as Day1Lab1 (`scripts/cdk ls` lists them)"
        )
        raise CourseInputError(f"{shown(arg)} names no stack; {advice}")
    if app == "instructor":  # the lab ids' spellings are the labs app's
        return
    if arg != arg.strip():  # "Day1Lab1 ": 20 s of synthesis, then "No stacks match"
        raise CourseInputError(
            f"{shown(arg)} has a space at its start or end, so it names no stack; pass "
            f"{shown(arg.strip())} (`scripts/cdk ls` lists them)"
        )
    parts = [part for part in arg.split(",") if part]
    if "," in arg and parts and all(LAB_ARG_RE.fullmatch(part) for part in parts):
        raise CourseInputError(
            f"{shown(arg)}: pass lab ids as separate arguments ({' '.join(parts)}), not "
            "separated by commas"
        )
    # The wrappers' own selector shape, in any case: a file name (day1lab1-out.json) is not one.
    match = re.fullmatch(LAB_ARG_RE.pattern, arg, re.ASCII | re.IGNORECASE)
    if match and not LAB_ID_RE.match(match.group(1)):
        fixed = _lab_id_spellings(match.group(1))
        if fixed:  # another day or kind is the app's to refuse, with the valid ids
            raise CourseInputError(
                f"{shown(arg)} is not a lab id (did you mean {fixed[0]}"
                f"{match.group(2) or ''}? lab ids are case-sensitive); `scripts/cdk ls` lists "
                "them"
            )


def _check_class_selectors(args: Sequence[str], students: Sequence[str]) -> None:
    """In class mode each stack's construct id is ``Day4Lab1-kim``: a bare ``Day4Lab1``, or
    the copy of a student not in the class, matches none, and the CDK CLI says "No stacks
    match" (exit 1) after the quota check and a synthesis. A copy id no student's can be
    (``Day4Lab1-김``, ``-KIM``, a zero-width space, a full-width digit) is one too: ``destroy``
    would exit 0 with the copy still deployed."""
    for arg, lab, suffix, plain in _lab_selectors(args):
        if plain == arg and suffix in students:
            continue
        copies = _names([f"{lab}-{name}" for name in students])
        if plain != arg:
            why = f": it is not {shown(plain)} (it has a look-alike or invisible character)"
        else:
            why = "" if not suffix else f": {shown(suffix)} is not among the class's students"
        raise CourseInputError(
            f"{_selector(arg)} matches no stack in class mode{why} (its copies are {copies}); "
            f'pass "{lab}-*" for every student\'s copy, or {lab}-{students[0]} for one'
        )


def _check_plain_selectors(args: Sequence[str]) -> None:
    """Without class mode a lab's construct id is ``Day1Lab1`` alone: a copy id such as
    ``Day1Lab1-kim`` (class mode's) matches no stack, and the CDK CLI says "No stacks match",
    exit 1 for deploy but exit 0 for destroy while ``week5-kim-Day1Lab1`` is still deployed."""
    for arg, lab, suffix, plain in _lab_selectors(args):
        if arg == lab:
            continue
        try:
            student = parse_student(suffix) if plain == arg else None
        except CourseInputError:
            student = None
        if student is None:
            why = "" if plain == arg else f" (it reads as {shown(plain)})"
            raise CourseInputError(
                f"{_selector(arg)} matches no stack{why}: a lab's id is {lab}, with a "
                f"-<student> suffix only in class mode (-c students=); pass {lab}, with -c "
                "student=<name> for a student's own lab"
            )
        raise CourseInputError(
            f"{arg} is a class-mode copy id and matches no stack without -c students; pass "
            f"{lab} -c student={student} for {student}'s own lab, or -c "
            f"students={student},... for class mode"
        )


def _lab_selectors(args: Sequence[str]) -> Iterator[Tuple[str, str, str, str]]:
    """(the argument, its lab id, the suffix after its ``-``, the argument with look-alikes
    undone) for each bare argument of a ``cdk`` line that reads as a lab id or a copy's id once
    full-width characters are made plain and invisible ones dropped. Patterns (``*``, ``?``)
    are the CLI's to match."""
    command, _, _ = command_context(args)
    for arg, value in _arguments(args):
        if value is not None or arg.startswith("-") or arg == command or is_pattern(arg):
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKC", arg)
                        if unicodedata.category(c) not in ("Cf", "Cc"))  # fmt: skip
        # A dot or a slash makes it a file's name (Day1Lab1-out.json), an option's value.
        match = re.fullmatch(r"(Day[0-9]+[A-Za-z0-9]*)(?:-([^./\\]*))?", plain, re.ASCII)
        if match and LAB_ID_RE.match(match.group(1)):
            yield arg, match.group(1), match.group(2) or "", plain


def _check_well_formed(args: Sequence[str]) -> None:
    """A bare argument no stack id of the labs can be: too long, or with a character that is
    not printable ASCII (the ids are ASCII letters, digits and ``-``). The CDK CLI synthesizes
    every lab, then says "No stacks match" (or picomatch's "exceeds maximum allowed length"),
    exit 1. A file's name or an ARN (a dot, a slash, a colon) is an option's value, not judged."""
    command, _, _ = command_context(args)
    for arg, value in _arguments(args):
        if value is not None or arg.startswith("-") or arg == command:
            continue
        if len(arg) > SELECTOR_MAX_LENGTH:
            raise CourseInputError(
                f"{shown(arg)} ({len(arg)} characters) is no stack id or pattern: the labs' "
                "ids are such as Day1Lab1 or Day4Lab1-kim; pass lab ids (`scripts/cdk ls` lists "
                "them)"
            )
        if any(c in "./\\:" for c in arg):
            continue
        if not arg.isascii() or not arg.isprintable():
            raise CourseInputError(
                f"{shown(arg)} is no stack id or pattern: the labs' ids are ASCII letters, "
                "digits and '-' (Day1Lab1, Day4Lab1-kim); pass lab ids such as Day1Lab1 "
                "(`scripts/cdk ls` lists them)"
            )


def _built_labs(args: Sequence[str], merged: Dict[str, str],
                lab_ids: Optional[Sequence[str]] = None) -> List[str]:  # fmt: skip
    """The lab ids whose stacks the app will build for this command line, as the launchers
    choose them (the labs named, else -c labs from the line or the files, else every lab).
    ``lab_ids`` are the catalog's (the launchers pass them: this package never imports the
    stacks); without them, every id of the catalog's shape, of which the catalog has fewer."""
    every = list(lab_ids) if lab_ids else [
        f"Day{day}{kind}" for day in COURSE_DAYS for kind in LAB_KINDS
    ]  # fmt: skip
    if not any(a == "--all" or a.startswith(("labs=", "--context=labs=")) for a in args):
        named = [m.group(1) for m in map(LAB_ARG_RE.fullmatch, args) if m]
        if named:
            return [lab for lab in every if lab in named]
    chosen = [part.strip() for part in str(merged.get(CONTEXT_LABS) or "").split(",")]
    return [lab for lab in every if lab in chosen] if any(chosen) else every


def parse_lab_ids(text: Optional[str]) -> Optional[List[str]]:
    """``--lab-ids Day1Lab1,Day1Lab2``, as the launchers pass the catalog's ids: the ids of the
    catalog's shape, or None (none given, or none of that shape: the shape alone is checked)."""
    ids = [part.strip() for part in (text or "").split(",")]
    ids = [lab for lab in ids if LAB_ID_RE.match(lab)]
    return ids or None


def brace_alternatives(pattern: str) -> Optional[List[str]]:
    """``pattern`` with its comma braces expanded as picomatch (the CDK CLI's) reads them:
    ``Day4Lab1-{kim,lee}`` is ``Day4Lab1-kim`` and ``Day4Lab1-lee``; a brace without a comma
    (``{kim}``) is its own text, and so are braces that do not pair up (``Day1Lab1-{a,b``:
    the CLI lists nothing for it, and no stack id holds a brace). None when fnmatch could not
    match an alternative alike (a range ``{1..3}``, a class, an extglob, a negation): the
    CLI's to match."""
    if not re.fullmatch(r"[A-Za-z0-9*?{},-]+", pattern, re.ASCII) or ".." in pattern:
        return None
    depth, start = 0, None
    for index, char in enumerate(pattern):
        if char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return [pattern]  # a "}" before its "{": text, as picomatch reads it
            if depth == 0 and start is not None:
                inner, parts, level, begun = pattern[start + 1:index], [], 0, 0
                for at, c in enumerate(inner):
                    level += {"{": 1, "}": -1}.get(c, 0)
                    if c == "," and level == 0:
                        parts.append(inner[begun:at])
                        begun = at + 1
                parts.append(inner[begun:])
                if len(parts) < 2:
                    if "{" in inner:  # {a{b,c}}: not a form worth guessing at
                        return None
                    start = None
                    continue  # literal text, as picomatch keeps it
                head, tail = pattern[:start], pattern[index + 1:]
                out: List[str] = []
                for part in parts:
                    expanded = brace_alternatives(head + part + tail)
                    if expanded is None:
                        return None
                    out += expanded
                    if len(out) > _MAX_ALTERNATIVES:  # {a,b}{a,b}...: too many to try
                        return None
                return out
    return [pattern]  # no comma brace left, or a "{" never closed: text


def _braces_pair(pattern: str) -> bool:
    depth = 0
    for char in pattern:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check_patterns(args: Sequence[str], root: Path, environ: Optional[Dict[str, str]] = None,
                   lab_ids: Optional[Sequence[str]] = None) -> None:  # fmt: skip
    """Raise :class:`CourseInputError` for a ``*``/``?``/``{a,b}`` pattern that no stack id of
    the labs being built matches: ``Day1Lab1-*`` without class mode, where the id is
    ``Day1Lab1`` alone; ``Day4Lab1-{park}`` for a class of kim and lee; ``Day1Chall*`` (no day
    1 challenge in the catalog, ``lab_ids``). The CDK CLI would synthesize the labs, then say
    "No stacks match" (exit 1; for destroy exit 0, nothing destroyed). Braces are expanded
    first (:func:`brace_alternatives`); ranges, extglobs, classes and a negation are the CLI's
    to match (picomatch). A lab id named that the catalog does not have is refused first
    (:func:`check_known_labs`). The launchers run it after :func:`check_context`."""
    if (environ or {}).get(SKIP_ENV) == "0":
        return
    command, context, _ = command_context(args)
    if command not in APP_COMMANDS:
        return
    check_known_labs(args, lab_ids, root)
    patterns = [
        (arg, brace_alternatives(arg)) for arg, value in _arguments(args)
        if value is None and arg != command and is_pattern(arg)
    ]  # fmt: skip
    patterns = [(arg, alternatives) for arg, alternatives in patterns if alternatives]
    if not patterns:
        return
    merged = {**read_project_context(root, user=True), **context}
    students = parse_students(merged.get(CONTEXT_STUDENTS))
    labs = _built_labs(args, merged, lab_ids)
    ids = [f"{lab}-{name}" for lab in labs for name in students] if students else labs
    for pattern, alternatives in patterns:
        if ids and not any(fnmatch.fnmatchcase(i, a) for i in ids for a in alternatives):
            copies = (
                "" if students else
                "; copies such as Day1Lab1-kim exist only in class mode (-c students=kim,lee)"
            )  # fmt: skip
            if not _braces_pair(pattern):
                copies += "; its braces do not pair up, so the CDK CLI reads them as text"
            raise CourseInputError(
                f"{shown(pattern)} matches no stack: the ids built are {_names(ids)}{copies}; "
                "pass lab ids such as Day1Lab1 (`scripts/cdk ls` lists them)"
            )


def check_known_labs(args: Sequence[str], lab_ids: Optional[Sequence[str]] = None,
                     root: Optional[Path] = None) -> None:  # fmt: skip
    """Raise :class:`CourseInputError` for a lab id, or a copy's (``Day9Lab9-kim``), named on
    the line that is not among ``lab_ids`` (the catalog's, which the launchers pass): ``ls
    Day9Lab9``, ``synth Day1Challenge``. The app would refuse it after the CDK CLI started it,
    with "Subprocess exited with error 1". Without ``lab_ids``, an id not of a lab id's shape
    (Day<1-5><Lab1|Lab2|Case|Challenge>) only. Patterns are :func:`check_patterns`' to judge.
    With ``lab_ids`` and the project's ``root``, the ids of context ``labs`` too, as the app
    gets it (``-c labs=Day1Challenge``, or a value in cdk.context.json, cdk.json or
    ~/.cdk.json: :func:`_check_context_labs`); without ``lab_ids`` its shape alone is checked,
    by :func:`check_context`."""
    command, _, _ = command_context(args)
    for arg, value in _arguments(args):
        if value is not None or arg.startswith("-") or arg == command or is_pattern(arg):
            continue
        match = LAB_ARG_RE.fullmatch(arg)
        if match is None:
            continue
        lab = match.group(1)
        if lab_ids:
            if lab in lab_ids:
                continue
            raise CourseInputError(_unknown_lab(lab, lab_ids))
        if not LAB_ID_RE.fullmatch(lab):
            raise CourseInputError(
                f"{shown(lab)} is not a lab id: Day<1-5><{'|'.join(LAB_KINDS)}>, e.g. Day4Lab1 "
                "(`scripts/cdk ls` lists the labs); nothing was run"
            )
    if lab_ids and root is not None and command in APP_COMMANDS:
        _check_context_labs(args, lab_ids, Path(root))


def _unknown_lab(lab: str, lab_ids: Sequence[str], where: str = "") -> str:
    """The refusal of ``lab``, which ``lab_ids`` lack: ``unknown lab 'Day1Challenge' (did you
    mean Day4Challenge?); valid labs: ...; nothing was run`` (``week5 cost``'s words), with
    ``where`` (`` in -c labs``) after the id when the id came from the context."""
    message = unknown_lab_message(lab, lab_ids)  # week5 cost's words
    nearest = _nearest_lab(lab, lab_ids)
    if "did you mean" not in message and nearest:
        message = message.replace("; valid labs:", f" (did you mean {nearest}?); valid "
                                  "labs:", 1)  # fmt: skip
    if where:
        named = f"unknown lab {shown(lab)}"
        message = message.replace(named, f"{named}{where}", 1)
    return f"{message}; nothing was run"


def _check_context_labs(args: Sequence[str], lab_ids: Sequence[str], root: Path) -> None:
    """Raise :class:`CourseInputError` for an id of context ``labs`` that is not among
    ``lab_ids``: ``ls -c labs=Day1Challenge``, or ``"labs": "Day1Challenge"`` in
    cdk.context.json. The app would say "unknown lab" after the CDK CLI started it, then
    "Subprocess exited with error 1". The value is the one the app gets: ``-c`` over cdk.json
    over cdk.context.json over ~/.cdk.json, and none when lab ids are named without ``--all``
    or ``-c labs`` (the launchers then pass ``--context labs=`` with them, checked above). An
    id of no lab id's shape (``day1lab1,``, ``Day1Lab1-kim``) is :func:`check_context`'s to
    refuse, as without a catalog."""
    if not any(a == "--all" or a.startswith(("labs=", "--context=labs=")) for a in args):
        if any(LAB_ARG_RE.fullmatch(a) for a in args):  # the launchers' own -c labs wins
            return
    _, context, _ = command_context(args)
    if CONTEXT_LABS in context:
        value: object = context[CONTEXT_LABS]
        where = f" in -c {CONTEXT_LABS}"
    else:
        value = read_project_context(root, user=True).get(CONTEXT_LABS)
        origin = context_origins(root, {}).get(CONTEXT_LABS)
        where = f" in context '{CONTEXT_LABS}' of {origin}"
    if isinstance(value, str):
        ids = value.split(",")
    elif isinstance(value, (list, tuple)):  # a file's JSON list, which the app takes too
        ids = [str(part) for part in value]
    else:
        return  # null, a number: check_context's to refuse
    for lab in (part.strip() for part in ids):
        match = LAB_ARG_RE.fullmatch(lab)
        if match and not match.group(2) and lab not in lab_ids:
            raise CourseInputError(_unknown_lab(lab, lab_ids, where))


def _nearest_lab(lab: str, lab_ids: Sequence[str]) -> Optional[str]:
    """The id of ``lab_ids`` closest to ``lab`` (the first in catalog order of those equally
    close), or None when none is close: Day5Lab3 → Day5Lab1, Day1Challenge → Day4Challenge."""
    ids = list(lab_ids)
    close = difflib.get_close_matches(lab.lower(), [i.lower() for i in ids], n=len(ids))
    if not close:
        return None
    best = difflib.SequenceMatcher(None, lab.lower(), close[0]).ratio()
    return next(
        i for i in ids
        if difflib.SequenceMatcher(None, lab.lower(), i.lower()).ratio() == best
    )  # fmt: skip


def check_app_stacks(args: Sequence[str], app: str = "labs") -> None:
    """Raise :class:`CourseInputError` for a stack of the other app: the labs app
    (``scripts/cdk``) has no InstructorAccess or BudgetGuard, and the CDK CLI would synthesize,
    then say "No stacks match" (for ``destroy``: "does not exist", exit 0, the stack still
    there). For the instructor app (``scripts/instructor``), a name or a ``*``/``?``/``{a,b}``
    pattern that matches neither of its stacks (a lab id, ``Day*``, an emoji)."""
    command, _, _ = command_context(args)
    if command not in APP_COMMANDS:
        return
    for arg, value in _arguments(args):
        if value is not None or arg.startswith("-") or arg == command or not arg.strip():
            continue
        if app == "labs":
            if arg in INSTRUCTOR_STACKS:
                raise CourseInputError(
                    f"{arg} is the instructor app's stack, not a lab's: run `scripts/instructor "
                    f"{command} {arg}` (README \"Instructor tools\"); nothing was run"
                )
            continue
        alternatives = [arg] if not is_pattern(arg) else brace_alternatives(arg)
        if alternatives is None:  # picomatch's to match
            continue
        if not any(fnmatch.fnmatchcase(s, a) for s in INSTRUCTOR_STACKS for a in alternatives):
            raise CourseInputError(
                f"{shown(arg)} matches neither {' nor '.join(INSTRUCTOR_STACKS)}, the "
                "instructor app's stacks; pass one of them (`scripts/instructor ls` lists "
                "them); nothing was run"
            )


def _selector(arg: str) -> str:
    """``arg`` as typed when it is a short plain selector, else quoted and cut (:func:`shown`)."""
    return arg if len(arg) <= 40 and LAB_ARG_RE.fullmatch(arg) else shown(arg)


def _lab_id_spellings(text: str) -> List[str]:
    """``text`` in the lab ids' own case, if it is one: DAY1LAB1 → Day1Lab1."""
    kinds = ("Lab1", "Lab2", "Case", "Challenge")
    low = text.lower()
    spelled = [f"Day{low[3:4]}{kind}" for kind in kinds if low == f"day{low[3:4]}{kind}".lower()]
    return [lab for lab in spelled if LAB_ID_RE.match(lab)]


def check_context(args: Sequence[str], root: Path, environ: Optional[Dict[str, str]] = None,
                  app: str = "labs") -> None:  # fmt: skip
    """Raise :class:`CourseInputError` for the context ``cdk <args>`` would give the app when
    the app would refuse it: an unknown key, an empty value, a bad course-wide value
    (:meth:`CourseSettings.from_context`), a bad value of a lab's own (Day 2's snapshot id, Day
    5's backend and frontend, a lab id's shape: :func:`check_lab_context`), a lab id no stack
    of class mode has (``Day4Lab1`` for ``Day4Lab1-kim``) or a copy's id without class mode.
    Whether a well-formed lab id exists is :func:`check_known_labs`' to say (it needs the
    catalog's ids), and the instructor's values are left to the app. A ``-c`` that ends the
    line (no value) is refused: the CDK CLI would print its help.
    Nothing is checked for a command that does not run the app, or with ``WEEK5_PREFLIGHT=0``."""
    if (environ or {}).get(SKIP_ENV) == "0":
        return
    command, context, _ = command_context(args)
    if command not in APP_COMMANDS:
        return
    for arg, value in _arguments(args):
        if arg in ("-c", "--context") and value is None:  # the line's last argument
            raise CourseInputError(
                f"{arg} ends the command line with no key=value after it, and the CDK CLI "
                "would print its help and exit 1; pass -c key=<value> (e.g. -c student=kim), "
                f"or drop the {arg}"
            )
    for value in context_without_values(args):
        key = value if value in KNOWN_CONTEXT else "key"
        raise CourseInputError(
            f"-c {shown(value)} is not key=value, and the CDK CLI would drop it and build the "
            f"default; pass it as -c {key}=<value>, e.g. -c student=kim"
        )
    given: Dict[str, str] = {}
    for arg, value in _arguments(args):
        if arg in ("-c", "--context") and value is not None and "=" in value:
            key, item = value.split("=", 1)
            if key in given and given[key] != item:  # the CDK CLI keeps the last, silently
                raise CourseInputError(
                    f"-c {key} given twice ({shown(given[key])}, then {shown(item)}): pass it "
                    "once"
                )
            given[key] = item
        elif value is None and not arg.startswith("-"):
            _check_stack_selector(arg, app)

    # The CDK CLI's order: -c over cdk.json over cdk.context.json over ~/.cdk.json.
    merged = {**read_project_context(root, user=True), **context}
    if app == "instructor":  # instructor_app.py (scripts/instructor): its keys and its values
        check_known_context(merged)
        check_instructor_context(merged)
        return
    settings = CourseSettings.from_context(merged, context_origins(root, given))
    if settings.class_mode:
        _check_class_selectors(args, settings.students)
    else:
        _check_plain_selectors(args)
    _check_well_formed(args)
    named, _ = lab_args(args)
    chosen = [part.strip() for part in str(context.get(CONTEXT_LABS, "")).split(",") if part]
    # The labs' own values, of the labs being built (all when none is named): the app refuses
    # them with exit 1.
    check_lab_context(merged, named or chosen or None)
    outside = [lab for lab in named if chosen and lab not in chosen]
    if outside:  # the app builds only -c labs': "No stacks match" after it
        raise CourseInputError(
            f"{outside[0]} is not among -c {CONTEXT_LABS}={shown(context[CONTEXT_LABS])}, so "
            f"no stack would match it; drop -c {CONTEXT_LABS} (the launchers build the labs "
            "you name)"
        )


def plan(args: Sequence[str], root: Path, environ: Optional[Dict[str, str]] = None
         ) -> Optional[Plan]:  # fmt: skip
    """What to check for this command line, or None (not a deploy or destroy, no lab named,
    or a context value the app itself will refuse with its own one line)."""
    environ = environ or {}
    if environ.get(SKIP_ENV) == "0":
        return None
    command, context, profile = command_context(args)
    if command not in CHECKED_COMMANDS:
        return None
    labs, all_labs = lab_args(args)
    if not labs and not all_labs:
        return None
    try:
        project = read_project_context(root, user=True)  # as check_context reads it
        region = parse_region(context.get(CONTEXT_REGION, project.get(CONTEXT_REGION))
                              or DEFAULT_REGION)  # fmt: skip
        students = parse_students(context.get(CONTEXT_STUDENTS, project.get(CONTEXT_STUDENTS)))
        if CONTEXT_STUDENT in context:
            student, source = parse_student(context[CONTEXT_STUDENT]), "-c student"
        else:
            student, source = configured_student(root)
    except CourseInputError:
        return None  # the app refuses it with the fix, before anything is deployed
    return Plan(
        command=command,
        labs=labs,
        all_labs=all_labs,
        student=student,
        student_source=source,
        students=students,
        region=region,
        # --profile only: AWS_PROFILE is botocore's (and the AWS CLI's) to read, so an error
        # names where the profile came from.
        profile=profile or None,
        context=context,
        copies=class_copies(args, students) if students else {},
    )


@dataclass
class Verdict:
    """What to print (stderr) and whether the wrapper runs ``cdk``; ``code`` is the exit
    code when it does not."""

    lines: List[str] = field(default_factory=list)
    proceed: bool = True
    code: int = 0


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def judge(plan: Plan, live_names: Sequence[str]) -> Verdict:
    """The warning or refusal for ``plan`` given the stack names that exist in the region."""
    live = set(live_names)
    by_lab: Dict[str, List[str]] = {}
    for name in sorted(live):
        match = parse_stack_name(name)
        if match:
            by_lab.setdefault(match.group("lab"), []).append(name)
    if plan.all_labs:  # --all: no lab was named, so another student's copy is no mix-up
        mine = [t for lab in sorted(by_lab) for t in plan.targets(lab) if t in live]
        if plan.command == "destroy" and not mine:
            who = "class mode" if plan.class_mode else plan.who
            return Verdict(
                lines=[
                    f"nothing to destroy: no lab stack of {who} in {plan.region}; "
                    "`week5 status` lists what exists"
                ],
                proceed=False,
            )
        return Verdict()
    labs = plan.labs
    verdict = Verdict()
    present, absent = [], []
    refusals = []
    for lab in labs:
        targets = plan.targets(lab)
        others = [n for n in by_lab.get(lab, []) if n not in targets]
        missing = [t for t in targets if t not in live]
        present += [t for t in targets if t in live]
        absent += missing
        if not missing or not others or plan.class_mode:
            continue
        students = sorted({parse_stack_name(n).group("student") for n in others})
        if plan.command == "deploy":
            verdict.lines.append(
                f"warning: deploying a new stack {missing[0]} for {plan.who} while "
                f"{_names(others)} {'exists' if len(others) == 1 else 'exist'} in {plan.region}; "
                "if one of those is yours, stop "
                f"now (Ctrl-C) and pass -c student={students[0]} (or run `week5 init --student "
                f"{students[0]}`)"
            )
        else:
            refusals.append(
                f"nothing destroyed: there is no stack {missing[0]} in {plan.region} "
                f"for {plan.who}, but there is {_names(others)}; to destroy that, pass "
                f"-c student={students[0]} (or run `week5 init --student {students[0]}`)"
            )
    if plan.command != "destroy":
        return verdict
    if refusals:
        return Verdict(lines=refusals, proceed=False, code=1)
    if not present:
        return Verdict(
            lines=[
                f"nothing to destroy: no stack {_names(absent) or 'of the course'} in "
                f"{plan.region} {'in class mode' if plan.class_mode else 'for ' + plan.who}; "
                "`week5 status` lists what exists"
            ],
            proceed=False,
            code=0,
        )
    if absent:
        verdict.lines.append(
            f"note: {_names(absent)} {'does' if len(absent) == 1 else 'do'} not exist in "
            f"{plan.region}: cdk will call {'it' if len(absent) == 1 else 'them'} destroyed, "
            "but there was nothing to remove"
        )
    return verdict


def stack_names_with_cli(
    region: str, profile: Optional[str], run: Callable = subprocess.run, aws: Optional[str] = None
) -> List[str]:
    """The region's live stack names through the AWS CLI v2 (it reads every page), for a venv
    without boto3 (a student's). Raises OSError with the CLI's own first line when it fails."""
    aws = aws or shutil.which("aws")
    if aws is None:
        raise OSError("neither boto3 nor the AWS CLI is installed")
    command = [aws, "cloudformation", "list-stacks", "--region", region, "--output", "json",
               "--query", "StackSummaries[?StackStatus!='DELETE_COMPLETE'].StackName"]  # fmt: skip
    if profile:
        command += ["--profile", profile]
    result = run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no output"])[0]
        raise OSError(f"aws cloudformation list-stacks: {first}")
    return list(json.loads(result.stdout or "[]") or [])


def stack_names(cloudformation) -> List[str]:
    """The region's live stack names (all but DELETE_COMPLETE), every page."""
    return list(stack_states(cloudformation))


def stack_states(cloudformation) -> Dict[str, str]:
    """The region's live stacks (all but DELETE_COMPLETE), every page: name -> status. A
    stack that exists may hold nothing yet (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS): the quota
    check counts it as new (:func:`week5.operations.quotas.holding_stacks`)."""
    states: Dict[str, str] = {}
    for page in cloudformation.get_paginator("list_stacks").paginate():
        for summary in page.get("StackSummaries", []):
            if summary.get("StackStatus") != "DELETE_COMPLETE":
                states[summary["StackName"]] = summary.get("StackStatus", "")
    return states


def uses_credential_plugin(args: Sequence[str], root: Optional[Path] = None) -> bool:
    """Whether the CDK CLI will load a plugin (``--plugin``/``-p`` on the line, or ``plugin``
    in cdk.json or ~/.cdk.json): a credential-provider plugin gives it credentials botocore
    cannot find, so their absence is not judged then."""
    if any(arg in PLUGIN_OPTIONS for arg, _ in _arguments(args)):
        return True
    files = ([Path(root) / "cdk.json"] if root is not None else []) + [Path.home() / ".cdk.json"]
    for settings in files:
        try:
            data = json.loads(settings.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # no file, or one the CDK CLI reports itself
            continue
        if isinstance(data, dict) and data.get(PLUGIN_SETTING):
            return True
    return False


def no_credentials_message(command: str, line: str, environ: Mapping[str, str]) -> str:
    """The one line that stops ``cdk <command>`` (:data:`CREDENTIAL_COMMANDS`) when botocore
    found no credentials. ``line`` is :func:`week5.operations.aws_errors.describe`'s for it (the
    cause and the fix, ``aws configure``, ``--profile``, ``AWS_PROFILE``, as every ``week5``
    command words it). With an emulator's endpoint set (``AWS_ENDPOINT_URL``), what it takes:
    any keys, as ``week5 local`` sets them."""
    message = f"cdk {command} needs AWS credentials to resolve the account, and {line}"
    ignored = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"
    variables = ("AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL")
    endpoint = next((name for name in variables if environ.get(name)), None)
    if endpoint and not ignored:
        message += (
            f"; for the emulator at {endpoint} any keys do: export AWS_ACCESS_KEY_ID=testing "
            "AWS_SECRET_ACCESS_KEY=testing (as `week5 local --keep` prints)"
        )
    return message


def emulator_endpoint(client: Any) -> Optional[str]:
    """The endpoint ``client`` (a boto3 client) calls when it is an emulator's (``week5
    local``'s moto server: AWS_ENDPOINT_URL), else None. An emulator's is not AWS's own
    (:func:`~week5.operations.aws_errors.aws_endpoint`: no partition's DNS suffix, China's,
    the European Sovereign Cloud's, the ISO partitions' and the dual-stack ones included) and
    is on this machine (:func:`~week5.operations.aws_errors.local_endpoint`: localhost or a
    loopback address, where ``week5 local`` runs it). Any other endpoint (a corporate gateway
    in front of AWS) is taken for AWS: its quotas are AWS's, and a shortfall refuses. botocore
    resolved it as the CDK CLI does, so AWS_ENDPOINT_URL_<SERVICE>, the config file's
    ``endpoint_url`` and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS count as for the deploy."""
    url = str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "")
    if aws_endpoint(url) or not local_endpoint(url):
        return None
    return url


def emulator_quota_note(endpoint: str, students: int, labs: Sequence[str],
                        short: Sequence[str]) -> List[str]:  # fmt: skip
    """The lines, in place of the refusal, when a class deploy goes to an emulator
    (:func:`emulator_endpoint` of its CloudFormation) and exceeds the quotas that emulator's
    Service Quotas reports: the emulator enforces none (moto's reports 5 VPCs and makes 20),
    and cannot raise one (the command answers HTTP 500), so refusing left only
    ``WEEK5_PREFLIGHT=0``, which skips every check. One note with what AWS would say (each
    shortfall with its raise command; several: one indented line each, as the refusal)."""
    head = (
        f"note: {students_possessive(students)} {' + '.join(labs)} would exceed {len(short)} "
        f"quota(s) as the emulator at {endpoint} reports them, but it enforces none: going on. "
        "With these figures AWS would refuse it until raised"
    )
    if len(short) == 1:
        return [f"{head}: {short[0]}"]
    return [f"{head}:"] + [f"  {line}" for line in short]


def students_possessive(count: int) -> str:
    """``6 students'``, ``1 student's``: whose labs a class deploy adds."""
    return f"{count} student's" if count == 1 else f"{count} students'"


def configured_value(args: Sequence[str], root: Path, key: str) -> Optional[str]:
    """Context ``key`` as the app will read it (``-c``, else cdk.json, cdk.context.json,
    ~/.cdk.json: the CDK CLI's order), or None when it is not set. Its shape is
    :func:`check_context`'s to judge, before this."""
    _, context, _ = command_context(args)
    try:
        merged = {**read_project_context(root, user=True), **context}
    except CourseInputError:  # check_context refuses such a file first
        return None
    value = merged.get(key)
    return value if isinstance(value, str) and value else None


def _not_found(call: Callable[[], Any], code: str) -> bool:
    """Whether ``call`` (a describe of one named resource) answers ``code``: it does not exist
    there. Any other error (AccessDenied, a throttle) is raised: it says nothing of it."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == code:
            return True
        raise
    return False


def key_pair_missing(ec2, name: str) -> bool:
    """Whether the region of ``ec2`` (a boto3 client) has no key pair ``name``: EC2 answers
    DescribeKeyPairs with ``InvalidKeyPair.NotFound``."""
    return _not_found(lambda: ec2.describe_key_pairs(KeyNames=[name]), KEY_PAIR_NOT_FOUND)


def snapshot_missing(ec2, snapshot_id: str) -> bool:
    """Whether the region of ``ec2`` has no snapshot ``snapshot_id`` this account can read:
    DescribeSnapshots answers ``InvalidSnapshot.NotFound``."""
    return _not_found(
        lambda: ec2.describe_snapshots(SnapshotIds=[snapshot_id]), SNAPSHOT_NOT_FOUND
    )


def missing_snapshot_message(snapshot_id: str, region: str, profile: Optional[str] = None) -> str:
    """The one line that stops ``cdk deploy`` of Day2Lab1 for a ``restore_snapshot_id`` the
    region does not have: CloudFormation would fail the volume minutes in, without naming the
    context key."""
    option = f" --profile {shlex.quote(profile)}" if profile else ""
    return (
        f"context '{CONTEXT_RESTORE_SNAPSHOT_ID}'={shown(snapshot_id)}: no snapshot "
        f"{snapshot_id} in {region} that this account can read; `aws ec2 describe-snapshots "
        f"--owner-ids self --region {region}{option}` lists yours, or leave the key out for a "
        "new empty volume"
    )


def missing_key_pair_message(name: str, region: str, profile: Optional[str] = None) -> str:
    """The one line that stops ``cdk deploy`` for a ``key_name`` the region does not have:
    the instance would fail minutes into CloudFormation, without naming the context key. The
    fix writes ``<key_name>.pem``, which the labs' SSH commands read."""
    quoted = shlex.quote(name)
    option = f" --profile {shlex.quote(profile)}" if profile else ""
    return (
        f"context 'key_name'={shown(name)}: no key pair named {name} in {region}; create it "
        f"(aws ec2 create-key-pair --key-name {quoted} --region {region}{option} --query "
        f"KeyMaterial --output text > {quoted}.pem) or fix the name (`aws ec2 describe-key-pairs "
        f"--region {region}{option}` lists them)"
    )
