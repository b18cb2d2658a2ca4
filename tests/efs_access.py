"""Whether EFS lets a host mount a file system and write to it as root, read from a template.

A model of EFS's authorization, from the EFS user guide ("Using IAM to control access to file
systems"), since no emulator here enforces it:

- With no file system policy, EFS's default policy lets every client that reaches a mount target
  mount, write and act as root, anonymous or not.
- With a policy, a client that mounts without amazon-efs-utils' ``iam`` option is anonymous, and
  a policy naming ``{"AWS": "*"}`` does not match it: the console's "Prevent anonymous access"
  (cdk.json's ``@aws-cdk/aws-efs:denyAnonymousAccess``) is exactly such a policy. A client that
  signs in with its role gets an action when the file system policy or the role's own policies
  allow it and neither denies it.

Each action must be allowed for the boot script: ``ClientMount`` to mount, ``ClientWrite`` to
write, ``ClientRootAccess`` to write as root (without it EFS squashes root to nobody). A
condition the model does not know fails the check rather than being guessed.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

#: What the boot scripts do on the file system: mount it, and write to it as root.
BOOT_SCRIPT_ACTIONS = (
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
)


def fstab_options(user_data: str, mount_point: str) -> List[str]:
    """The options of the EFS fstab line that mounts ``mount_point`` in ``user_data``."""
    found = re.findall(rf":/ {re.escape(mount_point)} efs (\S+) 0 0", user_data)
    assert len(found) == 1, f"one EFS fstab line for {mount_point}, found {found}"
    return found[0].split(",")


def _listed(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def _action_matches(pattern: str, action: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), action, re.IGNORECASE) is not None


def _conditions_hold(conditions: Optional[Dict[str, Any]], options: List[str]) -> bool:
    known = {
        "elasticfilesystem:AccessedViaMountTarget": "true",  # the boot script mounts through one
        "aws:SecureTransport": "true" if "tls" in options else "false",
    }
    for operator, tests in (conditions or {}).items():
        assert operator == "Bool", f"the model knows only Bool conditions, not {operator}"
        for key, value in tests.items():
            assert key in known, f"the model does not know the condition {key}"
            if str(value).lower() != known[key]:
                return False
    return True


def _effects(statements, action, options, matches_principal, matches_resource) -> set:
    return {
        s["Effect"]
        for s in statements
        if matches_principal(s)
        and matches_resource(s)
        and any(_action_matches(a, action) for a in _listed(s["Action"]))
        and _conditions_hold(s.get("Condition"), options)
    }


def refused_actions(
    template: Dict[str, Any], file_system: str, role: str, options: List[str]
) -> List[str]:
    """The boot script's actions EFS refuses a host whose role is ``role`` (logical ids) and
    whose fstab line has ``options``; empty when the host may mount and write as root."""
    policy = template["Resources"][file_system]["Properties"].get("FileSystemPolicy")
    if policy is None:
        return []
    if "iam" not in options:
        return list(BOOT_SCRIPT_ACTIONS)  # anonymous: no statement of a policy matches it
    role_arn = {"Fn::GetAtt": [role, "Arn"]}
    fs_arn = {"Fn::GetAtt": [file_system, "Arn"]}
    role_statements = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role} in resource["Properties"].get("Roles", [])
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
    refused = []
    for action in BOOT_SCRIPT_ACTIONS:
        effects = _effects(
            policy["Statement"], action, options,
            lambda s: any(p in ("*", role_arn) for p in _listed(s["Principal"].get("AWS"))),
            lambda s: True,  # a file system policy's resource is the file system
        ) | _effects(
            role_statements, action, options,
            lambda s: True,
            lambda s: any(r in ("*", fs_arn) for r in _listed(s["Resource"])),
        )  # fmt: skip
        if effects != {"Allow"}:
            refused.append(action)
    return refused


def instance_role(template: Dict[str, Any], instance_profile: str) -> str:
    """The logical id of the one role in ``instance_profile``."""
    (role,) = template["Resources"][instance_profile]["Properties"]["Roles"]
    return role["Ref"]
