"""LeftoverCleanup: the custom resource that deletes what a lab made outside CloudFormation."""

import pytest
from aws_cdk import RemovalPolicy, Size
from aws_cdk import aws_ec2 as ec2
from support import props, resources, synth

from week5.constructs.cleanup import CLEANUP_RESOURCE_TYPE, LeftoverCleanup
from week5.core.errors import CourseInputError


def test_needs_something_to_clean_up(stack):
    with pytest.raises(CourseInputError, match="give tag_value, volumes or databases"):
        LeftoverCleanup(stack, "Cleanup")


def test_cleans_by_tag_and_volume_with_its_own_log_group(stack):
    volume = ec2.Volume(
        stack,
        "Volume",
        availability_zone="ap-northeast-2a",
        size=Size.gibibytes(1),
        encrypted=True,
        removal_policy=RemovalPolicy.DESTROY,
    )
    cleanup = LeftoverCleanup(stack, "Cleanup", tag_value="kim/lab", volumes=[volume])
    t = synth(stack)
    ((_, resource),) = resources(t, CLEANUP_RESOURCE_TYPE).items()
    p = resource["Properties"]
    assert p["TagKey"] == "week5:snapshot-schedule" and p["TagValue"] == "kim/lab"
    assert p["VolumeIds"] == [{"Ref": next(iter(resources(t, "AWS::EC2::Volume")))}]
    (function,) = props(t, "AWS::Lambda::Function")
    assert function["Timeout"] == 600 and function["Runtime"] == "python3.14"
    (group_id,) = resources(t, "AWS::Logs::LogGroup")
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": group_id}
    assert cleanup.function is not None and cleanup.resource is not None
