"""What each lab promises the student, as CDK integ tests (integ-tests-alpha, run by integ-runner).

One file per lab, ``integ/integ_<lab>.py``, builds the lab's stack through the catalog as
``cdk deploy`` builds it (``cdk.json``'s context and feature flags, the same constructs and
tags), and a second stack, ``<lab>Promise``, of assertions that run after it on a real account:

- :meth:`LabPromise.page`: a URL the student opens answers, and shows what the course says;
- :meth:`LabPromise.json`: a demo API answers with the fields it promises;
- :meth:`LabPromise.group_at_size`: an Auto Scaling group has as many healthy targets behind its
  ALB as it is meant to run;
- :meth:`LabPromise.online` and :meth:`LabPromise.runs`: an instance is reachable with Session
  Manager, and a shell command run there through SSM succeeds;
- :meth:`LabPromise.sdk_like` and :meth:`LabPromise.at_path`: an AWS API reports what the lab
  built (a volume attached, a database's standby, an EFS mount target per AZ).

The assertions read only what the lab publishes: its ``CfnOutput`` values (``Fn::GetStackOutput``)
and its resources' physical ids (CloudFormation's ``DescribeStackResource``). They never reference
a lab resource directly, so the lab's template gains no export or output: it stays the one
``cdk deploy`` gets, which ``tests/test_integ.py`` checks against an in-process synthesis.

``integ-runner --directory integ --language python`` (no account) compares each lab's template with
its committed snapshot (``integ/<file>.snapshot/``); ``scripts/integ`` runs them on an account:
deploy the lab, run the assertions, destroy both stacks, list what is left by tag.

Two deviations from ``cdk synth``, on purpose: the student is :data:`INTEG_STUDENT` (stack
``week5-integ-Day4Lab1``, tag ``Student=integ``), so a test never collides with the instructor's
reference copy and ``week5 cleanup --student integ`` lists only what a test left; and CDK's
``CDKMetadata`` resource is off, as integ-runner synthesizes by default (its analytics string
differs between operating systems, which would break the snapshots on another machine).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
# integ-runner runs `python integ_<lab>.py` in this folder: the project's packages come from the
# root (stacks/ is not installed), and jsii's Node from node_modules (Node 22, as for `cdk`).
sys.path.insert(0, str(ROOT))
os.environ["PATH"] = os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])

from aws_cdk import (  # noqa: E402
    App,
    CfnOutput,
    CfnResource,
    Duration,
    Environment,
    Fn,
    Stack,
    TagManager,
)
from aws_cdk import cloud_assembly_schema as cas  # noqa: E402
from aws_cdk.integ_tests_alpha import (  # noqa: E402
    AwsApiCall,
    ExpectedResult,
    FetchOptions,
    HttpApiCall,
    IApiCall,
    IntegTest,
    Match,
)
from constructs import IConstruct  # noqa: E402

from stacks.catalog import CATALOG  # noqa: E402
from week5.synth.app_builder import build_labs, synth_context  # noqa: E402
from week5.synth.lab import LabStack  # noqa: E402
from week5.synth.tagging import apply_course_tags  # noqa: E402

#: The student name of every integ test's stacks and tags.
INTEG_STUDENT = "integ"
#: The course's region; integ-runner runs each test there only.
REGION = "ap-northeast-2"
#: Environment variable that sends the cloud assembly elsewhere (tests/test_integ.py synthesizes
#: every integ app in one process). integ-runner sets CDK_OUTDIR instead.
OUTDIR_ENV = "WEEK5_INTEG_OUTDIR"
#: The newest cloud-assembly schema integ-runner (package.json's pin) reads; aws-cdk-lib 2.275.0
#: writes 55. See :func:`label_for_integ_runner`; tests/test_integ.py reads the number from
#: integ-runner itself, so an upgrade that lifts the limit shows that this bridge can go.
INTEG_RUNNER_SCHEMA = 53

#: How long an assertion retries by default: instances boot, install and pass health checks.
DEFAULT_WAIT = Duration.minutes(15)
#: For apps that migrate a database on their first start (PrestaShop, Ghost, the demo APIs).
SLOW_APP_WAIT = Duration.minutes(25)
#: Between two tries.
RETRY_INTERVAL = Duration.seconds(30)
#: An SSM command's output is not read back (a custom resource's answer must stay under
#: CloudFormation's 4 KB); its exit status is the assertion.
QUIET = " >/dev/null 2>&1"


def integ_context() -> Dict[str, Any]:
    """The context an integ app synthesizes with: ``cdk synth``'s, for the integ student.

    Passed as ``post_cli_context``, so it wins over the feature flags integ-runner adds (a
    subset of ``cdk.json``'s, with the same values: tests/test_integ.py keeps it so) and brings
    back ``cdk.json``'s target partitions, which integ-runner clears.
    """
    return {
        **synth_context(ROOT / "cdk.json"),
        "student": INTEG_STUDENT,
        "aws:cdk:version-reporting": False,
        # Metadata only (templates never hold them): construct creation stack traces name the
        # jsii kernel's temporary folder, which would change the snapshots on every run.
        "aws:cdk:disable-creation-stack-traces": True,
        "aws:cdk:disable-stack-trace": True,
    }


def integ_file_name(lab_id: str) -> str:
    """``Day4Lab1`` -> ``integ_day4_lab1.py`` (integ-runner's Python tests: ``^integ_.*\\.py$``)."""
    return "integ_" + re.sub(r"(?<=[0-9a-z])(?=[A-Z])", "_", lab_id).lower() + ".py"


def exactly(text: str) -> str:
    """A JavaScript regular expression that matches ``text`` and nothing else."""
    return f"^{literally(text)}$"


def literally(text: str) -> str:
    """A JavaScript regular expression that matches ``text`` anywhere."""
    return re.sub(r"[.*+?^${}()|[\]\\/]", lambda m: "\\" + m.group(0), text)


def title_of(html_file: Path) -> str:
    """The ``<title>`` element of a page the lab deploys, as the browser tab shows it."""
    match = re.search(r"<title>.*?</title>", html_file.read_text(encoding="utf-8"), re.S)
    if match is None:
        raise ValueError(f"{html_file} has no <title>")
    return match.group(0)


class LabPromise:
    """One lab's integ test: its stack as ``cdk deploy`` builds it, and the assertions stack.

    ``LabPromise("Day4Lab1")`` builds the lab; the methods add assertions, each named by a
    construct id that integ-runner reports (unique within the lab); :meth:`synth` writes the
    cloud assembly integ-runner reads.
    """

    def __init__(self, lab_id: str) -> None:
        self.lab = CATALOG.get(lab_id)
        self.app = App(post_cli_context=integ_context(), outdir=os.environ.get(OUTDIR_ENV))
        # cdk-nag is off here: it would judge the assertion stack's Lambda functions, which are
        # no course resource. The lab's own template is the same with or without it (the packs
        # only read), and tests/test_integ.py compares it with a synthesis that runs them.
        stacks = build_labs(self.app, CATALOG.select(lab_id), nag=False)
        #: The lab's stack, as ``cdk deploy`` gets it (for the integ student).
        self.stack: LabStack = stacks[lab_id]
        #: The assertions: deployed after the lab, destroyed with it, tagged like it.
        self.assertions = Stack(
            self.app,
            f"{lab_id}Promise",
            stack_name=f"{self.stack.stack_name}-promise",
            env=Environment(region=self.stack.region),
            description=f"Week 5 {lab_id}: what the course promises, checked on the deployed lab",
        )
        self.assertions.add_stack_dependency(self.stack, "the assertions read the deployed lab")
        self.test = IntegTest(
            self.app,
            f"{lab_id}Integ",
            test_cases=[self.stack],
            assertion_stack=self.assertions,
            regions=[REGION],
            # Deploying the previous snapshot first and then this one (the update workflow)
            # would double the time, up to 23 minutes for the RDS labs, and test nothing the
            # course asks: students deploy a lab fresh.
            stack_update_workflow=False,
            cdk_command_options=cas.CdkCommands(
                destroy=cas.DestroyCommand(args=cas.DestroyOptions(force=True)),
            ),
        )
        #: Every call that asserts something (the rest only fetch ids).
        self.checks: List[IApiCall] = []

    # ---- what the lab publishes ----

    def output(self, name: str) -> str:
        """The lab's output ``name``, as ``cdk deploy`` prints it for the student (a token)."""
        outputs = [c for c in self.stack.node.find_all() if isinstance(c, CfnOutput)]
        found = [o for o in outputs if o.node.id == name]
        if len(found) != 1:
            known = sorted(o.node.id for o in outputs)
            raise ValueError(f"{self.lab.lab_id} has {len(found)} outputs {name!r}; it has {known}")
        return Fn.get_stack_output(self.stack.stack_name, self.stack.resolve(found[0].logical_id))

    def url(self, output: str, path: str) -> str:
        """The lab's output ``output`` with ``path`` appended (``/health``, ``/api/products``)."""
        return Fn.join("", [self.output(output), path])

    def physical_id(self, construct: IConstruct, name: str) -> str:
        """The deployed id of ``construct``'s resource (an instance id, a target group's ARN,
        a database identifier), read with CloudFormation's DescribeStackResource."""
        resource = construct.node.default_child or construct
        call = self._sdk(
            f"{name}Id",
            "CloudFormation",
            "describeStackResource",
            {
                "StackName": self.stack.stack_name,
                "LogicalResourceId": self.stack.resolve(resource.logical_id),
            },
            output_paths=["StackResourceDetail.PhysicalResourceId"],
        )
        return call.get_att_string("StackResourceDetail.PhysicalResourceId")

    def private_ip(self, instance_id: str, name: str) -> str:
        """An instance's private IPv4 address."""
        path = "Reservations.0.Instances.0.PrivateIpAddress"
        call = self._sdk(
            f"{name}Address", "EC2", "describeInstances", {"InstanceIds": [instance_id]},
            output_paths=[path],
        )
        return call.get_att_string(path)

    # ---- assertions ----

    def page(
        self,
        name: str,
        url: str,
        *,
        shows: Optional[str] = None,
        headers: Optional[Dict[str, Any]] = None,
        status: int = 200,
        head: bool = False,
        wait: Optional[Duration] = DEFAULT_WAIT,
    ) -> IApiCall:
        """``url`` answers ``status`` (redirects followed) with a body that holds ``shows``.

        ``head`` asks with HEAD, for pages too big to carry back through CloudFormation
        (WordPress's installer, Ghost): the status is the assertion. Each retry is a new request.
        """
        expected: Dict[str, Any] = {"status": status}
        if shows is not None:
            expected["body"] = Match.string_like_regexp(literally(shows))
        if headers:
            expected["headers"] = headers
        options = FetchOptions(method="HEAD") if head else None
        call = HttpApiCall(self.assertions, name, url=url, fetch_options=options)
        return self._expect(call, expected, wait)

    def json(
        self,
        name: str,
        url: str,
        like: Dict[str, Any],
        *,
        status: int = 200,
        post: Optional[Dict[str, Any]] = None,
        wait: Optional[Duration] = DEFAULT_WAIT,
    ) -> IApiCall:
        """``url`` answers ``status`` with a JSON body that holds ``like`` (objects may hold more
        keys, lists must match in length). ``post`` sends that JSON body with POST, once."""
        options = None
        if post is not None:
            options = FetchOptions(
                method="POST",
                body=json.dumps(post),
                headers={"Content-Type": "application/json"},
            )
            wait = None  # a retry would post again
        call = HttpApiCall(self.assertions, name, url=url, fetch_options=options)
        return self._expect(call, {"status": status, "body": like}, wait)

    def azs_answer(self, name: str, url: str, *, before: str = "", after: str = "") -> None:
        """Across requests to ``url``, every AZ of the lab answers: its name shows in the body,
        between ``before`` and ``after`` (the course's pages name the AZ that served them)."""
        for az in self.stack.availability_zones:
            self.page(f"{name}{camel(az)}", url, shows=f"{before}{az}{after}")

    def group_at_size(self, name: str, tier: Any, *, wait: Duration = DEFAULT_WAIT) -> IApiCall:
        """A ``HaWebTier``'s Auto Scaling group reaches its size: exactly as many healthy targets
        behind the ALB as the group's minimum, where CloudFormation starts it."""
        size = int(tier.asg.node.default_child.min_size)
        target_group = self.physical_id(tier.target_group, f"{name}TargetGroup")
        call = self._sdk(
            name,
            # The SDK v3 client's name: with it the provider's policy gets the right IAM
            # prefix (elasticloadbalancing:, where "ElasticLoadBalancingV2" gives a wrong one).
            "@aws-sdk/client-elastic-load-balancing-v2",
            "describeTargetHealth",
            {"TargetGroupArn": target_group},
        )
        healthy = {"TargetHealth": {"State": "healthy"}}
        return self._expect(call, {"TargetHealthDescriptions": [healthy] * size}, wait)

    def online(self, name: str, instance_id: str) -> IApiCall:
        """The instance is Online in Session Manager: ``aws ssm start-session`` reaches it."""
        call = self._sdk(
            name,
            "SSM",
            "describeInstanceInformation",
            {"Filters": [{"Key": "InstanceIds", "Values": [instance_id]}]},
        )
        return self._expect(
            call, {"InstanceInformationList": [{"PingStatus": "Online"}]}, DEFAULT_WAIT
        )

    def runs(self, name: str, instance_id: str, script: str) -> IApiCall:
        """``script`` exits 0 on the instance, run with SSM Run Command once the instance is
        Online and its boot script has finished (``cloud-init status --wait``).

        The script must not hold ``{{``: SSM reads it as a document parameter.
        """
        if "{{" in script:
            raise ValueError(f"{name}: SSM would read '{{{{' in the script as a parameter")
        ready = self.online(f"{name}Online", instance_id)
        send = self._sdk(
            f"{name}Send",
            "SSM",
            "sendCommand",
            {
                "DocumentName": "AWS-RunShellScript",
                "InstanceIds": [instance_id],
                "Comment": f"week5 integ {self.lab.lab_id} {name}"[:100],
                "Parameters": {"commands": [f"cloud-init status --wait{QUIET}; {script}"]},
            },
            output_paths=["Command.CommandId"],
        )
        ready.next(send)
        result = self._sdk(
            name,
            "SSM",
            "getCommandInvocation",
            {"CommandId": send.get_att_string("Command.CommandId"), "InstanceId": instance_id},
        )
        return self._expect(result, {"Status": "Success"}, DEFAULT_WAIT)

    def sdk_like(
        self,
        name: str,
        service: str,
        api: str,
        parameters: Dict[str, Any],
        like: Dict[str, Any],
        *,
        wait: Optional[Duration] = DEFAULT_WAIT,
    ) -> IApiCall:
        """An AWS API call whose answer holds ``like``. For small answers only: CloudFormation
        takes 4 KB back from a custom resource (use :meth:`at_path` for large ones)."""
        return self._expect(self._sdk(name, service, api, parameters), like, wait)

    def at_path(
        self,
        name: str,
        service: str,
        api: str,
        parameters: Dict[str, Any],
        path: str,
        pattern: str,
        *,
        wait: Optional[Duration] = DEFAULT_WAIT,
    ) -> IApiCall:
        """An AWS API call whose answer has a string matching ``pattern`` (a JavaScript regular
        expression; :func:`exactly` for a literal) at ``path``, e.g.
        ``DBInstances.0.DBInstanceStatus``. Only that field comes back, so large answers fit."""
        call = self._sdk(name, service, api, parameters)
        call.assert_at_path(path, ExpectedResult.string_like_regexp(pattern))
        if wait is not None:
            call.wait_for_assertions(interval=RETRY_INTERVAL, total_timeout=wait)
        self.checks.append(call)
        return call

    # ---- synthesis ----

    def synth(self) -> None:
        """Tag the assertions like the lab (``week5 cleanup`` then lists anything a failed
        destroy leaves) and write the cloud assembly."""
        if not self.checks:
            raise ValueError(f"{self.lab.lab_id}: an integ test needs at least one assertion")
        tags = apply_course_tags(self.assertions, self.lab.day, self.lab.kind, INTEG_STUDENT)
        _tag_raw_resources(self.assertions, tags)
        assembly = self.app.synth()
        label_for_integ_runner(Path(assembly.directory))

    # ---- plumbing ----

    def _sdk(
        self,
        name: str,
        service: str,
        api: str,
        parameters: Dict[str, Any],
        *,
        output_paths: Optional[Iterable[str]] = None,
    ) -> AwsApiCall:
        return AwsApiCall(
            self.assertions,
            name,
            service=service,
            api=api,
            parameters=parameters,
            output_paths=list(output_paths) if output_paths else None,
        )

    def _expect(self, call: IApiCall, like: Dict[str, Any], wait: Optional[Duration]) -> IApiCall:
        # object_like only: ExpectedResult.exact() encodes a "$Exact" that integ-tests-alpha's
        # handler (2.275.0a0) does not decode, so it never matches.
        call.expect(ExpectedResult.object_like(like))
        if wait is not None:
            call.wait_for_assertions(interval=RETRY_INTERVAL, total_timeout=wait)
        self.checks.append(call)
        return call


def label_for_integ_runner(assembly_dir: Path) -> List[str]:
    """Label the cloud assembly with the schema version integ-runner reads; returns the files.

    integ-runner 2.197.10, the newest on npm, reads schema 53 at most and refuses the 55 that
    aws-cdk-lib 2.275.0 writes ("Cloud assembly schema version mismatch"), even to compare
    snapshots. 54 and 55 only added what these apps never write (a ``PropertyMutation``
    metadata entry, plain strings in tag lists, ``requireApproval: destructive``, a test case's
    ``allowDeleteFailures``), so the same files are a valid 53 assembly; with ``TESTING_CDK=1``
    (scripts/integ and tests/test_integ.py set it) integ-runner validates every manifest it
    reads against its own 53 schema. A no-op once integ-runner reads the library's version.
    """
    relabelled = []
    for path in sorted(assembly_dir.iterdir()):
        if not path.is_file() or path.suffix not in (".json", ".out"):
            continue
        text = path.read_text(encoding="utf-8")
        # The top-level "version" comes first in every manifest CDK writes.
        match = re.search(r'"version":\s*"(\d+)\.0\.0"', text)
        if match is None or int(match.group(1)) <= INTEG_RUNNER_SCHEMA:
            continue
        label = f'"version": "{INTEG_RUNNER_SCHEMA}.0.0"'
        path.write_text(text.replace(match.group(0), label, 1), encoding="utf-8")
        relabelled.append(path.name)
    return relabelled


def camel(text: str) -> str:
    """``ap-northeast-2a`` -> ``ApNortheast2a``, for a construct id."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


#: Resources of integ-tests-alpha's providers that ``Tags.of()`` does not reach (raw CfnResources).
_RAW_TAGGED_TYPES = ("AWS::IAM::Role", "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")


def _tag_raw_resources(stack: Stack, tags: Dict[str, str]) -> None:
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    for construct in stack.node.find_all():
        if (
            CfnResource.is_cfn_resource(construct)
            and construct.cfn_resource_type in _RAW_TAGGED_TYPES
            and not TagManager.is_taggable(construct)
        ):
            construct.add_property_override("Tags", tag_list)
