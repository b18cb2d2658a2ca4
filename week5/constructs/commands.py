"""The AWS CLI command lines the labs print as stack outputs, built in one place: a Session
Manager session that runs one command, Run Command on every instance of an Auto Scaling group,
the first instance of a group, and the failure tests and what to watch them with: an RDS
Multi-AZ failover and the database's AZs, an ElastiCache failover, an instance of a group
terminated, a group's scaling activities, a load of requests on one URL, and a loop that shows
a health URL and a target group's targets.

Each function returns the line as a string. A deploy-time value (an Auto Scaling group's name,
an instance's id, a database's identifier) goes in as the token it is, and CloudFormation
completes the line at deploy. The region is an argument, not read from a stack, so a line can be
built (and tested) without one. Session Manager's plain shell and the SSH lines are in
``week5/constructs/ssh.py``.

A line is pasted into a shell: a literal name or URL goes in as one shell word
(:func:`shlex.quote`), and one AWS would not take (a region, an RDS or ElastiCache id, an Auto
Scaling group name over 255 characters) is refused with the function and the argument named.
"""

from __future__ import annotations

import re
import shlex
from typing import Optional, Pattern, Sequence

from week5.constructs.props import require_str, require_strings, shown
from week5.core.errors import CourseInputError

#: Session Manager's document that runs one command in a session and shows its output live.
INTERACTIVE_DOCUMENT = "AWS-StartInteractiveCommand"
#: Run Command's document for shell commands on Linux.
SHELL_DOCUMENT = "AWS-RunShellScript"
#: The tag Auto Scaling puts on each instance of a group: Run Command targets a group by it.
ASG_NAME_TAG = "aws:autoscaling:groupName"
#: The node group (shard) of a replication group without cluster mode: it has exactly one, and
#: ElastiCache names it ``0001`` (``describe-replication-groups``' ``NodeGroups[0].NodeGroupId``).
SINGLE_SHARD_NODE_GROUP = "0001"
#: The typographic quotes Windows PowerShell also reads as quotes (a command pasted from a
#: document holds them): “ ” „ as ", ‘ ’ ‚ ‛ as '.
_POWERSHELL_SINGLE_QUOTES = ("\u2018", "\u2019", "\u201a", "\u201b")
_POWERSHELL_QUOTES = ("\u201c", "\u201d", "\u201e", *_POWERSHELL_SINGLE_QUOTES)
#: What a command may not hold: it sits in a single-quoted value of the CLI's shorthand inside
#: one double-quoted shell word, so a quote would end one of them early, a backslash would
#: escape the next character, and bash, zsh and PowerShell expand ``$`` and a backquote (and
#: an interactive bash or zsh ``!``) in double quotes on the student's machine.
_QUOTING = ("'", '"', "\\", *_POWERSHELL_QUOTES)
_EXPANDING = ("$", "`", "!")


def _require_command(where: str, name: str, command: object, *, item: bool = False) -> None:
    """A non-empty command that needs no quoting inside the line's quotes (``item``: one of the
    list ``name``)."""
    if not item:
        require_str(where, name, command)
    if not command.strip():
        said = f"{name} has an empty command" if item else f"{name} is empty"
        raise CourseInputError(f"{where}: {said}; give the command to run, e.g. 'uptime'")
    if any(ord(c) < 32 or c == "\x7f" for c in command):  # a line break splits the JSON
        said = f"{name} has {shown(command)}, which" if item else f"{name}={shown(command)}"
        raise CourseInputError(
            f"{where}: {said} holds a line break or another control character; give one "
            "command on one line, or put the commands in a script on the host"
        )
    if any(mark in command for mark in _QUOTING):
        said = f"{name} has {shown(command)}, which" if item else f"{name}={shown(command)}"
        raise CourseInputError(
            f"{where}: {said} holds a quote or a backslash, which would break the line's "
            "quoting; put the command in a script on the host and run the script"
        )


def _require_unexpanded(where: str, name: str, command: str, *, item: bool = False) -> None:
    """A command with nothing the student's shell would expand in the line's double quotes
    (``$``, a backquote, ``!``), a deploy-time token (``${Token[...]}``) aside: CloudFormation
    puts a name there before anyone runs the line."""
    if any(mark in _TOKEN.sub("", command) for mark in _EXPANDING):
        said = f"{name} has {shown(command)}, which" if item else f"{name}={shown(command)}"
        raise CourseInputError(
            f"{where}: {said} holds $, ` or !, which bash, zsh and PowerShell would expand on "
            "the student's machine before the CLI sees it; put the command in a script on the "
            "host and run the script"
        )


#: A deploy-time value in a string at synth (``${Token[TOKEN.123]}``, ``${Token[AWS.Region.8]}``).
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")
#: What a shell reads as part of one word, as :func:`shlex.quote` sees it (ASCII only).
_PLAIN = re.compile(r"[\w@%+=:,./-]*", re.ASCII)
#: A region's code, e.g. ``ap-northeast-2``.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+\Z")
#: An RDS instance identifier: a letter, then letters, digits and hyphens, 63 at most.
_DB_INSTANCE_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9-]{0,62}\Z")
#: An ElastiCache replication group id: lower case, a letter first, 40 at most.
_REPLICATION_GROUP_ID = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")
#: An ElastiCache node group (shard) id: four digits.
_NODE_GROUP_ID = re.compile(r"\d{4}\Z")
#: A URL curl can take: http or https and a host, no space or control character.
_URL = re.compile(r"https?://[^\s/?#]+\S*\Z")
#: The longest Auto Scaling group name AWS takes.
_GROUP_NAME_MAX = 255
#: The most requests a second :func:`request_load` sends from each instance, and the longest it
#: lasts: a course load test needs 25 for 10 minutes; more is a typo (a bill, an instance busy
#: for days).
MAX_REQUESTS_PER_SECOND = 100
MAX_LOAD_SECONDS = 3600
#: The lookup :func:`first_instance_of` builds, to take it back as a target.
_LOOKUP = re.compile(
    r"\$\(aws autoscaling describe-auto-scaling-groups --region (?P<region>\S+) "
    r"--auto-scaling-group-names (?P<group>.+) "
    r"--query 'AutoScalingGroups\[0\]\.Instances\[\?LifecycleState==`InService`\]\.InstanceId "
    r"\| \[0\]' --output text\)\Z",
    re.S,
)


def _require_name(where: str, name: str, value: object) -> None:
    """A name or a token (a non-empty string): an empty one leaves the line's option empty."""
    require_str(where, name, value)
    if not value.strip():
        raise CourseInputError(f"{where}: {name} is empty; pass the resource's {name}")


def _word(
    where: str,
    name: str,
    value: object,
    *,
    pattern: Optional[Pattern[str]] = None,
    example: str = "",
    max_length: Optional[int] = None,
) -> str:
    """``value`` as one word of a shell line, for the CLI to read as one argument.

    A literal value is checked against what AWS takes (``pattern``, or at most ``max_length``
    characters) and quoted with :func:`shlex.quote` (a plain name stays as it is). A deploy-time
    token (``${Token[...]}``) cannot be checked at synth, and :func:`shlex.quote` would quote its
    ``$``, so the shell would never see the value CloudFormation puts there: the line keeps it as
    it is when everything around the token is plain (what the labs pass: a name, an ARN, a URL
    on a domain name, whose deployed value is one word), and wraps it in single quotes otherwise;
    the deployed value of these (a name, an id, an ARN, a domain name) cannot hold a quote, so
    the single quotes hold it as one word.
    """
    _require_name(where, name, value)
    if any(ord(c) < 32 or c == "\x7f" for c in value):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} holds a line break or another control character; "
            f"give it on one line{_like(example)}"
        )
    if "${Token[" in value:
        literal = _TOKEN.sub("", value)
        if any(mark in literal for mark in _QUOTING):
            raise CourseInputError(
                f"{where}: {name}={shown(value)} holds a quote or a backslash next to its "
                "deploy-time value, which the line cannot quote; leave them out"
            )
        return value if _PLAIN.fullmatch(literal) else f"'{value}'"
    if pattern is not None and not pattern.match(value):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} is not a {name} AWS takes; give one{_like(example)}"
        )
    if max_length is not None and len(value) > max_length:
        raise CourseInputError(
            f"{where}: {name} has {len(value)} characters, more than the {max_length} AWS "
            f"takes; give a shorter one{_like(example)}"
        )
    return shlex.quote(value)


def _shorthand(value: str) -> str:
    """``value``, an AWS CLI shorthand argument (``Key=Week,Value=Week5``), as one word in single
    quotes, read the same by bash and Windows PowerShell.

    Why: PowerShell reads an unquoted word with a comma as an array and hands the CLI its parts
    (the AWS CLI user guide: quote shorthand in PowerShell), and :func:`shlex.quote` leaves such
    a word bare (``,``, ``=`` and ``:`` are plain to bash).

    :param value: the argument; a deploy-time token in it (``${Token[...]}``) is kept as it is
        (its deployed value, a name or an id, holds no quote).
    """
    quoted = shlex.quote(value)
    return f"'{value}'" if quoted == value else quoted


def _shorthand_in_double_quotes(value: str) -> str:
    """``value``, AWS CLI shorthand whose values are in single quotes
    (``commands=['dnf install -y stress-ng','uptime']``), as one double-quoted shell word.

    Why: a value with a space needs quotes the CLI sees (older AWS CLI releases end an unquoted
    shorthand value at a space), and the JSON form's inner double quotes reach the CLI stripped
    from Windows PowerShell 5.1, which hands a native program its arguments without escaping
    them (the AWS CLI user guide, "Using quotation marks with strings": PowerShell 5.1 and
    earlier). Single quotes inside double quotes reach the CLI as they are from bash, zsh and
    every PowerShell; the callers refuse ``$``, a backquote and ``!``, which those shells would
    expand.
    """
    return f'"{value}"'


def _like(example: str) -> str:
    return f", e.g. {example}" if example else ""


def _region(where: str, region: object) -> str:
    return _word(where, "region", region, pattern=_REGION, example="ap-northeast-2")


def _group(where: str, group: object) -> str:
    return _word(
        where, "group", group, max_length=_GROUP_NAME_MAX, example="week5-kim-Day4Lab1-WebAsg"
    )


def _url(where: str, url: object) -> str:
    """A URL for ``curl``: a literal one checked (http or https) and quoted, a token kept."""
    require_str(where, "url", url)
    if "${Token[" not in url and not _URL.match(url):
        raise CourseInputError(
            f"{where}: url={shown(url)} is not a URL curl can take; give one like "
            "http://my-alb-123.ap-northeast-2.elb.amazonaws.com/health"
        )
    return _word(where, "url", url)


def _db_instance_id(where: str, value: object) -> str:
    return _word(
        where,
        "db_instance_id",
        value,
        pattern=_DB_INSTANCE_ID,
        example="week5-kim-day4lab1-db (a letter, then letters, digits and -, 63 at most)",
    )


def _target(where: str, target: object) -> str:
    """An instance id, a token, or the lookup :func:`first_instance_of` built (taken as it is:
    it is the one ``$(...)`` the line may hold)."""
    _require_name(where, "target", target)
    found = _LOOKUP.match(target)
    if found:  # built again from its group and region: anything added to it does not match
        try:
            words = shlex.split(found["group"])
            if len(words) == 1 and first_instance_of(words[0], region=found["region"]) == target:
                return target
        except (ValueError, CourseInputError):  # unbalanced quotes, a group AWS would refuse
            pass
    return _word(where, "target", target, example="i-0123456789abcdef0")


def first_instance_of(group: str, *, region: str) -> str:
    """``$(...)``, the id of the first instance of an Auto Scaling group, looked up when the
    student runs the line.

    Why: a group's instances are not the stack's resources, so no output can name one, and the
    group replaces them; the lookup finds one that is running now. Any in service will do: they
    all run the same launch template. The group also lists an instance it is terminating or
    still launching (after a scale-in, during a replacement), which no session reaches; the
    backquoted literal reads the same inside single quotes in bash and PowerShell.

    :param group: the group's name (``asg.auto_scaling_group_name``, a token until deployment).
    :param region: the group's region (``stack.region``).
    """
    group = _group("first_instance_of", group)
    region = _region("first_instance_of", region)
    return (
        f"$(aws autoscaling describe-auto-scaling-groups --region {region} "
        f"--auto-scaling-group-names {group} "
        "--query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService`].InstanceId | [0]' "
        "--output text)"
    )


def interactive_command(command: str, *, target: str, region: str) -> str:
    """``aws ssm start-session`` with ``AWS-StartInteractiveCommand``: ``command`` runs on the
    instance and its output shows on the student's terminal, as if typed in a session.

    Why: one line from the student's own terminal, with no port open and no key, instead of
    opening a shell and typing the command there.

    :param command: what to run, e.g. ``sudo /usr/local/bin/lab-app``; no quote, backslash,
        ``$``, backquote or ``!`` (it sits inside the line's quotes: put anything longer in a
        script on the host).
    :param target: the instance's id, a token, or a lookup such as :func:`first_instance_of`.
    :param region: the instance's region (``stack.region``).
    """
    _require_command("interactive_command", "command", command)
    _require_unexpanded("interactive_command", "command", command)
    region = _region("interactive_command", region)
    target = _target("interactive_command", target)
    parameters = _shorthand_in_double_quotes(f"command='{command}'")
    return (
        f"aws ssm start-session --region {region} --target {target} "
        f"--document-name {INTERACTIVE_DOCUMENT} "
        f"--parameters {parameters}"
    )


def asg_run_command(
    commands: Sequence[str], *, group: str, region: str, command_id_only: bool = False
) -> str:
    """``aws ssm send-command`` with ``AWS-RunShellScript`` on every instance of an Auto Scaling
    group, found by the tag Auto Scaling puts on each (``aws:autoscaling:groupName``).

    Why: the group's instances change (scaling, replacement), their ids are not known when the
    stack is built, and a change on each of them (a load test on every vCPU) needs every one.

    :param commands: the shell commands, run in order as root, e.g. ``["uptime"]``; a list, and
        no quote, backslash, ``$``, backquote or ``!`` in any of them (they sit inside the
        line's quotes).
    :param group: the group's name (``asg.auto_scaling_group_name``, a token until deployment).
    :param region: the group's region (``stack.region``).
    :param command_id_only: print only the command's id (``--query Command.CommandId --output
        text``), not the JSON of the whole request. @default ``False``
    """
    require_strings("asg_run_command", "commands", commands, "uptime", what="commands")
    if not commands:
        raise CourseInputError(
            "asg_run_command: commands is empty; give at least one, e.g. ['uptime']"
        )
    for command in commands:
        _require_command("asg_run_command", "commands", command, item=True)
        _require_unexpanded("asg_run_command", "commands", command, item=True)
    items = ",".join(f"'{command}'" for command in commands)
    region = _region("asg_run_command", region)
    if isinstance(group, str) and "${Token[" not in group and any(c in group for c in ",=[]{}"):
        # The CLI's shorthand (Key=...,Values=...) would read them as its own syntax.
        raise CourseInputError(
            f"asg_run_command: group={shown(group)} holds one of , = [ ] {{ }}, which the "
            "--targets shorthand reads as its own; rename the group without them"
        )
    _group("asg_run_command", group)
    targets = _shorthand(f"Key=tag:{ASG_NAME_TAG},Values={group}")
    parameters = _shorthand_in_double_quotes(f"commands=[{items}]")
    line = (
        f"aws ssm send-command --region {region} --document-name {SHELL_DOCUMENT} "
        f"--targets {targets} --parameters {parameters}"
    )
    return f"{line} --query Command.CommandId --output text" if command_id_only else line


def failover_command(db_instance_id: str, *, region: str) -> str:
    """``aws rds reboot-db-instance --force-failover``: a Multi-AZ database's standby in the
    other AZ takes over (one to two minutes).

    Why: the course's failure test, what an AZ outage would do to the database, on demand; the
    reboot fails on a database that is not Multi-AZ.

    :param db_instance_id: the instance's identifier (``instance.instance_identifier``, a token
        until deployment).
    :param region: the database's region (``stack.region``).
    """
    db_instance_id = _db_instance_id("failover_command", db_instance_id)
    region = _region("failover_command", region)
    return (
        f"aws rds reboot-db-instance --region {region} --db-instance-identifier "
        f"{db_instance_id} --force-failover"
    )


def db_az_command(db_instance_id: str, *, region: str) -> str:
    """``aws rds describe-db-instances``: a Multi-AZ database's AZ and its standby's, one line
    (``ap-northeast-2a``, a tab, ``ap-northeast-2b``).

    Why: what :func:`failover_command` promises (the standby in the other AZ takes over) shows
    nowhere else: run it before and after the failover and the two AZs have swapped.

    :param db_instance_id: the instance's identifier (``instance.instance_identifier``, a token
        until deployment).
    :param region: the database's region (``stack.region``).
    """
    db_instance_id = _db_instance_id("db_az_command", db_instance_id)
    region = _region("db_az_command", region)
    return (
        f"aws rds describe-db-instances --region {region} --db-instance-identifier "
        f"{db_instance_id} "
        "--query 'DBInstances[0].[AvailabilityZone,SecondaryAvailabilityZone]' --output text"
    )


def cache_failover_command(
    replication_group_id: str, *, region: str, node_group_id: str = SINGLE_SHARD_NODE_GROUP
) -> str:
    """``aws elasticache test-failover``: a replica of the node group (in the other AZ, where
    the cache puts one) becomes the primary, and the primary endpoint follows it (a few
    minutes).

    Why: the course's failure test for the cache, on demand; the call fails on a group without
    automatic failover.

    :param replication_group_id: the group's id (``replication_group.ref``, a token until
        deployment).
    :param region: the group's region (``stack.region``).
    :param node_group_id: the shard to fail over. @default ``"0001"``, the one shard of a group
        without cluster mode (:data:`SINGLE_SHARD_NODE_GROUP`)
    """
    where = "cache_failover_command"
    replication_group_id = _word(
        where,
        "replication_group_id",
        replication_group_id,
        pattern=_REPLICATION_GROUP_ID,
        example="week5-kim-day5lab1-cache (lower case, 40 characters at most)",
    )
    region = _region(where, region)
    node_group_id = _word(
        where, "node_group_id", node_group_id, pattern=_NODE_GROUP_ID, example="0001"
    )
    return (
        f"aws elasticache test-failover --region {region} --replication-group-id "
        f"{replication_group_id} --node-group-id {node_group_id}"
    )


def terminate_instance_command(group: str, *, region: str) -> str:
    """``aws autoscaling terminate-instance-in-auto-scaling-group`` on the group's first
    instance (:func:`first_instance_of`), keeping the desired capacity: the ALB stops sending
    it requests and the group launches a replacement.

    Why: the course's failure test for an instance lost, on demand; with the capacity kept, the
    group heals itself as it would after a real failure.

    :param group: the group's name (``asg.auto_scaling_group_name``, a token until deployment).
    :param region: the group's region (``stack.region``).
    """
    _group("terminate_instance_command", group)
    region_word = _region("terminate_instance_command", region)
    return (
        f"aws autoscaling terminate-instance-in-auto-scaling-group --region {region_word} "
        "--no-should-decrement-desired-capacity --instance-id "
        + first_instance_of(group, region=region)
    )


def scaling_activities_command(group: str, *, region: str) -> str:
    """``aws autoscaling describe-scaling-activities``: the group's five latest activities
    (launches and terminations, each with its cause: the alarm that set the capacity).

    Why: what a load test or a lost instance made the group do, with the reason, in one line
    to run again while the test goes on.

    :param group: the group's name (``asg.auto_scaling_group_name``, a token until deployment).
    :param region: the group's region (``stack.region``).
    """
    group = _group("scaling_activities_command", group)
    region = _region("scaling_activities_command", region)
    return (
        f"aws autoscaling describe-scaling-activities --region {region} "
        f"--max-items 5 --auto-scaling-group-name {group}"
    )


def request_load(url: str, *, per_second: int, seconds: int) -> str:
    """A shell loop for :func:`asg_run_command`: each second, ``per_second`` GET requests on
    ``url`` over one connection (one ``curl``), for ``seconds`` seconds.

    Why: a scaling policy on requests per target needs requests, at a known rate: a fixed rate
    gives a known figure per target (and a known bill), however long each request takes; each
    second's batch runs in the background, so a slow second does not slow the next.

    :param url: what to request; a URL that is not cached on the way (a ``no-store`` answer),
        or a CDN in front answers the load itself. Letters, digits and ``. / : - _ % + = , @``
        only (no query string): the loop sits in the line's quotes, with no quoting left for
        the URL, and runs as root on every instance.
    :param per_second: requests a second, from each instance that runs the loop; at most
        :data:`MAX_REQUESTS_PER_SECOND`.
    :param seconds: how long the load lasts; at most :data:`MAX_LOAD_SECONDS`.
    """
    _require_command("request_load", "url", url)
    _url("request_load", url)
    if not _PLAIN.fullmatch(_TOKEN.sub("", url)):
        # The loop sits in a quoted shorthand value in the line's double quotes: no quoting is
        # left for the URL, and the instance runs the loop as root.
        raise CourseInputError(
            f"request_load: url={shown(url)} holds a character the instance's shell reads "
            "(? & ; $ a space ...); give a URL of letters, digits and . / : - _ % + = , @, "
            "e.g. https://d123.cloudfront.net/news/popular.json"
        )
    for name, value, most, usual in (
        ("per_second", per_second, MAX_REQUESTS_PER_SECOND, 25),
        ("seconds", seconds, MAX_LOAD_SECONDS, 600),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CourseInputError(
                f"request_load: {name}={shown(value)}; give a whole number of 1 or more, e.g. 25"
            )
        if value > most:
            raise CourseInputError(
                f"request_load: {name}={value} is more than the {most} a course load test "
                f"needs; give {most} or fewer, e.g. {usual}"
            )
    # No $ (asg_run_command's line holds the loop in double quotes): seq's lines drive it.
    # The loop runs in the pipeline's subshell, so the wait for the last batches is there too.
    return (
        f"seq {seconds} | {{ while read i; do yes {url} | head -n {per_second} | "
        "xargs curl -s --max-time 10 > /dev/null & sleep 1; done; wait; }"
    )


def health_watch_command(
    url: str, *, target_group_arn: str, region: str, powershell: bool = False
) -> str:
    """A loop for the student's terminal: every 5 s the time, ``url``'s answer and each target's
    state in the target group (``i-0abc... healthy``), until Ctrl+C.

    Why: a failure test is seen as it happens: a readiness URL that reports each store turns 503
    and back to 200 through a failover, and a terminated instance goes ``draining`` while its
    replacement goes ``initial`` and then ``healthy``.

    :param url: the URL to show, e.g. a deep health check (its body names what failed).
    :param target_group_arn: the target group's ARN (``target_group.target_group_arn``, a token
        until deployment).
    :param region: the target group's region (``stack.region``).
    :param powershell: the same loop in Windows PowerShell's words, for an output's PowerShell
        twin: ``while ($true) { ... }``, ``Get-Date``, ``Start-Sleep`` and ``curl.exe`` (in
        Windows PowerShell 5.1 ``curl`` is Invoke-WebRequest, which takes none of curl's
        options). @default ``False``: the loop for bash and zsh (CloudShell, macOS, Linux, WSL)
    """
    _require_name("health_watch_command", "url", url)
    arn_word = _word("health_watch_command", "target_group_arn", target_group_arn)
    region_word = _region("health_watch_command", region)
    url_word = _url("health_watch_command", url)
    query = "--query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text"
    if powershell:
        return (
            "while ($true) { Get-Date -Format HH:mm:ss; "
            f"curl.exe -s --max-time 5 {_powershell_word(url)}; ''; "  # '': the bash echo
            f"aws elbv2 describe-target-health --region {_powershell_word(region)} "
            f"--target-group-arn {_powershell_word(target_group_arn)} {query}; Start-Sleep 5 }}"
        )
    return (
        f"while true; do date +%T; curl -s --max-time 5 {url_word}; echo; "
        f"aws elbv2 describe-target-health --region {region_word} --target-group-arn "
        f"{arn_word} {query}; sleep 5; done"
    )


#: What PowerShell reads as part of one bare word and hands on as it is (no ``,``: an array;
#: no ``@``, ``$``, quotes, braces or parentheses).
_POWERSHELL_PLAIN = re.compile(r"[\w%+=:./-]*", re.ASCII)


def _powershell_word(value: str) -> str:
    """``value`` as one word of a PowerShell line: as it is when plain (a deploy-time token
    counts as plain: its deployed value is a name, an id, an ARN or a domain name), in single
    quotes otherwise, a quote in it doubled (PowerShell's escape inside single quotes).

    Why: :func:`shlex.quote`'s ``'"'"'`` for a quote is bash's; PowerShell reads a bare word with
    a comma as an array and one that starts with ``@`` or ``$`` as a variable.
    """
    if _POWERSHELL_PLAIN.fullmatch(_TOKEN.sub("", value)) and not value.startswith("-"):
        return value
    for quote in ("'", *_POWERSHELL_SINGLE_QUOTES):  # each ends a single-quoted word there
        value = value.replace(quote, quote * 2)
    return "'" + value + "'"
