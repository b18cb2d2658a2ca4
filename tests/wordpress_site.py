"""WordPress and its MySQL served on this machine as Day1Lab1 and Day1Case run them in Docker.

The labs run the course's compose files (week5/assets/compose/wordpress.yml; Day1Case:
wordpress-web.yml on the web host, mysql.yml on a host in the private subnet). This machine has
no Docker engine, so each container is stood in for by the same software from Debian's packages,
started the way its image starts it, with the compose service's environment as the only input:

- ``mysql:5.7`` → MariaDB (``mariadb-server``; mysql_site.py): a throwaway server in a temporary
  folder, set up as the image's entrypoint sets it up from ``MYSQL_DATABASE``, ``MYSQL_USER``,
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
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Mapping

from containers import must_be_free, wait_until
from servers import listening, stop

WORDPRESS_SOURCE = Path("/usr/share/wordpress")  # Debian's `wordpress` package
APACHE = Path("/usr/sbin/apache2")  # `apache2`
APACHE_MODULES = Path("/usr/lib/apache2/modules")  # mod_php: `libapache2-mod-php`
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


#: Warnings of the lines Debian adds to install.php (its bug #430781: two UPDATEs of
#: $upload_path and $upload_url_path, unset there), which the official image does not have.
DEBIAN_ONLY = re.compile(r"Undefined variable \$upload(_url)?_path in \S+/wp-admin/install\.php")


@dataclass(frozen=True)
class WordPress:
    url: str
    folder: Path

    @property
    def php_errors(self) -> List[str]:
        """PHP's warnings and errors so far (none is the healthy answer): its own log, and what
        mod_php hands Apache's error log as ``[php:...]`` lines."""
        lines: List[str] = []
        for name, keep in (("php-errors.log", lambda line: True),
                           ("error.log", lambda line: "[php:" in line)):  # fmt: skip
            log = self.folder / name
            if log.is_file():
                lines += [x for x in log.read_text(errors="replace").splitlines() if keep(x)]
        return [line for line in lines if not DEBIAN_ONLY.search(line)]


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
            wait_until(lambda: listening(address, port), "apache2", process, log)
            url = f"http://{address}" + ("" if port == HTTP_PORT else f":{port}")
            yield WordPress(url, folder)
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
