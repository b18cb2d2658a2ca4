"""The local AWS emulator's process: moto's server on a free port, and the environment that
points the CDK CLI and boto3 at it."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

from week5.operations.moto_models import server_command
from week5.operations.moto_models.server import IDENTITY_PATH, TOKEN_VARIABLE

#: The account the emulator pretends to be, and the course's region.
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "ap-northeast-2"
#: How long the emulator may take to answer after it starts.
START_TIMEOUT_S = 30.0


#: The exit codes a :class:`LocalError` ends the command with: a failure, or bad input (a
#: ``--port`` in use), as week5.cli.errors numbers them (not imported: no CLI here).
FAILED, BAD_INPUT = 1, 2


class LocalError(Exception):
    """A problem with the local emulator, said in one line; ``code``: the command's exit code
    (:data:`FAILED`, or :data:`BAD_INPUT` for a ``--port`` given that is in use)."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Emulator:
    """A running moto server; ``endpoint`` is what AWS_ENDPOINT_URL takes."""

    port: int
    process: subprocess.Popen
    log_path: Path
    #: Leave it running when the command ends (``week5 local --keep``).
    keep: bool = False

    @property
    def endpoint(self) -> str:
        # "localhost", not 127.0.0.1: moto reads path-style template URLs only for localhost.
        return f"http://localhost:{self.port}"

    def remove_log(self) -> None:
        """Delete the log and its folder (``start_emulator`` made the folder for it)."""
        shutil.rmtree(self.log_path.parent, ignore_errors=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Requests to the emulator go to it, never through the user's proxy (``http_proxy``): a proxy's
#: answer to the token probe was taken for another program on the port.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: What the proxy variables must leave out: the emulator's own address.
_LOCAL_HOSTS = ("localhost", "127.0.0.1")


def start_emulator(
    bin_dir: Path, port: Optional[int] = None, log_parent: Optional[Path] = None
) -> Emulator:
    """Start moto's server on ``port`` (a free one when None) and wait until it answers.

    Its log goes into a new ``week5-moto-*`` folder in ``log_parent`` (the system's temporary
    folder when None), which :meth:`Emulator.remove_log` removes: a test session puts it in
    its own temporary folder, which pytest removes after a few sessions.

    Only the server started here is taken: it is given a one-time token that it answers on
    ``IDENTITY_PATH``. The port is free when checked (or picked), but another program (another
    ``week5 local``) can bind it before our server does: ours then exits with "Address already
    in use" while the other answers, and a run that took any answer deployed into someone
    else's emulator.
    """
    python = shutil.which("python", path=str(bin_dir))
    if python is None or shutil.which("moto_server", path=str(bin_dir)) is None:
        raise LocalError(
            "the emulator (moto_server) is missing: run scripts/setup (contributors) or"
            " `python3 scripts/student_setup.py` (students)"
        )
    given = port is not None
    if port is not None and port_in_use(port):
        raise port_taken(port, given)
    port = port or free_port()
    token = secrets.token_hex(16)
    # dir= only when given: tests stand in for mkdtemp with prefix= alone
    where = {"dir": str(log_parent)} if log_parent is not None else {}
    log_path = Path(tempfile.mkdtemp(prefix="week5-moto-", **where)) / "moto.log"
    with open(log_path, "w") as log:
        # moto's server with the course's models of the types moto 5.2.5 lacks loaded into it.
        # Without the user's AWS_* settings: moto needs none, and a profile that does not
        # exist (AWS_PROFILE) stopped it at start with ProfileNotFound.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env[TOKEN_VARIABLE] = token
        process = subprocess.Popen(
            server_command(port, python=python), stdout=log, stderr=subprocess.STDOUT, env=env
        )
    emulator = Emulator(port, process, log_path)
    identity = f"{emulator.endpoint}{IDENTITY_PATH}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if port_in_use(port):  # ours exited, another answers there
                raise _taken(emulator)
            if _log_says_in_use(log_path):  # no listener, but a connection's own port
                emulator.remove_log()
                raise port_taken(port, given)
            raise LocalError(
                f"the emulator failed to start (exit {process.returncode}); its log: {log_path}"
            )
        try:
            with _DIRECT.open(identity, timeout=1) as response:
                answer = response.read()
        except urllib.error.HTTPError:  # a server answers, without the route: not ours
            raise _taken(emulator) from None
        except OSError:  # nothing listens yet (or it does not answer yet)
            time.sleep(0.2)
            continue
        except http.client.HTTPException:  # something answers, not in HTTP: not ours
            raise _taken(emulator) from None
        if answer != token.encode():  # another week5 emulator
            raise _taken(emulator)
        if process.poll() is not None:
            raise LocalError(
                f"the emulator stopped as it started (exit {process.returncode}); its log:"
                f" {log_path}"
            )
        return emulator
    emulator.stop()
    raise LocalError(
        f"the emulator did not answer within {START_TIMEOUT_S:.0f} s; its log: {log_path}"
    )


def in_use(port: int, given: bool) -> str:
    """The one line for a port the emulator cannot bind: ``given`` with --port, or picked.
    `week5 local` says a --port in use so before synthesis too (a trial got two wordings)."""
    if given:
        return f"--port {port} is in use: pass another, or leave --port out for a free one"
    return f"port {port} is in use: run again, or pass a free port with --port"


def port_taken(port: int, given: bool) -> LocalError:
    """:func:`in_use`'s line; a ``given`` port is bad input (exit 2), as before synthesis: it
    was exit 1 when found in use after it (a trial)."""
    return LocalError(in_use(port, given), BAD_INPUT if given else FAILED)


#: What moto's server (werkzeug) logs when it cannot bind its port.
_IN_USE_LOGGED = ("is in use by another program", "Address already in use")


def _log_says_in_use(log_path: Path) -> bool:
    """Whether the exited server's log says its port was in use: bound by no listener (the
    port check finds it free) but the local port of another connection, in the machine's
    ephemeral range (a re-trial's --port 47352 got only "failed to start; its log: ...")."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return False
    return any(words in text for words in _IN_USE_LOGGED)


def _taken(emulator: Emulator) -> LocalError:
    """Another program took the emulator's port as it started: ours is stopped, its log (the
    bind error, no more) removed, and the error says what to do."""
    emulator.stop()
    emulator.remove_log()
    return LocalError(
        f"port {emulator.port} was taken by another program while the emulator started;"
        " run again, or pass a free port with --port"
    )


def emulator_env(base_env: Mapping[str, str], emulator: Emulator) -> Dict[str, str]:
    """The CLI's and boto3's environment: fake credentials, the region, the emulator's URL."""
    env = {k: v for k, v in base_env.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=LOCAL_REGION,
        AWS_REGION=LOCAL_REGION,
        AWS_ENDPOINT_URL=emulator.endpoint,
    )
    # boto3 and the CDK CLI honour a proxy: the emulator on this machine is reached directly.
    for name in ("NO_PROXY", "no_proxy"):
        given = [h for h in env.get(name, "").split(",") if h.strip()]
        env[name] = ",".join(given + [h for h in _LOCAL_HOSTS if h not in given])
    return env


def clients(endpoint: str) -> Callable[[str], Any]:
    """``clients(service)``: a boto3 client of the emulator at ``endpoint``."""
    import boto3  # only here: `week5 check` needs no AWS SDK
    import botocore.session
    from botocore.config import Config
    from botocore.configprovider import ConstantProvider

    # No profile, whatever AWS_PROFILE says: the emulator takes the fake keys below, and a
    # profile that does not exist failed every read-back with ProfileNotFound.
    core = botocore.session.Session()
    core.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=LOCAL_REGION,
        botocore_session=core,
    )
    # Directly, never through the user's proxy (http_proxy): the read-back went to a proxy
    # that could not reach this machine's emulator while the CDK CLI (NO_PROXY) deployed.
    direct = Config(proxies={})
    return lambda service: session.client(service, endpoint_url=endpoint, config=direct)
