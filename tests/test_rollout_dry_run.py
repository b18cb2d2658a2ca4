"""`week5 rollout --dry-run` exits as the run would: a trial's dry run printed "The rollout
refuses this: ..." and then "Would create stack set other... Would roll other out", exit 0, for a
rollout the run refused (exit 2), so a script could not use the dry run as the check. And
`quotas --students kim --students lee` said "given twice" without the values, as typed.
On moto, in-process, with test_rollout's fixtures (the app built in-process, no CDK CLI)."""

from __future__ import annotations

import pytest
from test_rollout import (  # fixtures and helpers only: its tests are collected there
    WITH_ID,
    WITH_MFA,
    cloud,  # noqa: F401 (a fixture)
    context_args,
    templates,  # noqa: F401 (a fixture, that cloud uses)
    week5,
)

from week5.cli import main

STUDENT = "222233334444"
HAS_IT = (
    f"{STUDENT} already has the role from stack set week5-instructor-access in ap-northeast-2, "
    "and IAM is global (one role per account): leave out "
)


def stack_sets(cf):
    return sorted(
        (s["StackSetName"], s["Status"]) for s in cf.list_stack_sets()["Summaries"]
        if s["Status"] != "DELETED"
    )  # fmt: skip


@pytest.mark.parametrize(
    "first, then, line",
    [
        # The trial: another --name for an account that has the role.
        (WITH_MFA, [*context_args(WITH_MFA), "--name", "other"],
         HAS_IT + "--name other to roll out from week5-instructor-access in ap-northeast-2"),
        (WITH_MFA, [*context_args(WITH_MFA), "--region", "us-east-1"],
         HAS_IT + "--region us-east-1 to roll out from ap-northeast-2"),
        # A trust change (MFA to an external id) without --change-trust.
        (WITH_MFA, context_args(WITH_ID),
         "stack set week5-instructor-access not updated: with these values the role's trust "
         "changes from an MFA sign-in to the external id 'week5-fall', so the MFA profiles and "
         "switch-role links, which send no external id, stop working, in the 1 account(s) that "
         f"have it ({STUDENT}); to keep it, pass no -c external_id, or pass --change-trust to "
         "change it in every one of them"),
    ],
    ids=["another name", "another region", "a trust change"],
)  # fmt: skip
def test_a_dry_run_refuses_what_the_run_refuses_one_line_and_exit_2(
    cloud, capsys, first, then, line  # noqa: F811
):
    code, _, err = week5(capsys, "--accounts", STUDENT, *context_args(first))
    assert code == 0, err
    before = stack_sets(cloud)

    code, out, err = week5(capsys, "--accounts", STUDENT, *then, "--dry-run")
    assert (code, out) == (2, ""), (out, err)
    assert err.splitlines()[-1] == f"week5: the rollout refuses this: {line}"
    assert "Would" not in out + err  # no "Would create", no "Would roll out"

    code, out, err = week5(capsys, "--accounts", STUDENT, *then)  # the run: the same refusal
    assert (code, out, err.splitlines()[-1]) == (2, "", f"week5: {line}")
    assert stack_sets(cloud) == before


def test_a_dry_run_the_run_takes_exits_0_and_says_what_it_would_do(cloud, capsys):  # noqa: F811
    week5(capsys, "--accounts", STUDENT, *context_args(WITH_MFA))
    code, out, err = week5(capsys, "--accounts", f"{STUDENT},555566667777",
                           *context_args(WITH_ID), "--change-trust", "--dry-run")  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Would update stack set week5-instructor-access in ap-northeast-2")
    assert lines[1].startswith("With --change-trust the rollout makes this change")
    assert lines[2] == (
        "Would roll week5-instructor-access out to 1 account(s): 555566667777 (1 named had it "
        "already)"
    )
    code, out, err = week5(capsys, "--accounts", f"{STUDENT},555566667777",
                           *context_args(WITH_ID), "--change-trust")  # fmt: skip
    assert code == 0 and "updated; added 1 account(s), 1 had it already" in out, err


# --- an option given twice: its values as typed -----------------------------------------


@pytest.mark.parametrize(
    "given, says",
    [
        # Converted to a tuple of names (or #1, #2, #3): the text typed is quoted.
        (["kim", "lee"], "('kim', then 'lee')"),
        (["3", "kim,lee"], "('3', then 'kim,lee')"),
    ],
)  # fmt: skip
def test_quotas_students_given_twice_quotes_both_values_as_typed(
    given, says, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["quotas", "--students", given[0], "--students", given[1]])
    out, err = capsys.readouterr()
    assert stopped.value.code == 2 and out == ""
    assert err == (
        f"week5: quotas: --students given twice {says}: pass it once (see `week5 quotas "
        "--help`)\n"
    )
