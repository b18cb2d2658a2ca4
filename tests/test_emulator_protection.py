"""The emulator keeps and lifts termination protection as AWS does (week5/operations/moto_models):
a stack's is set and lifted by ``UpdateTerminationProtection`` (the command ``week5 cleanup``
prints) and refuses ``DeleteStack`` while on (stack_termination_protection); an instance launched
with ``DisableApiTermination`` keeps it and refuses ``TerminateInstances``
(ec2_instance_termination_protection).

Each through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_refusals.py does; each ``test_moto_alone_still_...`` puts moto's own code back
and fails when moto no longer needs the module (delete the module then).
"""

from __future__ import annotations

import json

import pytest
import moto_in_process
from moto_in_process import AMI, error

from week5.operations.cleanup.compute import _termination_protected

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

STACK = "week5-day1-lab1"
TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
REFUSED = (
    "ValidationError",
    f"Stack [{STACK}] cannot be deleted while TerminationProtection is enabled",
)


# --- a stack's termination protection ----------------------------------------------------------


def protected_stack(aws, protection: bool = True) -> str:
    """The stack :data:`STACK`, created with its protection as asked; its id."""
    return aws("cloudformation").create_stack(
        StackName=STACK, TemplateBody=TEMPLATE, EnableTerminationProtection=protection
    )["StackId"]


def protection(aws, name: str = STACK) -> bool:
    (stack,) = aws("cloudformation").describe_stacks(StackName=name)["Stacks"]
    return stack["EnableTerminationProtection"]


def listed(aws) -> list:
    return [
        (s["StackName"], s["StackStatus"])
        for s in aws("cloudformation").describe_stacks()["Stacks"]
    ]


def test_a_protected_stack_refuses_deletion_until_cleanups_command_lifts_it(aws):
    """The trial's case: ``aws cloudformation update-termination-protection
    --no-enable-termination-protection --stack-name X`` (moto: HTTP 500, not implemented)."""
    stack_id = protected_stack(aws)
    cfn = aws("cloudformation")
    assert error(lambda: cfn.delete_stack(StackName=STACK)) == REFUSED
    assert listed(aws) == [(STACK, "CREATE_COMPLETE")]
    assert protection(aws) is True
    reply = cfn.update_termination_protection(EnableTerminationProtection=False, StackName=STACK)
    assert reply["StackId"] == stack_id
    assert protection(aws) is False
    cfn.delete_stack(StackName=STACK)
    assert listed(aws) == []


def test_protection_is_turned_on_by_stack_id_and_refuses_by_the_id_given(aws):
    stack_id = protected_stack(aws, protection=False)
    cfn = aws("cloudformation")
    reply = cfn.update_termination_protection(EnableTerminationProtection=True, StackName=stack_id)
    assert reply["StackId"] == stack_id
    assert protection(aws) is True
    assert error(lambda: cfn.delete_stack(StackName=stack_id)) == (
        "ValidationError",
        f"Stack [{stack_id}] cannot be deleted while TerminationProtection is enabled",
    )
    assert listed(aws) == [(STACK, "CREATE_COMPLETE")]


def test_an_unprotected_stack_is_deleted_and_an_unknown_one_is_refused(aws):
    protected_stack(aws, protection=False)
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=STACK)
    assert listed(aws) == []
    assert error(
        lambda: cfn.update_termination_protection(
            EnableTerminationProtection=False, StackName=STACK
        )
    ) == ("ValidationError", f"Stack with id {STACK} does not exist")


def test_moto_alone_still_lacks_the_call_and_deletes_a_protected_stack(aws, monkeypatch):
    from moto.cloudformation.responses import CloudFormationResponse

    from week5.operations.moto_models import stack_termination_protection as patch

    assert patch.MOTO_OWN is None, "moto now has UpdateTerminationProtection"
    monkeypatch.delattr(CloudFormationResponse, patch.ACTION)
    monkeypatch.setattr(CloudFormationResponse, "delete_stack", patch.MOTO_DELETE_STACK)
    protected_stack(aws)
    cfn = aws("cloudformation")
    with pytest.raises(NotImplementedError):
        cfn.update_termination_protection(EnableTerminationProtection=False, StackName=STACK)
    cfn.delete_stack(StackName=STACK)
    assert listed(aws) == []


# --- an instance's termination protection ------------------------------------------------------


def launched(aws, **request) -> str:
    """An instance launched as ``aws ec2 run-instances`` does; its id."""
    (instance,) = aws("ec2").run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, **request
    )["Instances"]
    return instance["InstanceId"]


def attribute(aws, instance_id: str) -> bool:
    return aws("ec2").describe_instance_attribute(
        InstanceId=instance_id, Attribute="disableApiTermination"
    )["DisableApiTermination"]["Value"]


def state(aws, instance_id: str) -> str:
    (reservation,) = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservation["Instances"][0]["State"]["Name"]


def test_an_instance_launched_protected_keeps_it_and_refuses_termination(aws):
    """The trial's case: ``run-instances --disable-api-termination`` (moto: False, terminated)."""
    instance = launched(aws, DisableApiTermination=True)
    ec2 = aws("ec2")
    assert attribute(aws, instance) is True
    assert _termination_protected(ec2, instance) is True
    assert error(lambda: ec2.terminate_instances(InstanceIds=[instance])) == (
        "OperationNotPermitted",
        f"The instance '{instance}' may not be terminated. Modify its 'disableApiTermination' "
        "instance attribute and try again.",
    )
    assert state(aws, instance) == "running"
    # the command cleanup prints lifts it
    ec2.modify_instance_attribute(InstanceId=instance, DisableApiTermination={"Value": False})
    assert attribute(aws, instance) is False
    ec2.terminate_instances(InstanceIds=[instance])
    assert state(aws, instance) == "terminated"


@pytest.mark.parametrize("request_", [{}, {"DisableApiTermination": False}])
def test_an_instance_launched_unprotected_is_terminated(aws, request_):
    instance = launched(aws, **request_)
    assert attribute(aws, instance) is False
    aws("ec2").terminate_instances(InstanceIds=[instance])
    assert state(aws, instance) == "terminated"


def test_moto_alone_still_drops_the_protection_at_launch(aws, monkeypatch):
    from moto.ec2.responses.instances import InstanceResponse

    from week5.operations.moto_models import ec2_instance_termination_protection as patch

    monkeypatch.setattr(InstanceResponse, "run_instances", patch.MOTO_RUN_INSTANCES)
    instance = launched(aws, DisableApiTermination=True)
    assert attribute(aws, instance) is False
    aws("ec2").terminate_instances(InstanceIds=[instance])
    assert state(aws, instance) == "terminated"
