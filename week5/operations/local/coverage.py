"""How much of a template the emulator created, and which resource types it skipped."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence


@dataclass
class Coverage:
    """How much of a template the emulator created; ``skipped`` counts the rest by type."""

    created: int
    total: int
    skipped: Dict[str, int] = field(default_factory=dict)
    error: Optional[str] = None

    @property
    def summary(self) -> str:
        if self.error:
            return f"no ({self.error})"
        if self.created == self.total:
            return "full"
        skipped = ", ".join(
            f"{rtype} x{count}" if count > 1 else rtype for rtype, count in self.skipped.items()
        )
        return f"partial ({self.created} of {self.total} resources; skipped: {skipped})"


def coverage(template: Mapping[str, Any], created_logical_ids: Sequence[str]) -> Coverage:
    resources = {
        k: r["Type"] for k, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"
    }
    created = set(created_logical_ids) & set(resources)
    skipped = collections.Counter(t for k, t in resources.items() if k not in created)
    return Coverage(len(created), len(resources), dict(sorted(skipped.items())))


def coverage_of(result: Any) -> Coverage:
    """The coverage of a ``deploy_and_read`` result: a read-back's, or "no" with the reason."""
    return Coverage(0, 0, error=result) if isinstance(result, str) else result.coverage
