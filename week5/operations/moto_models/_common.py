"""What the extensions share: the moto version they were written against, and the names
CloudFormation would give a resource whose template gives none."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

#: Every extension in this package was written against this moto, and is to be deleted when
#: moto gains its type (tests/test_moto_models.py fails then, naming it).
WRITTEN_FOR_MOTO = "5.2.5"


def short_name(generated: str, limit: int) -> str:
    """``generated`` (moto's ``stack-LogicalId-SUFFIX``) cut to ``limit`` characters, lowercase,
    keeping the random suffix, as CloudFormation names a resource whose service caps names.

    moto passes its generated name through uncut; RDS and ElastiCache refuse names over 63 and
    40 characters, so a long stack name fails where AWS would succeed.
    """
    prefix, _, suffix = generated.rpartition("-")
    if not prefix:
        return generated[:limit].lower().rstrip("-")
    room = limit - len(suffix) - 1
    head = prefix[:room].rstrip("-")
    while "--" in head:
        head = head.replace("--", "-")
    return f"{head}-{suffix}".lower()


def tag_list(properties: Mapping[str, Any]) -> List[Dict[str, str]]:
    """The template's ``Tags`` as ``[{"Key", "Value"}]`` (the services' API shape)."""
    tags = properties.get("Tags") or []
    if isinstance(tags, dict):  # some types (ApiGatewayV2) take a map
        return [{"Key": k, "Value": str(v)} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in tags]


def flag(value: Any, default: bool = False) -> bool:
    """A template boolean: true/false, or the strings "true"/"false"."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
