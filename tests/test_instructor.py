"""InstructorAccess and BudgetGuard: the instructor's app, synthesized with both rule packs."""

import json

import pytest
from support import make_app, mask_asset_hashes, props, resources

from instructor_app import build
from stacks.instructor import MONTHLY_LIMIT_USD, READ_ONLY_ROLE_NAME, BudgetGuardStack


@pytest.mark.parametrize("name", ["InstructorAccess", "BudgetGuard"])
def test_snapshot(instructor_templates, name, json_snapshot):
    assert mask_asset_hashes(instructor_templates[name]) == json_snapshot


def test_read_only_role_only_the_instructor_account_may_assume_with_the_external_id(
    instructor_templates,
):
    t = instructor_templates["InstructorAccess"]
    (role,) = props(t, "AWS::IAM::Role")
    assert role["RoleName"] == READ_ONLY_ROLE_NAME
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    principal = json.dumps(statement["Principal"])
    assert "111122223333" in principal and statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "week5-2026-fall"}}
    assert "policy/ReadOnlyAccess" in json.dumps(role["ManagedPolicyArns"])


def _cli_profile(t) -> str:
    """The CliProfile output with its intrinsics written as ${...}, as CloudFormation fills them."""
    joined = t["Outputs"]["CliProfile"]["Value"]["Fn::Join"]
    assert joined[0] == ""
    return "".join(
        part
        if isinstance(part, str)
        else "${%s}" % (part.get("Ref") or ".".join(part["Fn::GetAtt"]))
        for part in joined[1]
    )


def test_with_an_external_id_the_cli_profile_sends_it_and_there_is_no_switch_role_link(
    instructor_templates,
):
    """The console's switch-role page cannot send an external id: a link would only fail."""
    t = instructor_templates["InstructorAccess"]
    assert set(t["Outputs"]) == {"RoleArn", "CliProfile"}
    profile = "--profile week5-${AWS::AccountId}"
    assert _cli_profile(t).split(" && ") == [
        f"aws configure set role_arn ${{ReadOnlyRoleA3AD4127.Arn}} {profile}",
        f"aws configure set source_profile default {profile}",
        f"aws configure set external_id week5-2026-fall {profile}",
        f"aws configure set region ap-northeast-2 {profile}",
    ]
    assert "external id" in t["Outputs"]["CliProfile"]["Description"]


def test_without_an_external_id_the_instructor_needs_mfa(tmp_path):
    cdk_app = make_app(tmp_path, instructor_account="111122223333")
    stacks = build(cdk_app)
    t = cdk_app.synth().get_stack_by_name(stacks["InstructorAccess"].stack_name).template
    (role,) = props(t, "AWS::IAM::Role")
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert list(stacks) == ["InstructorAccess"]  # no budget context, no BudgetGuard
    # The console can switch roles after an MFA sign-in, and the CLI asks for the code.
    url = json.dumps(t["Outputs"]["SwitchRoleUrl"]["Value"])
    assert "switchrole?roleName=week5-instructor-readonly&account=" in url
    mfa = (
        "aws configure set mfa_serial arn:${AWS::Partition}:iam::111122223333:mfa/"
        "YOUR-MFA-DEVICE --profile week5-${AWS::AccountId}"
    )
    assert mfa in _cli_profile(t).split(" && ")
    assert "external_id" not in _cli_profile(t)
    assert "YOUR-MFA-DEVICE" in t["Outputs"]["CliProfile"]["Description"]


def test_budgets_are_the_course_limits(instructor_templates):
    budgets = {
        p["Budget"]["BudgetName"]: p
        for p in props(instructor_templates["BudgetGuard"], "AWS::Budgets::Budget")
    }
    assert set(budgets) == {"week5-daily", "week5-monthly", "week5-kim-daily", "week5-lee-daily"}
    daily = budgets["week5-daily"]
    assert daily["Budget"]["TimeUnit"] == "DAILY"
    assert daily["Budget"]["BudgetLimit"] == {"Amount": 10, "Unit": "USD"}
    alerts = [
        (
            n["Notification"]["NotificationType"],
            n["Notification"]["Threshold"],
            n["Notification"]["ThresholdType"],
        )
        for n in daily["NotificationsWithSubscribers"]
    ]
    assert ("ACTUAL", 5, "ABSOLUTE_VALUE") in alerts and ("ACTUAL", 100, "PERCENTAGE") in alerts
    assert all(
        n["Subscribers"] == [{"Address": "instructor@example.com", "SubscriptionType": "EMAIL"}]
        for n in daily["NotificationsWithSubscribers"]
    )
    assert MONTHLY_LIMIT_USD == 216.67  # $50 a week over 52/12 weeks
    assert budgets["week5-monthly"]["Budget"]["BudgetLimit"]["Amount"] == 216.67
    kim = budgets["week5-kim-daily"]["Budget"]
    assert kim["CostFilters"] == {"TagKeyValue": ["user:Student$kim"]}


def test_every_budget_counts_usage_before_credits_and_refunds(instructor_templates):
    """A new account runs on credits: a budget after credits would stay near $0 and never
    alert while the account uses $10 a day."""
    for p in props(instructor_templates["BudgetGuard"], "AWS::Budgets::Budget"):
        assert p["Budget"]["CostTypes"] == {"IncludeCredit": False, "IncludeRefund": False}


def test_budget_students_come_as_a_list_or_a_comma_separated_string(tmp_path):
    for students in (["kim", "lee"], "kim,lee", "kim, lee"):
        cdk_app = make_app(tmp_path / str(len(str(students))), budget_email="a@b.co")
        stack = BudgetGuardStack(cdk_app, email="a@b.co", students=students)
        assert list(stack.per_student) == ["kim", "lee"]


def test_nothing_else_bills_or_outlives_the_stacks(instructor_templates):
    for name, t in instructor_templates.items():
        types = {r["Type"] for r in t["Resources"].values()} - {"AWS::CDK::Metadata"}
        assert types <= {"AWS::IAM::Role", "AWS::Budgets::Budget"}, name
        assert resources(t, "AWS::IAM::Role") or resources(t, "AWS::Budgets::Budget")
