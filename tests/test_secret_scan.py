"""The plain-text secret finder behind Week5-NoPlaintextSecrets, and the compose files the
project ships (which are copied to instances, so they must hold no secret either)."""


import pytest

from week5.assets import COMPOSE_DIR
from week5.core.secret_scan import flatten, scan_text, scan_variables

COMPOSE_DIR = COMPOSE_DIR

#: The course's own compose files (week5-course-rules.md), as students bring them.
COURSE_PRESTASHOP = """\
services:
  prestashop:
    environment:
      DB_SERVER: mysql
      DB_USER: prestashop
      DB_PASSWD: password
  mysql:
    environment:
      MYSQL_PASSWORD: password
      MYSQL_ROOT_PASSWORD: rootpassword
"""


@pytest.mark.parametrize("path", sorted(COMPOSE_DIR.glob("*.yml")), ids=lambda p: p.name)
def test_shipped_compose_files_hold_no_plaintext_secret(path):
    assert scan_text(path.read_text(encoding="utf-8"), path.name) == []


def test_the_course_compose_file_as_written_is_caught():
    found = scan_text(COURSE_PRESTASHOP, "docker-compose.yml")
    assert [(f.line, f.name) for f in found] == [
        (6, "DB_PASSWD"),
        (9, "MYSQL_PASSWORD"),
        (10, "MYSQL_ROOT_PASSWORD"),
    ]
    assert str(found[0]) == "docker-compose.yml:6: DB_PASSWD is written in plain text"


@pytest.mark.parametrize(
    "line",
    [
        "export DB_PASSWORD=hunter2",
        'DB_PASSWORD="s3cr3t value"',
        "  REDIS_AUTH_TOKEN: abcdef0123456789",
        '{"api_key": "k-123"}',
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN RSA PRIVATE KEY-----",
    ],
)
def test_literal_credentials_are_found(line):
    assert scan_text(line, "x"), line


@pytest.mark.parametrize(
    "line",
    [
        "export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id x)",
        "      DB_PASSWORD: ${DB_PASSWORD:?from Secrets Manager}",
        "DB_SECRET_ARN=arn:aws:secretsmanager:ap-northeast-2:1:secret:x",
        "password = os.environ['DB_PASSWORD']",
        "password: process.env.DB_PASSWORD,",
        'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
        "# DB_PASSWORD=hunter2 is what the course writes; we do not",
        "MasterUserPassword: {{resolve:secretsmanager:arn:x:SecretString:password}}",
    ],
)
def test_references_and_code_are_not_secrets(line):
    assert scan_text(line, "x") == [], line


def test_environment_variables_by_name_and_value():
    found = scan_variables(
        {"API_TOKEN": "abc", "DB_SECRET_ARN": "arn:x", "TOKEN_TTL": "300", "REGION": "x"}, "env"
    )
    assert [f.name for f in found] == ["API_TOKEN"]


def test_flatten_keeps_text_and_marks_intrinsics():
    value = {"Fn::Base64": {"Fn::Join": ["", ["export HOST=", {"Ref": "Db"}, "\n"]]}}
    assert flatten(value) == "export HOST=${Token}\n"
