"""``AWS::CloudWatch::Alarm`` for moto's CloudFormation, backed by its cloudwatch backend.

Written against moto 5.2.5, which has ``put_metric_alarm`` but no CloudFormation model for
alarms (it has one for dashboards): the alarms were skipped, and a dashboard's alarm widgets
(``Fn::GetAtt ... Arn``) stopped the deploy. Delete this module when moto models the type
(tests/test_moto_models.py says when).

As on AWS: ``Ref`` gives the alarm's name, ``Fn::GetAtt Arn`` its ARN. Single-metric alarms
only: an alarm on metric math (``Metrics``) is created without its queries.
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from ._common import TypeModel, flag, tag_list

CLOUDFORMATION_TYPE = "AWS::CloudWatch::Alarm"


class CloudWatchAlarm(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = {"Arn": "arn"}

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @classmethod
    def create(
        cls, resource_name: str, p: Dict[str, Any], account_id: str, region_name: str
    ) -> "CloudWatchAlarm":
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]) if "Period" in p else None,
            threshold=float(p["Threshold"]) if "Threshold" in p else None,
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions", [])],
            alarm_actions=p.get("AlarmActions", []),
            metric_data_queries=None,
            datapoints_to_alarm=int(p["DatapointsToAlarm"]) if "DatapointsToAlarm" in p else None,
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=flag(p.get("ActionsEnabled"), default=True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=tag_list(p),
        )
        return cls(alarm.name, alarm.alarm_arn)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cloudwatch_backends[account_id][region_name]
        backend.delete_alarms([self.name])
        backend.tagger.delete_all_tags_for_resource(self.arn)
