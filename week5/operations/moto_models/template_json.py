"""A JSON template read as JSON, as CloudFormation reads it; any other body as moto reads it
(YAML, with CloudFormation's short-form tags).

Written against moto 5.2.5, which reads every template with PyYAML's pure-Python loader first
(JSON is YAML) and with ``json`` only when that fails: for the labs' JSON templates (up to
100 kB) a third of a second of CPU each, twice a stack (the change set, then the stack it makes),
the most CPU the emulator spent on a deploy. ``json`` reads them a hundred times faster into the
same dict. :func:`install` gives moto's stacks and change sets that reading. Delete this module
when moto reads JSON as JSON (tests/test_moto_models.py says when).
"""

from __future__ import annotations

import json
from typing import Any, Dict

from moto.cloudformation.models import ChangeSet, Stack

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = Stack.parse_template


def parse_template(template: str) -> Dict[str, Any]:
    """The template as JSON when it is JSON, else as moto reads it."""
    try:
        return json.loads(template)
    except (TypeError, ValueError):  # YAML (or no body at all): moto's reading, and its errors
        return MOTO_OWN(template)


def _parse_change_set_template(self: ChangeSet) -> None:
    self.template_dict = parse_template(self.template)


def install() -> None:
    """Patch moto's stacks and change sets as the module's docstring says (idempotent)."""
    Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]
    ChangeSet._parse_template = _parse_change_set_template  # type: ignore[method-assign]
