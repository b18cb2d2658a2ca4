"""Creation signals of an Auto Scaling group: how long its instances boot, how long
CloudFormation waits for them, and the boot script's exit trap that signals once the app answers.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from aws_cdk import Duration

from week5.constructs import userdata

#: The target group's health check: every 15 s; 2 passes make a target healthy, 3 misses unhealthy.
HEALTH_CHECK_INTERVAL_S = 15
HEALTHY_THRESHOLD = 2
UNHEALTHY_THRESHOLD = 3
#: Launch to answering, upper end: Amazon Linux 2023 boots and installs nginx or runs Python.
BOOT_TIME = Duration.minutes(3)
#: Launch to answering when the boot script installs Docker: images to pull, an app's first start
#: (the PrestaShop and Ghost images are the largest the course runs).
DOCKER_BOOT_TIME = Duration.minutes(8)
#: CloudFormation waits up to twice ``boot_time`` for an instance's signal, and never less than
#: this: a slow package mirror should not fail a student's deploy.
MIN_SIGNAL_TIMEOUT = Duration.minutes(10)
#: The longest wait a rolling update may have for a new instance's signal: CloudFormation takes
#: an ``AutoScalingRollingUpdate`` ``PauseTime`` of one hour (``PT1H``) at most.
MAX_PAUSE_TIME = Duration.hours(1)
#: The longest ``boot_time`` a group takes: a rolling update waits at most ``MAX_PAUSE_TIME`` for
#: each new instance, so one that boots longer would fail every update.
MAX_BOOT_TIME = MAX_PAUSE_TIME


def installs_docker(lines: Sequence[str]) -> bool:
    """Whether the boot script ``lines`` install Docker (``userdata.install_docker()``)."""
    first = userdata.install_docker()[0]
    return any(isinstance(line, str) and line.startswith(first) for line in lines)


def default_boot_time(lines: Sequence[str]) -> Duration:
    """Launch to answering, at the upper end, for a boot script: longer when it installs Docker."""
    return DOCKER_BOOT_TIME if installs_docker(lines) else BOOT_TIME


def signal_timeout(boot_time: Duration) -> Duration:
    """How long CloudFormation waits for the signals: twice ``boot_time``, at least 10 minutes."""
    return Duration.seconds(max(2 * boot_time.to_seconds(), MIN_SIGNAL_TIMEOUT.to_seconds()))


def update_pause_time(boot_time: Duration) -> Duration:
    """How long a rolling update waits for each new instance's signal: ``signal_timeout``, at
    most an hour (CloudFormation's longest ``PauseTime``)."""
    return Duration.seconds(
        min(signal_timeout(boot_time).to_seconds(), MAX_PAUSE_TIME.to_seconds())
    )


def min_in_service(min_capacity: int, max_capacity: int) -> int:
    """A rolling update's ``MinInstancesInService``: ``min_capacity``, below ``max_capacity``
    (CloudFormation refuses an update whose MinInstancesInService is not below MaxSize), so a
    group of fixed size (``min_capacity == max_capacity``) replaces one instance at a time with
    one fewer in service."""
    return max(0, min(min_capacity, max_capacity - 1))


def signal_when_ready(
    port: int, path: str, timeout_s: int, settle_s: Optional[int] = None
) -> List[str]:
    """Exit-trap lines that run before ``cfn-signal`` reports the boot script's exit status.

    When the script succeeded, wait (up to ``timeout_s``) for ``http://127.0.0.1:<port><path>``
    to answer 2xx or 3xx, as the target group's matcher counts, then ``settle_s`` (@default the
    two passing checks the target group needs, plus 5 s), so that the ALB already forwards to
    the instance when it signals. A path that never answers turns the signal into a failure
    (``timeout``'s 124). The helper scripts are preinstalled on Amazon Linux 2023; ``dnf``
    installs them where they are not.
    """
    url = f"http://127.0.0.1:{port}{path}"
    if settle_s is None:
        settle_s = HEALTHY_THRESHOLD * HEALTH_CHECK_INTERVAL_S + 5
    return [
        f'[ "$exitCode" -ne 0 ] || timeout {timeout_s} bash -c '
        f"'until curl -fsS -o /dev/null --max-time 5 {url}; do sleep 5; done' || exitCode=$?",
        f'[ "$exitCode" -ne 0 ] || sleep {settle_s}',
        "[ -x /opt/aws/bin/cfn-signal ] || dnf install -y aws-cfn-bootstrap || true",
    ]
