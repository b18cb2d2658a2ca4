"""cfn-lint over synthesized templates, with the course's one deliberate exception."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, List, Sequence, Tuple

from week5.core.settings import DEFAULT_REGION

if TYPE_CHECKING:
    from cfnlint.runner import Runner

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


@functools.lru_cache(maxsize=None)
def _runner(regions: Tuple[str, ...]) -> "Runner":
    """cfn-lint's runner (its rules, and the JSON schemas they parse), built once a process and
    not thread-safe. cfnlint.api.lint builds one for every template (about 0.6 s of CPU; its
    ``rules`` argument takes the old RulesCollection, not a Runner's Rules); cfn-lint's own
    command line lints every template it is given with one, as here: each template resets the
    per-template config and initializes every rule, so the findings stay the API's
    (tests/test_cfn_lint.py). `week5 check --assembly cdk.out --no-cache`, 14 labs: 9.4 s of
    CPU against 14.3 to 15.2 s with a runner a template.

    The course's settings only: cfn-lint reads a ``.cfnlintrc`` (``.yaml``, ``.yml``) in the
    working folder and the home folder unless given a config file, and one there (custom rules,
    ignored or added checks) would change what `week5 check` passes, and in a way its findings
    cache (:mod:`week5.cli.lint_cache`, keyed by the template and cfn-lint) cannot see. An
    empty config file (:data:`os.devnull`, as ``cfn-lint --config-file``) stands in for them."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(
        ConfigMixIn(
            ["--config-file", os.devnull],
            **ManualArgs(regions=list(regions), ignore_checks=list(IGNORED_CHECKS)),
        )
    )


def lint_template(path: Path, regions: Sequence[str] = (DEFAULT_REGION,)) -> List[LintFinding]:
    """cfn-lint findings for one template file (errors and warnings), as cfnlint.api.lint
    finds them."""
    from cfnlint.decode.decode import decode_str  # imported here: cfn-lint loads slowly

    template, matches = decode_str(path.read_text(encoding="utf-8"))
    if not matches and template is not None:
        matches = list(_runner(tuple(regions)).validate_template(template))
    return [LintFinding(m.rule.id, m.message, m.linenumber) for m in matches]
