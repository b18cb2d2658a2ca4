"""moto's server with this package's CloudFormation models loaded.

``python -m week5.operations.moto_models.server [moto_server's options]``: the same options as
``moto_server`` (``-H HOST -p PORT``, ...).
"""

from __future__ import annotations

import sys
from typing import List, Optional

from . import load


def main(argv: Optional[List[str]] = None) -> None:
    load()
    from moto.server import main as moto_main

    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
