"""Every lab of the session's assembly deployed once into one emulator, for all the tests that
read a deployment: `week5 local`'s read-back (test_local), the emulator against each template
(test_emulator_labs) and `week5 audit` (test_audit_labs).

One moto server with week5's CloudFormation models, bootstrapped with the real CDK CLI, every lab
deployed in one `cdk deploy` run as `week5 local --coverage` does. Tests that change what is deployed undo it
(audit's mistakes), and the tests that destroy labs carry the ``destroys_labs`` marker, which
conftest moves to the end of the session, after every reader.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Union

from stacks.catalog import CATALOG
from week5.analysis.assembly import SynthesizedLab, read_labs
from week5.cli.synthesis import tool_env
from week5.operations import local
from week5.operations.local.readback import ReadBack, emulator_clients

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class EmulatedLabs:
    """The emulator, the CLI's environment pointing at it, and each lab's deployment."""

    emulator: local.Emulator
    env: Dict[str, str]
    labs: Dict[str, SynthesizedLab]
    #: lab id -> what `week5 local` read back, or the one-line reason the deploy failed.
    results: Dict[str, Union[ReadBack, str]]
    clients: Callable[..., Any]


def deploy_every_lab(outdir: Path) -> EmulatedLabs:
    """Start the emulator and deploy every lab of the assembly at ``outdir`` into it.

    Its log goes beside ``outdir``, in the session's temporary folder (pytest's, which it
    removes after a few sessions): in the system's, each session left a ``week5-moto-*``
    folder behind (conftest reads the log after the session)."""
    emulator = local.start_emulator(BIN, log_parent=outdir.parent)
    try:
        env = local.emulator_env(tool_env(ROOT), emulator)
        local.bootstrap(env)
        synthesized = {lab.lab_id: lab for lab in read_labs(outdir)}
        labs = {lab_id: synthesized[lab_id] for lab_id in CATALOG.ids if lab_id in synthesized}
        # One client per service for the session, the read-back's too (the audit asks for
        # each many times).
        clients = emulator_clients(emulator.endpoint)
        results, _ = local.deploy_and_read_labs(
            emulator, outdir, list(labs.values()), env, clients
        )
    except BaseException:
        emulator.stop()
        raise
    return EmulatedLabs(emulator, env, labs, results, clients)
