"""Synthesis through the pinned CDK CLI, shared by the commands that read lab templates.

A command either reads an assembly ``cdk synth`` already wrote (``--assembly DIR``) or
synthesizes the labs it needs with the project's Node 22 and CDK CLI (``-c KEY=VALUE`` passes
context, as for ``cdk``). cdk-nag's AwsSolutions and the course rules run during that synthesis
and fail it on a finding. A synthesis is kept in the project's ``.week5-cache/`` and the next
command on the same inputs reads it instead (:mod:`.assembly_cache`); ``--no-cache`` synthesizes
afresh.

CDK's built-in CloudFormation validation (aws-cdk-lib's WASM engine; ``CDK_VALIDATION=false``
skips it) costs about 1.6 s of engine start per synthesis plus 0.1-0.2 s per template and
changes nothing in the templates, so it runs only where a template is checked or about to reach
CloudFormation: ``week5 check``, ``local`` (it deploys, to the emulator, what ``cdk deploy``
would send AWS: a template CDK refuses must not deploy there) and ``rollout``. The commands that
only read names or figures from the templates (``cost``, ``labs``, ``diagram``, ``audit``,
``quotas``, the quota check of ``preflight``) skip it. A ``CDK_VALIDATION`` the user set wins.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from week5.analysis.assembly import SynthesizedLab, read_labs
from week5.cli import assembly_cache
from week5.cli.errors import EXIT_FAILED, EXIT_USAGE, CliError, has_control_character, reason
from week5.core.catalog import LAB_ID_RE, unknown_lab_message
from week5.core.errors import CourseInputError
from week5.core.progress import run_with_progress, say
from week5.core.settings import (
    CONTEXT_LABS,
    CONTEXT_STUDENTS,
    STUDENT_PATTERN,
    parse_students,
    read_project_context,
    shown,
)
from week5.operations.preflight import check_context


def find_project_root(start: Optional[Path] = None) -> Path:
    """The folder holding ``cdk.json``: the working directory or one above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cdk.json").is_file():
            return folder
    raise CliError(
        f"no cdk.json in {here} or above it: run week5 from the project folder", EXIT_USAGE
    )


#: aws-cdk-lib's switch for its built-in CloudFormation validation: "false" skips it.
CDK_VALIDATION = "CDK_VALIDATION"


def tool_env(root: Path, validation: bool = True) -> dict:
    """PATH with the project's Node 22 and CDK CLI and this Python's venv first. Without
    ``validation``, ``CDK_VALIDATION=false`` too, unless the user set ``CDK_VALIDATION``."""
    env = dict(os.environ)
    paths = [str(root / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join(paths + [env.get("PATH", "")])
    if not validation:
        env.setdefault(CDK_VALIDATION, "false")
    return env


def validation_runs(env: Mapping[str, str]) -> bool:
    """Whether a synthesis under ``env`` runs CDK's CloudFormation validation, as aws-cdk-lib
    decides (app.py leaves ``builtin_cloud_formation_validation`` at its default, on): any value
    but ``false`` validates."""
    return env.get(CDK_VALIDATION) != "false"


def synthesize(
    root: Path,
    outdir: Path,
    context: Sequence[str] = (),
    app: Optional[str] = None,
    validation: bool = True,
) -> float:
    """Run ``cdk synth`` into ``outdir`` (``app``: another app than cdk.json's; ``validation``:
    CDK's CloudFormation validation, see the module docstring); returns seconds taken. Raises
    CliError on failure. The context is the caller's to check first (:func:`cached_synthesis`,
    the launchers' preflight, rollout): one line in 0.2 s, not after 2 s of the CLI and the
    app."""
    env = tool_env(root, validation)
    cdk = shutil.which("cdk", path=env["PATH"])
    if cdk is None:
        raise CliError("the CDK CLI is missing: run scripts/setup (it installs it with Node 22)")
    if shutil.which("node", path=env["PATH"]) is None:
        raise CliError("Node.js is missing: run scripts/setup (it installs Node 22 from npm)")
    command = [cdk, "synth", "--quiet", "--output", str(outdir)]
    if app is not None:
        command += ["--app", app]
    for item in context:
        command += ["--context", item]
    # The CLI's and the app's temporary files (jsii's kernel folders, the CLI's telemetry) in a
    # folder of this synthesis, removed after it: a Ctrl-C left /tmp/jsii-kernel-* behind (a
    # trial: 16 of 17 interrupts).
    with tempfile.TemporaryDirectory(prefix="week5-cdk-", ignore_cleanup_errors=True) as temp:
        env.update(TMPDIR=temp, TEMP=temp, TMP=temp)
        try:
            result, seconds = run_with_progress(command, cwd=root, env=env, doing="synthesizing")
        except OSError as error:  # a `cdk` (or the interpreter its first line names) not executable
            raise CliError(
                f"the CDK CLI {shown(cdk, 160)} cannot be started "
                f"({reason(error)}); run scripts/setup (it installs it with Node 22)"
            ) from None
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        said = re.search(r"^week5: (.+)$", output, re.M)  # the app's own one-line error
        if said:
            raise CliError(said.group(1), EXIT_USAGE)
        raise CliError(f"cdk synth failed (exit {result.returncode}):\n{output}", EXIT_FAILED)
    return seconds


#: What a command says of an assembly without a lab stack (a manifest of ``{}``): the user's
#: to fix, so exit 2, as every command says it.
NO_LAB_STACKS = (
    "the assembly holds no Week 5 lab stacks; pass the folder `cdk synth` wrote from this "
    "project, or leave --assembly out to synthesize"
)


def select_labs(labs: List[SynthesizedLab], wanted: Sequence[str]) -> List[SynthesizedLab]:
    """``wanted`` of ``labs`` in that order (all when empty); an unknown id is a usage error,
    and a lab id of a class-mode assembly's lab names its copies."""
    if not wanted:
        return labs
    if not labs:  # "valid labs: " with nothing after it
        raise CliError(NO_LAB_STACKS, EXIT_USAGE)
    by_id = {lab.lab_id: lab for lab in labs}
    for lab_id in wanted:
        copies = [i for i in by_id if _copy_of(i) == lab_id]
        if lab_id not in by_id and copies:  # an assembly `-c students=...` synthesized
            raise CliError(
                f"{lab_id}: the assembly is a class's (one copy per student), so pass one "
                f"copy, e.g. {copies[0]}; its copies: {', '.join(copies)}",
                EXIT_USAGE,
            )
        if lab_id not in by_id:
            raise CliError(unknown_lab_message(lab_id, by_id), EXIT_USAGE)
    return [by_id[lab_id] for lab_id in wanted]


#: A lab's copy in class mode (``-c students=kim,lee``): its construct id, ``Day4Lab1-kim``.
CLASS_LAB_ID_RE = re.compile(
    rf"^(?P<lab>Day[1-5](?:Lab1|Lab2|Case|Challenge))-(?P<student>{STUDENT_PATTERN})\Z"
)


def _copy_of(lab_id: str) -> Optional[str]:
    """The lab ``lab_id`` is a class-mode copy of (``Day4Lab1-kim``: ``Day4Lab1``), or None."""
    copy = CLASS_LAB_ID_RE.match(lab_id)
    return copy.group("lab") if copy and LAB_ID_RE.match(copy.group("lab")) else None


def base_lab(lab_id: str) -> str:
    """The lab ``lab_id`` names: itself, or the lab a class-mode copy (``Day4Lab1-kim``) is of;
    a CliError, exit 2, for an id that is neither."""
    return _copy_of(lab_id) or require_lab_id(lab_id)


def lab_to_build(lab_id: str, students: Sequence[str], command: str) -> str:
    """The lab to synthesize for ``week5 COMMAND LAB``: ``lab_id`` itself, or in class mode
    (``students``) the lab a copy (``Day4Lab1-kim``) is of. The ids are those ``week5 labs``
    lists under the same context; any other is refused before a synthesis: a plain
    ``Day4Lab1`` in class mode was refused after one, naming the copies."""
    copy = CLASS_LAB_ID_RE.match(lab_id)
    if copy and LAB_ID_RE.match(copy.group("lab")):
        lab, student = copy.group("lab"), copy.group("student")
        if not students:
            raise CliError(
                f"{lab_id} is {student}'s copy of {lab} in class mode: pass it with -c "
                f"students naming {student} (e.g. -c students={student}), or pass {lab} alone",
                EXIT_USAGE,
            )
        if student not in students:
            raise CliError(
                f"{lab_id}: {student!r} is not among the class's students ({', '.join(students)})"
                f"; pass {lab}-{students[0]}, or add {student} to -c students",
                EXIT_USAGE,
            )
        return lab
    require_lab_id(lab_id)
    if students:
        more = (
            f", or drop -c students and pass --students {len(students)} for the class's cost"
            if command == "cost"
            else ""
        )
        copies = (
            f"{lab_id}-{students[0]}"
            if len(students) == 1
            else f"{lab_id}-{students[0]} to {lab_id}-{students[-1]}"
        )
        raise CliError(
            f"{lab_id}: in class mode (-c students={','.join(students)}) each student has a "
            f"copy, {copies}; pass one, e.g. week5 {command} {lab_id}-{students[0]}{more}",
            EXIT_USAGE,
        )
    return lab_id


def synthesis_context(args: argparse.Namespace) -> Dict[str, Any]:
    """The context a synthesis of ``args`` gets: ``-c`` over the project's context files and
    ~/.cdk.json, as the CDK CLI ranks them, checked first as a synthesis checks it
    (:func:`cached_synthesis`), so a bad value is its own line."""
    root = find_project_root()
    # As the synthesis will check it: for the command's lab alone, so a value only other labs
    # read (Day 5's alarm_email) is not refused for `week5 cost Day4Lab1` while `week5 check
    # Day4Lab1` and `cdk synth` take it (a trial).
    lab = getattr(args, "lab", None)
    named = [lab] if isinstance(lab, str) else list(getattr(args, "labs", None) or [])
    # A lab id that is none first: its line, not a context value's (a review found the
    # alarm_email line for `week5 cost day4lab1`).
    bases = [base_lab(name) for name in named]
    checked = with_labs(args.context, bases) if bases else args.context
    check_context(["synth", *(arg for item in checked for arg in ("-c", item))], root,
                  tool_env(root, validation=False))  # fmt: skip
    return {**read_project_context(root, user=True), **given_context(args)}


def given_context(args: argparse.Namespace) -> Dict[str, str]:
    """The ``-c KEY=VALUE`` context of ``args`` alone, the last of a key winning as for cdk."""
    return dict(item.split("=", 1) for item in args.context)


def class_students(args: argparse.Namespace) -> Tuple[str, ...]:
    """The students of class mode that a synthesis of ``args`` gets (none outside class mode:
    :func:`synthesis_context`)."""
    return parse_students(synthesis_context(args).get(CONTEXT_STUDENTS))


def require_lab_id(lab_id: str) -> str:
    if not LAB_ID_RE.match(lab_id):
        raise CliError(
            f"{shown(lab_id)} is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1",
            EXIT_USAGE,
        )
    return lab_id


def existing_assembly(path: str) -> Path:
    if not path.strip():
        raise CliError(
            f"--assembly {shown(path)} names no folder: pass the folder `cdk synth` wrote (e.g. "
            "--assembly cdk.out), or leave --assembly out to synthesize",
            EXIT_USAGE,
        )
    try:
        outdir = Path(path).resolve()
        found = (outdir / "manifest.json").is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        outdir, found = Path(path), False
    if not found:
        raise CliError(
            f"{shown(str(outdir), 160)} is not a cloud assembly (no manifest.json); pass the "
            "folder `cdk synth` wrote (e.g. --assembly cdk.out), or leave --assembly out to "
            "synthesize",
            EXIT_USAGE,
        )
    return outdir


def output_folder(path: str) -> Path:
    """Where ``-o`` keeps the assembly: a new folder, an empty one, or an earlier assembly, in a
    folder that exists (it is not made, as ``week5 diagram -o`` does not make one). Checked
    before the labs are synthesized: a refusal should not cost a synthesis."""
    given = shown(path, 160)
    if has_control_character(path):  # a folder named with a bell or a line break (a trial)
        raise CliError(
            f"-o {given}: not a usable path (a control character in it); pass e.g. -o cdk.out",
            EXIT_USAGE,
        )
    if not path.strip():  # '' is the working folder: the assembly among the project's files
        raise CliError(
            f"-o {given}: give the folder to keep the assembly in, e.g. -o cdk.out", EXIT_USAGE
        )
    try:
        outdir = Path(path).resolve()
        if outdir.exists() and not outdir.is_dir():
            raise CliError(
                f"-o {given}: {shown(str(outdir), 160)} is a file; pass a folder for the "
                "assembly, e.g. -o cdk.out",
                EXIT_USAGE,
            )
        if not outdir.parent.is_dir():
            problem = "is not a folder" if outdir.parent.exists() else "does not exist"
            raise CliError(
                f"-o {given}: {shown(str(outdir.parent), 160)} {problem}; make it first, or "
                "pass e.g. -o cdk.out",
                EXIT_USAGE,
            )
        if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "manifest.json").is_file():
            raise CliError(
                f"-o {given}: {shown(str(outdir), 160)} holds files that are not a cloud "
                "assembly; name a new or empty folder (e.g. -o cdk.out)",
                EXIT_USAGE,
            )
    # A folder name too long for the file system (OSError; it was a traceback), a NUL byte
    # (ValueError).
    except (OSError, ValueError) as error:
        why = reason(error)
        raise CliError(f"-o {given}: not a usable path ({why}); pass e.g. -o cdk.out",
                       EXIT_USAGE) from None  # fmt: skip
    return outdir


def with_labs(context: Sequence[str], labs: Sequence[str]) -> List[str]:
    """The user's context with ``labs=`` set to ``labs`` (all labs when empty)."""
    rest = [item for item in context if not item.startswith(f"{CONTEXT_LABS}=")]
    return rest + [f"{CONTEXT_LABS}={','.join(labs)}"] if labs else list(context)


def labs_named(context: Sequence[str]) -> str:
    """The labs ``context`` selects, for progress lines: ``Day1Lab1, Day4Lab1``, or ``""``."""
    named = [c.split("=", 1)[1] for c in context if c.startswith(f"{CONTEXT_LABS}=")]
    return ", ".join(x for x in named[-1].split(",") if x) if named else ""


def synth_python(root: Path) -> str:
    """The ``python`` that ``cdk synth`` runs ``app.py`` with (cdk.json's ``python app.py``)."""
    found = shutil.which("python", path=tool_env(root)["PATH"])
    return f"{found} -> {os.path.realpath(found)}" if found else "no python"


def cached_synthesis(
    root: Path,
    context: List[str],
    scratch: Path,
    fresh: bool = False,
    superset: bool = False,
    validation: bool = True,
) -> Tuple[Path, float, bool]:
    """(assembly folder, synth seconds, whether the folder is a cache entry) for ``context``.

    A cache entry for the same inputs answers unless ``fresh``; with ``superset``, so does the
    entry of every lab (the caller picks its labs out: a lab's template is the same whichever
    labs are built with it). Where CDK's validation runs (``validation``, or the user's
    ``CDK_VALIDATION``), only an entry whose synthesis ran it answers. Otherwise ``cdk synth``
    runs and its assembly is stored (replacing an unvalidated entry with a validated one, or
    a damaged one: :func:`_damaged`); where the cache cannot be written, or fails midway (a full
    disk), it runs into ``scratch``."""
    # The context first: a bad value is one line before "==> synthesizing" is said, and a
    # cdk.context.json that is a folder is refused before the cache key reads it.
    check_context(["synth", *(arg for item in context for arg in ("-c", item))], root,
                  tool_env(root, validation))  # fmt: skip
    state = assembly_cache.project_state(root, python=synth_python(root))
    key = assembly_cache.key_for(state, context)
    which = labs_named(context)
    validated = validation_runs(tool_env(root, validation))
    if not fresh:
        entry = assembly_cache.lookup(root, key, validated=validated)
        if entry is not None and _damaged(entry):
            # The new assembly replaces it: not the every-lab entry's answer, which left the
            # damaged entry in place to say so again on every command.
            entry, fresh = None, True
        elif entry is not None:
            say(
                f"==> assembly from the cache ({_shown(entry)}, synthesized "
                f"{assembly_cache.age_text(entry)} ago; --no-cache synthesizes afresh)"
            )
            return entry, 0.0, True
        everything = [c for c in context if not c.startswith(f"{CONTEXT_LABS}=")]
        if superset and everything != context and not fresh:
            entry = assembly_cache.lookup(
                root, assembly_cache.key_for(state, everything), validated=validated
            )
            if (
                entry is not None
                and holds_labs(entry, which.split(", "))
                and not _damaged(entry)
            ):
                say(
                    f"==> {which} from the cached assembly of every lab ({_shown(entry)}, "
                    f"synthesized {assembly_cache.age_text(entry)} ago; --no-cache synthesizes "
                    "afresh)"
                )
                return entry, 0.0, True
    if validated and not fresh and assembly_cache.lookup(root, key) is not None:
        say("==> the cached assembly skipped CDK's CloudFormation validation, which this runs")
    also = "" if validated else "; CDK's CloudFormation validation is skipped"
    say(f"==> synthesizing {which or 'every lab'} (cdk-nag runs too{also})")
    seconds = 0.0

    def run(folder: Path) -> None:
        nonlocal seconds
        seconds = synthesize(root, folder, context, validation=validated)

    try:
        entry = assembly_cache.store(root, key, run, replace=fresh, validated=validated)
    except assembly_cache.CacheUnavailable as error:
        say(f"    (no cache: {error}; the assembly is not kept)")
    except (assembly_cache.CacheFailed, CliError) as error:
        # The cache failed midway: a full disk (the CLI's synthesis into it says ENOSPC), or
        # a folder in it this user cannot read or replace (store() says which: CacheFailed).
        # Once more outside it, not a traceback; a synthesis that fails for any other reason
        # (a CLI that cannot start, the app's error) fails as it is, once.
        if isinstance(error, CliError) and not _out_of_space(error):
            raise
        why = "no space left on the device" if _out_of_space(error) else error
        say(
            f"    (no cache: {assembly_cache.CACHE_DIR}/: {why}; synthesizing into a temporary "
            "folder, the assembly is not kept)"
        )
    else:
        say(f"    kept in {_shown(entry)} for the next command on the same inputs")
        return entry, seconds, True
    run(scratch / "assembly")
    return scratch / "assembly", seconds, False


def _damaged(entry: Path) -> bool:
    """Whether the cache entry ``entry`` cannot be read as an assembly (its manifest, or a JSON
    file it names for a stack, emptied or cut short: a full disk, an editor, a crash mid-copy);
    if so, says so in one line. Such an entry is synthesized afresh: served, it failed every
    command on the same inputs until ``--no-cache`` (a stack's metadata file cut short fails
    even ``cdk ls``; its asset manifest, the ``cdk deploy`` of ``week5 local``). The assets
    themselves (zips, folders) are not read. (A user's ``--assembly DIR`` is not checked here:
    its unreadable file is the user's to fix, and the command names it.) About 10 ms for the
    assembly of every lab (1.6 MB of JSON), 6 of them the templates."""
    try:
        read_labs(entry)
        _read_stack_files(entry)
    except (CourseInputError, OSError, ValueError, LookupError, TypeError, AttributeError):
        # not what cdk wrote
        say(f"==> the cached assembly {_shown(entry)} is damaged; synthesizing afresh")
        return True
    return False


def _read_stack_files(entry: Path) -> None:
    """Parse the JSON files beside the templates that ``entry``'s manifest names for its
    stacks, which ``cdk deploy`` reads: each stack's metadata file and asset manifests
    (``*.assets.json``). Raises what reading or parsing one raises."""
    artifacts = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
    artifacts = artifacts.get("artifacts") or {}
    for artifact in artifacts.values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        names = [artifact.get("additionalMetadataFile")] + [
            artifacts[name]["properties"]["file"]
            for name in artifact.get("dependencies") or ()
            if artifacts[name].get("type") == "cdk:asset-manifest"
        ]
        for name in filter(None, names):
            json.loads((entry / name).read_text(encoding="utf-8"))


#: How a synthesis that ran out of disk space says so: Node's error code (the CDK CLI, jsii)
#: or Python's message (the app, this process).
_NO_SPACE = re.compile(r"ENOSPC|No space left on device")


def _out_of_space(error: BaseException) -> bool:
    """Whether ``error`` (a failed synthesis into the cache, or storing it) is a full disk."""
    if isinstance(error, (OSError, assembly_cache.CacheFailed)):
        return error.errno == errno.ENOSPC
    return bool(_NO_SPACE.search(str(error)))


def holds_labs(outdir: Path, lab_ids: Sequence[str]) -> bool:
    """Whether the assembly has a stack named each of ``lab_ids`` (not, say, a class's
    ``Day4Lab1-kim``, or an app that ``labs`` in cdk.context.json cut down)."""
    try:
        manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    names = {a.get("displayName", k) for k, a in manifest.get("artifacts", {}).items()}
    return set(lab_ids) <= names


def _shown(entry: Path) -> str:
    """``.week5-cache/<its sha256>``: the entry's folder as a user finds it in the project
    (whole: a shortened name named a folder that does not exist)."""
    return f"{assembly_cache.CACHE_DIR}/{entry.name}"


@contextlib.contextmanager
def synthesized(
    args: argparse.Namespace,
    labs: Sequence[str] = (),
    quiet: bool = False,
    writable: bool = False,
    exact: bool = False,
    validation: bool = True,
) -> Iterator[Tuple[Path, float]]:
    """Yield (assembly folder, synth seconds): ``--assembly`` if given, else the assembly of
    ``labs`` (every lab when empty), from the cache or synthesized (see :func:`cached_synthesis`;
    ``validation=False``: a command that only reads the templates, see the module docstring).

    Named ``labs`` may come from the cached assembly of every lab, so the caller selects its
    labs from the folder (``exact``: only an assembly of exactly these labs). The folder is
    only read: ``writable`` yields a copy to write into, removed afterwards. Progress goes to
    stderr (``quiet`` is kept for the callers that pass it: stdout never carries progress)."""
    if getattr(args, "assembly", None) is not None:
        refuse_context_with_assembly(args)
        yield existing_assembly(args.assembly), 0.0
        return
    root = find_project_root()
    context = with_labs(args.context, labs)
    with tempfile.TemporaryDirectory(prefix="week5-synth-") as scratch:
        outdir, seconds, shared = cached_synthesis(
            root,
            context,
            Path(scratch),
            fresh=getattr(args, "no_cache", False),
            superset=bool(labs) and not exact,
            validation=validation,
        )
        if writable and shared:
            outdir = assembly_cache.working_copy(outdir, Path(scratch))
        yield outdir, seconds


def refuse_context_with_assembly(args: argparse.Namespace) -> None:
    """``-c`` beside ``--assembly``: the assembly is built, so the values would be dropped in
    silence, a bad one too (a hostile trial)."""
    if getattr(args, "assembly", None) is not None and getattr(args, "context", None):
        raise CliError(
            f"-c {shown(args.context[0])} cannot change --assembly "
            f"{shown(args.assembly, limit=160)}, which `cdk synth` already built with its own "
            "context: drop the -c values, or drop --assembly to synthesize with them",
            EXIT_USAGE,
        )


def synthesized_lab(args: argparse.Namespace, quiet: bool = False) -> SynthesizedLab:
    """The lab ``args.lab``: from ``--assembly``, or synthesized alone (its id checked first;
    in class mode the id of one student's copy, ``Day4Lab1-kim``, as ``week5 labs`` lists it).
    Its template is only read (``cost``, ``diagram``, ``audit``), never deployed: CDK's
    validation is skipped."""
    command = getattr(args, "command", None) or "cost"
    if args.assembly is not None:
        labs = []
    else:
        labs = [lab_to_build(args.lab, class_students(args), command)]
    with synthesized(args, labs, quiet=quiet, validation=False) as (outdir, _):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
    return lab


def context_item(text: str) -> str:
    key, equals, _ = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not KEY=VALUE; pass context as for cdk, e.g. -c student=kim"
        )
    if not key:  # `-c =x`: the value was named, not the missing key
        raise argparse.ArgumentTypeError(
            f"{shown(text)} has no key before '='; pass context as for cdk, e.g. -c student=kim"
        )
    if not re.match(r"^[A-Za-z][A-Za-z0-9_:.-]*$", key):  # ASCII: \w takes any script
        raise argparse.ArgumentTypeError(
            f"{shown(key)} is not a context key (ASCII letters, digits and _:.-, a letter "
            "first); pass context as for cdk, e.g. -c student=kim"
        )
    return text


def add_context_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--context",
        action="append",
        default=[],
        type=context_item,
        metavar="KEY=VALUE",
        help="CDK context, as for cdk (e.g. -c student=kim)",
    )


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help=f"synthesize even if {assembly_cache.CACHE_DIR}/ holds an assembly of the same "
        "inputs (the new one replaces it)",
    )


def add_synth_options(parser: argparse.ArgumentParser) -> None:
    """``--assembly DIR`` (read what `cdk synth` wrote), or ``-c`` context and ``--no-cache``
    for a synthesis."""
    parser.add_argument("--assembly", metavar="DIR", help="use an assembly `cdk synth` wrote")
    add_context_option(parser)
    add_cache_option(parser)
