"""Course conventions every lab's template keeps, checked independently of the rule pack: tags
(against CloudFormation's own schemas), region and names, IMDSv2 with encrypted gp3 volumes, and
only 80/443 from the internet. Retention and deletion are the rule pack's (test_course_rules,
test_teardown)."""

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from support import make_app, props, resources

from stacks.catalog import CATALOG
from week5.core.catalog import LAB_METADATA_KEY
from week5.core.settings import CourseSettings

LABS = CATALOG.ids
REGION = "ap-northeast-2"


def taggable(rtype: str) -> bool:
    """What CloudFormation's own resource schema says (cfn-lint ships the schemas)."""
    tagging = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, rtype).schema.get("tagging") or {}
    return bool(tagging.get("taggable")) and tagging.get("tagProperty") == "/properties/Tags"


def test_catalog_has_the_day1_labs():
    assert LABS[:3] == ("Day1Lab1", "Day1Lab2", "Day1Case")


@pytest.mark.parametrize("lab_id", LABS)
def test_every_taggable_resource_has_the_course_tags(app, lab_id):
    lab = CATALOG.get(lab_id)
    expected = {"Week": "Week5", "Day": lab.day_tag, "Lab": lab.kind, "Student": "instructor"}
    template = app.templates[lab_id]
    checked = 0
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::CDK::Metadata" or not taggable(resource["Type"]):
            continue
        raw = resource["Properties"].get("Tags", [])
        # Most types write a Key/Value list; a few (API Gateway v2) a map.
        tags = raw if isinstance(raw, dict) else {t["Key"]: t["Value"] for t in raw}
        assert {k: tags.get(k) for k in expected} == expected, logical_id
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("lab_id", LABS)
def test_stack_name_region_and_catalog_metadata(app, lab_id):
    stack = app.stacks[lab_id]
    assert stack.node.id == lab_id  # `cdk deploy Day1Lab1` selects it
    assert stack.stack_name == f"week5-instructor-{lab_id}"
    assert stack.region == REGION
    info = app.templates[lab_id]["Metadata"][LAB_METADATA_KEY]
    assert info["LabId"] == lab_id and info["Student"] == "instructor"


@pytest.mark.parametrize("lab_id", LABS)
def test_every_instance_requires_imdsv2_and_has_encrypted_gp3_volumes(app, lab_id):
    template = app.templates[lab_id]
    instances = resources(template, "AWS::EC2::Instance")
    for logical_id, instance in instances.items():
        p = instance["Properties"]
        template_id = p["LaunchTemplate"]["LaunchTemplateId"]["Ref"]  # not a fixed name
        metadata = template["Resources"][template_id]["Properties"]["LaunchTemplateData"]
        assert metadata["MetadataOptions"]["HttpTokens"] == "required", logical_id
        volumes = p["BlockDeviceMappings"]
        assert volumes and all(v["Ebs"]["Encrypted"] is True for v in volumes), logical_id
        assert all(v["Ebs"]["VolumeType"] == "gp3" for v in volumes), logical_id
        assert p["PropagateTagsToVolumeOnCreation"] is True, logical_id


@pytest.mark.parametrize("lab_id", LABS)
def test_every_auto_scaling_group_launches_imdsv2_and_encrypted_volumes(app, lab_id):
    """Checked here, from the template, because cdk-nag's EC26 is acknowledged on HaWebTier."""
    template = app.templates[lab_id]
    for logical_id, group in resources(template, "AWS::AutoScaling::AutoScalingGroup").items():
        template_id = group["Properties"]["LaunchTemplate"]["LaunchTemplateId"]["Ref"]
        data = template["Resources"][template_id]["Properties"]["LaunchTemplateData"]
        assert data["MetadataOptions"]["HttpTokens"] == "required", logical_id
        volumes = data["BlockDeviceMappings"]
        assert volumes and all(v["Ebs"]["Encrypted"] is True for v in volumes), logical_id


@pytest.mark.parametrize("lab_id", LABS)
def test_no_account_wide_names_that_would_collide_between_students(app, lab_id):
    """Twelve students deploy the same lab in one account: nothing may pin a fixed name."""
    for rtype, name_key in (
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateName"),
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
        ("AWS::SecretsManager::Secret", "Name"),
        ("AWS::EC2::SecurityGroup", "GroupName"),
        ("AWS::Logs::LogGroup", "LogGroupName"),
    ):
        for p in props(app.templates[lab_id], rtype):
            assert name_key not in p, (rtype, p.get(name_key))


@pytest.mark.parametrize("lab_id", LABS)
def test_no_ssh_or_rdp_from_the_internet(app, lab_id):
    template = app.templates[lab_id]
    rules = [
        r
        for sg in props(template, "AWS::EC2::SecurityGroup")
        for r in sg.get("SecurityGroupIngress", [])
    ]
    rules += props(template, "AWS::EC2::SecurityGroupIngress")
    for rule in rules:
        if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
            assert rule["IpProtocol"] == "tcp" and rule["FromPort"] in (80, 443), rule
            assert rule["ToPort"] == rule["FromPort"], rule


def test_student_context_names_the_stack_and_tags_it(tmp_path):
    cdk_app = make_app(tmp_path, student="kim-minsu")
    settings = CourseSettings.from_context(cdk_app.node.try_get_context)
    lab = CATALOG.get("Day1Lab1")
    stack = lab.build(cdk_app, lab, settings)
    template = cdk_app.synth().get_stack_by_name(stack.stack_name).template
    assert stack.stack_name == "week5-kim-minsu-Day1Lab1"
    (vpc,) = props(template, "AWS::EC2::VPC")
    assert {"Key": "Student", "Value": "kim-minsu"} in vpc["Tags"]
