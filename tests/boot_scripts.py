"""Reading what a boot script writes on the instance: the files it embeds (plain heredocs, or
gzip and base64 for an app's source), the compose file and its ``.env``, and the exit trap that
signals CloudFormation. Used by the per-lab tests to prove that an input reaches the container.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any, Dict, List, Union

import yaml

_GZIPPED = re.compile(
    r"base64 -d <<'WEEK5_EOF' \| gunzip > (?P<path>\S+)\n(?P<blob>[A-Za-z0-9+/=\n]+?)\nWEEK5_EOF"
)
_PLAIN = re.compile(r"cat > (?P<path>\S+) <<'WEEK5_EOF'\n(?P<body>.*?)\nWEEK5_EOF", re.S)


def flat(user_data: Union[str, Dict[str, Any]]) -> str:
    """A user data body as one string; intrinsics (Ref, GetAtt) as their JSON."""
    body = user_data.get("Fn::Base64", user_data) if isinstance(user_data, dict) else user_data
    if isinstance(body, str):
        return body
    return "".join(p if isinstance(p, str) else json.dumps(p) for p in body["Fn::Join"][1])


def embedded_files(text: str) -> Dict[str, bytes]:
    """Every file the script writes from a heredoc: path → content."""
    files = {m["path"]: m["body"].encode() for m in _PLAIN.finditer(text)}
    for match in _GZIPPED.finditer(text):
        files[match["path"]] = gzip.decompress(base64.b64decode(match["blob"]))
    return files


def compose_services(text: str, path: str = "/opt/week5/app/docker-compose.yml") -> Dict:
    return yaml.safe_load(embedded_files(text)[path])["services"]


def env_file_lines(text: str, env_file: str = "/opt/week5/app/.env") -> Dict[str, str]:
    """Variable → what the boot script puts in ``.env``: a value (intrinsics as JSON), or the
    command that reads it at boot."""
    found = {}
    for line in text.splitlines():
        plain = re.fullmatch(rf"echo '(\w+)=(.*)' >> {re.escape(env_file)}", line)
        if plain:
            found[plain[1]] = plain[2]
    lines = text.splitlines()
    for index, line in enumerate(lines):
        read = re.fullmatch(rf"printf '%s=%s\\n' (\w+) \"\$value\" >> {re.escape(env_file)}", line)
        if read:
            found[read[1]] = lines[index - 1].removeprefix("value=$(").removesuffix(")")
    return found


def exit_trap(text: str) -> List[str]:
    """The lines of the script's exit trap (``function exitTrap(){`` ... ``}``)."""
    lines = text.splitlines()
    start = lines.index("function exitTrap(){")
    end = lines.index("}", start)
    assert lines[end + 1] == "trap exitTrap EXIT"
    return lines[start + 1 : end]


def mask_embedded(value: Any) -> Any:
    """Templates with gzip blobs replaced by a marker: the blob's bytes depend on the zlib
    build; tests compare the decompressed file with the repository's instead."""
    if isinstance(value, dict):
        return {k: mask_embedded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_embedded(v) for v in value]
    if isinstance(value, str):
        return _GZIPPED.sub(
            lambda m: f"base64 -d <<'WEEK5_EOF' | gunzip > {m['path']}\n<gzip>\nWEEK5_EOF", value
        )
    return value
