"""`week5 rollout` against a stack set that exists: what an update changes for the accounts that
have it, said before it happens; a trust change refused unless asked for; and a failed first
rollout (a second region, where IAM's global role name is taken) leaves no stack set behind.
On moto, in-process; the CDK CLI's synthesis is replaced by the app built in-process."""

import json

import boto3
import pytest
from moto import mock_aws
from support import make_app

from instructor_app import build
from week5.cli import main
from week5.cli import rollout as rollout_cli
from week5.operations import stackset

FIRST = ["222233334444", "555566667777"]
WITH_ID = {"instructor_account": "111122223333", "external_id": "week5-fall"}
WITH_MFA = {"instructor_account": "111122223333"}


def template_of(tmp_path, context):
    cdk_app = make_app(tmp_path / "_".join(sorted(context.values())), **context)
    stack = build(cdk_app)["InstructorAccess"]
    return cdk_app.synth().get_stack_by_name(stack.stack_name).template


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rollout")
    return {
        "id": template_of(tmp, WITH_ID),
        "mfa": template_of(tmp, WITH_MFA),
        "other id": template_of(tmp, {**WITH_ID, "external_id": "week5-spring"}),
        "other account": template_of(tmp, {**WITH_ID, "instructor_account": "999988887777"}),
    }


@pytest.fixture
def cloud(monkeypatch, templates):
    """moto, with `rollout`'s synthesis giving the template of the -c values passed."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    by_context = {
        json.dumps(WITH_ID, sort_keys=True): templates["id"],
        json.dumps(WITH_MFA, sort_keys=True): templates["mfa"],
    }

    def synthesize(root, out, context, app=None, validation=True):
        given = dict(item.split("=", 1) for item in context)
        (out / "InstructorAccess.template.json").write_text(
            json.dumps(by_context[json.dumps(given, sort_keys=True)])
        )
        return 0.0

    monkeypatch.setattr(rollout_cli, "synthesize", synthesize)
    with mock_aws():
        yield boto3.client("cloudformation", region_name="ap-northeast-2")


def week5(capsys, *args):
    code = main(["rollout", *args])
    out, err = capsys.readouterr()
    return code, out, err


def context_args(context):
    return [arg for key, value in context.items() for arg in ("-c", f"{key}={value}")]


def current_template(cf, name=stackset.DEFAULT_STACK_SET_NAME):
    return json.loads(cf.describe_stack_set(StackSetName=name)["StackSet"]["TemplateBody"])


@pytest.mark.parametrize(
    "before, after, says, keep",
    [
        ("id", "mfa", "from the external id 'week5-fall' to an MFA sign-in, so the CLI profiles "
         "written with external_id = week5-fall stop working", "-c external_id=week5-fall"),
        ("mfa", "id", "from an MFA sign-in to the external id 'week5-fall', so the MFA profiles "
         "and switch-role links, which send no external id, stop working", "no -c external_id"),
        ("id", "other id", "from the external id 'week5-fall' to the external id 'week5-spring'",
         "-c external_id=week5-fall"),
        ("id", "other account", "the role trusts account 999988887777 instead of 111122223333",
         "-c instructor_account=111122223333"),
    ],
)  # fmt: skip
def test_a_trust_change_is_said_and_refused_for_the_accounts_that_have_it(
    templates, before, after, says, keep
):
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="ap-northeast-2")
        stackset.roll_out(cf, templates[before], FIRST, poll_s=0)
        found = stackset.plan(cf, templates[after], ["111122223333"])
        assert found.exists and found.present == FIRST and found.new == ["111122223333"]
        assert found.breaks_profiles and says in " ".join(found.trust_changes)
        assert keep in found.keep
        assert "2 account(s) that have it (222233334444, 555566667777)" in found.update_line()
        with pytest.raises(stackset.TrustChangeRefused, match="--change-trust"):
            stackset.roll_out(cf, templates[after], ["111122223333"], poll_s=0)
        assert current_template(cf) == templates[before]  # nothing changed, nothing added
        listed = cf.list_stack_instances(StackSetName=stackset.DEFAULT_STACK_SET_NAME)
        assert sorted(s["Account"] for s in listed["Summaries"]) == FIRST
        report = stackset.roll_out(
            cf, templates[after], ["111122223333"], poll_s=0, change_trust=True
        )
        assert report["updated"] and report["added"] == ["111122223333"]
        assert current_template(cf) == templates[after]


def test_the_same_template_is_said_to_be_unchanged(templates):
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="ap-northeast-2")
        stackset.roll_out(cf, templates["id"], FIRST, poll_s=0)
        found = stackset.plan(cf, templates["id"], ["111122223333"])
        assert not found.changes and not found.breaks_profiles
        assert found.update_line() == (
            "the template is unchanged for the 2 account(s) that have it (222233334444, "
            "555566667777)"
        )


def test_the_trial_dry_run_and_run_say_the_trust_change_and_the_run_refuses_it(cloud, capsys):
    """The trial: a second rollout without the external id printed "added 1 account(s), 0 had
    it already" and moved every account's role from the external id to MFA."""
    code, out, _ = week5(capsys, "--accounts", ",".join(FIRST), *context_args(WITH_ID))
    assert code == 0 and "Stack set week5-instructor-access created; added 2" in out
    before = current_template(cloud)

    refusal = (
        "stack set week5-instructor-access not updated: with these values the role's "
        "trust changes from the external id 'week5-fall' to an MFA sign-in, so the CLI "
        "profiles written with external_id = week5-fall stop working, in the 2 account(s) that "
        "have it "
        "(222233334444, 555566667777); to keep it, pass -c external_id=week5-fall, or pass "
        "--change-trust to change it in every one of them"
    )
    # The dry run refuses it as the run does (it said so, then "Would roll out", exit 0).
    code, out, err = week5(capsys, "--accounts", "111122223333", *context_args(WITH_MFA),
                           "--dry-run")  # fmt: skip
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"week5: the rollout refuses this: {refusal}"

    code, out, err = week5(capsys, "--accounts", "111122223333", *context_args(WITH_MFA))
    assert (code, out, err.splitlines()[-1]) == (2, "", f"week5: {refusal}")
    assert current_template(cloud) == before
    summaries = cloud.list_stack_instances(StackSetName="week5-instructor-access")["Summaries"]
    assert sorted(s["Account"] for s in summaries) == FIRST

    # The dry run given the flag says the change is made (it said "refuses this without").
    code, out, err = week5(capsys, "--accounts", "111122223333", *context_args(WITH_MFA),
                           "--change-trust", "--dry-run")  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[1] == (
        "With --change-trust the rollout makes this change: then write each account's profile "
        "again from its CliProfile output."
    )

    code, out, err = week5(capsys, "--accounts", "111122223333", *context_args(WITH_MFA),
                           "--change-trust")  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        "Stack set week5-instructor-access updated; added 1 account(s), 0 had it already. "
        "The new template goes to the 2 account(s) that have it (222233334444, 555566667777): "
        "the role's trust changes from the external id 'week5-fall' to an MFA sign-in"
    )
    assert "aws:MultiFactorAuthPresent" in json.dumps(current_template(cloud))


def test_a_rollout_with_the_same_values_says_the_template_is_unchanged(cloud, capsys):
    week5(capsys, "--accounts", ",".join(FIRST), *context_args(WITH_ID))
    code, out, err = week5(capsys, "--accounts", "111122223333", *context_args(WITH_ID))
    assert code == 0, err
    assert out == (
        "Stack set week5-instructor-access updated; added 1 account(s), 0 had it already. "
        "The template is unchanged for the 2 account(s) that have it (222233334444, "
        "555566667777).\n"
    )


def test_a_failed_first_rollout_deletes_the_stack_set_it_created(templates):
    """IAM is global: a second region's stack set cannot create the role the first one made."""
    with mock_aws():
        home = boto3.client("cloudformation", region_name="ap-northeast-2")
        stackset.roll_out(home, templates["id"], FIRST, poll_s=0)
        tokyo = boto3.client("cloudformation", region_name="ap-northeast-1")
        with pytest.raises(stackset.RolloutFailed) as failed:
            stackset.roll_out(tokyo, templates["id"], FIRST[:1], poll_s=0,
                              regions=["ap-northeast-1"])  # fmt: skip
        message = str(failed.value)
        assert "EntityAlreadyExists" in message and "week5-instructor-readonly" in message
        assert message.endswith("; the stack set week5-instructor-access it created was "
                                "deleted again")  # fmt: skip
        left = [s for s in tokyo.list_stack_sets()["Summaries"] if s["Status"] != "DELETED"]
        assert left == []


def test_a_second_region_is_refused_up_front_when_the_accounts_have_the_role(cloud, capsys):
    week5(capsys, "--accounts", ",".join(FIRST), *context_args(WITH_ID))
    code, out, err = week5(capsys, "--accounts", FIRST[0], "--region", "ap-northeast-1",
                           *context_args(WITH_ID))  # fmt: skip
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (
        "week5: 222233334444 already has the role from stack set week5-instructor-access in "
        "ap-northeast-2, and IAM is global (one role per account): leave out --region "
        "ap-northeast-1 to roll out from ap-northeast-2"
    )
    tokyo = boto3.client("cloudformation", region_name="ap-northeast-1")
    assert tokyo.list_stack_sets()["Summaries"] == []
    code, out, err = week5(capsys, "--accounts", FIRST[0], "--region", "ap-northeast-1",
                           *context_args(WITH_ID), "--dry-run")  # fmt: skip
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "week5: the rollout refuses this: 222233334444 already has the role from stack set "
        "week5-instructor-access in ap-northeast-2, and IAM is global (one role per account): "
        "leave out --region ap-northeast-1 to roll out from ap-northeast-2"
    )


def test_a_second_stack_set_name_is_refused_up_front_when_the_accounts_have_the_role(
    cloud, capsys
):
    """A hostile trial: `--name other-set` for accounts with the role from the course's stack
    set was a dry run's "Would create", then a run that failed on IAM's role name."""
    week5(capsys, "--accounts", ",".join(FIRST), *context_args(WITH_ID))
    for extra in ([], ["--dry-run"]):
        code, out, err = week5(capsys, "--accounts", FIRST[0], "--name", "other-set",
                               *context_args(WITH_ID), *extra)  # fmt: skip
        line = (
            "222233334444 already has the role from stack set week5-instructor-access in "
            "ap-northeast-2, and IAM is global (one role per account): leave out --name "
            "other-set to roll out from week5-instructor-access in ap-northeast-2"
        )
        if extra:
            line = f"the rollout refuses this: {line}"
        assert (code, out, err.splitlines()[-1]) == (2, "", f"week5: {line}")
    names = [s["StackSetName"] for s in cloud.list_stack_sets()["Summaries"]
             if s["Status"] != "DELETED"]  # fmt: skip
    assert names == ["week5-instructor-access"]


def test_the_help_says_what_region_does(capsys):
    with pytest.raises(SystemExit):
        main(["rollout", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "the region the stack set lives in and deploys its stacks to" in text
    assert "IAM, which is global" in text


class AsyncFailingCloudFormation:
    """CloudFormation as AWS answers a failed first rollout: CreateStackInstances starts an
    operation that ends FAILED, with the reason per account (moto refuses at once instead)."""

    class exceptions:
        class StackSetNotFoundException(Exception):
            pass

    def __init__(self):
        self.calls, self.instances, self.stack_set = [], [], False

    def describe_stack_set(self, StackSetName):
        if not self.stack_set:
            raise self.exceptions.StackSetNotFoundException(StackSetName)
        return {"StackSet": {"TemplateBody": "{}"}}

    def create_stack_set(self, **kwargs):
        self.calls.append("create_stack_set")
        self.stack_set = True

    def list_stack_instances(self, StackSetName, **kwargs):
        return {"Summaries": [{"Account": a} for a in self.instances]}

    def create_stack_instances(self, Accounts, **kwargs):
        self.calls.append("create_stack_instances")
        self.instances = list(Accounts)
        return {"OperationId": "create"}

    def describe_stack_set_operation(self, OperationId, **kwargs):
        status = "FAILED" if OperationId == "create" else "SUCCEEDED"
        return {"StackSetOperation": {"Status": status}}

    def list_stack_set_operation_results(self, OperationId, **kwargs):
        reason = "Role with name week5-instructor-readonly already exists."
        return {"Summaries": [{"Account": a, "Status": "FAILED", "StatusReason": reason}
                              for a in self.instances]}  # fmt: skip

    def delete_stack_instances(self, Accounts, RetainStacks, **kwargs):
        self.calls.append(f"delete_stack_instances {','.join(Accounts)} retain={RetainStacks}")
        self.instances = []
        return {"OperationId": "delete"}

    def delete_stack_set(self, StackSetName):
        self.calls.append("delete_stack_set")
        self.stack_set = False


def test_a_first_rollout_whose_operation_fails_deletes_its_instances_then_its_stack_set(
    templates,
):
    cf = AsyncFailingCloudFormation()
    with pytest.raises(stackset.RolloutFailed) as failed:
        stackset.roll_out(cf, templates["id"], FIRST[:1], poll_s=0)
    assert str(failed.value) == (
        "adding stack instances to week5-instructor-access in ap-northeast-2: FAILED "
        "(222233334444: Role with name week5-instructor-readonly already exists.); the stack "
        "set week5-instructor-access it created was deleted again"
    )
    assert cf.calls == [
        "create_stack_set", "create_stack_instances",
        "delete_stack_instances 222233334444 retain=False", "delete_stack_set",
    ]  # fmt: skip
    assert not cf.stack_set


def test_without_an_instructor_account_the_line_names_only_what_rollout_builds(capsys):
    """Rollout builds InstructorAccess alone: the instructor app's own line (which offers
    BudgetGuard's e-mail too) would send the instructor after a value rollout never reads."""
    code = main(["rollout", "--accounts", "222233334444", "--dry-run"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        "week5: rollout needs InstructorAccess's trusted account: pass -c instructor_account="
        "<12 digits> (the instructor's account, which may assume the role)"
    )
