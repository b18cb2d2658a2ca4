#!/usr/bin/env python3
"""The pinned CDK CLI on Linux, macOS and Windows: `scripts/cdk` for every OS, in Python.

    python3 scripts/cdk.py deploy Day1Lab1 -c student=kim      (Linux, macOS, WSL)
    py scripts\\cdk.py deploy Day1Lab1 -c student=kim           (Windows PowerShell or cmd)

It runs the CDK CLI of `node_modules/aws-cdk` (package-lock.json's version) with the project's
Node 22 (`node_modules/node`, from `npm ci`) or, where that could not be installed (no build for
the machine, `student_setup.py --system-node`), the machine's own Node. The venv (`.venv/bin` or
`.venv\\Scripts`) comes first on PATH, so cdk.json's `python app.py` is the venv's Python on
every OS. No shell script and no `node_modules/.bin` shim is involved: on Windows those shims
can point at the Linux-style `node` file.

Like `scripts/cdk`: when lab ids are named (and neither --all nor -c labs=... is given), the
app builds only those labs (context `labs`); class-mode stack names and patterns
(`Day4Lab1-kim`, "Day4Lab1-*") select their lab; the context is checked before the app runs
and deploy and destroy against the account too (`week5 preflight`: a misspelt context key stops
with one line, exit 2; a destroy under a name that is not the student's stops with the names of
the stacks that exist). Set up first with `scripts/student_setup.py`
(students) or `scripts/setup` (contributors). Runs on Python 3.8+; messages are ASCII so that
any console code page can print them.
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = os.name == "nt"
#: A lab id, or a class-mode stack or pattern (Day4Lab1-kim, "Day4Lab1-*"): the app checks it.
_LAB_ARG = re.compile(r"([Dd]ay[0-9]+[A-Za-z0-9]*)(-[A-Za-z0-9*?-]*)?", re.ASCII)
#: Below this the pinned CLI's SDK and jsii refuse or warn (see ../shared/reference/pitfalls.md).
MIN_SYSTEM_NODE = 20


def say(message):
    sys.stderr.write("scripts/cdk.py: %s\n" % message)


def venv_bin(root=ROOT):
    """The venv's scripts folder: `.venv/bin` (Linux, macOS) or `.venv\\Scripts` (Windows)."""
    return root / ".venv" / ("Scripts" if WINDOWS else "bin")


def labs_for(args):
    """The lab ids the arguments name, in order, or [] when the whole app is wanted
    (the same rules as `scripts/cdk`)."""
    labs = []
    for arg in args:
        if arg == "--all" or arg.startswith(("labs=", "--context=labs=")):
            return []
        match = _LAB_ARG.fullmatch(arg)
        if match and match.group(1) not in labs:
            labs.append(match.group(1))
    return labs


def node_version(node):
    """The major version `node --version` prints, or None when it does not run."""
    try:
        out = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.", out)
    return int(match.group(1)) if match else None


def pinned_node(root=ROOT):
    """The Node binary `npm ci` put under node_modules/node, or None. On Windows the package
    leaves an empty placeholder named `node` beside `node.exe`, so only real binaries count."""
    base = root / "node_modules" / "node"
    names = ["node.exe"] if WINDOWS else ["node"]
    candidates = [base / "bin" / name for name in names]
    for pattern in ("node_modules/node-*/bin/", "node_modules/node-*/"):
        for name in names:
            candidates.extend(sorted(base.glob(pattern + name)))
    for candidate in candidates:
        try:
            if candidate.is_file() and candidate.stat().st_size > 1_000_000:
                if node_version(candidate) is not None:
                    return candidate
        except OSError:
            continue
    return None


def which(tool):
    """`tool` on PATH. On Windows the real program first (`node.exe`, `npm.cmd`): Node's folder
    also holds extensionless shell scripts that Windows cannot start, and shutil.which's choice
    between them has changed across Python versions."""
    import shutil

    if WINDOWS:
        for extension in (".exe", ".cmd"):
            found = shutil.which(tool + extension)
            if found:
                return found
    return shutil.which(tool)


def system_node():
    """The `node` on PATH, or None."""
    found = which("node")
    return Path(found) if found else None


def find_node(root=ROOT):
    """(node binary, True if it is the project's pinned Node), or (None, False)."""
    pinned = pinned_node(root)
    if pinned is not None:
        return pinned, True
    found = system_node()
    return found, False


#: The CDK commands that run the app, as `scripts/cdk` lists them.
APP_COMMANDS = ("synth", "synthesize", "diff", "deploy", "destroy", "ls", "list", "watch")
#: Of them, those that only read the stacks' names: CDK's built-in CloudFormation validation (a
#: WASM engine, about 1.6 s to start plus 0.1-0.2 s a template; the templates are the same
#: without it) is skipped there, unless the user set CDK_VALIDATION. synth, diff, deploy and
#: destroy keep CDK's default.
READ_ONLY_COMMANDS = ("ls", "list")
#: The commands `week5 preflight` checks first: the app's, and bootstrap, which needs AWS (a
#: refused connection stops there, not after the CDK CLI's minute of retries).
PREFLIGHT_COMMANDS = APP_COMMANDS + ("bootstrap",)


def only_reads(args):
    """Whether `args` run a command that only reads the stacks' names: `ls` or `list`, and no
    other command of the app beside it (an option's value "ls" does not make a deploy one)."""
    named = {arg for arg in args if arg in APP_COMMANDS}
    return bool(named) and named <= set(READ_ONLY_COMMANDS)


def command_and_env(args, root=ROOT, environ=None):
    """The command line and environment that run the pinned CDK CLI with `args`, or raise
    SystemExit with one line saying what to install."""
    environ = dict(os.environ if environ is None else environ)
    cli = root / "node_modules" / "aws-cdk" / "bin" / "cdk"
    if not cli.is_file():
        raise SystemExit(
            "scripts/cdk.py: the CDK CLI is not installed: run `python3 scripts/student_setup.py`"
            " (Windows: `py scripts\\student_setup.py`), or scripts/setup for contributors"
        )
    python_dir = venv_bin(root)
    if not python_dir.is_dir():
        raise SystemExit(
            "scripts/cdk.py: no .venv in %s: run `python3 scripts/student_setup.py`"
            " (Windows: `py scripts\\student_setup.py`)" % root
        )
    node, is_pinned = find_node(root)
    if node is None:
        raise SystemExit(
            "scripts/cdk.py: Node.js is missing: run scripts/student_setup.py (it installs"
            " Node 22 into node_modules), or install Node.js 22 LTS from https://nodejs.org/"
        )
    if not is_pinned:
        major = node_version(node)
        if major is None or major < MIN_SYSTEM_NODE:
            raise SystemExit(
                "scripts/cdk.py: the project's Node 22 is not installed and this machine's"
                " Node (%s) is older than %d: install Node.js 22 LTS from https://nodejs.org/"
                % (node, MIN_SYSTEM_NODE)
            )
        say("using this machine's Node v%d (%s): the project's Node 22 is not installed"
            % (major, node))
    # Node first (the CLI's and jsii's), then the venv (cdk.json's `python app.py`).
    path = [str(node.parent), str(python_dir)]
    environ["PATH"] = os.pathsep.join(path + [environ.get("PATH", "")])
    environ.setdefault("JSII_NODE", str(node))
    if only_reads(args):
        environ.setdefault("CDK_VALIDATION", "false")
    labs = labs_for(args)
    command = [str(node), str(cli)] + list(args)
    if labs:
        command += ["--context", "labs=" + ",".join(labs)]
    return command, environ


#: `week5 preflight` says: nothing to do (exit 0), refused (exit 1) or bad input (exit 2),
#: without running cdk. Any other code: cdk runs (0, or a check that could not run at all).
PREFLIGHT_STOPS = {10: 0, 11: 1, 12: 2}
#: `week5 preflight --after-destroy` says: every stack the destroy named is as it was.
AFTER_DESTROY_UNTOUCHED = 14
#: `week5 preflight`, given the catalog's lab ids (a pattern such as "Day1Chall*" is checked
#: against the labs that exist): week5 never imports the stacks, so the launcher reads them.
PREFLIGHT_CODE = """import sys
try:
    from stacks.catalog import CATALOG
    ids = ["--lab-ids", ",".join(CATALOG.ids)]
except Exception:  # no catalog to read: the shape of the ids alone is checked
    ids = []
from week5.cli import main
sys.exit(main(["preflight"] + ids + sys.argv[1:]))
"""


def preflight(args, environ, root=ROOT):
    """Before the commands that run the app, what `scripts/cdk` checks too (`week5
    preflight`: the context as the app reads it; before deploy and destroy also the student's
    stack name against the account's stacks, a class deploy against the quotas).
    None: run cdk; else the exit code to stop with. Skipped without the venv's Python or
    with WEEK5_PREFLIGHT=0; a check that cannot run at all does not stop cdk."""
    if environ.get("WEEK5_PREFLIGHT") == "0":
        return None
    if not any(arg in PREFLIGHT_COMMANDS for arg in args):
        return None
    python = venv_bin(root) / ("python.exe" if WINDOWS else "python")
    if not python.is_file():
        return None
    command = [str(python), "-c", PREFLIGHT_CODE, "--prog", "scripts/cdk.py", "--"]
    try:
        code = subprocess.run(command + list(args), cwd=str(root), env=environ).returncode
    except KeyboardInterrupt:
        return 130
    return PREFLIGHT_STOPS.get(code)


def _context(args):
    """The `-c key=value` (`--context`, `-c=`, `--context=`) pairs of `args`, in order."""
    pairs = []
    for i, arg in enumerate(args):
        if arg in ("-c", "--context") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(("-c=", "--context=")):
            value = arg.split("=", 1)[1]
        else:
            continue
        key, _, given = value.partition("=")
        pairs.append((key, given))
    return pairs


def _option(args, name):
    """The value of `--name VALUE` or `--name=VALUE` in `args`, else None."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def runs_destroy(args):
    """Whether `args` run `cdk destroy`: the first of them that is a CDK command is it."""
    return next((arg for arg in args if arg in PREFLIGHT_COMMANDS), None) == "destroy"


def destroy_hint(args, windows=WINDOWS):
    """The one line after a failed `cdk destroy` of `args`: the `week5 cleanup` (README's
    wording, without --apply: it deletes nothing) that names what is left and what holds it,
    for the lab's day (every day when the labs are of several, or none is named) and the
    student the destroy named (`-c student=`, a class copy `Day4Lab1-kim`; several: --all);
    its --profile and -c region too. A student trial: a hand-made instance in the lab's subnet
    left the stack DELETE_FAILED and only CDK's "You may need to delete it from the AWS
    console"; the guides send them to `week5 cleanup`."""
    days = sorted({"Day" + re.match(r"[Dd]ay([0-9]+)", lab).group(1) for lab in labs_for(args)})
    copies = []  # the students of the class copies named (Day4Lab1-kim), not of a pattern
    for arg in args:
        match = _LAB_ARG.fullmatch(arg)
        if match and match.group(2) and not any(c in match.group(2) for c in "*?"):
            copies.append(match.group(2)[1:])
    students = []
    for key, value in _context(args):
        if key == "student":
            students.append(value)
        elif key == "students":
            students += [name.strip() for name in value.split(",") if name.strip()]
    names = sorted(set(copies or students))
    quote = (lambda text: text) if windows else shlex.quote
    command = "%s cleanup --day %s" % (
        ".venv\\Scripts\\week5" if windows else ".venv/bin/week5",
        days[0] if len(days) == 1 else "all",
    )
    if len(names) == 1:
        command += " --student " + quote(names[0])
    elif names:
        command += " --all"
    region = next((value for key, value in reversed(_context(args)) if key == "region"), None)
    profile = _option(args, "--profile")
    command += "".join(
        " %s %s" % (flag, quote(value)) for flag, value in (("--profile", profile),
                                                          ("--region", region)) if value
    )
    return (
        "the destroy failed: `%s` names what is left and what holds it (it deletes nothing"
        " without --apply); delete what holds it, then destroy again" % command
    )


#: The signals the launcher passes on to the CLI it waits on, as if the CLI had them itself.
FORWARDED = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)


#: What reaches a whole process group, the CLI included, when it is sent at all: a terminal's
#: Ctrl-C and Ctrl-\\, `timeout -s INT`, a CI runner's cancel, `kill -INT -PGID`.
GROUP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name)
)
#: How long the launcher waits for the CLI to act on a group signal before passing it on (one
#: sent to the launcher alone, `kill -INT PID`, has not reached the CLI).
GROUP_SIGNAL_GRACE_S = 2.0


def passed_on_at_once(signum):
    """Whether the launcher passes `signum` on to the CLI as it gets it: every signal but those
    a group gets (:data:`GROUP_SIGNALS`), which the CLI has too. Passed on again at once, a
    second SIGINT killed CDK inside its own Ctrl-C handler: exit 130 instead of its 1 (reviews
    D18, D18b: a terminal's Ctrl-C, `timeout -s INT`); so those wait
    :data:`GROUP_SIGNAL_GRACE_S` and go only to a CLI still running then."""
    return signum not in GROUP_SIGNALS


def run_then_hint(command, environ, hint, args=()):
    """Run the CLI as a child and say `hint` when it fails (unless `week5 preflight
    --after-destroy` finds the stacks of `args` untouched): what exec gives is kept. The
    child has the launcher's terminal (its output unbuffered, its prompt answered); a signal
    the launcher gets reaches it once (:func:`passed_on_at_once`); the exit code is the CLI's,
    and a CLI killed by a signal kills the launcher with it. Nothing is said after a signal:
    CDK's own Ctrl-C handler exits 1, which is no failed destroy."""
    state = {"process": None, "pending": [], "signalled": False}

    def send(signum):
        try:
            state["process"].send_signal(signum)
        except OSError:  # it has exited
            pass

    def send_if_running(signum):
        if state["process"] is not None and state["process"].poll() is None:
            send(signum)

    def forward(signum, _frame):
        state["signalled"] = True
        if not passed_on_at_once(signum):
            timer = threading.Timer(GROUP_SIGNAL_GRACE_S, send_if_running, (signum,))
            timer.daemon = True
            timer.start()
            return
        if state["process"] is None:  # not started yet: passed on once it is
            state["pending"].append(signum)
        else:
            send(signum)

    def record(_signum, _frame):
        state["signalled"] = True

    # Set before the child starts; the child starts with the default in place of a handler.
    # One ignored (nohup's SIGHUP, a background job's SIGINT) is only noted here and given back
    # to the child as ignored, as the CLI exec'd would have it: CDK's Node listens to SIGINT all
    # the same, and a group's SIGINT made it exit 1, which read as a failed destroy.
    ignored = [s for s in FORWARDED if signal.getsignal(s) is signal.SIG_IGN]
    previous = {
        signum: signal.signal(signum, record if signum in ignored else forward)
        for signum in FORWARDED
    }

    def keep_ignored():
        for signum in ignored:
            signal.signal(signum, signal.SIG_IGN)

    try:
        state["process"] = subprocess.Popen(
            command, env=environ, preexec_fn=keep_ignored if ignored else None
        )
        for signum in state["pending"]:
            send(signum)
        code = state["process"].wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code < 0 and not WINDOWS:  # killed by a signal: as exec'd, the launcher is too
        try:
            signal.signal(-code, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL's cannot be set: it kills all the same
            pass
        os.kill(os.getpid(), -code)
        return 128 - code
    if code != 0 and not state["signalled"] and not untouched(args, environ):
        say(hint)
    return code


def untouched(args, environ, root=ROOT):
    """After a destroy that exited non-zero: whether `week5 preflight --after-destroy` found
    every stack it named as it was (it says so in a line). The CLI exits 1 for a declined
    confirmation too, and the hint would tell a student who answered "n" that the destroy
    failed (a student trial). Without the venv's Python, with WEEK5_PREFLIGHT=0 (no checks),
    or no answer: False (the hint)."""
    if environ.get("WEEK5_PREFLIGHT") == "0":
        return False
    python = venv_bin(root) / ("python.exe" if WINDOWS else "python")
    if not python.is_file():
        return False
    command = [str(python), "-c", PREFLIGHT_CODE, "--prog", "scripts/cdk.py", "--after-destroy"]
    try:
        run = subprocess.run(command + ["--"] + list(args), cwd=str(root), env=environ)
    except (OSError, KeyboardInterrupt):
        return False
    return run.returncode == AFTER_DESTROY_UNTOUCHED


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    command, environ = command_and_env(args)
    os.chdir(str(ROOT))
    stop = preflight(args, environ)
    if stop is not None:
        return stop
    if not WINDOWS:
        if runs_destroy(args):  # waited on, to point at `week5 cleanup` when it fails
            return run_then_hint(command, environ, destroy_hint(args), args)
        os.execve(command[0], command, environ)
    try:
        code = subprocess.run(command, env=environ).returncode
    except KeyboardInterrupt:
        return 130
    if code != 0 and runs_destroy(args) and not untouched(args, environ):
        say(destroy_hint(args))
    return code


if __name__ == "__main__":
    sys.exit(main())
