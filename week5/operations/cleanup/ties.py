"""The region's EC2 network, read once, and how a found resource's ties are told: what the
finders of :mod:`.compute`, :mod:`.network` and :mod:`.interfaces` (and the Auto Scaling groups
of :mod:`.services`) look at, and what they share.

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
from week5.operations.cleanup.scope import Found, Partner, Scope, name_tag, stack_of

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
            # A NAT gateway's own (AWS marks it requester-managed, an emulator may not).
            if self.nat_of_interface(eni["NetworkInterfaceId"]) is not None:
                continue
            if instance_own(eni.get("Attachment") or {}):
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


def instance_own(attachment: Dict[str, Any]) -> bool:
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


def tags_of(item: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return tag_dict((item or {}).get("Tags"))


def make_found(scope: Scope, kind: str, item: Dict[str, Any], id_key: str, **kwargs: Any) -> Found:
    return Found(
        kind,
        item[id_key],
        kwargs.pop("name", None) or name_tag(item),
        stack=stack_of(item.get("Tags")),
        **kwargs,
    )


class Relations:
    """Ties, needs and what it serves of one found resource (:class:`Found`), worded once."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.ties: List[str] = []
        self.needs: List[str] = []
        self.serves: List[Tuple[str, str]] = []
        self.partners: List[str] = []
        self.tied_to: Dict[str, Partner] = {}

    def other(self, ours: bool, resource_id: str, what: str, how: str) -> None:
        """``what`` (``instance i-1``) is related to this one as ``how`` says: a tie when it is
        not ours, else it must go first."""
        if ours:
            self.needs.append(resource_id)
        else:
            self.tie(what, how, resource_id)

    def tie(self, what: str, how: str, *ids: str) -> None:
        """``what``, outside the day's tags (known by ``ids``), is bound to this one as ``how``
        says."""
        line = f"{self.scope.outside(what)}, {how}"
        self.ties.append(line)
        self.partners.append(what)
        self.tied_to[line] = Partner(what, tuple(i for i in ids if i))

    def user(self, ours: bool, resource_id: str, what: str, how: str) -> None:
        """``what`` needs this one to keep working, as ``how`` says: a tie when it is not ours,
        else this one is left whenever that one is."""
        if ours:
            self.serves.append((resource_id, how))
        else:
            self.tie(what, how, resource_id)

    def fields(self) -> Dict[str, Any]:
        """For :class:`Found`: ``ties``, ``needs``, ``serves``, ``partners``, ``tied_to``."""
        return {
            "ties": self.ties,
            "needs": self.needs,
            "serves": self.serves,
            "partners": self.partners,
            "tied_to": self.tied_to,
        }


def eni_tags(eni: Dict[str, Any]) -> Any:
    return eni.get("TagSet") or eni.get("Tags")
