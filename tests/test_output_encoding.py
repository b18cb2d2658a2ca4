"""What week5 prints survives a console that cannot show it: Korean Windows writes a redirected
stdout in cp949 (no emoji), and a hostile trial's emoji tag ended `week5 status --json` and
`cleanup --apply --json` in a UnicodeEncodeError traceback, the deletions done and their report
lost. Here stdout is ASCII, which cannot show the labs' Hangul titles either."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support import ROOT


def labs(app, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    return subprocess.run(
        [sys.executable, "-m", "week5", "labs", "--assembly", str(app.outdir), *extra],
        cwd=ROOT, env=env, capture_output=True, timeout=300,
    )  # fmt: skip


def test_text_a_console_cannot_show_is_printed_escaped(app):
    result = labs(app)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in result.stderr
    assert b"\\uad6c\\uc131" in result.stdout  # a title's "구성", as escapes


def test_json_stays_json_with_its_hangul(app):
    result = labs(app, "--json")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    rows = json.loads(result.stdout.decode("ascii"))
    assert any("구성" in str(row) for row in rows)
