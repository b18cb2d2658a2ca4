"""A `cdk synth` without the CDK CLI and the app, for tests whose contract is what our own code
does with a synthesis (the launchers' preflight, `week5 --json`'s stdout): a real one costs 2
to 4 s of CPU (the CLI's Node, the app's Python and jsii) and proves nothing more there. Each
contract about the real CLI keeps its real run (test_assembly_cache, test_cdk_validation,
test_app_builder)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from support import ROOT, fake_cdk


def assembly_cdk(project: Path, assembly: Path) -> Path:
    """``project``'s ``cdk`` (beside scripts/cdk, as :func:`support.fake_cdk` lays it out) as a
    script that appends its arguments to ``$FAKE_CDK_LOG`` when that is set, and copies
    ``assembly`` into its ``--output`` folder: what `cdk synth` leaves there, at once.
    ``project`` gets the checkout's cdk.json, whose context week5 checks before the CLI."""
    shutil.copy(ROOT / "cdk.json", project / "cdk.json")
    source = shlex.quote(str(assembly))
    return fake_cdk(
        project,
        "#!/bin/sh\n"
        'if [ -n "${FAKE_CDK_LOG:-}" ]; then printf "%s\\n" "$*" >> "$FAKE_CDK_LOG"; fi\n'
        "while [ $# -gt 0 ]; do\n"
        f'  if [ "$1" = --output ]; then mkdir -p "$2" && cp -R {source}/. "$2"/; fi\n'
        "  shift\n"
        "done\n",
    )
