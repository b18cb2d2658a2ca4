"""`userdata.install_docker()` (course Day 1 Lab 1, step 3) run in bash as a host's boot runs it:
under ``set -euxo pipefail``, with stub dnf, systemctl, usermod, curl (and the rest) on PATH that
log each call. Checking that the lines appear in the user data proves nothing: ``echo dnf install
-y docker`` appears too. tests/test_day1_lab1.py's steps 3.7-3.8 and 4.3 run this same script and
check the host's user data begins with it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterable, List

import pytest

from week5.constructs.userdata import (
    DOCKER_COMPOSE_SHA256,
    NETWORK_TRIES,
    install_docker,
)

#: The boot script's first lines as every Docker host's user data has them (hardening.boot_script
#: puts ``set -euxo pipefail`` first; CDK's ``for_linux`` the ``#!/bin/bash``).
DOCKER_BOOT = "#!/bin/bash\nset -euxo pipefail\n" + "\n".join(install_docker()) + "\n"
PLUGIN = "/usr/local/lib/docker/cli-plugins/docker-compose"
#: Each call the script makes, in order, on an x86_64 host where every tool works.
DOCKER_CALLS = [
    "dnf install -y docker",
    "systemctl enable --now docker",
    "usermod -aG docker ec2-user",
    "mkdir -p /usr/local/lib/docker/cli-plugins",
    f"curl -fsSL --retry 5 -o {PLUGIN} "
    "https://github.com/docker/compose/releases/download/v2.29.7/docker-compose-linux-x86_64",
    f"sha256sum -c - <<< {DOCKER_COMPOSE_SHA256['x86_64']}  {PLUGIN}",
    f"chmod +x {PLUGIN}",
    "docker --version",
    "docker compose version",
]
#: The tools the script calls; each stub logs ``name args`` (sha256sum adds what it read).
STUBBED = ("dnf", "systemctl", "usermod", "mkdir", "curl", "chmod", "docker", "sleep")


def make_box(folder: Path, *, fail: Iterable[str] = (), dnf_failures: int = 0,
             arch: str = "x86_64") -> Path:
    """A fake host in ``folder``: stubs on ``folder/bin`` that log to ``folder/log``; those in
    ``fail`` exit 1, dnf fails its first ``dnf_failures`` calls; ``uname -m`` says ``arch``.
    Nothing touches the real system (mkdir, chmod and the download are stubs too)."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    log = folder / "log"
    for name in STUBBED + ("sha256sum",):
        body = f'echo "{name} $*" >> {log}'
        if name == "sha256sum":
            body = f'echo "{name} $* <<< $(cat)" >> {log}'
        if name == "dnf":
            body += f"\necho x >> {folder}/dnf-calls\n"
            body += f"[ $(wc -l < {folder}/dnf-calls) -gt {dnf_failures} ] || exit 1"
        if name in fail:
            body += "\nexit 1"
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "uname").write_text(f'#!/bin/bash\n[ "$1" = -m ] && echo {arch}\n')
    (bin_dir / "uname").chmod(0o755)
    return folder


def run_boot(box: Path, script: str = DOCKER_BOOT) -> subprocess.CompletedProcess:
    """``script`` run by bash on the fake host, as cloud-init runs the user data."""
    path = box / "user-data"
    path.write_text(script)
    env = {**os.environ, "PATH": f"{box / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(path)], env=env, capture_output=True, text=True, timeout=60
    )


def calls(box: Path) -> List[str]:
    path = box / "log"
    return path.read_text().splitlines() if path.exists() else []


def test_the_boot_installs_starts_and_enables_docker_and_adds_compose(tmp_path):
    box = make_box(tmp_path)
    result = run_boot(box)
    assert result.returncode == 0, result.stderr
    assert calls(box) == DOCKER_CALLS


def test_an_arm_host_downloads_the_arm_build_and_checks_its_sum(tmp_path):
    box = make_box(tmp_path, arch="aarch64")
    assert run_boot(box).returncode == 0
    logged = calls(box)
    assert logged[4].endswith("/v2.29.7/docker-compose-linux-aarch64")
    assert logged[5] == f"sha256sum -c - <<< {DOCKER_COMPOSE_SHA256['aarch64']}  {PLUGIN}"


def test_a_dnf_that_fails_a_while_is_tried_again_every_10_seconds(tmp_path):
    """The retried download (userdata.retried): a host behind a NAT that does not forward yet."""
    box = make_box(tmp_path, dnf_failures=2)
    result = run_boot(box)
    assert result.returncode == 0, result.stderr
    assert calls(box) == ["dnf install -y docker", "sleep 10"] * 2 + DOCKER_CALLS


def test_a_dnf_that_never_works_ends_the_boot_before_anything_else(tmp_path):
    box = make_box(tmp_path, fail={"dnf"})
    result = run_boot(box)
    assert result.returncode != 0
    assert calls(box) == (["dnf install -y docker", "sleep 10"] * (NETWORK_TRIES - 1)
                          + ["dnf install -y docker"])  # fmt: skip


@pytest.mark.parametrize("tool", ["systemctl", "usermod", "mkdir", "curl", "docker"])
def test_any_failing_step_ends_the_boot_there(tmp_path, tool):
    """What comes after Docker's lines in a host's boot (its compose up) never runs; a failing
    ``docker --version`` once went on (it was ``docker --version && docker compose version``,
    which set -e does not stop on)."""
    box = make_box(tmp_path, fail={tool})
    result = run_boot(box, DOCKER_BOOT + f"touch {box / 'booted'}\n")
    assert result.returncode != 0 and not (box / "booted").exists()
    logged = calls(box)
    assert logged[-1].startswith(f"{tool} ")
    assert logged == DOCKER_CALLS[: len(logged)]


def test_a_download_that_does_not_match_its_sum_is_never_made_executable(tmp_path):
    box = make_box(tmp_path, fail={"sha256sum"})
    result = run_boot(box)
    assert result.returncode != 0
    assert calls(box) == DOCKER_CALLS[:6]


def test_a_host_of_another_architecture_stops_before_the_download(tmp_path):
    box = make_box(tmp_path, arch="riscv64")
    result = run_boot(box)
    assert result.returncode != 0
    assert "no Docker Compose checksum for riscv64" in result.stderr
    assert calls(box) == DOCKER_CALLS[:4]
