"""Finds passwords, tokens and keys written in plain text: in user data, environment variables,
compose files. Used by the Week5-NoPlaintextSecrets rule and by the compose-file checks.

A value counts as plain text when it is a literal: not ``${VAR}``, ``$(command)``, a
CloudFormation intrinsic or a ``{{resolve:secretsmanager:...}}`` reference, and not code that
reads it from somewhere (``os.environ[...]``, ``process.env.X``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List

#: A variable or key whose value is a credential.
SECRET_NAME = re.compile(
    r"(?i)(password|passwd|passphrase|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key)"
)
#: Names that hold where a secret is, not the secret (``DB_SECRET_ARN``, ``TOKEN_FILE``).
_POINTER_SUFFIX = re.compile(
    r"(?i)[_-]?(arn|arns|name|id|file|path|parameter|param|url|uri|length|ttl|seconds|timeout|field|key_id|env|type)$"
)
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::|=)\s*(?P<value>"[^"]*"|'[^']*'|[^\s,;#}]+)"""
)
_AWS_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_CODE_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+([([].*)?$")
_NOT_A_SECRET = {"", "true", "false", "null", "none", "yes", "no", "required", "optional"}
#: What an intrinsic (Ref, GetAtt, ...) stands for once flattened: a value resolved at deploy.
TOKEN = "${Token}"


@dataclass(frozen=True)
class PlaintextSecret:
    where: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.name} is written in plain text"


def is_literal(value: str) -> bool:
    bare = value.strip().strip("\"'").strip()
    if bare.lower() in _NOT_A_SECRET:
        return False
    if bare.startswith(("$", "{{resolve:", "%", "<", "[", "(")) or bare.endswith(("(", "[")):
        return False
    if _CODE_VALUE.match(bare):
        return False
    return True


def scan_text(text: str, where: str) -> List[PlaintextSecret]:
    """Every plain-text credential in ``text`` (one finding per line and name)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        if _AWS_ACCESS_KEY.search(line):
            found.append(PlaintextSecret(where, number, "AWS access key"))
        if _PRIVATE_KEY.search(line):
            found.append(PlaintextSecret(where, number, "private key"))
        for match in _ASSIGNMENT.finditer(line):
            name = match.group("name")
            if SECRET_NAME.search(name) and not _POINTER_SUFFIX.search(name):
                if is_literal(match.group("value")):
                    found.append(PlaintextSecret(where, number, name))
    return found


def scan_variables(variables: Any, where: str) -> List[PlaintextSecret]:
    """Environment variables as a mapping: a credential's name with a literal string value."""
    if not isinstance(variables, dict):
        return []
    return [
        PlaintextSecret(where, 0, name)
        for name, value in variables.items()
        if isinstance(value, str)
        and SECRET_NAME.search(name)
        and not _POINTER_SUFFIX.search(name)
        and is_literal(value)
    ]


def flatten(value: Any) -> str:
    """A CloudFormation value as text, each intrinsic that is not text itself as ``${Token}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    if isinstance(value, list):
        return "".join(flatten(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::Base64":
            return flatten(arg)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            return str(arg[0]).join(flatten(v) for v in arg[1])
        if fn == "Fn::Sub":
            return flatten(arg[0] if isinstance(arg, list) else arg)
    return TOKEN
