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

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from week5.analysis.assembly import tag_dict
from week5.operations.aws_errors import unsupported
from week5.operations.cleanup.scope import Found, Partner, Scope, name_tag, tagged, vanished

#: An instance in these states still runs, or holds its network and volumes.
LIVE_INSTANCE_STATES = ("pending", "running", "stopping", "stopped")
#: The tag Auto Scaling puts on the instances it launches.
ASG_TAG = "aws:autoscaling:groupName"
#: A VPC endpoint in these states (AWS answers them in lower case) is going or gone: neither
#: found nor a tie, and its interfaces go with it.
ENDPOINT_GOING = ("deleting", "deleted")

#: What a service resource with interfaces in the network is: (what, its id, its tags); None
#: for one that is going (its interfaces go with it).
Owner = Optional[Tuple[str, str, Any]]


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
    #: Interfaces a service made for one of its resources (an EFS mount target's, an interface
    #: VPC endpoint's), by id: (what, its id, its tags), or None when that resource is going.
    #: Such an interface goes with that resource.
    service_interfaces: Dict[str, Owner] = field(default_factory=dict)
    #: VPC endpoints (every type, any state) and network ACLs, by id.
    endpoints: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    network_acls: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    #: VPN gateways and egress-only internet gateways, by id: cleanup deletes neither, and
    #: one attached to a VPC holds it (a stack's VPC ended DELETE_FAILED, "has dependencies").
    vpn_gateways: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    egress_gateways: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    #: What the endpoint could not list as it lacks the call (an emulator), by what it is
    #: (``VPC endpoints``, ``network ACLs``): that kind's finder raises it, so it is reported
    #: "not checked", and the rest of the network is judged without it.
    unread: Dict[str, Exception] = field(default_factory=dict)

    def live_instances(self) -> Iterable[Dict[str, Any]]:
        return (i for i in self.instances.values() if i["State"]["Name"] in LIVE_INSTANCE_STATES)

    def standalone_interfaces(self) -> Iterable[Dict[str, Any]]:
        """Interfaces made on their own (not by a service for its load balancer, database,
        NAT gateway ...), and not an instance's own (deleted on its termination)."""
        for eni in self.interfaces.values():
            if _made_by_service(eni):
                continue  # see foreign_interfaces
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
            if owner is not None and eni.get(where) == value and owner[1] not in seen:
                seen.add(owner[1])
                yield owner

    def owners_using(self, group_id: str) -> Iterable[Tuple[str, str, Any]]:
        """(what, id, tags) of the service resources whose interfaces wear ``group_id``."""
        seen = set()
        for eni_id, owner in self.service_interfaces.items():
            eni = self.interfaces.get(eni_id) or {}
            if owner is None:
                continue
            if any(g.get("GroupId") == group_id for g in eni.get("Groups", [])):
                if owner[1] not in seen:
                    seen.add(owner[1])
                    yield owner

    def foreign_interfaces(self, scope: Scope) -> List["ServiceInterface"]:
        """Interfaces a service made for a resource of its own that is not judged here by
        another way (not a standalone one, an EFS mount target's, a NAT gateway's or an
        instance's): a load balancer's, an RDS or ElastiCache database's, a Lambda
        function's, an interface endpoint's (AWS marks them requester-managed, or gives them
        another InterfaceType, or a service's RequesterId or attachment owner), or one
        attached to another owner's instance. Each with the found resources that own
        it (``owners``: empty when its owner is not among them, and then it is a tie)."""
        standalone = {e["NetworkInterfaceId"] for e in self.standalone_interfaces()}
        found = []
        for eni in self.interfaces.values():
            eni_id = eni["NetworkInterfaceId"]
            if eni_id in standalone or eni_id in self.service_interfaces:
                continue
            if self.nat_of_interface(eni_id) is not None:
                continue
            description = eni.get("Description") or ""
            if description.startswith(_NAT_DESCRIPTION):
                continue  # a NAT gateway's that is deleting (the live ones are read)
            attachment = eni.get("Attachment") or {}
            instance_id = attachment.get("InstanceId")
            if instance_id and instance_id in self.instances:
                continue  # judged by its instance
            # Attached to an instance not read: one of this account's is terminated (its
            # interface goes with it); another owner's is not ours to judge.
            elsewhere = bool(instance_id) and attachment.get("InstanceOwnerId") not in (
                None,
                eni.get("OwnerId"),
            )
            if not (_made_by_service(eni) or elsewhere):
                continue
            found.append(_service_interface(scope, eni))
        return found

    def live_endpoints(self) -> Iterable[Dict[str, Any]]:
        """The VPC endpoints not going (:data:`ENDPOINT_GOING`)."""
        return (
            e
            for e in self.endpoints.values()
            if str(e.get("State", "")).lower() not in ENDPOINT_GOING
        )

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


#: How AWS describes a NAT gateway's interface: ``Interface for NAT Gateway nat-...``.
_NAT_DESCRIPTION = "Interface for NAT Gateway "
#: How Lambda describes a function's interface: ``AWS Lambda VPC ENI-<function>-<uuid>``.
_LAMBDA_DESCRIPTION = re.compile(
    r"AWS Lambda VPC ENI-(.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
#: How AWS's services describe the interfaces they make (the Description field).
_SERVICE_DESCRIPTIONS = (
    "ELB ",
    "RDSNetworkInterface",
    "ElastiCache ",
    "AWS Lambda VPC ENI",
    "VPC Endpoint Interface ",
    "EFS mount target ",
)


@dataclass(frozen=True)
class ServiceInterface:
    """An interface a service made (:meth:`Network.foreign_interfaces`): the interface,
    worded with its owner as its Description says (``network interface eni-1 of load balancer
    web ("ELB app/web/50dc")``); whether that owner is among the resources found (``found``),
    and then the ids of those that must go first (``owners``)."""

    eni: Dict[str, Any]
    what: str
    found: bool = False
    owners: Tuple[str, ...] = ()
    #: What its owner is known by (a load balancer's ARN, a function's name), for a tie: a
    #: stack that made the owner is no tie of that stack's resources.
    known_as: Tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return str(self.eni["NetworkInterfaceId"])

    def relate(self, rel: "Relations", how: str) -> None:
        """A tie when its owner was not found, else its found owners must go first."""
        if not self.found:
            rel.tie(self.what, how, self.id, *self.known_as)
        for owner in self.owners:
            rel.other(True, owner, self.what, how)


def _made_by_service(eni: Dict[str, Any]) -> bool:
    """Whether AWS says a service made the interface: requester-managed, another InterfaceType
    than ``interface`` (``lambda``, ``vpc_endpoint`` ...), a service's requester or attachment
    owner (``amazon-elb``, ``amazon-rds``), or a service's Description."""
    if eni.get("RequesterManaged") or eni.get("InterfaceType", "interface") != "interface":
        return True
    owner = str((eni.get("Attachment") or {}).get("InstanceOwnerId") or "")
    if str(eni.get("RequesterId") or "").startswith("amazon-") or owner.startswith("amazon-"):
        return True
    return (eni.get("Description") or "").startswith(_SERVICE_DESCRIPTIONS)


def _after(description: str, prefix: str) -> str:
    return description[len(prefix) :].strip()


def _service_interface(scope: Scope, eni: Dict[str, Any]) -> ServiceInterface:
    """Who owns ``eni`` as its Description says, and whether that one was found: its id (as
    its :class:`Found` has it) is among what this run found so far (``found-refs``, filled
    by :func:`~week5.operations.cleanup.finder.find` as each finder runs; without it,
    nothing is found and every such interface is a tie)."""
    description = eni.get("Description") or ""
    kind = eni.get("InterfaceType", "interface")
    refs = scope.cached("found-refs", set)
    owner = "a service"
    found = False
    owners: Tuple[str, ...] = ()
    known_as: Tuple[str, ...] = ()
    lambda_function = _LAMBDA_DESCRIPTION.match(description)
    if description.startswith("ELB "):
        key = _after(description, "ELB ")  # app/NAME/ID, net/NAME/ID, or a Classic one's NAME
        parts = key.split("/")
        if len(parts) >= 3:
            owner = f"load balancer {parts[1]}"
            known_as = tuple(r for r in refs if r.endswith(f":loadbalancer/{key}"))
            found = bool(known_as)
            owners = (parts[1],) if found else ()
        else:
            owner = f"Classic Load Balancer {key}"
    elif description.startswith("RDSNetworkInterface"):
        candidates = _rds_candidates(scope, eni)
        names = [db["DBInstanceIdentifier"] for db in candidates]
        owner = f"RDS instance {' or '.join(names)}" if names else "an RDS database"
        known_as = tuple(names)
        found = bool(names) and all(
            db["DBInstanceIdentifier"] in refs
            or (db.get("DBInstanceStatus") == "deleting" and scope.ours(db.get("TagList")))
            for db in candidates
        )
        owners = tuple(n for n in names if n in refs) if found else ()
    elif description.startswith("ElastiCache "):
        cluster = _after(description, "ElastiCache ")
        owner = f"ElastiCache cluster {cluster}"
        known_as = (cluster,)
        for ref in refs:
            cache = _elasticache_cache(ref)
            if cache and (cluster == cache or cluster.startswith(cache + "-")):
                found, owners = True, (cache,)
    elif lambda_function:
        owner = f"Lambda function {lambda_function.group(1)}"
        known_as = (lambda_function.group(1),)
    elif description.startswith("AWS Lambda VPC ENI") or kind == "lambda":
        owner = "a Lambda function"
    elif description.startswith("VPC Endpoint Interface "):
        endpoint = _after(description, "VPC Endpoint Interface ")
        owner, known_as = f"VPC endpoint {endpoint}", (endpoint,)
        found = endpoint in refs
        owners = (endpoint,) if found else ()
    elif kind in ("vpc_endpoint", "gateway_load_balancer_endpoint"):
        owner = "a VPC endpoint"
    elif not _made_by_service(eni):
        owner = f"instance {(eni.get('Attachment') or {}).get('InstanceId')}"
    said = f' ("{description}")' if description else ""
    what = f"network interface {eni['NetworkInterfaceId']} of {owner}{said}"
    return ServiceInterface(eni, what, found, owners, known_as)


#: The ARN resource types of the ElastiCache caches whose nodes have interfaces, each found
#: by its id: a replication group's (its nodes are its member clusters, ``<group>-001``) and a
#: cluster's outside a group (a Memcached one, or one made with ``create-cache-cluster``).
_CACHE_ARN_TYPES = ("replicationgroup", "cluster")


def _elasticache_cache(ref: str) -> str:
    """The id of the ElastiCache replication group or cluster whose ARN ``ref`` is
    (``arn:aws:elasticache:REGION:ACCOUNT:cluster:ID``), else ``""`` (an RDS cluster's ARN
    has ``:cluster:`` too, and is not one)."""
    parts = ref.split(":", 6)
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "elasticache":
        if parts[5] in _CACHE_ARN_TYPES:
            return parts[6]
    return ""


def _rds_candidates(scope: Scope, eni: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The RDS instances that may own an interface AWS describes only as
    ``RDSNetworkInterface``: those whose DB subnet group holds its subnet (none when RDS
    cannot be read: then its owner is unknown, and so not found)."""

    def read() -> List[Dict[str, Any]]:
        try:
            return list(scope.each("rds", "describe_db_instances", "DBInstances"))
        except Exception:  # an endpoint without RDS: the owner is unknown
            return []

    return [
        db
        for db in scope.cached("rds-instances-all", read)
        if any(
            s.get("SubnetIdentifier") == eni.get("SubnetId")
            for s in (db.get("DBSubnetGroup") or {}).get("Subnets", [])
        )
    ]


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

        unread: Dict[str, Exception] = {}

        def optional(what: str, operation: str, key: str, id_key: str) -> Dict[str, Any]:
            """A list added to the network later: an endpoint that lacks it (an emulator)
            leaves its kind "not checked", not the whole network."""
            try:
                return _by(each(operation, key), id_key)
            except Exception as error:
                if unsupported(error, scope.region) is None:
                    raise
                unread[what] = error
                return {}

        endpoints = optional(
            "VPC endpoints", "describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId"
        )

        def vpn_gateways() -> Dict[str, Any]:
            """DescribeVpnGateways has no pages (no paginator): one reply."""
            try:
                reply = scope.client("ec2").describe_vpn_gateways()
            except Exception as error:
                if unsupported(error, scope.region) is None:
                    raise
                unread["VPN gateways"] = error
                return {}
            return _by(reply.get("VpnGateways") or [], "VpnGatewayId")

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
            service_interfaces={
                **_mount_target_interfaces(scope),
                **_endpoint_interfaces(endpoints),
            },
            endpoints=endpoints,
            network_acls=optional(
                "network ACLs", "describe_network_acls", "NetworkAcls", "NetworkAclId"
            ),
            vpn_gateways=vpn_gateways(),
            egress_gateways=optional(
                "egress-only internet gateways",
                "describe_egress_only_internet_gateways",
                "EgressOnlyInternetGateways",
                "EgressOnlyInternetGatewayId",
            ),
            unread=unread,
        )

    return scope.cached("ec2", read)


def _mount_target_interfaces(scope: Scope) -> Dict[str, Owner]:
    """Every EFS mount target's interface, with its file system (one deleted since it was
    listed has none)."""
    owners: Dict[str, Owner] = {}
    for fs in scope.each("efs", "describe_file_systems", "FileSystems"):
        what = f"EFS file system {fs['FileSystemId']}"
        try:
            targets = list(
                scope.each(
                    "efs", "describe_mount_targets", "MountTargets", FileSystemId=fs["FileSystemId"]
                )
            )
        except Exception as error:
            if vanished(error):
                continue
            raise
        for target in targets:
            if target.get("NetworkInterfaceId"):
                owners[target["NetworkInterfaceId"]] = (what, fs["FileSystemId"], fs.get("Tags"))
    return owners


def _endpoint_interfaces(endpoints: Dict[str, Dict[str, Any]]) -> Dict[str, Owner]:
    """Every interface VPC endpoint's interfaces (one per subnet), with the endpoint; None for
    an endpoint that is going (:data:`ENDPOINT_GOING`): its interfaces go with it."""
    owners: Dict[str, Owner] = {}
    for endpoint in endpoints.values():
        endpoint_id = endpoint["VpcEndpointId"]
        going = str(endpoint.get("State", "")).lower() in ENDPOINT_GOING
        what = f"VPC endpoint {endpoint_id}"
        owner = None if going else (what, endpoint_id, endpoint.get("Tags"))
        for eni_id in endpoint.get("NetworkInterfaceIds") or []:
            owners[eni_id] = owner
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
        **tagged(item.get("Tags")),
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

    def tie(self, what: str, how: str, *ids: str, outside: bool = True) -> None:
        """``what``, outside the day's tags (known by ``ids``), is bound to this one as ``how``
        says; ``outside=False``: one tagged for the day that cleanup does not delete. One that
        another course day's scope of the run found to delete (``Scope.elsewhere``: ``--day
        all``) is no tie: it goes first (``needs``)."""
        kin = [i for i in ids if i and i in self.scope.elsewhere]
        if outside and kin:
            self.needs += kin
            return
        line = f"{self.scope.outside(what)}, {how}" if outside else f"{what} {how}"
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


def protected(what: str, refuses: str, command: str) -> str:
    """Why a resource whose own protection is on is left (``what``: ``deletion protection``;
    ``refuses``: ``delete``), with the command that turns it off: AWS would refuse the deletion
    and so keep what waits on it (its security groups, subnets and VPC, held at once with it
    rather than retried for minutes). Cleanup never turns a protection off."""
    return (
        f"{what} is on, so AWS would refuse to {refuses} it; this leaves it (and what waits on "
        f"it) as it is: turn the protection off (`{command}`) if it is to go, then run this "
        "again"
    )


def eni_tags(eni: Dict[str, Any]) -> Any:
    return eni.get("TagSet") or eni.get("Tags")
