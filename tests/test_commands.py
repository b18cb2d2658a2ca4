"""The AWS CLI lines the labs print as outputs (``week5/constructs/commands.py``), on their own:
each line's exact text, what a shell hands the CLI, and the commands they refuse. A review found
each of these built by hand twice, in Day 2, 3 and 4's stacks (two with the arguments in another
order); the labs' snapshot tests pin that the stacks print the same lines through them."""

from __future__ import annotations

import shlex

import pytest
from aws_cli_on_moto import shorthand

import week5.constructs
from week5.constructs.commands import (
    asg_run_command,
    failover_command,
    first_instance_of,
    interactive_command,
)
from week5.core.errors import CourseInputError

REGION = "ap-northeast-2"
GROUP = "week5-kim-Day4Lab1-WebAsg"
LOOKUP = (
    "$(aws autoscaling describe-auto-scaling-groups --region ap-northeast-2 "
    "--auto-scaling-group-names week5-kim-Day4Lab1-WebAsg "
    "--query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService`].InstanceId | [0]' "
    "--output text)"
)


def test_first_instance_of_is_a_lookup_of_the_groups_first_instance():
    assert first_instance_of(GROUP, region=REGION) == LOOKUP


def test_first_instance_of_skips_an_instance_no_session_reaches():
    """After a scale-in or during a replacement the group still lists the instance it is
    terminating, first perhaps (trial R16-B: ShopStatusCommand opened a session to it)."""
    import shlex

    import jmespath

    words = shlex.split(first_instance_of(GROUP, region=REGION)[2:-1])
    query = words[words.index("--query") + 1]
    answer = {"AutoScalingGroups": [{"Instances": [
        {"InstanceId": "i-0going", "LifecycleState": "Terminating"},
        {"InstanceId": "i-0new", "LifecycleState": "Pending"},
        {"InstanceId": "i-0serving", "LifecycleState": "InService"},
    ]}]}  # fmt: skip
    assert jmespath.search(query, answer) == "i-0serving"


def test_interactive_command_puts_the_target_after_the_region():
    assert interactive_command(
        "sudo /usr/local/bin/lab-app", target="i-0123456789abcdef0", region=REGION
    ) == (
        "aws ssm start-session --region ap-northeast-2 --target i-0123456789abcdef0 "
        "--document-name AWS-StartInteractiveCommand "
        "--parameters \"command='sudo /usr/local/bin/lab-app'\""
    )


def test_interactive_command_takes_a_lookup_as_its_target():
    line = interactive_command(
        "sudo /usr/local/bin/lab-shop-status",
        target=first_instance_of(GROUP, region=REGION),
        region=REGION,
    )
    assert line == (
        f"aws ssm start-session --region ap-northeast-2 --target {LOOKUP} "
        "--document-name AWS-StartInteractiveCommand "
        "--parameters \"command='sudo /usr/local/bin/lab-shop-status'\""
    )


def test_interactive_commands_parameters_reach_the_cli_as_shorthand():
    """The command in the shorthand's single quotes: no double quote for Windows PowerShell 5.1
    to strip on the way to the CLI (tests/test_outputs_powershell.py)."""
    words = shlex.split(interactive_command("sudo lab-app", target="i-1", region=REGION))
    parameters = words[words.index("--parameters") + 1]
    assert shorthand(parameters) == {"command": "sudo lab-app"}
    assert '"' not in parameters


def test_asg_run_command_targets_the_group_by_its_tag():
    assert asg_run_command(
        ["dnf install -y stress-ng", "stress-ng --cpu 0 --timeout 600s"],
        group=GROUP,
        region=REGION,
    ) == (
        "aws ssm send-command --region ap-northeast-2 --document-name AWS-RunShellScript "
        "--targets 'Key=tag:aws:autoscaling:groupName,Values=week5-kim-Day4Lab1-WebAsg' "
        "--parameters \"commands=['dnf install -y stress-ng',"
        "'stress-ng --cpu 0 --timeout 600s']\""
    )


def test_asg_run_command_can_print_only_the_command_id():
    assert asg_run_command(
        ["rm -rf /mnt/efs/prestashop/install"], group=GROUP, region=REGION, command_id_only=True
    ) == (
        "aws ssm send-command --region ap-northeast-2 --document-name AWS-RunShellScript "
        "--targets 'Key=tag:aws:autoscaling:groupName,Values=week5-kim-Day4Lab1-WebAsg' "
        "--parameters \"commands=['rm -rf /mnt/efs/prestashop/install']\" "
        "--query Command.CommandId --output text"
    )


def test_asg_run_commands_list_reaches_the_cli_in_one_word():
    """The shell hands the CLI one --parameters word, its commands a shorthand list."""
    words = shlex.split(asg_run_command(["uptime", "df -h /"], group=GROUP, region=REGION))
    parameters = words[words.index("--parameters") + 1]
    assert shorthand(parameters) == {"commands": ["uptime", "df -h /"]}
    assert '"' not in parameters


@pytest.mark.parametrize("command", ["echo $HOME", "echo `id`", "echo hi!", "x $(id)"])
def test_a_command_the_students_shell_would_expand_is_refused(command):
    """The line holds the commands in double quotes: bash, zsh and PowerShell would expand
    these on the student's machine; a deploy-time token is no expansion."""
    for call in (
        lambda: interactive_command(command, target="i-1", region=REGION),
        lambda: asg_run_command(["uptime", command], group=GROUP, region=REGION),
    ):
        with pytest.raises(CourseInputError, match=r"holds \$, ` or !, which bash, zsh and "):
            call()
    assert "${Token[TOKEN.1]}" in asg_run_command(
        ["curl https://${Token[TOKEN.1]}/x"], group=GROUP, region=REGION
    )


@pytest.mark.parametrize("quote", ["\u201c", "\u201d", "\u201e", "\u2018", "\u2019", "\u201a",
                                   "\u201b"])  # fmt: skip
def test_a_typographic_quote_is_refused_as_a_quote(quote):
    """Windows PowerShell reads “ ” „ as " and ‘ ’ ‚ ‛ as ': one pasted from a document ended
    the line's quoted word early there (review D16)."""
    for call in (
        lambda: interactive_command(f"echo {quote}hi{quote}", target="i-1", region=REGION),
        lambda: asg_run_command([f"echo {quote}hi"], group=GROUP, region=REGION),
    ):
        with pytest.raises(CourseInputError, match="holds a quote or a backslash"):
            call()


def test_failover_command_puts_the_flag_last():
    assert failover_command("week5-kim-day3case-db", region=REGION) == (
        "aws rds reboot-db-instance --region ap-northeast-2 "
        "--db-instance-identifier week5-kim-day3case-db --force-failover"
    )


@pytest.mark.parametrize(
    "call, says",
    [
        (
            lambda: interactive_command("echo 'hi'", target="i-1", region=REGION),
            r"interactive_command: command=\"echo 'hi'\" holds a quote or a backslash",
        ),
        (
            lambda: interactive_command('echo "hi"', target="i-1", region=REGION),
            "holds a quote or a backslash",
        ),
        (
            lambda: interactive_command("echo a\\ b", target="i-1", region=REGION),
            "holds a quote or a backslash",
        ),
        (
            lambda: interactive_command("  ", target="i-1", region=REGION),
            "interactive_command: command is empty",
        ),
        (
            lambda: asg_run_command("uptime", group=GROUP, region=REGION),
            r"asg_run_command: commands='uptime' must be a list of commands",
        ),
        (lambda: asg_run_command([], group=GROUP, region=REGION), "commands is empty"),
        (
            lambda: asg_run_command(["uptime", "echo 'x'"], group=GROUP, region=REGION),
            "asg_run_command: commands has \"echo 'x'\", which holds a quote or a backslash",
        ),
        (
            lambda: asg_run_command(["uptime", ""], group=GROUP, region=REGION),
            "asg_run_command: commands has an empty command",
        ),
        (
            lambda: asg_run_command([42], group=GROUP, region=REGION),
            "asg_run_command: commands has 42, which is not a string",
        ),
    ],
)
def test_a_command_the_line_cannot_quote_is_refused(call, says):
    with pytest.raises(CourseInputError, match=says):
        call()


def test_week5_constructs_exports_them():
    for name in ("asg_run_command", "failover_command", "first_instance_of", "interactive_command"):
        assert name in week5.constructs.__all__
    assert week5.constructs.interactive_command is interactive_command


@pytest.mark.parametrize("call, says", [
    (lambda: interactive_command("echo a\nb", target="i-1", region=REGION),
     "holds a line break or another control character"),
    (lambda: first_instance_of("", region=REGION), "first_instance_of: group is empty"),
    (lambda: first_instance_of(GROUP, region=" "), "first_instance_of: region is empty"),
    (lambda: failover_command("", region=REGION), "failover_command: db_instance_id is empty"),
])  # fmt: skip
def test_a_line_break_or_an_empty_name_is_refused(call, says):
    """A review: a line break split the --parameters JSON; an empty name left the option
    empty, a line that does nothing."""
    with pytest.raises(CourseInputError, match=says):
        call()
