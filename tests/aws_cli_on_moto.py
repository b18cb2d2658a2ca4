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

import botocore.session
import jmespath
from botocore import xform_name
from botocore.exceptions import UnknownServiceError
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


class CliUsageError(AssertionError):
    """A line the AWS CLI refuses before it calls AWS (its exit 252), in the CLI's words: an
    unknown service, operation or option, a required one missing, a value it cannot read. An
    ``AssertionError``: a test that runs an output's line fails on it."""


#: Options the AWS CLI adds to an operation that paginates (botocore has a paginator for it).
CLI_PAGING_OPTIONS = {"max-items", "starting-token", "page-size", "no-paginate"}
#: The CLI's names of the services botocore names otherwise.
CLI_SERVICES = {"s3api": "s3", "configservice": "config"}
#: ``ec2 run-instances``: the CLI's ``--count N`` or ``N:M`` stands for MinCount and MaxCount
#: (both 1 when not given), which it does not take as options.
_RUN_INSTANCES = ("ec2", "RunInstances")


def _read_value(value: Any) -> Any:
    """``file://path`` and ``fileb://path`` as the CLI reads them: the file's text, or bytes."""
    if isinstance(value, str) and value.startswith(("file://", "fileb://")):
        path = Path(value.split("://", 1)[1]).expanduser()
        try:
            return path.read_bytes() if value.startswith("fileb://") else path.read_text()
        except OSError as error:
            raise CliUsageError(
                f"Error parsing parameter: Unable to load paramfile {value}: {error}"
            )
    return value


def _as_shape(value: Any, shape, where: str) -> Any:
    """A word (or parsed shorthand) as botocore's ``shape`` takes it, as the CLI converts it:
    a single value for a list is a list of one; a structure's keys are its members; a
    structure, list or map given as JSON (the word starts with ``{`` or ``[``) is that JSON."""
    kind = shape.type_name
    if kind in ("structure", "map", "list") and isinstance(value, str):
        if value.lstrip()[:1] == "{" or (kind == "list" and value.lstrip()[:1] == "["):
            value = json.loads(value)
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
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else {"true": True, "false": False}[value.lower()]
    return value


def _operation(client, service: str, command: str, rest: List[str]):
    """The operation the CLI's ``command`` names (``wait``'s waiter's, the waiter), and the
    words after it."""
    model = client.meta.service_model
    if command == "wait":
        names = {n.replace("_", "-"): n for n in client.waiter_names}  # boto3's: snake_case
        if not rest or rest[0] not in names:
            raise CliUsageError(f"argument subcommand: Invalid choice: {rest[:1]} ({service} wait)")
        waiter = client.get_waiter(names[rest[0]])
        return waiter.config.operation, waiter, rest[1:]
    by_cli = {xform_name(op, "-"): op for op in model.operation_names}
    if command not in by_cli:
        raise CliUsageError(f"argument operation: Invalid choice: {command!r} ({service})")
    return by_cli[command], None, rest


def call_on_moto(aws, args: List[str]) -> Any:
    """One ``aws`` call as the AWS CLI makes it, on moto through boto3: the operation (or
    ``wait``'s waiter) and each option by botocore's model, every member it requires, in
    :data:`REGION`; a paginated operation through botocore's paginator, every page, as the CLI
    pages (``--max-items``, ``--page-size``, ``--starting-token``, ``--no-paginate``); returns
    the answer without ``ResponseMetadata`` (the CLI never shows it), ``--query`` applied. What
    the CLI would refuse raises :class:`CliUsageError` in its words ("Unknown options: ...")."""
    if len(args) < 2:
        raise CliUsageError("the following arguments are required: command, operation")
    service, command = args[0], args[1]
    try:
        client = aws(CLI_SERVICES.get(service, service))
    except UnknownServiceError:
        raise CliUsageError(f"argument command: Invalid choice: {service!r}") from None
    operation, waiter, rest = _operation(client, service, command, args[2:])
    shape = model_input(client, operation)
    members = {xform_name(m, "-"): m for m in shape.members}
    if (service, operation) == _RUN_INSTANCES:
        members = {k: v for k, v in members.items() if k not in ("min-count", "max-count")}
    snake = xform_name(operation)
    pages = waiter is None and client.can_paginate(snake)
    params: Dict[str, Any] = {}
    paging: Dict[str, Any] = {}
    unknown: List[str] = []
    query, index = None, 0
    while index < len(rest):
        word = rest[index]
        index += 1
        if not word.startswith("--"):
            unknown.append(word)
            continue
        option, values = word[2:], []
        while index < len(rest) and not rest[index].startswith("--"):
            values.append(rest[index])
            index += 1
        if option in ("region", "query", "output"):
            if len(values) != 1:
                raise CliUsageError(f"argument --{option}: expected one argument")
            if option == "region":
                assert values == [REGION], f"--region {values[0]}, not {REGION}: {args}"
            query = values[0] if option == "query" else query
            continue
        if option == "no-cli-pager" or (option == "no-paginate" and pages):
            paging[option] = True
            unknown.extend(values)
            continue
        if option in CLI_PAGING_OPTIONS and pages:
            if len(values) != 1:
                raise CliUsageError(f"argument --{option}: expected one argument")
            paging[option] = values[0] if option == "starting-token" else _number(option, values[0])
            continue
        if option == "count" and (service, operation) == _RUN_INSTANCES:
            if len(values) != 1:
                raise CliUsageError("argument --count: expected one argument")
            low, _, high = values[0].partition(":")
            params["MinCount"] = _number(option, low)
            params["MaxCount"] = _number(option, high or low)
            continue
        name = members.get(option)
        if name is None and option.startswith("no-"):
            name = members.get(option[3:])
            if name is not None and shape.members[name].type_name != "boolean":
                name = None
        if name is None:
            unknown.extend([word] + values)
            continue
        member = shape.members[name]
        if member.type_name == "boolean":  # a flag: --force or --no-force, no value
            params[name] = option in members
            unknown.extend(values)
            continue
        if not values:
            raise CliUsageError(f"argument --{option}: expected one argument")
        if member.type_name != "list" and len(values) > 1:
            unknown.extend(values[1:])
        value = values if member.type_name == "list" else values[0]
        value = [_read_value(v) for v in value] if isinstance(value, list) else _read_value(value)
        try:
            params[name] = _as_shape(value, member, f"--{option}")
        except (AssertionError, ValueError, KeyError, IndexError, TypeError) as error:
            raise CliUsageError(f"Error parsing parameter '--{option}': {error}") from None
    if unknown:
        raise CliUsageError(f"Unknown options: {', '.join(unknown)}")
    if (service, operation) == _RUN_INSTANCES:
        params.setdefault("MinCount", 1)
        params.setdefault("MaxCount", 1)
    missing = [m for m in shape.required_members if m not in params]
    if missing:
        names = ", ".join(f"--{xform_name(m, '-')}" for m in missing)
        raise CliUsageError(f"the following arguments are required: {names}")
    if waiter is not None:
        waiter.wait(**params, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        return None
    paginator = client.get_paginator(snake) if pages else None
    explicit = paginator is not None and _sets_paging_members(client, operation, params)
    if paginator is not None and "no-paginate" not in paging and not explicit:
        config = {
            key: paging[option]
            for option, key in (
                ("max-items", "MaxItems"), ("page-size", "PageSize"),
                ("starting-token", "StartingToken"),
            )
            if option in paging
        }  # fmt: skip
        answer = paginator.paginate(**params, PaginationConfig=config).build_full_result()
    else:
        answer = getattr(client, snake)(**params)
    answer.pop("ResponseMetadata", None)
    # The CLI queries its answer with timestamps as the text it prints (sort_by takes them).
    answer = json.loads(json.dumps(answer, default=_as_text))
    return jmespath.search(query, answer) if query else answer


def model_input(client, operation: str):
    """The operation's input shape (an empty structure for one that takes nothing)."""
    return client.meta.service_model.operation_model(operation).input_shape or _NO_INPUT


class _NoInput:
    members: Dict[str, Any] = {}
    required_members: List[str] = []


_NO_INPUT = _NoInput()


#: botocore's paginator models, read as the CLI reads them.
_PAGINATORS = botocore.session.get_session()


def _number(option: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliUsageError(f"argument --{option}: invalid int value: {text!r}") from None


def _sets_paging_members(client, operation: str, params: Dict[str, Any]) -> bool:
    """The line gives the operation's own token or page size (``--next-token``,
    ``--max-records``): the CLI then makes the one call, as asked, and does not page."""
    service = client.meta.service_model.service_name
    config = _PAGINATORS.get_paginator_model(service).get_paginator(operation)
    names = config.get("input_token", [])
    names = list(names) if isinstance(names, list) else [names]
    names += [config["limit_key"]] if config.get("limit_key") else []
    return any(name in params for name in names)


def _as_text(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if hasattr(value, "read"):  # a streaming body
        return value.read().decode("utf-8", "replace")
    return value.isoformat()


def run_on_moto(aws, command: str, stand_ins: Dict[str, str], folder: Path) -> List[Any]:
    """Run an output's line in bash (a shell that would refuse it fails here), then make each
    ``aws`` call it made on moto, in order; the answers, ``--query`` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    done = run(command, stand_ins, path=recording_aws(folder))
    assert done.returncode == 0, done.stderr
    calls = recorded_calls(folder)
    assert calls, f"no aws call in {command!r}"
    answers = []
    for args in calls:
        try:
            answers.append(call_on_moto(aws, args))
        except CliUsageError as error:
            raise CliUsageError(f"aws: error: {error}: {args}") from None
    return answers
