"""cfn-lint over synthesized templates, with the course's one deliberate exception."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

from week5.core.settings import DEFAULT_REGION

#: W3010 "avoid hard-coding AZs": the course's diagrams fix ap-northeast-2a/2b on purpose
#: (context ``azs`` changes them); the same finding is acknowledged in the CDK validation.
#: W3005 "dependency already enforced by a GetAtt": CDK's own custom-resource providers (S3
#: auto-delete) add a DependsOn their GetAtt already implies; redundant, never wrong.
IGNORED_CHECKS = ("W3010", "W3005")


@dataclass(frozen=True)
class LintFinding:
    rule_id: str
    message: str
    line: int

    @property
    def is_error(self) -> bool:
        return self.rule_id.startswith("E")

    def __str__(self) -> str:
        return f"{self.rule_id} line {self.line}: {self.message}"


def lint_template(path: Path, regions: Sequence[str] = (DEFAULT_REGION,)) -> List[LintFinding]:
    """cfn-lint findings for one template file (errors and warnings)."""
    from cfnlint.api import ManualArgs, lint  # imported here: cfn-lint loads slowly

    matches = lint(
        path.read_text(encoding="utf-8"),
        config=ManualArgs(regions=list(regions), ignore_checks=list(IGNORED_CHECKS)),
    )
    return [LintFinding(m.rule.id, m.message, m.linenumber) for m in matches]
