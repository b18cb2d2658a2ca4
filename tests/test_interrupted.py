"""Ctrl-C in a `week5` command: one line and exit 130, never a traceback (a trial: Ctrl-C during
`week5 labs`'s synthesis printed week5's own 40-line KeyboardInterrupt traceback)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support import ROOT, error_lines, fake_cdk

import week5.cli
from week5.cli import labs as labs_cli
from week5.cli.errors import EXIT_INTERRUPTED

INTERRUPTED = "week5: interrupted (Ctrl-C); run the command again to start over"


def test_an_interrupted_command_says_so_in_one_line(monkeypatch, capsys):
    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(labs_cli, "run", interrupted)
    try:
        code = week5.cli.main(["labs", "--json"])
    except KeyboardInterrupt:
        pytest.fail("main() let Ctrl-C through: Python prints it as a traceback")
    out, err = capsys.readouterr()
    assert code == EXIT_INTERRUPTED and out == ""
    assert err.splitlines() == [INTERRUPTED]


def terminal_ctrl_c() -> None:
    """SIGINT as a terminal's foreground job has it. A suite started in the background by a
    non-interactive shell (`scripts/test &`, `bench/suite_time.py &`) inherits SIGINT ignored, and
    so does every process it starts: week5 and the stand-in then ignored this test's Ctrl-C and it
    timed out (a bench run)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_a_synthesis_is_one_line_and_keeps_nothing(tmp_path):
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group, week5 and the CDK CLI
    it is waiting on (here a stand-in that, like the app's Python, prints a traceback when
    interrupted)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "cdk.json", project / "cdk.json")
    started = tmp_path / "started"
    fake_cdk(
        project,
        "#!/bin/sh\n"
        "trap 'echo \"Traceback (most recent call last):\" >&2; echo KeyboardInterrupt >&2;"
        " exit 130' INT\n"
        # jsii's kernel makes its folder in the temporary folder it is given
        'mkdir "${TMPDIR:-/tmp}/jsii-kernel-stand-in"\n'
        f'printf %s "${{TMPDIR:-/tmp}}" > "{tmp_path / "tmpdir"}"\n'
        f'touch "{started}"\n'
        "while :; do sleep 0.05; done\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "week5", "labs", "--json", "-c", "labs=Day1Lab1", "--no-cache"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=terminal_ctrl_c,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the stand-in CLI never started"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == EXIT_INTERRUPTED, err
    assert out == ""  # --json: stdout holds JSON alone, and a cut-short run has none
    assert "Traceback" not in err
    assert error_lines(err) == [INTERRUPTED]
    cache = project / ".week5-cache"
    assert not cache.exists() or not [p.name for p in cache.iterdir() if p.name != "lint"]
    # The CLI's and the app's temporary files went with the synthesis's own folder (a trial
    # found /tmp/jsii-kernel-* left by 16 of 17 interrupts).
    given = Path((tmp_path / "tmpdir").read_text())
    assert given != Path(tempfile.gettempdir()) and not given.exists()


def assert_app_says_it_was_interrupted(capsys) -> None:
    """app.py run as `cdk synth` runs it, interrupted: exit 130 and its one line, no traceback."""
    import runpy

    try:
        with pytest.raises(SystemExit) as stopped:
            runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
    except KeyboardInterrupt:
        pytest.fail("app.py let Ctrl-C through: Python prints it as a traceback")
    assert stopped.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err.splitlines() == [
        "week5: interrupted (Ctrl-C); nothing was synthesized"
    ]


def test_ctrl_c_in_the_app_is_one_line_and_exit_130(monkeypatch, capsys):
    """`scripts/cdk.py synth` interrupted: the CLI passes SIGINT to app.py, which printed jsii's
    27-line traceback (a trial)."""

    import week5.synth.app_builder as app_builder

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(app_builder, "build_labs", interrupted)
    monkeypatch.setenv("CDK_OUTDIR", str(ROOT / "never-written"))
    assert_app_says_it_was_interrupted(capsys)
    assert not (ROOT / "never-written").exists()


def test_ctrl_c_while_the_app_loads_its_libraries_is_one_line_too(monkeypatch, capsys):
    """The first seconds go to loading aws-cdk-lib and cdk-nag into jsii's Node: a Ctrl-C then
    was a traceback from inside aws_cdk's import (a trial)."""
    import types

    class Loading(types.ModuleType):
        def __getattr__(self, name):
            if name == "CATALOG":  # what app.py imports from it; nothing else is interrupted
                raise KeyboardInterrupt
            raise AttributeError(name)

    monkeypatch.setitem(sys.modules, "stacks.catalog", Loading("stacks.catalog"))
    assert_app_says_it_was_interrupted(capsys)


def test_jsiis_last_words_after_the_apps_ctrl_c_are_not_shown(tmp_path):
    """jsii's Node gets the terminal's Ctrl-C too and dies: its atexit hook then raised
    BrokenPipeError ("Exception ignored in atexit callback", 5 lines) and the channel said
    ECONNRESET under the app's line (a trial)."""
    script = (
        "import atexit, runpy, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import week5.synth.app_builder as app_builder\n"
        "def interrupted(*_a, **_k):\n"
        "    raise KeyboardInterrupt\n"
        "app_builder.build_labs = interrupted\n"
        "def jsii_stop():\n"
        "    print(\"b'Error on jsii API channel to child process: Error: read ECONNRESET'\",\n"
        "          file=sys.stderr)\n"
        "    raise BrokenPipeError(32, 'Broken pipe')\n"
        "atexit.register(jsii_stop)\n"
        f"runpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ, "CDK_OUTDIR": str(tmp_path / "cdk.out")},
    )  # fmt: skip
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert done.stderr.splitlines() == ["week5: interrupted (Ctrl-C); nothing was synthesized"]
