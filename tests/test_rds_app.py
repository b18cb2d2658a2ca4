"""Day 3 Lab 1's app (`sudo lab-app`): the wrapper reads the secret, the app writes and reads over
TLS with the server's certificate checked; against a real PostgreSQL."""

import json
import os
import subprocess
import sys

import psycopg
import pytest

from support import ROOT

from stacks.day3 import PSYCOPG_PIN, RDS_APP, lab_app_wrapper
from week5.assets.apps import rds_app


def secret_of(postgres_server, **changes):
    return {
        "host": postgres_server.host,
        "port": postgres_server.port,
        "dbname": postgres_server.dbname,
        "username": postgres_server.user,
        "password": postgres_server.password,
        "engine": "postgres",
        **changes,
    }


@pytest.fixture
def lab_app(tmp_path, postgres_server):
    """Runs ``lab-app`` as the host would: a fake ``aws`` prints the secret; the venv's Python
    is this one; the CA bundle is the test server's certificate."""
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS app_visits")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()

    def run(*args, secret=None, ca=postgres_server.ca_file):
        secret = secret or secret_of(postgres_server)
        aws = bin_dir / "aws"
        aws.write_text(f"#!/bin/bash\ncat <<'EOF'\n{json.dumps(secret)}\nEOF\n")
        aws.chmod(0o755)
        script = tmp_path / "lab-app"
        script.write_text(lab_app_wrapper(region="ap-northeast-2", secret_arn="arn:test"))
        script.chmod(0o755)
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "LAB_APP_PYTHON": sys.executable,
            "LAB_APP": str(RDS_APP),
            "LAB_APP_CA": ca,
        }
        return subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, timeout=60
        )

    return run


def test_lab_app_writes_and_reads_back_over_verified_tls(lab_app, postgres_server):
    result = lab_app("--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    session = body["session"]
    assert session["user"] == "labadmin" and session["database"] == "week5"
    assert session["tls"].startswith("TLSv1.") and session["sslmode"] == "verify-full"
    assert body["written"]["note"] == "애플리케이션 연동 테스트"
    assert body["total"] == 1 and body["latest"] == [body["written"]]
    with psycopg.connect(postgres_server.url) as connection:
        assert connection.execute("SELECT note FROM app_visits").fetchall() == [
            ("애플리케이션 연동 테스트",)
        ]


def test_lab_app_write_and_read_subcommands_in_korean_text(lab_app):
    assert lab_app("write", "첫", "번째").returncode == 0
    assert lab_app("write", "second").returncode == 0
    result = lab_app("read", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("연결: labadmin@127.0.0.1:")
    assert "TLS: TLSv1." in lines[1] and "sslmode=verify-full" in lines[1]
    assert lines[2] == "읽기: app_visits에 2행, 최근 1행"
    assert lines[3].endswith(": second")


def test_a_note_that_reads_json_is_written_as_text(lab_app):
    """A hostile trial: main printed JSON whenever "--json" was among its words, so `lab-app
    write -- --json` (a note saying --json) printed JSON."""
    result = lab_app("write", "--", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("연결: ") and "'--json'" in result.stdout


@pytest.mark.parametrize("argv", [["read", "1", "--json"], ["write", "--json", "hi"]])
def test_json_may_follow_the_action(lab_app, argv):
    """A student trial: `lab-app read 10 --json` was "unrecognized arguments: --json"."""
    result = lab_app(*argv)
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), dict)


def test_lab_app_refuses_a_server_whose_certificate_it_cannot_check(lab_app, tmp_path):
    """verify-full: a CA that did not sign the server's certificate stops the app."""
    other = tmp_path / "other-ca.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=other", "-keyout", str(tmp_path / "k"), "-out", str(other)],
        check=True, capture_output=True,
    )
    result = lab_app(ca=str(other))
    assert result.returncode == 1 and "certificate verify failed" in result.stderr


def test_lab_app_reports_a_wrong_password(lab_app, postgres_server):
    result = lab_app(secret=secret_of(postgres_server, password="wrong"))
    assert result.returncode == 1 and "password authentication failed" in result.stderr


def test_the_app_refuses_a_connection_without_tls(postgres_server):
    url = postgres_server.url.replace("sslmode=require", "sslmode=disable")
    # The server would accept it; the app refuses it.
    with pytest.raises(psycopg.OperationalError, match="not encrypted"):
        rds_app.run([], conninfo=url)


@pytest.mark.parametrize("argv", [["--js"], ["--jso"], ["read", "--he"]])
def test_an_abbreviated_option_is_refused_before_any_connection(argv, capsys):
    """`lab-app --js` was --json, yet printed text (main looks for "--json" itself); `read --he`
    was read's --help."""
    with pytest.raises(SystemExit) as exit_:
        rds_app.run(argv, conninfo="host=192.0.2.1 connect_timeout=1")  # no connection made
    assert exit_.value.code == 2
    assert f"unrecognized arguments: {argv[-1]}" in capsys.readouterr().err


def test_lab_app_refuses_an_abbreviation_as_the_host_runs_it(lab_app):
    result = lab_app("--js")
    assert result.returncode == 2 and result.stdout == ""
    assert "lab-app: error: unrecognized arguments: --js" in result.stderr


def test_the_host_installs_the_psycopg_the_tests_use():
    requirements = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert PSYCOPG_PIN in requirements
