"""The day's CloudFormation stacks: each is deleted as a whole, and what it created (listed
among its resources, or made by one of them: an Auto Scaling group's instances and their
volumes) goes with it, never one by one under CloudFormation's feet. The
``aws:cloudformation:stack-name`` tag alone makes nothing a stack's: a resource an earlier stack
of that name kept (DeletionPolicy Retain, or the stack deleted and deployed again) carries it
too, and that one is a leftover of its own. The ``aws:cloudformation:stack-id`` tag, the ARN of
one stack, does name the stack that made it (:func:`id_tagged`).

A stack is the day's only when the stack itself carries the day's tags (a lab's stack does): a
resource tagged for the day does not make its stack the day's, as the stack's other resources
may carry no tags cleanup reads (someone's table, bucket, role); such a resource is left, with
its stack named. A found resource is a stack's resource by its physical id *and* its type
(:func:`owner`): a bare name names many things (an SSM parameter ``web`` is not the target group
``web``).

A deleted stack may leave resources behind (DeletionPolicy Retain: CloudFormation marks them
DELETE_SKIPPED; Snapshot keeps a snapshot): its deletion is then reported failed with them.
"""

from __future__ import annotations

import json
import re
from typing import (
    Any,
    Collection,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from week5.analysis import pricing
from week5.analysis.assembly import tag_dict
from week5.core.settings import DEFAULT_REGION
from week5.operations.cleanup.scope import (
    Found,
    NotDeleted,
    NotYet,
    Scope,
    denied,
    error_code,
    tagged,
)
from week5.operations.cleanup.ties import protected

#: Stacks in these states are gone or going already.
_GOING = ("DELETE_COMPLETE", "DELETE_IN_PROGRESS")
KIND = "CloudFormation stack"
#: The tag CloudFormation puts on what a stack creates: the stack's ARN, which names its region.
STACK_ID_TAG = "aws:cloudformation:stack-id"
#: CloudFront is global: its resources are tagged, and listed, in us-east-1, where a web ACL of
#: CloudFront's scope lives too.
GLOBAL_REGION = "us-east-1"
#: Without a stack tag (moto's emulator gives a CloudFront distribution none), a global
#: resource is looked for among the stacks of these regions: the course's, where its labs are
#: deployed, and us-east-1, where a CloudFront web ACL's stack must be.
SEARCHED_REGIONS = (DEFAULT_REGION, GLOBAL_REGION)


def stack_region(stack_id: str) -> str:
    """The region a stack's ARN names (``arn:aws:cloudformation:<region>:...``), else ""."""
    fields = stack_id.split(":")
    return fields[3] if len(fields) > 5 and fields[2] == "cloudformation" else ""
#: The code of a found stack that is gone when the run comes to delete it (CloudFormation's
#: own answer, ValidationError, says many things).
GONE_CODE = "StackNotFound"


def all_stacks(scope: Scope) -> Dict[str, Dict[str, Any]]:
    """Name → description of every stack of the region that still exists (a retained
    resource keeps the tag of a stack that is gone: it is then on its own)."""
    return scope.cached(
        "stacks",
        lambda: {
            s["StackName"]: s
            for s in scope.each("cloudformation", "describe_stacks", "Stacks")
            if s.get("StackStatus") != "DELETE_COMPLETE"
        },
    )


def id_tagged(scope: Scope, tags: Any) -> Optional[str]:
    """The live stack of the region whose id (its ARN) a resource's
    ``aws:cloudformation:stack-id`` tag is (``tags``: a Tags list or dict), else None:
    CloudFormation tags what a stack makes with it, and an Auto Scaling group gives its
    instances its own. A stack deleted and deployed again under its name has another id, so what
    an earlier one kept names none; the ``aws:cloudformation:stack-name`` tag, a bare name, is
    not read."""
    stack_id = tag_dict(tags).get(STACK_ID_TAG)
    if not stack_id:
        return None
    return next(
        (name for name, s in all_stacks(scope).items() if s.get("StackId") == stack_id), None
    )


def stacks(scope: Scope) -> List[Found]:
    """The root stacks tagged for the day (a nested stack goes with its root)."""
    return [
        stack_found(scope, stack)
        for stack in all_stacks(scope).values()
        if stack.get("StackStatus") not in _GOING
        and not stack.get("ParentId")
        and scope.ours(stack.get("Tags"))
    ]


def stack_found(scope: Scope, stack: Dict[str, Any]) -> Found:
    """A root stack, to be deleted whole; one whose own termination protection is on
    (EnableTerminationProtection: CloudFormation refuses DeleteStack) is left, with what it
    holds, and the command that turns it off: this never does."""
    name = stack["StackName"]
    ties = []
    if stack.get("EnableTerminationProtection"):
        ties.append(
            protected(
                "termination protection",
                "delete",
                "aws cloudformation update-termination-protection "
                f"--no-enable-termination-protection --stack-name {name}",
            )
        )
    return Found(
        KIND,
        name,
        hourly=0.0,  # what it holds is added by the finder
        delete=lambda s=stack["StackId"]: _delete_stack(scope, s),
        ties=ties,
        refs=(stack["StackId"],),
        student=tagged(stack.get("Tags"))["student"],
    )


#: Physical id → (resource type, owner) of each stack resource that CloudFormation calls so:
#: one id may name several (an SSM parameter ``web`` and a target group ``web`` are not the
#: same resource), so a resource is known by its id and its type together (:func:`owner`).
Index = Dict[str, List[Tuple[str, str]]]


def resources(scope: Scope) -> Index:
    """Physical id → [(resource type, root stack name)], for every resource of every stack in
    the region (not only the day's: a tagged resource of someone else's stack is left to that
    stack). What CloudFormation already deleted (``DELETE_COMPLETE``: a stack whose deletion
    failed lists them so) is no one's: it is neither found nor to be priced."""

    def read() -> Index:
        stacks_by_name = all_stacks(scope)
        by_id = {s["StackId"]: name for name, s in stacks_by_name.items()}
        owned: Index = {}
        for name, stack in stacks_by_name.items():
            root = by_id.get(stack.get("RootId") or "", name)
            for resource in scope.each(
                "cloudformation",
                "list_stack_resources",
                "StackResourceSummaries",
                StackName=stack["StackId"],
            ):
                if resource.get("ResourceStatus") == "DELETE_COMPLETE":
                    continue
                if resource.get("PhysicalResourceId"):
                    owned.setdefault(resource["PhysicalResourceId"], []).append(
                        (resource.get("ResourceType", ""), root)
                    )
        return owned

    return scope.cached("stack-resources", read)


def of_stack(index: Index, stack: str) -> List[Tuple[str, str]]:
    """(physical id, resource type) of every resource of ``stack`` in ``index``."""
    return [
        (physical, kind)
        for physical, entries in index.items()
        for kind, holder in entries
        if holder == stack
    ]


#: The CloudFormation types of what each finder finds (``Found.kind``); a kind not here (an
#: AMI, an EBS, RDS or ElastiCache snapshot) is no stack's resource.
KIND_TYPES: Dict[str, FrozenSet[str]] = {
    kind: frozenset(types)
    for kind, types in {
        "EC2 instance": ["AWS::EC2::Instance"],
        "launch template": ["AWS::EC2::LaunchTemplate"],
        "key pair": ["AWS::EC2::KeyPair"],
        "EBS volume": ["AWS::EC2::Volume"],
        "security group": ["AWS::EC2::SecurityGroup"],
        "NAT gateway": ["AWS::EC2::NatGateway"],
        "subnet": ["AWS::EC2::Subnet"],
        "route table": ["AWS::EC2::RouteTable"],
        "internet gateway": ["AWS::EC2::InternetGateway"],
        "VPC": ["AWS::EC2::VPC"],
        "Elastic IP": ["AWS::EC2::EIP"],
        "network interface": ["AWS::EC2::NetworkInterface"],
        "Auto Scaling group": ["AWS::AutoScaling::AutoScalingGroup"],
        "RDS instance": ["AWS::RDS::DBInstance"],
        "RDS cluster": ["AWS::RDS::DBCluster"],
        "ElastiCache group": ["AWS::ElastiCache::ReplicationGroup"],
        "ElastiCache serverless cache": ["AWS::ElastiCache::ServerlessCache"],
        "ElastiCache cluster": ["AWS::ElastiCache::CacheCluster"],
        "VPC endpoint": ["AWS::EC2::VPCEndpoint"],
        "network ACL": ["AWS::EC2::NetworkAcl"],
        "EFS file system": ["AWS::EFS::FileSystem"],
        "load balancer": [
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::ElasticLoadBalancing::LoadBalancer",
        ],
        "target group": ["AWS::ElasticLoadBalancingV2::TargetGroup"],
        "REST API": ["AWS::ApiGateway::RestApi"],
        "HTTP API": ["AWS::ApiGatewayV2::Api"],
        "WEBSOCKET API": ["AWS::ApiGatewayV2::Api"],
        "WAF web ACL": ["AWS::WAFv2::WebACL"],
        "S3 bucket": ["AWS::S3::Bucket"],
        "secret": ["AWS::SecretsManager::Secret"],
        "log group": ["AWS::Logs::LogGroup"],
        "ECR repository": ["AWS::ECR::Repository"],
        "CloudFront distribution": ["AWS::CloudFront::Distribution"],
        # as ties name the resources they are tied to (``instance i-1``, ``read replica db2``)
        "instance": ["AWS::EC2::Instance"],
        "volume": ["AWS::EC2::Volume"],
        "read replica": ["AWS::RDS::DBInstance"],
        # gateways attached to a VPC hold it (cleanup deletes neither kind): one of the VPC's
        # own stack goes with it (ec2.Vpc's vpn_gateway, a dual-stack VPC's egress-only one)
        "VPN gateway": ["AWS::EC2::VPNGateway"],
        "egress-only internet gateway": ["AWS::EC2::EgressOnlyInternetGateway"],
    }.items()
}


def kind_types(kind: str) -> FrozenSet[str]:
    """The CloudFormation types of a found resource's kind (:data:`KIND_TYPES`), or none."""
    return KIND_TYPES.get(kind, frozenset())


def named_types(what: str) -> Optional[FrozenSet[str]]:
    """The types of a resource as a tie words it (``Auto Scaling group web``, ``arn:aws:...``),
    None when the words do not say."""
    if what.startswith("arn:"):
        return arn_types(what.split()[0])
    for kind in sorted(KIND_TYPES, key=len, reverse=True):
        if what.lower().startswith(kind.lower() + " "):
            return KIND_TYPES[kind]
    return None


#: An id no two resources share: an ARN, an id AWS makes with its type's prefix (``i-``,
#: ``sg-``, ``vol-``, ``subnet-``, ``eipalloc-``...), a public IPv4 address.
_UNIQUE = re.compile(
    r"arn:aws[a-z-]*:.+"
    r"|(?:i|vol|sg|subnet|vpc|rtb|igw|eigw|vgw|nat|eni|eipalloc|eipassoc|lt|ami|snap|fs|fsmt"
    r"|acl|vpce|tgw|dopt|pl)-(?:[0-9a-f]{8}|[0-9a-f]{17})"
    r"|\d{1,3}(?:\.\d{1,3}){3}"
)


def unique_id(physical: str) -> bool:
    """Whether ``physical`` names one resource whatever its type (:data:`_UNIQUE`)."""
    return bool(_UNIQUE.fullmatch(physical or ""))


def owner(
    index: Mapping[str, Sequence[Tuple[str, str]]],
    ids: Iterable[str],
    types: Optional[Collection[str]],
) -> Optional[str]:
    """The owner (the stack) of the resource that one of ``ids`` names in ``index`` (physical
    id → [(resource type, owner)]), of one of ``types``: a bare name is no identity (an SSM
    parameter ``web`` is not the target group ``web``). With ``types`` None (what the resource
    is is not known), only an id no two resources share matches (:func:`unique_id`); never a
    bare name alone. Shared by ``week5 cleanup`` and ``week5 status``."""
    for physical in ids:
        if not physical:
            continue
        for kind, holder in index.get(physical, ()):
            if (kind in types) if types is not None else unique_id(physical):
                return holder
    return None


#: The CloudFormation types a resource's ARN may be, by (service, resource type): what
#: ``week5 status`` lists. A kind not here is matched by ARN or a unique id only.
_ARN_TYPES: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("ec2", "instance"): ("AWS::EC2::Instance",),
    ("ec2", "volume"): ("AWS::EC2::Volume",),
    ("ec2", "security-group"): ("AWS::EC2::SecurityGroup",),
    ("ec2", "subnet"): ("AWS::EC2::Subnet",),
    ("ec2", "vpc"): ("AWS::EC2::VPC",),
    ("ec2", "route-table"): ("AWS::EC2::RouteTable",),
    ("ec2", "internet-gateway"): ("AWS::EC2::InternetGateway",),
    ("ec2", "natgateway"): ("AWS::EC2::NatGateway",),
    ("ec2", "elastic-ip"): ("AWS::EC2::EIP",),
    ("ec2", "network-interface"): ("AWS::EC2::NetworkInterface",),
    ("ec2", "launch-template"): ("AWS::EC2::LaunchTemplate",),
    ("ec2", "vpc-endpoint"): ("AWS::EC2::VPCEndpoint",),
    ("ec2", "network-acl"): ("AWS::EC2::NetworkAcl",),
    ("ec2", "key-pair"): ("AWS::EC2::KeyPair",),
    ("ec2", "image"): (),
    ("ec2", "snapshot"): (),
    ("elasticloadbalancing", "loadbalancer"): KIND_TYPES["load balancer"],
    ("elasticloadbalancing", "targetgroup"): KIND_TYPES["target group"],
    ("autoscaling", "autoScalingGroup"): KIND_TYPES["Auto Scaling group"],
    ("rds", "db"): ("AWS::RDS::DBInstance",),
    ("rds", "cluster"): ("AWS::RDS::DBCluster",),
    ("rds", "subgrp"): ("AWS::RDS::DBSubnetGroup",),
    ("rds", "snapshot"): (),
    ("elasticache", "replicationgroup"): ("AWS::ElastiCache::ReplicationGroup",),
    ("elasticache", "cluster"): ("AWS::ElastiCache::CacheCluster",),
    ("elasticache", "subnetgroup"): ("AWS::ElastiCache::SubnetGroup",),
    ("elasticache", "serverlesscache"): ("AWS::ElastiCache::ServerlessCache",),
    ("elasticfilesystem", "file-system"): ("AWS::EFS::FileSystem",),
    ("secretsmanager", "secret"): ("AWS::SecretsManager::Secret",),
    ("logs", "log-group"): ("AWS::Logs::LogGroup",),
    ("ecr", "repository"): ("AWS::ECR::Repository",),
    ("cloudfront", "distribution"): ("AWS::CloudFront::Distribution",),
    ("ssm", "parameter"): ("AWS::SSM::Parameter",),
    ("lambda", "function"): ("AWS::Lambda::Function",),
    ("iam", "role"): ("AWS::IAM::Role",),
    ("iam", "instance-profile"): ("AWS::IAM::InstanceProfile",),
    ("cloudwatch", "alarm"): ("AWS::CloudWatch::Alarm",),
    ("cloudwatch", "dashboard"): ("AWS::CloudWatch::Dashboard",),
    ("dynamodb", "table"): ("AWS::DynamoDB::Table",),
    ("kms", "key"): ("AWS::KMS::Key",),
    ("events", "rule"): ("AWS::Events::Rule",),
    ("states", "stateMachine"): ("AWS::StepFunctions::StateMachine",),
}


def arn_types(arn: str) -> Optional[FrozenSet[str]]:
    """The CloudFormation types the resource of ``arn`` may be (:data:`_ARN_TYPES`; an S3
    bucket's, an SNS topic's, an SQS queue's, an API's and a WAF web ACL's ARN by its shape),
    None when not known."""
    fields = arn.split(":", 5)
    if len(fields) < 6 or fields[0] != "arn":
        return None
    service, resource = fields[2], fields[5]
    if service == "s3":
        return frozenset({"AWS::S3::Bucket"}) if resource and "/" not in resource else None
    if service in ("sns", "sqs") and resource and ":" not in resource and "/" not in resource:
        return frozenset({"AWS::SNS::Topic" if service == "sns" else "AWS::SQS::Queue"})
    if service == "apigateway":
        if resource.startswith("/restapis/"):
            return frozenset({"AWS::ApiGateway::RestApi"})
        if resource.startswith("/apis/"):
            return frozenset({"AWS::ApiGatewayV2::Api"})
        return None
    if service == "wafv2":
        return frozenset({"AWS::WAFv2::WebACL"}) if "/webacl/" in f"/{resource}" else None
    kind = re.split(r"[/:]", resource, maxsplit=1)[0]
    types = _ARN_TYPES.get((service, kind))
    return None if types is None else frozenset(types)


#: The kind (``Found.kind``) a finder gives a resource, by its ARN's (service, resource type):
#: what ``week5 status`` may say ``week5 cleanup`` deletes (:func:`found_kind`). A kind not here
#: (an SNS topic, an SSM parameter, a Lambda function, a DynamoDB table, an ElastiCache or RDS
#: subnet group, an Aurora cluster snapshot) no finder looks for: status says so.
FOUND_BY_ARN: Dict[Tuple[str, str], str] = {
    ("cloudformation", "stack"): KIND,
    ("ec2", "instance"): "EC2 instance",
    ("ec2", "volume"): "EBS volume",
    ("ec2", "security-group"): "security group",
    ("ec2", "subnet"): "subnet",
    ("ec2", "vpc"): "VPC",
    ("ec2", "route-table"): "route table",
    ("ec2", "internet-gateway"): "internet gateway",
    ("ec2", "natgateway"): "NAT gateway",
    ("ec2", "elastic-ip"): "Elastic IP",
    ("ec2", "network-interface"): "network interface",
    ("ec2", "launch-template"): "launch template",
    ("ec2", "vpc-endpoint"): "VPC endpoint",
    ("ec2", "network-acl"): "network ACL",
    ("ec2", "key-pair"): "key pair",
    ("ec2", "image"): "AMI",
    ("ec2", "snapshot"): "EBS snapshot",
    ("autoscaling", "autoScalingGroup"): "Auto Scaling group",
    ("rds", "db"): "RDS instance",
    ("rds", "cluster"): "RDS cluster",
    ("rds", "snapshot"): "RDS snapshot",
    ("elasticache", "replicationgroup"): "ElastiCache group",
    ("elasticache", "serverlesscache"): "ElastiCache serverless cache",
    ("elasticache", "cluster"): "ElastiCache cluster",
    ("elasticache", "snapshot"): "ElastiCache snapshot",
    ("elasticfilesystem", "file-system"): "EFS file system",
    ("secretsmanager", "secret"): "secret",
    ("logs", "log-group"): "log group",
    ("ecr", "repository"): "ECR repository",
    ("cloudfront", "distribution"): "CloudFront distribution",
}


def found_kind(arn: str) -> Optional[str]:
    """The kind a finder of ``week5 cleanup`` gives the resource of ``arn``
    (:data:`FOUND_BY_ARN`; an S3 bucket's, an application, network or gateway load balancer's
    and target group's, an API's and a WAF web ACL's by the ARN's shape), None when no finder
    looks for it (a Classic Load Balancer: cleanup reads Elastic Load Balancing v2's)."""
    fields = arn.split(":", 5)
    if len(fields) < 6 or fields[0] != "arn":
        return None
    service, resource = fields[2], fields[5]
    if service == "s3":
        return "S3 bucket" if resource and "/" not in resource else None
    if service == "elasticloadbalancing":
        if resource.startswith(("loadbalancer/app/", "loadbalancer/net/", "loadbalancer/gwy/")):
            return "load balancer"
        return "target group" if resource.startswith("targetgroup/") else None
    if service == "apigateway":
        if resource.startswith("/restapis/") and resource.count("/") == 2:
            return "REST API"
        return "HTTP API" if resource.startswith("/apis/") and resource.count("/") == 2 else None
    if service == "wafv2":
        return "WAF web ACL" if "/webacl/" in f"/{resource}" else None
    kind = re.split(r"[/:]", resource, maxsplit=1)[0]
    return FOUND_BY_ARN.get((service, kind))


#: The billed types some finder looks for by the day's tags (FINDERS in finder.py); a stack's
#: other billed types (CloudWatch alarms and dashboards) are not looked for: they go with it.
LOOKED_FOR = frozenset(
    {
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::CloudFront::Distribution",
        "AWS::EC2::EIP",
        "AWS::EC2::Instance",
        "AWS::EC2::NatGateway",
        "AWS::EC2::VPCEndpoint",
        "AWS::EC2::Volume",
        "AWS::EFS::FileSystem",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::ServerlessCache",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::S3::Bucket",
        "AWS::SecretsManager::Secret",
        "AWS::WAFv2::WebACL",
    }
)


def unfound(
    scope: Scope, stack: str, found: Set[Tuple[str, str]]
) -> Tuple[List[str], List[str]]:
    """The types of ``stack``'s resources that may bill by the hour (not free or billed by use,
    as the estimates count them) and that no finder found (``found``: (id, resource type) of
    what was), one entry per resource, sorted: (those a finder looks for but did not find with
    the day's tags, as when an emulator drops a resource's tags; those no finder looks for).
    Both go with the stack; the first is not priced, the second by type
    (:func:`type_hourly`)."""
    missing = sorted(
        kind
        for physical, kind in of_stack(resources(scope), stack)
        if (physical, kind) not in found
        and kind not in pricing.FREE_TYPES
        and kind not in pricing.USAGE_TYPES
        and not kind.startswith(("Custom::", "AWS::CloudFormation::"))
    )
    return (
        [kind for kind in missing if kind in LOOKED_FOR],
        [kind for kind in missing if kind not in LOOKED_FOR],
    )


def type_hourly(scope: Scope, kind: str) -> Optional[float]:
    """What one resource of the CloudFormation type ``kind`` costs an hour as `week5 cost`
    prices it (:func:`week5.analysis.pricing.estimate`: its items' price keys and counts, at
    ``scope``'s prices), read from its type alone: for a type no finder looks for
    (:data:`LOOKED_FOR`), whose properties cleanup does not read (a CloudWatch alarm, a KMS
    key). None ("not priced") when `week5 cost` does not price it (a dashboard) or needs its
    properties to."""

    def read() -> Optional[float]:
        items = pricing.estimate({"Resources": {"Resource": {"Type": kind}}}).items
        hourly = 0.0
        for item in items:
            if item.price_key == "usage":  # billed by use: $0, as `week5 cost` says
                continue
            price = scope.price(item.price_key, item.count) if item.price_key else None
            if price is None:
                return None
            hourly += price
        return hourly

    return scope.cached(f"type-hourly:{kind}", read)


#: The code of a stack deleted with resources CloudFormation kept (DELETE_SKIPPED): they may
#: still bill, so the stack is reported failed with them, not deleted.
KEPT_CODE = "ResourcesLeftBehind"
#: The DeletionPolicy values that keep the resource itself, and the one that keeps a snapshot.
_RETAIN = ("Retain", "RetainExceptOnCreate")
_SNAPSHOT = "Snapshot"


#: The logical id :func:`_deletion_policies` gives a template it could not read.
_UNREAD = ""


def _deletion_policies(scope: Scope, stack_id: str) -> Dict[str, str]:
    """Logical id → DeletionPolicy of the stack's resources that keep something (Retain,
    RetainExceptOnCreate, Snapshot; an RDS instance or cluster without one is snapshotted),
    from its template, read before the deletion (an emulator's deleted stack does not say
    DELETE_SKIPPED). A template that cannot be read (refused, YAML) gives ``{"": why}``:
    what it keeps is not known."""
    try:
        body = scope.client("cloudformation").get_template(
            StackName=stack_id, TemplateStage="Original"
        )["TemplateBody"]
    except Exception as error:
        code = error_code(error)
        if code == "ValidationError":  # gone meanwhile: nothing to keep
            return {}
        return {_UNREAD: f"GetTemplate answered {code}"}
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            # YAML: one that names no policy and no database keeps nothing
            if "DeletionPolicy" not in body and "AWS::RDS::DB" not in body:
                return {}
            return {_UNREAD: "its YAML template names a DeletionPolicy or a database"}
    kept: Dict[str, str] = {}
    for logical, resource in ((body or {}).get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        policy = resource.get("DeletionPolicy")
        kind = resource.get("Type")
        properties = resource.get("Properties") or {}
        if policy is None and (
            kind == "AWS::RDS::DBCluster"
            or (kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in properties)
        ):
            policy = _SNAPSHOT
        if policy in (*_RETAIN, _SNAPSHOT):
            kept[logical] = policy
    return kept


def kept_on_delete(scope: Scope, stack_id: str) -> List[str]:
    """What deleting the stack ``stack_id`` (and the stacks nested in it) will leave behind,
    one line each (``AWS::EC2::Volume vol-1 (DeletionPolicy Retain)``): each resource its
    template keeps (Retain, RetainExceptOnCreate: CloudFormation marks it DELETE_SKIPPED and it
    bills on), and the snapshot a Snapshot policy keeps (an RDS instance's by default). Read
    before the deletion, from the templates and the live stacks' resources: the deleted stack's
    resources are not listed after it, as moto (and so `week5 local`) creates them anew when a
    deleted stack's resources are listed."""
    nested = [s["StackId"] for s in all_stacks(scope).values() if s.get("RootId") == stack_id]
    left: List[str] = []
    for each_stack in (stack_id, *nested):
        policies = _deletion_policies(scope, each_stack)
        if _UNREAD in policies:
            left.append(
                f"what stack {each_stack.split('/')[1] if '/' in each_stack else each_stack} "
                f"keeps on delete is not known ({policies[_UNREAD]}): check its resources"
            )
            continue
        if not policies:
            continue
        for resource in scope.each(
            "cloudformation", "list_stack_resources", "StackResourceSummaries",
            StackName=each_stack,
        ):  # fmt: skip
            policy = policies.get(resource.get("LogicalResourceId", ""))
            physical = resource.get("PhysicalResourceId")
            if policy is None or not physical:
                continue
            if str(resource.get("ResourceStatus", "")).startswith("DELETE_"):
                continue  # gone already (a failed create's rollback), or no longer the stack's
            what = f"{resource.get('ResourceType', '?')} {physical}"
            left.append(
                f"{what} (DeletionPolicy {policy})"
                if policy in _RETAIN
                else f"a snapshot of {what} (DeletionPolicy {policy})"
            )
    return left


#: The code of a stack whose deletion ended DELETE_FAILED: asked again after each wait
#: (what held it may have gone meanwhile), and failed, naming what CloudFormation could not
#: delete, if the waits run out with the stack DELETE_FAILED.
FAILED_CODE = "DeleteFailed"
#: The code of a stack whose retried deletion ended DELETE_FAILED again on the same resources:
#: failed at once when nothing else of the run is still to be deleted or still deleting, as
#: waiting on does not cure it then (a resource deleted by hand, a dependency outside the stack); else
#: retried as :data:`FAILED_CODE` is (what the run deletes may hold it: a hand-restored
#: database still deleting keeps the stack's DB subnet group; the deleter's
#: ``RETRYABLE_WHILE_BUSY``).
FAILED_AGAIN_CODE = "DeleteFailedAgain"
#: At most this many of a DELETE_FAILED stack's resources are named (with their reasons).
_NAMED_FAILED = 5


def delete_failed(scope: Scope, stack: Mapping[str, Any]) -> Tuple[Tuple[str, ...], str]:
    """What CloudFormation could not delete of a ``DELETE_FAILED`` stack (its description):
    the logical ids its ListStackResources (every page) lists ``DELETE_FAILED``, sorted, and
    one line naming each (its type, physical id and reason: the resource's
    ResourceStatusReason, else its latest DELETE_FAILED event's in DescribeStackEvents' first
    page, else the stack's StackStatusReason once)."""
    stack_id = stack["StackId"]
    failed = sorted(
        (
            r
            for r in scope.each(
                "cloudformation", "list_stack_resources", "StackResourceSummaries",
                StackName=stack_id,
            )
            if r.get("ResourceStatus") == "DELETE_FAILED"
        ),
        key=lambda r: r.get("LogicalResourceId", ""),
    )  # fmt: skip
    reasons = {r["LogicalResourceId"]: r.get("ResourceStatusReason") or "" for r in failed}
    if failed and not all(reasons.values()):
        try:
            events = scope.client("cloudformation").describe_stack_events(StackName=stack_id)
        except Exception as error:  # gone meanwhile, refused: the stack's reason stands
            if error_code(error) != "ValidationError" and not denied(error):
                raise
            events = {}
        for event in events.get("StackEvents") or []:  # newest first
            logical = event.get("LogicalResourceId", "")
            if event.get("ResourceStatus") == "DELETE_FAILED" and not reasons.get(logical, "?"):
                reasons[logical] = event.get("ResourceStatusReason") or ""
    ids = tuple(r["LogicalResourceId"] for r in failed)
    named = [
        f"{r.get('ResourceType', '?')} {r['LogicalResourceId']}"
        + (f" ({r['PhysicalResourceId']})" if r.get("PhysicalResourceId") else "")
        + (f": {' '.join(reasons[r['LogicalResourceId']].split())}"
           if reasons[r["LogicalResourceId"]] else "")
        for r in failed[:_NAMED_FAILED]
    ]  # fmt: skip
    if len(failed) > _NAMED_FAILED:
        named.append(f"and {len(failed) - _NAMED_FAILED} more")
    line = (
        f"CloudFormation could not delete {len(failed)} of its resource(s): {'; '.join(named)}"
        if failed
        else "CloudFormation lists none of its resources DELETE_FAILED"
    )
    stack_reason = " ".join(str(stack.get("StackStatusReason") or "").split())
    if stack_reason and not all(reasons.get(i) for i in ids):
        line += f" (the stack's reason: {stack_reason})"
    return ids, line


def _delete_stack(scope: Scope, stack_id: str) -> None:
    """Ask CloudFormation to delete the stack, then report it done only when it is: the
    deleter asks again after each wait while it is still deleting, and a failed deletion
    (DELETE_FAILED) is requested again (what held it, an instance of the day say, may have
    gone meanwhile). A retried deletion that ends DELETE_FAILED again on the same resources is
    failed at once (:data:`FAILED_AGAIN_CODE`) unless the run deletes more (then retried),
    and so, when the waits run out, is a stack still DELETE_FAILED (:data:`FAILED_CODE`),
    each naming what CloudFormation could not delete (:func:`delete_failed`); only one still
    DELETE_IN_PROGRESS then is "still deleting".
    A stack deleted with resources CloudFormation kept (DeletionPolicy Retain, Snapshot) is
    reported failed with them (:data:`KEPT_CODE`): they may still bill."""
    cloudformation = scope.client("cloudformation")

    def status() -> Dict[str, Any]:
        try:
            (stack,) = scope.each("cloudformation", "describe_stacks", "Stacks", StackName=stack_id)
        except Exception as error:
            if error_code(error) == "ValidationError":  # no such stack: gone
                return {"StackStatus": "DELETE_COMPLETE"}
            raise
        return stack

    # The stacks this run asked to delete: one deleted without asking is not its deletion.
    asked = scope.cached("stacks-asked", set)
    # What each will leave behind (:func:`kept_on_delete`): read before asking.
    kept: Dict[str, List[str]] = scope.cached("stacks-kept", dict)
    # Stack id -> (the logical ids its last DELETE_FAILED read listed DELETE_FAILED, whether
    # this run asked the deletion again since that read).
    failures: Dict[str, Tuple[Tuple[str, ...], bool]] = scope.cached("stacks-failed", dict)

    def done() -> None:
        if stack_id not in asked:
            raise NotDeleted(GONE_CODE, "deleted, but not by this run")
        left = kept.get(stack_id)
        if left:
            raise NotDeleted(
                KEPT_CODE,
                f"the stack is deleted, but CloudFormation left behind {len(left)} resource(s) "
                f"that may still bill: {'; '.join(left)}. Delete them by hand (`week5 cleanup` "
                "run again finds those tagged for the day)",
            )

    def failed(stack: Dict[str, Any]) -> str:
        """A DELETE_FAILED read: what failed, with what to do; failed at once when the
        deletion this run asked again since the last such read failed on the same
        resources, else noted."""
        ids, line = delete_failed(scope, stack)
        name = stack.get("StackName") or stack_id
        line += (
            ". Deal with each (or, if each is gone already or is to be kept, `aws "
            f"cloudformation delete-stack --stack-name {name} --retain-resources "
            f"{' '.join(ids) or '<logical ids>'}` deletes the stack without them), then run "
            "cleanup again"
        )
        previous, asked_since = failures.get(stack_id, (None, False))
        failures[stack_id] = (ids, False)
        if asked_since and previous == ids:
            raise NotDeleted(
                FAILED_AGAIN_CODE,
                f"DELETE_FAILED again, on the same resource(s), after its deletion was asked "
                f"again: {line}",
            )
        return line

    before = status()
    if before["StackStatus"] == "DELETE_COMPLETE":
        return done()
    if before["StackStatus"] == "DELETE_FAILED":
        failed(before)
    if before["StackStatus"] != "DELETE_IN_PROGRESS":  # else someone's deletion: this run's?
        if stack_id not in kept:
            kept[stack_id] = kept_on_delete(scope, stack_id)
        cloudformation.delete_stack(StackName=stack_id)
        asked.add(stack_id)
        if stack_id in failures:
            failures[stack_id] = (failures[stack_id][0], True)
    after = status()
    if after["StackStatus"] == "DELETE_COMPLETE":
        return done()
    if after["StackStatus"] == "DELETE_FAILED":  # an endpoint that answers when done
        raise NotYet(f"DELETE_FAILED: {failed(after)}", code=FAILED_CODE)
    reason = after.get("StackStatusReason") or ""
    raise NotYet(
        f"{after['StackStatus']}" + (f": {reason}" if reason else "") + " (CloudFormation is "
        "deleting it, or failed to)"
    )
