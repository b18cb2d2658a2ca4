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
"""

from __future__ import annotations

from typing import Any, List, Optional

from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import Export, Output, OutputMap, clean_json

from week5.analysis.assembly import referenced_ids


def resolved(value: Any) -> bool:
    """Whether a cleaned output value is one AWS could show: no ``None`` left, no function moto
    could not evaluate (it leaves the ``Fn::GetAtt`` in place)."""
    if value is None or isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(resolved(v) for v in value)
    return True


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
        output = super().__getitem__(key)
        return output if output is not None and resolved(output.value) else None

    @property
    def exports(self) -> List[Export]:
        exports = []
        for key in self.outputs:
            output, export = self[key], self._output_json_map[key].get("Export")
            if output is not None and export:
                name = clean_json(export.get("Name"), self._resource_map)
                exports.append(Export(self._stack_id, name, output.value))
        return exports


#: moto's own, read before :func:`install` (tests/test_moto_models.py runs them to tell when moto
#: no longer needs this module).
MOTO_EXECUTE_CHANGE_SET = CloudFormationBackend.execute_change_set
MOTO_CREATE_OUTPUT_MAP = Stack._create_output_map


def execute_change_set(
    self: CloudFormationBackend, change_set_name: str, stack_name: Optional[str] = None
) -> None:
    """moto's, then the stack reads the template the change set gave it."""
    MOTO_EXECUTE_CHANGE_SET(self, change_set_name, stack_name)
    stack = self.stacks[self.describe_change_set(change_set_name).stack_id]
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def create_output_map(stack: Stack) -> ResolvedOutputs:
    return ResolvedOutputs(stack.resource_map, stack.template_dict, stack.stack_id)


def install() -> None:
    """Patch moto's stacks and change sets as the module's docstring says (idempotent)."""
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    Stack._create_output_map = create_output_map  # type: ignore[method-assign,assignment]
