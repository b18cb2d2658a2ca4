"""The course day's VPC networking, each with how to delete it and what ties it to resources
outside the day's tags: NAT gateways, subnets, route tables, internet gateways and VPCs. The
region's EC2 network they look at is read in :mod:`.ties`."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from week5.operations.cleanup.scope import Found, Scope, error_code
from week5.operations.cleanup.ties import (
    Network,
    Relations,
    eni_tags,
    make_found,
    network,
    tags_of,
)


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
        rel = Relations(scope)
        for table in _routes_through(net, "NatGatewayId", gateway["NatGatewayId"]):
            if not scope.ours(table.get("Tags")):
                rel.ties.append(
                    f"{scope.outside('route table ' + table['RouteTableId'])}, routes through "
                    "it (deleting it would break that route)"
                )
        found.append(
            make_found(
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
        rel = Relations(scope)
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
            make_found(
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
        rel = Relations(scope)
        for association in _association_subnets(table):
            subnet = net.subnets.get(association["SubnetId"])
            if not scope.ours(tags_of(subnet)):
                rel.ties.append(
                    f"{scope.outside('subnet ' + association['SubnetId'])}, is associated with "
                    "it (disassociating would change that subnet's routes)"
                )
        found.append(
            make_found(
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
        rel = Relations(scope)
        for attachment in gateway.get("Attachments", []):
            vpc = net.vpcs.get(attachment["VpcId"])
            if not scope.ours(tags_of(vpc)):
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
            make_found(
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
    return _is_main(table) and scope.ours(tags_of(net.vpcs.get(table.get("VpcId", ""))))


def vpcs(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    found = []
    for vpc in net.vpcs.values():
        if not scope.ours(vpc.get("Tags")):
            continue
        vpc_id = vpc["VpcId"]
        rel = Relations(scope)
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
        for kind, resource_id, tags in inside:
            rel.other(scope.ours(tags), resource_id, f"{kind} {resource_id}", "is in it")
        for what, owner_id, tags in net.owners_in("VpcId", vpc_id):
            rel.other(scope.ours(tags), owner_id, what, "has an interface in it")
        found.append(
            make_found(
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
