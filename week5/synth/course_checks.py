"""CourseChecks: the course's own rule pack, run at synthesis beside AwsSolutions.

A cdk-nag 3 ``NagPack``: registered with ``Validations.of(app).add_plugins(...)``, it fails
``cdk synth`` on a finding, writes it to ``cdk.out/validation-report.json`` like AwsSolutions,
and honours acknowledgements made with :func:`week5.synth.nag.acknowledge` (``Week5-<Rule>`` or
``Week5-<Rule>[<finding>]``), which must name a reason.

The rules live one per file in :mod:`week5.analysis.rules`. They read each resource as synthesized
(the assembly's template), so an escape hatch or a property override cannot hide from them.
Only a failing rule calls back into cdk-nag: a compliant resource costs one Python callback,
not one per rule (``bench/synth_time.py`` measures it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jsii
from aws_cdk import CfnResource, Stack, Stage, TagManager, Token
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

from week5.analysis.rules import RULES
from week5.analysis.rules.base import PACK_NAME, Compliance, CourseRule, ResourceView
from week5.synth.tagging import RAW_TAG_LIST_TYPES


@jsii.implements(IApplyRule)
class _Failed:
    """What cdk-nag's ``applyRule`` reads for one failing rule on one resource."""

    def __init__(self, rule: CourseRule, node: CfnResource, result: Any) -> None:
        self._rule = rule
        self._node = node
        self._result = result

    # jsii reads an interface's members as Python properties, not instance attributes.
    @property
    def rule_suffix_override(self) -> str:
        return self._rule.name

    @property
    def info(self) -> str:
        return self._rule.info

    @property
    def explanation(self) -> str:
        return f"Fix: {self._rule.fix}"

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    @property
    def node(self) -> CfnResource:
        return self._node

    def rule(self, node: CfnResource) -> Any:
        if isinstance(self._result, Exception):
            raise self._result
        if self._result == Compliance.NON_COMPLIANT:
            return NagRuleCompliance.NON_COMPLIANT
        return self._result  # a list of findings


class CourseChecks(NagPack):
    """The Week5 rule pack (see :mod:`week5.analysis.rules` for the rules, one per file)."""

    def __init__(self, scope=None, *, verbose: bool = True, rules: Tuple[CourseRule, ...] = RULES):
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._rules = rules
        self._stacks: Dict[int, Tuple[Stack, Path, float, Dict[str, Any], Optional[str], bool]] = {}

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rule_ids(self) -> List[str]:
        return [rule.rule_id for rule in self._rules]

    def _check_resource(self, node: CfnResource) -> None:
        stack = Stack.of(node)
        template, region, protected = self._stack_facts(stack)
        logical_id = stack.resolve(stack.get_logical_id(node))
        resource = template["Resources"].get(logical_id)
        if resource is None:  # removed by an override; nothing deploys
            return
        # A stack has no resource of its own: stack-level rules ride on its first resource.
        first_in_stack = logical_id == next(iter(template["Resources"]))
        view = ResourceView(
            logical_id=logical_id,
            resource=resource,
            template=template,
            region=region,
            termination_protection=protected,
            is_taggable=lambda: (
                resource["Type"] in RAW_TAG_LIST_TYPES or TagManager.is_taggable(node)
            ),
        )
        for rule in self._rules:
            if rule.stack_level and not first_in_stack:
                continue
            if not rule.applies_to(view.type):
                continue
            try:
                result = rule.check(view)
            except Exception as error:  # reported as cdk-nag reports a rule that throws
                result = error
            if _failed(result):
                self._apply_rule(_Failed(rule, node, result))

    def _stack_facts(self, stack: Stack) -> Tuple[Dict[str, Any], Optional[str], bool]:
        """The stack's synthesized template, region and termination protection, read once
        per synthesis (each read crosses into Node)."""
        # Keyed by id(): the cache holds the stack, so its id is not reused while cached.
        cached = self._stacks.get(id(stack))
        path = Path(Stage.of(stack).outdir) / stack.template_file if cached is None else cached[1]
        if not path.is_file():
            raise RuntimeError(
                f"CourseChecks reads the synthesized template of {stack.node.path}, and "
                f"{path} does not exist: synthesize the app (app.synth()) before validate_scope"
            )
        mtime = path.stat().st_mtime
        if cached is None or cached[2] != mtime:
            region = None if Token.is_unresolved(stack.region) else stack.region
            template = json.loads(path.read_text(encoding="utf-8"))
            protected = bool(stack.termination_protection)
            cached = (stack, path, mtime, template, region, protected)
            self._stacks[id(stack)] = cached
        return cached[3], cached[4], cached[5]


def _failed(result: Any) -> bool:
    if isinstance(result, Exception):
        return True
    if isinstance(result, list):
        return bool(result)
    return result == Compliance.NON_COMPLIANT
