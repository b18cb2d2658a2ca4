"""WordPress and its MySQL served on this machine as Day1Lab1 and Day1Case run them in Docker.

The labs run the course's compose files (week5/assets/compose/wordpress.yml; Day1Case:
wordpress-web.yml on the web host, mysql.yml on a host in the private subnet). This machine has
no Docker engine, so each container is stood in for by the same software from Debian's packages,
started the way its image starts it, with the compose service's environment as the only input:

- ``mysql:5.7`` → MariaDB (``mariadb-server``): a throwaway server in a temporary folder, set up
  as the image's entrypoint sets it up from ``MYSQL_DATABASE``, ``MYSQL_USER``,
  ``MYSQL_PASSWORD`` and ``MYSQL_ROOT_PASSWORD`` (the database, its user from any host, root's
  password).
- ``wordpress:latest`` → Debian's ``wordpress`` (6.1.9) with its default theme
  (``wordpress-theme-twentytwentythree``), copied into a temporary folder with a wp-config.php
  that reads its settings from the environment as the image's ``wp-config-docker.php`` does
  (``WORDPRESS_DB_*`` and the rest) and the image's ``.htaccess``, served by Apache with mod_php
  and mod_rewrite as the image serves it (``php:8.2-apache``): an instance of its own in the
  foreground, its config file in the temporary folder, started with the compose environment
  (it starts in ~0.1 s, so there is no reason to use ``php -S`` instead).

On the lab, WordPress's calls to api.wordpress.org (the install wizard's language list, update
and browser checks, the dashboard's news) reach the internet; this machine's resolver refuses
the name at once (measured: 1 ms), so WordPress carries on as it does offline, unhidden: the
wizard opens at its English form, which is what a student who keeps English sees.

Each container listens at its own loopback address (Linux answers all of 127.0.0.0/8) on the
port it has on its host: MySQL on 3306, WordPress on 80 (so binding needs root, as CI runs).
So the case's WordPress reaches its database only through ``WORDPRESS_DB_HOST`` (an address and
no port, as the host's private IP), and WordPress's own URLs are ``http://<address>/`` as on
the lab (``http://<public IP>/``): the same on every run, so the guides' pictures are too.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Dict, Iterator, List, Mapping, Optional

import yaml

WORDPRESS_SOURCE = Path("/usr/share/wordpress")  # Debian's `wordpress` package
MARIADBD = Path("/usr/sbin/mariadbd")  # `mariadb-server`
MARIADB_INSTALL_DB = Path("/usr/bin/mariadb-install-db")
MARIADB_CLIENT = Path("/usr/bin/mariadb")  # `mariadb-client`, pulled in by mariadb-server
APACHE = Path("/usr/sbin/apache2")  # `apache2`
APACHE_MODULES = Path("/usr/lib/apache2/modules")  # mod_php: `libapache2-mod-php`
MYSQL_PORT = 3306
HTTP_PORT = 80
DEFAULT_THEME = "twentytwentythree"  # WordPress 6.1's WP_DEFAULT_THEME
#: The user Apache's children run as when started by root, as in the image (www-data owns
#: the files there, so WordPress may write its .htaccess).
WEB_USER = "www-data"

#: wp-config.php as the image makes it from its wp-config-docker.php: each setting is read when
#: PHP runs, from the container's environment (``<NAME>_FILE``'s contents, else ``<NAME>``),
#: else the image's default; the keys and salts default to a random phrase each, as the
#: image's entrypoint fills them in. Then the image's proxy and ``WORDPRESS_CONFIG_EXTRA``
#: handling. Written here, not copied: the behaviour is the image's.
WP_CONFIG = r"""<?php
function week5_env($name, $default) {
    $file = getenv($name . '_FILE');
    if ($file) {
        return rtrim(file_get_contents($file), "\r\n");
    }
    $value = getenv($name);
    return $value === false ? $default : $value;
}

$week5_defaults = [
    'DB_NAME' => 'wordpress',
    'DB_USER' => 'example username',
    'DB_PASSWORD' => 'example password',
    'DB_HOST' => 'mysql',
    'DB_CHARSET' => 'utf8',
    'DB_COLLATE' => '',
%(keys)s
];
foreach ($week5_defaults as $constant => $default) {
    define($constant, week5_env('WORDPRESS_' . $constant, $default));
}
$table_prefix = week5_env('WORDPRESS_TABLE_PREFIX', 'wp_');
define('WP_DEBUG', (bool) week5_env('WORDPRESS_DEBUG', ''));

if (str_contains($_SERVER['HTTP_X_FORWARDED_PROTO'] ?? '', 'https')) {
    $_SERVER['HTTPS'] = 'on';
}
$week5_extra = week5_env('WORDPRESS_CONFIG_EXTRA', '');
if ($week5_extra) {
    eval($week5_extra);
}

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
"""
KEYS_AND_SALTS = (
    "AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT "
    "NONCE_SALT"
).split()

#: The rewrite rules WordPress writes for pretty permalinks, which the image ships ready in
#: its .htaccess (with the Authorization header passed on to PHP).
HTACCESS = """# BEGIN WordPress
RewriteEngine On
RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
RewriteBase /
RewriteRule ^index\\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
# END WordPress
"""

#: Apache as php:8.2-apache configures it (prefork, mod_php for *.php, index.php first,
#: .htaccess allowed, no directory listings), plus what the image's WordPress layer enables
#: (mod_rewrite), in one file: the instance runs in the foreground with everything in
#: ``{folder}``.
APACHE_CONF = """\
ServerRoot "{folder}"
DefaultRuntimeDir "{folder}"
PidFile "{folder}/apache2.pid"
ErrorLog "{folder}/error.log"
LogLevel warn
ServerName {address}
Listen {address}:{port}
{user}
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule php_module {modules}/libphp8.2.so
TypesConfig /etc/mime.types
StartServers 3
MinSpareServers 2
MaxSpareServers 6
MaxRequestWorkers 12
# PHP's warnings, kept for the test to read (the image sends them to the container's stderr).
php_admin_value error_log "{folder}/php-errors.log"
<FilesMatch \\.php$>
    SetHandler application/x-httpd-php
</FilesMatch>
DirectoryIndex disabled
DirectoryIndex index.php index.html
DocumentRoot "{docroot}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{docroot}">
    Options -Indexes +FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
"""


def compose_environment(compose_file: Path, service: str, values: Mapping[str, str]) -> Dict:
    """A compose service's environment with ``${NAME...}`` filled from ``values``, as
    ``docker compose`` fills it from the ``.env`` the host writes at boot."""
    environment = yaml.safe_load(compose_file.read_text())["services"][service]["environment"]

    def fill(text: str) -> str:
        return re.sub(r"\$\{(\w+)[^}]*\}", lambda m: values[m.group(1)], str(text))

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


def _listening(address: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((address, port)) == 0


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


def stop(process: subprocess.Popen, *, seconds: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


@contextlib.contextmanager
def mysql_container(
    environment: Mapping[str, str],
    *,
    address: str,
    port: int = MYSQL_PORT,
    data_template: Optional[Path] = None,
) -> Iterator[MySql]:
    """A MariaDB server set up from the compose ``mysql`` service's ``environment``, listening
    only at ``address`` (a loopback address standing for the container's). ``data_template``, a
    folder ``new_data_folder`` made, is copied instead of making a new one (saves ~1 s)."""
    if not MARIADBD.is_file():
        raise RuntimeError(f"{MARIADBD} is missing: run scripts/setup (apt: mariadb-server)")
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
            wait_until(lambda: _listening(address, port), "mariadbd", process, log)
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
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- the WordPress container ----


@dataclass(frozen=True)
class WordPress:
    url: str
    folder: Path

    @property
    def php_errors(self) -> List[str]:
        """PHP's warnings and errors so far (none is the healthy answer)."""
        log = self.folder / "php-errors.log"
        return log.read_text(errors="replace").splitlines() if log.is_file() else []


def wp_config() -> str:
    """A new container's wp-config.php (its own random keys and salts)."""
    keys = "\n".join(f"    '{key}' => '{secrets.token_hex(20)}'," for key in KEYS_AND_SALTS)
    return WP_CONFIG % {"keys": keys}


def wordpress_files(docroot: Path) -> None:
    """The image's /var/www/html: WordPress, its wp-config.php and its .htaccess."""
    if not (WORDPRESS_SOURCE / "wp-content" / "themes" / DEFAULT_THEME).is_dir():
        raise RuntimeError(
            f"WordPress or its default theme is missing in {WORDPRESS_SOURCE}: run scripts/setup "
            "(apt: wordpress wordpress-theme-twentytwentythree)"
        )
    # Debian links some files to its shared libraries (relatively): copied as files, as the
    # image has them.
    shutil.copytree(WORDPRESS_SOURCE, docroot, symlinks=False)
    # In place of Debian's, which read /etc/wordpress.
    (docroot / "wp-config.php").write_text(wp_config())
    (docroot / ".htaccess").write_text(HTACCESS)


@contextlib.contextmanager
def wordpress_container(
    environment: Mapping[str, str], *, address: str, port: int = HTTP_PORT
) -> Iterator[WordPress]:
    """WordPress under Apache with mod_php at ``address``:``port``, its process started with
    the compose ``wordpress`` service's ``environment`` (as the container is)."""
    if not (APACHE.is_file() and (APACHE_MODULES / "libphp8.2.so").is_file()):
        raise RuntimeError(
            f"{APACHE} or mod_php is missing: run scripts/setup (apt: apache2 libapache2-mod-php)"
        )
    must_be_free(address, port, "WordPress")
    folder = Path(tempfile.mkdtemp(prefix="week5-wordpress-"))
    docroot = folder / "html"
    try:
        wordpress_files(docroot)
        as_root = os.geteuid() == 0
        if as_root:  # the image's files belong to www-data, and so do Apache's children here
            folder.chmod(0o755)
            subprocess.run(["chown", "-R", f"{WEB_USER}:{WEB_USER}", str(docroot)], check=True)
        conf = folder / "apache2.conf"
        conf.write_text(
            APACHE_CONF.format(
                folder=folder,
                address=address,
                port=port,
                docroot=docroot,
                modules=APACHE_MODULES,
                user=f"User {WEB_USER}\nGroup {WEB_USER}" if as_root else "",
            )
        )
        log = folder / "error.log"
        with log.open("ab") as log_file:  # what Apache says before it opens its ErrorLog
            process = subprocess.Popen(
                [str(APACHE), "-f", str(conf), "-DFOREGROUND"],
                # Only the compose environment (and a PATH), as the container's process has.
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **environment},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                # prefork's parent stops by sending SIGTERM to its whole process group: its own.
                start_new_session=True,
            )
        try:
            wait_until(lambda: _listening(address, port), "apache2", process, log)
            url = f"http://{address}" + ("" if port == HTTP_PORT else f":{port}")
            yield WordPress(url, folder)
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
