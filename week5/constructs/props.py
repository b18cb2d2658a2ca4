"""Checking a construct's props: the wrong type of value fails at construction with one line
that names the prop and the fix, instead of a jsii traceback later or a silent wrong result.

A prop of the wrong type is the user's mistake (``"2"`` from a config file, ``nat="none"``
for the enum, the ``MultiAzVpc`` where its ``.vpc`` is wanted); the constructs call these
before their own range checks, which then compare numbers with numbers.
"""

from __future__ import annotations

import enum
from typing import Any, Optional, Sequence, Type, TypeVar

from aws_cdk import Duration, Token
from aws_cdk import aws_ec2 as ec2

from week5.core.errors import CourseInputError
from week5.core.errors import shown as _shown

E = TypeVar("E", bound=enum.Enum)
#: An int prop's unit by its name's ending, for the message when a Duration is given.
_UNITS = {"_days": "a number of days", "_gib": "a number of GiB"}
#: A whole-number prop's example by its name's ending, for the message when it is not one: a
#: port's is a port, not the ``2`` of a count.
_EXAMPLES = {"port": 8080, "ports": 8080, "_days": 7, "_gib": 20}
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict, enum.Enum)


def shown(value: Any) -> str:
    """``value`` for a message: a plain value quoted, an object by its type (a jsii object's
    repr is an address)."""
    return _shown(value) if isinstance(value, _PLAIN) else f"a {type(value).__name__}"


def require_int(where: str, name: str, value: Any, *, optional: bool = False) -> None:
    """A real ``int``: not ``"2"``, not ``2.0``, not ``True`` (which Python counts as 1)."""
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        refuse_token(where, name, value, "a number")
        if isinstance(value, Duration):
            unit = next((u for s, u in _UNITS.items() if name.endswith(s)), "a whole number")
            raise CourseInputError(
                f"{where}: {name} takes {unit}, not a Duration; pass e.g. {name}=7"
            )
        example = next((e for s, e in _EXAMPLES.items() if _stem(name).endswith(s)), 2)
        raise CourseInputError(
            f"{where}: {name}={shown(value)} must be a whole number, e.g. {example}"
        )


def _stem(name: str) -> str:
    """A prop's name without the `` item`` of a list prop's item (``internet_ports item``)."""
    return name[: -len(" item")] if name.endswith(" item") else name


def require_ints(where: str, name: str, value: Any) -> None:
    """A list of whole numbers (ports)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be a list, e.g. [80]")
    for item in value:
        require_int(where, f"{name} item", item)


def require_number(where: str, name: str, value: Any, *, optional: bool = False) -> None:
    """An ``int`` or ``float``, not a string or a bool."""
    if optional and value is None:
        return
    if isinstance(value, float):  # CfnParameter.value_as_number is a float that encodes a token
        refuse_token(where, name, value, "a number")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be a number, e.g. 50")


def refuse_token(where: str, name: str, value: Any, instead: str) -> None:
    """Refuse a deploy-time value (a ``CfnParameter``'s, an attribute's): a prop that is
    checked, compared or parsed at synth has no value yet; a float token otherwise reads as
    ``-1.888e+289`` in the message. ``instead`` says what to pass."""
    if isinstance(value, (str, float)) and Token.is_unresolved(value):
        raise CourseInputError(
            f"{where}: {name}= a deploy-time value (CfnParameter, token) cannot be checked or "
            f"used here; pass {instead}"
        )


def require_bool(where: str, name: str, value: Any) -> None:
    """``True`` or ``False``: not ``"false"``, which Python counts as true."""
    if not isinstance(value, bool):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be True or False")


def require_str(
    where: str, name: str, value: Any, *, optional: bool = False, instead: Optional[str] = None
) -> None:
    """A ``str``; ``None`` only where the prop is optional.

    :param instead: what to pass (``"a CIDR such as '10.0.0.0/16'"``) for a prop checked
        against a pattern or used at synth (a name, a CIDR, a path): a deploy-time value
        (``CfnParameter(...).value_as_string``) is then refused as :func:`refuse_token` says,
        not reported as a malformed ``'${Token[TOKEN.10]}'``. @default ``None``: a string
        that holds tokens is taken (a command, an ARN, an endpoint)
    """
    if optional and value is None:
        return
    if not isinstance(value, str):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be a string")
    if instead is not None:
        refuse_token(where, name, value, instead)


def require_duration(where: str, name: str, value: Any, *, optional: bool = False) -> None:
    """A ``Duration`` (``Duration.minutes(5)``), not a bare number whose unit is a guess."""
    if optional and value is None:
        return
    if not isinstance(value, Duration):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} must be a Duration, e.g. Duration.minutes(5)"
        )


def require_enum(where: str, name: str, value: Any, members: Type[E]) -> E:
    """A member of ``members``. Its value string (``"none"``) is refused: a typo in it would
    otherwise pick another mode silently."""
    if not isinstance(value, members):
        choices = ", ".join(f"{members.__name__}.{m.name}" for m in members)
        raise CourseInputError(f"{where}: {name}={shown(value)} must be one of {choices}")
    return value


def require_member(where: str, name: str, value: Any, members: Type[E], example: str) -> E:
    """A member of an enum too long to list in a message (``logs.RetentionDays``): named by
    ``example`` (``logs.RetentionDays.ONE_WEEK``) instead of every member."""
    if not isinstance(value, members):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} must be a {members.__name__}, e.g. {example}"
        )
    return value


def require_lines(where: str, name: str, value: Any) -> None:
    """A list of shell lines: a lone string would run one character per line."""
    require_strings(where, name, value, "echo hi", what="lines")


def require_strings(where: str, name: str, value: Any, example: str, what: str = "strings") -> None:
    """A list of strings (zones, CIDRs, lines), not one string, which would be taken letter by
    letter."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} must be a list of {what}, e.g. [{shown(example)}]"
        )
    for item in value:
        if not isinstance(item, str):
            raise CourseInputError(f"{where}: {name} has {shown(item)}, which is not a string")


def require_vpc(where: str, value: Any, name: str = "vpc") -> None:
    """An ``ec2.IVpc``. A construct that holds one (a ``MultiAzVpc``) is named with its fix."""
    if value is not None and _is_vpc(value):
        return
    inner = getattr(value, "vpc", None)
    if inner is not None and _is_vpc(inner):
        node = getattr(value, "node", None)
        label = f"{type(value).__name__} {node.path}" if node is not None else type(value).__name__
        raise CourseInputError(
            f"{where}: {name}= is the {label} construct itself; pass its .vpc "
            f"(e.g. {name}=network.vpc), the ec2.IVpc it holds"
        )
    raise CourseInputError(
        f"{where}: {name}={shown(value)} is not a VPC; pass an ec2.IVpc such as "
        "MultiAzVpc(...).vpc"
    )


def require_subnet(where: str, name: str, value: Any) -> None:
    """One ``ec2.ISubnet`` (``network.public_subnets[0]``): not ``None``, an id string or a
    list."""
    if _is_subnet(value):
        return
    if isinstance(value, (list, tuple)):
        raise CourseInputError(
            f"{where}: {name}= is a list; pass one subnet, e.g. {name}=network.public_subnets[0]"
        )
    fix = (
        "wrap an id with ec2.Subnet.from_subnet_id(self, 'Subnet', id)"
        if isinstance(value, str)
        else f"pass one of the VPC's, e.g. {name}=network.public_subnets[0]"
    )
    raise CourseInputError(f"{where}: {name}={shown(value)} is not a subnet; {fix}")


def require_subnets(where: str, name: str, value: Any, vpc: Any) -> None:
    """A non-empty list of ``ec2.ISubnet`` of ``vpc`` (``None`` is the caller's default)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CourseInputError(
            f"{where}: {name}={shown(value)} must be a list of subnets, e.g. "
            f"{name}=network.private_subnets"
        )
    if not value:
        raise CourseInputError(
            f"{where}: {name}=[] names no subnet; pass some of the VPC's (e.g. "
            f"network.private_subnets) or leave it out for the default"
        )
    for item in value:
        if not _is_subnet(item):
            raise CourseInputError(f"{where}: {name} has {shown(item)}, which is not a subnet")
        require_subnet_of(where, name, item, vpc, many=True)


def require_subnet_of(where: str, name: str, subnet: Any, vpc: Any, *, many: bool = False) -> None:
    """``subnet`` is one of ``vpc``'s. A subnet made inside a VPC construct knows its VPC (its
    node's scope); one imported on its own (``Subnet.from_subnet_id``) does not, and is taken.
    ``many``: ``name`` is a list prop (``subnets has ...``)."""
    owner = getattr(getattr(subnet, "node", None), "scope", None)
    if owner is None or not _is_vpc(owner):
        return
    path = owner.node.path
    if path == vpc.node.path or owner.vpc_id == vpc.vpc_id:
        return
    mine = {
        s.node.path
        for group in (vpc.public_subnets, vpc.private_subnets, vpc.isolated_subnets)
        for s in group
    }
    if subnet.node.path in mine:
        return
    said, example = (
        (f"{name} has {subnet.node.path}, which is", f"{name}=network.private_subnets")
        if many
        else (f"{name} {subnet.node.path} is", f"{name}=network.public_subnets[0]")
    )
    raise CourseInputError(
        f"{where}: {said} in another VPC ({path}) than vpc={vpc.node.path}; pass vpc's own "
        f"subnets, e.g. {example}"
    )


def _is_subnet(value: Any) -> bool:
    # ISubnet, like IVpc, is known by its attributes; two that every subnet answers (an imported
    # one raises in jsii for an availability_zone it was not given).
    return not isinstance(value, (str, list, tuple, type(None))) and all(
        hasattr(value, a) for a in ("subnet_id", "internet_connectivity_established")
    )


def _is_vpc(value: Any) -> bool:
    # jsii interfaces are not runtime-checkable: an IVpc is what has a VPC's id and subnets.
    return all(hasattr(value, a) for a in ("vpc_id", "public_subnets", "select_subnets"))


def instance_type_name(where: str, value: Any, pattern, what: str, prefix: str = "") -> str:
    """The instance type's name from a string or an ``ec2.InstanceType`` (CDK's own form, whose
    name RDS prefixes with ``prefix``), checked against ``pattern``; ``what`` says what fits."""
    text = value
    if isinstance(value, ec2.InstanceType):
        text = prefix + value.to_string()
    if not isinstance(text, str) or not pattern.match(text):
        refuse_token(where, "instance_type", text, "an instance type's name")
        raise CourseInputError(f"{where}: instance_type={shown(value)} is not {what}")
    return text


def require_instance_type(
    where: str, name: str, value: Any, pattern, what: str, prefix: str = ""
) -> str:
    """``instance_type_name`` for a prop of another name (``db_instance_type`` of a construct
    that passes it on): the message names ``name``."""
    text = value
    if isinstance(value, ec2.InstanceType):
        text = prefix + value.to_string()
    if not isinstance(text, str) or not pattern.match(text):
        refuse_token(where, name, text, "an instance type's name")
        raise CourseInputError(f"{where}: {name}={shown(value)} is not {what}")
    return text


def require_distinct(where: str, name: str, values: Sequence[Any]) -> None:
    """No value twice (an AZ given twice would get two subnets with one CIDR)."""
    seen = set()
    for value in values:
        if value in seen:
            raise CourseInputError(f"{where}: {name} has {shown(value)} twice; name each once")
        seen.add(value)


def require_list(where: str, name: str, value: Any, example: str) -> None:
    """A list prop, not one item of it (a lone volume, which is not iterable) nor a string
    (taken letter by letter); ``example`` is the fix, e.g. ``volumes=[data.volume]``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CourseInputError(f"{where}: {name}={shown(value)} must be a list, e.g. {example}")


def require_volume(where: str, name: str, value: Any, *, item: bool = False) -> None:
    """An ``ec2.IVolume``. A construct that holds one (a ``DataVolume``) is named with its fix,
    ``.volume``, as ``require_vpc`` names a ``MultiAzVpc``'s ``.vpc``. ``item``: ``value`` is
    one of the list prop ``name``'s."""
    _require_held(where, name, value, _is_volume, "volume", "volume", "ec2.IVolume", "data", item)


def require_db_instance(where: str, name: str, value: Any, *, item: bool = False) -> None:
    """An ``rds.IDatabaseInstance``. A construct that holds one (a ``PostgresDatabase``, any
    ``LabDatabase``) is named with its fix, ``.instance``. ``item`` as for ``require_volume``."""
    _require_held(
        where, name, value, _is_db_instance, "instance", "DB instance", "rds.IDatabaseInstance",
        "db", item,
    )


def _require_held(where, name, value, test, attr, what, interface, var, item) -> None:
    if test(value):
        return
    example = f"{name}=[{var}.{attr}]" if item else f"{name}={var}.{attr}"
    inner = None if isinstance(value, _PLAIN) else getattr(value, attr, None)
    if inner is not None and test(inner):
        node = getattr(value, "node", None)
        label = f"{type(value).__name__} {node.path}" if node is not None else type(value).__name__
        said = f"{name} has" if item else f"{name}= is"
        raise CourseInputError(
            f"{where}: {said} the {label} construct itself; pass its .{attr} (e.g. {example}), "
            f"the {interface} it holds"
        )
    said = f"{name} has {shown(value)}, which is" if item else f"{name}={shown(value)} is"
    raise CourseInputError(
        f"{where}: {said} not a {what}; pass an {interface} such as {example}"
    )


def _is_volume(value: Any) -> bool:
    # An IVolume, like an IVpc, is known by its attributes (a CfnVolume has attr_volume_id).
    return not isinstance(value, _PLAIN) and all(
        hasattr(value, a) for a in ("volume_id", "availability_zone")
    )


def _is_db_instance(value: Any) -> bool:
    return not isinstance(value, _PLAIN) and all(
        hasattr(value, a) for a in ("instance_identifier", "db_instance_endpoint_address")
    )
