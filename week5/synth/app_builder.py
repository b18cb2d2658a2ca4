"""Builds every lab of a catalog into one CDK app, with the course's checks attached."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Dict

from aws_cdk import App, Stack

from week5.core.catalog import Catalog
from week5.core.settings import CONTEXT_LABS, CourseSettings
from week5.synth.nag import enable_nag
from week5.synth.providers import give_provider_functions_log_groups
from week5.synth.tagging import course_tags, providers_of, tag_provider_resources

#: What the CDK CLI adds to the app's context on every `cdk synth` (its defaults): with them an
#: app built in-process writes the same CDKMetadata resource and `aws:cdk:path` entries.
CLI_CONTEXT = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
}


def synth_context(cdk_json: Path) -> Dict[str, Any]:
    """The context `cdk synth` gives the app: ``cdk.json``'s feature flags and defaults, and
    what the CLI adds. For tests, tools and benchmarks that synthesize in-process."""
    return {**json.loads(cdk_json.read_text(encoding="utf-8"))["context"], **CLI_CONTEXT}


def build_labs(app: App, catalog: Catalog, *, nag: bool = True) -> Dict[str, Stack]:
    """Validate the context, then build one stack per lab; returns them by lab id.

    Context ``labs`` (``-c labs=Day1Lab1,Day4Lab1``) builds only those labs: a lab's synth
    costs about 0.6 s over CDK's fixed start-up, so ``cdk deploy`` of one lab need not
    build them all. ``scripts/cdk`` sets it from the lab ids on its command line.

    Context ``students`` (``-c students=kim,lee``) is class mode: one copy of each lab per
    student, with construct ids ``Day4Lab1-kim`` (``cdk deploy "Day4Lab1-*"``), each named and
    tagged for its student. The stacks are returned by construct id.

    Raises :class:`week5.core.errors.CourseInputError` on a bad context value, an empty one or a
    key that is neither the course's nor CDK's (:func:`week5.core.settings.check_context`),
    before any stack exists. Each stack's provider resources get the course tags once it is built
    (see :func:`week5.synth.tagging.tag_provider_resources`), and their functions a log group the
    stack deletes (:func:`week5.synth.providers.give_provider_functions_log_groups`). With ``nag`` (the
    default), AwsSolutions and the course's rules (:class:`week5.synth.course_checks.CourseChecks`)
    run at synthesis and fail it on findings.
    """
    # The whole context, so that a key no lab reads (a misspelt one) is refused too.
    context = app.node.get_all_context()
    settings = CourseSettings.from_context(context)
    selected = catalog.select(context.get(CONTEXT_LABS))
    if nag:
        enable_nag(app)
    stacks = {}
    for lab in selected:
        for student_settings in settings.per_student():
            stack = lab.build(app, lab, student_settings)
            tags = course_tags(lab.day, lab.kind, student_settings.student)
            # One walk of the stack's children for both (each child costs a round trip).
            providers = providers_of(stack)
            tag_provider_resources(stack, tags, providers)
            give_provider_functions_log_groups(stack, providers)
            stacks[stack.node.id] = stack
    return stacks


def synthesize_templates(catalog: Catalog, cdk_json: Path) -> Dict[str, Dict[str, Any]]:
    """Every lab's template, synthesized in this process as `cdk synth` would (``cdk.json``'s
    context, both rule packs on)."""
    with tempfile.TemporaryDirectory() as out:
        app = App(context=synth_context(cdk_json), outdir=out)
        stacks = build_labs(app, catalog)
        assembly = app.synth()
        return {
            lab_id: assembly.get_stack_by_name(s.stack_name).template
            for lab_id, s in stacks.items()
        }
