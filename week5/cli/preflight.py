"""``week5 preflight -- CDK ARGS``: what ``scripts/cdk`` and ``scripts/cdk.py`` run before a
CDK command that runs the app (``synth``, ``diff``, ``deploy``, ``destroy``, ``ls``, ``watch``)
(:mod:`week5.operations.preflight`).

Exit 0: run cdk. :data:`EXIT_DONE` (10): nothing to do, the wrapper exits 0 without running cdk
(``destroy`` of a stack that exists under no name). :data:`EXIT_REFUSED` (11): the wrapper
exits 1 without running cdk (``destroy`` under a name that is not the student's while another
copy exists, or a class deploy that the quotas cannot hold; on an emulator, which enforces no
quota, a note instead). :data:`EXIT_BAD_CONTEXT` (12): the
app would refuse the context (a misspelt key, an empty value); the wrapper exits 2 without
running cdk, whose own exit would be 1. Any other code means the check itself could not run (a
broken venv): the wrapper runs cdk. The lines go to stderr, prefixed with ``--prog``. A check
that cannot ask AWS (a timeout, a refusal, no boto3 and no AWS CLI) is one note, and cdk runs:
it reports such problems itself; but AWS throttling the check stops the command (exit 2 through
the wrapper: the CLI's calls would be throttled too), and so does a check that failed
unexpectedly before ``deploy`` or ``destroy`` (a trial's destroy went on after a check that
could not read the endpoint's answer, and the CLI called a live stack destroyed). ``deploy``, ``diff`` and ``destroy`` with no credentials at all
are refused with the fix (exit 2 through the wrapper; :func:`require_credentials`): the CDK CLI
would synthesize, then fail to resolve the account. So is a ``deploy`` whose ``key_name`` the
region has no key pair of, or whose ``restore_snapshot_id`` it has no snapshot of
(:func:`check_named_resources`). A profile that does not exist or is empty
(``--profile``, ``AWS_PROFILE``) is refused (exit 2 through the wrapper): the CDK CLI would go on
with the environment's keys, or report a destroy of nothing as done. So is a command that needs
AWS (:data:`week5.operations.preflight.AWS_COMMANDS`) when AWS certainly cannot be reached (the
connection refused, the host name unresolved): the CDK CLI would retry for a minute, then fail;
and one whose endpoint override (``AWS_ENDPOINT_URL``) answers what is no AWS answer (a web
page with HTTP 200), or whose profile's ``source_profile`` does not exist or loops.
Before such a command, an endpoint or a proxy that is no URL (``AWS_ENDPOINT_URL=http://
127.0.0.1:99999``, ``HTTPS_PROXY='not a url'``) or an ``AWS_STS_REGIONAL_ENDPOINTS`` botocore
refuses is refused too (:func:`check_settings`): the CDK CLI would synthesize, then fail.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Union

from week5.analysis.assembly import read_labs
from week5.cli import instructor_destroy
from week5.cli.arguments import command_parser
from week5.cli.errors import (
    EXIT_BAD_CONTEXT,
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
)
from week5.cli.synthesis import find_project_root, synthesize, with_labs
from week5.core.errors import CourseInputError, shown
from week5.core.progress import say
from week5.core.settings import (
    CONTEXT_KEY_NAME,
    CONTEXT_LABS,
    CONTEXT_REGION,
    CONTEXT_RESTORE_SNAPSHOT_ID,
    CONTEXT_STUDENTS,
    DEFAULT_REGION,
    LABS_READING,
    read_project_context,
)
from week5.operations import aws_errors, preflight, quotas
from week5.operations.status import parse_stack_name

__all__ = ["EXIT_BAD_CONTEXT", "EXIT_DONE", "EXIT_REFUSED", "check", "register", "run"]


DEFAULT_PROG = "scripts/cdk"
#: ``--after-destroy``: a stack the destroy named is left (or could not be read): scripts/cdk.py
#: points at ``week5 cleanup``.
EXIT_LEFT = 13
#: ``--after-destroy``: every stack the destroy named is as it was, none deleting: the CLI
#: stopped before deleting anything (a declined confirmation, no terminal to ask on), and a
#: cleanup hint would tell a student that answered "n" to delete what holds the stack.
EXIT_UNTOUCHED = 14
#: The exit codes, for `week5 preflight --help`: run by hand, it exits with codes that only the
#: launchers' comments explained.
EPILOG = f"""exit codes (scripts/cdk, scripts/cdk.py and scripts/instructor act on them):
  {EXIT_OK}   run cdk (also when a check could not run: its note says why; not before deploy
      or destroy when it failed unexpectedly: {EXIT_BAD_CONTEXT})
  {EXIT_DONE}  EXIT_DONE: nothing to do; the launcher exits {EXIT_OK} without running cdk
  {EXIT_REFUSED}  EXIT_REFUSED: refused (a destroy under another student's name, a class beyond
      the quotas on AWS: an emulator's are a note); the launcher exits {EXIT_FAILED} without
      running cdk
  {EXIT_BAD_CONTEXT}  EXIT_BAD_CONTEXT: bad input (context, stack selector, profile, no AWS
      credentials, a key_name with no key pair, a restore_snapshot_id with no snapshot, an
      endpoint that answers what is no AWS answer), AWS certainly out of reach or throttling,
      or a check that failed unexpectedly before deploy or destroy; the launcher
      exits {EXIT_USAGE} without running cdk"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = command_parser(
        commands,
        "preflight",
        help="run by scripts/cdk before the commands that run the app: the context, and before "
        "deploy and destroy the student's stack name against the account's stacks, and the "
        "quotas for a class deploy",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--prog", default=DEFAULT_PROG, help="the name to prefix lines with "
                        f"(empty: {DEFAULT_PROG})")  # fmt: skip
    parser.add_argument(
        "--app", choices=("labs", "instructor"), default="labs",
        help="whose context to check: the labs' (app.py) or the instructor's (instructor_app.py)",
    )  # fmt: skip
    parser.add_argument(
        "--lab-ids", default=None, metavar="IDS",
        help="the catalog's lab ids, comma-separated (the launchers pass stacks/catalog.py's: "
        "this package never imports the stacks); without them every Day<N><Kind> id is assumed",
    )  # fmt: skip
    parser.add_argument(
        "--after-destroy", action="store_true",
        help=f"after a cdk destroy that exited non-zero (scripts/cdk.py): exit {EXIT_LEFT} when "
        f"a stack it named is left (DELETE_FAILED), {EXIT_UNTOUCHED} when every one is as it "
        "was (a declined confirmation: nothing was destroyed)",
    )  # fmt: skip
    parser.add_argument("cdk_args", nargs=argparse.REMAINDER, help="the cdk command line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cdk_args = list(args.cdk_args)
    if cdk_args[:1] == ["--"]:
        cdk_args = cdk_args[1:]

    prog = (args.prog or "").strip() or DEFAULT_PROG  # "" would start each line with ": "

    def tell(line: str) -> None:
        say(f"{prog}: {line}")

    if getattr(args, "after_destroy", False):
        return after_destroy(cdk_args, tell)
    try:
        lab_ids = preflight.parse_lab_ids(getattr(args, "lab_ids", None))
        return check(cdk_args, tell, args.app, lab_ids)
    except KeyboardInterrupt:
        return 130
    except aws_errors.AwsInputError as error:  # a profile that does not exist: not a deploy
        tell(f"{error}; nothing was run")  # with whatever credentials the CDK CLI finds
        return EXIT_BAD_CONTEXT
    except aws_errors.AwsUnreachableError as error:
        if _command(cdk_args) in preflight.AWS_COMMANDS:  # certain: the CLI would only retry
            tell(f"{error}; nothing was run")
            return EXIT_BAD_CONTEXT
        tell(f"note: could not check the account before {_command(cdk_args)} ({error}); going on")
    except aws_errors.AwsThrottledError as error:  # the CLI's calls would be throttled too
        tell(f"{error}; nothing was run")
        return EXIT_BAD_CONTEXT
    except (aws_errors.AwsError, OSError) as error:
        tell(f"note: could not check the account before {_command(cdk_args)} ({error}); going on")
    except Exception as error:
        failure = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        if _command(cdk_args) in preflight.CHECKED_COMMANDS:  # never a blind deploy or destroy
            tell(
                f"the check before {_command(cdk_args)} failed ({failure}); nothing was run: "
                f"run it again, or set {preflight.SKIP_ENV}=0 to run cdk without the check"
            )
            return EXIT_BAD_CONTEXT
        # A bug here must not stop a synth or a diff: say so, go on.
        tell(f"note: the check before {_command(cdk_args)} failed ({failure}); going on")
    return EXIT_OK


def after_destroy(cdk_args: Sequence[str], tell) -> int:
    """After a ``cdk destroy`` that exited non-zero: :data:`EXIT_UNTOUCHED` (and one line
    saying so) when every stack it names is still there and at rest (none deleting, none
    mid-operation), else :data:`EXIT_LEFT`, also when one is gone (deleted before the CLI
    stopped at the next: a review found "nothing was destroyed" said then) or the stacks cannot
    be read (the launcher's hint then stands). The CDK CLI exits 1 for a failed deletion and
    for a declined confirmation alike."""
    try:
        plan = preflight.plan(cdk_args, find_project_root(), dict(os.environ))
        if plan is None or plan.command != "destroy":
            return EXIT_LEFT
        states = live_stacks(plan)
    except Exception:  # noqa: BLE001 (no answer: the hint stands, as without this check)
        return EXIT_LEFT
    labs = plan.labs
    if plan.all_labs:
        labs = sorted({m.group("lab") for m in map(parse_stack_name, states) if m})
    named = [name for lab in labs for name in plan.targets(lab)]
    at_rest = [
        n for n in named
        if states.get(n) and not states[n].startswith("DELETE")
        and not states[n].endswith("_IN_PROGRESS")
    ]  # fmt: skip
    if not named or len(at_rest) < len(named):
        if at_rest:  # a class destroy: the CLI stops at the first stack it cannot delete
            tell(
                f"not destroyed: {', '.join(at_rest)} (cdk destroy stops at the first stack "
                "it cannot delete): destroy them again once what holds it is gone"
            )
        return EXIT_LEFT
    # The CLI asks on the terminal of its output: without one (a pipe, a CI job) it refuses.
    unasked = not sys.stdout.isatty() and not {"--force", "-f"} & set(cdk_args)
    tell(
        "nothing was destroyed: "
        + ", ".join(f"{name} is {states[name]}" for name in named)
        + ("; to destroy without the question, pass --force" if unasked else "")
    )
    return EXIT_UNTOUCHED


def _command(cdk_args: Sequence[str]) -> str:
    return preflight.command_context(cdk_args)[0] or "cdk"


def check(cdk_args: List[str], tell, app: str = "labs",
          lab_ids: Optional[Sequence[str]] = None) -> int:  # fmt: skip
    """``lab_ids``: the catalog's (:func:`preflight.parse_lab_ids`), for the patterns."""
    command, context, profile = preflight.command_context(cdk_args)
    try:  # the CDK CLI takes the last --profile: a check of the first would judge another
        preflight.check_given_once(cdk_args)
        preflight.check_attached_context(cdk_args)  # -cstudent=lee: the CLI drops the value
    except CourseInputError as error:
        tell(str(error))
        return EXIT_BAD_CONTEXT
    aws_errors.check_profile(profile)  # --profile '': the CDK CLI takes the environment's keys
    if command in preflight.AWS_COMMANDS:  # synth and ls call no AWS: the values are not read
        check_settings(cdk_args)
    if app == "instructor" and command == "destroy":
        return instructor_destroy.check(cdk_args, tell)  # needs none of the deploy values
    root = find_project_root()
    use_cli_proxy(cdk_args, root)
    try:
        if os.environ.get(preflight.SKIP_ENV) != "0":  # the other app's stacks, or none
            preflight.check_app_stacks(cdk_args, app)
        if app == "labs":  # an unknown lab first: the context's advice would name it
            preflight.check_known_labs(cdk_args, lab_ids, root)
        preflight.check_context(cdk_args, root, dict(os.environ), app=app)
        if app == "labs":
            preflight.check_patterns(cdk_args, root, dict(os.environ), lab_ids)
    except CourseInputError as error:
        tell(str(error))
        return EXIT_BAD_CONTEXT
    if app == "instructor":  # no lab stacks to compare with the account's; the profile only
        if command in preflight.CHECKED_COMMANDS:
            aws_errors.session(profile)  # a profile that does not exist: AwsInputError, exit 2
        if command in preflight.AWS_COMMANDS:
            probe(profile, DEFAULT_REGION)
        return EXIT_OK
    checking = os.environ.get(preflight.SKIP_ENV) != "0"
    if command in preflight.CREDENTIAL_COMMANDS and checking:
        require_credentials(cdk_args, str(command), profile, root)  # none: exit 2
    plan = preflight.plan(cdk_args, root, dict(os.environ))
    if plan is None:
        if command in preflight.AWS_COMMANDS and checking:
            try:  # bootstrap synthesizes the app too, but its positional arguments are
                # environments (aws://...), not lab ids: its context is the CLI's to report
                region = context.get(CONTEXT_REGION) or read_project_context(
                    root, user=True
                ).get(CONTEXT_REGION)
            except CourseInputError:
                region = None
            probe(profile, str(region or DEFAULT_REGION))
            if command == "deploy":
                return check_named_resources(cdk_args, root, None,
                                             str(region or DEFAULT_REGION), profile, tell)
        return EXIT_OK
    states = live_stacks(plan)
    names = list(states)
    verdict = preflight.judge(plan, names)
    for line in verdict.lines:
        tell(line)
    if not verdict.proceed:
        return EXIT_DONE if verdict.code == 0 else EXIT_REFUSED
    if plan.command == "deploy":  # the stacks could be listed: the credentials work
        labs = None if plan.all_labs else plan.labs
        code = check_named_resources(cdk_args, root, labs, plan.region, plan.profile, tell)
        if code != EXIT_OK:
            return code
    if plan.class_mode and plan.command == "deploy":
        return check_quotas(plan, root, states, tell)
    return EXIT_OK


def require_credentials(cdk_args: Sequence[str], command: str, profile: Optional[str],
                        root: Path) -> None:  # fmt: skip
    """Before ``deploy``, ``diff`` or ``destroy`` (:data:`preflight.CREDENTIAL_COMMANDS`):
    :class:`aws_errors.AwsInputError` (exit 2 through the launchers) when botocore finds no
    credentials at all (no keys in the environment or the profile, no SSO or role, no instance
    role). The CDK CLI would synthesize for seconds, then fail with "Unable to resolve AWS
    account to use" (``destroy`` after printing "destroying..."). An emulator's environment
    (``week5 local``: AWS_ENDPOINT_URL with the keys ``testing``) has credentials, so passes.
    Credentials that are there but fail (an expired SSO login, a failing credential_process)
    stay the later checks' note; without boto3, or with a CDK CLI plugin (which may supply
    credentials botocore cannot see), nothing is judged."""
    if preflight.uses_credential_plugin(cdk_args, root):
        return
    try:
        import boto3  # noqa: F401  (a venv without it: the stack check notes that)
    except ImportError:
        return
    from botocore.exceptions import NoCredentialsError

    boto_session = aws_errors.session(profile, DEFAULT_REGION)  # credentials are no region's
    with aws_errors.translated(profile, DEFAULT_REGION):
        found = boto_session.get_credentials()
    if found is None:
        line = aws_errors.describe(NoCredentialsError(), profile) or "no AWS credentials"
        raise aws_errors.AwsInputError(
            preflight.no_credentials_message(command, line, os.environ)
        )


#: What a deploy names by context and EC2 can be asked for first: (context key, what it is in
#: a note, whether the region lacks it, the one line that says so with the fix).
_NAMED_BY_CONTEXT = (
    (CONTEXT_KEY_NAME, "key pair", preflight.key_pair_missing,
     preflight.missing_key_pair_message),
    (CONTEXT_RESTORE_SNAPSHOT_ID, "snapshot", preflight.snapshot_missing,
     preflight.missing_snapshot_message),
)  # fmt: skip


def check_named_resources(cdk_args: Sequence[str], root: Path, labs: Optional[Sequence[str]],
                          region: str, profile: Optional[str], tell) -> int:  # fmt: skip
    """Before ``deploy``: ask EC2 in the deploy's region for what the context names and a lab
    being deployed reads (``key_name``'s key pair, ``restore_snapshot_id``'s snapshot:
    :data:`LABS_READING`; ``labs`` None: every lab). One it lacks: one line with the fix,
    :data:`EXIT_BAD_CONTEXT` (a typo otherwise fails the instance or the volume minutes into CloudFormation, without naming
    the context key). A refusal (AccessDenied), a timeout or no boto3: a note, or nothing, and
    :data:`EXIT_OK`, as the account check does."""
    for key, what, missing, message in _NAMED_BY_CONTEXT:
        if labs is not None and not any(lab in LABS_READING[key] for lab in labs):
            continue
        name = preflight.configured_value(cdk_args, root, key)
        if name is None or aws_errors.region_problem(region):
            continue
        try:
            import boto3  # noqa: F401  (a venv without it: nothing to ask with)
        except ImportError:
            return EXIT_OK
        try:
            make_client = aws_errors.clients(profile, region)
            with aws_errors.translated(profile, region):
                lacks = missing(make_client("ec2"), name)
        except (aws_errors.AwsInputError, aws_errors.AwsThrottledError):
            raise  # as the account check: a config or an answer to fix, or a wait
        except aws_errors.AwsError as error:
            tell(f"note: could not check {what} {shown(name)} before deploy ({error}); going on")
            continue
        if lacks:
            tell(message(name, region, profile))
            return EXIT_BAD_CONTEXT
    return EXIT_OK


def check_settings(cdk_args: Sequence[str]) -> None:
    """Before a command that calls AWS: an endpoint (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_
    <SERVICE>``) or a proxy (``HTTPS_PROXY``, ``--proxy``, cdk.json's ``proxy``) that is no URL,
    or an ``AWS_STS_REGIONAL_ENDPOINTS`` botocore refuses, is bad input
    (:class:`aws_errors.AwsInputError`): the CDK CLI would synthesize for seconds, then fail
    ("Unable to resolve AWS account to use"), and this check could ask AWS nothing."""
    try:
        root: Optional[Path] = find_project_root()
    except CliError:  # no cdk.json: the CDK CLI says so
        root = None
    given = cli_proxy_source(cdk_args, root)
    if given:
        line = aws_errors.proxy_problem(*given)
        if line:
            raise aws_errors.AwsInputError(line)
    aws_errors.check_configuration()


def cli_proxy_source(cdk_args: Sequence[str], root) -> Optional[tuple]:
    """``(where it was set, proxy)`` for :func:`cli_proxy`'s proxy, or None."""
    for index, arg in enumerate(cdk_args):
        if arg == "--proxy" and index + 1 < len(cdk_args):
            return "--proxy", cdk_args[index + 1]
        if arg.startswith("--proxy="):
            return "--proxy", arg.split("=", 1)[1]
    files = ([Path(root) / "cdk.json"] if root is not None else []) + [Path.home() / ".cdk.json"]
    for settings in files:
        try:
            proxy = json.loads(settings.read_text(encoding="utf-8")).get("proxy")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(proxy, str) and proxy:
            shown_path = "~/.cdk.json" if settings.parent == Path.home() else "cdk.json"
            return f"the proxy setting of {shown_path}", proxy
    return None


def cli_proxy(cdk_args: Sequence[str], root) -> Optional[str]:
    """The proxy the CDK CLI will use: ``--proxy`` on its command line, else the ``proxy``
    setting of cdk.json or ~/.cdk.json (HTTPS_PROXY boto3 reads itself)."""
    given = cli_proxy_source(cdk_args, root)
    return given[1] if given else None


def use_cli_proxy(cdk_args: Sequence[str], root) -> None:
    """Send this check's AWS calls through the CDK CLI's proxy: on a network where only the
    proxy reaches AWS, a direct call would find AWS "unreachable" and refuse a working deploy.
    This process ends before the CDK CLI starts, so its environment is its own."""
    proxy = cli_proxy(cdk_args, root)
    if proxy:
        for name in ("HTTPS_PROXY", "HTTP_PROXY"):
            os.environ.setdefault(name, proxy)


def probe(profile, region: str) -> None:
    """One cheap call before a command that needs AWS and whose check made none:
    :class:`aws_errors.AwsUnreachableError` when AWS certainly cannot be reached, or a profile
    that does not exist. Anything else (no credentials, a timeout, a refusal) is the CDK CLI's
    to report: nothing is said. The call goes to CloudFormation, whose endpoint the CDK CLI
    deploys through: boto3 resolves it as the CLI does (AWS_ENDPOINT_URL_CLOUDFORMATION before
    AWS_ENDPOINT_URL), where STS's could answer while CloudFormation's refuses."""
    if aws_errors.region_problem(region):  # -c region before bootstrap, say: the CLI's to judge
        return
    try:
        import boto3  # noqa: F401  (a student's venv has none: nothing to probe with)
    except ImportError:
        return
    from botocore.config import Config

    try:
        boto_session = aws_errors.session(profile, region)
        # One attempt: a refusal is certain at once, and a timeout is not waited out thrice.
        config = aws_errors.client_config().merge(
            Config(retries={"total_max_attempts": 1, "mode": "standard"})
        )
        with aws_errors.translated(profile, region):
            boto_session.client("cloudformation", config=config).describe_account_limits()
    except (aws_errors.AwsInputError, aws_errors.AwsUnreachableError):
        raise
    except aws_errors.AwsError:  # throttling too: one attempt here, where the CLI backs off
        return


def live_stacks(plan: preflight.Plan) -> Dict[str, str]:
    """The region's live stacks, name -> status: boto3 when the venv has it, else the AWS CLI
    (names only, each with the status ""; the quota check needs boto3 anyway)."""
    try:
        import boto3  # noqa: F401  (a student's venv has no boto3; the AWS CLI may do)
    except ImportError:
        return dict.fromkeys(preflight.stack_names_with_cli(plan.region, plan.profile), "")
    make_client = aws_errors.clients(plan.profile, plan.region)
    with aws_errors.translated(plan.profile, plan.region):
        return preflight.stack_states(make_client("cloudformation"))


def check_quotas(
    plan: preflight.Plan, root, live: Union[Sequence[str], Mapping[str, str]], tell
) -> int:
    """Synthesize the labs once (one student's copy) and check a class's needs against the
    quotas; refuse with the numbers and the fix when they do not fit. ``live``: the region's
    stacks, by name or name -> status (a stack that holds nothing yet, rolled back or never
    executed, is created again: :func:`quotas.holding_stacks`). A deploy to an emulator
    (:func:`preflight.emulator_endpoint` of CloudFormation), which enforces no quota, is not
    refused: a note says what AWS would (:func:`preflight.emulator_quota_note`)."""
    import tempfile
    from pathlib import Path

    labs = plan.labs
    context = [
        f"{key}={value}"
        for key, value in plan.context.items()
        if key not in (CONTEXT_STUDENTS, CONTEXT_LABS)
    ]
    count = len(plan.named_students)  # Day1Lab2-kim: kim's copy alone, not the class's
    if not count:  # a pattern that matches no student's copy: it adds nothing (cdk says so)
        return EXIT_OK
    tell(f"checking the quotas in {plan.region} for {count} student{'s' if count != 1 else ''} "
         "(synthesizing the labs once)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="week5-preflight-") as out:
        try:
            # Only reads the quotas' figures; the deploy's own synth validates.
            synthesize(root, Path(out), with_labs(context, labs), validation=False)
        except CliError:
            return EXIT_OK  # the deploy's own synth prints the app's one-line reason
        templates = {lab.lab_id: lab.template for lab in read_labs(Path(out))}
    if plan.labs:
        templates = {k: v for k, v in templates.items() if k in plan.labs}
    needs: quotas.Needs = Counter()
    for lab_id, template in templates.items():  # each lab for the students its selectors name
        lab_needs, _ = quotas.class_needs({lab_id: template}, plan.students_of(lab_id), live)
        needs.update(lab_needs)
    make_client = aws_errors.clients(plan.profile, plan.region)
    with aws_errors.translated(plan.profile, plan.region):
        rows = quotas.check(make_client, needs, plan.region)
    short = quotas.shortfalls(rows, plan.region)
    for line in quotas.not_checked(rows):  # an emulator's Service Quotas: named, not guessed
        tell(f"note: {line}")
    if not short:
        return EXIT_OK
    emulator = preflight.emulator_endpoint(make_client("cloudformation"))  # the deploy's
    if emulator:  # it enforces no quota: what AWS would say, and on
        for line in preflight.emulator_quota_note(emulator, count,
                                                  list(templates), short):  # fmt: skip
            tell(line)
        return EXIT_OK
    tell(
        f"refused: {preflight.students_possessive(count)} {' + '.join(templates)} would "
        f"exceed {len(short)} quota(s) in {plan.region}; nothing was deployed. Raise them, "
        "then deploy again (`week5 quotas --students ...` shows the table):"
    )
    for line in short:
        tell(f"  {line}")
    return EXIT_REFUSED
