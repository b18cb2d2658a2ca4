"""A PostgreSQL and a Redis of a test's own, which the test may stop and start again.

The session's servers (servers.py) are shared by every test; these are for the tests that stop
the database or the cache under a running app (an RDS failover, an ElastiCache outage) and
check that its liveness still answers and that it recovers. Same binaries, TLS and passwords
as the session's; each keeps its port across a restart, as an endpoint does.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from servers import Postgres, Redis, _as_postgres_user, free_port, self_signed_cert, wait_for_port
from servers import stop as stop_process


class StoppablePostgres:
    """initdb in a temporary folder; ``start()``/``stop()`` as often as a test needs."""

    password = "lab-test-password"
    user = "labadmin"
    dbname = "week5"

    def __init__(self, *settings: str) -> None:
        """``settings``: extra ``name=value`` server settings, e.g. ``log_statement=all``."""
        self.settings = settings
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed: run scripts/setup")
        self.bin_dir = Path(bins[-1])
        # Not pytest's tmp_path: its parents are root-only, and postgres runs as its own user.
        self.folder = Path(tempfile.mkdtemp(prefix="week5-stoppable-pg-"))
        self.data = self.folder / "data"
        (self.folder / "pw").write_text(self.password)
        self.cert, self.key = self_signed_cert(self.folder)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            for path in (self.folder / "pw", self.cert, self.key):
                shutil.chown(path, "postgres")
        self._pg(
            "initdb", "-D", str(self.data), "-U", self.user, "--pwfile", str(self.folder / "pw"),
            "--auth-host=scram-sha-256", "--auth-local=trust",
        )
        self.port = free_port()
        self.running = False

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            _as_postgres_user([str(self.bin_dir / tool), *args]), check=True, capture_output=True
        )

    def start(self) -> "StoppablePostgres":
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c ssl=on "
            f"-c ssl_cert_file={self.cert} -c ssl_key_file={self.key}"
        ) + "".join(f" -c {setting}" for setting in self.settings)
        self._pg(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "start",
        )
        if not self.running and not (self.folder / "created").exists():
            self._pg("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", self.user,
                     self.dbname)
            (self.folder / "created").touch()
        self.running = True
        return self

    def stop(self) -> None:
        """A fast shutdown: open connections are terminated, as in a failover."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def log(self) -> str:
        """What the server wrote to its log so far."""
        return (self.folder / "log").read_text(errors="replace")

    def remove(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def server(self) -> Postgres:
        return Postgres("127.0.0.1", self.port, self.user, self.password, self.dbname,
                        str(self.cert))


class StoppableRedis:
    """redis-server with TLS and AUTH on a fixed port; ``start()``/``stop()``."""

    password = "lab-test-auth-token-0123456789"

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/setup")
        self.folder = folder
        self.cert, self.key = self_signed_cert(folder)
        self.port = free_port()
        self.process = None

    def start(self) -> "StoppableRedis":
        self.process = subprocess.Popen(
            [
                self.binary, "--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1",
                "--tls-cert-file", str(self.cert), "--tls-key-file", str(self.key),
                "--tls-ca-cert-file", str(self.cert), "--tls-auth-clients", "no",
                "--requirepass", self.password, "--save", "", "--appendonly", "no",
                "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    @property
    def server(self) -> Redis:
        return Redis("127.0.0.1", self.port, self.password, str(self.cert))
