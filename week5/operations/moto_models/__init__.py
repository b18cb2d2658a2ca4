"""CloudFormation models that moto lacks or gets wrong, added through its own extension point,
and the few fixes to moto that are no one type's model.

moto's CloudFormation finds resource types through ``CloudFormationModel.__subclasses__()``, so
a subclass defined in a module imported into the moto server's process adds a type (the module
needs a dotted name: moto's model tracker reads ``cls.__module__.split(".")[1]``). Each model
module handles one type with moto's existing backend for it, says what moto does without it, names
the moto version it was written against (``WRITTEN_FOR_MOTO``), and is to be deleted when moto
gains the type or fixes the bug; tests/test_moto_models.py fails then, naming it.

- Added types (moto has the backend, no model): Secrets Manager secrets and attachments,
  ElastiCache subnet and replication groups, CloudFront distributions and origin access
  controls, CloudWatch alarms, WAFv2 web ACLs and associations, HTTP APIs, EC2 key pairs and
  S3 bucket policies (moto, which reads no condition, then judges a request by a policy's
  statements without one), CDK's ``CDKMetadata`` (nothing made: listed with its logical id,
  type and an id, as AWS lists it), each a :class:`._common.TypeModel`, and CDK's ``Custom::AWS``
  lookups (the one type installed by patching moto's type lookup, which sends every
  ``Custom::`` type to a Docker Lambda before its model map).
- Overrides (:data:`OVERRIDES`: moto's model, with a bug worked around): registered after
  moto's own, so moto's model map picks them; they hand the work to moto's model or backend.
  Most are a :class:`._common.MotoOverride` of moto's model that mends only what it gets wrong
  (:class:`._common.WithDeletion` adds a deletion by physical id, :class:`._common.Wrapper`
  wraps moto's resource); a subnet's route table association and a security group's ingress
  rule replace moto's model whole. Route tables, routes, internet gateways and their
  attachments, Elastic IPs, NAT gateways, volumes and their attachments, VPC endpoints (their
  routes too) and Lambda layer versions are moto's with the deletion moto's model lacks, so
  ``cdk destroy`` empties a VPC;
  route tables, internet gateways, Elastic IPs and NAT gateways also take the template's tags,
  a volume its type, encryption and snapshot, an instance's volumes its tags when it propagates
  them; an EFS file system gets its ``Arn``, its policy and the stack's tags, a bucket its
  lifecycle rules, website and Block Public Access settings and AWS's deletion (emptied
  first when CDK tagged it for auto-delete, else refused while it holds objects), and a subnet
  its ``MapPublicIpOnLaunch``.
- Patches (:data:`PATCHES`: no type of their own): a module whose ``install()`` changes moto
  where no model reaches: the outputs and ``aws:cloudformation:*`` tags a change set leaves,
  a WAFv2 call moto's server lacks, ElastiCache's ``DescribeServerlessCaches`` (none: moto
  has no serverless cache), VPC endpoints, network ACLs and ECR repositories in the tagging
  API (moto's ECR takes no part in it), the EC2 tags
  of what a stack's deletion deleted, an Auto
  Scaling group's instances spread over its subnets' AZs and their network interfaces deleted
  with them, a template URL on an IP address
  (a server started on 127.0.0.1), change sets found within their stack (CDK names them all
  alike) with CloudFormation's ``ChangeSetNotFound``, EC2's launch templates answered in pages,
  a resource that moto cannot update kept in its stack by an update, ``DescribeSnapshots``
  kept to the owners asked for, a JSON template read as JSON (not through the pure-Python YAML
  loader), moto's package folders listed once, not at every request, a launch template's volume
  tags on the volumes of the instances launched from it, the tags of the volumes an
  instance's termination deletes dropped with them, and those of an address, interface, group
  or volume deleted through EC2's API; the failure events the labs teach: an
  Auto Scaling group's target groups following its instances (what it terminates or detaches
  leaves them, a replacement joins them, after EC2's ``TerminateInstances`` too), its
  ``SetDesiredCapacity`` kept within its sizes and its scale-in taken from its fullest AZ, RDS's
  forced failover (refused without Multi-AZ, else the standby's AZ and the primary's swap) and
  ElastiCache's ``TestFailover``; and what AWS refuses and lists: a subnet holding network
  interfaces kept from ``DeleteSubnet`` (``DependencyViolation``), a VPC holding a security group
  of its own or an attached internet gateway kept from ``DeleteVpc`` (``DependencyViolation``,
  worded as AWS words it), an internet gateway kept attached while its VPC maps a public
  address (``DependencyViolation``), and an instance's own interfaces deleted with it, a DB
  subnet group or security group a database uses kept from deletion
  (``InvalidDBSubnetGroupStateFault``, ``DependencyViolation``), a stack whose deletion
  a resource refuses left ``DELETE_FAILED`` (what moto did not make left out of its resource
  lists, ``RetainResources`` honoured on a retry),
  a change set's stack importing and publishing exports, ``Fn::GetStackOutput`` resolved, a
  failed execution rolled back, a stack whose export another imports kept from ``DeleteStack``,
  a replication group's member clusters listed by ``DescribeCacheClusters`` (with its tags),
  its snapshots given its tags, and an instance launched from a launch template given the
  template's root volume alone (no default 8 GiB ``/dev/sda1``) and its monitoring; a DB
  subnet group's ``Ref`` its name; a database restored from a snapshot given the request's false
  ``MultiAZ`` and ``PubliclyAccessible``; an encrypted database that names no key given the
  account's ``aws/rds`` key, so its snapshots and restores are encrypted too; and
  termination protection: a stack's lifted and set by ``UpdateTerminationProtection`` and
  refusing ``DeleteStack`` while on, an instance's kept from ``RunInstances``; and what a
  student deleted by hand counted as deleted by the stack's deletion, as CloudFormation counts
  it: a launch template, a security group, an instance already terminated (which
  ``TerminateInstances`` terminates again without error). Each names the moto version and is
  deleted as a model is.

``python -m week5.operations.moto_models.server -p PORT`` is moto's server with these loaded
(:func:`server_command` builds that command line). Importing this package imports no moto.
"""

from __future__ import annotations

import importlib
import sys
from typing import Dict, List, Optional

from ._common import WRITTEN_FOR_MOTO

#: One module per type, named after it (the overrides last).
MODULES = (
    "secretsmanager_secret",
    "secretsmanager_secret_target_attachment",
    "elasticache_subnet_group",
    "elasticache_replication_group",
    "cloudfront_origin_access_control",
    "cloudfront_distribution",
    "cloudwatch_alarm",
    "wafv2_web_acl",
    "wafv2_web_acl_association",
    "apigatewayv2_api",
    "ec2_key_pair",
    "s3_bucket_policy",
    "custom_aws",
    "cdk_metadata",
    "rds_db_instance",
    "ssm_parameter",
    "elbv2_load_balancer",
    "elbv2_target_group",
    "ec2_instance",
    "ec2_subnet_route_table_association",
    "ec2_security_group_ingress",
    "ec2_nat_gateway",
    "ec2_route_table",
    "ec2_route",
    "ec2_internet_gateway",
    "ec2_vpc_gateway_attachment",
    "ec2_eip",
    "ec2_volume",
    "ec2_volume_attachment",
    "efs_file_system",
    "lambda_layer_version",
    "lambda_function",
    "s3_bucket",
    "ec2_subnet",
    "ec2_vpc_endpoint",
    "cloudwatch_dashboard",
)
#: Types moto models itself, whose model here only works around a moto bug.
OVERRIDES = (
    "AWS::RDS::DBInstance",
    "AWS::SSM::Parameter",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::Instance",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::NatGateway",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EIP",
    "AWS::EC2::Volume",
    "AWS::EC2::VolumeAttachment",
    "AWS::EFS::FileSystem",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Function",
    "AWS::S3::Bucket",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPCEndpoint",
    "AWS::CloudWatch::Dashboard",
)
#: Fixes to moto that are no type's model, each installed by its module's ``install()``.
PATCHES = (
    "stack_outputs",
    "stack_tags",
    "wafv2_list_resources_for_web_acl",
    "elasticache_serverless_caches",
    "ec2_tagged_kinds",
    "ecr_tagged_repositories",
    "deleted_ec2_tags",
    "autoscaling_group_interfaces",
    "template_url",
    "change_sets",
    "launch_template_pages",
    "stack_update_keeps",
    "snapshot_owners",
    "template_json",
    "backend_folders",
    "launch_template_volume_tags",
    "terminated_volume_tags",
    "ec2_api_deleted_tags",
    "ec2_delete_key_pair_by_id",
    "autoscaling_group_targets",
    "autoscaling_group_capacity",
    "rds_force_failover",
    "elasticache_test_failover",
    "ec2_subnet_dependencies",
    "ec2_vpc_dependencies",
    "ec2_internet_gateway_detach",
    "stack_delete_failed",
    "elasticache_member_clusters",
    "elasticache_snapshot_tags",
    "launch_template_instances",
    "stack_termination_protection",
    "ec2_instance_termination_protection",
    "launch_template_gone",
    "ec2_security_group_gone",
    "ec2_instance_terminated",
    "rds_db_subnet_group_name",
    "rds_groups_in_use",
    "rds_restore_false_overrides",
    "ec2_public_addresses",
    "rds_snapshot_delete",
    "rds_storage_encryption",
)

__all__ = ["MODULES", "OVERRIDES", "PATCHES", "WRITTEN_FOR_MOTO", "load", "server_command"]


def load() -> Dict[str, type]:
    """Import every model into this process; returns {CloudFormation type: model class}.

    moto caches its model map on first use: the cache is cleared so that a process that has
    already created a stack (an in-process ``mock_aws``) sees the models too. A module with an
    ``install()`` (a type moto looks up before its model map) is installed, as is each of
    :data:`PATCHES`.
    """
    from moto.cloudformation import parsing

    models = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        cls = next(
            v
            for v in vars(module).values()
            if isinstance(v, type)
            and v.__module__ == module.__name__
            and hasattr(v, "cloudformation_type")
        )
        models[module.CLOUDFORMATION_TYPE] = cls
        if hasattr(module, "install"):
            module.install()
    for name in PATCHES:
        importlib.import_module(f"{__name__}.{name}").install()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    return models


def server_command(port: int, host: str = "127.0.0.1", python: Optional[str] = None) -> List[str]:
    """The command line that starts moto's server with these models, on ``host:port``."""
    return [
        python or sys.executable,
        "-m",
        f"{__name__}.server",
        "-H",
        host,
        "-p",
        str(port),
    ]
