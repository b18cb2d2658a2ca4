"""Deploy labs into moto's server, a local AWS emulator, and read back what it really holds.

The real CDK CLI deploys the real synthesized templates; nothing in a template changes for the
emulator. moto, with the course's models (:mod:`week5.operations.moto_models`), creates the
network, EC2, ELBv2, Auto Scaling, RDS, ElastiCache, CloudFront, Secrets Manager, CloudWatch
alarms, WAF, S3 (bucket policies too), IAM, SSM and more. It skips the few types left
(:data:`SKIPPED_TYPES`: SNS topic policies, security group egress rules, scaling policies, Scheduler
schedules, an HTTP API's integrations, routes and stages, Budgets and Backup) while still
reporting CREATE_COMPLETE, so the read-back compares the template with what the emulator holds
and names what it skipped.
``cdk destroy`` works there too (the models add the deletions moto lacks).

- :mod:`.emulator`: the emulator's process (start, stop, ports) and environment;
- :mod:`.deploy`: ``cdk bootstrap`` and ``cdk deploy`` into it, and why a deploy failed;
- :mod:`.readback`: what it holds, one Describe reader per resource kind;
- :mod:`.coverage`: how much of the template it created.

``week5 local`` (:mod:`week5.cli.local`) prints the results.
"""

from week5.operations.local.coverage import Coverage, coverage, coverage_of
from week5.operations.local.deploy import (
    SKIPPED_TYPES,
    bootstrap,
    deploy,
    deploy_and_read,
    deploy_and_read_labs,
    deploy_labs,
    explain_failure,
    failed_resource,
    stack_statuses,
)
from week5.operations.local.emulator import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    START_TIMEOUT_S,
    Emulator,
    LocalError,
    emulator_env,
    free_port,
    port_in_use,
    start_emulator,
)
from week5.operations.local.readback import ReadBack, read_back

__all__ = [
    "LOCAL_ACCOUNT",
    "LOCAL_REGION",
    "SKIPPED_TYPES",
    "START_TIMEOUT_S",
    "Coverage",
    "Emulator",
    "LocalError",
    "ReadBack",
    "bootstrap",
    "coverage",
    "coverage_of",
    "deploy",
    "deploy_and_read",
    "deploy_and_read_labs",
    "deploy_labs",
    "emulator_env",
    "explain_failure",
    "failed_resource",
    "free_port",
    "port_in_use",
    "read_back",
    "stack_statuses",
    "start_emulator",
]
