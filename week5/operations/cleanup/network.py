"""The course day's VPC networking, each with how to delete it and what ties it to resources
outside the day's tags: VPC endpoints, NAT gateways, subnets, network ACLs, route tables,
internet gateways and VPCs. The region's EC2 network they look at is read in :mod:`.ties`.

What routes a subnet's traffic is used by whatever is in that subnet: its route table (the one
associated with it, else its VPC's main table) and the gateways that table routes through. Used
by a subnet outside the day's tags, it is tied to it; used by one of the day's subnets, it
serves it (``Found.serves``): left whenever that subnet is left, so that what keeps the subnet
keeps its routes. A VPC's main route table goes only with its VPC: what it routes through
serves the subnets that use it."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from week5.operations.cleanup.scope import Found, NotDeleted, Scope, error_code, name_tag
from week5.operations.cleanup.ties import (
    LIVE_INSTANCE_STATES,
    Network,
    Relations,
    eni_tags,
    make_found,
    network,
    tags_of,
)

#: The price key of an interface VPC endpoint: per Availability Zone it has an interface in.
ENDPOINT_PRICE = "vpc-endpoint:interface"


def _routes_through(net: Network, key: str, target_id: str) -> Iterable[Dict[str, Any]]:
    """Route tables with a route whose ``key`` (GatewayId, NatGatewayId) is ``target_id``."""
    for table in net.route_tables.values():
        if any(r.get(key) == target_id for r in table.get("Routes", [])):
            yield table


def _association_subnets(table: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [a for a in table.get("Associations", []) if a.get("SubnetId")]


def _is_main(table: Dict[str, Any]) -> bool:
    return any(a.get("Main") for a in table.get("Associations", []))


def _table_ours(scope: Scope, net: Network, table: Dict[str, Any]) -> bool:
    """A main route table is its VPC's: ours when the VPC is (whatever its own tags say);
    another table by its tags."""
    if _is_main(table):
        return scope.ours(tags_of(net.vpcs.get(table.get("VpcId", ""))))
    return scope.ours(table.get("Tags"))


def _main_users(net: Network, table: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The subnets a VPC's main route table routes: those associated with it, and the VPC's
    subnets associated with no table."""
    explicit = {
        a["SubnetId"] for other in net.route_tables.values() for a in _association_subnets(other)
    }
    ids = [a["SubnetId"] for a in _association_subnets(table)]
    ids += [
        subnet_id
        for subnet_id, subnet in net.subnets.items()
        if subnet.get("VpcId") == table.get("VpcId") and subnet_id not in explicit
    ]
    return [net.subnets[i] for i in dict.fromkeys(ids) if i in net.subnets]


def _route_users(
    scope: Scope,
    net: Network,
    rel: Relations,
    key: str,
    target_id: str,
    also: Iterable[str] = (),
) -> None:
    """Who routes through the gateway ``target_id`` (``key``: GatewayId, NatGatewayId): a route
    table outside the day's tags is a tie; one of the day's is served (a subnet that keeps its
    table keeps its gateway), and a main table, which goes only with its VPC, through the
    subnets it routes. ``also``: the ids of more tables that route through it (a gateway
    endpoint's RouteTableIds)."""
    how = "routes through it (deleting it would break that route)"
    tables = {t["RouteTableId"]: t for t in _routes_through(net, key, target_id)}
    tables.update((i, net.route_tables[i]) for i in also if i in net.route_tables)
    for table in tables.values():
        table_id = table["RouteTableId"]
        if not _table_ours(scope, net, table):
            rel.tie(f"route table {table_id}", how, table_id)
        elif not _is_main(table):
            rel.user(True, table_id, f"route table {table_id}", how)
        else:
            for subnet in _main_users(net, table):
                rel.user(
                    scope.ours(subnet.get("Tags")),
                    subnet["SubnetId"],
                    f"subnet {subnet['SubnetId']}",
                    f"routes through it by its VPC's main route table {table_id} (deleting it "
                    "would break that route)",
                )


#: The region's default VPC (``IsDefault``), its default subnets (``DefaultForAz``) and its
#: internet gateway are left whatever their tags (course rule 1 tags everything, the default VPC
#: included): AWS makes them again only on request (`aws ec2 create-default-vpc`), and a launch
#: from the console or the CLI without a subnet goes to them. What their lines call it:
DEFAULT_VPC = "the region's default VPC"


def _default_vpc_part(item: Dict[str, Any], net: Network) -> Optional[str]:
    """Why ``item`` (a VPC, a subnet or an internet gateway) is left as part of the region's
    default VPC, else None."""
    if item.get("IsDefault"):
        return (
            f"it is {DEFAULT_VPC}: left whatever its tags, as AWS makes one again only with "
            "`aws ec2 create-default-vpc`"
        )
    vpc = net.vpcs.get(item.get("VpcId", "")) or {}
    if item.get("DefaultForAz") and vpc.get("IsDefault"):
        # its VPC's flag too: AWS has default subnets only there, and moto marks a subnet
        # made without a zone DefaultForAz whatever its VPC
        return (
            f"it is a default subnet ({item.get('AvailabilityZone', '?')}) of {DEFAULT_VPC} "
            f"{item.get('VpcId', '?')}: left whatever its tags, as AWS makes one again only with "
            "`aws ec2 create-default-subnet`"
        )
    for attachment in item.get("Attachments", []):
        if (net.vpcs.get(attachment.get("VpcId", "")) or {}).get("IsDefault"):
            return (
                f"it is attached to {attachment['VpcId']}, {DEFAULT_VPC}: left whatever its "
                "tags, as what runs in that VPC reaches the internet through it"
            )
    return None


def _leave_default(rel: Relations, item: Dict[str, Any], net: Network) -> None:
    """A tie without a partner when ``item`` is part of the region's default VPC
    (:func:`_default_vpc_part`): it is left, and so is what needs it gone first."""
    why = _default_vpc_part(item, net)
    if why:
        rel.ties.append(why)


def _unread(net: Network, what: str) -> None:
    """Raise what kept ``what`` from being listed (an endpoint lacking the call): the finder
    then finds nothing, and its kind is reported "not checked"."""
    if what in net.unread:
        raise net.unread[what]


def _endpoint_hourly(scope: Scope, net: Network, endpoint: Dict[str, Any]) -> Optional[float]:
    """An interface endpoint's hour in each Availability Zone it has an interface in (one per
    subnet, a subnet per zone); a gateway endpoint is free; another type (a Gateway Load
    Balancer's) is not priced."""
    kind = str(endpoint.get("VpcEndpointType", "")).lower()
    if kind == "gateway":
        return 0.0
    if kind != "interface":
        return None
    zones = {
        (net.subnets.get(s) or {}).get("AvailabilityZone") or s
        for s in endpoint.get("SubnetIds") or []
    }
    return scope.price(ENDPOINT_PRICE, max(len(zones), 1))


def _endpoints_routing(net: Network, table_id: str) -> List[Dict[str, Any]]:
    """The live gateway endpoints with a route in the table ``table_id``."""
    table = net.route_tables.get(table_id) or {}
    routed = {r.get("GatewayId") for r in table.get("Routes", [])}
    return [
        e
        for e in net.live_endpoints()
        if table_id in (e.get("RouteTableIds") or []) or e["VpcEndpointId"] in routed
    ]


def vpc_endpoints(scope: Scope) -> List[Found]:
    """Interface endpoints (billed by the hour in each zone) and gateway endpoints (free, but
    their routes hold route tables and they hold their VPC). Deleted before the subnets, route
    tables and VPCs they are in: AWS deletes an interface endpoint's interfaces, and a gateway
    endpoint's routes, with it."""
    net = network(scope)
    _unread(net, "VPC endpoints")
    ec2 = scope.client("ec2")

    def delete(endpoint_id: str) -> None:
        # AWS answers a refusal inside the reply, not as an error.
        reply = ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
        for failure in reply.get("Unsuccessful") or []:
            error = failure.get("Error") or {}
            raise NotDeleted(str(error.get("Code", "Unsuccessful")), str(error.get("Message", "")))

    found = []
    for endpoint in net.live_endpoints():
        if not scope.ours(endpoint.get("Tags")):
            continue
        endpoint_id = endpoint["VpcEndpointId"]
        rel = Relations(scope)
        vpc_id = endpoint.get("VpcId", "")
        if vpc_id and not scope.ours(tags_of(net.vpcs.get(vpc_id))):
            rel.tie(
                f"VPC {vpc_id}",
                "has it (what runs in that VPC reaches the service through it)",
                vpc_id,
            )
        for subnet_id in endpoint.get("SubnetIds") or []:
            rel.user(
                scope.ours(tags_of(net.subnets.get(subnet_id))),
                subnet_id,
                f"subnet {subnet_id}",
                "has its interface (what runs in that subnet reaches the service through it)",
            )
        _route_users(
            scope, net, rel, "GatewayId", endpoint_id, endpoint.get("RouteTableIds") or []
        )
        found.append(
            make_found(
                scope,
                "VPC endpoint",
                endpoint,
                "VpcEndpointId",
                name=name_tag(endpoint) or str(endpoint.get("ServiceName", "")),
                hourly=_endpoint_hourly(scope, net, endpoint),
                delete=lambda e=endpoint_id: delete(e),
                **rel.fields(),
            )
        )
    return found


def nat_gateways(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for gateway in net.nat_gateways.values():
        if not scope.ours(gateway.get("Tags")):
            continue
        rel = Relations(scope)
        _route_users(scope, net, rel, "NatGatewayId", gateway["NatGatewayId"])
        found.append(
            make_found(
                scope,
                "NAT gateway",
                gateway,
                "NatGatewayId",
                hourly=scope.price("nat-gateway"),
                delete=lambda g=gateway["NatGatewayId"]: ec2.delete_nat_gateway(NatGatewayId=g),
                **rel.fields(),
            )
        )
    return found


def subnets(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    services = net.foreign_interfaces(scope)
    found = []
    for subnet in net.subnets.values():
        if not scope.ours(subnet.get("Tags")):
            continue
        subnet_id = subnet["SubnetId"]
        rel = Relations(scope)
        _leave_default(rel, subnet, net)
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
                    scope.ours(eni_tags(eni)),
                    eni["NetworkInterfaceId"],
                    f"network interface {eni['NetworkInterfaceId']}",
                    "is in it",
                )
        owners: Set[str] = set()
        for what, owner_id, tags in net.owners_in("SubnetId", subnet_id):
            owners.add(owner_id)
            rel.other(scope.ours(tags), owner_id, what, "has an interface in it")
        for endpoint in net.live_endpoints():
            endpoint_id = endpoint["VpcEndpointId"]
            if subnet_id in (endpoint.get("SubnetIds") or []) and endpoint_id not in owners:
                rel.other(
                    scope.ours(endpoint.get("Tags")),
                    endpoint_id,
                    f"VPC endpoint {endpoint_id}",
                    "has an interface in it",
                )
        for service in services:
            if service.eni.get("SubnetId") == subnet_id:
                service.relate(rel, "is in it")
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
                    rel.tie(
                        f"route table {table['RouteTableId']}",
                        "routes it (deleting the subnet would change that table's associations)",
                        table["RouteTableId"],
                    )
        found.append(
            make_found(
                scope,
                "subnet",
                subnet,
                "SubnetId",
                hourly=0.0,
                delete=lambda s=subnet_id: ec2.delete_subnet(SubnetId=s),
                **rel.fields(),
            )
        )
    return found


def network_acls(scope: Scope) -> List[Found]:
    """Network ACLs other than a VPC's default one (which goes with its VPC). AWS deletes no
    network ACL while a subnet is associated with it, and drops a subnet's association when
    the subnet is deleted: so after the subnets. One associated with a subnet outside the
    day's tags is left (moving that subnet to another ACL would change its traffic rules)."""
    net = network(scope)
    _unread(net, "network ACLs")
    ec2 = scope.client("ec2")

    def exists(subnet_id: str) -> bool:
        try:
            ec2.describe_subnets(SubnetIds=[subnet_id])
        except Exception as error:
            if error_code(error) == "InvalidSubnetID.NotFound":
                return False
            raise
        return True

    def default_acl(vpc_id: str) -> str:
        filters = [
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "default", "Values": ["true"]},
        ]
        acls = scope.each("ec2", "describe_network_acls", "NetworkAcls", Filters=filters)
        return next((a["NetworkAclId"] for a in acls), "")

    def delete(acl_id: str) -> None:
        (acl,) = scope.each("ec2", "describe_network_acls", "NetworkAcls", NetworkAclIds=[acl_id])
        default = ""
        for association in acl.get("Associations", []):
            if exists(association.get("SubnetId", "")):
                continue  # AWS refuses while it is (DependencyViolation), retried
            # The association of a subnet deleted since: AWS drops it with the subnet, an
            # emulator keeps it (and then refuses the deletion): moved to the default ACL.
            default = default or default_acl(acl.get("VpcId", ""))
            if default:
                ec2.replace_network_acl_association(
                    AssociationId=association["NetworkAclAssociationId"], NetworkAclId=default
                )
        ec2.delete_network_acl(NetworkAclId=acl_id)

    found = []
    for acl in net.network_acls.values():
        if acl.get("IsDefault") or not scope.ours(acl.get("Tags")):
            continue
        rel = Relations(scope)
        for association in acl.get("Associations", []):
            subnet = net.subnets.get(association.get("SubnetId", ""))
            if subnet is None:
                continue  # deleted (an emulator keeps its association)
            rel.other(
                scope.ours(subnet.get("Tags")),
                subnet["SubnetId"],
                f"subnet {subnet['SubnetId']}",
                "is associated with it (AWS deletes no network ACL while a subnet is, and "
                "moving the subnet to another ACL would change its traffic rules)",
            )
        found.append(
            make_found(
                scope,
                "network ACL",
                acl,
                "NetworkAclId",
                hourly=0.0,
                delete=lambda a=acl["NetworkAclId"]: delete(a),
                **rel.fields(),
            )
        )
    return found


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
        rel = Relations(scope)
        for association in _association_subnets(table):
            subnet = net.subnets.get(association["SubnetId"])
            rel.user(
                scope.ours(tags_of(subnet)),
                association["SubnetId"],
                f"subnet {association['SubnetId']}",
                "is associated with it (disassociating would change that subnet's routes)",
            )
        for endpoint in _endpoints_routing(net, table["RouteTableId"]):
            rel.other(
                scope.ours(endpoint.get("Tags")),
                endpoint["VpcEndpointId"],
                f"VPC endpoint {endpoint['VpcEndpointId']}",
                "has a route in it (deleting the table would take that endpoint's route)",
            )
        found.append(
            make_found(
                scope,
                "route table",
                table,
                "RouteTableId",
                hourly=0.0,
                delete=lambda t=table["RouteTableId"]: delete(t),
                **rel.fields(),
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
        rel = Relations(scope)
        _leave_default(rel, gateway, net)
        for attachment in gateway.get("Attachments", []):
            vpc = net.vpcs.get(attachment["VpcId"])
            if not scope.ours(tags_of(vpc)):
                rel.tie(
                    f"VPC {attachment['VpcId']}",
                    "has it attached (detaching would cut that VPC off the internet)",
                    attachment["VpcId"],
                )
            else:
                _public_addresses(scope, net, rel, attachment["VpcId"])
        _route_users(scope, net, rel, "GatewayId", gateway_id)
        found.append(
            make_found(
                scope,
                "internet gateway",
                gateway,
                "InternetGatewayId",
                hourly=0.0,
                delete=lambda g=gateway_id: delete(g),
                **rel.fields(),
            )
        )
    return found


def _public_addresses(scope: Scope, net: Network, rel: Relations, vpc_id: str) -> None:
    """What holds a public IPv4 address in the gateway's VPC: AWS refuses to detach an
    internet gateway while its VPC maps one (DependencyViolation), so each must go first, and
    one outside the day's tags ties the gateway. An address on an interface a service manages
    (an internet-facing load balancer's) ties it when that service's resource was not found,
    else that resource must go first."""
    how = "has a public address in its VPC (AWS detaches no gateway while one is mapped)"
    standalone = {e["NetworkInterfaceId"] for e in net.standalone_interfaces()}
    holders: Dict[str, Tuple[bool, str]] = {}  # once each, however many addresses it has
    for eni in net.interfaces.values():
        if eni.get("VpcId") != vpc_id or not _public(eni):
            continue
        eni_id = eni["NetworkInterfaceId"]
        instance = net.instances.get((eni.get("Attachment") or {}).get("InstanceId", ""))
        nat = net.nat_of_interface(eni_id)
        if instance is not None:
            if instance["State"]["Name"] in LIVE_INSTANCE_STATES:  # not already going
                holders[instance["InstanceId"]] = (
                    scope.ours(instance.get("Tags")),
                    f"instance {instance['InstanceId']}",
                )
        elif nat is not None:
            holders[nat["NatGatewayId"]] = (
                scope.ours(nat.get("Tags")),
                f"NAT gateway {nat['NatGatewayId']}",
            )
        elif eni_id in standalone:
            holders[eni_id] = (scope.ours(eni_tags(eni)), f"network interface {eni_id}")
    for holder_id, (ours, what) in holders.items():
        rel.other(ours, holder_id, what, how)
    for service in net.foreign_interfaces(scope):
        if service.eni.get("VpcId") == vpc_id and _public(service.eni):
            service.relate(rel, how)


def _public(eni: Dict[str, Any]) -> bool:
    """Whether an interface has a public IPv4 address (its own or an Elastic IP)."""
    if (eni.get("Association") or {}).get("PublicIp"):
        return True
    return any(
        (private.get("Association") or {}).get("PublicIp")
        for private in eni.get("PrivateIpAddresses", [])
    )


#: The attachment states in which a gateway holds its VPC (AWS refuses to delete the VPC).
_ATTACHED = frozenset({"attaching", "attached", "detaching"})


def _attached_gateways(scope: Scope, net: Network, rel: Relations, vpc_id: str) -> None:
    """A VPN gateway or an egress-only internet gateway attached to the VPC holds it, and
    cleanup deletes neither kind, tagged or not: a tie with what frees the VPC. Without it a
    stack's VPC ended DELETE_FAILED with no more than "has dependencies". One of the VPC's own
    stack (``ec2.Vpc(vpn_gateway=True)``, a dual-stack VPC's egress-only one) goes with the
    stack: the finder drops that tie (``stacks.KIND_TYPES`` knows both kinds)."""
    held = [
        (f"VPN gateway {g['VpnGatewayId']}", g["VpnGatewayId"], g.get("Tags"),
         f"aws ec2 detach-vpn-gateway --vpn-gateway-id {g['VpnGatewayId']} --vpc-id {vpc_id}")
        for g in net.vpn_gateways.values()
        if any(a.get("VpcId") == vpc_id and a.get("State") in _ATTACHED
               for a in g.get("VpcAttachments") or [])
    ] + [
        (f"egress-only internet gateway {g['EgressOnlyInternetGatewayId']}",
         g["EgressOnlyInternetGatewayId"], g.get("Tags"),
         "aws ec2 delete-egress-only-internet-gateway --egress-only-internet-gateway-id "
         f"{g['EgressOnlyInternetGatewayId']}")
        for g in net.egress_gateways.values()
        if any(a.get("VpcId") == vpc_id and a.get("State") in _ATTACHED
               for a in g.get("Attachments") or [])
    ]  # fmt: skip
    for what, gateway_id, tags, command in held:
        how = f"is attached to it (cleanup deletes none: `{command}`, then run this again)"
        # one tagged for the day is no less in the way: cleanup does not delete it either
        rel.tie(what, how, gateway_id, outside=not scope.ours(tags))


def vpcs(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    services = net.foreign_interfaces(scope)
    found = []
    for vpc in net.vpcs.values():
        if not scope.ours(vpc.get("Tags")):
            continue
        vpc_id = vpc["VpcId"]
        rel = Relations(scope)
        _leave_default(rel, vpc, net)
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
            ("network interface", e["NetworkInterfaceId"], eni_tags(e))
            for e in net.standalone_interfaces()
            if e.get("VpcId") == vpc_id
        ]
        inside += [
            ("network ACL", a["NetworkAclId"], a.get("Tags"))
            for a in net.network_acls.values()
            if a.get("VpcId") == vpc_id and not a.get("IsDefault")
        ]
        owned = list(net.owners_in("VpcId", vpc_id))
        inside += [
            ("VPC endpoint", e["VpcEndpointId"], e.get("Tags"))
            for e in net.live_endpoints()
            if e.get("VpcId") == vpc_id and e["VpcEndpointId"] not in {o[1] for o in owned}
        ]
        for kind, resource_id, tags in inside:
            rel.other(scope.ours(tags), resource_id, f"{kind} {resource_id}", "is in it")
        _attached_gateways(scope, net, rel, vpc_id)
        for what, owner_id, tags in owned:
            rel.other(scope.ours(tags), owner_id, what, "has an interface in it")
        for service in services:
            if service.eni.get("VpcId") == vpc_id:
                service.relate(rel, "is in it")
        found.append(
            make_found(
                scope,
                "VPC",
                vpc,
                "VpcId",
                hourly=0.0,
                delete=lambda v=vpc_id: ec2.delete_vpc(VpcId=v),
                **rel.fields(),
            )
        )
    return found
