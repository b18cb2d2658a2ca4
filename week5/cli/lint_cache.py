"""cfn-lint findings kept in ``<project>/.week5-cache/lint/``, by what decides them.

cfn-lint takes 0.2 to 1.3 s of CPU a template once a process has built its runner
(:func:`week5.analysis.lint.lint_template`; the 14 labs' `week5 check --no-cache`, the runner
built once, 9.4 s of CPU in all), and what it finds depends
only on the template's bytes, the installed cfn-lint (its rules and its copy of the
CloudFormation spec), the regions it checks and the checks the course ignores
(:data:`week5.analysis.lint.IGNORED_CHECKS`). A file named by the sha256 of those holds the
findings, so `week5 check` on an assembly it has linted before answers without linting. A file
is written whole (a temporary file, then renamed); one that cannot be read is linted again;
``--no-cache`` lints afresh and rewrites it. The newest :data:`KEEP_FILES` are kept.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from week5.analysis.lint import IGNORED_CHECKS, LintFinding, lint_template
from week5.cli.assembly_cache import cache_dir
from week5.core.settings import DEFAULT_REGION

LINT_FOLDER = "lint"
#: Findings files kept: a few assemblies' worth of 14 templates.
KEEP_FILES = 64
KEY_VERSION = b"week5-lint-cache 1\n"


def lint_key(template: bytes, regions: Sequence[str] = (DEFAULT_REGION,)) -> str:
    digest = hashlib.sha256(KEY_VERSION)
    digest.update(f"cfn-lint {importlib.metadata.version('cfn-lint')}\n".encode())
    digest.update(f"regions {','.join(regions)}\nignored {','.join(IGNORED_CHECKS)}\n".encode())
    digest.update(template)
    return digest.hexdigest()


def _read(path: Path) -> Optional[List[LintFinding]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [LintFinding(str(rule), str(message), int(line)) for rule, message, line in rows]
    except (OSError, ValueError, TypeError):  # missing, half-written by hand, or not ours
        return None


def _write(folder: Path, path: Path, findings: Sequence[LintFinding]) -> None:
    rows = [[f.rule_id, f.message, f.line] for f in findings]
    handle, staging = tempfile.mkstemp(prefix="tmp-", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(rows, out)
    os.replace(staging, path)


def _prune(folder: Path) -> None:
    dated = []
    for path in folder.glob("*.json"):
        try:
            dated.append((path.stat().st_mtime, path))
        except OSError:  # a dangling link, a file removed meanwhile: not one of ours to keep
            continue
    files = [path for _, path in sorted(dated, key=lambda pair: pair[0], reverse=True)]
    for stale in files[KEEP_FILES:]:
        stale.unlink(missing_ok=True)


def cached_lint(
    root: Optional[Path], template_path: Path, refresh: bool = False
) -> Tuple[List[LintFinding], bool]:
    """(cfn-lint's findings for ``template_path``, whether they came from the cache): from
    ``root``'s cache when it holds them (unless ``refresh``), else linted and kept. ``root``
    None lints without a cache."""
    if root is None:
        return lint_template(template_path), False
    folder = cache_dir(root) / LINT_FOLDER
    path = folder / f"{lint_key(template_path.read_bytes())}.json"
    if not refresh:
        findings = _read(path)
        if findings is not None:
            try:
                os.utime(path)  # a use keeps it among the newest
            except OSError:  # a read-only project: the findings stand, the use is not marked
                pass
            return findings, True
    findings = lint_template(template_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder, path, findings)
        _prune(folder)
    except OSError:  # a read-only project still gets its findings, only not kept
        pass
    return findings, False
