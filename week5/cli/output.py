"""What the commands print stays printable on any console: a Korean Windows console or a file
redirected there writes cp949, which has Hangul but no emoji, and a tag holding one ended
`week5 status` and `cleanup --apply --json` in a UnicodeEncodeError traceback (the deletions done,
their report lost).

- :func:`tolerant_stdout`: text a console cannot show is printed as ``\\U0001f680``, not raised;
- :func:`json_text`: JSON as it is where stdout is Unicode, else ASCII with ``\\u`` escapes, so
  the file stays valid JSON either way.
"""

from __future__ import annotations

import codecs
import json
import sys
from typing import Any


def _unicode(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def tolerant_stdout() -> None:
    """Print what stdout's encoding lacks as a backslash escape (stderr already does)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and not _unicode(sys.stdout):
        reconfigure(errors="backslashreplace")


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps(value)``: Hangul as itself where stdout is Unicode, else escaped."""
    return json.dumps(value, ensure_ascii=not _unicode(sys.stdout), **kwargs)
