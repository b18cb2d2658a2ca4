"""What the extensions share: the moto version they were written against, the names
CloudFormation would give a resource whose template gives none, and :class:`TypeModel`, the
part of a model that only names its type and attributes."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Mapping

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
