"""CourseChecks: the course's own rule pack, run at synthesis beside AwsSolutions.

A cdk-nag 3 ``NagPack``: registered with ``Validations.of(app).add_plugins(...)``, it fails
``cdk synth`` on a finding, writes it to ``cdk.out/validation-report.json`` like AwsSolutions,
and honours acknowledgements made with :func:`week5.synth.nag.acknowledge` (``Week5-<Rule>`` or
``Week5-<Rule>[<finding>]``), which must name a reason.

The rules live one per file in :mod:`week5.analysis.rules`. They read each resource as synthesized
(the assembly's template), so an escape hatch or a property override cannot hide from them.

The pack checks the templates in Python: cdk-nag's own walk would call into Python once per
resource and back into Node three times more (its stack, logical id, resolve), about 3,000 round
trips for the course's labs. Here a stack costs a few round trips and a compliant resource none;
only a finding looks up its construct (acknowledgements and the report's construct path live
there). A scope inside a stack, or a stack with nested stacks, takes cdk-nag's walk instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import jsii
from aws_cdk import (
    CfnResource,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stack,
    Stage,
    TagManager,
    Token,
    Validations,
)
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from week5.analysis.rules import RULES
from week5.analysis.rules.base import PACK_NAME, Compliance, CourseRule, ResourceView
from week5.synth.tagging import RAW_TAG_LIST_TYPES

#: A nested stack's resources are in a template of their own, which only cdk-nag's walk reaches.
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
#: Where the CDK writes a resource's construct path in the template (path metadata, on by default).
PATH_METADATA_KEY = "aws:cdk:path"
#: cdk-nag's prefix on acknowledged ids, which it strips (aws-cdk-lib writes either case).
_ANNOTATION_PREFIX = re.compile(r"^annotation::", re.IGNORECASE)


@jsii.implements(IApplyRule)
class _Failed:
    """What cdk-nag's ``applyRule`` reads for one failing rule on one resource (cdk-nag's walk)."""

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
        self._verbose = verbose
        self._rules = rules
        self._stacks: Dict[int, Tuple[Stack, Path, float, Dict[str, Any], Optional[str], bool]] = {}
        #: Resource types whose generated L1 class takes no tags (see :meth:`_taggable`).
        self._untaggable_types: Set[str] = set()

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rule_ids(self) -> List[str]:
        return [rule.rule_id for rule in self._rules]

    def validate_scope(self, scope: IConstruct) -> PolicyValidationPluginReport:
        """Check every stack under ``scope`` (an app, a stage or a stack) over its template."""
        stacks = _stacks_under(scope)
        facts = [(stack, *self._stack_facts(stack)) for stack in stacks or ()]
        if stacks is None or any(_has_nested_stacks(template) for _, template, _, _ in facts):
            return super().validate_scope(scope)
        report = _Report(self._verbose)
        for stack, template, region, protected in facts:
            finder = _Constructs(stack, template)
            for logical_id, resource in template["Resources"].items():
                view = ResourceView(
                    logical_id=logical_id,
                    resource=resource,
                    template=template,
                    region=region,
                    termination_protection=protected,
                    is_taggable=lambda f=finder, i=logical_id: self._taggable(f, i),
                )
                for rule, result in self._failures(view):
                    report.add(finder, logical_id, rule, result)
        return report.done()

    def _taggable(self, finder: "_Constructs", logical_id: str) -> bool:
        """Whether tags apply to the resource (CDK's TagManager says, of its construct).

        Only a resource whose tags fail the CourseTags rule asks, about 300 in the course's labs,
        nearly all of types that take no tags. A generated L1 class is taggable or not for every
        construct of its type, so a type whose L1 is not is answered without a lookup the next
        time; a raw ``CfnResource`` of the type proves nothing about its L1 class.
        """
        rtype = finder.type_of(logical_id)
        if rtype in RAW_TAG_LIST_TYPES:
            return True
        if rtype in self._untaggable_types:
            return False
        construct = finder.construct(logical_id)
        taggable = bool(TagManager.is_taggable(construct))
        if not taggable and _is_generated_l1(type(construct)):
            self._untaggable_types.add(rtype)
        return taggable

    def _check_resource(self, node: CfnResource) -> None:
        """cdk-nag's walk, one resource at a time (see :meth:`validate_scope` for when)."""
        stack = Stack.of(node)
        template, region, protected = self._stack_facts(stack)
        logical_id = stack.resolve(stack.get_logical_id(node))
        resource = template["Resources"].get(logical_id)
        if resource is None:  # removed by an override; nothing deploys
            return
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
        for rule, result in self._failures(view):
            self._apply_rule(_Failed(rule, node, result))

    def _failures(self, view: ResourceView) -> Iterator[Tuple[CourseRule, Any]]:
        """Each rule that fails on ``view``, with its result (findings, NON_COMPLIANT or the
        exception the rule raised)."""
        # A stack has no resource of its own: stack-level rules ride on its first resource.
        first_in_stack = view.logical_id == next(iter(view.template["Resources"]))
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
                yield rule, result

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


class _Constructs:
    """The constructs behind one stack's template, looked up only for a finding."""

    def __init__(self, stack: Stack, template: Dict[str, Any]) -> None:
        self._stack = stack
        self._template = template
        self._by_logical_id: Optional[Dict[str, CfnResource]] = None
        self._stack_path: Optional[str] = None
        #: Constructs found by path, so that siblings share the walk down to their scope.
        self._by_path: Dict[str, Optional[IConstruct]] = {}

    def type_of(self, logical_id: str) -> str:
        return self._template["Resources"][logical_id]["Type"]

    def path(self, logical_id: str) -> str:
        metadata = self._template["Resources"][logical_id].get("Metadata") or {}
        path = metadata.get(PATH_METADATA_KEY)
        return path if isinstance(path, str) else self.construct(logical_id).node.path

    def construct(self, logical_id: str) -> IConstruct:
        metadata = self._template["Resources"][logical_id].get("Metadata") or {}
        path = metadata.get(PATH_METADATA_KEY)
        if isinstance(path, str):
            found = self._find(path)
            if found is not None:
                return found
        return self._walk()[logical_id]

    def _find(self, path: str) -> Optional[IConstruct]:
        if self._stack_path is None:
            self._stack_path = self._stack.node.path
            self._by_path[self._stack_path] = self._stack
        if path in self._by_path:
            return self._by_path[path]
        found: Optional[IConstruct] = None
        if path.startswith(self._stack_path + "/"):
            scope_path, _, child_id = path.rpartition("/")
            scope = self._find(scope_path)
            found = None if scope is None else scope.node.try_find_child(child_id)
        self._by_path[path] = found
        return found

    def _walk(self) -> Dict[str, CfnResource]:
        """Every resource construct of the stack by logical id: the slow way, without paths."""
        if self._by_logical_id is None:
            stack = self._stack
            self._by_logical_id = {
                stack.resolve(c.logical_id): c  # an overridden id too (an Instance's hashed one)
                for c in stack.node.find_all()
                if CfnResource.is_cfn_resource(c) and Stack.of(c) is stack
            }
        return self._by_logical_id


class _Report:
    """Findings grouped by rule id as cdk-nag's ``addViolation`` groups them, minus the
    acknowledged ones (cdk-nag's ``isAcknowledged``: on the resource or any scope above it)."""

    def __init__(self, verbose: bool) -> None:
        self._verbose = verbose
        self._violations: Dict[str, Tuple[str, List[str]]] = {}
        self._acknowledged: Dict[str, Set[str]] = {}

    def add(self, finder: _Constructs, logical_id: str, rule: CourseRule, result: Any) -> None:
        rule_id = rule.rule_id
        if isinstance(result, Exception):
            detail = str(result) if self._verbose else (
                "This is generally caused by a parameter referencing an intrinsic function."
            )
            ids = [(rule_id, f"Rule threw an error during validation. {detail}")]
        else:
            text = f"{rule.info} Fix: {rule.fix}" if self._verbose else rule.info
            findings = [rule_id] if result == Compliance.NON_COMPLIANT else [
                f"{rule_id}[{finding}]" for finding in result
            ]
            ids = [(finding_id, text) for finding_id in findings]
        construct = finder.construct(logical_id)
        path = finder.path(logical_id)
        for finding_id, description in ids:
            if finding_id in self._acknowledged_on(construct, path):
                continue
            _, paths = self._violations.setdefault(finding_id, (description, []))
            paths.append(path)

    def _acknowledged_on(self, construct: IConstruct, path: str) -> Set[str]:
        if path not in self._acknowledged:
            acknowledged: Set[str] = set()
            current: Optional[IConstruct] = construct
            while current is not None:
                node = current.node
                for entry in node.metadata:
                    if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY and entry.data:
                        acknowledged.update(_ANNOTATION_PREFIX.sub("", k) for k in entry.data)
                current = node.scope
            self._acknowledged[path] = acknowledged
        return self._acknowledged[path]

    def done(self) -> PolicyValidationPluginReport:
        return PolicyValidationPluginReport(
            success=not self._violations,
            violations=[
                PolicyViolation(
                    rule_name=rule_id,
                    description=description,
                    severity="error",
                    violating_resources=[
                        PolicyViolatingResource(construct_path=path, locations=["Properties"])
                        for path in paths
                    ],
                )
                for rule_id, (description, paths) in self._violations.items()
            ],
        )


def _stacks_under(scope: IConstruct) -> Optional[List[Stack]]:
    """The stacks of an app, stage or stack, in construct order (cdk-nag's walk order);
    ``None`` for a scope inside a stack (only a walk of its constructs finds its resources)."""
    if Stack.is_stack(scope):
        return [scope]
    if scope.node.scope is not None and not Stage.is_stage(scope):
        return None
    stacks: List[Stack] = []

    def visit(construct: IConstruct) -> None:
        for child in construct.node.children:
            if Stack.is_stack(child):
                stacks.append(child)
            else:
                visit(child)

    visit(scope)
    return stacks


def _is_generated_l1(cls: type) -> bool:
    """A class jsii generated for one CloudFormation type (``CfnRoute``), not the raw
    ``CfnResource`` nor a subclass written in Python."""
    return "__jsii_declared_type__" in vars(cls) and "CFN_RESOURCE_TYPE_NAME" in vars(cls)


def _has_nested_stacks(template: Dict[str, Any]) -> bool:
    return any(r.get("Type") == NESTED_STACK_TYPE for r in template["Resources"].values())


def _failed(result: Any) -> bool:
    if isinstance(result, Exception):
        return True
    if isinstance(result, list):
        return bool(result)
    return result == Compliance.NON_COMPLIANT
