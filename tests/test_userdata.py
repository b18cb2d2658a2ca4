"""The compose boot lines, run for real in bash with stub `aws` and `docker` commands."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

from week5.assets import APPS_DIR, COMPOSE_DIR
from week5.constructs import userdata

COMPOSE = COMPOSE_DIR / "wordpress.yml"


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def host(tmp_path):
    """A fake host: `aws` prints a password made from the secret id, `docker` logs its call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(
        bin_dir,
        "aws",
        'while [ $# -gt 0 ]; do [ "$1" = --secret-id ] && id=$2; shift; done\necho "pw-for-${id}"',
    )
    _stub(bin_dir, "docker", f'echo "$PWD: docker $*" >> {tmp_path}/docker.log')
    return tmp_path


def run(host: Path, lines) -> subprocess.CompletedProcess:
    script = "\n".join(["set -euxo pipefail", *lines])
    env = {**os.environ, "PATH": f"{host / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)


def test_compose_file_env_file_and_compose_up(host):
    app_dir = host / "app"
    lines = userdata.compose_up(
        COMPOSE,
        region="ap-northeast-2",
        env={"WORDPRESS_DB_HOST": "10.0.11.25"},
        secret_env={"WORDPRESS_DB_PASSWORD": "arn:db", "MYSQL_ROOT_PASSWORD": "arn:root"},
        app_dir=str(app_dir),
    )
    result = run(host, lines)
    assert result.returncode == 0, result.stderr
    assert (app_dir / "docker-compose.yml").read_text() == COMPOSE.read_text().rstrip() + "\n"
    env_file = app_dir / ".env"
    assert env_file.read_text().splitlines() == [
        "WORDPRESS_DB_HOST=10.0.11.25",
        "WORDPRESS_DB_PASSWORD=pw-for-arn:db",
        "MYSQL_ROOT_PASSWORD=pw-for-arn:root",
    ]
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert (host / "docker.log").read_text() == f"{app_dir}: docker compose up -d\n"


def one_secret_lines(host: Path):
    return userdata.compose_up(
        COMPOSE,
        region="ap-northeast-2",
        env={},
        secret_env={"WORDPRESS_DB_PASSWORD": "arn:db"},
        app_dir=str(host / "app"),
    )


def test_secret_values_never_reach_the_boot_log(host):
    result = run(host, one_secret_lines(host))
    assert result.returncode == 0, result.stderr
    assert "pw-for-arn:db" not in result.stdout + result.stderr
    assert "+ docker compose up -d" in result.stderr  # tracing is back on afterwards


def test_an_unreadable_secret_stops_the_boot_before_compose(host):
    _stub(host / "bin", "aws", "echo 'AccessDenied' >&2; exit 254")
    result = run(host, one_secret_lines(host))
    assert result.returncode == 254
    assert not (host / "docker.log").exists()


@pytest.mark.parametrize(
    "arch, served, boots",
    [
        ("x86_64", b"compose for x86_64", True),
        ("aarch64", b"compose for aarch64", True),
        ("x86_64", b"compose for aarch64", False),  # another build, or a tampered one
        ("x86_64", b"", False),
        ("s390x", b"compose for s390x", False),  # no checksum pinned for it
    ],
)
def test_docker_compose_runs_only_when_it_matches_the_pinned_checksum(
    host, monkeypatch, arch, served, boots
):
    """The plugin runs as root: a download whose SHA-256 is not the release's stops the boot
    (set -e) before it is made executable or run."""
    import hashlib

    monkeypatch.setattr(userdata, "DOCKER_COMPOSE_SHA256", {
        a: hashlib.sha256(f"compose for {a}".encode()).hexdigest() for a in ("x86_64", "aarch64")
    })
    (host / "served").write_bytes(served)
    bin_dir = host / "bin"
    for name in ("dnf", "systemctl", "usermod"):
        _stub(bin_dir, name, "true")
    _stub(bin_dir, "uname", f"echo {arch}")
    _stub(bin_dir, "curl", f'while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\n'
                           f'cp {host}/served "$out"')
    plugins = host / "cli-plugins"
    lines = [line.replace("/usr/local/lib/docker/cli-plugins", str(plugins))
             for line in userdata.install_docker()]
    result = run(host, lines)
    plugin = plugins / "docker-compose"
    log = host / "docker.log"
    docker_calls = log.read_text() if log.exists() else ""
    if boots:
        assert result.returncode == 0, result.stderr
        assert os.access(plugin, os.X_OK)
        assert "docker compose version" in docker_calls
    else:
        assert result.returncode != 0
        assert not os.access(plugin, os.X_OK)
        assert "compose version" not in docker_calls


@pytest.mark.parametrize(
    "env, secret_env, says",
    [
        ({"lower": "x"}, {}, "UPPER_SNAKE_CASE"),
        ({}, {"BAD-NAME": "arn"}, "UPPER_SNAKE_CASE"),
        ({"X": "it's"}, {}, "quote or newline"),
        ({"X": "a"}, {"X": "arn"}, "both plain and secret"),
    ],
)
def test_bad_variables_are_refused(env, secret_env, says):
    with pytest.raises(ValueError, match=says):
        userdata.compose_up(COMPOSE, region="ap-northeast-2", env=env, secret_env=secret_env)


def test_compose_files_hold_no_password():
    for compose in COMPOSE.parent.glob("*.yml"):
        text = compose.read_text()
        assert "password\n" not in text and "rootpassword" not in text, compose.name
        assert "${" in text, compose.name


def test_a_field_of_a_json_secret(host):
    """RDS's generated secret is JSON: the host takes one field of it."""
    _stub(
        host / "bin",
        "aws",
        'echo \'{"username": "labadmin", "password": "s3cret-pw", "host": "db.example"}\'',
    )
    lines = userdata.compose_up(
        COMPOSE,
        region="ap-northeast-2",
        env={},
        secret_env={"DB_USER": ("arn:db", "username"), "DB_PASSWD": ("arn:db", "password")},
        app_dir=str(host / "app"),
    )
    result = run(host, lines)
    assert result.returncode == 0, result.stderr
    assert (host / "app" / ".env").read_text().splitlines() == [
        "DB_USER=labadmin",
        "DB_PASSWD=s3cret-pw",
    ]
    assert "s3cret-pw" not in result.stderr


def test_a_missing_json_field_stops_the_boot(host):
    _stub(host / "bin", "aws", 'echo \'{"username": "labadmin"}\'')
    lines = userdata.compose_up(
        COMPOSE,
        region="ap-northeast-2",
        env={},
        secret_env={"DB_PASSWD": ("arn:db", "password")},
        app_dir=str(host / "app"),
    )
    result = run(host, lines)
    assert result.returncode != 0
    assert not (host / "docker.log").exists()


def heredoc(lines, path):
    """The content a boot script writes to ``path`` with write_file."""
    prefix = f"cat > {path} <<'WEEK5_EOF'\n"
    (line,) = [line for line in lines if line.startswith(prefix)]
    return line[len(prefix) :].removesuffix("\nWEEK5_EOF")


TIER_APP = APPS_DIR / "tier_app.py"


def test_python_service_installs_the_script_and_a_unit_run_as_a_throwaway_user():
    lines = userdata.python_service("tier-app", TIER_APP, {"PORT": "8080", "DB_HOST": "db.local"})
    assert heredoc(lines, "/opt/week5/tier-app.py") == TIER_APP.read_text().rstrip()
    unit = heredoc(lines, "/etc/systemd/system/tier-app.service").splitlines()
    assert "ExecStart=/usr/bin/python3 /opt/week5/tier-app.py" in unit
    assert [u for u in unit if u.startswith("Environment=")] == [
        'Environment="PORT=8080"',
        'Environment="DB_HOST=db.local"',
    ]
    assert {"DynamicUser=yes", "Restart=always", "WantedBy=multi-user.target"} <= set(unit)
    assert lines[-2:] == ["systemctl daemon-reload", "systemctl enable --now tier-app"]


@pytest.mark.parametrize(
    "name, env, says",
    [
        ("Tier App", {}, "lowercase"),
        ("tier-app", {"port": "80"}, "UPPER_SNAKE_CASE"),
        ("tier-app", {"DB_HOST": 'a"b'}, "quote or newline"),
    ],
)
def test_python_service_refuses_bad_names_and_values(name, env, says):
    with pytest.raises(ValueError, match=says):
        userdata.python_service(name, TIER_APP, env)


def test_nginx_proxy_re_resolves_the_upstream_and_reloads():
    lines = userdata.nginx_proxy("/api/", "internal-app.elb.amazonaws.com")
    conf = heredoc(lines, "/etc/nginx/default.d/week5-proxy.conf")
    assert conf.splitlines() == [
        "location /api/ {",
        "    resolver 169.254.169.253 valid=30s;",
        "    set $upstream http://internal-app.elb.amazonaws.com;",
        "    proxy_pass $upstream;",
        "    proxy_connect_timeout 5s;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "}",
    ]
    assert lines[-2:] == ["nginx -t", "systemctl reload nginx"]
    with pytest.raises(ValueError, match="start and end with /"):
        userdata.nginx_proxy("/api", "x")


def test_web_page_extra_html_is_not_expanded_by_the_shell(tmp_path):
    page_line = next(
        line for line in userdata.web_page("<p>$HOME `id`</p>") if line.startswith("cat >")
    )
    script = page_line.replace("/usr/share/nginx/html/index.html", str(tmp_path / "index.html"))
    result = subprocess.run(
        ["bash", "-c", "meta() { echo m-$1; }\n" + script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "index.html").read_text()
    assert "<h1>Hello from m-instance-id</h1>" in html
    assert "<p>$HOME `id`</p>" in html
    with pytest.raises(ValueError, match="heredoc"):
        userdata.web_page("EOF")


def test_compose_from_parameters_reads_endpoints_and_secrets_at_boot(host):
    """The user data names parameters only; values come from SSM, passwords from the secret
    whose ARN SSM holds."""
    _stub(
        host / "bin",
        "aws",
        "service=$1; while [ $# -gt 0 ]; do case $1 in --name) n=$2;; --secret-id) s=$2;; esac; "
        "shift; done\n"
        'if [ "$service" = ssm ]; then echo "arn-or-value-of${n}"; '
        'else echo "{\\"username\\": \\"u\\", \\"password\\": \\"pw-of-${s}\\"}"; fi',
    )
    app_dir = host / "app"
    lines = userdata.compose_up_from_parameters(
        COMPOSE,
        region="ap-northeast-2",
        parameter_env={"DB_HOST": "/week5/kim/cloudmart/db-endpoint"},
        secret_env={"DB_PASSWORD": ("/week5/kim/cloudmart/db-secret-arn", "password")},
        app_dir=str(app_dir),
    )
    result = run(host, lines)
    assert result.returncode == 0, result.stderr
    assert (app_dir / ".env").read_text().splitlines() == [
        "DB_HOST=arn-or-value-of/week5/kim/cloudmart/db-endpoint",
        "DB_PASSWORD=pw-of-arn-or-value-of/week5/kim/cloudmart/db-secret-arn",
    ]
    assert "pw-of" not in result.stderr  # tracing is off while the password is read
    script = "\n".join(lines)
    assert "arn:" not in script and "rds.amazonaws.com" not in script


@pytest.mark.parametrize(
    "parameter_env, secret_env, says",
    [
        ({"DB_HOST": "db-endpoint"}, {}, "must be a path"),
        ({"db_host": "/a/b"}, {}, "UPPER_SNAKE_CASE"),
        ({"X": "/a/b"}, {"X": ("/a/c", None)}, "given both"),
        ({}, {"X": ("/a/c", "pass word")}, "plain JSON key"),
    ],
)
def test_compose_from_parameters_refuses_bad_names(parameter_env, secret_env, says):
    with pytest.raises(ValueError, match=says):
        userdata.compose_up_from_parameters(
            COMPOSE, region="ap-northeast-2", parameter_env=parameter_env, secret_env=secret_env
        )


def run_retried(tmp_path: Path, failures: int) -> subprocess.CompletedProcess:
    """userdata.retried's line under set -e, with a `fetch` that fails ``failures`` times and a
    `sleep` that returns at once (the boot's 10 s waits)."""
    count = tmp_path / "tries"
    script = (
        "set -e\n"
        "sleep() { echo \"slept $1\" >> " + str(tmp_path / "sleeps") + "; }\n"
        f"fetch() {{ echo x >> {count}; [ $(wc -l < {count}) -gt {failures} ]; }}\n"
        + userdata.retried("fetch") + "\necho booted\n"
    )
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)


def test_the_first_download_waits_for_a_nat_that_is_not_forwarding_yet(tmp_path):
    """A host behind a NAT instance can start before the NAT forwards: its first download
    (dnf install docker) tries again every 10 s instead of ending the boot (trial V2A)."""
    result = run_retried(tmp_path, failures=3)
    assert result.returncode == 0 and result.stdout == "booted\n", result.stderr
    assert len((tmp_path / "tries").read_text().splitlines()) == 4
    assert (tmp_path / "sleeps").read_text().splitlines() == ["slept 10"] * 3
    assert userdata.install_docker()[0] == userdata.retried("dnf install -y docker")


def test_a_download_that_never_works_ends_the_boot_after_five_minutes(tmp_path):
    result = run_retried(tmp_path, failures=1000)
    assert result.returncode == 1 and "booted" not in result.stdout
    assert len((tmp_path / "tries").read_text().splitlines()) == userdata.NETWORK_TRIES == 30
    assert userdata.NETWORK_TRIES * userdata.NETWORK_RETRY_SECONDS == 300
