"""The labs' Docker containers stood in for by this machine's own processes: what every stand-in
needs, whatever it runs (this machine kind has no Docker engine).

A stand-in takes its compose service's environment as its only input (``compose_environment``),
listens at a loopback address of its own on its lab port (``must_be_free`` says plainly why it
cannot), is ready when it answers (``wait_until``) and stops like ``docker stop``
(``servers.stop``);
``Background`` starts several at once while the browser starts; ``kept_folder`` keeps what a
stand-in's first start makes (the same on every run) between runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, ContextManager, Dict, Iterable, List, Mapping

import yaml

#: Kept between runs, as test_student_setup.py keeps its wheelhouse.
KEPT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "week5-tests"


def compose_environment(compose_file: Path, service: str, values: Mapping[str, str]) -> Dict:
    """A compose service's environment with ``${NAME...}`` filled from ``values``, as
    ``docker compose`` fills it from the ``.env`` the host writes at boot."""
    environment = yaml.safe_load(compose_file.read_text())["services"][service]["environment"]

    def fill(text: str) -> str:  # `$$` is compose's literal `$` (WORDPRESS_CONFIG_EXTRA's PHP)
        return re.sub(
            r"\$(\$)|\$\{(\w+)[^}]*\}",
            lambda m: "$" if m.group(1) else values[m.group(2)],
            str(text),
        )

    return {name: fill(value) for name, value in environment.items()}


def wait_until(ready, what: str, process: subprocess.Popen, log: Path, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{log.read_text()}")
        if ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} is not ready after {seconds} s:\n{log.read_text()}")


def must_be_free(address: str, port: int, what: str) -> None:
    """Say plainly why a fixed address cannot be had (a server of the machine's own on every
    address, e.g. the apache2 or mariadb service that apt starts where systemd runs)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as error:
            raise RuntimeError(
                f"{what} cannot listen on {address}:{port} ({error.strerror}): "
                + (
                    "binding a port below 1024 needs root"
                    if port < 1024 and os.geteuid()
                    else f"stop what holds port {port} (`ss -ltnp 'sport = :{port}'`)"
                )
            ) from None


class Background:
    """Servers started in the background, each in its own thread, while the caller goes on
    (the browser starts meanwhile): ``[name]`` waits for one and gives what its context
    manager yields (or raises why it did not start); ``close()`` stops all that started, each
    in its own thread too."""

    def __init__(self, starters: Mapping[str, Callable[[], ContextManager]]) -> None:
        self._started: List[ContextManager] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(len(starters))
        self._futures = {
            name: self._pool.submit(self._enter, make) for name, make in starters.items()
        }

    def _enter(self, make: Callable[[], ContextManager]):
        manager = make()
        value = manager.__enter__()
        with self._lock:
            self._started.append(manager)
        return value

    def __getitem__(self, name: str):
        return self._futures[name].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._started:
            with ThreadPoolExecutor(len(self._started)) as pool:
                list(pool.map(lambda manager: manager.__exit__(None, None, None), self._started))


def _digest(folder: Path) -> str:
    """sha256 over every file's path, kind and bytes: what a kept folder must still hold."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        if path.is_symlink():
            digest.update(b"link " + os.readlink(path).encode() + b"\0")
        elif path.is_file():
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


def kept_folder(name: str, key: Iterable[str], make: Callable[[Path], None]) -> Path:
    """The folder ``make(folder)`` makes (``folder`` not there yet), kept in KEPT by the sha256
    of ``key`` (the content of everything that decides it): made when missing, or when its
    files are not what was recorded when it was made (a partial copy, a changed file), in a
    temporary folder renamed into place when whole. Callers copy it, never change it."""
    digest = hashlib.sha256()
    for part in key:
        digest.update(part.encode() + b"\0")
    kept = KEPT / f"{name}-{digest.hexdigest()[:16]}"
    record = kept / "sha256"

    def usable() -> bool:
        try:
            return record.read_text() == _digest(kept / "kept")
        except OSError:
            return False

    if usable():
        return kept / "kept"
    KEPT.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=KEPT))
    stale = kept.with_name(f".stale-{fresh.name}")
    try:
        make(fresh / "kept")
        (fresh / "sha256").write_text(_digest(fresh / "kept"))
        if not usable():  # else another run put a whole one there meanwhile: that one is used
            try:
                kept.rename(stale)  # partial or altered: out of the way at once
            except OSError:
                pass
            try:
                fresh.rename(kept)
            except OSError:
                pass
    finally:
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
    if not usable():
        raise RuntimeError(f"{kept} could not be made whole: delete it and run again")
    return kept / "kept"
