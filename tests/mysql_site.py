"""The course's MySQL containers (``mysql:5.7`` on Day 1, RDS for MySQL 8.4 on Day 4) stood in
for by a throwaway MariaDB 10.11 from Debian (``mariadb-server``), set up as the mysql image's
entrypoint sets itself up from ``MYSQL_DATABASE``, ``MYSQL_USER``, ``MYSQL_PASSWORD`` and
``MYSQL_ROOT_PASSWORD``: the database, its user from any host, root's password.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional


from containers import kept_folder, must_be_free, wait_until
from servers import listening, stop

MARIADBD = Path("/usr/sbin/mariadbd")  # `mariadb-server`
MARIADB_INSTALL_DB = Path("/usr/bin/mariadb-install-db")
MARIADB_CLIENT = Path("/usr/bin/mariadb")  # `mariadb-client`, pulled in by mariadb-server
MYSQL_PORT = 3306


def sql_string(value: str) -> str:
    """``value`` as a quoted SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---- the MySQL container ----


@dataclass(frozen=True)
class MySql:
    """A running server: where it listens and the compose environment it was set up from."""

    address: str
    port: int
    environment: Dict[str, str]

    def query(self, sql: str) -> List[tuple]:
        """Rows (tuples of strings) of ``sql`` in ``MYSQL_DATABASE``, through the mysql client
        over TCP to the server's address, as the compose file's ``MYSQL_USER``."""
        env = self.environment
        result = subprocess.run(
            [
                str(MARIADB_CLIENT),
                "--no-defaults",
                "--protocol=TCP",
                f"--host={self.address}",
                f"--port={self.port}",
                f"--user={env['MYSQL_USER']}",
                "--batch",
                "--skip-column-names",
                "--default-character-set=utf8mb4",
                f"--execute={sql}",
                env["MYSQL_DATABASE"],
            ],
            env={**os.environ, "MYSQL_PWD": env["MYSQL_PASSWORD"]},
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return [tuple(line.split("\t")) for line in result.stdout.splitlines()]


def mysql_image_setup_sql(environment: Mapping[str, str]) -> str:
    """What the mysql:5.7 image's entrypoint runs on a new data folder: root's password (and
    root from any host, MYSQL_ROOT_HOST's default), the database and its user from any host."""
    root = sql_string(environment["MYSQL_ROOT_PASSWORD"])
    database = environment["MYSQL_DATABASE"].replace("`", "``")
    user, password = (
        sql_string(environment["MYSQL_USER"]),
        sql_string(environment["MYSQL_PASSWORD"]),
    )
    return f"""
        ALTER USER 'root'@'localhost' IDENTIFIED BY {root};
        CREATE USER 'root'@'%' IDENTIFIED BY {root};
        GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
        CREATE DATABASE IF NOT EXISTS `{database}`;
        CREATE USER {user}@'%' IDENTIFIED BY {password};
        GRANT ALL ON `{database}`.* TO {user}@'%';
        FLUSH PRIVILEGES;
    """


#: A small throwaway server: no binary log, no fsync (nothing outlives the test).
_MARIADB_OPTIONS = [
    "--skip-log-bin",
    "--innodb-log-file-size=4M",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
    "--innodb-flush-method=nosync",
    "--skip-name-resolve",
]


def new_data_folder(data: Path) -> None:
    """``mariadb-install-db``: the system tables in ``data``; root without a password (set
    from MYSQL_ROOT_PASSWORD once the server runs, as the image's entrypoint does)."""
    subprocess.run(
        [
            str(MARIADB_INSTALL_DB),
            "--no-defaults",
            f"--datadir={data}",
            # mariadbd refuses root unless named; CI runs as root.
            f"--user={getpass.getuser()}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *_MARIADB_OPTIONS,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _needs_mariadb() -> None:
    if not MARIADBD.is_file():
        raise RuntimeError(f"{MARIADBD} is missing: run scripts/setup (apt: mariadb-server)")


def data_folder_key() -> List[str]:
    """What decides ``new_data_folder``'s files: MariaDB's programs, the options, the user."""
    _needs_mariadb()
    programs = [
        f"{path} {path.stat().st_size} {path.stat().st_mtime_ns}"
        for path in (MARIADBD, MARIADB_INSTALL_DB)
    ]
    return [*programs, *_MARIADB_OPTIONS, getpass.getuser()]


def kept_data_folder() -> Path:
    """``new_data_folder``'s folder (mariadb-install-db: ~1 s of CPU, the same every run), kept
    between runs by ``data_folder_key``: a server copies it (``data_template``)."""
    return kept_folder("mariadb-data", data_folder_key(), new_data_folder)


@contextlib.contextmanager
def mysql_container(
    environment: Mapping[str, str],
    *,
    address: str,
    port: int = MYSQL_PORT,
    data_template: Optional[Path] = None,
    set_up: bool = True,
    keep: Optional[Path] = None,
) -> Iterator[MySql]:
    """A MariaDB server set up from the compose ``mysql`` service's ``environment``, listening
    only at ``address`` (a loopback address standing for the container's). ``data_template``, a
    folder ``new_data_folder`` made, is copied instead of making a new one (saves ~1 s).
    ``set_up=False``: the template already holds what the entrypoint makes (a volume a server of
    this ``environment`` left), which the image's entrypoint then leaves as it is. ``keep``: the
    data folder, once the server has stopped cleanly, is moved there (a volume kept)."""
    _needs_mariadb()
    must_be_free(address, port, "MySQL")
    folder = Path(tempfile.mkdtemp(prefix="week5-mysql-"))
    data, log, sock = folder / "data", folder / "mariadbd.log", folder / "mysqld.sock"
    try:
        if data_template is not None:
            shutil.copytree(data_template, data, symlinks=True)
        else:
            new_data_folder(data)
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    str(MARIADBD),
                    "--no-defaults",
                    f"--datadir={data}",
                    f"--user={getpass.getuser()}",
                    f"--socket={sock}",
                    f"--pid-file={folder / 'mariadbd.pid'}",
                    f"--bind-address={address}",
                    f"--port={port}",
                    *_MARIADB_OPTIONS,
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(lambda: listening(address, port), "mariadbd", process, log)
            if set_up:
                subprocess.run(
                    [
                        str(MARIADB_CLIENT),
                        "--no-defaults",
                        f"--socket={sock}",
                        "--user=root",
                        f"--execute={mysql_image_setup_sql(environment)}",
                    ],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
            yield MySql(address, port, dict(environment))
        finally:
            stop(process)
        if keep is not None:
            if process.returncode != 0:  # killed: InnoDB's files are not a clean volume
                raise RuntimeError(f"mariadbd did not stop cleanly:\n{log.read_text()}")
            shutil.move(data, keep)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- the WordPress container ----
