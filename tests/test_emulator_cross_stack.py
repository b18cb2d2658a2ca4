"""A CDK app of two stacks, one using what the other made, deploys to the emulator and is
destroyed from it, with either kind of reference CDK makes between them
(week5/operations/moto_models/stack_outputs.py, change_sets.py, stack_delete_failed.py).

A CDK engineer's trial (README: your own app can ``cdk deploy`` into a kept ``week5 local``
emulator): a VPC in one stack and a consumer in another could be neither deployed nor
destroyed. With CDK's default strong references (``Fn::ImportValue``) the consumer failed "No
export named MyNet:ExportsOutputRef... found" (a stack deployed by change set published no
exports) and the producer's destroy ended ``DELETE_FAILED`` naming no resource; with weak ones
(``Fn::GetStackOutput``, this repository's ``cdk.json``) an SSM parameter held the function's
dict as text, and a stack whose change set failed part way ended ``CREATE_COMPLETE`` with nothing
made (``✅`` from ``cdk deploy``; the CLI's SDK retried the HTML 500).

As on AWS: the consumer gets the producer's values; a producer whose export is imported is
not deleted ("Export X cannot be deleted as it is in use by Y", ``DELETE_FAILED``, nothing
deleted) until its consumer is gone, while a weak reference holds nothing; a consumer deployed
before its producer rolls back (``ROLLBACK_COMPLETE``, the failed resource's ``CREATE_FAILED``
giving the reason). Two small stacks synthesized by CDK (an SNS topic and an SSM parameter, taken
by SSM parameters of the other stack), deployed by change set as the CDK CLI deploys, through the
real emulator (moto's server with the project's models, started as `week5 local` starts it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import own_emulator
import pytest
from own_emulator import REGION
from support import make_app

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

#: moto's account, which the stacks name (CDK then references within it).
ACCOUNT = "123456789012"
NET, SHOP = "MyNet", "MyShop"
STRENGTH = "@aws-cdk/core:defaultCrossStackReferences"
#: The consumer's parameters: what each holds on AWS (the producer's resource, by the start of
#: its logical id).
TAKEN = {"/shop/topic": "Topic", "/shop/made": "Made"}
CHANGE_SET = "cdk-deploy-change-set"


def synthesized(outdir: Path, strength: str) -> Dict[str, Dict[str, Any]]:
    """The two stacks' templates, with references of ``strength``: stack name -> template."""
    app = make_app(outdir, **{STRENGTH: strength})
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    net = cdk.Stack(app, NET, env=env)
    topic = sns.Topic(net, "Topic")
    made = ssm.StringParameter(net, "Made", string_value="made by the network stack")
    shop = cdk.Stack(app, SHOP, env=env)
    ssm.StringParameter(shop, "TopicArn", parameter_name="/shop/topic",
                        string_value=topic.topic_arn)  # fmt: skip
    ssm.StringParameter(shop, "MadeName", parameter_name="/shop/made",
                        string_value=made.parameter_name)  # fmt: skip
    return {s.stack_name: s.template for s in app.synth().stacks}


@pytest.fixture(scope="module")
def apps(tmp_path_factory) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """strength ("strong", CDK's default, or "weak", cdk.json's) -> the app's templates."""
    return {s: synthesized(tmp_path_factory.mktemp(s), s) for s in ("strong", "weak")}


def test_cdk_references_each_way(apps):
    """What the tests deploy: CDK's strong references import exports, weak ones read outputs."""
    strong = json.dumps(apps["strong"][SHOP])
    weak = json.dumps(apps["weak"][SHOP])
    assert strong.count('"Fn::ImportValue"') == 2 and "Fn::GetStackOutput" not in strong
    assert weak.count('"Fn::GetStackOutput"') == 2 and "Fn::ImportValue" not in weak
    assert all("Export" in o for o in apps["strong"][NET]["Outputs"].values())
    assert not any("Export" in o for o in apps["weak"][NET]["Outputs"].values())


def cdk_deploy(aws, name: str, template: Dict[str, Any], kind: str = "CREATE") -> Dict[str, Any]:
    """The stack deployed by change set as ``cdk deploy`` deploys it (the bootstrap's version
    parameter there, as ``cdk bootstrap`` leaves it); the stack described."""
    aws("ssm").put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String",
                             Overwrite=True)  # fmt: skip
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName=name, ChangeSetName=CHANGE_SET, ChangeSetType=kind,
                          TemplateBody=json.dumps(template))  # fmt: skip
    cfn.execute_change_set(StackName=name, ChangeSetName=CHANGE_SET)
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    return stack


def described(aws, name: str) -> Dict[str, Any]:
    (stack,) = aws("cloudformation").describe_stacks(StackName=name)["Stacks"]
    return stack


def listed(aws) -> Dict[str, str]:
    """The stacks listed (not deleted): name -> status."""
    return {
        s["StackName"]: s["StackStatus"]
        for s in aws("cloudformation").describe_stacks()["Stacks"]
    }


def physical(aws, name: str) -> Dict[str, str]:
    found = aws("cloudformation").list_stack_resources(StackName=name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found}


def taken(aws) -> Dict[str, str]:
    """The consumer's parameters' values."""
    got = aws("ssm").get_parameters(Names=list(TAKEN))["Parameters"]
    return {p["Name"]: p["Value"] for p in got}


def producers_values(aws) -> Dict[str, str]:
    """What the consumer's parameters hold on AWS: the producer's topic ARN and parameter name."""
    made = physical(aws, NET)
    return {
        name: next(p for logical_id, p in made.items() if logical_id.startswith(prefix))
        for name, prefix in TAKEN.items()
    }


def cfn_events(aws, name: str) -> List[Dict[str, Any]]:
    return aws("cloudformation").describe_stack_events(StackName=name)["StackEvents"]


def events(aws, name: str) -> List[tuple]:
    """The stack's events, newest first: (logical id, status, reason)."""
    found = cfn_events(aws, name)
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
            for e in found]  # fmt: skip


def topics(aws) -> List[str]:
    return [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]


def test_strong_references_deploy_and_keep_the_producer_while_imported(aws, apps):
    app = apps["strong"]
    assert cdk_deploy(aws, NET, app[NET])["StackStatus"] == "CREATE_COMPLETE"
    exports = aws("cloudformation").list_exports()["Exports"]
    assert sorted(e["Name"] for e in exports) == sorted(
        o["Export"]["Name"] for o in app[NET]["Outputs"].values()
    )
    assert cdk_deploy(aws, SHOP, app[SHOP])["StackStatus"] == "CREATE_COMPLETE"
    values = producers_values(aws)
    assert values["/shop/topic"].startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:")
    assert taken(aws) == values
    # cdk deploy prints the events sorted by the millisecond (ties newest first): in order
    found = cfn_events(aws, SHOP)
    assert [e["ResourceStatus"] for e in found] == [
        "CREATE_COMPLETE", "CREATE_IN_PROGRESS", "REVIEW_IN_PROGRESS"
    ]  # fmt: skip
    times = [e["Timestamp"] for e in found]
    assert all(
        (newer - older).total_seconds() >= 0.001 for newer, older in zip(times, times[1:])
    ), times
    # cdk destroy MyNet alone: refused while MyShop imports its exports, nothing deleted
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=NET)
    net = described(aws, NET)
    assert net["StackStatus"] == "DELETE_FAILED", net
    reason = net["StackStatusReason"]
    assert reason.startswith(f"Export {NET}:ExportsOutputRef") and reason.endswith(
        f" cannot be deleted as it is in use by {SHOP}"
    ), reason
    assert events(aws, NET)[:2] == [
        (NET, "DELETE_FAILED", reason),
        (NET, "DELETE_IN_PROGRESS", "User Initiated"),
    ]
    assert values["/shop/topic"] in topics(aws)
    kept = physical(aws, NET)
    assert set(kept) == set(app[NET]["Resources"]) and all(kept.values()), kept
    assert len(cfn.list_exports()["Exports"]) == 2
    # then the consumer, then the producer (cdk destroy's order for the app): both gone
    cfn.delete_stack(StackName=SHOP)
    cfn.delete_stack(StackName=NET)
    assert listed(aws) == {}
    assert cfn.list_exports()["Exports"] == []
    assert values["/shop/topic"] not in topics(aws)
    assert aws("ssm").get_parameters(Names=[*TAKEN, values["/shop/made"]])["Parameters"] == []


def test_weak_references_deploy_and_hold_nothing(aws, apps):
    app = apps["weak"]
    assert cdk_deploy(aws, NET, app[NET])["StackStatus"] == "CREATE_COMPLETE"
    assert cdk_deploy(aws, SHOP, app[SHOP])["StackStatus"] == "CREATE_COMPLETE"
    values = producers_values(aws)
    assert taken(aws) == values
    assert values["/shop/topic"].startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:")
    assert aws("cloudformation").list_exports()["Exports"] == []
    # a weak reference holds nothing (CDK: "the producing stack can be deleted independently"):
    # the producer goes first; the consumer keeps the values it was given
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=NET)
    assert listed(aws) == {SHOP: "CREATE_COMPLETE"}
    assert values["/shop/topic"] not in topics(aws)
    assert taken(aws) == values
    assert set(physical(aws, SHOP)) == set(app[SHOP]["Resources"])
    cfn.delete_stack(StackName=SHOP)
    assert listed(aws) == {}
    assert taken(aws) == {}


@pytest.mark.parametrize(
    "strength, error",
    [
        ("strong", f"No export named {NET}:ExportsOutputRef"),
        ("weak", f"Fn::GetStackOutput: Stack with id {NET} does not exist"),
    ],
)
def test_a_consumer_deployed_before_its_producer_rolls_back(aws, apps, strength, error):
    app = apps[strength]
    stack = cdk_deploy(aws, SHOP, app[SHOP])
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE", stack
    reason = stack["StackStatusReason"]
    assert reason.startswith("The following resource(s) failed to create: ["), reason
    assert reason.endswith("]. Rollback requested by user."), reason
    failed = reason.split("[")[1].split("]")[0]
    times = [e["Timestamp"] for e in cfn_events(aws, SHOP)]
    assert all((n - o).total_seconds() >= 0.001 for n, o in zip(times, times[1:])), times
    found = events(aws, SHOP)
    assert [(i, s) for i, s, _ in found] == [
        (SHOP, "ROLLBACK_COMPLETE"),
        (SHOP, "ROLLBACK_IN_PROGRESS"),
        (failed, "CREATE_FAILED"),
        (SHOP, "CREATE_IN_PROGRESS"),
        (SHOP, "REVIEW_IN_PROGRESS"),
    ]
    assert found[2][2].startswith(error), found[2]
    assert "Outputs" not in stack
    cfn = aws("cloudformation")
    change_set = cfn.describe_change_set(StackName=SHOP, ChangeSetName=CHANGE_SET)
    assert change_set["ExecutionStatus"] == "EXECUTE_FAILED"
    # nothing made is left (what it made before the failure was deleted), nor made again when
    # its resources are listed
    assert taken(aws) == {}
    assert {r["ResourceStatus"] for r in cfn.list_stack_resources(StackName=SHOP)[
        "StackResourceSummaries"]} <= {"DELETE_COMPLETE"}  # fmt: skip
    assert taken(aws) == {}
    # cdk deploy's next attempt: it deletes the failed stack, then deploys in order
    cfn.delete_stack(StackName=SHOP)
    assert listed(aws) == {}
    assert cdk_deploy(aws, NET, app[NET])["StackStatus"] == "CREATE_COMPLETE"
    assert cdk_deploy(aws, SHOP, app[SHOP])["StackStatus"] == "CREATE_COMPLETE"
    assert taken(aws) == producers_values(aws)


def test_an_update_that_drops_an_imported_export_changes_nothing(aws, apps):
    """The "deadly embrace": the producer redeployed without the outputs its consumer imports."""
    app = apps["strong"]
    cdk_deploy(aws, NET, app[NET])
    cdk_deploy(aws, SHOP, app[SHOP])
    values = producers_values(aws)
    dropped = {key: value for key, value in app[NET].items() if key != "Outputs"}
    cfn = aws("cloudformation")
    cfn.delete_change_set(StackName=NET, ChangeSetName=CHANGE_SET)
    stack = cdk_deploy(aws, NET, dropped, "UPDATE")
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", stack
    assert " cannot be deleted as it is in use by MyShop" in stack["StackStatusReason"]
    assert stack["StackStatusReason"].endswith(". Rollback requested by user.")
    assert [(i, s) for i, s, _ in events(aws, NET)[:3]] == [
        (NET, "UPDATE_ROLLBACK_COMPLETE"),
        (NET, "UPDATE_ROLLBACK_IN_PROGRESS"),
        (NET, "UPDATE_IN_PROGRESS"),
    ]
    assert len(cfn.list_exports()["Exports"]) == 2
    assert {o["OutputKey"] for o in stack["Outputs"]} == set(app[NET]["Outputs"])
    assert taken(aws) == values


def test_an_export_name_another_stack_exports_is_refused(aws, apps):
    """The producer's template deployed again under another name exports the same names."""
    app = apps["strong"]
    cdk_deploy(aws, NET, app[NET])
    cfn = aws("cloudformation")
    exports = cfn.list_exports()["Exports"]
    stack = cdk_deploy(aws, "MyNetCopy", app[NET])
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE", stack
    first = next(iter(app[NET]["Outputs"].values()))["Export"]["Name"]
    assert stack["StackStatusReason"] == (
        f"Export with name {first} is already exported by stack {NET}. Rollback requested by user."
    )
    assert "Outputs" not in stack
    # the copy made nothing that is left; the producer's exports are its own still, after the
    # copy's deletion too
    assert len(topics(aws)) == 1
    assert cfn.list_exports()["Exports"] == exports
    cfn.delete_stack(StackName="MyNetCopy")
    assert cfn.list_exports()["Exports"] == exports
    assert listed(aws) == {NET: "CREATE_COMPLETE"}


def test_moto_alone_still_passes_fn_get_stack_output_through():
    """moto 5.2.5 does not know ``Fn::GetStackOutput``: it gives the function back as the
    value (an SSM parameter held its text). Delete stack_outputs' resolution when this fails."""
    from week5.operations.moto_models import stack_outputs as patch

    function = {"Fn::GetStackOutput": {"StackName": NET, "OutputName": "Out", "Region": REGION}}
    assert patch.MOTO_CLEAN_JSON(function, None) == function
