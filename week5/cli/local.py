"""``week5 local [LAB]``: deploy one lab (default Day4Lab1) into moto's server, a local AWS
emulator, with the pinned CDK CLI, and print what the emulator created
(:mod:`week5.operations.local`). ``--coverage`` deploys every lab and prints the README's table
of which deploy locally."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Pattern, Sequence, Tuple

from week5.analysis.assembly import SynthesizedLab, read_labs, tag_dict
from week5.cli.arguments import command_parser, whole_number_in
from week5.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import (
    add_cache_option,
    add_context_option,
    find_project_root,
    lab_to_build,
    select_labs,
    synthesis_context,
    synthesized,
    tool_env,
)
from week5.cli.table import render_table
from week5.core.progress import say
from week5.core.settings import CONTEXT_REGION, CONTEXT_STUDENTS, parse_students, shown
from week5.operations import local
from week5.operations.local.deploy import BUCKET_DEPLOYMENT, upload_bucket_deployments
from week5.operations.local.emulator import in_use
from week5.operations.status import parse_stack_name

#: The lab `week5 local` deploys when none is named: Day 4's ALB + Auto Scaling group.
DEFAULT_LOCAL_LAB = "Day4Lab1"
#: What the read-back says of teardown: true of every lab (tests/test_emulator_labs.py destroys
#: them all and finds nothing tagged for any left).
DESTROY_HERE = (
    "cdk destroy removes all of it, on the emulator as on AWS: with --keep, destroy the lab "
    "there and check that nothing is left"
)
#: The same where a custom resource's function deletes something at destroy on AWS and the
#: emulator does not do it (:func:`destroy_note`): a snapshot taken by hand stays after destroy
#: (a student's trial of Day2Lab1 found it left). ``{functions}``: those functions, named.
DESTROY_HERE_BUT = (
    "cdk destroy removes the stack's resources here too, but not what only {functions} "
    "delete{s} on AWS: with --keep, destroy the lab there and check what is left"
)


def emulator_port(text: str) -> int:
    port = whole_number_in(text, 1024, 65535)
    if port is None:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a port the emulator can listen on; pick one from 1024 to "
            "65535, or leave --port out for a free one"
        )
    return port


def register(commands: argparse._SubParsersAction) -> None:
    parser = command_parser(
        commands,
        "local",
        help="deploy one lab into a local AWS emulator (moto) with the real CDK CLI and show "
        "what it created; no AWS account needed",
    )
    parser.add_argument(
        "lab", nargs="?", help=f"lab id (default: {DEFAULT_LOCAL_LAB}; with -c students=kim,lee, "
        "one student's copy: Day1Lab1-kim)"
    )
    parser.add_argument(
        "--port", type=emulator_port, help="the emulator's port (default: a free one)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the emulator running for the AWS CLI"
    )
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="deploy every lab and print which deploy locally (the README's table)",
    )
    add_context_option(parser)
    add_cache_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Synthesize one lab, deploy it into moto's server, read back and print what exists."""
    if args.port is not None and local.port_in_use(args.port):  # before minutes of synthesis
        raise CliError(in_use(args.port, given=True), EXIT_USAGE)  # as when found after it
    if args.coverage:
        if args.lab is not None:
            raise CliError(
                f"--coverage deploys every lab: drop {shown(args.lab)}, or drop --coverage to "
                "deploy that lab alone",
                EXIT_USAGE,
            )
        return run_coverage(args)
    if args.lab is None:  # the default, set here: with --coverage, a lab given is refused
        args.lab = DEFAULT_LOCAL_LAB
    timings: Dict[str, float] = {}
    # writable: `cdk deploy` writes its asset zips and locks into the assembly.
    # In class mode one student's copy (Day1Lab1-kim), as `week5 labs` lists it.
    context = synthesis_context(args)  # checked: a bad value is its own line
    build = lab_to_build(args.lab, parse_students(context.get(CONTEXT_STUDENTS)), "local")
    refuse_another_region(context.get(CONTEXT_REGION))
    synthesis = synthesized(args, [build], writable=True)
    with synthesis as (outdir, timings["synth"]):
        (lab,) = select_labs(read_labs(outdir), [args.lab])
        with emulator_for(args, timings) as (emulator, env):
            say(f"==> cdk deploy {lab.lab_id} into the emulator")
            back, timings["deploy"] = local.deploy_and_read(emulator, outdir, lab, env)
            if isinstance(back, str):
                raise CliError(
                    f"cdk deploy {lab.lab_id} failed on the emulator, which cannot take this "
                    f"lab: {back} (on AWS the same template deploys; see the README's table)"
                )
            timings["read-back"] = back.seconds
            # What each BucketDeployment's function puts in its bucket on AWS (it runs not here)
            back.uploads = upload_bucket_deployments(emulator.endpoint, outdir, lab)
            print()
            print(format_read_back(lab.lab_id, back, lab.template))
            print()
            after = sum(v for k, v in timings.items() if k != "synth")
            print(
                "Wall time: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
                + f"; after synthesis {after:.1f} s"
            )
            if args.keep:
                emulator.keep = True
                print()
                print(
                    format_keep(
                        emulator,
                        lab,
                        args.context,
                        checks=back.checks,
                    )
                )
    return EXIT_OK


def refuse_another_region(region: Optional[str]) -> None:
    """The emulator is bootstrapped in the course's region only: a lab synthesized for another
    (``region``, the synthesis's context) failed its deploy there with the bootstrap's
    "SsmParameterNotFound", which read as the emulator not taking the lab. Refused before
    synthesis."""
    if region not in (None, local.LOCAL_REGION):
        raise CliError(
            f"-c region={shown(region)}: the emulator deploys in {local.LOCAL_REGION}, the "
            "course's region, only; drop -c region (and -c azs) for week5 local",
            EXIT_USAGE,
        )


#: The command as the README and a student's shell spell it: the set-up puts no venv on PATH.
WEEK5 = ".venv/bin/week5"
WEEK5_WINDOWS = ".venv\\Scripts\\week5"


def format_keep(
    emulator: local.Emulator,
    lab: SynthesizedLab,
    context: List[str],
    windows: bool = os.name == "nt",
    checks: Sequence[str] = (),
) -> str:
    """How to use the emulator left running: the environment that points the tools at it, the
    AWS CLI commands that show what the lab made (``checks``: a step's URL, SSH and Session
    Manager reach nothing there), the destroy and the check that follow the lab guide, and how
    to stop it. On Windows in PowerShell's words (시작하기.md sends Windows students there):
    `export` and `kill` are bash's. A bucket `week5 local` put a ``BucketDeployment``'s files
    in needs no emptying first: the emulator empties a bucket tagged for auto-delete at the
    destroy, as its function does on AWS (moto_models/s3_bucket.py)."""
    options = "".join(f" -c {shlex.quote(item)}" for item in context)  # the deployed stack's name
    named = parse_stack_name(lab.stack_name)
    student = f" --student {named.group('student')}" if named else ""
    pid = emulator.process.pid
    week5 = WEEK5_WINDOWS if windows else WEEK5
    variables = {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": local.LOCAL_REGION,
    }
    folder = str(emulator.log_path.parent)
    if windows:
        point = "  " + "; ".join(f'$env:{k} = "{v}"' for k, v in variables.items())
        destroy = f"  py scripts\\cdk.py destroy {lab.lab_id}{options} --force"
        stop = f'Stop-Process -Id {pid}; Remove-Item -Recurse "{folder}"'
    else:
        point = "  export " + " ".join(f"{k}={v}" for k, v in variables.items())
        destroy = f"  python3 scripts/cdk.py destroy {lab.lab_id}{options} --force"
        stop = f"kill {pid} && rm -r {shlex.quote(folder)}"
    return "\n".join(
        [
            f"The emulator keeps running (pid {pid}). Point the AWS CLI (and {week5} status, "
            "audit, cleanup) at it:",
            point,
            # the deployed stack's student: plain `status` is the week5 init one's (a trial's
            # "No lab stacks of student instructor" beside the lab just deployed)
            f"  {week5} status{student}",
            *(
                [
                    "What the lab made, from the AWS CLI (the guide's URLs, SSH and Session "
                    "Manager reach nothing here; these answer):"
                ]
                + [f"  {command}" for command in checks]
                if checks
                else []
            ),
            "When you are done, destroy the lab there as on AWS, then check that nothing of "
            f"{lab.day} is left (cleanup lists it; without --apply it deletes nothing):",
            destroy,
            f"  {week5} cleanup --day {lab.day}{student}",
            # Its log folder is the emulator's own: it goes when the emulator is not kept.
            f"Stop it and remove its log with: {stop}",
        ]
    )


@contextlib.contextmanager
def emulator_for(
    args: argparse.Namespace, timings: Dict[str, float]
) -> Iterator[Tuple[local.Emulator, Dict[str, str]]]:
    """Start moto's server, bootstrap it, yield (emulator, env); stop it unless kept."""
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
    except (local.LocalError, CliError) as error:
        stopped_midway(emulator)
        # The failure line names the log it keeps (a trial: named at start-up only).
        kept = (
            f" (the emulator's log is kept: {emulator.log_path})"
            if emulator is not None and str(emulator.log_path) not in str(error)
            else ""
        )
        raise CliError(f"{error}{kept}", getattr(error, "code", EXIT_FAILED)) from None
    except (Exception, KeyboardInterrupt) as error:
        if not isinstance(error, KeyboardInterrupt):
            stopped_midway(emulator)
        # Any other failure (an AWS error main() turns into one line, a bug, Ctrl-C) keeps the
        # log too, and names it: a trial found such folders left in /tmp with no word of them.
        if emulator is not None:
            print(f"week5: the emulator's log is kept: {emulator.log_path}", file=sys.stderr)
        raise
    else:  # a run that worked leaves nothing in /tmp; after an error the log stays
        if emulator is not None and not emulator.keep:
            emulator.stop()
            emulator.remove_log()
    finally:
        if emulator is not None and not emulator.keep:
            emulator.stop()


def stopped_midway(emulator: Optional[local.Emulator]) -> None:
    """Raise the one line that says so when ``emulator`` has exited during the run: what failed
    then was only the calls to it (a trial read "cannot reach AWS at http://localhost:PORT;
    check the network and any proxy")."""
    if emulator is None or emulator.process.poll() is None:
        return
    raise CliError(
        f"the local emulator stopped during the run (exit {emulator.process.returncode}); its "
        f"log is kept: {emulator.log_path}; run the command again",
        EXIT_FAILED,
    ) from None


def run_coverage(args: argparse.Namespace) -> int:
    """Deploy every lab into one emulator and print the README's coverage table."""
    synthesis = synthesized(args, writable=True)  # `cdk deploy` writes into it
    with synthesis as (outdir, _), emulator_for(args, {}) as (emulator, env):
        labs = read_labs(outdir)
        say(f"==> cdk deploy of the {len(labs)} labs into the emulator")
        backs, _ = local.deploy_and_read_labs(emulator, outdir, labs, env)
        results = {lab_id: local.coverage_of(back) for lab_id, back in backs.items()}
    print()
    print(format_coverage_table(results))
    return EXIT_OK


def format_coverage_table(results: Mapping[str, local.Coverage]) -> str:
    """The README's table: per lab, whether it deploys locally."""
    rows = [(f"`{lab_id}`", c.summary) for lab_id, c in results.items()]
    return render_table(rows, ("Lab", "Deploys locally"), markdown=True)


def format_read_back(
    lab_id: str, back: local.ReadBack, template: Optional[Mapping[str, Any]] = None
) -> str:
    """What the emulator holds, in the course's terms, and what it skipped; then the stack's
    outputs, for the lab guide's steps. ``template``: the lab's, for what its outputs' header
    says of alarms (:func:`outputs_header`); without it, no alarm is said."""
    lines = [f"{lab_id}: stack {back.stack_name} on the local emulator"]
    for vpc in back.vpcs:
        lines.append(f"VPC {vpc['name'] or vpc['id']}  {vpc['cidr']}")
    if back.subnets:
        rows = [
            (s["name"] or s["id"], s["cidr"], f"{s['az']}  0.0.0.0/0 -> {s['default_route']}")
            for s in back.subnets
        ]
        lines.append(render_table(rows, indent="  subnet ", gap=" ", min_widths=(34, 15)))
    if back.security_groups:
        lines.append("Security groups (ingress)")
        names = security_group_names(template)
        shown_as = {g["id"]: names.get(g["logical_id"]) or g["logical_id"] or g["id"]
                    for g in back.security_groups}  # fmt: skip
        for g in sorted(back.security_groups, key=lambda g: shown_as[g["id"]]):
            rules = (
                ", ".join(
                    f"{port if port is not None else 'all'} from {names.get(source, source)}"
                    for port, source in g["ingress"]
                )
                or "none"
            )
            lines.append(f"  {shown_as[g['id']]}: {rules}")
    if back.instances:
        lines.append("Instances")
        lines.append(
            render_table(
                [_instance_row(i) for i in back.instances],
                indent="  ",
                gap=" ",
                min_widths=(34, 10),
            )
        )
    lines += _services(back)
    c = back.coverage
    lines.append(f"Created locally: {c.created} of {c.total} resources.")
    if c.skipped:
        skipped = ", ".join(f"{t} x{n}" for t, n in c.skipped.items())
        lines.append(f"Not modelled by the emulator (AWS creates them; skipped here): {skipped}")
    if back.functions_not_run:
        lines.append(
            "Created, but their Lambda functions do not run here (moto runs them in Docker): "
            + format_functions_not_run(back.functions_not_run, uploaded=bool(back.uploads))
            + (":" if back.uploads else ".")
        )
        lines += [format_upload(upload) for upload in back.uploads]
    lines.append(destroy_note(back.functions_not_run) + ".")
    if back.outputs:
        lines += ["", format_outputs(back, template)]
    return "\n".join(lines)


def security_group_names(template: Optional[Mapping[str, Any]]) -> Dict[str, str]:
    """Each security group's logical id → the name the console lists it by: its Name tag
    (``week5-day1-kim-bastion-sg``), else its ``GroupName``, as the read-back's VPCs, subnets
    and instances go by their Name tags (a student trial looked in the console for
    ``BastionPairBastionSecurityGroup6F7557BD``). A group with neither, or whose name is not a
    plain string, is not here (shown by its logical id); so is every group when ``template``
    is None (not known)."""
    names = {}
    resources = (template or {}).get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::EC2::SecurityGroup":
            continue
        properties = resource.get("Properties") or {}
        name = tag_dict(properties.get("Tags")).get("Name") or properties.get("GroupName")
        if isinstance(name, str) and name:
            names[logical_id] = name
    return names


#: The custom resource types of the labs whose work at destroy the emulator does, or which do
#: none: after `cdk destroy` there, nothing of theirs is left (tests/test_emulator_labs.py
#: destroys every lab and finds nothing). ``S3AutoDeleteObjects`` empties its bucket: the
#: emulator empties a bucket tagged for it (moto_models/s3_bucket.py, ``AUTO_DELETE_TAG``);
#: a ``BucketDeployment`` deletes nothing at destroy (CDK's ``retainOnDelete``, true unless the
#: template sets ``RetainOnDelete``, which no lab does) and its files go with that bucket's
#: emptying. Any other type (the labs' ``Week5SnapshotCleanup``, which deletes the snapshots
#: of the lab's volume or database) does work at destroy that the emulator does not.
DESTROYED_HERE = frozenset({"Custom::S3AutoDeleteObjects", BUCKET_DEPLOYMENT})


def destroy_note(functions_not_run: Mapping[str, int]) -> str:
    """What `cdk destroy` removes on the emulator: all of it (:data:`DESTROY_HERE`), or all but
    what the functions of ``functions_not_run`` (type -> count) that are not
    :data:`DESTROYED_HERE` delete on AWS, named (:data:`DESTROY_HERE_BUT`; a trial of Day2Lab2
    and Day5Lab1 was told of leftovers where status and cleanup found none)."""
    left = sorted(rtype for rtype in functions_not_run if rtype not in DESTROYED_HERE)
    if not left:
        return DESTROY_HERE
    if len(left) == 1:
        return DESTROY_HERE_BUT.format(functions=f"{left[0]}'s function", s="s")
    named = f"{', '.join(left[:-1])} and {left[-1]}"
    return DESTROY_HERE_BUT.format(functions=f"the functions of {named}", s="")


#: What each custom resource type of the labs does on AWS, and what happens instead on the
#: emulator, where its function does not run (a trial: one sentence for all told Day2Lab2 its
#: functions delete snapshots, and Day2Lab1 that they upload a site).
FUNCTION_WORK: Mapping[str, Tuple[str, str]] = {
    "Custom::S3AutoDeleteObjects": (
        "empties its bucket as the stack deletes it",
        "the emulator empties a bucket tagged for it",
    ),
    "Custom::Week5SnapshotCleanup": (
        "deletes at destroy the snapshots taken of the lab's volume or database",
        "they stay after destroy",
    ),
    BUCKET_DEPLOYMENT: (
        "puts the lab's files into its bucket",
        "it does not happen",
    ),
}
#: For a type no lab has.
OTHER_FUNCTION_WORK = ("runs a function", "it does not run")


def format_functions_not_run(counts: Mapping[str, int], uploaded: bool = False) -> str:
    """``type xN`` with what it does on AWS and here, for each custom resource type whose
    function the emulator does not run; ``uploaded``: `week5 local` did the
    ``BucketDeployment``'s upload (said last, before the list of what it put where)."""
    clauses = []
    for rtype in sorted(counts, key=lambda t: t == BUCKET_DEPLOYMENT):
        on_aws, here = FUNCTION_WORK.get(rtype, OTHER_FUNCTION_WORK)
        if rtype == BUCKET_DEPLOYMENT and uploaded:
            here = "week5 local did the upload"
        clauses.append(f"{rtype} x{counts[rtype]} (on AWS it {on_aws}: here {here})")
    return "; ".join(clauses)


def format_upload(upload: Mapping[str, object]) -> str:
    """One line for what `week5 local` put in a bucket in place of a ``BucketDeployment``."""
    one = upload["files"] == 1  # Day4Case puts its one page (a trial read "1 files")
    return (
        f"  {upload['files']} file{'' if one else 's'} of the lab put into "
        f"s3://{upload['bucket']}/{upload['prefix']}, as {upload['logical_id']}'s function does "
        f"on AWS (`aws s3 ls s3://{upload['bucket']} --recursive` lists {'it' if one else 'them'})"
    )


#: An S3 website endpoint's host, its bucket named first (moto's ``WebsiteURL``).
S3_WEBSITE = re.compile(r"([a-z0-9][a-z0-9.-]*)\.s3-website[.-][a-z0-9-]+\.amazonaws\.com")
#: A CloudFront distribution's host.
CLOUDFRONT_HOST = re.compile(r"[a-z0-9]+\.cloudfront\.net")
#: A load balancer's DNS name (``DNSName``: ``NAME-1.REGION.elb.amazonaws.com`` on the emulator).
LOAD_BALANCER_HOST = re.compile(r"[a-z0-9.-]+\.elb\.amazonaws\.com", re.IGNORECASE)
#: An API Gateway API's host (an HTTP API's ``ApiEndpoint``).
API_GATEWAY_HOST = re.compile(r"[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com")
#: A database's and a cache's endpoint (``Endpoint.Address``, ``PrimaryEndPoint.Address``).
DATABASE_HOST = re.compile(r"[a-z0-9.-]+\.rds\.amazonaws\.com")
CACHE_HOST = re.compile(r"[a-z0-9.-]+\.cache\.amazonaws\.com")
#: The AWS console (a CloudWatch dashboard's URL).
CONSOLE_HOST = re.compile(r"[a-z0-9.-]*console\.aws\.amazon\.com")
#: The AWS hosts an output may name that the emulator does not serve: each host's pattern,
#: what it is, and what a student does instead (the first one found says it).
UNSERVED: Tuple[Tuple[Pattern[str], str, str], ...] = (
    (S3_WEBSITE, "S3 website endpoint", "`aws s3 ls s3://{bucket} --recursive` lists the files it "
     "serves on AWS"),
    (CLOUDFRONT_HOST, "CloudFront host", "on AWS it answers"),
    (LOAD_BALANCER_HOST, "load balancer host", "on AWS it answers"),
    (API_GATEWAY_HOST, "API Gateway host", "on AWS it answers"),
    (DATABASE_HOST, "database endpoint", "on AWS it answers inside the lab's VPC"),
    (CACHE_HOST, "ElastiCache endpoint", "on AWS it answers inside the lab's VPC"),
    (CONSOLE_HOST, "AWS console", "the console shows your AWS account, not the emulator"),
)  # fmt: skip


def unreachable(value: str) -> Optional[str]:
    """Why an output's URL or command reaches nothing on the emulator, in one line, or None:
    it serves none of the hosts of :data:`UNSERVED` (student trials of Day2Lab2 and Day3Case:
    a host made up there may be someone else's on AWS)."""
    found = [(pattern.search(value), name, instead) for pattern, name, instead in UNSERVED]
    found = [(match, name, instead) for match, name, instead in found if match]
    if not found:
        return None
    match, _, instead = found[0]
    if "{bucket}" in instead:
        instead = instead.format(bucket=match.group(1))
    served = " and no ".join(name for _, name, _ in found)
    return f"(reaches nothing here: the emulator serves no {served}; {instead})"


#: The line above a lab's outputs: what the emulator's values are and what runs behind them.
#: Each clause after the first is said only for a lab with what it is about
#: (:func:`outputs_header`): a Day 1 lab has no target, scaling policy or database, and an
#: output is named only where the lab has it.
OUTPUTS_HEADER_START = (
    "Outputs (the lab guide's steps use them; the values are the emulator's: its addresses "
    "(made up: they may be someone else's on the internet, do not open them), SSH and "
    "Session Manager (`aws ssm start-session` fails with HTTP 500) reach nothing "
    "here, nor do `aws s3control` calls (the account id goes in their host name); the other "
    "API calls work"
)
#: Said beside start-session where an output sends a Run Command (:func:`outputs_header`): the
#: call that lists its invocations is one moto lacks (HTTP 500 there, a student trial); the one
#: that reads an instance's answers.
_INVOCATIONS = (
    ", and `aws ssm list-command-invocations` fails with HTTP 500 (`aws ssm "
    "get-command-invocation --command-id ID --instance-id ID` answers)"
)
_HEALTH = 'a target stays "healthy" whatever its instance serves (no health checks)'
_ALARMS = "no alarm goes off by itself (no metrics)"
#: What an output that sends a Run Command does not do here, by its key; another "runs nothing".
_SENT = {"LoadTestCommand": "loads nothing"}
#: The output that lists a group's scaling activities (Day 4's), named where the lab has it.
WATCH_SCALING = "WatchScalingCommand"
#: An output's value that runs one of the course's failure tests (week5/constructs/commands.py:
#: ``failover_command``, ``cache_failover_command``, ``terminate_instance_command``), the
#: guide's "장애 테스트" (Day3Case, Day4Challenge, Day5Challenge).
FAILURE_TEST = re.compile(
    r"reboot-db-instance .*--force-failover|elasticache test-failover|"
    r"autoscaling terminate-instance-in-auto-scaling-group"
)


def _send_command(keys: Sequence[str]) -> str:
    done = ", ".join(f"{key} {_SENT.get(key, 'runs nothing')}" for key in keys)
    return f"`aws ssm send-command` answers Success though no command runs on any instance ({done})"


def _scaling(watch: bool) -> str:
    return (
        "no scaling policy acts (skipped"
        + (f": {WATCH_SCALING} shows no activity" if watch else "")
        + "; `aws autoscaling set-desired-capacity --auto-scaling-group-name GROUP "
        "--desired-capacity 4` scales the group, which `aws autoscaling "
        "describe-auto-scaling-groups` then shows, and `aws cloudformation get-template "
        "--stack-name STACK` shows the policy AWS creates)"
    )


_DRAINING = "a deregistered target goes without draining"
_FAILOVER = "a reboot or failover is over at once"


def has_alarms(template: Optional[Mapping[str, Any]]) -> bool:
    """Whether the lab's template has a CloudWatch alarm (Day 5's); None: not known, no."""
    resources = (template or {}).get("Resources") or {}
    return any(r.get("Type") == "AWS::CloudWatch::Alarm" for r in resources.values())


def failure_tests(back: local.ReadBack) -> List[str]:
    """The keys of the outputs that run one of the guide's failure tests (:data:`FAILURE_TEST`)."""
    return [o["key"] for o in back.outputs if FAILURE_TEST.search(o.get("value") or "")]


def outputs_header(back: local.ReadBack, template: Optional[Mapping[str, Any]] = None) -> str:
    """:data:`OUTPUTS_HEADER_START` and what does not run behind the lab's own calls: targets
    and draining where it has a load balancer, scaling where it has a group (its
    ``WatchScalingCommand`` where it has that output), alarms where its ``template`` has any,
    Run Command where an output sends one (named, and the listing of its invocations that
    fails, :data:`_INVOCATIONS`), failover where it has a database or cache;
    the failure tests, named, where its outputs run any (:func:`failure_tests`). A student
    trial of Day 1 read about all of them; of Day3Lab2, of alarms and failure tests it has not;
    of Day5Lab1, of a WatchScalingCommand it has not."""
    stores = bool(back.databases or back.caches)
    keys = [o["key"] for o in back.outputs]
    sending = [o["key"] for o in back.outputs if "ssm send-command" in (o.get("value") or "")]
    clauses = [
        clause
        for clause, wanted in (
            (_HEALTH, bool(back.load_balancers)),
            (_ALARMS, has_alarms(template)),
            (_send_command(sending), bool(sending)),
            (_scaling(WATCH_SCALING in keys), bool(back.auto_scaling_groups)),
            (_DRAINING, bool(back.load_balancers)),
            (_FAILOVER, stores),
        )
        if wanted
    ]
    return _behind(clauses, failure_tests(back), sends=bool(sending))


def _behind(clauses: Sequence[str], tests: Sequence[str] = (), sends: bool = False) -> str:
    """:data:`OUTPUTS_HEADER_START` with ``clauses`` and the failure ``tests`` named; ``sends``:
    an output sends a Run Command, whose invocations' listing fails (:data:`_INVOCATIONS`)."""
    start = OUTPUTS_HEADER_START
    if sends:
        other = start.rindex("; the other API calls work")
        start = f"{start[:other]}{_INVOCATIONS}{start[other:]}"
    included = f", the guide's failure tests ({', '.join(tests)}) included" if tests else ""
    if not clauses:
        return f"{start}{included})"
    listed = clauses[0] if len(clauses) == 1 else f"{', '.join(clauses[:-1])}, and {clauses[-1]}"
    return f"{start}{included}, but nothing runs behind them: {listed})"


def format_outputs(back: local.ReadBack, template: Optional[Mapping[str, Any]] = None) -> str:
    """The stack's outputs, which the lab guide's steps use: each key with its description, its
    value on the next line (the emulator's ids and addresses), or why the emulator has none.
    ``template``: the lab's, for the header (:func:`outputs_header`)."""
    lines = [outputs_header(back, template)]
    for output in back.outputs:
        description = output["description"]
        lines.append(f"  {output['key']}" + (f": {description}" if description else ""))
        if output["value"] is not None:
            lines.append(f"    {output['value']}")
            note = unreachable(output["value"])
            if note:
                lines.append(f"    {note}")
            continue
        reason = (
            f"it names {', '.join(output['skipped'])}, which the emulator skips"
            if output["skipped"]
            else "the emulator could not resolve it"
        )
        lines.append(f"    (no value here: {reason}; AWS gives one)")
    return "\n".join(lines)


def _instance_row(instance: Mapping[str, str]) -> Tuple[str, str, str]:
    return (instance["name"] or instance["id"], instance["type"], f"in {instance['subnet']}")


def _services(back: local.ReadBack) -> List[str]:
    """Load balancers, Auto Scaling groups, databases, caches, file systems and volumes, a line
    each."""
    lines = []
    if back.load_balancers:
        lines.append("Load balancers")
        for lb in back.load_balancers:
            listeners = ", ".join(f"{p} {port}" for p, port in lb["listeners"])
            groups = ", ".join(
                f"{p} {port} health {path or '-'}" for p, port, path in lb["target_groups"]
            )
            lines.append(
                f"  {lb['scheme']} ALB in {', '.join(lb['subnets'])}; listeners: {listeners}; "
                f"targets: {groups}"
            )
    if back.auto_scaling_groups:
        lines.append("Auto Scaling groups")
        for g in back.auto_scaling_groups:
            running = ", ".join(f"{n} in {az}" for az, n in g["instances_by_az"].items())
            lines.append(
                f"  {g['logical_id'] or g['name']}: min {g['min']} / max {g['max']} / desired "
                f"{g['desired']}, "
                f"{g['health_check']} health checks, in {', '.join(g['subnets']) or '-'}; "
                f"instances: {running or 'none'}"
            )
    if back.databases:
        lines.append("Databases")
        for db in back.databases:
            role = f", replica of {db['replica_of']}" if db["replica_of"] else ""
            lines.append(f"  {db['engine']} {db['class']} Multi-AZ {db['multi_az']}{role}")
    if back.caches:
        lines.append("Caches (ElastiCache)")
        for c in back.caches:
            lines.append(
                f"  {c['id']}: {c['node_type']} x {c['nodes']}, TLS {_on(c['tls'])}, "
                f"AUTH {_on(c['auth'])}, automatic failover {c['failover']}"
            )
    if back.file_systems:
        lines.append("File systems (EFS)")
        for fs in back.file_systems:
            targets = ", ".join(fs["mount_targets"]) or "none"
            lines.append(
                f"  {fs['id']}: encrypted {_on(fs['encrypted'])}, mount targets in {targets}"
            )
    if back.volumes:
        lines.append("Volumes (EBS)")
        for v in back.volumes:
            where = ", ".join(f"{name} as {device}" for name, device in v["attached"])
            lines.append(
                f"  {v['id']}: {v['type']} {v['size']} GiB, encrypted {_on(v['encrypted'])}, "
                f"{v['az']}" + (f", attached to {where}" if where else ", not attached")
            )
    return lines


def _on(flag: bool) -> str:
    return "on" if flag else "off"
