"""Ghost 5 and its MySQL served on this machine as Day4Case's writer host runs them in Docker.

The case runs the course's compose file (week5/assets/compose/ghost.yml) on one host: the
``ghost:5-alpine`` image against RDS for MySQL 8.4. This machine has no Docker engine, so:

- ``ghost:5-alpine`` → the same Ghost from the npm registry (``ghost`` 5.130.4, installed into
  tests/ghost/node_modules by ``npm ci --prefix tests/ghost``) under the project's Node 22 (the
  image's Node): started as the image starts it (``node current/index.js`` in a folder holding
  the ``config.production.json`` that the image's ``ghost config`` writes, with
  ``NODE_ENV=production``), its content folder seeded from Ghost's own ``content/`` as the
  image's entrypoint seeds an empty volume, and the compose service's environment on top.
- RDS for MySQL 8.4 → MariaDB 10.11 from Debian (mysql_site.mysql_container), the database
  ``ghost`` made as RDS makes it (``database_name="ghost"``), its user from the secret. Ghost
  officially wants MySQL 8; its migrations, fixtures, admin and pages run on MariaDB 10.11
  (measured here: a new database is set up in ~6 s, Ghost answers 7-9 s after its start).

Ghost's first start on a new database (its migrations and fixtures: ~4 s of CPU, the same on
every run) is kept between runs (``first_boot``): the database's data folder, the content
folder and Ghost's log as that first start left them, in ~/.cache/week5-tests, by the content of
everything that decides them. Later runs start MariaDB and Ghost on a copy, as a container
restarts on its volumes (Ghost then finds its database set up, and its log goes on from the
first start's). A changed Ghost, MariaDB or environment makes another; a missing, partial or
altered one is made again.

Each host listens at its own loopback address on the port it has in the lab (MySQL on 3306,
Ghost on 2368), so Ghost reaches its database only through ``database__connection__host``.
What Ghost's pages load from the internet (Portal and search from cdn.jsdelivr.net, pictures
from static.ghost.org, the admin's font previews and changelog) does not load here: this network
resolves no such name, and test_browser_news.py fails those requests the same way on any
machine. The admin and its editor are Ghost's own files and work.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Mapping, Optional
from urllib.parse import urlsplit

from containers import kept_folder, must_be_free, wait_until
from mysql_site import (
    data_folder_key,
    kept_data_folder,
    mysql_container,
    mysql_image_setup_sql,
)
from servers import stop

ROOT = Path(__file__).resolve().parent.parent
GHOST_INSTALL = ROOT / "tests" / "ghost" / "node_modules" / "ghost"
GHOST_LOCK = ROOT / "tests" / "ghost" / "package-lock.json"
NODE = ROOT / "node_modules" / ".bin" / "node"  # the project's Node 22 (npm `node@22`)
GHOST_PORT = 2368
#: Raised when what a kept first start holds changes in kind (this file's way of making it).
FIRST_BOOT_FORMAT = 2


def image_config(address: str, content: Path) -> dict:
    """The config.production.json of the ghost:5 image (``ghost config --ip '::' --port 2368
    --db sqlite3 --url http://localhost:2368 ...``, then ``paths.contentPath``): the compose
    environment overrides url and database. One change: the server listens at the stand-in
    host's address, not every address (a container has its own network namespace)."""
    return {
        "url": f"http://localhost:{GHOST_PORT}",
        "server": {"port": GHOST_PORT, "host": address},
        "database": {
            "client": "sqlite3",
            "connection": {"filename": str(content / "data" / "ghost.db")},
        },
        "mail": {"transport": "Direct"},
        "logging": {"transports": ["file", "stdout"]},
        "process": "local",
        "paths": {"contentPath": str(content)},
    }


#: Ghost's request log line (colours taken out): ``"GET /news/" 200 31ms``.
_REQUEST_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+)" (?P<status>\d{3}) ')
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Ghost:
    """A running Ghost: its own address (the writer's private IP and port) and its log."""

    origin: str
    log: Path

    def log_text(self) -> str:
        return _COLOURS.sub("", self.log.read_text(errors="replace"))

    def errors(self) -> List[str]:
        """The lines Ghost logged at level ERROR (each error's first line)."""
        return [line for line in self.log_text().splitlines() if " ERROR " in line]

    def served(self, method: str, path: str) -> int:
        """How many ``method path`` requests Ghost has answered with 200, by its own log."""
        return sum(
            1
            for found in _REQUEST_LINE.finditer(self.log_text())
            if (found["method"], found["path"], found["status"]) == (method, path, "200")
        )


def _answers(address: str, path: str) -> bool:
    """Ghost answers 503 for every request until it has booted."""
    connection = http.client.HTTPConnection(address, GHOST_PORT, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def ghost_container(
    environment: Mapping[str, str],
    *,
    address: str,
    seconds: float = 60.0,
    restart: Optional[Path] = None,
    keep: Optional[Path] = None,
) -> Iterator[Ghost]:
    """Ghost at ``address``:2368, started with the compose ``ghost`` service's
    ``environment``; ready once it has set up its database and answers its admin API.
    ``keep``: a folder that gets, once Ghost has stopped cleanly, its ``content`` folder and its
    ``ghost.log``; ``restart``: such a folder, which this Ghost starts from as a container
    restarts: its content volume a copy of that one, its log going on from that log (as
    ``docker logs`` shows both runs), so ``errors()`` still sees the first start's."""
    if not (GHOST_INSTALL / "index.js").is_file():
        raise RuntimeError(
            f"{GHOST_INSTALL} is missing: run scripts/setup (npm ci --prefix tests/ghost)"
        )
    must_be_free(address, GHOST_PORT, "Ghost")
    folder = Path(tempfile.mkdtemp(prefix="week5-ghost-"))
    content, log = folder / "content", folder / "ghost.log"
    try:
        # The image's /var/lib/ghost: Ghost-CLI's `current` link to the installed version
        # (Ghost finds its package.json through it), the config Ghost reads from its working
        # folder, and the content volume, which the entrypoint seeds from Ghost's content/
        # when it is new.
        (folder / "current").symlink_to(GHOST_INSTALL)
        (folder / "config.production.json").write_text(
            json.dumps(image_config(address, content), indent=2)
        )
        shutil.copytree(
            restart / "content" if restart else GHOST_INSTALL / "content", content, symlinks=True
        )
        if restart:
            shutil.copyfile(restart / "ghost.log", log)
        site_path = urlsplit(environment["url"]).path  # /news/
        with log.open("ab") as log_file:
            process = subprocess.Popen(
                [str(NODE), "current/index.js"],  # the image's CMD
                cwd=folder,
                env={
                    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                    "NODE_ENV": "production",  # the image's ENV
                    **environment,
                },
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(
                lambda: _answers(address, f"{site_path}ghost/api/admin/site/"),
                "Ghost",
                process,
                log,
                seconds,
            )
            yield Ghost(f"http://{address}:{GHOST_PORT}", log)
        finally:
            stop(process)
        if keep is not None:
            if process.returncode != 0:  # killed mid-write: not a volume to start from
                raise RuntimeError(f"Ghost did not stop cleanly:\n{log.read_text()}")
            shutil.move(content, keep / "content")
            shutil.copyfile(log, keep / "ghost.log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- Ghost's first start, kept between runs ----


def first_boot(
    mysql_environment: Mapping[str, str],
    environment: Mapping[str, str],
    *,
    db_address: str,
    address: str,
) -> Path:
    """A folder holding ``data`` (MariaDB's data folder), ``content`` (Ghost's) and
    ``ghost.log`` as Ghost's first start on a new database leaves them, both servers stopped
    cleanly; kept between runs by what decides them: Ghost and its locked packages, what
    decides MariaDB's files, the image's set-up, both services' environments, the image's
    config (but for the temporary content path)."""

    def make(volumes: Path) -> None:
        volumes.mkdir()
        with mysql_container(
            mysql_environment,
            address=db_address,
            data_template=kept_data_folder(),
            keep=volumes / "data",
        ), ghost_container(environment, address=address, keep=volumes):
            pass  # Ghost answered: its migrations and fixtures are in the database

    return kept_folder(
        "ghost-first-boot",
        (
            str(FIRST_BOOT_FORMAT),
            (GHOST_INSTALL / "package.json").read_text(),
            GHOST_LOCK.read_text(),
            *data_folder_key(),
            mysql_image_setup_sql(mysql_environment),
            json.dumps(dict(mysql_environment), sort_keys=True),
            json.dumps(dict(environment), sort_keys=True),
            json.dumps(image_config(address, Path("/content")), sort_keys=True),
        ),
        make,
    )
