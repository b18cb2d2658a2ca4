"""The course day's EC2 resources, each with how to delete it and what ties it to resources
outside the day's tags: instances, launch templates, the network (NAT gateways, Elastic IPs,
interfaces, security groups, subnets, route tables, internet gateways, VPCs) and storage
(volumes, AMIs, snapshots).

The region's EC2 network is read once (:func:`network`, every call paged) and each finder
looks at it: what is ours is deleted, what binds ours to something else is a tie, and a tied
resource is left with its partner and reported. What is created with a resource and set to go
with it (a root volume or primary interface deleted on termination, a VPC's main route table
and default security group) is the resource's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from week5.analysis.assembly import tag_dict
from week5.operations.cleanup.scope import Found, Scope, error_code, name_tag, stack_of

#: An instance in these states still runs, or holds its network and volumes.
LIVE_INSTANCE_STATES = ("pending", "running", "stopping", "stopped")
#: The tag Auto Scaling puts on the instances it launches.
ASG_TAG = "aws:autoscaling:groupName"


@dataclass
class Network:
    """The region's EC2 network, by id."""

    instances: Dict[str, Dict[str, Any]]
    volumes: Dict[str, Dict[str, Any]]
    interfaces: Dict[str, Dict[str, Any]]
    addresses: List[Dict[str, Any]]
    subnets: Dict[str, Dict[str, Any]]
    route_tables: Dict[str, Dict[str, Any]]
    gateways: Dict[str, Dict[str, Any]]
    groups: Dict[str, Dict[str, Any]]
    vpcs: Dict[str, Dict[str, Any]]
    nat_gateways: Dict[str, Dict[str, Any]]
    images: Dict[str, Dict[str, Any]]
    #: Interfaces a service made for one of its resources (an EFS mount target's), by id:
    #: (what, its id, its tags). Such an interface goes with that resource.
    service_interfaces: Dict[str, Tuple[str, str, Any]] = field(default_factory=dict)

    def live_instances(self) -> Iterable[Dict[str, Any]]:
        return (i for i in self.instances.values() if i["State"]["Name"] in LIVE_INSTANCE_STATES)

    def standalone_interfaces(self) -> Iterable[Dict[str, Any]]:
        """Interfaces made on their own (not by a service for its load balancer, database,
        NAT gateway ...), and not an instance's own (deleted on its termination)."""
        for eni in self.interfaces.values():
            if eni.get("RequesterManaged") or eni.get("InterfaceType", "interface") != "interface":
                continue
            if eni["NetworkInterfaceId"] in self.service_interfaces:
                continue
            if _instance_own(eni.get("Attachment") or {}):
                continue
            yield eni

    def owners_in(self, where: str, value: str) -> Iterable[Tuple[str, str, Any]]:
        """(what, id, tags) of the service resources with an interface whose ``where``
        (SubnetId, VpcId) is ``value``."""
        seen = set()
        for eni_id, owner in self.service_interfaces.items():
            eni = self.interfaces.get(eni_id) or {}
            if eni.get(where) == value and owner[1] not in seen:
                seen.add(owner[1])
                yield owner

    def owners_using(self, group_id: str) -> Iterable[Tuple[str, str, Any]]:
        """(what, id, tags) of the service resources whose interfaces wear ``group_id``."""
        seen = set()
        for eni_id, owner in self.service_interfaces.items():
            eni = self.interfaces.get(eni_id) or {}
            if any(g.get("GroupId") == group_id for g in eni.get("Groups", [])):
                if owner[1] not in seen:
                    seen.add(owner[1])
                    yield owner

    def nat_of_interface(self, interface_id: Optional[str]) -> Optional[Dict[str, Any]]:
        for nat in self.nat_gateways.values():
            for address in nat.get("NatGatewayAddresses", []):
                if interface_id and address.get("NetworkInterfaceId") == interface_id:
                    return nat
        return None

    def nat_of_allocation(self, allocation_id: Optional[str]) -> Optional[Dict[str, Any]]:
        for nat in self.nat_gateways.values():
            for address in nat.get("NatGatewayAddresses", []):
                if allocation_id and address.get("AllocationId") == allocation_id:
                    return nat
        return None


def _instance_own(attachment: Dict[str, Any]) -> bool:
    """An interface that is part of its instance: the primary one (it cannot be detached)
    or one set to be deleted on termination."""
    return bool(attachment.get("InstanceId")) and (
        attachment.get("DeviceIndex") == 0 or bool(attachment.get("DeleteOnTermination"))
    )


def _by(items: Iterable[Dict[str, Any]], key: str) -> Dict[str, Dict[str, Any]]:
    return {item[key]: item for item in items}


def network(scope: Scope) -> Network:
    def read() -> Network:
        def each(operation: str, key: str, **params: Any) -> List[Dict[str, Any]]:
            return list(scope.each("ec2", operation, key, **params))

        states = [*LIVE_INSTANCE_STATES, "shutting-down"]
        reservations = each(
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-state-name", "Values": states}],
        )
        return Network(
            instances=_by((i for r in reservations for i in r["Instances"]), "InstanceId"),
            volumes=_by(each("describe_volumes", "Volumes"), "VolumeId"),
            interfaces=_by(
                each("describe_network_interfaces", "NetworkInterfaces"), "NetworkInterfaceId"
            ),
            # EC2 returns every Elastic IP in one reply: DescribeAddresses has no pages.
            addresses=scope.client("ec2").describe_addresses().get("Addresses", []),
            subnets=_by(each("describe_subnets", "Subnets"), "SubnetId"),
            route_tables=_by(each("describe_route_tables", "RouteTables"), "RouteTableId"),
            gateways=_by(
                each("describe_internet_gateways", "InternetGateways"), "InternetGatewayId"
            ),
            groups=_by(each("describe_security_groups", "SecurityGroups"), "GroupId"),
            vpcs=_by(each("describe_vpcs", "Vpcs"), "VpcId"),
            nat_gateways=_by(
                each(
                    "describe_nat_gateways",
                    "NatGateways",
                    Filter=[{"Name": "state", "Values": ["pending", "available"]}],
                ),
                "NatGatewayId",
            ),
            images=_by(each("describe_images", "Images", Owners=["self"]), "ImageId"),
            service_interfaces=_mount_target_interfaces(scope),
        )

    return scope.cached("ec2", read)


def _mount_target_interfaces(scope: Scope) -> Dict[str, Tuple[str, str, Any]]:
    """Every EFS mount target's interface, with its file system."""
    owners: Dict[str, Tuple[str, str, Any]] = {}
    for fs in scope.each("efs", "describe_file_systems", "FileSystems"):
        what = f"EFS file system {fs['FileSystemId']}"
        for target in scope.each(
            "efs", "describe_mount_targets", "MountTargets", FileSystemId=fs["FileSystemId"]
        ):
            if target.get("NetworkInterfaceId"):
                owners[target["NetworkInterfaceId"]] = (what, fs["FileSystemId"], fs.get("Tags"))
    return owners


def auto_scaling_groups_all(scope: Scope) -> List[Dict[str, Any]]:
    """Every Auto Scaling group of the region, tagged or not (what launches, holds or
    registers EC2 resources)."""
    return scope.cached(
        "autoscaling",
        lambda: list(
            scope.each("autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups")
        ),
    )


def _address_name(address: Dict[str, Any]) -> str:
    return f"Elastic IP {address.get('AllocationId', '')} ({address.get('PublicIp', '?')})"


def _tags(item: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return tag_dict((item or {}).get("Tags"))


def _found(scope: Scope, kind: str, item: Dict[str, Any], id_key: str, **kwargs: Any) -> Found:
    return Found(
        kind,
        item[id_key],
        kwargs.pop("name", None) or name_tag(item),
        stack=stack_of(item.get("Tags")),
        **kwargs,
    )


class _Relations:
    """Ties and needs of one found resource, worded once."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.ties: List[str] = []
        self.needs: List[str] = []

    def other(self, ours: bool, resource_id: str, what: str, how: str) -> None:
        """``what`` (``instance i-1``) is related to this one as ``how`` says: a tie when it is
        not ours, else it must go first."""
        if ours:
            self.needs.append(resource_id)
        else:
            self.ties.append(f"{self.scope.outside(what)}, {how}")


# --- instances and launch templates ----------------------------------------------------------


def instances(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    group_of = {
        i["InstanceId"]: g for g in auto_scaling_groups_all(scope) for i in g.get("Instances", [])
    }
    groups = {g["AutoScalingGroupName"]: g for g in auto_scaling_groups_all(scope)}
    found = []
    for instance in net.live_instances():
        if not scope.ours(instance.get("Tags")):
            continue
        instance_id = instance["InstanceId"]
        rel = _Relations(scope)
        group = group_of.get(instance_id) or groups.get(_tags(instance).get(ASG_TAG, ""))
        if group and not scope.ours(group.get("Tags")):
            rel.ties.append(
                f"{scope.outside('Auto Scaling group ' + group['AutoScalingGroupName'])}, "
                "launched it and would replace it"
            )
        for mapping in instance.get("BlockDeviceMappings", []):
            ebs = mapping.get("Ebs") or {}
            if ebs.get("DeleteOnTermination"):
                continue  # its own: goes with it
            volume = net.volumes.get(ebs.get("VolumeId", ""))
            if not scope.ours(_tags(volume)):
                rel.ties.append(
                    f"{scope.outside('volume ' + ebs.get('VolumeId', '?'))}, is attached to it "
                    "(terminating would detach it)"
                )
        interface_ids = set()
        for nic in instance.get("NetworkInterfaces", []):
            interface_ids.add(nic["NetworkInterfaceId"])
            if _instance_own({"InstanceId": instance_id, **(nic.get("Attachment") or {})}):
                continue
            eni = net.interfaces.get(nic["NetworkInterfaceId"], nic)
            if not scope.ours(_eni_tags(eni)):
                rel.ties.append(
                    f"{scope.outside('network interface ' + nic['NetworkInterfaceId'])}, is "
                    "attached to it (terminating would detach it)"
                )
        for address in net.addresses:
            if address.get("InstanceId") == instance_id or (
                address.get("NetworkInterfaceId") in interface_ids
            ):
                if not scope.ours(address.get("Tags")):
                    rel.ties.append(
                        f"{scope.outside(_address_name(address))}, is "
                        "associated with it (terminating would disassociate it)"
                    )
        found.append(
            _found(
                scope,
                "EC2 instance",
                instance,
                "InstanceId",
                hourly=scope.price(f"ec2:{instance['InstanceType']}"),
                delete=lambda i=instance_id: ec2.terminate_instances(InstanceIds=[i]),
                ties=rel.ties,
                needs=rel.needs,
                part_of=group["AutoScalingGroupName"] if group else None,
            )
        )
    return found


def _template_ids(group: Dict[str, Any]) -> List[str]:
    specs = [group.get("LaunchTemplate") or {}]
    mixed = (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
    specs.append(mixed.get("LaunchTemplateSpecification") or {})
    return [s["LaunchTemplateId"] for s in specs if s.get("LaunchTemplateId")]


def launch_templates(scope: Scope) -> List[Found]:
    ec2 = scope.client("ec2")
    users: Dict[str, List[Dict[str, Any]]] = {}
    for group in auto_scaling_groups_all(scope):
        for template_id in _template_ids(group):
            users.setdefault(template_id, []).append(group)
    found = []
    for template in scope.each("ec2", "describe_launch_templates", "LaunchTemplates"):
        if not scope.ours(template.get("Tags")):
            continue
        rel = _Relations(scope)
        for group in users.get(template["LaunchTemplateId"], []):
            name = group["AutoScalingGroupName"]
            rel.other(
                scope.ours(group.get("Tags")),
                name,
                f"Auto Scaling group {name}",
                "launches from it",
            )
        found.append(
            _found(
                scope,
                "launch template",
                template,
                "LaunchTemplateId",
                name=template.get("LaunchTemplateName", ""),
                hourly=0.0,
                delete=lambda t=template["LaunchTemplateId"]: ec2.delete_launch_template(
                    LaunchTemplateId=t
                ),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found


# --- the network -----------------------------------------------------------------------------


def _routes_through(net: Network, key: str, target_id: str) -> Iterable[Dict[str, Any]]:
    """Route tables with a route whose ``key`` (GatewayId, NatGatewayId) is ``target_id``."""
    for table in net.route_tables.values():
        if any(r.get(key) == target_id for r in table.get("Routes", [])):
            yield table


def nat_gateways(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for gateway in net.nat_gateways.values():
        if not scope.ours(gateway.get("Tags")):
            continue
        rel = _Relations(scope)
        for table in _routes_through(net, "NatGatewayId", gateway["NatGatewayId"]):
            if not scope.ours(table.get("Tags")):
                rel.ties.append(
                    f"{scope.outside('route table ' + table['RouteTableId'])}, routes through "
                    "it (deleting it would break that route)"
                )
        found.append(
            _found(
                scope,
                "NAT gateway",
                gateway,
                "NatGatewayId",
                hourly=scope.price("nat-gateway"),
                delete=lambda g=gateway["NatGatewayId"]: ec2.delete_nat_gateway(NatGatewayId=g),
                ties=rel.ties,
            )
        )
    return found


def addresses(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")

    def release(allocation_id: str) -> None:
        # Read it again: terminating its instance may have disassociated it meanwhile.
        (now,) = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"]
        nat = net.nat_of_allocation(allocation_id)
        if now.get("AssociationId") and nat is None:
            try:
                ec2.disassociate_address(AssociationId=now["AssociationId"])
            except Exception as error:  # disassociated meanwhile (its instance went)
                if not error_code(error).endswith("NotFound"):
                    raise
        ec2.release_address(AllocationId=allocation_id)

    found = []
    for address in net.addresses:
        if not scope.ours(address.get("Tags")) or not address.get("AllocationId"):
            continue
        rel = _Relations(scope)
        nat = net.nat_of_allocation(address["AllocationId"]) or net.nat_of_interface(
            address.get("NetworkInterfaceId")
        )
        instance_id = address.get("InstanceId")
        interface_id = address.get("NetworkInterfaceId")
        if nat is not None:
            rel.other(
                scope.ours(nat.get("Tags")),
                nat["NatGatewayId"],
                f"NAT gateway {nat['NatGatewayId']}",
                "uses it",
            )
        elif instance_id:
            instance = net.instances.get(instance_id)
            rel.other(
                scope.ours(_tags(instance)),
                instance_id,
                f"instance {instance_id}",
                "has it (releasing it would take the instance's address)",
            )
        elif interface_id:
            eni = net.interfaces.get(interface_id)
            rel.other(
                scope.ours(_eni_tags(eni or {})),
                interface_id,
                f"network interface {interface_id}",
                "has it (releasing it would take the interface's address)",
            )
        found.append(
            Found(
                "Elastic IP",
                address["AllocationId"],
                address.get("PublicIp", ""),
                scope.price("public-ipv4"),
                delete=lambda a=address["AllocationId"]: release(a),
                ties=rel.ties,
                needs=rel.needs,
                stack=stack_of(address.get("Tags")),
                refs=(address.get("PublicIp", ""),),
            )
        )
    return found


def network_interfaces(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for eni in net.standalone_interfaces():
        if not scope.ours(_eni_tags(eni)):
            continue
        rel = _Relations(scope)
        instance_id = (eni.get("Attachment") or {}).get("InstanceId")
        if instance_id:
            rel.other(
                scope.ours(_tags(net.instances.get(instance_id))),
                instance_id,
                f"instance {instance_id}",
                "has it attached (deleting it would detach it)",
            )
        found.append(
            Found(
                "network interface",
                eni["NetworkInterfaceId"],
                name_tag({"Tags": _eni_tags(eni)}),
                0.0,
                delete=lambda e=eni["NetworkInterfaceId"]: ec2.delete_network_interface(
                    NetworkInterfaceId=e
                ),
                ties=rel.ties,
                needs=rel.needs,
                stack=stack_of(_eni_tags(eni)),
            )
        )
    return found


def _eni_tags(eni: Dict[str, Any]) -> Any:
    return eni.get("TagSet") or eni.get("Tags")


def security_groups(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")

    def delete(group_id: str) -> None:
        # Its own rules that name other groups first: two groups that name each other could
        # otherwise never be deleted. The group is ours; the groups it names are not changed.
        # (Read first: InvalidGroup.NotFound here means this group is gone.)
        (group,) = scope.each(
            "ec2", "describe_security_groups", "SecurityGroups", GroupIds=[group_id]
        )
        for direction, revoke in (
            ("IpPermissions", ec2.revoke_security_group_ingress),
            ("IpPermissionsEgress", ec2.revoke_security_group_egress),
        ):
            naming = [
                {
                    **{k: p[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in p},
                    "UserIdGroupPairs": [
                        {k: pair[k] for k in ("GroupId", "UserId") if k in pair} for pair in pairs
                    ],
                }
                for p in group.get(direction, [])
                for pairs in [[x for x in p.get("UserIdGroupPairs", []) if x.get("GroupId")]]
                if pairs
            ]
            for permission in naming:
                try:
                    revoke(GroupId=group_id, IpPermissions=[permission])
                except Exception as error:  # the group it names is gone: nothing to undo
                    if error_code(error) not in (
                        "InvalidGroup.NotFound",
                        "InvalidPermission.NotFound",
                    ):
                        raise
        ec2.delete_security_group(GroupId=group_id)

    found = []
    for group in net.groups.values():
        # The VPC's default group goes with its VPC; it is known by its GroupName.
        if group.get("GroupName") == "default" or not scope.ours(group.get("Tags")):
            continue
        group_id = group["GroupId"]
        rel = _Relations(scope)
        for instance in net.live_instances():
            if any(g.get("GroupId") == group_id for g in instance.get("SecurityGroups", [])):
                rel.other(
                    scope.ours(instance.get("Tags")),
                    instance["InstanceId"],
                    f"instance {instance['InstanceId']}",
                    "uses it",
                )
        for eni in net.standalone_interfaces():
            attached_to = (eni.get("Attachment") or {}).get("InstanceId")
            if attached_to and attached_to in net.instances:
                continue  # judged by its instance above
            if any(g.get("GroupId") == group_id for g in eni.get("Groups", [])):
                rel.other(
                    scope.ours(_eni_tags(eni)),
                    eni["NetworkInterfaceId"],
                    f"network interface {eni['NetworkInterfaceId']}",
                    "uses it",
                )
        for what, owner_id, tags in net.owners_using(group_id):
            rel.other(scope.ours(tags), owner_id, what, "uses it")
        for other in net.groups.values():
            if other["GroupId"] == group_id or scope.ours(other.get("Tags")):
                continue
            rules = other.get("IpPermissions", []) + other.get("IpPermissionsEgress", [])
            if any(
                pair.get("GroupId") == group_id
                for rule in rules
                for pair in rule.get("UserIdGroupPairs", [])
            ):
                rel.ties.append(
                    f"{scope.outside('security group ' + other['GroupId'])}, names it in its rules"
                )
        found.append(
            _found(
                scope,
                "security group",
                group,
                "GroupId",
                name=name_tag(group) or group.get("GroupName", ""),
                hourly=0.0,
                delete=lambda g=group_id: delete(g),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found


def _association_subnets(table: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [a for a in table.get("Associations", []) if a.get("SubnetId")]


def subnets(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for subnet in net.subnets.values():
        if not scope.ours(subnet.get("Tags")):
            continue
        subnet_id = subnet["SubnetId"]
        rel = _Relations(scope)
        for instance in net.live_instances():
            if instance.get("SubnetId") == subnet_id:
                rel.other(
                    scope.ours(instance.get("Tags")),
                    instance["InstanceId"],
                    f"instance {instance['InstanceId']}",
                    "runs in it",
                )
        for eni in net.standalone_interfaces():
            if eni.get("SubnetId") == subnet_id:
                rel.other(
                    scope.ours(_eni_tags(eni)),
                    eni["NetworkInterfaceId"],
                    f"network interface {eni['NetworkInterfaceId']}",
                    "is in it",
                )
        for what, owner_id, tags in net.owners_in("SubnetId", subnet_id):
            rel.other(scope.ours(tags), owner_id, what, "has an interface in it")
        for nat in net.nat_gateways.values():
            if nat.get("SubnetId") == subnet_id:
                rel.other(
                    scope.ours(nat.get("Tags")),
                    nat["NatGatewayId"],
                    f"NAT gateway {nat['NatGatewayId']}",
                    "is in it",
                )
        for table in net.route_tables.values():
            if any(a["SubnetId"] == subnet_id for a in _association_subnets(table)):
                if not scope.ours(table.get("Tags")):
                    rel.ties.append(
                        f"{scope.outside('route table ' + table['RouteTableId'])}, routes it "
                        "(deleting the subnet would change that table's associations)"
                    )
        found.append(
            _found(
                scope,
                "subnet",
                subnet,
                "SubnetId",
                hourly=0.0,
                delete=lambda s=subnet_id: ec2.delete_subnet(SubnetId=s),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found


def _is_main(table: Dict[str, Any]) -> bool:
    return any(a.get("Main") for a in table.get("Associations", []))


def route_tables(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")

    def delete(table_id: str) -> None:
        (table,) = scope.each(
            "ec2", "describe_route_tables", "RouteTables", RouteTableIds=[table_id]
        )
        for association in _association_subnets(table):
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=table_id)

    found = []
    for table in net.route_tables.values():
        if _is_main(table) or not scope.ours(table.get("Tags")):
            continue  # the VPC's main table goes with the VPC
        rel = _Relations(scope)
        for association in _association_subnets(table):
            subnet = net.subnets.get(association["SubnetId"])
            if not scope.ours(_tags(subnet)):
                rel.ties.append(
                    f"{scope.outside('subnet ' + association['SubnetId'])}, is associated with "
                    "it (disassociating would change that subnet's routes)"
                )
        found.append(
            _found(
                scope,
                "route table",
                table,
                "RouteTableId",
                hourly=0.0,
                delete=lambda t=table["RouteTableId"]: delete(t),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found


def internet_gateways(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")

    def delete(gateway_id: str) -> None:
        (gateway,) = scope.each(
            "ec2", "describe_internet_gateways", "InternetGateways", InternetGatewayIds=[gateway_id]
        )
        for attachment in gateway.get("Attachments", []):
            try:
                ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=attachment["VpcId"])
            except Exception as error:  # detached meanwhile
                if error_code(error) != "Gateway.NotAttached":
                    raise
        ec2.delete_internet_gateway(InternetGatewayId=gateway_id)

    found = []
    for gateway in net.gateways.values():
        if not scope.ours(gateway.get("Tags")):
            continue
        gateway_id = gateway["InternetGatewayId"]
        rel = _Relations(scope)
        for attachment in gateway.get("Attachments", []):
            vpc = net.vpcs.get(attachment["VpcId"])
            if not scope.ours(_tags(vpc)):
                rel.ties.append(
                    f"{scope.outside('VPC ' + attachment['VpcId'])}, has it attached "
                    "(detaching would cut that VPC off the internet)"
                )
        for table in _routes_through(net, "GatewayId", gateway_id):
            if not scope.ours(table.get("Tags")) and not _main_of_ours(scope, net, table):
                rel.ties.append(
                    f"{scope.outside('route table ' + table['RouteTableId'])}, routes through it"
                )
        found.append(
            _found(
                scope,
                "internet gateway",
                gateway,
                "InternetGatewayId",
                hourly=0.0,
                delete=lambda g=gateway_id: delete(g),
                ties=rel.ties,
            )
        )
    return found


def _main_of_ours(scope: Scope, net: Network, table: Dict[str, Any]) -> bool:
    """A main route table belongs to its VPC: it is ours when the VPC is."""
    return _is_main(table) and scope.ours(_tags(net.vpcs.get(table.get("VpcId", ""))))


def vpcs(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for vpc in net.vpcs.values():
        if not scope.ours(vpc.get("Tags")):
            continue
        vpc_id = vpc["VpcId"]
        rel = _Relations(scope)
        inside = [
            ("subnet", s["SubnetId"], s.get("Tags"))
            for s in net.subnets.values()
            if s.get("VpcId") == vpc_id
        ]
        inside += [
            ("security group", g["GroupId"], g.get("Tags"))
            for g in net.groups.values()
            if g.get("VpcId") == vpc_id and g.get("GroupName") != "default"
        ]
        inside += [
            ("route table", t["RouteTableId"], t.get("Tags"))
            for t in net.route_tables.values()
            if t.get("VpcId") == vpc_id and not _is_main(t)
        ]
        inside += [
            ("internet gateway", g["InternetGatewayId"], g.get("Tags"))
            for g in net.gateways.values()
            if any(a.get("VpcId") == vpc_id for a in g.get("Attachments", []))
        ]
        inside += [
            ("NAT gateway", n["NatGatewayId"], n.get("Tags"))
            for n in net.nat_gateways.values()
            if n.get("VpcId") == vpc_id
        ]
        inside += [
            ("instance", i["InstanceId"], i.get("Tags"))
            for i in net.live_instances()
            if i.get("VpcId") == vpc_id
        ]
        inside += [
            ("network interface", e["NetworkInterfaceId"], _eni_tags(e))
            for e in net.standalone_interfaces()
            if e.get("VpcId") == vpc_id
        ]
        for kind, resource_id, tags in inside:
            rel.other(scope.ours(tags), resource_id, f"{kind} {resource_id}", "is in it")
        for what, owner_id, tags in net.owners_in("VpcId", vpc_id):
            rel.other(scope.ours(tags), owner_id, what, "has an interface in it")
        found.append(
            _found(
                scope,
                "VPC",
                vpc,
                "VpcId",
                hourly=0.0,
                delete=lambda v=vpc_id: ec2.delete_vpc(VpcId=v),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found


# --- storage ---------------------------------------------------------------------------------


def volumes(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for volume in net.volumes.values():
        if volume.get("State") in ("deleting", "deleted") or not scope.ours(volume.get("Tags")):
            continue
        rel = _Relations(scope)
        owner = None
        for attachment in volume.get("Attachments", []):
            instance_id = attachment.get("InstanceId", "")
            if attachment.get("DeleteOnTermination"):
                owner = instance_id
            instance = net.instances.get(instance_id)
            if instance is not None and instance["State"]["Name"] == "shutting-down":
                continue  # going already; the volume is free (or gone) after it
            rel.other(
                scope.ours(_tags(instance)),
                instance_id,
                f"instance {instance_id}",
                "has it attached (deleting it would detach it)",
            )
        found.append(
            _found(
                scope,
                "EBS volume",
                volume,
                "VolumeId",
                # per GB-month
                hourly=scope.price(f"ebs:{volume.get('VolumeType', 'gp3')}", volume.get("Size", 0)),
                delete=lambda v=volume["VolumeId"]: ec2.delete_volume(VolumeId=v),
                ties=rel.ties,
                needs=rel.needs,
                part_of=owner,
            )
        )
    return found


def _snapshots_of(image: Dict[str, Any]) -> List[str]:
    return [
        m["Ebs"]["SnapshotId"]
        for m in image.get("BlockDeviceMappings", [])
        if (m.get("Ebs") or {}).get("SnapshotId")
    ]


def images(scope: Scope) -> List[Found]:
    """AMIs; their snapshots are deleted as snapshots, when tagged."""
    net = network(scope)
    ec2 = scope.client("ec2")
    snapshot_tags = _snapshot_tags(scope)
    found = []
    for image in net.images.values():
        if not scope.ours(image.get("Tags")):
            continue
        rel = _Relations(scope)
        for snapshot_id in _snapshots_of(image):
            if snapshot_id in snapshot_tags and not scope.ours(snapshot_tags[snapshot_id]):
                rel.ties.append(
                    f"{scope.outside('snapshot ' + snapshot_id)}, holds its disk "
                    "(deregistering would leave that snapshot behind)"
                )
        found.append(
            _found(
                scope,
                "AMI",
                image,
                "ImageId",
                name=image.get("Name", ""),
                delete=lambda i=image["ImageId"]: ec2.deregister_image(ImageId=i),
                ties=rel.ties,
            )
        )
    return found


def _all_snapshots(scope: Scope) -> List[Dict[str, Any]]:
    return scope.cached(
        "snapshots",
        lambda: list(scope.each("ec2", "describe_snapshots", "Snapshots", OwnerIds=["self"])),
    )


def _snapshot_tags(scope: Scope) -> Dict[str, Any]:
    return {s["SnapshotId"]: s.get("Tags") for s in _all_snapshots(scope)}


def snapshots(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    used_by: Dict[str, List[Dict[str, Any]]] = {}
    for image in net.images.values():
        for snapshot_id in _snapshots_of(image):
            used_by.setdefault(snapshot_id, []).append(image)
    found = []
    for snapshot in _all_snapshots(scope):
        if not scope.ours(snapshot.get("Tags")):
            continue
        rel = _Relations(scope)
        for image in used_by.get(snapshot["SnapshotId"], []):
            rel.other(
                scope.ours(image.get("Tags")),
                image["ImageId"],
                f"AMI {image['ImageId']}",
                "is made from it",
            )
        found.append(
            _found(
                scope,
                "EBS snapshot",
                snapshot,
                "SnapshotId",
                delete=lambda s=snapshot["SnapshotId"]: ec2.delete_snapshot(SnapshotId=s),
                ties=rel.ties,
                needs=rel.needs,
            )
        )
    return found
