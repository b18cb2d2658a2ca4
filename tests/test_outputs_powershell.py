"""Every lab output's command, read the way Windows PowerShell reads it.

docs/시작하기.md lets students run the labs in PowerShell as well as bash. PowerShell turns an
unquoted argument with a comma into an array and hands the AWS CLI its parts, so shorthand such
as ``--tags Key=Week,Value=Week5`` arrives broken (the AWS CLI user guide, "Using quotation
marks with strings in the AWS CLI": quote shorthand in PowerShell). Windows PowerShell 5.1
refuses ``&&`` and ``||``. Single quotes work the same in both shells, so every output keeps a
comma inside quotes (or inside a ``$(...)`` that bash runs) and chains nothing with ``&&``.

Windows PowerShell 5.1 also hands a native program an argument's double quotes unescaped, so
``--parameters '{"command":["sudo lab-app"]}'`` reaches the AWS CLI as broken JSON: no word an
output hands a program holds a double quote (a cmdlet, ``Verb-Noun``, takes one as it is). And
a bash loop, ``$var``, ``VAR=...`` or a tool Windows lacks or names otherwise (``curl`` is
Invoke-WebRequest in 5.1, ``python3`` is ``py``) fails there or does something else: an output
with any of them has a PowerShell twin (``KeyCommand`` beside ``KeyCommandPowerShell``) or says
in its description that it is for bash.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import List

import pytest
from lab_outputs import outputs

from stacks.catalog import CATALOG
from week5.constructs.commands import asg_run_command, health_watch_command, interactive_command


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


@dataclass
class Word:
    """One word of a line: as written, as bash hands it on (quotes taken off), the expansions
    bash makes in it (``$name``, ``${...}``, ``$(first-word``), and whether it has a backquote."""

    raw: str = ""
    value: str = ""
    expansions: List[str] = field(default_factory=list)
    backquote: bool = False


def _closing_paren(text: str, at: int) -> int:
    """The index of the ``)`` that closes the ``(`` at ``at``, quotes skipped."""
    depth, quote = 0, ""
    for i in range(at, len(text)):
        c = text[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    raise AssertionError(f"unclosed $( in {text!r}")


_VARIABLE = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9#?@*!$-])")


def shell_commands(line: str) -> List[List[Word]]:
    """The simple commands of a line as bash reads it, each a list of words: split on ``;``,
    ``|``, ``&`` (and ``&&``, ``||``), a line break, and a ``{`` or ``}`` word (a group in bash,
    a script block in PowerShell); a ``$(...)``'s commands are commands of the line too."""
    done: List[List[Word]] = []  # the commands ended so far
    current: List[Word] = []  # the command being read
    substituted: List[List[Word]] = []  # the commands of each $(...)
    word: Word = Word()
    started = False
    quote = ""

    def end_word() -> None:
        nonlocal word, started
        if started:
            if word.raw in ("{", "}"):
                end_command()
            else:
                current.append(word)
        word, started = Word(), False

    def end_command() -> None:
        nonlocal current
        done.append(current)
        current = []

    i = 0
    while i < len(line):
        c = line[i]
        if quote == "'":  # nothing is special until the closing quote
            quote = "" if c == "'" else quote
            word.raw += c
            word.value += "" if c == "'" else c
            i += 1
            continue
        if c == "\\" and i + 1 < len(line):
            escaped = line[i + 1]
            if quote and escaped not in '$`"\\':  # in double quotes a backslash stays
                word.value += c
                word.raw += c
                i += 1
                continue
            word.raw += c + escaped
            word.value += escaped
            started = True
            i += 2
            continue
        if line.startswith("$(", i):
            end = _closing_paren(line, i + 1)
            inner = shell_commands(line[i + 2 : end])
            substituted.extend(inner)
            first = inner[0][0].value if inner and inner[0] else ""
            word.expansions.append(f"$({first}")
            word.raw += line[i : end + 1]
            word.value += "$(...)"  # its output, which its own words are checked for
            started = True
            i = end + 1
            continue
        variable = _VARIABLE.match(line, i)
        if variable:
            word.expansions.append(variable.group())
            word.raw += variable.group()
            word.value += variable.group()
            started = True
            i = variable.end()
            continue
        if c == "`":
            word.backquote = True
        if quote == '"':
            quote = "" if c == '"' else quote
            word.raw += c
            word.value += "" if c == '"' else c
            i += 1
            continue
        if c in "'\"":
            quote = c
            word.raw += c
            started = True
        elif c.isspace() and c != "\n":
            end_word()
        elif c in ";|&\n":
            end_word()
            end_command()
        elif c in "<>":  # a redirection: its own word, the target the next
            end_word()
            current.append(Word(c, c))
        else:
            word.raw += c
            word.value += c
            started = True
        i += 1
    end_word()
    end_command()
    return [command for command in done + substituted if command]


#: A PowerShell cmdlet's name (Verb-Noun): it takes a string's double quotes as they are.
_CMDLET = re.compile(r"[A-Z][a-z]+-[A-Z][A-Za-z]+")


def native_quote_problems(command: str) -> List[str]:
    """The words that would reach a program (not a cmdlet) with a double quote in them: Windows
    PowerShell 5.1 hands them on unescaped, and the program's own parser takes the quotes off
    (``'{"command":["x"]}'`` reaches the AWS CLI as ``{command:[x]}``)."""
    return [
        word.raw
        for words in shell_commands(command)
        if not _CMDLET.fullmatch(words[0].value)
        for word in words
        if '"' in word.value
    ]


#: bash's compound-command words: PowerShell has no ``do``/``done``, and its ``for``, ``while``
#: and ``if`` take parentheses.
BASH_KEYWORDS = frozenset(
    "for while until do done if then elif else fi case esac select function".split()
)
#: Commands that Windows PowerShell 5.1 lacks or runs as something else: ``curl`` is an alias of
#: Invoke-WebRequest, ``rm`` of Remove-Item, ``date`` runs Get-Date; Windows' Python is ``py``.
BASH_TOOLS = frozenset(
    "curl python3 grep seq head tail xargs yes date chmod rm export source sed awk wget".split()
)
#: The words of :data:`BASH_KEYWORDS` a command follows (``do curl ...``); ``for`` and ``case``
#: take a name.
_BEFORE_A_COMMAND = frozenset("while until do if then elif else".split())
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def bash_only_problems(command: str) -> List[str]:
    """What a line has that only bash (and zsh) read as it means: a compound command's word or
    an assignment where a command goes, a command from :data:`BASH_TOOLS`, an expansion other
    than ``$(aws ...)`` (PowerShell runs that one the same), a backquote (PowerShell's escape)."""
    problems: List[str] = []
    for words in shell_commands(command):
        at = 0  # where the command's name is: after `do`, `then`, `while` ...
        while at < len(words) and words[at].value in BASH_KEYWORDS:
            problems.append(words[at].value)
            at = at + 1 if words[at].value in _BEFORE_A_COMMAND else len(words)
        if at < len(words) and words[at].value in BASH_TOOLS:
            problems.append(words[at].value)
        elif at < len(words) and _ASSIGNMENT.match(words[at].raw):
            problems.append(words[at].raw)
        for word in words:
            problems += [found for found in word.expansions if found != "$(aws"]
            problems += ["`"] if word.backquote else []
    return problems


#: A placeholder for a deploy-time value (``<SiteBucket978D4AEB.WebsiteURL>``): its deployed
#: value is one plain word (a name, an id, an ARN, a URL).
_PLACEHOLDER = re.compile(r"<[^<>\s]+>")


def deployed(text: str) -> str:
    """An output's rendered text with each placeholder as a plain word, as deployed."""
    return _PLACEHOLDER.sub("X", text)


def says_bash(description: str) -> bool:
    return "bash" in description


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


@pytest.mark.parametrize(
    "command, problems",
    [
        ("""aws ssm start-session --parameters '{"command":["sudo x"]}'""",
         ["""'{"command":["sudo x"]}'"""]),
        ("""aws ssm send-command --parameters 'commands=["a b","c"]'""",
         ["""'commands=["a b","c"]'"""]),
        ('aws ssm send-command --parameters "commands=[\'a b\',\'c\']"', []),
        ("""curl -d '{"a":1}' http://h/""", ["""'{"a":1}'"""]),
        ("""aws x --tags "Key=a,Value=b" \\"y""", ['\\"y']),
        ("""Invoke-RestMethod -Body '{"a":1}' -Uri http://h/ | ConvertTo-Json""", []),
        ('icacls k /grant:r "${env:USERNAME}:(R)"', []),
        ("""X=$(aws x --query '[?a=="b"]'); echo ok""", ["""'[?a=="b"]'"""]),
        ("""ssh -o ProxyCommand="ssh -o 'ProxyCommand=aws x' h" u@h""", []),
    ],
)  # fmt: skip
def test_the_reader_finds_double_quotes_powershell_51_strips(command, problems):
    assert native_quote_problems(command) == problems


@pytest.mark.parametrize(
    "command, problems",
    [
        ("for i in 1 2; do curl -sI https://d/ | grep x; done",
         ["for", "do", "curl", "grep", "done"]),
        ("while true; do date +%T; sleep 5; done", ["while", "do", "date", "done"]),
        ('curl -s "http://h/compare/$id?n=20"', ["curl", "$id"]),
        ("X=1 aws s3 ls", ["X=1"]),
        ("aws x --instance-id $(aws y --output text)", []),
        ("aws x --instance-id $(seq 3)", ["$(seq", "seq"]),
        ('aws ssm send-command --parameters "commands=[\'echo $HOME\']"', ["$HOME"]),
        ("""aws ssm send-command --parameters 'commands=["for i in $(seq 3); do x; done"]'""",
         []),
        ("python3 scripts/cdk.py deploy Day2Lab1", ["python3"]),
        ("py scripts\\cdk.py deploy Day2Lab1", []),
        ("aws rds wait x; aws rds describe-db-instances --query 'a[0]'", []),
        ("sudo env DB_HOST=h docker compose run --rm report", []),
        ("echo `id`", ["`"]),
        ("aws s3 cp photo.jpg s3://b/media/photo.jpg", []),
    ],
)  # fmt: skip
def test_the_reader_finds_what_only_bash_reads(command, problems):
    assert bash_only_problems(command) == problems


#: The outputs for bash with a Windows PowerShell twin (``<key>PowerShell``).
TWINNED = {
    "KeyCommand", "RestoreHint", "CacheCheckCommand", "PerformanceTestCommand",
    "ReadyCommand", "BalanceExample", "TransferExample", "FailoverWatchCommand",
}  # fmt: skip


def test_every_lab_output_reads_the_same_in_powershell(app):
    """No lab output has an unquoted comma or ``&&``/``||`` that PowerShell would break, or a
    double quote in a word it hands a program (Windows PowerShell 5.1 strips it).

    An output with a PowerShell twin (``KeyCommand`` beside ``KeyCommandPowerShell``) is for
    Linux and macOS only; its twin is checked.
    """
    assert set(app.templates) == {lab.lab_id for lab in CATALOG}
    found = {}
    for lab_id, template in app.templates.items():
        texts = outputs(template)
        for key, text in texts.items():
            problems = powershell_problems(text) + native_quote_problems(deployed(text))
            if problems and f"{key}PowerShell" not in texts:
                found[f"{lab_id}.{key}"] = problems
    assert found == {}


def test_every_bash_only_output_has_a_powershell_twin_or_says_bash(app):
    """A loop, a ``$var`` or a tool that Windows PowerShell lacks: the student on Windows gets a
    twin to paste, or the description says the line is bash's (CloudShell, macOS/Linux, WSL)
    and, for a course step, what to do instead."""
    found = {}
    for lab_id, template in app.templates.items():
        texts = outputs(template)
        for key, text in texts.items():
            described = template["Outputs"][key].get("Description", "")
            problems = bash_only_problems(deployed(text))
            twinned = f"{key}PowerShell" in texts or key.endswith("PowerShell")
            if problems and not twinned and not says_bash(described):
                found[f"{lab_id}.{key}"] = problems
    assert found == {}


def test_the_linux_only_outputs_have_a_powershell_twin_that_reads_the_same(app):
    """The exemptions above cover :data:`TWINNED` only, their twins are clean, and a twin a
    description names is there."""
    twins = {
        f"{lab_id}.{key}": powershell_problems(texts[f"{key}PowerShell"])
        + native_quote_problems(deployed(texts[f"{key}PowerShell"]))
        for lab_id, template in app.templates.items()
        for texts in [outputs(template)]
        for key in texts
        if f"{key}PowerShell" in texts
    }
    assert {name.split(".")[1] for name in twins} == TWINNED
    assert all(problems == [] for problems in twins.values()), twins
    named = {
        (lab_id, found)
        for lab_id, template in app.templates.items()
        for o in template["Outputs"].values()
        for found in re.findall(r"\b(\w+PowerShell)\b", o.get("Description", ""))
    }
    assert {(lab_id, key) for lab_id, key in named if key not in app.templates[lab_id][
        "Outputs"]} == set()  # fmt: skip


@pytest.mark.parametrize("group", ["week5-kim-Day4Lab1-WebAsg", "Web Tier", "${Token[TOKEN.123]}"])
def test_asg_run_command_quotes_its_targets_for_both_shells(group):
    """The builder's ``--targets`` shorthand is one quoted word: bash reads the same value."""
    line = asg_run_command(["uptime"], group=group, region="ap-northeast-2")
    assert powershell_problems(line) == []
    words = shlex.split(line)
    targets = words[words.index("--targets") + 1]
    assert targets == f"Key=tag:aws:autoscaling:groupName,Values={group}"


@pytest.mark.parametrize("commands", [["uptime"], ["dnf install -y x", "x --a=1,b=2 | y & z"]])
def test_the_run_command_builders_hand_the_cli_no_double_quote(commands):
    """The commands go in the shorthand's single quotes, in one double-quoted word: the same
    in bash and PowerShell, nothing either expands."""
    lines = [
        asg_run_command(commands, group="g", region="ap-northeast-2"),
        interactive_command(commands[-1], target="i-1", region="ap-northeast-2"),
    ]
    for line in lines:
        assert powershell_problems(line) == []
        assert native_quote_problems(line) == []
        assert bash_only_problems(line) == []


@pytest.mark.parametrize("url", ["https://d.test/api/health/deep", "http://h/x?a=1,b=2&c='d'",
                                 "http://h/x?q=\u2018d\u2019"])  # fmt: skip
def test_the_watch_loops_powershell_twin_reads_as_one_word_a_url(url):
    """A URL with a comma or a quote is one single-quoted PowerShell word (a quote doubled)."""
    line = health_watch_command(url, target_group_arn="arn", region="ap-northeast-2",
                                powershell=True)  # fmt: skip
    assert powershell_problems(line) == [] and native_quote_problems(line) == []
    (curl,) = [words for words in shell_commands(line) if words[0].value == "curl.exe"]
    assert len(curl) == 5  # curl.exe -s --max-time 5 URL
    written = curl[4].raw
    doubled = url
    for quote in ("'", "\u2018", "\u2019"):  # PowerShell ends a single-quoted word at each
        doubled = doubled.replace(quote, quote * 2)
    assert written == url or written == f"'{doubled}'"
    assert "; ''; " in line  # the bash loop's echo: curl's answer ends in no newline
