"""One long-lived ``aws`` (tests/aws_cli_shim.py) for the tests that run many printed lines.

A line's ``aws`` started a Python process that imported boto3 and loaded botocore's models
again: 0.22 s of CPU a call, and test_aws_cli_shim's printed lines make about 200 calls (54 s of
CPU for the file). Here the shim runs in one server process per test module, and ``aws`` on the
lines' PATH is a small client (Python without site-packages) that hands it the call: its
arguments, working directory and ``AWS_*`` environment, and gets back what the shim printed and
its exit code. What a line sees is what the shim run alone gives it (the behaviour tests of
test_aws_cli_shim still run the shim as its own process, as a student's ``aws`` is).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, Optional

HERE = Path(__file__).resolve().parent
#: The variable that tells the client where the server listens.
SOCKET_ENV = "WEEK5_AWS_SHIM_SOCKET"
#: With it set, the client appends each call (its words, exit code and stderr) to that file.
LOG_ENV = "SHIM_LOG"

#: ``aws``: sends the call, prints the answer, exits with its code. `-S`: no site-packages to
#: import, so it starts in about 20 ms.
CLIENT = f"""#!{sys.executable} -S
import json, os, socket, sys
call = {{"argv": sys.argv[1:], "cwd": os.getcwd(),
        "env": {{k: v for k, v in os.environ.items() if k.startswith("AWS_")}}}}
with socket.socket(socket.AF_UNIX) as server:
    server.connect(os.environ[{SOCKET_ENV!r}])
    server.sendall(json.dumps(call).encode() + b"\\n")
    answer = json.loads(server.makefile("rb").read())
sys.stdout.write(answer["stdout"])
sys.stderr.write(answer["stderr"])
if os.environ.get({LOG_ENV!r}):
    with open(os.environ[{LOG_ENV!r}], "a") as log:
        log.write(json.dumps([sys.argv[1:], answer["code"], answer["stderr"]]) + "\\n")
sys.exit(answer["code"])
"""


def serve(path: str) -> None:
    """Answer calls on the Unix socket ``path``, one at a time, until killed."""
    sys.path.insert(0, str(HERE))
    import aws_cli_shim
    import boto3

    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    last_env: Optional[Dict[str, str]] = None  # the first call sets the AWS_* it has, or none
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen()
        print("ready", flush=True)
        while True:
            connection, _ = listener.accept()
            with connection:
                call = json.loads(connection.makefile("rb").readline())
                if call["env"] != last_env:  # boto3's default session keeps what it read
                    os.environ.clear()
                    os.environ.update({**base, **call["env"]})
                    boto3.DEFAULT_SESSION = None
                    last_env = call["env"]
                os.chdir(call["cwd"])
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    try:
                        code = aws_cli_shim.main(call["argv"])
                    except SystemExit as error:  # argparse's, as the process would exit
                        code = error.code if isinstance(error.code, int) else int(
                            error.code is not None
                        )
                answer = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
                connection.sendall(json.dumps(answer).encode())


@contextlib.contextmanager
def aws_on_path(folder: Path, env: Dict[str, str]) -> Iterator[Dict[str, str]]:
    """``env`` with ``aws`` on its PATH (in ``folder / "bin"``) answered by one server
    process, stopped at the end; a line's own ``AWS_*`` variables are the ones the call uses."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    client = bin_dir / "aws"
    client.write_text(CLIENT)
    client.chmod(0o755)
    # A short path: a Unix socket's is at most about 100 bytes (pytest's tmp paths are long).
    with tempfile.TemporaryDirectory(prefix="week5-aws-") as sockets:
        path = str(Path(sockets) / "aws.sock")
        server = subprocess.Popen(
            [sys.executable, __file__, path], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            ready = server.stdout.readline()
            assert ready == "ready\n", f"the aws server did not start ({server.poll()})"
            yield {**env, SOCKET_ENV: path, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
        finally:
            server.kill()
            server.wait(timeout=30)
            server.stdout.close()


if __name__ == "__main__":
    serve(sys.argv[1])
