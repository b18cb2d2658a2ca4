"""Reads a synthesized cloud assembly (``cdk.out``): the labs in it and their templates.

Tools work from what ``cdk synth`` wrote, so they see exactly what ``cdk deploy`` would deploy,
and never import the stacks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from week5.core.catalog import LAB_METADATA_KEY
from week5.core.errors import CourseInputError

_NOT_RESOURCES = {"AWS::CDK::Metadata"}
_SUB_NAME = re.compile(r"\$\{([^}!]+)\}")


def referenced_ids(value: Any) -> List[str]:
    """Logical ids a template value names through Ref, Fn::GetAtt or Fn::Sub (parameters and
    pseudo parameters included; callers keep the ones that are resources)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return [value["Ref"]]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return [target[0] if isinstance(target, list) else target.split(".")[0]]
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
            names = [m.split(".")[0] for m in _SUB_NAME.findall(text) if m not in variables]
            return names + referenced_ids(variables)
        return [r for v in value.values() for r in referenced_ids(v)]
    if isinstance(value, list):
        return [r for v in value for r in referenced_ids(v)]
    return []


def ref_target(value: Any) -> Optional[str]:
    """The logical id a ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, ...]}`` points to."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            return value["Ref"]
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att and isinstance(get_att[0], str):
            return get_att[0]
    return None


def tag_dict(tags: Any) -> Dict[str, Any]:
    """Tags as a dict, from the Key/Value list that templates and AWS APIs write (or a map,
    as a few resource types write it)."""
    if isinstance(tags, dict):
        return tags
    return {t.get("Key"): t.get("Value") for t in tags or [] if isinstance(t, dict) and "Key" in t}


@dataclass(frozen=True)
class SynthesizedLab:
    lab_id: str
    stack_name: str
    template_path: Path
    template: Dict[str, Any]
    #: The region the stack deploys to (its manifest environment ``aws://<account>/<region>``);
    #: None for an environment-agnostic stack.
    region: Optional[str] = None

    @property
    def info(self) -> Dict[str, Any]:
        return self.template.get("Metadata", {}).get(LAB_METADATA_KEY, {})

    @property
    def day(self) -> str:
        return self.info.get("Day", "")

    @property
    def kind(self) -> str:
        return self.info.get("Lab", "")

    @property
    def title_ko(self) -> str:
        return self.info.get("TitleKo", "")

    @property
    def title_en(self) -> str:
        return self.info.get("TitleEn", "")

    @property
    def course_cost_usd(self) -> Optional[float]:
        value = self.info.get("CourseCostUsd")
        return None if value is None else float(value)

    @property
    def resource_count(self) -> int:
        """Resources CloudFormation will create (CDK's own metadata resource left out)."""
        resources = self.template.get("Resources", {})
        return sum(1 for r in resources.values() if r.get("Type") not in _NOT_RESOURCES)


def _json_object(path: Path, what: str) -> Dict[str, Any]:
    """``path``'s JSON object; an assembly a user points at (``--assembly``) may hold anything,
    so anything else is :class:`CourseInputError` naming the file, not a traceback."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else f"not JSON: {error}"
        raise CourseInputError(
            f"{path}: {what} cannot be read ({reason}); pass the folder `cdk synth` wrote, or "
            "synthesize again"
        ) from None
    if not isinstance(data, dict):
        raise CourseInputError(
            f"{path}: {what} is not a JSON object; pass the folder `cdk synth` wrote, or "
            "synthesize again"
        )
    return data


def read_labs(outdir: Path) -> List[SynthesizedLab]:
    """Every lab stack in ``outdir``, in the order the app defined them."""
    manifest = _json_object(outdir / "manifest.json", "the cloud assembly's manifest")
    artifacts = manifest.get("artifacts", {})
    labs = []
    for artifact_id, artifact in (artifacts if isinstance(artifacts, dict) else {}).items():
        if not isinstance(artifact, dict) or artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = (artifact.get("properties") or {}).get("templateFile")
        if not isinstance(template_file, str):
            continue
        template_path = outdir / template_file
        template = _json_object(template_path, f"the template of {artifact_id}")
        metadata = template.get("Metadata")
        if not isinstance(metadata, dict) or LAB_METADATA_KEY not in metadata:
            continue
        labs.append(
            SynthesizedLab(
                lab_id=artifact.get("displayName", artifact_id),
                stack_name=artifact["properties"].get("stackName", artifact_id),
                template_path=template_path,
                template=template,
                region=_region_of(artifact.get("environment")),
            )
        )
    return labs


def _region_of(environment: Any) -> Optional[str]:
    """``aws://<account>/<region>`` -> the region; None when the stack names none."""
    parts = environment.split("/") if isinstance(environment, str) else []
    region = parts[3] if len(parts) == 4 and parts[0] == "aws:" else None
    return None if region in (None, "", "unknown-region") else region
