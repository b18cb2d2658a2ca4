"""The architecture a synthesized template builds: what sits where, and what talks to what.

Read from the template alone (what `cdk deploy` gets), so a diagram drawn from it is exactly
what deploys: the VPC and its CIDR, subnets by AZ with their CIDRs and whether they route to an
internet gateway (public) or not (private), what runs in each subnet, what sits outside the
VPC, and the traffic paths: from the internet, between security groups, and from CloudFront
to its origins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from week5.analysis.assembly import ref_target, referenced_ids, tag_dict

INTERNET = "Internet"


@dataclass
class Node:
    """One thing on the diagram: ``kind`` picks its icon, ``label`` names it."""

    id: str
    kind: str
    label: str
    detail: str = ""

    @property
    def text(self) -> str:
        named = f"{self.kind} {self.label}".strip()
        return named + (f" ({self.detail})" if self.detail else "")


@dataclass
class Subnet:
    id: str
    cidr: str
    az: str
    public: bool
    name: str
    nodes: List[Node] = field(default_factory=list)

    @property
    def tier(self) -> str:
        return "Public" if self.public else "Private"


@dataclass
class Vpc:
    id: str
    cidr: str
    name: str
    subnets: List[Subnet] = field(default_factory=list)
    internet_gateway: bool = False

    @property
    def azs(self) -> List[str]:
        return sorted({s.az for s in self.subnets})


@dataclass
class Topology:
    region: str
    vpcs: List[Vpc] = field(default_factory=list)
    #: Services outside any VPC (CloudFront, S3, Secrets Manager, ...), in template order.
    outside: List[Node] = field(default_factory=list)
    #: (from node id, to node id, label): traffic paths; INTERNET is the internet.
    edges: List[Tuple[str, str, str]] = field(default_factory=list)

    def node(self, node_id: str) -> Optional[Node]:
        for vpc in self.vpcs:
            for subnet in vpc.subnets:
                for node in subnet.nodes:
                    if node.id == node_id:
                        return node
        return next((n for n in self.outside if n.id == node_id), None)


#: What the diagram calls each type, and which types it draws outside the VPC.
OUTSIDE_KINDS = {
    "AWS::CloudFront::Distribution": "CloudFront",
    "AWS::S3::Bucket": "S3",
    "AWS::SecretsManager::Secret": "Secrets Manager",
    "AWS::ApiGatewayV2::Api": "API Gateway",
    "AWS::WAFv2::WebACL": "WAF",
    "AWS::SNS::Topic": "SNS",
    "AWS::CloudWatch::Dashboard": "CloudWatch",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler",
    "AWS::SSM::Parameter": "Parameter Store",
}


#: The construct ids of CDK's singleton functions that are not under a ``Custom::`` id:
#: ``AwsCustomResource``'s (aws-cdk-lib's custom-resources, a fixed uuid).
CDK_SINGLETON_FUNCTIONS = frozenset({"AWS679f53fac002430cb0da5b7982bd2287"})


def _name_tag(resource: Dict[str, Any]) -> Optional[str]:
    properties = resource.get("Properties") or {}
    # An EFS file system keeps its tags (Key/Value, as others' Tags) in FileSystemTags.
    name = tag_dict(properties.get("Tags") or properties.get("FileSystemTags")).get("Name")
    return name if isinstance(name, str) else None


def _refs(values: Any) -> List[str]:
    return [r for r in (ref_target(v) for v in (values or [])) if r]


#: A logical id's CDK hashes: the 8 upper-case hex digits, and the 32 lower-case ones CDK adds
#: to a database's secret (``...Secret16937A0B3fdaad7e...``).
_HASHES = re.compile(r"[0-9A-F]{8}(?:[0-9a-f]{32})?$")


def cdk_hash(logical_id: str) -> str:
    """The hashes CDK ended ``logical_id`` with (``B5AA1373`` of ``WordpressDbPasswordB5AA1373``),
    "" when it has none (``WebAcl``; an id that is all hash is not taken for one)."""
    found = _HASHES.search(logical_id)
    return found.group(0) if found and found.start() > 0 else ""


def _short(logical_id: str) -> str:
    """A logical id without CDK's hashes (:func:`cdk_hash`)."""
    return logical_id[: len(logical_id) - len(cdk_hash(logical_id))]


#: Path segments that name no part of the design (CDK's L1 children).
_GENERIC = {"Resource", "Default", "ASG", "Instance", "ReplicationGroup"}


def label(logical_id: str, resource: Dict[str, Any]) -> str:
    """The Name tag, else the construct path under the stack (``AppAsg``, ``Database``), else
    the logical id without its hash."""
    name = _name_tag(resource)
    if name:
        return name
    path = (resource.get("Metadata") or {}).get("aws:cdk:path")
    if isinstance(path, str) and "/" in path:
        parts = path.split("/")[1:]
        while len(parts) > 1 and parts[-1] in _GENERIC:
            parts.pop()
        return "/".join(parts)
    return _short(logical_id)


#: The property that names each type's resource in its console list (its physical name). A
#: resource without it is listed under a name CloudFormation makes up, whatever its Name tag
#: says: the ALB a diagram calls ``week5-day5-backend-alb`` (its tag) is not listed so.
NAME_PROPERTIES = {
    "AWS::SSM::Parameter": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::WAFv2::WebACL": "Name",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::Scheduler::Schedule": "Name",
}

def _literal(value: Any, stack: str = "") -> Optional[str]:
    """``value`` as the string it deploys as, when the template alone says: a string, the
    stack's name (``Ref: AWS::StackName``, when ``stack`` is given), or an ``Fn::Join`` of such
    (None for a resource's ``Ref``, ``Fn::GetAtt``, ...)."""
    if isinstance(value, str):
        return value
    if value == {"Ref": "AWS::StackName"}:
        return stack or None
    join = value.get("Fn::Join") if isinstance(value, dict) and len(value) == 1 else None
    if isinstance(join, list) and len(join) == 2 and isinstance(join[0], str):
        items = join[1] if isinstance(join[1], list) else [None]
        parts = [_literal(part, stack) for part in items]
        if all(part is not None for part in parts):
            return join[0].join(parts)
    return None


@dataclass(frozen=True)
class ConsoleName:
    """How the console lists a resource, for a reader looking for it there.

    ``name`` is what to look for: the physical name when the template gives it, else the Name
    tag or the construct path (:func:`label`). ``shown`` is False when CloudFormation makes the
    listed name up (the template gives none), so ``name`` is not it: then ``prefix`` is how the
    made-up name begins, when that is known (a secret's is its logical id and ``-``, an Auto
    Scaling group's the stack's name, its logical id and ``-``; the logical id with CDK's
    hashes, :func:`cdk_hash`), and ``tag`` whether ``name`` is the Name tag (shown among the
    resource's tags only). ``column`` is the list's column that shows ``name`` when that is not
    the name's own (a CloudFront distribution is listed by its id, ``name`` its Description)."""

    name: str
    shown: bool = True
    tag: bool = False
    prefix: str = ""
    column: str = ""


def console_name(logical_id: str, resource: Dict[str, Any], stack: str = "") -> ConsoleName:
    """How the console lists ``resource`` (see :class:`ConsoleName`). ``stack`` is the stack's
    name (an Auto Scaling group's made-up name begins with it).

    @default ``stack`` "": an Auto Scaling group's made-up name is given no prefix."""
    rtype = resource.get("Type")
    if rtype == "AWS::CloudFront::Distribution":  # listed by its id, described by its comment
        config = (resource.get("Properties") or {}).get("DistributionConfig") or {}
        comment = _literal(config.get("Comment"), stack)
        if comment:
            return ConsoleName(comment, column="Description")
    prop = NAME_PROPERTIES.get(rtype)
    if prop is None:  # listed by its Name tag (EC2), or by an id: as the diagram names it
        return ConsoleName(label(logical_id, resource))
    given = (resource.get("Properties") or {}).get(prop)
    name = _literal(given, stack)
    if name:
        return ConsoleName(name)
    if given is not None:  # named at deploy from other resources: the diagram's name, as before
        return ConsoleName(label(logical_id, resource))
    # CloudFormation's made-up name is the logical id as the template has it (CDK's hashes
    # in it), then `-` and random characters: WordpressDbPasswordB5AA1373-Y5EKPLSW0UPA.
    prefix = {
        "AWS::SecretsManager::Secret": f"{logical_id}-",
        "AWS::AutoScaling::AutoScalingGroup": f"{stack}-{logical_id}-" if stack else "",
    }.get(rtype, "")
    return ConsoleName(
        label(logical_id, resource), False, _name_tag(resource) is not None, prefix
    )


#: The port a security-group rule opens when it takes it from a resource (``Endpoint.Port``).
_ENGINE_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379, "valkey": 6379}


def extract(template: Dict[str, Any], region: str = "ap-northeast-2") -> Topology:
    """The topology of one synthesized template (see the module docstring)."""
    res = template.get("Resources", {})
    of_type = lambda t: {k: r for k, r in res.items() if r["Type"] == t}  # noqa: E731
    props = lambda r: r.get("Properties") or {}  # noqa: E731
    topo = Topology(region=region)

    # Subnets are public when their route table has a default route to an internet gateway.
    igw_tables = {
        ref_target(props(r).get("RouteTableId"))
        for r in of_type("AWS::EC2::Route").values()
        if props(r).get("DestinationCidrBlock") == "0.0.0.0/0" and props(r).get("GatewayId")
    }
    table_of = {
        ref_target(props(r).get("SubnetId")): ref_target(props(r).get("RouteTableId"))
        for r in of_type("AWS::EC2::SubnetRouteTableAssociation").values()
    }
    vpcs: Dict[str, Vpc] = {}
    for vpc_id, vpc in of_type("AWS::EC2::VPC").items():
        vpcs[vpc_id] = Vpc(
            vpc_id, str(props(vpc).get("CidrBlock")), _name_tag(vpc) or _short(vpc_id)
        )
    for attachment in of_type("AWS::EC2::VPCGatewayAttachment").values():
        vpc = vpcs.get(ref_target(props(attachment).get("VpcId")))
        if vpc and props(attachment).get("InternetGatewayId"):
            vpc.internet_gateway = True
    subnets: Dict[str, Subnet] = {}
    for subnet_id, subnet in of_type("AWS::EC2::Subnet").items():
        p = props(subnet)
        vpc = vpcs.get(ref_target(p.get("VpcId")))
        if vpc is None:
            continue
        az = p.get("AvailabilityZone")
        item = Subnet(
            subnet_id,
            str(p.get("CidrBlock")),
            az if isinstance(az, str) else "?",
            table_of.get(subnet_id) in igw_tables,
            _name_tag(subnet) or _short(subnet_id),
        )
        subnets[subnet_id] = item
        vpc.subnets.append(item)
    for vpc in vpcs.values():
        vpc.subnets.sort(key=lambda s: (not s.public, s.az, s.cidr))
    topo.vpcs = list(vpcs.values())

    def place(node: Node, subnet_ids: List[str]) -> None:
        for subnet_id in subnet_ids:
            if subnet_id in subnets:
                subnets[subnet_id].nodes.append(node)

    # Security groups → the nodes that wear them, for the traffic edges.
    wearers: Dict[str, List[str]] = {}

    def wears(node_id: str, groups: Any) -> None:
        for group in _refs(groups):
            wearers.setdefault(group, []).append(node_id)

    launch_templates = of_type("AWS::EC2::LaunchTemplate")
    for nat_id, nat in of_type("AWS::EC2::NatGateway").items():
        place(Node(nat_id, "NAT Gateway", ""), [ref_target(props(nat).get("SubnetId"))])
    for instance_id, instance in of_type("AWS::EC2::Instance").items():
        p = props(instance)
        nat = p.get("SourceDestCheck") is False
        node = Node(
            instance_id,
            "NAT instance" if nat else "EC2",
            label(instance_id, instance),
            str(p.get("InstanceType", "")),
        )
        subnet = ref_target(p.get("SubnetId")) or next(
            (ref_target(n.get("SubnetId")) for n in p.get("NetworkInterfaces") or []), None
        )
        place(node, [subnet])
        wears(instance_id, p.get("SecurityGroupIds"))
        for interface in p.get("NetworkInterfaces") or []:
            wears(instance_id, interface.get("GroupSet"))
    for alb_id, alb in of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").items():
        p = props(alb)
        internal = p.get("Scheme") == "internal"
        node = Node(
            alb_id, "ALB", label(alb_id, alb), "internal" if internal else "internet-facing"
        )
        place(node, _refs(p.get("Subnets")))
        wears(alb_id, p.get("SecurityGroups"))
    for asg_id, asg in of_type("AWS::AutoScaling::AutoScalingGroup").items():
        p = props(asg)
        template_id = ref_target((p.get("LaunchTemplate") or {}).get("LaunchTemplateId"))
        data = props(launch_templates.get(template_id, {})).get("LaunchTemplateData") or {}
        size = f"{p.get('MinSize')}-{p.get('MaxSize')}"
        node = Node(
            asg_id, "Auto Scaling", label(asg_id, asg), f"{size} × {data.get('InstanceType', '?')}"
        )
        place(node, _refs(p.get("VPCZoneIdentifier")))
        wears(asg_id, data.get("SecurityGroupIds"))
    subnet_groups = {
        k: _refs(props(r).get("SubnetIds"))
        for t in ("AWS::RDS::DBSubnetGroup", "AWS::ElastiCache::SubnetGroup")
        for k, r in of_type(t).items()
    }
    for db_id, db in of_type("AWS::RDS::DBInstance").items():
        p = props(db)
        replica = "SourceDBInstanceIdentifier" in p
        engine = "read replica" if replica else p.get("Engine")
        detail = f"{engine} {p.get('DBInstanceClass')}" + (" Multi-AZ" if p.get("MultiAZ") else "")
        node = Node(db_id, "RDS replica" if replica else "RDS", label(db_id, db), detail)
        place(node, subnet_groups.get(ref_target(p.get("DBSubnetGroupName")), []))
        wears(db_id, p.get("VPCSecurityGroups"))
    for cache_id, cache in of_type("AWS::ElastiCache::ReplicationGroup").items():
        p = props(cache)
        detail = (
            f"{p.get('Engine', 'redis')} {p.get('CacheNodeType')} × {p.get('NumCacheClusters', 1)}"
        )
        node = Node(cache_id, "ElastiCache", label(cache_id, cache), detail)
        place(node, subnet_groups.get(ref_target(p.get("CacheSubnetGroupName")), []))
        wears(cache_id, p.get("SecurityGroupIds"))
    for fs_id, fs in of_type("AWS::EFS::FileSystem").items():
        node = Node(fs_id, "EFS", label(fs_id, fs), "mount target")
        for target in of_type("AWS::EFS::MountTarget").values():
            if ref_target(props(target).get("FileSystemId")) == fs_id:
                place(node, [ref_target(props(target).get("SubnetId"))])
                wears(fs_id, props(target).get("SecurityGroups"))

    # An EBS volume sits with the instance it is attached to.
    instance_subnet = {
        node.id: subnet_id
        for subnet_id, subnet in subnets.items()
        for node in subnet.nodes
        if node.kind == "EC2"
    }
    for attachment in of_type("AWS::EC2::VolumeAttachment").values():
        volume_id = ref_target(props(attachment).get("VolumeId"))
        instance_id = ref_target(props(attachment).get("InstanceId"))
        if volume_id in res and instance_id in instance_subnet:
            p = props(res[volume_id])
            detail = f"{p.get('VolumeType', 'gp2')} {p.get('Size', 'snapshot')} GiB"
            node = Node(volume_id, "EBS", label(volume_id, res[volume_id]), detail)
            place(node, [instance_subnet[instance_id]])

    for resource_id, resource in res.items():
        kind = OUTSIDE_KINDS.get(resource["Type"])
        if kind:
            topo.outside.append(Node(resource_id, kind, label(resource_id, resource)))
        elif resource["Type"] == "AWS::Lambda::Function":
            name = label(resource_id, resource)
            # CDK's own providers are plumbing: a student read "AWS679f53..." as a lab function.
            if not name.startswith("Custom::") and name not in CDK_SINGLETON_FUNCTIONS:
                topo.outside.append(Node(resource_id, "Lambda", name))

    topo.edges = _edges(res, wearers, of_type, props)
    return topo


def _edges(res, wearers, of_type, props) -> List[Tuple[str, str, str]]:
    edges: List[Tuple[str, str, str]] = []

    def add(src: str, dst: str, label: str) -> None:
        if src != dst and (src, dst, label) not in edges:
            edges.append((src, dst, label))

    rules: List[Tuple[str, Dict[str, Any]]] = []
    for group_id, group in of_type("AWS::EC2::SecurityGroup").items():
        rules += [(group_id, r) for r in props(group).get("SecurityGroupIngress") or []]
    for ingress in of_type("AWS::EC2::SecurityGroupIngress").values():
        rules.append((ref_target(props(ingress).get("GroupId")), props(ingress)))
    for group_id, rule in rules:
        if rule.get("IpProtocol") == "icmp":
            continue
        targets = wearers.get(group_id, [])
        port = rule.get("FromPort")
        if not isinstance(port, int):  # taken from the resource (Endpoint.Port): its engine's
            engines = [str(props(res[t]).get("Engine", "")) for t in targets] or [""]
            port = _ENGINE_PORTS.get(engines[0], "?")
        text = "all" if rule.get("IpProtocol") == "-1" else str(port)
        source = ref_target(rule.get("SourceSecurityGroupId"))
        if source:
            for src in wearers.get(source, []):
                for dst in targets:
                    add(src, dst, text)
        elif rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
            for dst in targets:
                add(INTERNET, dst, text)
    for bucket_id, bucket in of_type("AWS::S3::Bucket").items():
        if props(bucket).get("WebsiteConfiguration"):  # the website endpoint: plain HTTP
            add(INTERNET, bucket_id, "80")
    for dist_id, dist in of_type("AWS::CloudFront::Distribution").items():
        add(INTERNET, dist_id, "443")
        config = props(dist).get("DistributionConfig") or {}
        for origin in config.get("Origins") or []:
            for target in referenced_ids(origin):
                if target in res and res[target]["Type"] in (
                    "AWS::S3::Bucket",
                    "AWS::ElasticLoadBalancingV2::LoadBalancer",
                ):
                    add(dist_id, target, "origin")
    for api_id in of_type("AWS::ApiGatewayV2::Api"):
        add(INTERNET, api_id, "443")
        for integration in of_type("AWS::ApiGatewayV2::Integration").values():
            if ref_target(props(integration).get("ApiId")) != api_id:
                continue
            for target in referenced_ids(props(integration)):
                kind = res[target]["Type"] if target in res else ""
                if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                    add(api_id, target, "integration")
                elif kind == "AWS::ElasticLoadBalancingV2::Listener":
                    alb = ref_target(props(res[target]).get("LoadBalancerArn"))
                    if alb:
                        add(api_id, alb, "integration")
    # A web ACL filters what reaches the resource it is associated with.
    for association in of_type("AWS::WAFv2::WebACLAssociation").values():
        acl = ref_target(props(association).get("WebACLArn"))
        target = ref_target(props(association).get("ResourceArn"))
        if acl in res and target in res:
            add(acl, target, "filters")
    # A schedule acts on what its target's input names (Day 2's snapshots of a volume).
    for schedule_id, schedule in of_type("AWS::Scheduler::Schedule").items():
        for target in referenced_ids((props(schedule).get("Target") or {}).get("Input")):
            if target in res and res[target]["Type"] == "AWS::EC2::Volume":
                add(schedule_id, target, "snapshot")
    # An ALB forwards to the Auto Scaling groups registered in its target groups.
    for asg_id, asg in of_type("AWS::AutoScaling::AutoScalingGroup").items():
        for group in _refs(props(asg).get("TargetGroupARNs")):
            for listener in of_type("AWS::ElasticLoadBalancingV2::Listener").values():
                if group in referenced_ids(props(listener).get("DefaultActions")):
                    alb = ref_target(props(listener).get("LoadBalancerArn"))
                    if alb:
                        add(alb, asg_id, str(props(res[group]).get("Port", "")))
    return edges
