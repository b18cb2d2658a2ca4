#!/usr/bin/env python3
"""Student set-up: what deploying the labs needs, on Linux, macOS or Windows, without root.

    python3 scripts/student_setup.py          (Linux, macOS, WSL)
    py scripts\\student_setup.py               (Windows PowerShell or cmd)

It needs only Python 3.11+ and Node.js with npm, and installs into the project folder, from
the pinned files:
  .venv/         requirements.txt (the runtime pins: aws-cdk-lib, constructs, cdk-nag, jsii),
                 requirements-tools.txt (boto3, for `week5 status`, `cleanup`, `audit`; moto's
                 server, the local AWS emulator of `week5 local`) and the `week5` command
                 (`pip install --no-deps -e .`)
  node_modules/  the CDK CLI and Node 22 from package-lock.json (`npm ci`); where the pinned
                 Node has no build for the machine, the machine's own Node (20 or newer) is used
                 instead, as `--system-node` asks for
Then run the CDK CLI with `scripts/cdk.py`. Re-running skips what is already installed.

`scripts/setup` stays the contributors' set-up (test tools, PostgreSQL, Redis, Graphviz, the
demo APIs' packages, with apt). Messages are ASCII so that any console code page prints them.
Exit codes: 0 done, 1 an install step failed, 2 Python or npm is missing or too old.
"""

import argparse
import hashlib
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = os.name == "nt"
MIN_PYTHON = (3, 11)
#: package-lock.json is lockfileVersion 3, which npm 7 introduced.
MIN_NPM = 7
EXIT_OK, EXIT_FAILED, EXIT_MISSING = 0, 1, 2
PY_STAMP = ".week5-student-stamp"  # in .venv: STUDENT_FILES installed
FULL_PY_STAMP = ".week5-stamp"  # scripts/setup's, in .venv (a superset) and node_modules
NODE_STAMP = ".week5-stamp"  # in node_modules, as scripts/setup writes it: pinned Node + CLI
SYSTEM_NODE_STAMP = ".week5-student-stamp"  # in node_modules: the CLI only, the machine's Node
#: The files each stamp digests (FULL_FILES as scripts/setup hashes them, in its order):
#: a change to any of them re-installs.
STUDENT_FILES = ("requirements.txt", "requirements-tools.txt", "pyproject.toml")
FULL_FILES = (
    "requirements.txt", "requirements-dev.txt", "requirements-tools.txt", "pyproject.toml"
)

PYTHON_URL = "https://www.python.org/downloads/"
NODE_URL = "https://nodejs.org/"


def _load_launcher():
    """scripts/cdk.py, the launcher that finds Node and runs the CLI (shared, not copied)."""
    path = str(ROOT / "scripts" / "cdk.py")
    spec = importlib.util.spec_from_file_location("week5_cdk_launcher", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = _load_launcher()


def step(message):
    print("==> " + message, flush=True)


def fail(message, code=EXIT_FAILED):
    sys.stderr.write("student_setup: %s\n" % message)
    sys.stderr.flush()
    return code


def run(command, **kwargs):
    """subprocess.run in the project folder (tests replace this)."""
    kwargs.setdefault("cwd", str(ROOT))
    return subprocess.run([str(part) for part in command], **kwargs)


def digest(*names):
    """sha256 of the files' bytes one after the other, as scripts/setup's `cat | sha256sum`."""
    sha = hashlib.sha256()
    for name in names:
        sha.update((ROOT / name).read_bytes())
    return sha.hexdigest()


def read_stamp(path):
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def is_wsl():
    return sys.platform.startswith("linux") and "microsoft" in platform.release().lower()


def python_command():
    """How the student starts Python on this OS, for the commands printed at the end."""
    if WINDOWS:
        return "py" if shutil.which("py") else "python"
    return "python3"


# --- prerequisites ------------------------------------------------------------------------

def missing_prerequisites(version_info=None, which=None, npm_version=None, wsl=None):
    """One line per missing or unusable prerequisite (empty when all is there)."""
    version_info = sys.version_info if version_info is None else version_info
    which = launcher.which if which is None else which
    wsl = is_wsl() if wsl is None else wsl
    problems = []
    if tuple(version_info[:2]) < MIN_PYTHON:
        problems.append(
            "Python %d.%d or newer is needed, this is %d.%d (%s): get it from %s (its Windows"
            " installer needs no admin; or `winget install Python.Python.3.12`, or"
            " `uv python install 3.12`), then run this script with it"
            % (MIN_PYTHON + tuple(version_info[:2]) + (sys.executable, PYTHON_URL))
        )
    elif not _has_venv():
        problems.append(
            "this Python cannot make a venv with pip (Debian and Ubuntu ship that apart, as"
            " python3-venv): install python3-venv, or without root use a Python from %s,"
            " pyenv or uv (`uv python install 3.12`)" % PYTHON_URL
        )
    npm = which("npm")
    if npm is None:
        problems.append(
            "npm is missing: install Node.js 22 LTS, which brings npm, from %s (no admin: its"
            " .zip for Windows or .tar.xz for Linux and macOS, or nvm / fnm)" % NODE_URL
        )
    elif wsl and str(npm).startswith("/mnt/"):
        problems.append(
            "the npm on PATH (%s) is Windows' npm, which cannot install into WSL: install"
            " Node.js 22 LTS inside WSL (nvm, or the Linux .tar.xz from %s)" % (npm, NODE_URL)
        )
    else:
        version = npm_version(npm) if npm_version else _npm_major(npm)
        if version is None or version < MIN_NPM:
            problems.append(
                "npm %s at %s cannot read package-lock.json (it needs npm %d or newer):"
                " install Node.js 22 LTS from %s"
                % ("(unknown version)" if version is None else version, npm, MIN_NPM, NODE_URL)
            )
    return problems


def _has_venv():
    try:
        import ensurepip  # noqa: F401  (Debian's python3 lacks it without python3-venv)
        import venv  # noqa: F401
    except ImportError:
        return False
    return True


def _npm_major(npm):
    try:
        out = run([npm, "--version"], stdout=subprocess.PIPE, universal_newlines=True,
                  timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"\s*(\d+)\.", out or "")
    return int(match.group(1)) if match else None


# --- Python: .venv with the runtime pins and the week5 command -----------------------------

def venv_python():
    return launcher.venv_bin(ROOT) / ("python.exe" if WINDOWS else "python")


def install_python():
    """Make .venv and install requirements.txt, requirements-tools.txt and `week5` into it;
    returns an exit code."""
    python = venv_python()
    stamp = ROOT / ".venv" / PY_STAMP
    want = digest(*STUDENT_FILES)
    full = digest(*FULL_FILES)
    if python.is_file() and (
        read_stamp(stamp) == want or read_stamp(ROOT / ".venv" / FULL_PY_STAMP) == full
    ):
        step("Python packages: up to date")
        return EXIT_OK
    if not python.is_file():
        step("a virtual environment in .venv (Python %d.%d)" % sys.version_info[:2])
        if run([sys.executable, "-m", "venv", ".venv"]).returncode != 0:
            return fail("`%s -m venv .venv` failed (see above)" % sys.executable)
    check = run(
        [python, "-c", "import sys; sys.exit(0 if sys.version_info >= %r else 3)" % (MIN_PYTHON,)],
        capture_output=True, text=True,
    )
    if check.returncode != 0:
        return fail(
            "%s does not run, or is older than Python %d.%d: delete the .venv folder and run"
            " this script again" % ((python,) + MIN_PYTHON)
        )
    step("the pinned CDK libraries (requirements.txt), boto3 and the local AWS emulator"
         " (requirements-tools.txt, for `week5 status`, `cleanup`, `audit` and `week5 local`)"
         " into .venv (the first time: about 140 MB downloaded, 450 MB on disk)")
    # --no-compile: pip would byte-compile all of aws-cdk-lib (about 15 s of CPU); Python
    # compiles the few modules a synth imports on first use instead. One pip run resolves both
    # files together: two would install a dependency, then replace it (python-dateutil).
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile"]
    if run(pip + ["-r", "requirements.txt", "-r", "requirements-tools.txt"]).returncode != 0:
        return fail("pip could not install requirements.txt and requirements-tools.txt (see above)")
    # The editable install prints setuptools' notes: keep them in a log, show them on failure.
    log = ROOT / ".venv" / "editable-install.log"
    editable = run(pip + ["-q", "--no-deps", "-e", "."], capture_output=True, text=True)
    log.write_text((editable.stdout or "") + (editable.stderr or ""), encoding="utf-8")
    if editable.returncode != 0:
        sys.stderr.write(log.read_text(encoding="utf-8")[-3000:])
        return fail("`pip install --no-deps -e .` (the week5 command) failed; log: %s" % log)
    stamp.write_text(want + "\n", encoding="ascii")
    return EXIT_OK


# --- Node: the pinned CDK CLI, with the pinned Node 22 where it has a build ------------------

def install_node(system_node=False):
    """`npm ci`; returns (exit code, "pinned" or "system")."""
    modules = ROOT / "node_modules"
    want = digest("package.json", "package-lock.json")
    if not system_node:
        if read_stamp(modules / NODE_STAMP) == want and launcher.pinned_node(ROOT) is not None:
            step("Node 22 and the CDK CLI: up to date")
            return EXIT_OK, "pinned"
    elif read_stamp(modules / SYSTEM_NODE_STAMP) == want + " system-node":
        step("the CDK CLI: up to date (with this machine's Node)")
        return EXIT_OK, "system"
    npm = launcher.which("npm")
    base = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    if not system_node:
        step("Node 22 and the CDK CLI into node_modules (npm ci; the first time about 60 MB downloaded,"
             " 250 MB on disk)")
        result = run(base)
        if result.returncode == 0 and launcher.pinned_node(ROOT) is not None:
            (modules / NODE_STAMP).write_text(want + "\n", encoding="ascii")
            return EXIT_OK, "pinned"
        why = (
            "npm ci failed (see above)" if result.returncode != 0
            else "npm ci left no Node binary in node_modules/node"
        )
        node = launcher.system_node()
        major = launcher.node_version(node) if node else None
        if major is None or major < launcher.MIN_SYSTEM_NODE:
            return fail(
                "the pinned Node 22 could not be installed for %s-%s (%s), and this machine's"
                " Node is %s: install Node.js 22 LTS from %s and run this again"
                % (sys.platform, platform.machine(), why,
                   "missing" if major is None else "v%d" % major, NODE_URL)
            ), None
        step(
            "the pinned Node 22 could not be installed for %s-%s (%s): using this machine's"
            " Node v%d instead" % (sys.platform, platform.machine(), why, major)
        )
    else:
        node = launcher.system_node()
        major = launcher.node_version(node) if node else None
        if major is None or major < launcher.MIN_SYSTEM_NODE:
            return fail(
                "--system-node needs Node.js %d or newer on PATH (found: %s): install Node.js"
                " 22 LTS from %s" % (launcher.MIN_SYSTEM_NODE,
                                     "none" if major is None else "v%d" % major, NODE_URL)
            ), None
        step("the CDK CLI into node_modules, with this machine's Node v%d (npm ci"
             " --ignore-scripts)" % major)
    # --ignore-scripts: no download of the pinned Node; the CLI itself has no install script.
    if run(base + ["--ignore-scripts"]).returncode != 0:
        return fail("npm ci --ignore-scripts failed (see above)"), None
    (modules / SYSTEM_NODE_STAMP).write_text(want + " system-node\n", encoding="ascii")
    return EXIT_OK, "system"


def cli_versions():
    """`cdk --version` through scripts/cdk.py's own lookup, and the Node it used."""
    command, environ = launcher.command_and_env(["--version"], root=ROOT)
    result = run(command, env=environ, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return None
    node = subprocess.run(
        [command[0], "--version"], capture_output=True, text=True
    ).stdout.strip()
    return result.stdout.strip().split(" ")[0], node


def next_steps():
    cdk = "%s scripts%scdk.py" % (python_command(), "\\" if WINDOWS else "/")
    shell = "PowerShell" if WINDOWS else ("WSL" if is_wsl() else "this shell")
    page = "docs/\uc2dc\uc791\ud558\uae30.md"  # the Korean getting-started page
    commands = [
        ("ls", "the labs"),
        ("synth Day1Lab1 -c student=<name>", "a template; no AWS account needed"),
        ("bootstrap", "once per AWS account and region"),
        ("deploy Day1Lab1 -c student=<name>", ""),
        ("destroy Day1Lab1 -c student=<name>", "same -c student as the deploy"),
    ]
    week5 = ".venv\\Scripts\\week5" if WINDOWS else ".venv/bin/week5"
    lines = ["", "Done. Next, in %s (more in %s):" % (shell, page)]
    for args, note in commands:
        line = "  %s %s" % (cdk, args)
        lines.append(("%-60s # %s" % (line, note)) if note else line)
        if args.startswith("synth"):  # the page's first thing to try without an AWS account
            lines.append("%-60s # %s" % (
                "  %s local Day1Lab2 --keep" % week5,
                "a lab on a local AWS emulator; no AWS account needed",
            ))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="student_setup.py",
        allow_abbrev=False,  # `--system-nod` ran the set-up: a typo should stop it
        description="Install what deploying the Week 5 labs needs into this folder: "
        ".venv (requirements.txt, requirements-tools.txt) and node_modules (the pinned CDK CLI"
        " and Node 22).",
    )
    parser.add_argument(
        "--system-node", action="store_true",
        help="use this machine's Node.js (20 or newer) instead of downloading the pinned Node 22",
    )
    options = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")

    problems = missing_prerequisites()
    if problems:
        for problem in problems:
            fail(problem)
        return EXIT_MISSING

    code = install_python()
    if code != EXIT_OK:
        return code
    code, _node_kind = install_node(system_node=options.system_node)
    if code != EXIT_OK:
        return code
    versions = cli_versions()
    if versions is None:
        return fail("the CDK CLI does not start: run `%s scripts/cdk.py --version` to see why"
                    % python_command())
    check = run([venv_python(), "--version"], capture_output=True, text=True)
    print("    cdk %s, node %s, %s" % (versions[0], versions[1], check.stdout.strip()))
    print(next_steps())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
