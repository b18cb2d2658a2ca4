"""``AWS::CloudWatch::Dashboard`` as moto 5.2.5 models it, named as CloudFormation names a
dashboard whose template gives no ``DashboardName``.

moto's model names such a dashboard with a UUID; CloudFormation names it ``<logical
id>-<random suffix>`` (CDK's ``Dashboard`` without ``dashboard_name``, as
:func:`week5.constructs.monitoring.alarm_dashboard` makes it), and keeps that name when an
update changes only its body (moto's update deletes it and makes another under a new UUID).
This model is moto's with the name CloudFormation gives; its deletion is moto's. Delete this
module when moto names it so (tests/test_emulator_asg_tag_propagation.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.utils import random_suffix
from moto.cloudwatch.models import Dashboard, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from ._common import MotoDeletion

CLOUDFORMATION_TYPE = "AWS::CloudWatch::Dashboard"


def _named(cloudformation_json: Dict[str, Any], name: str) -> Dict[str, Any]:
    """The template with ``DashboardName`` ``name`` unless it names the dashboard itself."""
    properties = cloudformation_json.get("Properties", {})
    if properties.get("DashboardName"):
        return cloudformation_json
    return {**cloudformation_json, "Properties": {**properties, "DashboardName": name}}


class CloudWatchDashboard(MotoDeletion, CloudFormationModel):
    MOTO_MODEL = Dashboard

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Dashboard:
        # moto passes the logical id; its generated name is ``<stack>-<logical id>-<suffix>``.
        logical_id = kwargs.get("LogicalId") or resource_name
        return super().create_from_cloudformation_json(
            resource_name,
            _named(cloudformation_json, f"{logical_id}-{random_suffix()}"),
            account_id,
            region_name,
            **kwargs,
        )

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Dashboard,
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Dashboard:
        # An unnamed dashboard keeps its name; a new DashboardName replaces it.
        properties = _named(cloudformation_json, original_resource.name)["Properties"]
        backend = cloudwatch_backends[account_id][region_name]
        if properties["DashboardName"] != original_resource.name:
            backend.delete_dashboards(dashboards=[original_resource.name])
        return backend.put_dashboard(
            name=properties["DashboardName"], body=properties["DashboardBody"]
        )
