"""What `week5 cleanup` says a lab stack costs, beside `week5 cost`: the student trial (Day5Lab1
on the emulator) read "34 tagged resource(s) in it, 2 of them not priced; not looked for (they
go with it), not priced: CloudWatch::Alarm x7, CloudWatch::Dashboard": which 2 was not said,
seven alarms cannot be two, and `week5 cost` prices an alarm ($0.10 an alarm-month). The
stack's alarms (no finder looks for them) are priced by type as `week5 cost` prices them, and
the line and ``--json`` name what is not priced, one entry a resource, so count and list agree.
On in-process moto with the emulator's models (`week5 local`'s), as
tests/test_cleanup_live_asg.py."""

import json

import pytest
from shared_botocore import Clients, moto_account

from week5.analysis import pricing
from week5.cli import main
from week5.cli.cleanup import format_found
from week5.operations.cleanup import Cleaner
from week5.operations.price_table import PriceTable

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
STACK = "week5-park-Day5Lab1"
COMMAND = ["cleanup", "--day", "Day5", "--student", "park"]


def tags():
    values = {"Week": "Week5", "Day": "Day5", "Lab": "Lab1", "Student": "park"}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def alarm(name):
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": name, "MetricName": "CPUUtilization", "Namespace": "AWS/EC2",
            "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 80,
            "ComparisonOperator": "GreaterThanThreshold", "Tags": tags(),
        },
    }  # fmt: skip


#: Day5Lab1's shape, small: a tagged VPC, its frontend bucket (billed by use: not priced), two
#: of its alarms and its dashboard (neither looked for: they go with the stack).
TEMPLATE = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC",
                "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tags()}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": tags()}},
        "CpuAlarm": alarm("week5-park-Day5Lab1-cpu"),
        "DbAlarm": alarm("week5-park-Day5Lab1-db"),
        "Dashboard": {"Type": "AWS::CloudWatch::Dashboard",
                      "Properties": {"DashboardBody": json.dumps({"widgets": []})}},
    }
}  # fmt: skip


def deploy(aws):
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(TEMPLATE), Tags=tags())
    (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    listed = cloudformation.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    kinds = sorted(r["ResourceType"] for r in listed)
    assert kinds.count("AWS::CloudWatch::Alarm") == 2 and "AWS::CloudWatch::Dashboard" in kinds


def find(aws):
    return Cleaner(aws.client, region=REGION, day="Day5", student="park").find()


def test_the_stacks_alarms_are_priced_as_week5_cost_prices_them(aws):
    """The two alarms add what `week5 cost` lists for them (pricing.py's one price), not $0;
    the dashboard, which `week5 cost` does not price either, and the bucket, billed by use, are
    named not priced: three, one entry a resource."""
    deploy(aws)
    (stack,) = find(aws)
    estimate = pricing.estimate(TEMPLATE)
    alarms = [i for i in estimate.items if i.resource_type == "AWS::CloudWatch::Alarm"]
    assert len(alarms) == 2 and all(i.hourly for i in alarms)
    assert stack.hourly == pytest.approx(sum(i.hourly for i in alarms))
    assert stack.hourly == pytest.approx(2 * PriceTable().hourly("cloudwatch:alarm"))
    assert [i.resource_type for i in estimate.not_priced] == ["AWS::CloudWatch::Dashboard"]
    assert stack.not_priced == ["S3 bucket", "CloudWatch::Dashboard"]
    assert stack.name == (
        "2 tagged resource(s) in it and 3 it made that no finder looks for, going with it: "
        "CloudWatch::Alarm x2, CloudWatch::Dashboard; not priced (2): S3 bucket, "
        "CloudWatch::Dashboard"
    )


def test_the_listing_and_json_say_the_same_and_what_each_figure_counts(aws, capsys):
    """The text and ``--json`` (JSON alone on stdout) carry the same figure and the same not
    priced resources; the total's ``not_priced`` counts the stack's; and the listing says the
    use `week5 cost` and `week5 status` assume is what sets their figure above this one."""
    deploy(aws)
    assert main(COMMAND) == 0
    text = capsys.readouterr().out
    (stack,) = find(aws)
    assert f"${stack.hourly:.4f}/h  {stack.name}" in text
    assert "not priced (2): S3 bucket, CloudWatch::Dashboard" in text
    assert (
        "and what is billed by use alone (an S3 bucket, a CloudFront distribution) is not "
        "priced, where `week5 cost` and `week5 status` price the use they assume: a stack's "
        "figure there is higher by that." in " ".join(text.split())
    )
    assert "not priced: CloudWatch::Alarm" not in text

    assert main(COMMAND + ["--json"]) == 0
    captured = capsys.readouterr()
    body = json.loads(captured.out)  # the whole of stdout
    (entry,) = body["found"]
    assert entry["name"] == stack.name
    assert entry["usd_per_hour"] == round(stack.hourly, 6) == body["usd_per_hour"]
    assert entry["not_priced"] == ["S3 bucket", "CloudWatch::Dashboard"]
    assert entry["held_by"] == []
    assert body["not_priced"] == 2
    assert format_found([stack], "Day5/park") in text
