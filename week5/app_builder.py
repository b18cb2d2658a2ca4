"""Builds every lab of a catalog into one CDK app, with the course's checks attached."""

from __future__ import annotations

from typing import Dict

from aws_cdk import App, Stack

from week5.catalog import Catalog
from week5.nag import enable_nag
from week5.settings import CourseSettings


def build_labs(app: App, catalog: Catalog, *, nag: bool = True) -> Dict[str, Stack]:
    """Validate the context, then build one stack per lab; returns them by lab id.

    Raises :class:`week5.settings.CourseInputError` on a bad context value, before any stack
    exists. With ``nag`` (the default), AwsSolutions runs at synthesis and fails it on findings.
    """
    settings = CourseSettings.from_context(app.node.try_get_context)
    if nag:
        enable_nag(app)
    return {lab.lab_id: lab.build(app, lab, settings) for lab in catalog}
