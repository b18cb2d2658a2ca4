"""Every construct prop is documented as aws-cdk's are: a summary (what it is and why), then
its ``@default`` when it has one. A review found 21 props with a ``@default`` and nothing
before it (HaWebTier's capacities, RedisCache's node_type, ...)."""

from __future__ import annotations

import inspect
import re
from typing import Dict

import pytest

import week5.constructs as library

CONSTRUCTS = (
    "MultiAzVpc", "LabHost", "DockerHost", "BastionPair", "LabDatabase", "RedisCache",
    "StaticSite", "SharedFileSystem", "DataVolume", "ScheduledSnapshots", "LabKeyPair",
    "LeftoverCleanup", "CloudMartStack", "HaWebTier",
)  # fmt: skip

PARAM = re.compile(r":param (\w+):(.*?)(?=\n\s*:param |\n\n|\Z)", re.S)


def documented(cls: type) -> Dict[str, str]:
    """Prop -> its text, from the class's docstring and, for props it passes on (DockerHost's
    vpc and subnet), its week5 bases'."""
    texts: Dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("week5."):
            for match in PARAM.finditer(inspect.getdoc(base) or ""):
                texts[match.group(1)] = " ".join(match.group(2).split())
    return texts


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_every_prop_has_a_summary_and_its_default(name):
    cls = getattr(library, name)
    texts = documented(cls)
    problems = []
    for param in list(inspect.signature(cls.__init__).parameters.values())[3:]:
        if param.kind is param.VAR_KEYWORD:
            continue
        text = texts.get(param.name)
        if text is None:
            problems.append(f"{param.name}: not documented")
            continue
        if not text.split("@default")[0].strip():
            problems.append(f"{param.name}: a @default and no summary")
        if param.default is not param.empty and "@default" not in text:
            problems.append(f"{param.name}: no @default")
    assert problems == []
