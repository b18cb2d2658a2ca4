"""What attaches to the course day's network, each with how to delete it and what ties it to
resources outside the day's tags: Elastic IPs, network interfaces and security groups. The
region's EC2 network they look at is read in :mod:`.ties`."""

from __future__ import annotations

from typing import List, Optional

from week5.operations.cleanup.scope import Found, NotYet, Scope, error_code, name_tag, tagged
from week5.operations.cleanup.ties import Relations, eni_tags, make_found, network, tags_of


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
        try:
            ec2.release_address(AllocationId=allocation_id)
        except Exception as error:
            # While the NAT gateway that held it is still deleting, AWS answers a plain
            # AuthFailure (kubernetes/kops#938): retried while that gateway exists.
            if nat is None or error_code(error) != "AuthFailure":
                raise
            state = _nat_state(nat["NatGatewayId"])
            if state is None:
                raise
            raise NotYet(
                f"NAT gateway {nat['NatGatewayId']} that held it is still {state} "
                f"({error_code(error)})"
            ) from error

    def _nat_state(nat_id: str) -> Optional[str]:
        """The NAT gateway's state while it exists (pending, available, deleting), else
        None (deleted, failed or not found)."""
        try:
            gateways = ec2.describe_nat_gateways(NatGatewayIds=[nat_id]).get("NatGateways", [])
        except Exception as error:
            if error_code(error) in ("NatGatewayNotFound", "InvalidNatGatewayID.NotFound"):
                return None
            raise
        states = [g.get("State") for g in gateways if g.get("State") not in ("deleted", "failed")]
        return states[0] if states else None

    found = []
    for address in net.addresses:
        if not scope.ours(address.get("Tags")) or not address.get("AllocationId"):
            continue
        rel = Relations(scope)
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
                scope.ours(tags_of(instance)),
                instance_id,
                f"instance {instance_id}",
                "has it (releasing it would take the instance's address)",
            )
        elif interface_id:
            eni = net.interfaces.get(interface_id)
            rel.other(
                scope.ours(eni_tags(eni or {})),
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
                **rel.fields(),
                **tagged(address.get("Tags")),
                refs=(address.get("PublicIp", ""),),
            )
        )
    return found


def network_interfaces(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for eni in net.standalone_interfaces():
        if not scope.ours(eni_tags(eni)):
            continue
        rel = Relations(scope)
        instance_id = (eni.get("Attachment") or {}).get("InstanceId")
        if instance_id:
            rel.other(
                scope.ours(tags_of(net.instances.get(instance_id))),
                instance_id,
                f"instance {instance_id}",
                "has it attached (deleting it would detach it)",
            )
        found.append(
            Found(
                "network interface",
                eni["NetworkInterfaceId"],
                name_tag({"Tags": eni_tags(eni)}),
                0.0,
                delete=lambda e=eni["NetworkInterfaceId"]: ec2.delete_network_interface(
                    NetworkInterfaceId=e
                ),
                **rel.fields(),
                **tagged(eni_tags(eni)),
            )
        )
    return found


def security_groups(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")

    def in_use(group_id: str) -> bool:
        """Whether an interface still wears the group, other than one of an instance that
        is terminating (it goes with that instance)."""
        wearing = list(
            scope.each(
                "ec2",
                "describe_network_interfaces",
                "NetworkInterfaces",
                Filters=[{"Name": "group-id", "Values": [group_id]}],
            )
        )
        instance_ids = sorted(
            {(e.get("Attachment") or {}).get("InstanceId") for e in wearing} - {None, ""}
        )
        going = set()
        if instance_ids:
            for reservation in scope.each(
                "ec2",
                "describe_instances",
                "Reservations",
                Filters=[
                    {"Name": "instance-id", "Values": instance_ids},
                    {"Name": "instance-state-name", "Values": ["shutting-down", "terminated"]},
                ],
            ):
                going.update(i["InstanceId"] for i in reservation.get("Instances", []))
        return any((e.get("Attachment") or {}).get("InstanceId") not in going for e in wearing)

    def delete(group_id: str) -> None:
        # Its own rules that name other groups first: two groups that name each other could
        # otherwise never be deleted. The group is ours; the groups it names are not changed.
        # Only when nothing wears it any more: while something does (a service's interface
        # not seen when it was found, a resource still going), AWS refuses to delete it
        # (DependencyViolation, retried) and the rules are what that one's traffic needs.
        # (Read first: InvalidGroup.NotFound here means this group is gone.)
        (group,) = scope.each(
            "ec2", "describe_security_groups", "SecurityGroups", GroupIds=[group_id]
        )
        if in_use(group_id):
            ec2.delete_security_group(GroupId=group_id)
            return
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

    services = net.foreign_interfaces(scope)
    found = []
    for group in net.groups.values():
        # The VPC's default group goes with its VPC; it is known by its GroupName.
        if group.get("GroupName") == "default" or not scope.ours(group.get("Tags")):
            continue
        group_id = group["GroupId"]
        rel = Relations(scope)
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
                    scope.ours(eni_tags(eni)),
                    eni["NetworkInterfaceId"],
                    f"network interface {eni['NetworkInterfaceId']}",
                    "uses it",
                )
        users = set()
        for what, owner_id, tags in net.owners_using(group_id):
            users.add(owner_id)
            rel.other(scope.ours(tags), owner_id, what, "uses it")
        for endpoint in net.live_endpoints():
            endpoint_id = endpoint["VpcEndpointId"]
            if endpoint_id not in users and any(
                g.get("GroupId") == group_id for g in endpoint.get("Groups") or []
            ):
                rel.other(
                    scope.ours(endpoint.get("Tags")),
                    endpoint_id,
                    f"VPC endpoint {endpoint_id}",
                    "uses it",
                )
        for service in services:
            if any(g.get("GroupId") == group_id for g in service.eni.get("Groups", [])):
                service.relate(rel, "uses it")
        for other in net.groups.values():
            if other["GroupId"] == group_id or scope.ours(other.get("Tags")):
                continue
            rules = other.get("IpPermissions", []) + other.get("IpPermissionsEgress", [])
            if any(
                pair.get("GroupId") == group_id
                for rule in rules
                for pair in rule.get("UserIdGroupPairs", [])
            ):
                rel.tie(
                    f"security group {other['GroupId']}", "names it in its rules", other["GroupId"]
                )
        found.append(
            make_found(
                scope,
                "security group",
                group,
                "GroupId",
                name=name_tag(group) or group.get("GroupName", ""),
                hourly=0.0,
                delete=lambda g=group_id: delete(g),
                **rel.fields(),
            )
        )
    return found
