"""week5.analysis.timing with creation signals: an Auto Scaling group that waits for its
instances counts from launch until their app answers, and every lab's timeouts fit that."""

import re

import pytest
from boot_scripts import flat
from support import resources

from week5.analysis import timing
from week5.analysis.timing import BOOT_SECONDS_METADATA


def group(boot=None, timeout="PT10M", depends=None):
    resource = {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {}}
    if timeout:
        resource["CreationPolicy"] = {"ResourceSignal": {"Count": 2, "Timeout": timeout}}
    if boot is not None:
        resource["Metadata"] = {"aws:cdk:path": "Lab/Web/Asg/ASG", BOOT_SECONDS_METADATA: boot}
    if depends:
        resource["DependsOn"] = depends
    return resource


def test_a_signalled_group_takes_the_boot_time_its_construct_wrote():
    create, delete, basis = timing.resource_times(group(boot=360))
    assert (create, delete) == (360, 120) and "boot 360 s" in basis


def test_without_a_boot_time_it_may_take_its_whole_timeout():
    assert timing.resource_times(group(timeout="PT16M"))[0] == 960
    assert timing.resource_times(group(boot=True, timeout="PT1H2M3S"))[0] == 3723


def test_a_group_without_a_creation_policy_keeps_the_measured_two_minutes():
    assert timing.resource_times(group(boot=600, timeout=None))[0] == 120


def test_the_boot_adds_to_the_chain_of_what_the_instances_need():
    template = {
        "Resources": {
            "Cache": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {}},
            "Template": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"UserData": {"Fn::GetAtt": ["Cache", "PrimaryEndPoint.Address"]}},
            },
            "Asg": {
                **group(boot=360),
                "Properties": {"LaunchTemplate": {"LaunchTemplateId": {"Ref": "Template"}}},
            },
        }
    }
    took = timing.estimate_duration(template)
    assert took.create_chain == ["Cache", "Template", "Asg"]
    assert took.create_s == 540 + 5 + 360


@pytest.mark.parametrize("text", ["PT", "10M", "P1D", "PT5X", ""])
def test_durations_other_than_hours_minutes_seconds_are_refused(text):
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        timing.iso8601_seconds(text)


def signalled_groups(app):
    for lab_id, template in app.templates.items():
        for group_id, resource in resources(template, "AWS::AutoScaling::AutoScalingGroup").items():
            yield lab_id, template, group_id, resource


def test_every_labs_group_signals_and_its_timeouts_fit_its_boot_time(app):
    seen = 0
    for lab_id, template, group_id, resource in signalled_groups(app):
        seen += 1
        where = f"{lab_id} {group_id}"
        boot = resource["Metadata"][BOOT_SECONDS_METADATA]
        policy = resource["CreationPolicy"]["ResourceSignal"]
        timeout = timing.iso8601_seconds(policy["Timeout"])
        assert policy["Count"] == int(resource["Properties"]["MinSize"]), where
        assert timeout == max(2 * boot, 600), where
        update = resource["UpdatePolicy"]["AutoScalingRollingUpdate"]
        assert (update["WaitOnResourceSignals"], update["PauseTime"]) == (True, policy["Timeout"])
        assert int(resource["Properties"]["HealthCheckGracePeriod"]) >= boot, where
        # The instance waits for its app as long as CloudFormation waits for its signal, and
        # signals this very group.
        template_id = resource["Properties"]["LaunchTemplate"]["LaunchTemplateId"]["Ref"]
        data = template["Resources"][template_id]["Properties"]["LaunchTemplateData"]
        text = flat(data["UserData"])
        assert f"|| timeout {timeout} bash -c 'until curl -fsS" in text, where
        assert re.search(rf"cfn-signal --stack \S+ --resource {group_id} ", text), where
        # The estimate `week5 labs` prints counts the boot.
        assert timing.resource_times(resource)[0] == boot, where
    assert seen, "no Auto Scaling group in the labs synthesized"


#: Launch to answering, as each lab's stack sets it (seconds): what `week5 labs` adds up.
EXPECTED_BOOT = {
    "Day4Lab1": {"Web": 180},
    "Day4Challenge": {"Web": 180, "App": 180},
    "Day4Case": {"News": 360},
    "Day5Lab1": {"CloudMart/Backend": 300},
    "Day5Challenge": {"CloudMart/Backend": 300},
}


def test_the_day4_and_day5_boot_times(app):
    for lab_id, tiers in EXPECTED_BOOT.items():
        if lab_id not in app.templates:
            continue  # WEEK5_TEST_LABS left it out
        found = {
            resource["Metadata"]["aws:cdk:path"].split("/", 1)[1].removesuffix("/Asg/ASG"): (
                resource["Metadata"][BOOT_SECONDS_METADATA]
            )
            for _, _, _, resource in signalled_groups_of(app, lab_id)
        }
        assert found == tiers, lab_id


def signalled_groups_of(app, lab_id):
    return [g for g in signalled_groups(app) if g[0] == lab_id]


def test_day5_with_multi_az_rds_and_the_backends_boot_still_fits_the_50_minute_slot(app):
    for lab_id in ("Day5Lab1", "Day5Challenge", "Day4Case"):
        if lab_id not in app.templates:
            continue
        took = timing.estimate_duration(app.templates[lab_id])
        (group_id,) = resources(app.templates[lab_id], "AWS::AutoScaling::AutoScalingGroup")
        assert group_id in took.create_chain, lab_id  # the boot is on the longest chain
        assert took.create_min + took.delete_min <= timing.LAB_SLOT_MINUTES, lab_id
