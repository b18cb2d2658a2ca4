"""The instructor's side of the course, deployed once per student account, not per lab.

``InstructorAccess``: a read-only role the instructor assumes from their own account (course:
"강사는 읽기 전용 역할로 모든 학생 계정을 모니터링"). ``BudgetGuard``: AWS Budgets for the course's
cost limits ($10 a day, $50 a week, an alert at $5), counted before credits. Both live in their
own CDK app (``instructor_app.py``, through ``scripts/instructor``), so the labs' app needs none
of their context.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from aws_cdk import (
    Aws,
    CfnOutput,
    CfnParameter,
    CfnRule,
    CfnRuleAssertion,
    CfnWaitConditionHandle,
    DefaultStackSynthesizer,
    Environment,
    Fn,
    Stack,
    Tags,
)
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_iam as iam
from constructs import Construct

from week5.core.errors import CourseInputError
from week5.core.settings import (
    CONTEXT_BUDGET_EMAIL,
    CONTEXT_BUDGET_TOPIC,
    DEFAULT_REGION,
    parse_budget_email,
    parse_budget_students,
    parse_budget_topic,
    parse_external_id,
    parse_instructor_account,
)
from week5.core.tags import DAY_KEY, LAB_KEY, STUDENT_KEY, WEEK_KEY, WEEK_TAG_VALUE
from week5.synth.nag import acknowledge

#: One role per account, so the switch-role link is the same in every student account.
READ_ONLY_ROLE_NAME = "week5-instructor-readonly"
#: The course's limits (강의 운영: 일일 $10, 주간 $50, $5 알림).
DAILY_LIMIT_USD = 10.0
WEEKLY_LIMIT_USD = 50.0
ALERT_USD = 5.0
#: AWS Budgets has no weekly period: the weekly limit over a month of 52/12 weeks.
MONTHLY_LIMIT_USD = round(WEEKLY_LIMIT_USD * 52 / 12, 2)

#: What a budget counts: usage before credits and refunds (both default to included, i.e.
#: subtracted). Taxes, support, subscriptions and discounts keep Budgets' defaults.
COUNT_BEFORE_CREDITS = budgets.CfnBudget.CostTypesProperty(
    include_credit=False, include_refund=False
)

#: The profile the instructor's ``week5 audit``/``cleanup --profile`` use, one per account.
CLI_PROFILE_PREFIX = "week5-"
#: The instructor's own credentials, which assume the role (``source_profile``).
CLI_SOURCE_PROFILE = "default"
#: In the CLI profile of the MFA variant: the device's name is not known to the stack.
MFA_DEVICE_PLACEHOLDER = "YOUR-MFA-DEVICE"

_NOT_A_LAB = (
    "An account-level instructor stack, not a lab: no Day or Lab applies; it is tagged "
    "Week=Week5 and Student=instructor."
)


def _instructor_tags(stack: Stack) -> None:
    Tags.of(stack).add(WEEK_KEY, WEEK_TAG_VALUE)
    Tags.of(stack).add(STUDENT_KEY, "instructor")
    for tag in (DAY_KEY, LAB_KEY):
        acknowledge(stack, f"Week5-CourseTags[{tag}]", _NOT_A_LAB)


class InstructorAccessStack(Stack):
    """A role with AWS's ReadOnlyAccess that only the instructor's account may assume.

    :param instructor_account: the 12-digit account the instructor signs in to.
    :param external_id: required in the AssumeRole call when given (for tools and StackSets);
        @default None: the instructor must have signed in with MFA instead.

    Exposes ``role``; outputs the role's ARN, the CLI profile that ``week5 audit`` and
    ``week5 cleanup --profile`` use (``role_arn`` with ``external_id``, or with ``mfa_serial``),
    and, without an external id only, the console's switch-role link: the console cannot pass
    an external id, so with one the link would only fail.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str = "InstructorAccess",
        *,
        instructor_account: str,
        external_id: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=DEFAULT_REGION),
            description="Week 5: the instructor's read-only role in this student account",
            # No bootstrap-version rule: StackSets deploy the template into accounts that may
            # never have run `cdk bootstrap` (the stack has no assets).
            synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
            **kwargs,
        )
        account = parse_instructor_account(instructor_account)
        external_id = parse_external_id(external_id)
        conditions = (
            {"StringEquals": {"sts:ExternalId": external_id}}
            if external_id
            else {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        )
        self.role = iam.Role(
            self,
            "ReadOnlyRole",
            role_name=READ_ONLY_ROLE_NAME,
            assumed_by=iam.AccountPrincipal(account).with_conditions(conditions),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
            description="Week 5 instructor: read-only view of this student account",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]",
            "The course has the instructor watch each student account read-only; AWS keeps "
            "ReadOnlyAccess current as services are added.",
        )
        _instructor_tags(self)
        CfnOutput(self, "RoleArn", value=self.role.role_arn)
        profile = f"{CLI_PROFILE_PREFIX}{Aws.ACCOUNT_ID}"
        shell = f"a shell whose '{CLI_SOURCE_PROFILE}' profile is the instructor account"
        then = f"then week5 audit/cleanup --profile {CLI_PROFILE_PREFIX}<this account id>"
        if external_id:
            proof = ("external_id", external_id)
            how = (
                f"Paste into {shell}; {then}. No SwitchRoleUrl: the console cannot send an "
                "external id"
            )
        else:
            proof = (
                "mfa_serial",
                f"arn:{Aws.PARTITION}:iam::{account}:mfa/{MFA_DEVICE_PLACEHOLDER}",
            )
            how = (
                f"Replace {MFA_DEVICE_PLACEHOLDER} with your MFA device's name (IAM, Security "
                f"credentials) and paste into {shell}; the CLI asks for the MFA code; {then}"
            )
        settings = [
            ("role_arn", self.role.role_arn),
            ("source_profile", CLI_SOURCE_PROFILE),
            proof,
            ("region", DEFAULT_REGION),
        ]
        CfnOutput(
            self,
            "CliProfile",
            value=" && ".join(
                f"aws configure set {key} {value} --profile {profile}" for key, value in settings
            ),
            description=how,
        )
        if not external_id:
            # The console's switch-role page cannot send an external id: with one, no link.
            CfnOutput(
                self,
                "SwitchRoleUrl",
                value=(
                    "https://signin.aws.amazon.com/switchrole?roleName="
                    f"{READ_ONLY_ROLE_NAME}&account={Aws.ACCOUNT_ID}&displayName=week5-student"
                ),
                description="open it signed in to the instructor account with MFA",
            )


class BudgetGuardStack(Stack):
    """AWS Budgets for the course's limits, notifying an e-mail address and/or an SNS topic.

    Every budget counts usage before credits and refunds (``CostTypes``): Budgets' default is the
    cost after them, and a new account runs on promotional credits, so that would stay near $0
    and never alert while the account spends real usage.

    - a daily cost budget of $10 that alerts at $5 (actual) and at $10 (actual and forecast);
    - a monthly budget of $216.67, the $50 weekly limit over 52/12 weeks (Budgets has no week),
      alerting at 100 % actual and forecast;
    - with ``students``, a daily $10 budget per student filtered on ``user:Student``, which
      works only once the ``Student`` cost-allocation tag is activated in Billing.

    :param email: @default None
    :param topic_arn: an SNS topic whose policy lets budgets.amazonaws.com publish.
        @default None (at least one of ``email`` and ``topic_arn`` is needed)
    :param students: names, or a comma-separated string of them. @default none
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str = "BudgetGuard",
        *,
        email: Optional[str] = None,
        topic_arn: Optional[str] = None,
        students: Union[str, Sequence[str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=DEFAULT_REGION),
            description="Week 5: the course's cost limits as AWS Budgets",
            **kwargs,
        )
        if email is None and topic_arn is None:
            raise CourseInputError(
                f"BudgetGuard needs somewhere to send alerts: pass -c {CONTEXT_BUDGET_EMAIL}="
                f"you@example.com and/or -c {CONTEXT_BUDGET_TOPIC}=arn:aws:sns:..."
            )
        email = parse_budget_email(email)
        topic_arn = parse_budget_topic(topic_arn)
        subscribers = []
        if email:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=email)
            )
        if topic_arn:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic_arn)
            )
        self.daily = self._budget(
            "DailyBudget",
            "week5-daily",
            "DAILY",
            DAILY_LIMIT_USD,
            subscribers,
            [
                ("ACTUAL", ALERT_USD, "ABSOLUTE_VALUE"),
                ("ACTUAL", 100, "PERCENTAGE"),
                ("FORECASTED", 100, "PERCENTAGE"),
            ],
        )
        self.monthly = self._budget(
            "MonthlyBudget",
            "week5-monthly",
            "MONTHLY",
            MONTHLY_LIMIT_USD,
            subscribers,
            [("ACTUAL", 100, "PERCENTAGE"), ("FORECASTED", 100, "PERCENTAGE")],
        )
        self.per_student = {
            name: self._budget(
                f"Student{index}DailyBudget",
                f"week5-{name}-daily",
                "DAILY",
                DAILY_LIMIT_USD,
                subscribers,
                [("ACTUAL", ALERT_USD, "ABSOLUTE_VALUE"), ("ACTUAL", 100, "PERCENTAGE")],
                cost_filters={"TagKeyValue": [f"user:{STUDENT_KEY}${name}"]},
            )
            for index, name in enumerate(parse_budget_students(students), start=1)
        }
        _instructor_tags(self)

    def _budget(self, construct_id, name, period, limit, subscribers, alerts, cost_filters=None):
        return budgets.CfnBudget(
            self,
            construct_id,
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=name,
                budget_type="COST",
                time_unit=period,
                budget_limit=budgets.CfnBudget.SpendProperty(amount=limit, unit="USD"),
                cost_filters=cost_filters,
                cost_types=COUNT_BEFORE_CREDITS,
            ),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=threshold,
                        threshold_type=threshold_type,
                    ),
                    subscribers=subscribers,
                )
                for kind, threshold, threshold_type in alerts
            ],
        )


class DestroyOnlyStack(Stack):
    """What ``scripts/instructor destroy`` builds for an instructor stack whose deploy-time
    context (the account, the e-mail) is not given: deleting a stack needs its name, account,
    region and deploy role, none of its values.

    It can never stand in for the real stack: should it reach a deploy, a parameter without a
    default stops the CDK CLI ("Parameters are missing a value") before it calls CloudFormation,
    and a rule that always fails would stop CloudFormation before any change. It has one no-op
    resource because the CDK CLI deletes a deployed stack whose template has none.

    :param construct_id: ``InstructorAccess`` or ``BudgetGuard``, the real stack's.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        if construct_id == "InstructorAccess":  # the same deploy role and bootstrap check
            kwargs.setdefault(
                "synthesizer", DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
            )
        super().__init__(
            scope,
            construct_id,
            env=Environment(region=DEFAULT_REGION),
            description=f"Week 5: {construct_id}, as scripts/instructor destroy names it",
            analytics_reporting=False,
            **kwargs,
        )
        CfnWaitConditionHandle(self, "DestroyOnly")
        CfnParameter(
            self,
            "DestroyOnlyNeverDeploy",
            description="no value deploys this stand-in: it exists to be destroyed",
        )
        CfnRule(
            self,
            "NeverDeployed",
            assertions=[
                CfnRuleAssertion(
                    assert_=Fn.condition_equals("destroy", "only"),
                    assert_description=(
                        f"built by scripts/instructor destroy, never deployed: deploy "
                        f"{construct_id} with its context (README, Instructor tools)"
                    ),
                )
            ],
        )
        _instructor_tags(self)
