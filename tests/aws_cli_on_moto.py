"""An output's ``aws`` commands, made on an in-process moto as the AWS CLI makes them.

``run_on_moto`` runs an output's line in bash with an ``aws`` that records its arguments (so a
line a shell would refuse fails), then makes each recorded call through boto3 on moto: the
operation (or waiter) and every option by botocore's model, the CLI's shorthand parsed, the
``--query`` applied to the answer. What a student's copy of the line does, without a network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jmespath
from botocore import xform_name
from lab_outputs import run

from week5.core.settings import DEFAULT_REGION as REGION


def recording_aws(folder: Path) -> str:
    """``folder`` with an ``aws`` that appends its arguments (a JSON list a line) to
    ``folder/calls`` and prints nothing, for ``run``'s ``path``."""
    fake = folder / "aws"
    fake.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"with open({str(folder / 'calls')!r}, 'a') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    fake.chmod(0o755)
    return str(folder)


def recorded_calls(folder: Path) -> List[List[str]]:
    """What the ``aws`` of :func:`recording_aws` was handed, one list per call."""
    calls = folder / "calls"
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


_SHORTHAND_WORD = re.compile(r"[^,=\[\]{}]+")


def _shorthand_pairs(text: str, at: int, close: Optional[str]) -> Tuple[Dict[str, Any], int]:
    pairs: Dict[str, Any] = {}
    while True:
        key = _SHORTHAND_WORD.match(text, at)
        assert key and text[key.end()] == "=", f"not Key=Value at {text[at:]!r}"
        value, at = _shorthand_value(text, key.end() + 1)
        pairs[key.group()] = value
        if at == len(text) or text[at] == close:
            return pairs, at
        assert text[at] == ",", f"expected , at {text[at:]!r}"
        at += 1


def _shorthand_value(text: str, at: int) -> Tuple[Any, int]:
    if text[at] in "\"'":  # a quoted value: what the quotes hold, commas and brackets too
        end = text.find(text[at], at + 1)
        assert end > at, f"unclosed quote in {text!r}"
        return text[at + 1 : end], end + 1
    if text[at] != "[":
        word = _SHORTHAND_WORD.match(text, at)
        assert word, f"no value at {text[at:]!r}"
        return word.group(), word.end()
    items, at = [], at + 1
    while text[at] != "]":
        if text[at] == "{":
            item, at = _shorthand_pairs(text, at + 1, "}")
            assert text[at] == "}", f"unclosed {{ in {text!r}"
            at += 1
        else:
            item, at = _shorthand_value(text, at)
        items.append(item)
        if text[at] == ",":
            at += 1
    return items, at + 1


def shorthand(text: str) -> Dict[str, Any]:
    """One structure (or map) in the AWS CLI's shorthand: ``A=x,B=[{C=y,D=z},...]``, a value in
    double or single quotes as it is between them; fails on what the CLI would not read (a stray ``=``, an unclosed bracket)."""
    pairs, at = _shorthand_pairs(text, 0, None)
    assert at == len(text), f"left over: {text[at:]!r}"
    return pairs


def _as_shape(value: Any, shape, where: str) -> Any:
    """A word (or parsed shorthand) as botocore's ``shape`` takes it, as the CLI converts it:
    a single value for a list is a list of one; a structure's keys are its members."""
    kind = shape.type_name
    if kind == "structure":
        if isinstance(value, str):
            value = shorthand(value)
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{where}: {shape.name} has no member {sorted(unknown)}"
        return {k: _as_shape(v, shape.members[k], f"{where}.{k}") for k, v in value.items()}
    if kind == "map":  # Key=Value pairs, each value as the map's value shape takes it
        if isinstance(value, str):
            value = shorthand(value)
        return {k: _as_shape(v, shape.value, f"{where}.{k}") for k, v in value.items()}
    if kind == "list":
        items = value if isinstance(value, list) else [value]
        return [_as_shape(item, shape.member, where) for item in items]
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return {"true": True, "false": False}[value]
    return value


def call_on_moto(aws, args: List[str]) -> Any:
    """One ``aws`` call as the AWS CLI makes it, on moto through boto3: the operation (or
    ``wait``'s waiter) and each option by botocore's model (an unknown one fails here), every
    member it requires, in :data:`REGION`; returns the answer with ``--query`` applied."""
    service, command, rest = args[0], args[1], args[2:]
    client = aws(service)
    model = client.meta.service_model
    waiter = None
    if command == "wait":
        names = {n.replace("_", "-"): n for n in client.waiter_names}  # boto3's: snake_case
        assert rest and rest[0] in names, f"{service} has no waiter {rest[:1]}: {args}"
        waiter = client.get_waiter(names[rest[0]])
        operation, rest = waiter.config.operation, rest[1:]
    else:
        by_cli = {xform_name(op, "-"): op for op in model.operation_names}
        assert command in by_cli, f"{service} has no operation {command}: {args}"
        operation = by_cli[command]
    shape = model.operation_model(operation).input_shape
    members = {xform_name(m, "-"): m for m in shape.members}
    params: Dict[str, Any] = {}
    query, index = None, 0
    while index < len(rest):
        option = rest[index]
        assert option.startswith("--"), f"{option!r} is not an option: {args}"
        option = option[2:]
        values = []
        index += 1
        while index < len(rest) and not rest[index].startswith("--"):
            values.append(rest[index])
            index += 1
        if option in ("region", "query", "output"):
            assert len(values) == 1, (option, args)
            assert option != "region" or values == [REGION], args
            query = values[0] if option == "query" else query
            continue
        name = members.get(option) or members.get(option.removeprefix("no-"))
        assert name, f"{service} {command} has no option --{option}: {args}"
        member = shape.members[name]
        if member.type_name == "boolean" and not values:
            params[name] = not option.startswith("no-")
            continue
        assert values, f"--{option} needs a value: {args}"
        value = values if member.type_name == "list" else values[0]
        assert member.type_name == "list" or len(values) == 1, (option, args)
        params[name] = _as_shape(value, member, f"--{option}")
    missing = set(shape.required_members) - set(params)
    assert not missing, f"{service} {command} needs {sorted(missing)}: {args}"
    if waiter is not None:
        waiter.wait(**params, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        return None
    answer = getattr(client, xform_name(operation))(**params)
    # The CLI queries its answer with timestamps as the text it prints (sort_by takes them).
    answer = json.loads(json.dumps(answer, default=lambda value: value.isoformat()))
    return jmespath.search(query, answer) if query else answer


def run_on_moto(aws, command: str, stand_ins: Dict[str, str], folder: Path) -> List[Any]:
    """Run an output's line in bash (a shell that would refuse it fails here), then make each
    ``aws`` call it made on moto, in order; the answers, ``--query`` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    done = run(command, stand_ins, path=recording_aws(folder))
    assert done.returncode == 0, done.stderr
    calls = recorded_calls(folder)
    assert calls, f"no aws call in {command!r}"
    return [call_on_moto(aws, args) for args in calls]
