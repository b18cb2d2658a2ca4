"""What the emulator holds for a deployed stack, read back with boto3's Describe* calls.

One reader per resource kind; each returns plain data in the terms of the course's diagrams
(names, CIDRs, AZs, default routes, ingress sources by the template's logical ids).
"""

from __future__ import annotations

import functools
import ipaddress
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from week5.analysis.assembly import referenced_ids
from week5.operations.local.coverage import Coverage, coverage
from week5.operations.local.emulator import clients

Clients = Callable[[str], Any]
Rows = List[Dict[str, Any]]


@dataclass
class ReadBack:
    """What the emulator holds for one stack, in the terms of the course's diagrams."""

    stack_name: str
    coverage: Coverage
    subnets: Rows
    vpcs: Rows
    security_groups: Rows
    instances: Rows
    load_balancers: Rows
    auto_scaling_groups: Rows
    databases: Rows
    #: ElastiCache replication groups, EFS file systems and EBS volumes: the stores a lab's
    #: steps use (Day 2's volumes and shared files, the caches of Days 3 to 5).
    #: Custom resources the emulator marks created whose Lambda function it does not run (moto
    #: runs them in Docker): type -> count. What they do on AWS does not happen here.
    functions_not_run: Dict[str, int] = field(default_factory=dict)
    caches: Rows = field(default_factory=list)
    file_systems: Rows = field(default_factory=list)
    volumes: Rows = field(default_factory=list)
    #: The template's outputs in its order: key, description, the emulator's value (None when
    #: it has none) and, then, the skipped resources the output names.
    outputs: Rows = field(default_factory=list)
    #: AWS CLI commands that show, on the emulator, what the guide's steps made (a URL, SSH and
    #: Session Manager reach nothing there): :func:`emulator_checks`.
    checks: List[str] = field(default_factory=list)
    #: What `week5 local` put in the lab's buckets in place of each ``BucketDeployment``'s
    #: function, which does not run here (:func:`week5.operations.local.deploy.
    #: upload_bucket_deployments`): a row per deployment, its ``bucket``, ``prefix`` and
    #: ``files`` (how many). Empty until then, and in a coverage run, which uploads nothing.
    uploads: Rows = field(default_factory=list)
    #: How long reading it back took.
    seconds: float = 0.0


@dataclass
class Deployed:
    """A deployed stack's template and the physical id of each resource the emulator made."""

    template: Mapping[str, Any]
    #: logical id → physical id
    physical: Dict[str, str]

    def resources(self, rtype: str) -> Iterator[Tuple[str, Mapping[str, Any]]]:
        """(logical id, resource) of each created resource of ``rtype``, in template order."""
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] == rtype and logical_id in self.physical:
                yield logical_id, resource

    def ids(self, rtype: str) -> List[str]:
        return [self.physical[logical_id] for logical_id, _ in self.resources(rtype)]

    def logical_ids(self, rtype: str) -> Dict[str, str]:
        """physical id → logical id, for ``rtype``."""
        return {self.physical[logical_id]: logical_id for logical_id, _ in self.resources(rtype)}


def _name(tags: Optional[List[Dict[str, str]]]) -> str:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), "")


def read_vpcs(client: Clients, stack: Deployed) -> Rows:
    ids = stack.ids("AWS::EC2::VPC")
    if not ids:
        return []
    return [
        {"id": vpc["VpcId"], "cidr": vpc["CidrBlock"], "name": _name(vpc.get("Tags"))}
        for vpc in client("ec2").describe_vpcs(VpcIds=ids)["Vpcs"]
    ]


def _default_routes(client: Clients, stack: Deployed) -> Dict[str, str]:
    """subnet id → the target of its 0.0.0.0/0 route, through the template's associations."""
    # moto keeps no associations on its route tables: pair them as the template does.
    table_of = {}
    for _, resource in stack.resources("AWS::EC2::SubnetRouteTableAssociation"):
        p = resource["Properties"]
        subnet_ref, table_ref = p["SubnetId"].get("Ref"), p["RouteTableId"].get("Ref")
        if subnet_ref in stack.physical and table_ref in stack.physical:
            table_of[stack.physical[subnet_ref]] = stack.physical[table_ref]
    targets = {}
    if table_of:
        route_tables = client("ec2").describe_route_tables(
            RouteTableIds=sorted(set(table_of.values()))
        )
        for table in route_tables["RouteTables"]:
            default = next(
                (r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), {}
            )
            targets[table["RouteTableId"]] = (
                default.get("GatewayId")
                or default.get("NatGatewayId")
                or default.get("InstanceId")
                or default.get("NetworkInterfaceId")
                or "none (local only)"
            )
    return {subnet: targets.get(table, "none") for subnet, table in table_of.items()}


def read_subnets(client: Clients, stack: Deployed) -> Rows:
    """The subnets in address order, each with its default route's target."""
    ids = stack.ids("AWS::EC2::Subnet")
    if not ids:
        return []
    route_of = _default_routes(client, stack)
    subnets = [
        {
            "id": subnet["SubnetId"],
            "name": _name(subnet.get("Tags")),
            "cidr": subnet["CidrBlock"],
            "az": subnet["AvailabilityZone"],
            "default_route": route_of.get(subnet["SubnetId"], "none"),
        }
        for subnet in client("ec2").describe_subnets(SubnetIds=ids)["Subnets"]
    ]
    return sorted(subnets, key=lambda s: ipaddress.ip_network(s["cidr"]))


def read_security_groups(client: Clients, stack: Deployed) -> Rows:
    """Each group's ingress as (port, source): a CIDR, a prefix list's id, or a source group
    named by its logical id."""
    ids = stack.ids("AWS::EC2::SecurityGroup")
    if not ids:
        return []
    group_names = stack.logical_ids("AWS::EC2::SecurityGroup")
    groups = []
    for group in client("ec2").describe_security_groups(GroupIds=ids)["SecurityGroups"]:
        rules = []
        for permission in group["IpPermissions"]:
            port = permission.get("FromPort")
            if permission.get("IpProtocol") == "icmp":  # FromPort is the ICMP type: not a port
                port = f"icmp type {port}"
            for ip_range in permission.get("IpRanges", []):
                rules.append((port, ip_range["CidrIp"]))
            for pair in permission.get("UserIdGroupPairs", []):
                rules.append((port, group_names.get(pair["GroupId"], pair["GroupId"])))
            for prefix_list in permission.get("PrefixListIds", []):
                rules.append((port, prefix_list["PrefixListId"]))
        groups.append(
            {
                "id": group["GroupId"],
                "logical_id": group_names.get(group["GroupId"], ""),
                "ingress": sorted(rules, key=str),
            }
        )
    return sorted(groups, key=lambda g: g["logical_id"])


def read_instances(client: Clients, stack: Deployed, subnet_names: Dict[str, str]) -> Rows:
    """Each instance with its type and the subnet it is in."""
    ids = stack.ids("AWS::EC2::Instance")
    if not ids:
        return []
    reservations = client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    instances = [
        {
            "id": instance["InstanceId"],
            "name": _name(instance.get("Tags")),
            "type": instance["InstanceType"],
            "subnet": subnet_names.get(instance.get("SubnetId"), instance.get("SubnetId")),
        }
        for reservation in reservations
        for instance in reservation["Instances"]
    ]
    return sorted(instances, key=lambda i: i["name"])


def read_load_balancers(client: Clients, stack: Deployed, subnet_names: Dict[str, str]) -> Rows:
    """Each load balancer with its subnets, listeners and target groups."""
    arns = stack.ids("AWS::ElasticLoadBalancingV2::LoadBalancer")
    if not arns:
        return []
    elbv2 = client("elbv2")
    balancers = []
    for lb in elbv2.describe_load_balancers(LoadBalancerArns=arns)["LoadBalancers"]:
        listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        groups = elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
        balancers.append(
            {
                "name": lb["LoadBalancerName"],
                "scheme": lb["Scheme"],
                "subnets": sorted(
                    subnet_names.get(z["SubnetId"], z["SubnetId"]) for z in lb["AvailabilityZones"]
                ),
                "listeners": sorted((x["Protocol"], x["Port"]) for x in listeners),
                "target_groups": sorted(
                    (g["Protocol"], g["Port"], g.get("HealthCheckPath", "")) for g in groups
                ),
            }
        )
    return sorted(balancers, key=lambda lb: lb["scheme"])


def read_auto_scaling_groups(
    client: Clients, stack: Deployed, subnet_names: Dict[str, str]
) -> Rows:
    """Each group with its sizes, its subnets, and the instances it launched by AZ (the
    course's Day 4 Lab 1 step 3: two instances, one in each AZ)."""
    names = stack.ids("AWS::AutoScaling::AutoScalingGroup")
    if not names:
        return []
    groups = client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=names)
    logical = stack.logical_ids("AWS::AutoScaling::AutoScalingGroup")
    rows = []
    for group in groups["AutoScalingGroups"]:
        by_az: Dict[str, int] = {}
        for instance in group.get("Instances", []):
            by_az[instance["AvailabilityZone"]] = by_az.get(instance["AvailabilityZone"], 0) + 1
        subnets = [s for s in group.get("VPCZoneIdentifier", "").split(",") if s]
        rows.append(
            {
                "name": group["AutoScalingGroupName"],
                "logical_id": logical.get(group["AutoScalingGroupName"], ""),
                "min": group["MinSize"],
                "max": group["MaxSize"],
                "desired": group["DesiredCapacity"],
                "health_check": group["HealthCheckType"],
                "subnets": sorted(subnet_names.get(s, s) for s in subnets),
                "instances_by_az": dict(sorted(by_az.items())),
            }
        )
    return sorted(rows, key=lambda g: g["name"])


def read_databases(client: Clients, stack: Deployed) -> Rows:
    ids = stack.ids("AWS::RDS::DBInstance")
    if not ids:
        return []
    rds = client("rds")
    return [
        {
            "id": db["DBInstanceIdentifier"],
            "engine": db["Engine"],
            "class": db["DBInstanceClass"],
            "multi_az": db["MultiAZ"],
            "replica_of": db.get("ReadReplicaSourceDBInstanceIdentifier"),
        }
        for db_id in ids
        for db in rds.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"]
    ]


def read_caches(client: Clients, stack: Deployed) -> Rows:
    ids = stack.ids("AWS::ElastiCache::ReplicationGroup")
    if not ids:
        return []
    elasticache = client("elasticache")
    return [
        {
            "id": group["ReplicationGroupId"],
            "node_type": group.get("CacheNodeType", ""),
            "nodes": len(group.get("MemberClusters") or []),
            "tls": bool(group.get("TransitEncryptionEnabled")),
            "auth": bool(group.get("AuthTokenEnabled")),
            "failover": group.get("AutomaticFailover", "disabled"),
        }
        for group_id in ids
        for group in elasticache.describe_replication_groups(ReplicationGroupId=group_id)[
            "ReplicationGroups"
        ]
    ]


def read_file_systems(client: Clients, stack: Deployed, subnet_names: Dict[str, str]) -> Rows:
    ids = stack.ids("AWS::EFS::FileSystem")
    if not ids:
        return []
    efs = client("efs")
    rows = []
    for fs_id in ids:
        for fs in efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"]:
            targets = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
            rows.append(
                {
                    "id": fs["FileSystemId"],
                    "encrypted": bool(fs.get("Encrypted")),
                    "mount_targets": sorted(
                        subnet_names.get(t["SubnetId"], t["SubnetId"]) for t in targets
                    ),
                }
            )
    return rows


def read_volumes(client: Clients, stack: Deployed, instance_names: Dict[str, str]) -> Rows:
    ids = stack.ids("AWS::EC2::Volume")
    if not ids:
        return []
    return [
        {
            "id": volume["VolumeId"],
            "type": volume["VolumeType"],
            "size": volume["Size"],
            "encrypted": bool(volume.get("Encrypted")),
            "az": volume["AvailabilityZone"],
            "attached": [
                (instance_names.get(a["InstanceId"], a["InstanceId"]), a["Device"])
                for a in volume.get("Attachments") or []
            ],
        }
        for volume in client("ec2").describe_volumes(VolumeIds=ids)["Volumes"]
    ]


#: Custom resources the emulator answers itself, in-process (moto_models/custom_aws.py).
SERVED_HERE = frozenset({"Custom::AWS"})


def functions_not_run(stack: Deployed) -> Dict[str, int]:
    """The created custom resources whose Lambda function does not run on the emulator."""
    counts: Dict[str, int] = {}
    for logical_id, resource in stack.template["Resources"].items():
        rtype = resource["Type"]
        custom = rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource"
        if custom and rtype not in SERVED_HERE and logical_id in stack.physical:
            counts[rtype] = counts.get(rtype, 0) + 1
    return dict(sorted(counts.items()))


def read_outputs(client: Clients, stack_name: str, stack: Deployed) -> Rows:
    """The template's outputs with the values the emulator gives; an output naming a resource it
    skipped has none (AWS would resolve it)."""
    outputs = stack.template.get("Outputs") or {}
    if not outputs:
        return []
    (described,) = client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    values = {o["OutputKey"]: o for o in described.get("Outputs", [])}
    resources = stack.template["Resources"]
    rows = []
    for key, output in outputs.items():
        given = values.get(key, {})
        rows.append(
            {
                "key": key,
                "description": given.get("Description", output.get("Description", "")),
                "value": given.get("OutputValue"),
                "skipped": [
                    f"{resources[name]['Type']} {name}"
                    for name in dict.fromkeys(referenced_ids(output.get("Value")))
                    if name in resources and name not in stack.physical
                ],
            }
        )
    return rows


def deployed_stack(client: Clients, stack_name: str, template: Mapping[str, Any]) -> Deployed:
    """The stack's template with the physical ids CloudFormation reports for it."""
    summaries = client("cloudformation").list_stack_resources(StackName=stack_name)[
        "StackResourceSummaries"
    ]
    physical = {
        s["LogicalResourceId"]: s["PhysicalResourceId"]
        for s in summaries
        if s.get("LogicalResourceId")
    }
    return Deployed(template, physical)


#: What each kind of resource is checked with on the emulator, in the order a lab's steps
#: meet them: (resource type, the command with ``{ids}`` for its physical ids, space-separated,
#: or ``{id}`` for one command each). Double quotes: the same line works in bash and PowerShell.
_CHECKS: Tuple[Tuple[str, str], ...] = (
    ("AWS::EC2::VPC", 'aws ec2 describe-vpcs --vpc-ids {ids} --query "Vpcs[].[VpcId,CidrBlock]" '
     "--output text"),
    ("AWS::EC2::Instance", "aws ec2 describe-instances --instance-ids {ids} --query "
     '"Reservations[].Instances[].[InstanceId,State.Name,Placement.AvailabilityZone]" '
     "--output text"),
    ("AWS::AutoScaling::AutoScalingGroup", "aws autoscaling describe-auto-scaling-groups "
     '--auto-scaling-group-names {ids} --query "AutoScalingGroups[].Instances[].'
     '[InstanceId,AvailabilityZone,LifecycleState]" --output text'),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "aws elbv2 describe-target-health "
     '--target-group-arn {id} --query "TargetHealthDescriptions[].TargetHealth.State" '
     "--output text"),
    # Read only, as the others: the lab's snapshot is its output SnapshotCommand's, tagged
    # so that status and cleanup see it (a bare create-snapshot's is untagged: they do not).
    ("AWS::EC2::Volume", "aws ec2 describe-volumes --volume-ids {ids} --query "
     '"Volumes[].[VolumeId,State,Size,AvailabilityZone]" --output text'),
    ("AWS::EFS::FileSystem", "aws efs describe-mount-targets --file-system-id {id} --query "
     '"MountTargets[].AvailabilityZoneName" --output text'),
    ("AWS::RDS::DBInstance", "aws rds describe-db-instances --db-instance-identifier {id} "
     '--query "DBInstances[].[DBInstanceStatus,MultiAZ,Endpoint.Address]" --output text'),
    ("AWS::ElastiCache::ReplicationGroup", "aws elasticache describe-replication-groups "
     '--replication-group-id {id} --query "ReplicationGroups[].[Status,MultiAZ]" --output text'),
    ("AWS::S3::Bucket", "aws s3 ls s3://{id} --recursive"),
    ("AWS::CloudFront::Distribution", "aws cloudfront get-distribution --id {id} --query "
     '"Distribution.[Status,DomainName]" --output text'),
)  # fmt: skip


def emulator_checks(stack: Deployed) -> List[str]:
    """The AWS CLI commands that show what the stack made, for the kinds it has: on the
    emulator a step's URL, SSH or Session Manager reaches nothing, but these answer (and a
    lab's ``SnapshotCommand`` output takes its tagged snapshot as on AWS)."""
    commands = []
    for rtype, command in _CHECKS:
        ids = stack.ids(rtype)
        if not ids:
            continue
        if "{ids}" in command:
            commands.append(command.format(ids=" ".join(ids)))
        else:
            commands += [command.format(id=one) for one in ids]
    return commands


def emulator_clients(endpoint: str) -> Clients:
    """``client(service)``: one boto3 client per service of the emulator at ``endpoint``, for
    every stack read back from it (a client holds no stack's state)."""
    return functools.lru_cache(maxsize=None)(clients(endpoint))


def read_back(
    endpoint: str,
    stack_name: str,
    template: Mapping[str, Any],
    client: Optional[Clients] = None,
) -> ReadBack:
    """Read the stack's resources back from the emulator with boto3: through ``client`` (of
    :func:`emulator_clients`) when given, to share its clients with the other stacks read."""
    started = time.monotonic()
    client = client or emulator_clients(endpoint)
    stack = deployed_stack(client, stack_name, template)
    vpcs = read_vpcs(client, stack)
    subnets = read_subnets(client, stack)
    subnet_names = {s["id"]: s["name"] for s in subnets}
    instances = read_instances(client, stack, subnet_names)
    return ReadBack(
        stack_name=stack_name,
        coverage=coverage(template, list(stack.physical)),
        functions_not_run=functions_not_run(stack),
        vpcs=vpcs,
        subnets=subnets,
        security_groups=read_security_groups(client, stack),
        instances=instances,
        load_balancers=read_load_balancers(client, stack, subnet_names),
        auto_scaling_groups=read_auto_scaling_groups(client, stack, subnet_names),
        databases=read_databases(client, stack),
        caches=read_caches(client, stack),
        file_systems=read_file_systems(client, stack, subnet_names),
        volumes=read_volumes(client, stack, {i["id"]: i["name"] or i["id"] for i in instances}),
        outputs=read_outputs(client, stack_name, stack),
        checks=emulator_checks(stack),
        seconds=time.monotonic() - started,
    )
