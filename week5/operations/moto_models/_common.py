"""What the extensions share: the moto version they were written against, the names
CloudFormation would give a resource whose template gives none, the template's tags in the
services' shape (on an EC2 resource whose moto model drops them, and on an ELBv2 resource,
which moto's tagging API cannot tag), and the bases of the models: :class:`TypeModel`, the part
of an added type's model that only names its type and attributes; :class:`MotoOverride`, moto's
own model of a type, with one of its bugs worked around; :class:`WithDeletion`, such an
override with the deletion moto's model lacks; and :class:`Wrapper`, such an override whose
resource wraps moto's, for what moto's resource lacks.

This module imports no moto (the package's ``__init__`` imports it): what needs moto imports it
where it runs.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Mapping, Tuple, Type

#: Every extension in this package was written against this moto, and is to be deleted when
#: moto gains its type (tests/test_moto_models.py fails then, naming it).
WRITTEN_FOR_MOTO = "5.2.5"


def moto_own(cls: type, name: str) -> Any:
    """moto's own ``cls.<name>``, kept on the class the first time a patch module asks: a
    reload of that module (after its ``install``) reads it there, not the patch, whose call of
    "moto's" would then call itself."""
    kept = f"_week5_moto_{name}"
    if kept not in vars(cls):
        setattr(cls, kept, getattr(cls, name))
    return getattr(cls, kept)


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


def add_ec2_tags(
    account_id: str, region_name: str, resource_id: str, properties: Mapping[str, Any]
) -> None:
    """Tag the EC2 resource ``resource_id`` with the template's ``Tags`` (``properties``) through
    moto's EC2 backend: several of moto's EC2 models make the resource without them."""
    tags = tag_list(properties)
    if tags:
        from moto.ec2.models import ec2_backends

        ec2_backends[account_id][region_name].create_tags(
            [resource_id], {t["Key"]: t["Value"] for t in tags}
        )


def add_elbv2_tags(account_id: str, region_name: str, arn: str, tags: List[Dict[str, str]]) -> None:
    """Tag the ELBv2 load balancer or target group ``arn`` with ``tags`` (``[{"Key", "Value"}]``)
    through moto's ELBv2 backend: moto's models drop the template's ``Tags``, and moto's tagging
    API cannot tag ELBv2 (its ``tag_resources`` returns the ARN as failed)."""
    if tags:
        from moto.elbv2.models import elbv2_backends

        elbv2_backends[account_id][region_name].add_tags([arn], tags)


def flag(value: Any, default: bool = False) -> bool:
    """A template boolean: true/false, or the strings "true"/"false"."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


class TypeModel:
    """What every added type's model says the same way, from its class attributes.

    A model is ``class Model(TypeModel, CloudFormationModel)``: this mixin first, so that its
    methods win over ``CloudFormationModel``'s, and not itself a ``CloudFormationModel``, since
    moto finds types through ``CloudFormationModel.__subclasses__()`` (direct subclasses only).
    The model itself supplies :meth:`create` (from the template's properties) and ``delete``;
    an update replaces the resource (delete, then create) unless the model overrides
    ``update_from_cloudformation_json``.
    """

    #: The CloudFormation type, e.g. ``"AWS::EC2::KeyPair"``.
    TYPE: ClassVar[str] = ""
    #: The property that names the resource ("" when the type takes no name).
    NAME_PROPERTY: ClassVar[str] = ""
    #: ``Fn::GetAtt`` attribute -> the model's attribute holding its value.
    ATTRIBUTES: ClassVar[Dict[str, str]] = {}
    #: The model's attribute that ``Ref`` gives (its physical id).
    PHYSICAL_ID: ClassVar[str] = "name"

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return getattr(self, self.PHYSICAL_ID)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in self.ATTRIBUTES:
            return getattr(self, self.ATTRIBUTES[attribute_name])
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        properties = cloudformation_json.get("Properties", {})
        return cls.create(resource_name, properties, account_id, region_name)

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        """The resource made from the template's ``properties``, named ``resource_name`` when
        the template names it not: the model's one method besides ``delete``."""
        raise NotImplementedError(cls.TYPE)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def is_created(self) -> bool:
        return True


class MotoOverride:
    """An override: moto's own model for its type (``MOTO_MODEL``), with what it gets wrong mended.

    A model is ``class Model(MotoOverride, CloudFormationModel)`` (this mixin first, as with
    :class:`TypeModel`), registered after moto's, so that moto's model map picks it. Its type,
    name property and ``Fn::GetAtt`` attributes are moto's model's, and so is creation:
    :meth:`create_from_cloudformation_json` hands the template to ``MOTO_MODEL`` and returns what
    :meth:`created` makes of moto's resource (the resource itself unless the model mends it). A
    model overrides what it mends and nothing else. Updates and deletion by physical id are not
    handed on: moto calls an override's only when the override defines them (it reads the
    abstract ones of ``CloudFormationModel`` as none), so a model whose type needs them defines
    them (:class:`MotoDeletion` hands deletion on); moto's resource's own ``delete`` is called
    either way.
    """

    #: moto's model for the type, which creates it.
    MOTO_MODEL: ClassVar[Any]

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.MOTO_MODEL.cloudformation_name_type()

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.MOTO_MODEL.cloudformation_type()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.MOTO_MODEL.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        resource = cls.MOTO_MODEL.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        properties = cloudformation_json.get("Properties", {})
        return cls.created(resource, properties, account_id, region_name)

    @classmethod
    def created(
        cls, resource: Any, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        """What the stack keeps of ``resource``, which moto's model made from the template's
        ``properties``: the resource as moto made it, unless the model mends it."""
        return resource


class MotoDeletion(MotoOverride):
    """An override whose type moto deletes itself: moto's model's deletion, handed on (moto
    calls an override's only when the override defines it, so without this a stack's delete
    left the resource behind)."""

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cls.MOTO_MODEL.delete_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )


class WithDeletion(MotoOverride):
    """An override with the deletion moto's model lacks.

    moto's stack deletion calls the resource's ``delete(account_id, region)``, else its type's
    ``delete_from_cloudformation_json`` with the physical id; for these types moto has neither
    (the latter is abstract), so the resource stayed behind, reported deleted. A model is
    ``class Model(WithDeletion, CloudFormationModel)`` naming moto's (``MOTO_MODEL``): creation,
    ``Ref`` and ``Fn::GetAtt`` stay moto's (unless the model mends them, as any override may),
    and :meth:`delete_resource` deletes by the physical id with moto's backend. A dependency
    still there (an attached gateway, an associated route table) raises, and moto tries again in
    its next pass; what is already gone (``GONE``: a route with its table) counts as deleted.
    """

    #: The errors that say the resource is already gone.
    GONE: ClassVar[Tuple[Type[Exception], ...]] = ()

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        try:
            cls.delete_resource(resource_name, account_id, region_name)
        except cls.GONE:
            pass

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        """Delete the resource whose ``Ref`` is ``physical_id``: the model's one method."""
        raise NotImplementedError(cls.cloudformation_type())


class Wrapper(MotoOverride):
    """An override whose resource wraps the one moto's model makes (``self.resource``), to give
    it what moto's lacks: a ``Ref`` (``physical_resource_id``), ``Fn::GetAtt`` attributes, a
    ``delete(account_id, region)`` that moto's stack deletion calls. ``Ref``, ``Fn::GetAtt``
    and deletion are the wrapper's own: moto's resource's are not handed on.
    """

    def __init__(self, resource: Any) -> None:
        self.resource = resource

    @classmethod
    def created(
        cls, resource: Any, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> Any:
        return cls(resource)

    def is_created(self) -> bool:
        return True
