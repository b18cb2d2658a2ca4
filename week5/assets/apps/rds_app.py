"""The app of Day 3 Lab 1's "애플리케이션 연동 테스트": it writes to the RDS database and reads back.

Runs on the lab's client host as ``sudo lab-app``: the ``lab-app`` wrapper reads host, port,
database, user and password from the database's Secrets Manager secret and passes them in
libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD), with PGSSLMODE=verify-full
and AWS's RDS CA bundle as PGSSLROOTCERT, so the connection is TLS with the server's certificate
checked. Standard library and ``psycopg`` only.

Usage:
  lab-app                 connect, show the TLS session, write one visit, read the latest five
  lab-app write TEXT      write one visit with TEXT as its note
  lab-app read [N]        read the latest N visits (default 5, at most 1000)
Add ``--json`` (before or after the action) for one JSON object instead of text. Exit 0 on
success, 1 when the database refuses or cannot be reached, 2 on bad arguments (checked before
connecting): N is ASCII digits from 0 to 1000, TEXT is not blank and is UTF-8 (a cp949/EUC-KR
terminal sends other bytes).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from typing import Any, Dict, List, Optional

import psycopg

TABLE = "app_visits"
SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " id bigserial PRIMARY KEY,"
    " note text NOT NULL,"
    " written_by text NOT NULL,"
    " written_at timestamptz NOT NULL DEFAULT now())"
)
TLS_QUERY = "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
MAX_NOTE = 200
MAX_READ = 1000  # rows `read` shows at most, one line each


def connect(conninfo: str = "") -> psycopg.Connection:
    """A connection from libpq's variables (the wrapper's), refused unless it runs over TLS."""
    connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    if not connection.execute(TLS_QUERY).fetchone()[0]:
        connection.close()
        raise psycopg.OperationalError("the connection is not encrypted; set PGSSLMODE")
    connection.execute(SCHEMA)
    return connection


def session(connection: psycopg.Connection) -> Dict[str, Any]:
    """Who and where: the server, the database, the user, and the TLS session."""
    version, database, user = connection.execute(
        "SELECT current_setting('server_version'), current_database(), current_user"
    ).fetchone()
    _, tls, cipher = connection.execute(TLS_QUERY).fetchone()
    info = connection.info
    return {
        "server": f"{info.host}:{info.port}",
        "postgres": version,
        "database": database,
        "user": user,
        "tls": tls,
        "cipher": cipher,
        # verify-full: the server's certificate chains to the CA bundle and names the host.
        "sslmode": info.get_parameters().get("sslmode", "prefer"),
    }


def write(connection: psycopg.Connection, note: str) -> Dict[str, Any]:
    row = connection.execute(
        f"INSERT INTO {TABLE} (note, written_by) VALUES (%s, %s) "
        "RETURNING id, note, written_by, written_at",
        (note[:MAX_NOTE], socket.gethostname()),
    ).fetchone()
    return _visit(row)


def read(connection: psycopg.Connection, limit: int = 5) -> Dict[str, Any]:
    rows = connection.execute(
        f"SELECT id, note, written_by, written_at FROM {TABLE} ORDER BY id DESC LIMIT %s",
        (limit,),
    ).fetchall()
    total = connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
    return {"total": total, "latest": [_visit(row) for row in rows]}


def _visit(row) -> Dict[str, Any]:
    return {
        "id": row[0],
        "note": row[1],
        "written_by": row[2],
        "written_at": row[3].isoformat(timespec="seconds"),
    }


def run(argv: Optional[List[str]] = None, conninfo: str = "") -> Dict[str, Any]:
    """What one invocation does and finds, as a dict (``main`` prints it)."""
    args = _arguments(argv)
    with connect(conninfo) as connection:
        result: Dict[str, Any] = {"session": session(connection)}
        if args.action in (None, "write"):
            note = args.note if args.action == "write" else "애플리케이션 연동 테스트"
            result["written"] = write(connection, note)
        if args.action in (None, "read"):
            result.update(read(connection, args.limit if args.action == "read" else 5))
        return result


def _parser() -> argparse.ArgumentParser:
    # No option is taken from its first letters (as week5's own CLI): `--js` was --json.
    parser = argparse.ArgumentParser(
        prog="lab-app", description=__doc__.splitlines()[0], allow_abbrev=False
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    actions = parser.add_subparsers(dest="action")
    write_args = actions.add_parser("write", help="write one visit", allow_abbrev=False)
    write_args.add_argument("text", nargs="+")
    read_args = actions.add_parser("read", help="read the latest visits", allow_abbrev=False)
    # A string, checked by _arguments: int() takes "-5", "٣" (Arabic-Indic 3) and " 5".
    read_args.add_argument("limit", nargs="?", default="5")
    for action in (write_args, read_args):  # after the action too: `lab-app read 10 --json`
        action.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="as lab-app --json"
        )
    return parser


def _arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    """The parsed arguments, refused with one line and exit 2 before any connection when the
    database would refuse them or take them for something else."""
    parser = _parser()
    args = parser.parse_args(argv)
    problem = None
    if args.action == "write":
        args.note = " ".join(args.text)
        if not args.note.strip():
            problem = "write: TEXT is empty; give the note to write, e.g. lab-app write 안녕하세요"
        elif not _is_utf8(args.note):
            problem = (
                f"write: TEXT is not UTF-8 (bytes {_raw(args.note)}; a cp949/EUC-KR terminal?); "
                "switch the terminal to UTF-8 (a UTF-8 locale; Windows: chcp 65001) and retype it"
            )
    if args.action == "read":
        text = args.limit
        if text.isascii() and text.isdigit() and int(text) <= MAX_READ:
            args.limit = int(text)
        else:
            shown = _raw(text) if not _is_utf8(text) else repr(text)
            problem = f"read: N must be 0 to {MAX_READ} in ASCII digits, not {shown}"
    if problem:
        parser.exit(2, f"lab-app: {problem}\n")
    return args


def _is_utf8(text: str) -> bool:
    # A byte the locale cannot decode reaches argv as a lone surrogate (surrogateescape).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw(text: str) -> str:
    """The bytes the terminal sent, as b'...'."""
    try:
        return repr(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a surrogate no byte decodes to: only from run()'s callers
        return repr(text.encode("utf-8", "backslashreplace"))


def render(result: Dict[str, Any]) -> str:
    s = result["session"]
    lines = [
        f"연결: {s['user']}@{s['server']}/{s['database']} (PostgreSQL {s['postgres']})",
        f"TLS: {s['tls']} {s['cipher']} (sslmode={s['sslmode']})",
    ]
    if "written" in result:
        w = result["written"]
        lines.append(f"쓰기: #{w['id']} '{w['note']}' ({w['written_by']}, {w['written_at']})")
    if "latest" in result:
        lines.append(f"읽기: {TABLE}에 {result['total']}행, 최근 {len(result['latest'])}행")
        lines += [
            f"  #{v['id']} {v['written_at']} {v['written_by']}: {v['note']}"
            for v in result["latest"]
        ]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = _arguments(argv).json  # not "--json" in argv: a note may say it
    try:
        result = run(argv)
    except psycopg.Error as error:
        print(f"lab-app: {str(error).strip()}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False) if as_json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
