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
"""

from __future__ import annotations

from typing import Sequence

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
#: What a command may not hold: it sits in a double-quoted JSON string inside one single-quoted
#: shell word, so a quote would end one of them early and a backslash would escape the next
#: character.
_QUOTING = ("'", '"', "\\")


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


def _require_name(where: str, name: str, value: object) -> None:
    """A name or a token (a non-empty string): an empty one leaves the line's option empty."""
    require_str(where, name, value)
    if not value.strip():
        raise CourseInputError(f"{where}: {name} is empty; pass the resource's {name}")


def first_instance_of(group: str, *, region: str) -> str:
    """``$(...)``, the id of the first instance of an Auto Scaling group, looked up when the
    student runs the line.

    Why: a group's instances are not the stack's resources, so no output can name one, and the
    group replaces them; the lookup finds one that is running now. Any instance will do: they
    all run the same launch template.

    :param group: the group's name (``asg.auto_scaling_group_name``, a token until deployment).
    :param region: the group's region (``stack.region``).
    """
    _require_name("first_instance_of", "group", group)
    _require_name("first_instance_of", "region", region)
    return (
        f"$(aws autoscaling describe-auto-scaling-groups --region {region} "
        f"--auto-scaling-group-names {group} "
        "--query 'AutoScalingGroups[0].Instances[0].InstanceId' --output text)"
    )


def interactive_command(command: str, *, target: str, region: str) -> str:
    """``aws ssm start-session`` with ``AWS-StartInteractiveCommand``: ``command`` runs on the
    instance and its output shows on the student's terminal, as if typed in a session.

    Why: one line from the student's own terminal, with no port open and no key, instead of
    opening a shell and typing the command there.

    :param command: what to run, e.g. ``sudo /usr/local/bin/lab-app``; no quote or backslash
        (it sits inside the line's quotes: put anything longer in a script on the host).
    :param target: the instance's id, a token, or a lookup such as :func:`first_instance_of`.
    :param region: the instance's region (``stack.region``).
    """
    _require_command("interactive_command", "command", command)
    return (
        f"aws ssm start-session --region {region} --target {target} "
        f"--document-name {INTERACTIVE_DOCUMENT} "
        f"--parameters '{{\"command\":[\"{command}\"]}}'"
    )


def asg_run_command(
    commands: Sequence[str], *, group: str, region: str, command_id_only: bool = False
) -> str:
    """``aws ssm send-command`` with ``AWS-RunShellScript`` on every instance of an Auto Scaling
    group, found by the tag Auto Scaling puts on each (``aws:autoscaling:groupName``).

    Why: the group's instances change (scaling, replacement), their ids are not known when the
    stack is built, and a change on each of them (a load test on every vCPU) needs every one.

    :param commands: the shell commands, run in order as root, e.g. ``["uptime"]``; a list, and
        no quote or backslash in any of them (they sit inside the line's quotes).
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
    items = ",".join(f'"{command}"' for command in commands)
    line = (
        f"aws ssm send-command --region {region} --document-name {SHELL_DOCUMENT} "
        f"--targets Key=tag:{ASG_NAME_TAG},Values={group} --parameters 'commands=[{items}]'"
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
    _require_name("failover_command", "db_instance_id", db_instance_id)
    _require_name("failover_command", "region", region)
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
    _require_name("db_az_command", "db_instance_id", db_instance_id)
    _require_name("db_az_command", "region", region)
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
    _require_name("cache_failover_command", "replication_group_id", replication_group_id)
    _require_name("cache_failover_command", "region", region)
    _require_name("cache_failover_command", "node_group_id", node_group_id)
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
    _require_name("terminate_instance_command", "group", group)
    _require_name("terminate_instance_command", "region", region)
    return (
        f"aws autoscaling terminate-instance-in-auto-scaling-group --region {region} "
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
    _require_name("scaling_activities_command", "group", group)
    _require_name("scaling_activities_command", "region", region)
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
        or a CDN in front answers the load itself. No quote or backslash.
    :param per_second: requests a second, from each instance that runs the loop.
    :param seconds: how long the load lasts.
    """
    _require_command("request_load", "url", url)
    for name, value in (("per_second", per_second), ("seconds", seconds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CourseInputError(
                f"request_load: {name}={shown(value)}; give a whole number of 1 or more, e.g. 25"
            )
    return (
        f"for i in $(seq {seconds}); do yes {url} | head -n {per_second} | "
        "xargs curl -s --max-time 10 > /dev/null & sleep 1; done"
    )


def health_watch_command(url: str, *, target_group_arn: str, region: str) -> str:
    """A loop for the student's terminal: every 5 s the time, ``url``'s answer and each target's
    state in the target group (``i-0abc... healthy``), until Ctrl+C.

    Why: a failure test is seen as it happens: a readiness URL that reports each store turns 503
    and back to 200 through a failover, and a terminated instance goes ``draining`` while its
    replacement goes ``initial`` and then ``healthy``.

    :param url: the URL to show, e.g. a deep health check (its body names what failed).
    :param target_group_arn: the target group's ARN (``target_group.target_group_arn``, a token
        until deployment).
    :param region: the target group's region (``stack.region``).
    """
    _require_name("health_watch_command", "url", url)
    _require_name("health_watch_command", "target_group_arn", target_group_arn)
    _require_name("health_watch_command", "region", region)
    return (
        f"while true; do date +%T; curl -s --max-time 5 {url}; echo; "
        f"aws elbv2 describe-target-health --region {region} --target-group-arn "
        f"{target_group_arn} "
        "--query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text; "
        "sleep 5; done"
    )
