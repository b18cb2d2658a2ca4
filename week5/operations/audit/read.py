"""Reading the student's account for a lab: the VPC, its subnets and routes, instances, Auto
Scaling groups, NAT gateways, security groups, network interfaces made on their own, load
balancers, databases and caches, with Describe* and List* calls only, every one paged (but
DescribeAddresses and ELBv2's DescribeTags, which are not); and the tags of each, and of what belongs to them (internet gateway, route
tables, volumes, Elastic IPs, launch templates, target groups), for the tags check; with what
prices an extra as `week5 cleanup` does (an instance's description and volumes, a NAT
gateway's addresses, a database's and a load balancer's description), the Elastic IPs
tagged for the lab that nothing holds; and, for what is beyond the lab, which stack made the
VPC and its subnets, where each resource sits and when it was made."""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from week5.analysis.assembly import tag_dict
from week5.core.tags import STUDENT_KEY
from week5.operations.audit.model import Account, Clients, _code, _each
from week5.operations.cleanup.scope import STACK_TAG, vanished
from week5.operations.cleanup.ties import _NAT_DESCRIPTION, _made_by_service, instance_own

#: The tag Auto Scaling puts on the instances it launches.
ASG_TAG = "aws:autoscaling:groupName"
_LIVE = ["pending", "running", "stopping", "stopped"]


def _rules(permission: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """EC2's IpPermissions as the template's ingress rules (one per source)."""
    base = {k: permission[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in permission}
    rules = [{**base, "CidrIp": r["CidrIp"]} for r in permission.get("IpRanges", [])]
    rules += [{**base, "CidrIpv6": r["CidrIpv6"]} for r in permission.get("Ipv6Ranges", [])]
    rules += [
        {**base, "SourceSecurityGroupId": g["GroupId"]}
        for g in permission.get("UserIdGroupPairs", [])
    ]
    rules += [
        {**base, "SourcePrefixListId": p["PrefixListId"]}
        for p in permission.get("PrefixListIds", [])
    ]
    return rules


def find_vpc(ec2: Any, lab_tags: Dict[str, str], name: str) -> Optional[Dict[str, Any]]:
    """The student's VPC for the lab: by the course's tags, else by the course's Name; None
    unless exactly one matches (:func:`vpc_candidates`)."""
    found = vpc_candidates(ec2, lab_tags, name)
    return found[0] if len(found) == 1 else None


def no_single_vpc(found: List[Dict[str, Any]], lab_tags: Dict[str, str], name: str, region: str
                  ) -> str:  # fmt: skip
    """Why the audit has no VPC to check, for a failed ``vpc`` check: none, or which ones."""
    tags = ", ".join(f"{k}={v}" for k, v in lab_tags.items())
    if not found:
        return f"no VPC tagged {tags} or named {name} in {region}"
    ids = ", ".join(v["VpcId"] for v in found[:5]) + (" ..." if len(found) > 5 else "")
    fix = "remove the course's tags from the one that is not this lab"
    if STUDENT_KEY not in lab_tags:
        fix += ", or pass --student NAME"
    return f"{len(found)} VPCs match ({ids}), tagged {tags} or named {name}; {fix}"


def vpc_candidates(ec2: Any, lab_tags: Dict[str, str], name: str) -> List[Dict[str, Any]]:
    """The VPCs that may be the student's for the lab: those with the course's tags, else those
    with the course's Name."""

    def vpcs(filters: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return list(_each(ec2, "describe_vpcs", "Vpcs", Filters=filters))

    found = vpcs([{"Name": f"tag:{k}", "Values": [v]} for k, v in lab_tags.items()])
    if not found:
        by_name = [{"Name": "tag:Name", "Values": [name]}]
        if STUDENT_KEY in lab_tags:
            by_name.append({"Name": f"tag:{STUDENT_KEY}", "Values": [lab_tags[STUDENT_KEY]]})
        found = vpcs(by_name)
        if not found and STUDENT_KEY in lab_tags:  # no Student tag at all: the Name alone
            found = [v for v in vpcs(by_name[:1]) if STUDENT_KEY not in tag_dict(v.get("Tags"))]
    return found


def read_account(
    clients: Clients, vpc: Mapping[str, Any], lab_tags: Optional[Dict[str, str]] = None
) -> Account:
    """What the account holds in ``vpc`` (and, for caches the emulator cannot place in a VPC,
    what carries ``lab_tags``)."""
    clients = functools.lru_cache(maxsize=None)(clients)  # one client per service
    ec2 = clients("ec2")
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    vpc_tags = tag_dict(vpc.get("Tags"))
    account = Account(vpc_id=vpc_id, vpc_cidr=vpc["CidrBlock"], stack=vpc_tags.get(STACK_TAG, ""))
    account.tagged("vpc", vpc_id, vpc_tags)
    if account.stack:
        account.lab_places[vpc_id] = f"VPC {vpc_tags.get('Name') or vpc_id}"
    tables = list(_each(ec2, "describe_route_tables", "RouteTables", Filters=in_vpc))
    public_tables = {
        t["RouteTableId"]
        for t in tables
        if any(
            r.get("DestinationCidrBlock") == "0.0.0.0/0"
            and str(r.get("GatewayId", "")).startswith("igw-")
            for r in t.get("Routes", [])
        )
    }
    table_of = {
        a["SubnetId"]: t["RouteTableId"]
        for t in tables
        for a in t.get("Associations", [])
        if a.get("SubnetId")
    }
    main = next(
        (
            t["RouteTableId"]
            for t in tables
            if any(a.get("Main") for a in t.get("Associations", []))
        ),
        None,
    )
    for table in tables:
        # The main table is the one EC2 makes with the VPC, untagged on AWS: not the student's.
        if not any(a.get("Main") for a in table.get("Associations", [])):
            account.tagged("route-table", table["RouteTableId"], tag_dict(table.get("Tags")))
    attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    for igw in _each(ec2, "describe_internet_gateways", "InternetGateways", Filters=attached):
        account.tagged("internet-gateway", igw["InternetGatewayId"], tag_dict(igw.get("Tags")))
    subnet_az: Dict[str, str] = {}
    for subnet in _each(ec2, "describe_subnets", "Subnets", Filters=in_vpc):
        public = table_of.get(subnet["SubnetId"], main) in public_tables
        account.subnets.append(
            ("Public" if public else "Private", subnet["CidrBlock"], subnet["AvailabilityZone"])
        )
        subnet_az[subnet["SubnetId"]] = subnet["AvailabilityZone"]
        subnet_tags = tag_dict(subnet.get("Tags"))
        account.tagged("subnet", subnet["SubnetId"], subnet_tags)
        if account.stack and subnet_tags.get(STACK_TAG) == account.stack:
            name = subnet_tags.get("Name") or subnet["SubnetId"]
            account.lab_places[subnet["SubnetId"]] = f"subnet {name}"
    templates = _read_groups(clients, account, subnet_az)
    launched = {i for g in account.groups for i in g["instances"]}
    reservations = _each(
        ec2,
        "describe_instances",
        "Reservations",
        Filters=in_vpc + [{"Name": "instance-state-name", "Values": _LIVE}],
    )
    instance_ids: List[str] = []
    for instance in (i for r in reservations for i in r["Instances"]):
        tags = tag_dict(instance.get("Tags"))
        instance_ids.append(instance["InstanceId"])
        account.places[instance["InstanceId"]] = [instance.get("SubnetId", "")]
        account.tagged("instance", instance["InstanceId"], tags)
        if instance.get("SourceDestCheck") is False:  # a NAT instance: counted apart
            account.nat_instances.append(
                {"id": instance["InstanceId"], "type": instance["InstanceType"]}
            )
            continue
        if instance["InstanceId"] in launched or ASG_TAG in tags:
            continue  # its Auto Scaling group's: counted with the group
        account.instances.append(
            {
                "id": instance["InstanceId"],
                "type": instance["InstanceType"],
                "name": tags.get("Name", ""),
                "described": instance,
            }
        )
    allocations: Set[str] = set()  # the Elastic IPs of its NAT gateways
    nat_interfaces: Set[str] = set()
    for gateway in _each(
        ec2,
        "describe_nat_gateways",
        "NatGateways",
        Filter=in_vpc + [{"Name": "state", "Values": ["pending", "available"]}],
    ):
        account.nat_gateways.append(gateway["NatGatewayId"])
        account.places[gateway["NatGatewayId"]] = [gateway.get("SubnetId", "")]
        account.created[gateway["NatGatewayId"]] = str(gateway.get("CreateTime") or "")
        addresses = gateway.get("NatGatewayAddresses") or []
        nat_interfaces |= {a["NetworkInterfaceId"] for a in addresses if a.get("NetworkInterfaceId")}
        allocations |= {a["AllocationId"] for a in addresses if a.get("AllocationId")}
        account.nat_addresses[gateway["NatGatewayId"]] = [
            a["PublicIp"] for a in addresses if a.get("PublicIp")
        ]
        account.tagged("nat-gateway", gateway["NatGatewayId"], tag_dict(gateway.get("Tags")))
    _read_attached(ec2, account, instance_ids, allocations, templates, lab_tags)
    for group in _each(ec2, "describe_security_groups", "SecurityGroups", Filters=in_vpc):
        group_tags = tag_dict(group.get("Tags"))
        if group["GroupName"] != "default":
            account.tagged("security-group", group["GroupId"], group_tags)
        account.security_groups.append(
            {
                "id": group["GroupId"],
                "name": group_tags.get("Name") or group["GroupName"],
                "default": group["GroupName"] == "default",
                "stack": group_tags.get(STACK_TAG, ""),
            }
        )
        account.places[group["GroupId"]] = [vpc_id]
        for permission in group.get("IpPermissions", []):
            for rule in _rules(permission):
                account.ingress.append((group["GroupId"], group["GroupName"], rule))
    elbv2 = clients("elbv2")
    arns: Dict[str, Tuple[str, str]] = {}  # ARN → (kind, name), for their tags
    for balancer in _each(elbv2, "describe_load_balancers", "LoadBalancers"):
        if balancer.get("VpcId") == vpc_id:
            arns[balancer["LoadBalancerArn"]] = ("load-balancer", balancer["LoadBalancerName"])
            account.load_balancers.append(
                {
                    "name": balancer["LoadBalancerName"],
                    "scheme": balancer.get("Scheme", "internet-facing"),
                    "azs": sorted(z["ZoneName"] for z in balancer.get("AvailabilityZones", [])),
                    "described": balancer,
                }
            )
            name = balancer["LoadBalancerName"]
            zones = balancer.get("AvailabilityZones", [])
            account.places[name] = [z["SubnetId"] for z in zones if z.get("SubnetId")]
            account.created[name] = str(balancer.get("CreatedTime") or "")
    for target_group in _each(elbv2, "describe_target_groups", "TargetGroups"):
        if target_group.get("VpcId") == vpc_id:
            arns[target_group["TargetGroupArn"]] = ("target-group", target_group["TargetGroupName"])
    listed = list(arns)
    for start in range(0, len(listed), 20):  # DescribeTags takes 20 ARNs a call
        described = elbv2.describe_tags(ResourceArns=listed[start : start + 20])
        for found in described.get("TagDescriptions") or []:
            kind, name = arns[found["ResourceArn"]]
            account.tagged(kind, name, tag_dict(found.get("Tags")))
    for db in _each(clients("rds"), "describe_db_instances", "DBInstances"):
        if (db.get("DBSubnetGroup") or {}).get("VpcId") == vpc_id:
            account.databases.append(
                {
                    "id": db["DBInstanceIdentifier"],
                    "class": db["DBInstanceClass"],
                    "engine": db["Engine"],
                    "multi_az": bool(db.get("MultiAZ")),
                    "replica": bool(db.get("ReadReplicaSourceDBInstanceIdentifier")),
                    "described": db,
                }
            )
            account.tagged("db-instance", db["DBInstanceIdentifier"], tag_dict(db.get("TagList")))
            subnets = (db.get("DBSubnetGroup") or {}).get("Subnets") or []
            account.places[db["DBInstanceIdentifier"]] = [
                s["SubnetIdentifier"] for s in subnets if s.get("SubnetIdentifier")
            ]
            account.created[db["DBInstanceIdentifier"]] = str(db.get("InstanceCreateTime") or "")
    _read_caches(clients, account, lab_tags)
    _read_interfaces(clients, account, nat_interfaces)
    return account


def _read_interfaces(clients: Clients, account: Account, nat_interfaces: Set[str]) -> None:
    """:attr:`Account.interfaces`: the VPC's network interfaces made on their own, as `week5
    cleanup` tells them (``standalone_interfaces``): not one a service made (requester-managed,
    another InterfaceType, a service's Description), a NAT gateway's (``nat_interfaces``), an
    instance's own (its primary, or deleted with it), an EFS mount target's or an interface VPC
    endpoint's (an emulator marks neither; read only when one is left to tell)."""
    ec2 = clients("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [account.vpc_id]}]
    left = [
        eni
        for eni in _each(ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=in_vpc)
        if not _made_by_service(eni)
        and eni["NetworkInterfaceId"] not in nat_interfaces
        and not (eni.get("Description") or "").startswith(_NAT_DESCRIPTION)
        and not instance_own(eni.get("Attachment") or {})
    ]
    if not left:
        return
    owned: Set[str] = set()
    for endpoint in _each(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=in_vpc):
        owned |= set(endpoint.get("NetworkInterfaceIds") or [])
    efs = clients("efs")
    for fs in _each(efs, "describe_file_systems", "FileSystems"):
        try:
            targets = list(
                _each(efs, "describe_mount_targets", "MountTargets", FileSystemId=fs["FileSystemId"])
            )
        except Exception as error:
            if vanished(error):  # deleted since it was listed
                continue
            raise
        owned |= {t["NetworkInterfaceId"] for t in targets if t.get("NetworkInterfaceId")}
    for eni in left:
        if eni["NetworkInterfaceId"] in owned:
            continue
        tags = tag_dict(eni.get("TagSet") or eni.get("Tags"))
        account.interfaces.append(
            {
                "id": eni["NetworkInterfaceId"],
                "subnet": eni.get("SubnetId", ""),
                "name": tags.get("Name") or eni.get("Description") or "",
                "stack": tags.get(STACK_TAG, ""),
            }
        )
        account.places[eni["NetworkInterfaceId"]] = [eni.get("SubnetId", "")]


def _read_attached(
    ec2: Any,
    account: Account,
    instance_ids: List[str],
    allocations: Set[str],
    templates: Set[str],
    lab_tags: Optional[Dict[str, str]] = None,
) -> None:
    """The tags of what belongs to what :func:`read_account` read: the volumes attached to its
    instances (kept with each stand-alone instance, for its price), the Elastic IPs of its NAT
    gateways and instances, the launch templates (id or name) of its Auto Scaling groups; and
    the Elastic IPs tagged ``lab_tags`` that nothing holds (an address billed by the hour all
    the same, in no VPC)."""
    held = set(instance_ids)
    stand_alone = {i["id"]: i for i in account.instances}
    for start in range(0, len(instance_ids), 200):  # a filter takes 200 values
        attached = [{"Name": "attachment.instance-id", "Values": instance_ids[start : start + 200]}]
        for volume in _each(ec2, "describe_volumes", "Volumes", Filters=attached):
            account.tagged("volume", volume["VolumeId"], tag_dict(volume.get("Tags")))
            holders = [a.get("InstanceId") for a in volume.get("Attachments") or []]
            owner = next((stand_alone[i] for i in holders if i in stand_alone), None)
            if owner is not None and volume.get("State") not in ("deleting", "deleted"):
                owner.setdefault("volumes", []).append(volume)
    # Not pageable: the region's few addresses, the student's picked by what holds them.
    for address in ec2.describe_addresses().get("Addresses") or []:
        key = address.get("AllocationId") or address.get("PublicIp", "?")
        if address.get("AllocationId") in allocations or address.get("InstanceId") in held:
            account.tagged("elastic-ip", key, tag_dict(address.get("Tags")))
            owner = stand_alone.get(address.get("InstanceId") or "")
            if owner is not None and address.get("PublicIp"):  # priced on its own line
                owner.setdefault("elastic", []).append(address["PublicIp"])
        elif lab_tags and not any(
            address.get(k) for k in ("AssociationId", "InstanceId", "NetworkInterfaceId")
        ):
            tags = tag_dict(address.get("Tags"))
            if all(tags.get(k) == v for k, v in lab_tags.items()):
                account.elastic_ips.append({"id": key, "ip": address.get("PublicIp", "?")})
                account.tagged("elastic-ip", key, tags)
    if templates:
        for template in _each(ec2, "describe_launch_templates", "LaunchTemplates"):
            template_id = template["LaunchTemplateId"]
            if {template_id, template.get("LaunchTemplateName")} & templates:
                account.tagged("launch-template", template_id, tag_dict(template.get("Tags")))


def _template_of(group: Mapping[str, Any]) -> Optional[str]:
    """The id (else the name) of the launch template an Auto Scaling group launches from."""
    mixed = group.get("MixedInstancesPolicy") or {}
    spec = (
        group.get("LaunchTemplate")
        or (mixed.get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")
        or {}
    )
    return spec.get("LaunchTemplateId") or spec.get("LaunchTemplateName")


def _launch_type(ec2: Any, group: Mapping[str, Any]) -> str:
    """What an Auto Scaling group launches: its launch template's (or configuration's)
    instance type, else what its instances are."""
    mixed = group.get("MixedInstancesPolicy") or {}
    overrides = (mixed.get("LaunchTemplate") or {}).get("Overrides") or []
    if overrides and overrides[0].get("InstanceType"):
        return overrides[0]["InstanceType"]
    spec = group.get("LaunchTemplate") or (mixed.get("LaunchTemplate") or {}).get(
        "LaunchTemplateSpecification"
    )
    if spec and spec.get("LaunchTemplateId"):
        versions = _each(
            ec2,
            "describe_launch_template_versions",
            "LaunchTemplateVersions",
            LaunchTemplateId=spec["LaunchTemplateId"],
            Versions=[str(spec.get("Version") or "$Default")],
        )
        for version in versions:
            instance_type = (version.get("LaunchTemplateData") or {}).get("InstanceType")
            if instance_type:
                return instance_type
    types = sorted(
        {i.get("InstanceType") for i in group.get("Instances", []) if i.get("InstanceType")}
    )
    return ", ".join(types) or "?"


def _read_groups(clients: Clients, account: Account, subnet_az: Dict[str, str]) -> Set[str]:
    """The Auto Scaling groups in the VPC's subnets; the launch templates they launch from."""
    ec2 = clients("ec2")
    templates: Set[str] = set()
    autoscaling = clients("autoscaling")
    configurations: Dict[str, str] = {}
    for group in _each(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups"):
        subnets = [s for s in str(group.get("VPCZoneIdentifier") or "").split(",") if s]
        if not subnets or not all(s in subnet_az for s in subnets):
            continue
        if group.get("LaunchConfigurationName"):
            name = group["LaunchConfigurationName"]
            if name not in configurations:
                for config in _each(
                    autoscaling,
                    "describe_launch_configurations",
                    "LaunchConfigurations",
                    LaunchConfigurationNames=[name],
                ):
                    configurations[name] = config.get("InstanceType", "?")
            launch_type = configurations.get(name, "?")
        else:
            launch_type = _launch_type(ec2, group)
            templates |= {_template_of(group)} - {None}
        account.groups.append(
            {
                "name": group["AutoScalingGroupName"],
                "type": launch_type,
                "min": group.get("MinSize", 0),
                "max": group.get("MaxSize", 0),
                "desired": group.get("DesiredCapacity", 0),
                "azs": sorted({subnet_az[s] for s in subnets}),
                "balanced": bool(group.get("TargetGroupARNs") or group.get("LoadBalancerNames")),
                "instances": [i["InstanceId"] for i in group.get("Instances", [])],
            }
        )
        tags = tag_dict(group.get("Tags"))
        account.tagged("auto-scaling-group", group["AutoScalingGroupName"], tags)
    return templates


def _read_caches(clients: Clients, account: Account, lab_tags: Optional[Dict[str, str]]) -> None:
    """Replication groups whose nodes are in the VPC; where the account cannot say (the
    emulator keeps no cache clusters), those tagged for the lab."""
    cache = clients("elasticache")
    subnet_group_vpc: Dict[str, str] = {}
    for group in _each(cache, "describe_replication_groups", "ReplicationGroups"):
        if group.get("Status") in ("deleting", "deleted"):
            continue
        vpc_id = None
        for member in group.get("MemberClusters") or []:
            try:
                clusters = list(
                    _each(cache, "describe_cache_clusters", "CacheClusters", CacheClusterId=member)
                )
            except Exception as error:
                if _code(error) != "CacheClusterNotFound":
                    raise
                continue
            for cluster in clusters:
                name = cluster.get("CacheSubnetGroupName")
                if name and name not in subnet_group_vpc:
                    for subnet_group in _each(
                        cache,
                        "describe_cache_subnet_groups",
                        "CacheSubnetGroups",
                        CacheSubnetGroupName=name,
                    ):
                        subnet_group_vpc[name] = subnet_group.get("VpcId", "")
                vpc_id = subnet_group_vpc.get(name or "")
            break
        tags = tag_dict(cache.list_tags_for_resource(ResourceName=group["ARN"]).get("TagList"))
        tagged_for_lab = bool(lab_tags) and all(tags.get(k) == v for k, v in lab_tags.items())
        if vpc_id == account.vpc_id or (vpc_id is None and tagged_for_lab):
            account.caches.append(
                {
                    "id": group["ReplicationGroupId"],
                    "type": group.get("CacheNodeType", "?"),
                    "engine": group.get("Engine", "redis"),
                    "nodes": len(group.get("MemberClusters") or []),
                }
            )
            account.tagged("cache", group["ReplicationGroupId"], tags)
