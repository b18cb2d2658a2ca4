"""What the extensions share: the moto version they were written against, the names
CloudFormation would give a resource whose template gives none, :class:`TypeModel`, the part
of a model that only names its type and attributes, and :class:`WithDeletion`, moto's model of a
type with the deletion it lacks."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Mapping, Tuple, Type

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


class WithDeletion:
    """An override that is moto's own model for its type, with the deletion moto's lacks.

    moto's stack deletion calls the resource's ``delete(account_id, region)``, else its type's
    ``delete_from_cloudformation_json`` with the physical id; for these types moto has neither
    (the latter is abstract), so the resource stayed behind, reported deleted. A model is
    ``class Model(WithDeletion, CloudFormationModel)`` naming moto's (``MOTO_MODEL``): creation,
    ``Ref`` and ``Fn::GetAtt`` stay moto's, and :meth:`delete_resource` deletes by the physical
    id with moto's EC2 backend. A dependency still there (an attached gateway, an associated
    route table) raises, and moto tries again in its next pass; what is already gone (``GONE``:
    a route with its table) counts as deleted.
    """

    #: moto's model for the type, which creates it.
    MOTO_MODEL: ClassVar[Any]
    #: The errors that say the resource is already gone.
    GONE: ClassVar[Tuple[Type[Exception], ...]] = ()

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
        return cls.MOTO_MODEL.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

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
