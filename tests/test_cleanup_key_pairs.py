"""`week5 cleanup` finds and deletes the EC2 key pairs tagged for the day (and student), as it
does every kind: a key pair is free, but the course's cleanup is "by tag, everything", and an
instructor trial found 20 tagged key pairs left after `--apply` for every day, with no word
said of them. Those of another day or student and untagged ones are not touched; one deleted
meanwhile is "already gone", not deleted; one a lab stack made goes with its stack, never on
its own. On in-process moto, key pairs made with boto3 as students make them, and a stack's as
CDK's template makes it.

moto 5.2.5's DeleteKeyPair reads only KeyName: given a KeyPairId it deletes nothing and says
nothing. :func:`aws_delete_key_pair` answers as AWS does (by id; an unknown id is
InvalidKeyPair.NotFound), so the tests see what cleanup does on AWS."""

import json

import pytest
from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidKeyPairNameError
from moto.ec2.responses.key_pairs import KeyPairs
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.cli import main
from week5.cli.cleanup import format_found
from week5.operations.cleanup import DELETION_ORDER

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
QUIET = {"say": lambda line: None}


def aws_delete_key_pair(self):
    """DeleteKeyPair as AWS answers it: by KeyPairId when given (an unknown id:
    InvalidKeyPair.NotFound), else by KeyName (moto's own)."""
    key_pair_id = self._get_param("KeyPairId")
    if not key_pair_id:
        return ORIGINAL_DELETE(self)
    self.error_on_dryrun()
    pairs = self.ec2_backend.key_pairs
    name = next((n for n, k in pairs.items() if k.id == key_pair_id), None)
    if name is None:
        raise InvalidKeyPairNameError([key_pair_id])
    DELETED_BY_ID.append(key_pair_id)
    return ActionResult({"Return": True, "KeyPairId": pairs.pop(name).id})


ORIGINAL_DELETE = KeyPairs.delete_key_pair
#: The ids DeleteKeyPair was called with (cleanup's own deletions, not a stack's).
DELETED_BY_ID = []


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        monkeypatch.setattr(KeyPairs, "delete_key_pair", aws_delete_key_pair)
        DELETED_BY_ID.clear()
        yield CLIENTS


def key_pair(aws, name, tags=None):
    """A key pair made as a student makes one (the console's "Create key pair" with tags)."""
    reply = aws.client("ec2").create_key_pair(
        KeyName=name, **({"TagSpecifications": tag_spec("key-pair", tags)} if tags else {})
    )
    return reply["KeyPairId"]


def key_pairs(aws):
    return {k["KeyPairId"] for k in aws.client("ec2").describe_key_pairs()["KeyPairs"]}


def cleaner(aws, day="Day1", student="kim"):
    return quiet_cleaner(aws.client, day, student)


def test_key_pairs_are_a_kind_cleanup_finds_after_what_uses_them():
    names = [what for what, _ in DELETION_ORDER]
    assert "key pairs" in names
    assert names.index("EC2 instances") < names.index("key pairs")
    assert names.index("launch templates") < names.index("key pairs")


def test_a_tagged_key_pair_is_found_and_deleted_and_no_other(aws, capsys):
    mine = key_pair(aws, "kim-day1", course_tags("Day1"))
    untagged = key_pair(aws, "by-hand")
    other_day = key_pair(aws, "kim-day2", course_tags("Day2"))
    other_student = key_pair(aws, "lee-day1", course_tags("Day1", "lee"))

    c = cleaner(aws)
    (found,) = c.find()
    assert (found.kind, found.id, found.name, found.hourly) == ("key pair", mine, "kim-day1", 0.0)
    assert found.held is None
    # free, shown as free kinds are (a security group's $0.0000/h)
    assert f"key pair  {mine}  " in format_found([found], "Day1/kim")
    assert "$0.0000/h  kim-day1" in format_found([found], "Day1/kim")
    assert key_pairs(aws) == {mine, untagged, other_day, other_student}  # a dry run deletes nothing

    report = c.apply(**QUIET)
    assert [f.id for f in report.deleted] == [mine]
    assert not report.failed and not report.left and not report.gone
    assert DELETED_BY_ID == [mine]  # by its id, not its name
    assert key_pairs(aws) == {untagged, other_day, other_student}
    assert c.find() == []


def test_every_student_takes_every_students_key_pairs_of_the_day(aws):
    kim = key_pair(aws, "kim-day1", course_tags("Day1"))
    lee = key_pair(aws, "lee-day1", course_tags("Day1", "lee"))
    other_day = key_pair(aws, "kim-day2", course_tags("Day2"))
    c = quiet_cleaner(aws.client, "Day1", None)
    assert sorted(f.id for f in c.find()) == sorted([kim, lee])
    c.apply(**QUIET)
    assert key_pairs(aws) == {other_day}


def test_the_cli_lists_and_deletes_it(aws, capsys):
    mine = key_pair(aws, "kim-day1", course_tags("Day1"))
    assert main(["cleanup", "--day", "Day1", "--student", "kim", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [(f["kind"], f["id"], f["usd_per_hour"]) for f in body["found"]] == [
        ("key pair", mine, 0.0)
    ]
    assert main(["cleanup", "--day", "Day1", "--student", "kim", "--apply"]) == 0
    out, err = capsys.readouterr()
    assert f"deleted key pair {mine} (kim-day1)" in err
    assert "Deleted 1, failed 0, left 0." in out
    assert key_pairs(aws) == set()


def test_one_deleted_meanwhile_is_already_gone_not_deleted(aws):
    mine = key_pair(aws, "kim-day1", course_tags("Day1"))
    c = cleaner(aws)
    found = c.find()
    aws.client("ec2").delete_key_pair(KeyName="kim-day1")  # someone, meanwhile
    report = c.apply(found, **QUIET)
    assert report.deleted == [] and report.failed == []
    assert [(f.id, code) for f, code in report.gone] == [(mine, "InvalidKeyPair.NotFound")]


def test_a_name_made_again_meanwhile_is_another_key_pair_and_stays(aws):
    """Deleted by id: an untagged key pair made under the found one's name since is not it."""
    mine = key_pair(aws, "kim-day1", course_tags("Day1"))
    c = cleaner(aws)
    found = c.find()
    ec2 = aws.client("ec2")
    ec2.delete_key_pair(KeyName="kim-day1")
    again = key_pair(aws, "kim-day1")
    report = c.apply(found, **QUIET)
    assert [(f.id, code) for f, code in report.gone] == [(mine, "InvalidKeyPair.NotFound")]
    assert key_pairs(aws) == {again}


def deploy(aws, day, student, lab):
    """A Day 1 lab's stack as CDK writes it: its key pair (private key in Parameter Store) and a
    security group, both tagged for the day and student, as is the stack itself."""
    tags = course_tags(day, student)
    template = {
        "Resources": {
            "SshKey": {
                "Type": "AWS::EC2::KeyPair",
                "Properties": {"KeyName": f"week5-{student}-{lab}-SshKey", "Tags": tags},
            },
            "Web": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "web", "Tags": tags},
            },
        }
    }
    cloudformation = aws.client("cloudformation")
    name = f"week5-{student}-{lab}"
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template), Tags=tags)
    return name


def stacks(aws):
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    return {s["StackName"] for s in listed if s["StackStatus"] != "DELETE_COMPLETE"}


def test_a_stacks_key_pair_goes_with_its_stack_never_on_its_own(aws):
    stack = deploy(aws, "Day1", "kim", "Day1Lab1")
    lee = deploy(aws, "Day1", "lee", "Day1Lab1")
    (kim_key,) = aws.client("ec2").describe_key_pairs(KeyNames=["week5-kim-Day1Lab1-SshKey"])[
        "KeyPairs"
    ]
    assert kim_key["KeyPairId"] in key_pairs(aws)

    c = cleaner(aws)
    (found,) = c.find()  # the stack alone: its key pair and group are folded in
    assert (found.kind, found.id) == ("CloudFormation stack", stack)
    assert found.name == "2 tagged resource(s) in it" and found.held is None

    report = c.apply(**QUIET)
    assert [f.id for f in report.deleted] == [stack] and not report.failed
    assert DELETED_BY_ID == []  # not one by one: CloudFormation deleted it with the stack
    assert stacks(aws) == {lee}
    left = aws.client("ec2").describe_key_pairs()["KeyPairs"]
    assert [k["KeyName"] for k in left] == ["week5-lee-Day1Lab1-SshKey"]
