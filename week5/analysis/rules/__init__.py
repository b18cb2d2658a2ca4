"""The course's rules, one per file, each named after its file (``no_retain_on_delete.py``
holds ``Week5-NoRetainOnDelete``), as cdk-nag keeps its rules."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Tuple

from week5.analysis.rules.base import CourseRule, pascal_case

_NOT_RULES = {"base"}


def _load() -> Tuple[CourseRule, ...]:
    rules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _NOT_RULES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = module.RULE
        if rule.name != pascal_case(info.name):
            raise ImportError(
                f"{module.__name__} holds {rule.name}; a rule is named after its file"
            )
        rules.append(rule)
    return tuple(rules)


RULES: Tuple[CourseRule, ...] = _load()
