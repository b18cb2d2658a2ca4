"""The course day's EC2 resources, each with how to delete it: instances, launch templates, the
network (NAT gateways, Elastic IPs, interfaces, security groups, subnets, route tables, internet
gateways, VPCs) and storage (volumes, AMIs, snapshots)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from week5.operations.cleanup.scope import Found, Scope, name_tag

#: An instance in these states still runs, or holds its network and volumes.
_LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped"]


def instances(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    pages = ec2.describe_instances(
        Filters=scope.ec2_filters()
        + [{"Name": "instance-state-name", "Values": _LIVE_INSTANCE_STATES}]
    )["Reservations"]
    return [
        Found(
            "EC2 instance",
            i["InstanceId"],
            name_tag(i),
            scope.price(f"ec2:{i['InstanceType']}"),
            delete=lambda i=i: ec2.terminate_instances(InstanceIds=[i["InstanceId"]]),
        )
        for r in pages
        for i in r["Instances"]
    ]


def launch_templates(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    templates = ec2.describe_launch_templates(Filters=scope.ec2_filters())["LaunchTemplates"]
    return [
        Found(
            "launch template",
            t["LaunchTemplateId"],
            t.get("LaunchTemplateName", ""),
            0.0,
            delete=lambda t=t: ec2.delete_launch_template(LaunchTemplateId=t["LaunchTemplateId"]),
        )
        for t in templates
    ]


def nat_gateways(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    gateways = ec2.describe_nat_gateways(
        Filter=scope.ec2_filters() + [{"Name": "state", "Values": ["pending", "available"]}]
    )["NatGateways"]
    return [
        Found(
            "NAT gateway",
            g["NatGatewayId"],
            name_tag(g),
            scope.price("nat-gateway"),
            delete=lambda g=g: ec2.delete_nat_gateway(NatGatewayId=g["NatGatewayId"]),
        )
        for g in gateways
    ]


def addresses(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")

    def release(address: Dict[str, Any]) -> None:
        if address.get("AssociationId"):
            ec2.disassociate_address(AssociationId=address["AssociationId"])
        ec2.release_address(AllocationId=address["AllocationId"])

    return [
        Found(
            "Elastic IP",
            a.get("AllocationId", a.get("PublicIp", "")),
            a.get("PublicIp", ""),
            scope.price("public-ipv4"),
            delete=lambda a=a: release(a),
        )
        for a in ec2.describe_addresses(Filters=scope.ec2_filters())["Addresses"]
    ]


def _simple(
    scope: Scope,
    kind: str,
    describe: str,
    key: str,
    id_key: str,
    delete_call: str,
    extra: Sequence[Dict[str, Any]] = (),
) -> List[Found]:
    """A free resource deleted by its id alone: ``ec2.<delete_call>(<id_key>=id)``."""
    ec2 = scope.clients("ec2")
    items = getattr(ec2, describe)(Filters=scope.ec2_filters() + list(extra))[key]
    return [
        Found(
            kind,
            item[id_key],
            name_tag(item),
            0.0,
            delete=lambda item=item: getattr(ec2, delete_call)(**{id_key: item[id_key]}),
        )
        for item in items
    ]


def network_interfaces(scope: Scope) -> List[Found]:
    return _simple(
        scope,
        "network interface",
        "describe_network_interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "delete_network_interface",
        [{"Name": "status", "Values": ["available"]}],
    )


def security_groups(scope: Scope) -> List[Found]:
    groups = _simple(
        scope,
        "security group",
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        "delete_security_group",
    )
    return [g for g in groups if g.name != "default"]


def subnets(scope: Scope) -> List[Found]:
    return _simple(scope, "subnet", "describe_subnets", "Subnets", "SubnetId", "delete_subnet")


def route_tables(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    found = []
    for table in ec2.describe_route_tables(Filters=scope.ec2_filters())["RouteTables"]:
        associations = table.get("Associations", [])
        if any(a.get("Main") for a in associations):
            continue  # the VPC's main table goes with the VPC

        def delete(table=table, associations=associations):
            for a in associations:
                ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=table["RouteTableId"])

        found.append(
            Found("route table", table["RouteTableId"], name_tag(table), 0.0, delete=delete)
        )
    return found


def internet_gateways(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")

    def delete(gateway: Dict[str, Any]) -> None:
        for attachment in gateway.get("Attachments", []):
            ec2.detach_internet_gateway(
                InternetGatewayId=gateway["InternetGatewayId"], VpcId=attachment["VpcId"]
            )
        ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])

    return [
        Found(
            "internet gateway",
            g["InternetGatewayId"],
            name_tag(g),
            0.0,
            delete=lambda g=g: delete(g),
        )
        for g in ec2.describe_internet_gateways(Filters=scope.ec2_filters())["InternetGateways"]
    ]


def vpcs(scope: Scope) -> List[Found]:
    return _simple(scope, "VPC", "describe_vpcs", "Vpcs", "VpcId", "delete_vpc")


def volumes(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    found = ec2.describe_volumes(
        Filters=scope.ec2_filters() + [{"Name": "status", "Values": ["available"]}]
    )["Volumes"]
    return [
        Found(
            "EBS volume",
            v["VolumeId"],
            name_tag(v),
            scope.price(f"ebs:{v.get('VolumeType', 'gp3')}", v.get("Size", 0)),  # per GB-month
            delete=lambda v=v: ec2.delete_volume(VolumeId=v["VolumeId"]),
        )
        for v in found
    ]


def images(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")

    def delete(image: Dict[str, Any]) -> None:
        ec2.deregister_image(ImageId=image["ImageId"])
        for mapping in image.get("BlockDeviceMappings", []):
            snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
            if snapshot_id:
                ec2.delete_snapshot(SnapshotId=snapshot_id)

    found = ec2.describe_images(Owners=["self"], Filters=scope.ec2_filters())["Images"]
    return [
        Found("AMI", i["ImageId"], i.get("Name", ""), delete=lambda i=i: delete(i)) for i in found
    ]


def snapshots(scope: Scope) -> List[Found]:
    ec2 = scope.clients("ec2")
    found = ec2.describe_snapshots(OwnerIds=["self"], Filters=scope.ec2_filters())["Snapshots"]
    return [
        Found(
            "EBS snapshot",
            s["SnapshotId"],
            delete=lambda s=s: ec2.delete_snapshot(SnapshotId=s["SnapshotId"]),
        )
        for s in found
    ]
