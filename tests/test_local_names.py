"""`week5 local` names security groups as the console lists them: by their Name tag (else their
GroupName), as it names VPCs, subnets and instances. A student trial read
``BastionPairBastionSecurityGroup6F7557BD`` (a logical id) where the console shows
``week5-day1-park-bastion-sg``; a rule's source group was a logical id too."""

import pytest

from week5.cli import local as local_command

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")


def group_lines(text):
    lines = text.splitlines()
    start = lines.index("Security groups (ingress)") + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("  "))
    return lines[start:end]


def deployed_names(emulated_labs, back):
    """Each deployed group's id → its Name tag, as the emulator describes it."""
    described = emulated_labs.clients("ec2").describe_security_groups(
        GroupIds=[g["id"] for g in back.security_groups]
    )["SecurityGroups"]
    return {
        g["GroupId"]: next(t["Value"] for t in g.get("Tags", []) if t["Key"] == "Name")
        for g in described
    }


def test_day1_lab2s_groups_and_rule_sources_go_by_their_name_tags(emulated_labs):
    back = emulated_labs.results["Day1Lab2"]
    template = emulated_labs.labs["Day1Lab2"].template
    names = deployed_names(emulated_labs, back)
    bastion = next(n for n in names.values() if n.endswith("-bastion-sg"))
    lines = group_lines(local_command.format_read_back("Day1Lab2", back, template))
    assert sorted(line.split(":")[0].strip() for line in lines) == sorted(names.values())
    private_sg = bastion.replace("bastion", "private")
    (private,) = [line for line in lines if line.lstrip().startswith(private_sg)]
    assert f"22 from {bastion}" in private, private
    for group in back.security_groups:  # no logical id is left in the section
        assert not any(group["logical_id"] in line for line in lines), group["logical_id"]


def test_every_deployed_labs_groups_go_by_what_the_console_lists(emulated_labs):
    """Every lab the session deployed: each group's line starts with its Name tag on the
    emulator, and every source group of a rule is named the same way."""
    checked = 0
    for lab_id, back in emulated_labs.results.items():
        if isinstance(back, str) or not back.security_groups:
            continue
        template = emulated_labs.labs[lab_id].template
        names = deployed_names(emulated_labs, back)
        lines = group_lines(local_command.format_read_back(lab_id, back, template))
        assert sorted(line.split(": ", 1)[0].strip() for line in lines) == sorted(
            names.values()
        ), lab_id
        logical_ids = {g["logical_id"] for g in back.security_groups}
        for line in lines:
            assert not [i for i in logical_ids if i in line], (lab_id, line)
        checked += 1
    assert checked


def test_without_a_name_tag_a_group_goes_by_its_group_name_else_its_logical_id():
    template = {
        "Resources": {
            "Named": {"Type": "AWS::EC2::SecurityGroup",
                      "Properties": {"Tags": [{"Key": "Name", "Value": "week5-x-sg"}]}},
            "GroupNamed": {"Type": "AWS::EC2::SecurityGroup",
                           "Properties": {"GroupName": "week5-y-sg"}},
            "Token": {"Type": "AWS::EC2::SecurityGroup",
                      "Properties": {"Tags": [{"Key": "Name", "Value": {"Ref": "AWS::StackName"}}]}},
        }
    }  # fmt: skip
    assert local_command.security_group_names(template) == {
        "Named": "week5-x-sg", "GroupNamed": "week5-y-sg"
    }  # fmt: skip
    assert local_command.security_group_names(None) == {}
