"""The teardown check: every lab's template lets `cdk destroy` delete everything and keep
nothing; a template that would not is named, thing by thing."""

import pytest

from stacks.catalog import CATALOG
from week5.analysis.teardown import TEARDOWN_RULES, teardown_findings


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_every_lab_template_tears_down_clean(app, lab_id):
    assert teardown_findings(app.templates[lab_id]) == []


def test_every_way_a_template_can_outlive_cdk_destroy_is_named():
    template = {
        "Resources": {
            "Kept": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Retain"},
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DeletionProtection": True}},
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
            "Vault": {"Type": "AWS::Backup::BackupVault", "DeletionPolicy": "Delete"},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }
    assert teardown_findings(template) == [
        "Kept: Week5-NoRetainOnDelete[DeletionPolicy:Retain]",
        "Db: Week5-NoRetainOnDelete[DeletionPolicy:Snapshot]",
        "Db: Week5-NothingBlocksDeletion[DeletionProtection]",
        "Bucket: Week5-BucketsEmptyThemselves",
        "Vault: Week5-NothingBlocksDeletion[BackupVault]",
        "Fn: Week5-LogGroupsRemoved[ImplicitLambdaLogGroup]",
    ]


def test_a_bucket_with_cdk_auto_delete_is_emptied():
    template = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
            "BucketAutoDelete": {
                "Type": "Custom::S3AutoDeleteObjects",
                "Properties": {"BucketName": {"Ref": "Bucket"}},
            },
        }
    }
    assert teardown_findings(template) == []


def test_the_check_is_the_deletion_rules_of_the_pack():
    assert [r.rule_id for r in TEARDOWN_RULES] == [
        "Week5-NoRetainOnDelete",
        "Week5-BucketsEmptyThemselves",
        "Week5-NothingBlocksDeletion",
        "Week5-LogGroupsRemoved",
    ]


def test_the_readme_says_per_lab_what_to_delete_by_hand():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- manual-cleanup:start -->")[1].split("<!-- manual-cleanup:end -->")[0]
    rows = [line.split("|") for line in block.splitlines() if line.startswith("| `Day")]
    assert [row[1].strip().strip("`") for row in rows] == list(CATALOG.ids)
    assert all("aws " in row[3] for row in rows)  # each says how, with a command
