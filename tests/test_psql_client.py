"""`lab-psql` (Day 3 Lab 1's client script), run against a real PostgreSQL over TLS."""

import json
import os
import subprocess

from week5.constructs.userdata import psql_client_script


def test_lab_psql_connects_with_the_secret_over_tls(tmp_path, postgres_server):
    secret = {
        "host": postgres_server.host,
        "port": postgres_server.port,
        "dbname": postgres_server.dbname,
        "username": postgres_server.user,
        "password": postgres_server.password,
        "engine": "postgres",
    }
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f"#!/bin/bash\ncat <<'EOF'\n{json.dumps(secret)}\nEOF\n")
    aws.chmod(0o755)
    script = tmp_path / "lab-psql"
    script.write_text(psql_client_script(region="ap-northeast-2", secret_arn="arn:test"))
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(
        [
            str(script),
            "-tA",
            "-c",
            "select current_user, current_database(), ssl from pg_stat_ssl "
            "where pid = pg_backend_pid()",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "labadmin|week5|t"


def test_lab_psql_creates_a_table_and_inserts_rows(tmp_path, postgres_server):
    """Day 3 Lab 1 step 2, "테이블 생성 및 데이터 삽입", as the student types it in lab-psql."""
    secret = {
        "host": postgres_server.host,
        "port": postgres_server.port,
        "dbname": postgres_server.dbname,
        "username": postgres_server.user,
        "password": postgres_server.password,
    }
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(f"#!/bin/bash\ncat <<'EOF'\n{json.dumps(secret)}\nEOF\n")
    (bin_dir / "aws").chmod(0o755)
    script = tmp_path / "lab-psql"
    script.write_text(psql_client_script(region="ap-northeast-2", secret_arn="arn:test"))
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    sql = (
        "DROP TABLE IF EXISTS students;"
        "CREATE TABLE students (id serial PRIMARY KEY, name text NOT NULL);"
        "INSERT INTO students (name) VALUES ('kim'), ('lee');"
        "SELECT string_agg(name, ',' ORDER BY id) FROM students;"
    )
    result = subprocess.run(
        [str(script), "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "kim,lee"


def test_lab_psql_stops_when_the_secret_is_unreadable(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text("#!/bin/bash\necho AccessDenied >&2\nexit 254\n")
    (bin_dir / "aws").chmod(0o755)
    (bin_dir / "psql").write_text("#!/bin/bash\necho psql-ran\n")
    (bin_dir / "psql").chmod(0o755)
    script = tmp_path / "lab-psql"
    script.write_text(psql_client_script(region="ap-northeast-2", secret_arn="arn:test"))
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert result.returncode == 254 and "psql-ran" not in result.stdout
