"""moto's server with this package's CloudFormation models loaded.

``python -m week5.operations.moto_models.server [moto_server's options]``: the same options as
``moto_server`` (``-H HOST -p PORT``, ...).

Started with :data:`TOKEN_VARIABLE` set, it answers ``GET`` :data:`IDENTITY_PATH` with that
token: how ``week5 local`` tells the server it started from another one on the same port (two
runs picking one port both passed the port check; the second's server then exited with "Address
already in use" while its probe got the first's answer and deployed into it).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable, List, Optional

from . import load

#: The environment variable that hands the server its one-time token.
TOKEN_VARIABLE = "WEEK5_EMULATOR_TOKEN"
#: The route that answers the token (moto has no route of this name).
IDENTITY_PATH = "/week5-emulator/"


def identified(app: Callable[..., Iterable[bytes]], token: str) -> Callable[..., Iterable[bytes]]:
    """``app`` (a WSGI application) with :data:`IDENTITY_PATH` answering ``token``."""

    def application(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == IDENTITY_PATH:
            body = token.encode()
            start_response(
                "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return application


def main(argv: Optional[List[str]] = None) -> None:
    load()
    import moto.server
    from moto.server import main as moto_main

    # Not left in the server's environment: it is this start's, nothing else's.
    token = os.environ.pop(TOKEN_VARIABLE, None)
    if token:
        serve = moto.server.run_simple  # moto's main hands its application to run_simple

        def run_simple(host: str, port: int, app: Any, **options: Any) -> None:
            serve(host, port, identified(app, token), **options)

        moto.server.run_simple = run_simple
    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
