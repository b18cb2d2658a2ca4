"""Day 3 Lab 1's app (`sudo lab-app`) refuses arguments the database would refuse or misread:
one line naming the argument, exit 2, before connecting (a hostile-input trial found
tracebacks, exit 1 after connecting, and "٣" read as 3)."""

import psycopg
import pytest

import test_rds_app
from servers import free_port

from week5.assets.apps import rds_app

#: test_rds_app's fixture: the app run through the host's wrapper with a secret.
lab_app = test_rds_app.lab_app
secret_of = test_rds_app.secret_of

NOT_UTF8 = (
    "lab-app: write: TEXT is not UTF-8 (bytes b'\\xb1\\xe8'; a cp949/EUC-KR terminal?); "
    "switch the terminal to UTF-8 (a UTF-8 locale; Windows: chcp 65001) and retype it"
)
EMPTY = "lab-app: write: TEXT is empty; give the note to write, e.g. lab-app write 안녕하세요"


def bad_count(shown):
    return f"lab-app: read: N must be 0 to 1000 in ASCII digits, not {shown}"


CASES = [
    # 김 typed in a cp949/EUC-KR terminal: argv holds surrogates; a traceback, exit 1.
    ((b"write", b"\xb1\xe8"), NOT_UTF8),
    # Exit 1 after connecting: "LIMIT must not be negative", "bigint out of range".
    (("read", "-5"), bad_count("'-5'")),
    (("read", "99999999999999999999"), bad_count("'99999999999999999999'")),
    (("read", "1001"), bad_count("'1001'")),
    # int() took these: an Arabic-Indic 3 read as 3, a sign, an underscore, spaces.
    (("read", "٣"), bad_count("'٣'")),
    (("read", "+5"), bad_count("'+5'")),
    (("read", "1_0"), bad_count("'1_0'")),
    (("read", " 5"), bad_count("' 5'")),
    ((b"read", b"\xb1"), bad_count("b'\\xb1'")),
    # An empty note was written.
    (("write", ""), EMPTY),
    (("write", " ", "\u3000"), EMPTY),
]


@pytest.fixture
def utf8_host(monkeypatch):
    """The host's locale is UTF-8 (Amazon Linux 2023), so a cp949 byte reaches argv as a
    surrogate."""
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


@pytest.fixture
def no_server(postgres_server):
    """A secret whose port nothing listens on: a connection attempt fails at once."""
    return secret_of(postgres_server, host="127.0.0.1", port=free_port())


@pytest.mark.parametrize("argv, line", CASES, ids=[repr(argv) for argv, _ in CASES])
def test_a_bad_argument_is_one_line_and_exit_2_before_connecting(
    lab_app, no_server, utf8_host, argv, line
):
    result = lab_app(*argv, secret=no_server)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [line]


def test_the_no_server_secret_does_make_the_app_connect(lab_app, no_server):
    """The refusals above are the arguments', not the missing server's: a good one connects."""
    result = lab_app("read", "5", secret=no_server)
    assert result.returncode == 1 and "Connection refused" in result.stderr


def test_bad_arguments_leave_a_real_database_untouched(lab_app, postgres_server, utf8_host):
    """Against the server: no table created (connect creates it), no row written."""
    for argv, _ in CASES:
        assert lab_app(*argv).returncode == 2, argv
    with psycopg.connect(postgres_server.url) as connection:
        table = connection.execute("SELECT to_regclass('app_visits')").fetchone()[0]
    assert table is None


def test_the_counts_at_the_edges_still_read(lab_app):
    assert lab_app("write", "첫 번째").returncode == 0
    for count, shown in [("0", 0), ("1000", 1), ("0001", 1)]:
        result = lab_app("read", count)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[2] == f"읽기: app_visits에 1행, 최근 {shown}행"


def test_run_refuses_before_connecting(capsys):
    """The same from ``run`` (no connection to 192.0.2.1 is tried: it would take a second)."""
    with pytest.raises(SystemExit) as exit_:
        rds_app.run(["read", "٣"], conninfo="host=192.0.2.1 connect_timeout=1")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == bad_count("'٣'") + "\n"
