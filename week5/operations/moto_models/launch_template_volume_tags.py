"""The volume tags of a launch template on the volumes of the instances launched from it, as
AWS puts them.

Written against moto 5.2.5, whose ``RunInstances`` takes a launch template's ``instance`` tag
specifications but not its ``volume`` ones: the root volumes of the instances an Auto Scaling
group launched from a lab's launch template (which names the volume's Name, Week, Day, Lab and
Student) came out with no tags at all. :func:`install` makes ``RunInstances`` (the API's, an
Auto Scaling group's and :mod:`.ec2_instance`'s) give a launched instance's volumes its launch
template's volume tags, under the request's own volume tags (a key in both keeps the
request's value). Delete this module when moto's ``RunInstances`` does so
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List

from moto.ec2.models.instances import InstanceBackend
from moto.ec2.utils import convert_tag_spec

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_RUN_INSTANCES = InstanceBackend.run_instances


def run_instances(
    self: InstanceBackend,
    image_id: str,
    count: int,
    user_data: Any,
    security_group_names: List[str],
    **kwargs: Any,
) -> Any:
    """moto's, with the launch template's volume tags added to the request's."""
    if kwargs.get("launch_template"):
        data = self._get_template_from_args(kwargs["launch_template"]).data
        from_template = convert_tag_spec(data.get("TagSpecifications") or []).get("volume")
        if from_template:
            tags: Dict[str, Dict[str, str]] = dict(kwargs.get("tags") or {})
            tags["volume"] = {**from_template, **tags.get("volume", {})}
            kwargs["tags"] = tags
    return MOTO_RUN_INSTANCES(self, image_id, count, user_data, security_group_names, **kwargs)


def install() -> None:
    """Patch moto's ``RunInstances`` as the module's docstring says (idempotent)."""
    InstanceBackend.run_instances = run_instances  # type: ignore[method-assign]
