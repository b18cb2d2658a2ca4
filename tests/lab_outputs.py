"""The commands the Day 2 and Day 3 labs output, read the way a student's shell reads them.

An output's value is a CloudFormation expression; ``render`` turns it into the text a student
copies, with ``<LogicalId>`` for a ``Ref`` and ``<LogicalId.Attribute>`` for a ``Fn::GetAtt``.
``run`` puts local stand-ins where those placeholders are and runs the command in bash, so a
command that a shell would refuse (a stray quote, a missing ``;``) fails here too.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

#: The course's steps, as a test module lists them: number → (what the step says, check).
Steps = Dict[str, tuple]


def step_registry():
    """A dict of the lab's course steps and the decorator that fills it, in the course's order."""
    steps: Steps = {}

    def step(number: str, says: str):
        def register(check):
            steps[number] = (says, check)
            return check

        return register

    return steps, step


def render(value: Any) -> str:
    """The value as CloudFormation resolves it, with placeholders for deploy-time values."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        resource, attribute = value["Fn::GetAtt"]
        return f"<{resource}.{attribute}>"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(render(part) for part in parts)
    if "Fn::Select" in value:  # a name cut out of an ARN (a secret's, a table's)
        return "<Fn::Select>"
    raise AssertionError(f"unexpected expression in an output: {value}")


def outputs(template: Dict[str, Any]) -> Dict[str, str]:
    """Every output of a template, rendered."""
    return {key: render(o["Value"]) for key, o in template["Outputs"].items()}


def run(
    command: str,
    stand_ins: Mapping[str, str],
    *,
    path: Optional[str] = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess:
    """Run an output's command in bash with each ``<placeholder>`` replaced by its stand-in;
    ``path`` goes first on PATH (fake ``aws`` and the like). Fails on a placeholder left over."""
    for placeholder, value in stand_ins.items():
        command = command.replace(placeholder, value)
    left = re.findall(r"<[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z.]+)?>", command)
    assert not left, f"placeholders {left} left in {command!r}"
    env = dict(os.environ)
    if path:
        env["PATH"] = f"{path}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=timeout
    )


def argument_printer(folder: Path) -> str:
    """``folder`` with an ``aws`` that prints its arguments one per line, for ``run``'s
    ``path``: what the output's command line hands the CLI, word by word."""
    aws = folder / "aws"
    aws.write_text("#!/bin/bash\nprintf '%s\\n' \"$@\"\n")
    aws.chmod(0o755)
    return str(folder)


#: The course plan the step registries follow (outside the repository, next to it).
COURSE_PLAN = Path(__file__).resolve().parents[2] / "shared" / "course" / "week5-course-rules.md"


def plan_section(heading: str) -> str:
    """The text of the plan's section under ``heading`` (its ``#### `` line, without the
    hashes), up to the next heading of that level or higher outside a code block."""
    lines = COURSE_PLAN.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == f"#### {heading}"]
    assert len(starts) == 1, f"{heading!r} is in the plan {len(starts)} times"
    body, fenced = [], False
    for line in lines[starts[0] + 1 :]:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,4} ", line):
            break
        body.append(line)
    return "\n".join(body)


def plan_step_numbers(heading: str) -> List[str]:
    """The numbers of the section's ``Step N: ...`` lines, in the plan's order."""
    return re.findall(r"^Step (\d+):", plan_section(heading), flags=re.MULTILINE)


def plan_mapping(heading: str) -> List[str]:
    """The services the section's "AWS 서비스 매핑" lists (``- Service: what it does``)."""
    section = plan_section(heading)
    mapping = section.split("**AWS 서비스 매핑**:", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^- ([^:]+):", mapping.strip(), flags=re.MULTILINE)
