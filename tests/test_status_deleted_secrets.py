"""A Secrets Manager secret scheduled for deletion (`week5 cleanup --apply` deletes secrets so,
restorable for 7 days) is not "in no stack" for `week5 status`: the tagging API still lists it
(moto's, and AWS's), but it neither bills nor is cleanup's to find (an instructor trial: status
said `week5 cleanup --day Day3` removes it, and cleanup answered "Nothing tagged for this
day"). A live tagged secret still is listed, and one whose read is denied stays listed. On
in-process moto."""

import json

import pytest
from botocore.exceptions import ClientError
from shared_botocore import Clients, course_tags, moto_account

from week5.cli import main
from week5.operations import status

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def secrets():
    """Two secrets tagged for kim's Day 3, the second deleted with a recovery window (as
    cleanup deletes it): (the live one's ARN, the deleted one's)."""
    manager = CLIENTS.client("secretsmanager")
    live, deleted = (
        manager.create_secret(Name=name, SecretString="x", Tags=course_tags("Day3"))["ARN"]
        for name in ("week5-kim-day3-live", "week5-kim-day3-deleted")
    )
    manager.delete_secret(SecretId=deleted, RecoveryWindowInDays=7)
    assert manager.describe_secret(SecretId=deleted).get("DeletedDate")
    # As AWS lists them: the tagging API still has the deleted one.
    listed = {m["ResourceARN"] for m in status.tagged_resources(CLIENTS.client(
        "resourcegroupstaggingapi"))}  # fmt: skip
    assert {live, deleted} <= listed, listed
    return live, deleted


class Counted:
    """A client that counts the calls made through it, by name."""

    def __init__(self, client, calls, deny=False):
        self.client, self.calls, self.deny = client, calls, deny

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return attribute(*args, **kwargs)

        return call

    def get_paginator(self, name):
        self.calls.append(("get_paginator", (name,), {}))
        paginator = self.client.get_paginator(name)
        deny, calls = self.deny, self.calls

        class Paginator:
            def paginate(self, **kwargs):
                calls.append(("paginate", (name,), kwargs))
                if deny:
                    raise ClientError(
                        {"Error": {"Code": "AccessDeniedException", "Message": "denied"}},
                        "ListSecrets",
                    )
                return paginator.paginate(**kwargs)

        return Paginator()


def counted_clients(calls, deny=False):
    def make(service, **kwargs):
        client = CLIENTS.client(service, **kwargs)
        return Counted(client, calls, deny) if service == "secretsmanager" else client

    return make


@pytest.mark.parametrize("student", [None, "kim"])
def test_a_secret_scheduled_for_deletion_is_not_left_behind(aws, student):
    live, deleted = secrets()
    calls = []
    report = status.read_status(counted_clients(calls), REGION, student)
    assert [u.arn for u in report.untracked] == [live]
    # One ListSecrets pass, with the secrets scheduled for deletion, not a call per secret.
    assert [c[0] for c in calls] == ["get_paginator", "paginate"], calls
    assert calls[1][2] == {"IncludePlannedDeletion": True}


def test_a_secret_whose_read_is_denied_stays_listed(aws):
    """Never hide what was not checked."""
    live, deleted = secrets()
    calls = []
    report = status.read_status(counted_clients(calls, deny=True), REGION, None)
    assert [u.arn for u in report.untracked] == sorted([live, deleted])
    assert ("paginate", ("list_secrets",), {"IncludePlannedDeletion": True}) in calls


def test_every_page_of_list_secrets_is_read():
    arn = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:{}".format
    pages = [
        {"SecretList": [{"ARN": arn("a-1"), "DeletedDate": "x"}, {"ARN": arn("b-1")}]},
        {"SecretList": [{"ARN": arn("c-1"), "DeletedDate": "x"}, {"ARN": arn("z-1"),
                                                                   "DeletedDate": "x"}]},
    ]  # fmt: skip

    class Pages:
        def get_paginator(self, _name):
            return self

        def paginate(self, **kwargs):
            assert kwargs == {"IncludePlannedDeletion": True}
            return iter(pages)

    asked = [arn("a-1"), arn("b-1"), arn("c-1"), "arn:aws:ec2:ap-northeast-2:1:vpc/vpc-1"]
    assert status.deleted_secrets(Pages(), asked) == {arn("a-1"), arn("c-1")}


def test_status_after_cleanup_apply_lists_no_deleted_secret(aws, capsys):
    """The trial, end to end: cleanup deletes the Day 3 secret; status --all (table and JSON)
    lists only the live secret of another day, and cleanup finds nothing more for Day 3."""
    manager = CLIENTS.client("secretsmanager")
    day3 = manager.create_secret(Name="week5-kim-day3-db", SecretString="x",
                                 Tags=course_tags("Day3"))["ARN"]  # fmt: skip
    day4 = manager.create_secret(Name="week5-kim-day4-key", SecretString="x",
                                 Tags=course_tags("Day4"))["ARN"]  # fmt: skip
    code = main(["cleanup", "--day", "Day3", "--student", "kim", "--apply"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert manager.describe_secret(SecretId=day3).get("DeletedDate"), out + err

    assert main(["status", "--all", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [u["arn"] for u in report["untracked"]] == [day4]

    assert main(["status", "--all"]) == 0
    out = capsys.readouterr().out
    assert "Tagged Week=Week5 but in no stack (1)" in out, out
    assert day4 in out and day3 not in out, out

    assert main(["cleanup", "--day", "Day3", "--student", "kim"]) == 0
    assert "Nothing tagged for Day3/kim in this region." in capsys.readouterr().out
