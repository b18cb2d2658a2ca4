"""The ``week5`` command line.

``week5 check [LAB ...]``: synthesize every lab with the pinned CDK CLI (cdk-nag's AwsSolutions
runs as part of synthesis and fails it on any unacknowledged finding), lint every template with
cfn-lint, and print the lab catalog with the results.

``week5 local [LAB]``: deploy one lab (default Day4Lab1) into moto's server, a local AWS
emulator, with the pinned CDK CLI, and print what the emulator created (``week5.operations.local``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from week5.analysis.assembly import SynthesizedLab, read_labs
from week5.analysis.diagram import width
from week5.analysis.lint import lint_template
from week5.analysis.teardown import teardown_findings
from week5.core.catalog import LAB_ID_RE, unknown_lab_message
from week5.core.errors import CourseInputError
from week5.core.progress import run_with_progress, say
from week5.core.settings import CONTEXT_LABS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: The lab `week5 local` deploys when none is named: Day 4's ALB + Auto Scaling group.
DEFAULT_LOCAL_LAB = "Day4Lab1"


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code in ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def find_project_root(start: Optional[Path] = None) -> Path:
    """The folder holding ``cdk.json``: the working directory or one above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cdk.json").is_file():
            return folder
    raise CliError(
        f"no cdk.json in {here} or above it: run week5 from the project folder", EXIT_USAGE
    )


def tool_env(root: Path) -> dict:
    """PATH with the project's Node 22 and CDK CLI and this Python's venv first."""
    env = dict(os.environ)
    paths = [str(root / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join(paths + [env.get("PATH", "")])
    return env


def synthesize(
    root: Path, outdir: Path, context: Sequence[str] = (), app: Optional[str] = None
) -> float:
    """Run ``cdk synth`` into ``outdir`` (``app``: another app than cdk.json's); returns
    seconds taken. Raises CliError on failure."""
    env = tool_env(root)
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
    result, seconds = run_with_progress(command, cwd=root, env=env, doing="synthesizing")
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        said = re.search(r"^week5: (.+)$", output, re.M)  # the app's own one-line error
        if said:
            raise CliError(said.group(1), EXIT_USAGE)
        raise CliError(f"cdk synth failed (exit {result.returncode}):\n{output}")
    return seconds


def select_labs(labs: List[SynthesizedLab], wanted: Sequence[str]) -> List[SynthesizedLab]:
    if not wanted:
        return labs
    by_id = {lab.lab_id: lab for lab in labs}
    for lab_id in wanted:
        if lab_id not in by_id:
            raise CliError(unknown_lab_message(lab_id, by_id), EXIT_USAGE)
    return [by_id[lab_id] for lab_id in wanted]


def format_catalog(rows: List[SynthesizedLab], lint_results: dict) -> str:
    header = ("Lab", "Day", "Kind", "Title", "Course $/h", "Resources", "cdk-nag", "cfn-lint")
    table = [header]
    for lab in rows:
        findings = lint_results[lab.lab_id]
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        cost = "-" if lab.course_cost_usd is None else f"${lab.course_cost_usd:.2f}"
        table.append(
            (
                lab.lab_id,
                lab.day,
                lab.kind,
                lab.title_ko,
                cost,
                str(lab.resource_count),
                "pass",
                f"{errors} errors, {warnings} warnings",
            )
        )
    widths = [max(width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for index, row in enumerate(table):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def require_lab_id(lab_id: str) -> str:
    if not LAB_ID_RE.match(lab_id):
        raise CliError(
            f"{lab_id!r} is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1",
            EXIT_USAGE,
        )
    return lab_id


def existing_assembly(path: str) -> Path:
    outdir = Path(path).resolve()
    if not (outdir / "manifest.json").is_file():
        raise CliError(
            f"{outdir} is not a cloud assembly (no manifest.json); pass the folder `cdk synth` "
            "wrote (e.g. --assembly cdk.out), or leave --assembly out to synthesize",
            EXIT_USAGE,
        )
    return outdir


def _output_folder(path: str) -> Path:
    """Where ``-o`` keeps the assembly: a new folder, an empty one, or an earlier assembly."""
    outdir = Path(path).resolve()
    if outdir.exists() and not outdir.is_dir():
        raise CliError(
            f"-o {path}: {outdir} is a file; pass a folder for the assembly, e.g. -o cdk.out",
            EXIT_USAGE,
        )
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "manifest.json").is_file():
        raise CliError(
            f"-o {path}: {outdir} holds files that are not a cloud assembly; name a new or "
            "empty folder (e.g. -o cdk.out)",
            EXIT_USAGE,
        )
    return outdir


def with_labs(context: Sequence[str], labs: Sequence[str]) -> List[str]:
    """The user's context with ``labs=`` set to ``labs`` (all labs when empty)."""
    rest = [item for item in context if not item.startswith(f"{CONTEXT_LABS}=")]
    return rest + [f"{CONTEXT_LABS}={','.join(labs)}"] if labs else list(context)


@contextlib.contextmanager
def synthesized(args: argparse.Namespace, labs: Sequence[str] = (), quiet: bool = False):
    """Yield (assembly folder, synth seconds): ``--assembly`` if given, else a fresh synth of
    ``labs`` (every lab when empty) into a folder removed afterwards."""
    if getattr(args, "assembly", None):
        yield existing_assembly(args.assembly), 0.0
        return
    root = find_project_root()
    outdir = Path(tempfile.mkdtemp(prefix="week5-synth-"))
    try:
        say(f"==> synthesizing {', '.join(labs) or 'every lab'} (cdk-nag runs too)", err=quiet)
        yield outdir, synthesize(root, outdir, with_labs(args.context, labs))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def run_check(args: argparse.Namespace) -> int:
    if args.assembly:
        return _check_assembly(existing_assembly(args.assembly), args.labs)
    root = find_project_root()
    keep = args.output is not None
    outdir = _output_folder(args.output) if keep else Path(tempfile.mkdtemp(prefix="week5-synth-"))
    created = keep and not outdir.exists()
    try:
        which = ", ".join(args.labs) if args.labs else "every lab"
        say(
            f"==> synthesizing {which} with the pinned CDK CLI; AwsSolutions and the course rules run"
        )
        try:
            seconds = synthesize(root, outdir, with_labs(args.context, args.labs))
        except CliError:
            if created:  # leave nothing half-written where the user asked for the assembly
                shutil.rmtree(outdir, ignore_errors=True)
            raise
        say(f"    synthesized, both rule packs clean, in {seconds:.1f} s")
        code = _check_assembly(outdir, args.labs)
        if keep:
            print(f"Templates: {outdir}")
        return code
    finally:
        if not keep:
            shutil.rmtree(outdir, ignore_errors=True)


def _check_assembly(outdir: Path, wanted: Sequence[str]) -> int:
    """cfn-lint the labs of a synthesized assembly and print the catalog table."""
    labs = select_labs(read_labs(outdir), wanted)
    if not labs:
        raise CliError(f"{outdir} holds no Week 5 lab stacks")
    say(f"==> cfn-lint on {len(labs)} template(s)")
    lint_results = {lab.lab_id: lint_template(lab.template_path) for lab in labs}
    print()
    print(format_catalog(labs, lint_results))
    for lab_id, findings in lint_results.items():
        for finding in findings:
            print(f"  {lab_id}: {finding}")
    failed = [k for k, v in lint_results.items() if any(f.is_error for f in v)]
    if failed:
        raise CliError(f"cfn-lint found errors in {', '.join(failed)}")
    say(f"==> teardown check on {len(labs)} template(s)")
    blocked = {lab.lab_id: teardown_findings(lab.template) for lab in labs}
    for lab_id, findings in blocked.items():
        for finding in findings:
            print(f"  {lab_id}: {finding}")
    if any(blocked.values()):
        raise CliError(
            "`cdk destroy` would leave or be blocked by the resources above in "
            f"{', '.join(k for k, v in blocked.items() if v)}"
        )
    print(
        f"\nAll {len(labs)} lab(s) pass cdk-nag, the course rules, cfn-lint and the teardown check."
    )
    return EXIT_OK


def run_local(args: argparse.Namespace) -> int:
    """Synthesize one lab, deploy it into moto's server, read back and print what exists."""
    from week5.operations import local  # boto3 and moto only for this command

    if args.coverage:
        return _local_coverage(args)
    timings = {}
    with synthesized(args, [require_lab_id(args.lab)]) as (outdir, timings["synth"]):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
        with _emulator(args, timings) as (emulator, env):
            say(f"==> cdk deploy {lab.lab_id} into the emulator")
            back, timings["deploy"] = local.deploy_and_read(emulator, outdir, lab, env)
            if isinstance(back, str):
                raise CliError(
                    f"cdk deploy {lab.lab_id} failed on the emulator, which cannot take this "
                    f"lab: {back} (on AWS the same template deploys; see the README's table)"
                )
            timings["read-back"] = back.seconds
            print()
            print(local.format_read_back(lab.lab_id, back))
            print()
            after = sum(v for k, v in timings.items() if k != "synth")
            print(
                "Wall time: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
                + f"; after synthesis {after:.1f} s"
            )
            if args.keep:
                emulator.keep = True
                print(
                    f"\nThe emulator keeps running (pid {emulator.process.pid}). Point the AWS "
                    f"CLI at it:\n  export AWS_ENDPOINT_URL={emulator.endpoint} "
                    "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
                    f"AWS_DEFAULT_REGION={local.LOCAL_REGION}\n  aws ec2 describe-vpcs\n"
                    f"Stop it with: kill {emulator.process.pid}"
                )
    return EXIT_OK


@contextlib.contextmanager
def _emulator(args: argparse.Namespace, timings: Dict[str, float]):
    """Start moto's server, bootstrap it, yield (emulator, env); stop it unless kept."""
    from week5.operations import local

    emulator = None
    try:
        say("==> starting the local AWS emulator (moto server)")
        started = time.monotonic()
        emulator = local.start_emulator(Path(sys.executable).parent, args.port)
        timings["emulator start"] = time.monotonic() - started
        say(f"    listening on {emulator.endpoint}; its log: {emulator.log_path}")
        env = local.emulator_env(tool_env(find_project_root()), emulator)
        say("==> cdk bootstrap into the emulator")
        timings["bootstrap"] = local.bootstrap(env)
        yield emulator, env
    except local.LocalError as error:
        raise CliError(str(error)) from None
    finally:
        if emulator is not None and not emulator.keep:
            emulator.stop()


def _local_coverage(args: argparse.Namespace) -> int:
    """Deploy every lab into one emulator and print the README's coverage table."""
    from week5.operations import local

    results = {}
    with synthesized(args) as (outdir, _), _emulator(args, {}) as (emulator, env):
        for lab in read_labs(outdir):
            say(f"==> cdk deploy {lab.lab_id} into the emulator")
            back, _ = local.deploy_and_read(emulator, outdir, lab, env)
            results[lab.lab_id] = local.coverage_of(back)
    print()
    print(local.format_coverage_table(results))
    return EXIT_OK


def run_cost(args: argparse.Namespace) -> int:
    """The line items behind one lab's estimated cost, from its synthesized template."""
    from week5.analysis import pricing

    labs = [] if args.assembly else [require_lab_id(args.lab)]
    with synthesized(args, labs, quiet=args.json) as (outdir, _):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
    est = pricing.estimate(lab.template)
    if args.json:
        body = est.to_json(args.students)
        body.update(lab=lab.lab_id, course_usd_per_hour=lab.course_cost_usd)
        print(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        print(pricing.format_cost(lab.lab_id, lab.course_cost_usd, est, args.students))
    return EXIT_OK


def lab_rows(labs: List[SynthesizedLab]) -> List[dict]:
    """Per lab: cost and time estimates, and the verdict against the course's figure and slot."""
    from week5.analysis import pricing, timing

    rows = []
    for lab in labs:
        est = pricing.estimate(lab.template)
        took = timing.estimate_duration(lab.template)
        problems = []
        if lab.course_cost_usd is not None and est.hourly > lab.course_cost_usd:
            problems.append(f"over the course's ${lab.course_cost_usd:.2f}/h")
        if took.create_min + took.delete_min > timing.LAB_SLOT_MINUTES:
            problems.append(f"create + delete over {timing.LAB_SLOT_MINUTES} min")
        if est.not_priced:
            problems.append(f"{len(est.not_priced)} resource(s) not priced")
        rows.append(
            {
                "lab": lab.lab_id,
                "day": lab.day,
                "title": lab.title_ko,
                "resources": lab.resource_count,
                "estimated_usd_per_hour": round(est.hourly, 4),
                "course_usd_per_hour": lab.course_cost_usd,
                "create_minutes": round(took.create_min, 1),
                "delete_minutes": round(took.delete_min, 1),
                "verdict": "ok" if not problems else "; ".join(problems),
            }
        )
    return rows


def format_labs(rows: List[dict], colour: bool = False) -> str:
    header = ("Lab", "Day", "Title", "Res.", "Est $/h", "Course $/h", "Create", "Delete", "Verdict")
    table = [header]
    for r in rows:
        course = "-" if r["course_usd_per_hour"] is None else f"${r['course_usd_per_hour']:.2f}"
        table.append(
            (
                r["lab"],
                r["day"],
                r["title"],
                str(r["resources"]),
                f"${r['estimated_usd_per_hour']:.3f}",
                course,
                f"{r['create_minutes']:.1f} min",
                f"{r['delete_minutes']:.1f} min",
                r["verdict"],
            )
        )
    widths = [max(width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for index, row in enumerate(table):
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row)]
        if colour and index > 0:
            green, red, reset = "\033[32m", "\033[31m", "\033[0m"
            cells[-1] = (green if row[-1] == "ok" else red) + cells[-1] + reset
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(
        "Estimates: on-demand Seoul prices with their dates in week5/analysis/data/prices.json (no free "
        "tier: accounts since 2025-07-15 have credits); ASGs at their desired size; times are "
        "the longest chain of dependent resources (week5/analysis/timing.py). `week5 cost LAB` itemizes."
    )
    return "\n".join(lines)


def run_labs(args: argparse.Namespace) -> int:
    """Every lab with its estimated cost and time, against the course's figure and slot."""
    with synthesized(args, quiet=args.json) as (outdir, _):
        rows = lab_rows(read_labs(outdir))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(format_labs(rows, colour=sys.stdout.isatty() and not os.environ.get("NO_COLOR")))
    return EXIT_OK


def run_diagram(args: argparse.Namespace) -> int:
    """Draw one lab's architecture from its synthesized template: text, or PNG and SVG."""
    from week5.analysis.diagram import render_picture, render_text
    from week5.analysis.topology import extract

    labs = [] if args.assembly else [require_lab_id(args.lab)]
    with synthesized(args, labs, quiet=True) as (outdir, _):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
    topology = extract(lab.template)
    title = f"{lab.lab_id}: {lab.title_ko}"
    if args.format == "text":
        print(render_text(topology, title), end="")
        return EXIT_OK
    if shutil.which("dot") is None:
        raise CliError("Graphviz is missing (no `dot`): run scripts/setup, which installs it")
    stem = Path(args.output or lab.lab_id).resolve()
    if stem.suffix in (".png", ".svg"):
        stem = stem.with_suffix("")
    if not stem.parent.is_dir():
        raise CliError(
            f"-o {args.output}: {stem.parent} is not a folder; pass e.g. -o docs/x", EXIT_USAGE
        )
    render_picture(topology, stem, title, formats=("png", "svg"))
    print(f"Wrote {stem}.png and {stem}.svg")
    return EXIT_OK


def run_rollout(args: argparse.Namespace) -> int:
    """Synthesize InstructorAccess and roll it out to the student accounts with StackSets."""
    import boto3

    from week5.operations import stackset

    accounts = stackset.parse_accounts(args.accounts)
    root = find_project_root()
    with tempfile.TemporaryDirectory(prefix="week5-instructor-") as out:
        say("==> synthesizing InstructorAccess (both rule packs run)", err=True)
        synthesize(root, Path(out), args.context, app="python3 instructor_app.py")
        path = Path(out) / "InstructorAccess.template.json"
        if not path.is_file():
            raise CliError(
                "no InstructorAccess: pass -c instructor_account=<12 digits>", EXIT_USAGE
            )
        template = json.loads(path.read_text(encoding="utf-8"))
    if args.dry_run:
        print(f"Would roll {args.name} out to {len(accounts)} account(s): {', '.join(accounts)}")
        return EXIT_OK
    client = boto3.client("cloudformation", region_name=args.region)
    say(f"==> stack set {args.name}: {len(accounts)} account(s) in {args.region}", err=True)
    try:
        report = stackset.roll_out(
            client, template, accounts, name=args.name, regions=[args.region]
        )
    except RuntimeError as error:
        raise CliError(str(error)) from None
    action = "created" if report["created"] else "updated"
    print(
        f"Stack set {args.name} {action}; added {len(report['added'])} account(s), "
        f"{len(report['already'])} had it already."
    )
    return EXIT_OK


def run_cleanup(args: argparse.Namespace) -> int:
    """List, or with --apply delete, one day's tagged course resources in a region."""
    import boto3

    from week5.operations.cleanup import Cleaner, format_found

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    cleaner = Cleaner(session.client, region=args.region, day=args.day, student=args.student)
    who = f"student {args.student}" if args.student else "every student"
    say(f"==> Week5 {args.day} resources of {who} in {args.region}", err=True)
    found = cleaner.find()
    print(format_found(found))
    if not args.apply:
        if found:
            print("Nothing deleted: run again with --apply to delete these.")
        return EXIT_OK
    report = cleaner.apply(found, say=lambda line: say(line, err=True))
    print(f"Deleted {len(report.deleted)}, failed {len(report.failed)}.")
    for item, why in report.failed:
        print(f"  failed: {item}: {why}")
    return EXIT_FAILED if report.failed else EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    """Check a student's hand-built lab against the reference lab, read-only."""
    import boto3

    from week5.analysis.topology import extract
    from week5.core.settings import parse_student
    from week5.operations.audit import Check, audit, find_vpc, read_account, to_json

    student = None if args.student is None else parse_student(args.student)
    labs = [] if args.assembly else [require_lab_id(args.lab)]
    with synthesized(args, labs, quiet=True) as (outdir, _):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
    lab_tags = {"Week": "Week5", "Day": lab.day, "Lab": lab.kind}
    if student:
        lab_tags["Student"] = student
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    (reference_vpc,) = extract(lab.template).vpcs or [None]
    if reference_vpc is None:
        raise CliError(f"{lab.lab_id} has no VPC to audit", EXIT_USAGE)
    vpc = find_vpc(session.client("ec2"), lab_tags, reference_vpc.name)
    if vpc is None:
        checks = [
            Check(
                "vpc",
                False,
                f"no single VPC tagged {lab_tags} or named {reference_vpc.name} in {args.region}",
            )
        ]
    else:
        checks = audit(lab.template, read_account(session.client, vpc), lab_tags)
    if args.json:
        print(json.dumps({"lab": lab.lab_id, "student": student, "checks": to_json(checks)}))
    else:
        for check in checks:
            print(check)
        failed = sum(1 for c in checks if not c.passed)
        print(f"{lab.lab_id}: {len(checks) - failed} passed, {failed} failed.")
    return EXIT_FAILED if any(not c.passed for c in checks) else EXIT_OK


def run_prices_refresh(args: argparse.Namespace) -> int:
    """Rebuild week5/analysis/data/prices.json from the AWS Price List bulk API."""
    from week5.analysis import pricing
    from week5.operations import price_refresh

    prices = pricing.load_prices()
    url = args.offer_url or prices["refresh"]["offer_url"]
    if "{service}" not in url or not re.match(r"^(https?|file)://", url):
        raise CliError(
            f"--offer-url {url!r} must be an http(s) or file URL with {{service}} where the "
            "service code goes, e.g. https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/"
            "{service}/current/ap-northeast-2/index.json",
            EXIT_USAGE,
        )
    say(f"==> reading offer files from {url.split('{')[0]}... (large: minutes, not seconds)")
    try:
        updated, report = price_refresh.refresh(prices, price_refresh.url_fetcher(url))
    except (OSError, ValueError) as error:  # URLError is an OSError; bad JSON a ValueError
        raise CliError(
            f"--offer-url {url!r}: {error}; check the URL, or "
            "leave --offer-url out for the Price List API; week5/analysis/data/prices.json is unchanged"
        ) from None
    for line in report:
        print(f"  {line}")
    if args.dry_run:
        print("Dry run: week5/analysis/data/prices.json is unchanged.")
    else:
        price_refresh.write_prices(updated)
        print(f"Wrote {pricing.PRICES_FILE}; review `git diff` before committing it.")
    return EXIT_OK


def _add_context_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--context",
        action="append",
        default=[],
        type=_context_item,
        metavar="KEY=VALUE",
        help="CDK context, as for cdk (e.g. -c student=kim)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line that says where the help is (exit 2)."""

    def error(self, message: str):
        command = self.prog.partition(" ")[2]  # "local" of "week5 local"; "" at the top
        where = f"{command}: " if command else ""
        self.exit(EXIT_USAGE, f"week5: {where}{message} (see `{self.prog} --help`)\n")


def _context_item(text: str) -> str:
    key, equals, _ = text.partition("=")
    if not equals or not re.match(r"^[A-Za-z][\w:.-]*$", key):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KEY=VALUE; pass context as for cdk, e.g. -c student=kim"
        )
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 1024 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port the emulator can listen on; pick one from 1024 to 65535, "
            "or leave --port out for a free one"
        )
    return int(text)


def _class_size(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a class size; pass a whole number of students, e.g. --students 12"
        )
    return int(text)


def _add_synth_options(parser: argparse.ArgumentParser) -> None:
    """``--assembly DIR`` (read what `cdk synth` wrote) or ``-c`` context for a fresh synth."""
    parser.add_argument("--assembly", metavar="DIR", help="use an assembly `cdk synth` wrote")
    _add_context_option(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="week5", description="Week 5 AWS course labs as CDK.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="synthesize every lab (both rule packs), run cfn-lint and the teardown check, print "
        "the lab catalog",
    )
    check.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    _add_context_option(check)
    where = check.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", help="keep the cloud assembly in this folder")
    where.add_argument(
        "--assembly",
        metavar="DIR",
        help="check an assembly `cdk synth` already wrote (e.g. cdk.out) instead of synthesizing",
    )
    check.set_defaults(handler=run_check)
    local_ = commands.add_parser(
        "local",
        help="deploy one lab into a local AWS emulator (moto) with the real CDK CLI and show "
        "what it created; no AWS account needed",
    )
    local_.add_argument(
        "lab", nargs="?", default=DEFAULT_LOCAL_LAB, help=f"lab id (default: {DEFAULT_LOCAL_LAB})"
    )
    local_.add_argument("--port", type=_port, help="the emulator's port (default: a free one)")
    local_.add_argument(
        "--keep", action="store_true", help="leave the emulator running for the AWS CLI"
    )
    local_.add_argument(
        "--coverage",
        action="store_true",
        help="deploy every lab and print which deploy locally (the README's table)",
    )
    _add_context_option(local_)
    local_.set_defaults(handler=run_local)
    cost = commands.add_parser(
        "cost", help="what one lab costs per hour, lab, day and month, priced from its template"
    )
    cost.add_argument("lab", metavar="LAB", help="lab id, e.g. Day1Lab2")
    cost.add_argument(
        "--students", type=_class_size, default=1, help="multiply for a class (the course's: 12)"
    )
    cost.add_argument("--json", action="store_true", help="machine-readable output")
    _add_synth_options(cost)
    cost.set_defaults(handler=run_cost)
    labs = commands.add_parser(
        "labs",
        help="every lab: resources, estimated $/hour and create/delete time against the "
        "course's figure and the 50-minute slot",
    )
    labs.add_argument("--json", action="store_true", help="machine-readable output")
    _add_synth_options(labs)
    labs.set_defaults(handler=run_labs)
    diagram = commands.add_parser(
        "diagram",
        help="draw a lab's architecture from its synthesized template (text, or PNG and SVG)",
    )
    diagram.add_argument("lab", metavar="LAB", help="lab id, e.g. Day1Lab2")
    diagram.add_argument(
        "--format",
        choices=("text", "picture"),
        default="text",
        help="text: the course's box style (default); picture: PNG and SVG with AWS icons",
    )
    diagram.add_argument(
        "-o", "--output", help="picture: path without extension (default: the lab id, here)"
    )
    _add_synth_options(diagram)
    diagram.set_defaults(handler=run_diagram)
    rollout = commands.add_parser(
        "rollout",
        help="roll InstructorAccess out to every student account with CloudFormation StackSets",
    )
    rollout.add_argument("--accounts", required=True, help="comma-separated student account ids")
    rollout.add_argument("--name", default="week5-instructor-access", help="the stack set's name")
    rollout.add_argument("--region", default="ap-northeast-2", help="where the instances go")
    rollout.add_argument(
        "--dry-run", action="store_true", help="synthesize and list, change nothing"
    )
    _add_context_option(rollout)
    rollout.set_defaults(handler=run_rollout)
    audit_ = commands.add_parser(
        "audit",
        help="check a student's hand-built lab against the reference lab (read-only calls)",
    )
    audit_.add_argument("lab", metavar="LAB", help="lab id, e.g. Day1Lab1")
    audit_.add_argument("--student", help="the student's name (their Student tag)")
    audit_.add_argument("--profile", help="an AWS CLI profile for the student's account")
    audit_.add_argument("--region", default="ap-northeast-2")
    audit_.add_argument("--json", action="store_true", help="machine-readable output")
    _add_synth_options(audit_)
    audit_.set_defaults(handler=run_audit)
    cleanup = commands.add_parser(
        "cleanup",
        help="list (or with --apply delete) one course day's tagged resources, dependents first",
    )
    cleanup.add_argument("--day", required=True, help="Day1 .. Day5 (the Day tag)")
    cleanup.add_argument("--student", help="only this student's (the Student tag)")
    cleanup.add_argument("--apply", action="store_true", help="delete; without it, only list")
    cleanup.add_argument("--region", default="ap-northeast-2")
    cleanup.add_argument("--profile", help="an AWS CLI profile (default: the environment's)")
    cleanup.set_defaults(handler=run_cleanup)
    prices = commands.add_parser("prices", help="the price table behind the estimates")
    price_commands = prices.add_subparsers(dest="prices_command", required=True)
    refresh = price_commands.add_parser(
        "refresh", help="rebuild week5/analysis/data/prices.json from the AWS Price List bulk API"
    )
    refresh.add_argument(
        "--offer-url",
        help="offer-file URL with {service} (default: the Price List bulk API for Seoul)",
    )
    refresh.add_argument("--dry-run", action="store_true", help="report, do not write")
    refresh.set_defaults(handler=run_prices_refresh)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CliError as error:
        print(f"week5: {error}", file=sys.stderr)
        return error.code
    except CourseInputError as error:  # a library check on an argument
        print(f"week5: {error}", file=sys.stderr)
        return EXIT_USAGE


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


if __name__ == "__main__":
    sys.exit(main())
