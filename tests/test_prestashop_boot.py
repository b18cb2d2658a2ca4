"""The Day 2 case's host scripts, run here with a fake ``docker``: week5-prestashop-boot seeds the
shared docroot once (every instance then serves the same shop), builds phpredis once and writes
the session and liveness settings; lab-shop-status reports the stores."""

import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stacks.day2 import PRESTASHOP_BOOT_SCRIPT, PRESTASHOP_IMAGE, PRESTASHOP_STATUS_SCRIPT

#: A fake ``docker``: the image's files come from $FAKE_IMAGE_FILES; ``run`` "builds" phpredis
#: (or fails with FAKE_BUILD_FAILS=1); every call is logged to $FAKE_DOCKER_LOG.
FAKE_DOCKER = r"""#!/bin/bash
echo "$*" >> "$FAKE_DOCKER_LOG"
case "$1" in
  pull|rm) exit 0 ;;
  create) echo cid-$$ ;;
  cp) [ "$2" = -a ] && src=$3 dst=$4 || { echo "cp without -a" >&2; exit 2; }
      [ "${src#*:}" = /var/www/html/. ] || { echo "unexpected source $src" >&2; exit 2; }
      cp -a "$FAKE_IMAGE_FILES/." "$dst" ;;
  run) out=$(echo "$*" | sed -n 's/.*-v \([^:]*\):\/out.*/\1/p')
       echo "compiling redis.c" > "$out/build.log"
       [ "${FAKE_BUILD_FAILS:-0}" = 1 ] && { echo "pecl: no network" >> "$out/build.log"; exit 1; }
       printf '\177ELF phpredis' > "$out/redis.so" ;;
  compose) shift 4; case "$*" in
      *session.save_handler*) printf redis ;;
      *PDO*) printf ok ;;
      *Redis*) printf 'ok, 3 sessions' ;;
    esac ;;
  *) echo "unexpected docker $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def image_files(tmp_path):
    """A small PrestaShop-like tree: owners, modes, a symlink, an empty folder."""
    root = tmp_path / "image"
    (root / "app" / "config").mkdir(parents=True)
    (root / "img" / "p").mkdir(parents=True)
    (root / "var" / "cache").mkdir(parents=True)
    (root / "install").mkdir()
    (root / "index.php").write_text("<?php require 'config/config.inc.php';")
    (root / "install" / "index.php").write_text("<?php // installer")
    (root / "app" / "config" / "parameters.yml.dist").write_text("parameters: {}")
    for index in range(150):  # enough files for several parallel batches
        (root / "img" / "p" / f"{index}.jpg").write_bytes(bytes([index % 256]) * 10)
    (root / "docs-link").symlink_to("install/index.php")
    (root / "var" / "cache").chmod(0o775)
    (root / "app" / "config" / "parameters.yml.dist").chmod(0o640)
    if os.geteuid() == 0:  # www-data owns what PrestaShop writes
        for path in (root / "var", root / "var" / "cache", root / "img"):
            os.chown(path, 33, 33)
    return root


def tree(root: Path):
    """Every entry under ``root``: kind, mode, owner, and content or link target."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            what = ("link", os.readlink(path))
        elif path.is_dir():
            what = ("dir", None)
        else:
            what = ("file", path.read_bytes())
        found[str(path.relative_to(root))] = (
            what, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid
        )
    return found


@pytest.fixture
def host(tmp_path, image_files):
    """Runs the boot script as an instance would: EFS at tmp/efs, its app folder, fake docker."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    efs = tmp_path / "efs"
    efs.mkdir()
    log = tmp_path / "docker.log"

    def boot(name="a", **env):
        app_dir = tmp_path / f"app-{name}"
        app_dir.mkdir(exist_ok=True)
        return subprocess.run(
            ["bash", str(PRESTASHOP_BOOT_SCRIPT), PRESTASHOP_IMAGE, str(efs / "prestashop"),
             str(app_dir)],
            env={
                **os.environ,
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "FAKE_IMAGE_FILES": str(image_files),
                "FAKE_DOCKER_LOG": str(log),
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
        ), app_dir

    boot.efs = efs
    boot.docker_calls = lambda: log.read_text().splitlines() if log.exists() else []
    return boot


def test_the_first_instance_publishes_the_image_files_on_the_shared_file_system(
    host, image_files
):
    result, app_dir = host()
    assert result.returncode == 0, result.stderr
    assert "published the shop's files" in result.stdout
    assert tree(host.efs / "prestashop") == tree(image_files)
    assert not list(host.efs.glob(".seed-*"))  # the staging folder became the docroot
    assert not list(Path("/var/tmp").glob(f"prestashop-files.*{os.getpid()}*"))
    calls = host.docker_calls()
    assert calls[0] == f"pull -q {PRESTASHOP_IMAGE}"
    assert f"create {PRESTASHOP_IMAGE}" in calls


def test_later_instances_use_the_shared_files_and_the_built_extension(host):
    host("a")
    first_calls = len(host.docker_calls())
    result, app_dir = host("b")
    assert result.returncode == 0, result.stderr
    assert "already holds the shop's files" in result.stdout
    later = host.docker_calls()[first_calls:]
    assert later == [f"pull -q {PRESTASHOP_IMAGE}"]  # no copy, no phpredis build
    assert (app_dir / "php-ext" / "redis.so").read_bytes() == b"\x7fELF phpredis"


def test_what_the_installer_writes_is_seen_by_every_instance(host):
    """The install state is a file on the shared docroot: a second instance finds it, and
    never copies the installer back over it."""
    host("a")
    parameters = host.efs / "prestashop" / "app" / "config" / "parameters.php"
    parameters.write_text("<?php return ['parameters' => ['database_host' => 'rds']];")
    (host.efs / "prestashop" / "install" / "index.php").unlink()
    (host.efs / "prestashop" / "install").rmdir()
    result, _ = host("b")
    assert result.returncode == 0
    assert parameters.exists() and not (host.efs / "prestashop" / "install").exists()


def test_two_first_instances_publish_one_docroot(host, image_files):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda name: host(name)[0], ["a", "b"]))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    said = sorted(
        "published" if "published the shop's files" in r.stdout
        else "first" if "published" in r.stdout and "first" in r.stdout
        else "already" for r in results
    )
    assert said in (["first", "published"], ["already", "published"])
    assert tree(host.efs / "prestashop") == tree(image_files)
    assert not list(host.efs.glob(".seed-*"))


def test_a_staging_folder_left_by_a_stopped_instance_is_removed(host, tmp_path):
    stale = host.efs / ".seed-ip-10-0-11-9-4242"
    (stale / "img").mkdir(parents=True)
    old = 3600 * 2
    os.utime(stale, (os.path.getmtime(stale) - old,) * 2)
    result, _ = host()
    assert result.returncode == 0 and not stale.exists()


def test_sessions_go_to_redis_over_tls_from_the_containers_environment(host):
    result, app_dir = host()
    assert result.returncode == 0, result.stderr
    ini = (app_dir / "week5-php.ini").read_text().splitlines()
    settings = dict(
        (k.strip(), v.strip()) for k, v in (line.split("=", 1) for line in ini
                                             if line and not line.startswith(";"))
    )
    assert settings == {
        "extension": "/usr/local/lib/php/week5/redis.so",
        "session.save_handler": "redis",
        "session.save_path": '"tls://${REDIS_HOST}:${REDIS_PORT}?auth=${REDIS_AUTH_TOKEN}'
        '&timeout=2&read_timeout=2"',
    }
    cached = host.efs / ".week5" / "redis-6.1.0-prestashop_prestashop_8.2.7-apache.so"
    assert cached.read_bytes() == (app_dir / "php-ext" / "redis.so").read_bytes()
    (build,) = [c for c in host.docker_calls() if c.startswith("run ")]
    assert "pecl install redis-6.1.0 </dev/null" in build and PRESTASHOP_IMAGE in build


def test_without_phpredis_php_keeps_file_sessions_and_the_boot_goes_on(host):
    result, app_dir = host(FAKE_BUILD_FAILS="1")
    assert result.returncode == 0, result.stderr
    assert "phpredis did not build" in result.stdout and "pecl: no network" in result.stdout
    assert "session.save_handler" not in (app_dir / "week5-php.ini").read_text()
    assert not (app_dir / "php-ext" / "redis.so").exists()
    assert not list((host.efs / ".week5").glob("*.so"))  # the next instance tries again


def test_liveness_is_a_local_file_apache_serves_without_php(host):
    result, app_dir = host()
    conf = [
        line for line in (app_dir / "week5-health.conf").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert conf == ["Alias /health /var/www/week5-health.txt"]
    assert (app_dir / "health.txt").read_text() == "ok\n"


def test_lab_shop_status_reports_the_files_the_install_and_the_stores(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "curl").write_text(
        "#!/bin/bash\ncase \"$*\" in *api/token*) echo t ;; *instance-id*) echo i-0abc ;;"
        " *availability-zone*) echo ap-northeast-2a ;; *health*) printf 200 ;; esac\n"
    )
    (bin_dir / "mountpoint").write_text("#!/bin/bash\nexit 0\n")
    for name in ("docker", "curl", "mountpoint"):
        (bin_dir / name).chmod(0o755)
    docroot = tmp_path / "efs" / "prestashop"
    (docroot / "app" / "config").mkdir(parents=True)
    (docroot / "app" / "config" / "parameters.php").write_text("<?php")
    (docroot / "install").mkdir()
    (docroot / "admin123abc").mkdir()
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    result = subprocess.run(
        ["bash", str(PRESTASHOP_STATUS_SCRIPT)],
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
             "APP_DIR": str(app_dir), "SHOP_DOCROOT": str(docroot),
             "FAKE_DOCKER_LOG": str(tmp_path / "log")},
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "instance: i-0abc (ap-northeast-2a)",
        "liveness (/health): 200",
        f"shop files: {docroot} on EFS (shared by every instance)",
        "installed: yes",
        "install folder: still there (RemoveInstallFolderCommand deletes it)",
        "back office: /admin123abc/ (renamed by PrestaShop at its first visit)",
        "php sessions: redis",
        "database: ok",
        "redis: ok, 3 sessions",
    ]
    assert all(
        line.startswith("compose exec -T prestashop php -r")
        for line in (tmp_path / "log").read_text().splitlines()
    )
