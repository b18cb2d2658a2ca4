"""A stack's ``Outputs`` in moto's CloudFormation: kept after a change set, each shown when the
emulator can resolve it.

Written against moto 5.2.5, with two faults, whose patches (:func:`install` makes both) go at
different times:

- A stack deployed by change set (how the CDK CLI deploys) kept no outputs:
  ``create_change_set`` makes the stack from an empty template and builds its outputs from that,
  and ``execute_change_set`` stores the new template's text without reading it again, so
  ``describe-stacks`` had no ``Outputs`` (nor ``Description``) and ``cdk deploy`` printed none,
  though the labs' guides send the student to them. :func:`execute_change_set` makes the stack
  read its new template (outputs, description) as ``update_stack`` does. Delete it when moto
  keeps a change set's outputs.
- moto's output map shows an output that names a resource moto skips (a type it does not model)
  with ``None`` in its value (``policy None``), and fails the whole ``describe-stacks`` on a
  ``Fn::GetAtt`` of one ("references undefined resource"), which a change set's outputs reach
  (``create_stack`` refuses such a template before, whatever this module does: moto's check of
  the outputs raises ``AttributeError``). :class:`ResolvedOutputs`, every stack's output map,
  leaves out the outputs that name a resource the emulator did not create, or that resolve to
  nothing (AWS shows them all). Delete it when moto leaves those outputs out, and the module
  with the last of the two (tests/test_moto_models.py says when, for each).

And what another stack takes from a stack's outputs (a CDK app of two stacks, a VPC in one and
what uses it in the other: tests/test_emulator_cross_stack.py), which failed both ways CDK
references another stack's resource:

- ``Fn::ImportValue`` (CDK's default, "strong" references): a change set's stack published no
  exports (moto adds a stack's exports in ``create_stack`` alone) and imported from none (moto's
  ``create_change_set`` makes the stack with none to import from), so the consumer failed "No
  export named MyNet:ExportsOutputRef... found", and ``cdk destroy`` of the producer then failed
  on moto's removal of exports it never added. :func:`execute_change_set` gives the stack the
  region's exports to import from and, once executed, publishes its exports (an export name
  another stack exports is refused, as AWS refuses it); an update that drops an export another
  stack imports is refused before it changes anything ("Export X cannot be deleted as it is in
  use by Y", as CloudFormation words it); :func:`importers` names those stacks, with which
  :mod:`.stack_delete_failed` refuses the producer's deletion in the same words.
- ``Fn::GetStackOutput`` (``"@aws-cdk/core:defaultCrossStackReferences": "weak"``, as this
  repository's ``cdk.json`` sets it): moto does not know the function and passed its
  ``{StackName, OutputName, Region, RoleArn}`` through as the value: an SSM parameter held the
  dict's text, a subnet given it as its ``VpcId`` failed the deploy.
  :func:`clean_json` resolves it from the named stack's outputs (in the region it names, in the
  account its ``RoleArn`` names: the emulator's stacks), and refuses a stack or an output that
  is not there with a ``ValidationError`` naming it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends
from moto.cloudformation.parsing import Export, Output, OutputMap

from week5.analysis.assembly import referenced_ids

from ._common import moto_own


def resolved(value: Any) -> bool:
    """Whether a cleaned output value is one AWS could show: no ``None`` left, no function moto
    could not evaluate (it leaves the ``Fn::GetAtt`` in place)."""
    if value is None or isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(resolved(v) for v in value)
    return True


class StackOutputMissing(ValidationError):
    """``Fn::GetStackOutput`` names a stack or an output that is not there."""


class ResolvedOutputs(OutputMap):
    """moto's output map, without the outputs the emulator cannot resolve."""

    def _names_only_created(self, output_json: Any) -> bool:
        # What the stack made, read without the map's lookup, which would make what is missing
        # (again, after the stack's deletion).
        made = self._resource_map._parsed_resources
        return all(
            made.get(name) is not None
            for name in referenced_ids(output_json.get("Value"))
            if name in self._resource_map.resources
        )

    def __getitem__(self, key: str) -> Optional[Output]:
        if key not in self.outputs:
            raise KeyError(key)
        if key not in self._parsed_outputs and not self._names_only_created(
            self._output_json_map[key]
        ):
            return None
        try:
            output = super().__getitem__(key)
        except StackOutputMissing:  # another stack's output, gone since
            return None
        return output if output is not None and resolved(output.value) else None

    @property
    def exports(self) -> List[Export]:
        exports = []
        for key in self.outputs:
            output, export = self[key], self._output_json_map[key].get("Export")
            if output is not None and export:
                name = parsing.clean_json(export.get("Name"), self._resource_map)
                exports.append(Export(self._stack_id, name, output.value))
        return exports


#: moto's own, read before :func:`install` (tests/test_moto_models.py runs them to tell when moto
#: no longer needs this module).
MOTO_EXECUTE_CHANGE_SET = CloudFormationBackend.execute_change_set
MOTO_CREATE_OUTPUT_MAP = Stack._create_output_map
#: (tests/test_emulator_cross_stack.py runs it to tell when moto resolves Fn::GetStackOutput;
#: kept on moto's module, so a reload of this one reads moto's.)
MOTO_CLEAN_JSON = moto_own(parsing, "clean_json")  # type: ignore[arg-type]
#: The statuses of a stack that holds nothing: it imports nothing, another stack's output is not
#: read from it.
HOLDS_NOTHING = ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_COMPLETE")


class RefusedBeforeChanging(ValidationError):
    """An execution refused before it changed anything (its stack rolls back to what it was)."""


def _import_names(value: Any, stack: Stack) -> Iterator[str]:
    """The export names ``value`` (part of the stack's template) imports."""
    if isinstance(value, dict):
        if "Fn::ImportValue" in value:
            name = value["Fn::ImportValue"]
            if not isinstance(name, str):
                try:
                    name = parsing.clean_json(name, stack.resource_map)
                except Exception:  # noqa: BLE001 - a name the emulator cannot tell: not this one
                    return
            if isinstance(name, str):
                yield name
            return
        for item in value.values():
            yield from _import_names(item, stack)
    elif isinstance(value, list):
        for item in value:
            yield from _import_names(item, stack)


def importers(backend: CloudFormationBackend, export_name: str, exporter_id: str) -> List[str]:
    """The names of the region's stacks (the exporter aside) whose template imports
    ``export_name``."""
    return [
        stack.name
        for stack in backend.stacks.values()
        if stack.stack_id != exporter_id
        and stack.status not in HOLDS_NOTHING
        and export_name in set(_import_names(getattr(stack, "template_dict", None), stack))
    ]


def in_use_reason(
    backend: CloudFormationBackend, names: List[str], exporter_id: str
) -> Optional[str]:
    """CloudFormation's refusal of removing the first of the exports ``names`` another stack
    imports, or None when none is imported."""
    for name in names:
        using = importers(backend, name, exporter_id)
        if using:
            return f"Export {name} cannot be deleted as it is in use by {', '.join(using)}"
    return None


def _export_names(template: Dict[str, Any], stack: Stack) -> List[str]:
    """The export names of a template's outputs (a name the emulator cannot resolve left out)."""
    names = []
    for output in (template.get("Outputs") or {}).values():
        name = (output or {}).get("Export", {}).get("Name") if isinstance(output, dict) else None
        if name is not None and not isinstance(name, str):
            try:
                name = parsing.clean_json(name, stack.resource_map)
            except Exception:  # noqa: BLE001 - unresolved: not refused for it
                name = None
        if isinstance(name, str):
            names.append(name)
    return names


def _publish_exports(backend: CloudFormationBackend, stack: Stack, before: List[str]) -> None:
    """The stack's exports in the region's: those it no longer exports removed, its own added; a
    name another stack exports refused, as AWS refuses it."""
    exports = stack.exports
    for export in exports:
        held = backend.exports.get(export.name)
        if held is not None and held.exporting_stack_id != stack.stack_id:
            raise ValidationError(
                message=f"Export with name {export.name} is already exported by stack "
                f"{backend.stacks.get(held.exporting_stack_id, stack).name}"
            )
    now = {export.name for export in exports}
    for name in before:
        held = backend.exports.get(name)
        if name not in now and held is not None and held.exporting_stack_id == stack.stack_id:
            del backend.exports[name]
    for export in exports:
        backend.exports[export.name] = export


def execute_change_set(
    self: CloudFormationBackend, change_set_name: str, stack_name: Optional[str] = None
) -> None:
    """moto's, the stack importing from the region's exports; then the stack reads the template
    the change set gave it and publishes its exports. An update that drops an export another
    stack imports is refused first (:class:`RefusedBeforeChanging`)."""
    change_set = self.describe_change_set(change_set_name)
    stack = self.stacks[change_set.stack_id]
    before = [export.name for export in stack.exports]
    if change_set.change_set_type == "UPDATE":
        dropped = [n for n in before if n not in _export_names(change_set.template_dict, stack)]
        reason = in_use_reason(self, dropped, stack.stack_id)
        if reason:
            stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")
            raise RefusedBeforeChanging(message=reason)
    # the live map of the region's exports, as moto's create_stack gives a stack
    stack.cross_stack_resources = stack.resource_map.cross_stack_resources = self.exports
    MOTO_EXECUTE_CHANGE_SET(self, change_set_name, stack_name)
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    _publish_exports(self, stack, before)


def stack_output(function: Any, resources_map: parsing.ResourceMap) -> Any:
    """The value of the output ``Fn::GetStackOutput`` names (``{StackName, OutputName, Region,
    RoleArn}``, the last two optional); a stack or output that is not there refused."""
    if not isinstance(function, dict):
        raise ValidationError(
            message="Template error: Fn::GetStackOutput takes {StackName, OutputName, Region, "
            f"RoleArn}}, not {function!r}"
        )
    given = {key: MOTO_CLEAN_JSON(value, resources_map) for key, value in function.items()}
    stack_name, output_name = given.get("StackName"), given.get("OutputName")
    region = given.get("Region") or resources_map._region_name
    account = resources_map._account_id
    role = given.get("RoleArn")
    if isinstance(role, str) and role.count(":") >= 5 and role.split(":")[4]:
        account = role.split(":")[4]
    backend = cloudformation_backends[account][region]
    found = [s for s in backend.stacks.values() if s.name == stack_name]
    stack = next((s for s in found if s.status not in HOLDS_NOTHING), None)
    if stack is None:
        raise StackOutputMissing(
            message=f"Fn::GetStackOutput: Stack with id {stack_name} does not exist "
            f"(account {account}, region {region})"
        )
    output = stack.output_map[output_name] if output_name in stack.output_map.outputs else None
    if output is None:
        raise StackOutputMissing(
            message=f"Fn::GetStackOutput: stack {stack_name} has no output {output_name} "
            f"(region {region})"
        )
    return output.value


def clean_json(resource_json: Any, resources_map: parsing.ResourceMap) -> Any:
    """moto's reading of a template value, with ``Fn::GetStackOutput`` resolved."""
    if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
        return stack_output(resource_json["Fn::GetStackOutput"], resources_map)
    return MOTO_CLEAN_JSON(resource_json, resources_map)


def create_output_map(stack: Stack) -> ResolvedOutputs:
    return ResolvedOutputs(stack.resource_map, stack.template_dict, stack.stack_id)


def install() -> None:
    """Patch moto's stacks and change sets as the module's docstring says (idempotent)."""
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    Stack._create_output_map = create_output_map  # type: ignore[method-assign,assignment]
    # moto's reading calls itself by the module's name: values within values are resolved too
    parsing.clean_json = clean_json
