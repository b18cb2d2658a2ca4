"""Every lab output's command, read the way Windows PowerShell reads it.

docs/시작하기.md lets students run the labs in PowerShell as well as bash. PowerShell turns an
unquoted argument with a comma into an array and hands the AWS CLI its parts, so shorthand such
as ``--tags Key=Week,Value=Week5`` arrives broken (the AWS CLI user guide, "Using quotation
marks with strings in the AWS CLI": quote shorthand in PowerShell). Windows PowerShell 5.1
refuses ``&&`` and ``||``. Single quotes work the same in both shells, so every output keeps a
comma inside quotes (or inside a ``$(...)`` that bash runs) and chains nothing with ``&&``.
"""

from __future__ import annotations

import shlex
from typing import List

import pytest
from lab_outputs import outputs

from stacks.catalog import CATALOG
from week5.constructs.commands import asg_run_command


def powershell_problems(command: str) -> List[str]:
    """The parts of a command PowerShell would split or refuse; empty when it reads it as bash does.

    Tracks single and double quotes and ``$(...)`` (commas in those are a string's or a
    subshell's), splits words on unquoted whitespace and reports each word that has a bare comma,
    and each ``&&`` or ``||`` outside quotes.
    """
    problems: List[str] = []
    quote = ""  # the quote character we are inside, if any
    depth = 0  # how many $( ... ) we are inside
    word, bare_comma = "", False
    i = 0
    while i < len(command):
        c = command[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif command.startswith("$(", i):
            depth += 1
            word += "$("
            i += 2
            continue
        elif c == ")" and depth:
            depth -= 1
        elif depth == 0 and command.startswith(("&&", "||"), i):
            problems.append(command[i : i + 2])
        elif depth == 0 and c == ",":
            bare_comma = True
        elif depth == 0 and c.isspace():
            if bare_comma:
                problems.append(word)
            word, bare_comma = "", False
            i += 1
            continue
        word += c
        i += 1
    if bare_comma:
        problems.append(word)
    return problems


@pytest.mark.parametrize(
    "command, problems",
    [
        ("aws ec2 create-tags --tags Key=Week,Value=Week5", ["Key=Week,Value=Week5"]),
        ("aws ec2 create-tags --tags 'Key=Week,Value=Week5'", []),
        ('aws ec2 create-tags --tags "Key=Week,Value=Week5"', []),
        ("X=$(aws ec2 x --filters Name=a,Values=b); echo $X", []),
        ("aws a && aws b || aws c", ["&&", "||"]),
        ("echo '&& || a,b'", []),
        ("aws x --query 'a[*].[b,c]' --filters Name=d,Values=e", ["Name=d,Values=e"]),
    ],
)
def test_the_reader_finds_what_powershell_splits(command, problems):
    assert powershell_problems(command) == problems


def test_every_lab_output_reads_the_same_in_powershell(app):
    """No lab output has an unquoted comma or ``&&``/``||`` that PowerShell would break.

    An output with a PowerShell twin (``KeyCommand`` beside ``KeyCommandPowerShell``) is for
    Linux and macOS only; its twin is checked.
    """
    assert set(app.templates) == {lab.lab_id for lab in CATALOG}
    found = {}
    for lab_id, template in app.templates.items():
        texts = outputs(template)
        for key, text in texts.items():
            problems = powershell_problems(text)
            if problems and f"{key}PowerShell" not in texts:
                found[f"{lab_id}.{key}"] = problems
    assert found == {}


def test_the_linux_only_outputs_have_a_powershell_twin_that_reads_the_same(app):
    """The exemption above covers the key commands only, and their twins are clean."""
    twins = {
        f"{lab_id}.{key}": powershell_problems(texts[f"{key}PowerShell"])
        for lab_id, template in app.templates.items()
        for texts in [outputs(template)]
        for key in texts
        if f"{key}PowerShell" in texts
    }
    assert {name.split(".")[1] for name in twins} == {"KeyCommand"}
    assert all(problems == [] for problems in twins.values()), twins


@pytest.mark.parametrize("group", ["week5-kim-Day4Lab1-WebAsg", "Web Tier", "${Token[TOKEN.123]}"])
def test_asg_run_command_quotes_its_targets_for_both_shells(group):
    """The builder's ``--targets`` shorthand is one quoted word: bash reads the same value."""
    line = asg_run_command(["uptime"], group=group, region="ap-northeast-2")
    assert powershell_problems(line) == []
    words = shlex.split(line)
    targets = words[words.index("--targets") + 1]
    assert targets == f"Key=tag:aws:autoscaling:groupName,Values={group}"
