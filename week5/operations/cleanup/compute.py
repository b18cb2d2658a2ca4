"""The course day's EC2 compute and storage, each with how to delete it and what ties it to
resources outside the day's tags: instances, launch templates, EBS volumes, AMIs, EBS
snapshots and key pairs. The region's EC2 network they look at is read in :mod:`.ties`. An
instance whose termination protection is on is left, with what waits on it, and the command
that turns it off: this never does."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from week5.operations.cleanup.scope import Found, Scope, error_code
from week5.operations.cleanup.ties import (
    ASG_TAG,
    Relations,
    auto_scaling_groups_all,
    eni_tags,
    instance_own,
    make_found,
    network,
    protected,
    tags_of,
)


def _address_name(address: Dict[str, Any]) -> str:
    return f"Elastic IP {address.get('AllocationId', '')} ({address.get('PublicIp', '?')})"


# --- instances and launch templates ----------------------------------------------------------


def instances(scope: Scope) -> List[Found]:
    net = network(scope)
    ec2 = scope.client("ec2")
    group_of = {
        i["InstanceId"]: g for g in auto_scaling_groups_all(scope) for i in g.get("Instances", [])
    }
    groups = {g["AutoScalingGroupName"]: g for g in auto_scaling_groups_all(scope)}
    elastic = {a.get("PublicIp") for a in net.addresses}
    found = []
    for instance in net.live_instances():
        if not scope.ours(instance.get("Tags")):
            continue
        instance_id = instance["InstanceId"]
        rel = Relations(scope)
        group = group_of.get(instance_id) or groups.get(tags_of(instance).get(ASG_TAG, ""))
        if group and not scope.ours(group.get("Tags")):
            rel.tie(
                f"Auto Scaling group {group['AutoScalingGroupName']}",
                "launched it and would replace it",
                group["AutoScalingGroupName"],
            )
        elif not group and _termination_protected(ec2, instance_id):
            # A group of the day's terminates its instances whatever their protection says.
            rel.ties.append(
                protected(
                    "termination protection (disableApiTermination)",
                    "terminate",
                    f"aws ec2 modify-instance-attribute --instance-id {instance_id} "
                    "--no-disable-api-termination",
                )
            )
        for mapping in instance.get("BlockDeviceMappings", []):
            ebs = mapping.get("Ebs") or {}
            if ebs.get("DeleteOnTermination"):
                continue  # its own: goes with it
            volume = net.volumes.get(ebs.get("VolumeId", ""))
            if not scope.ours(tags_of(volume)):
                rel.tie(
                    f"volume {ebs.get('VolumeId', '?')}",
                    "is attached to it (terminating would detach it)",
                    ebs.get("VolumeId", ""),
                )
        interface_ids = set()
        for nic in instance.get("NetworkInterfaces", []):
            interface_ids.add(nic["NetworkInterfaceId"])
            if instance_own({"InstanceId": instance_id, **(nic.get("Attachment") or {})}):
                continue
            eni = net.interfaces.get(nic["NetworkInterfaceId"], nic)
            if not scope.ours(eni_tags(eni)):
                rel.tie(
                    f"network interface {nic['NetworkInterfaceId']}",
                    "is attached to it (terminating would detach it)",
                    nic["NetworkInterfaceId"],
                )
        for address in net.addresses:
            if address.get("InstanceId") == instance_id or (
                address.get("NetworkInterfaceId") in interface_ids
            ):
                if not scope.ours(address.get("Tags")):
                    rel.tie(
                        _address_name(address),
                        "is associated with it (terminating would disassociate it)",
                        address.get("AllocationId", ""),
                        address.get("PublicIp", ""),
                    )
        found.append(
            make_found(
                scope,
                "EC2 instance",
                instance,
                "InstanceId",
                hourly=_instance_hourly(scope, instance, elastic),
                delete=lambda i=instance_id: ec2.terminate_instances(InstanceIds=[i]),
                **rel.fields(),
                part_of=group["AutoScalingGroupName"] if group else None,
            )
        )
    return found


def _termination_protected(ec2: Any, instance_id: str) -> bool:
    """Whether the instance's termination protection is on: DescribeInstances does not say,
    DescribeInstanceAttribute does (one call per instance of the day's). An instance gone since
    it was listed is not: its termination will say it is gone."""
    try:
        reply = ec2.describe_instance_attribute(
            InstanceId=instance_id, Attribute="disableApiTermination"
        )
    except Exception as error:
        if error_code(error) == "InvalidInstanceID.NotFound":
            return False
        raise
    return bool((reply.get("DisableApiTermination") or {}).get("Value"))


#: The price-table key of an instance's detailed monitoring (1-minute metrics), per
#: instance-month, as `week5 cost` prices an instance or group that turns it on
#: (:mod:`week5.analysis.pricing`): a fixed charge while the instance runs, not use.
DETAILED_MONITORING = "cloudwatch:detailed-monitoring"


def _instance_hourly(
    scope: Scope, instance: Dict[str, Any], elastic: Set[Optional[str]]
) -> Optional[float]:
    """Its type's hour while it runs (a stopped instance bills only its volumes, priced as
    volumes), and each public IPv4 address AWS gave it: billed by the hour like an Elastic
    IP's, which is priced as the Elastic IP. Its detailed monitoring too, where
    ``Monitoring.State`` is ``enabled``: one instance's :data:`DETAILED_MONITORING`, as `week5
    cost` counts one per instance (Day4Lab1's group of 2: $0.0058/h); billed only while the
    instance sends metrics, so not while it is stopped."""
    if instance["State"]["Name"] == "stopped":
        compute: Optional[float] = 0.0
    else:
        compute = scope.price(f"ec2:{instance['InstanceType']}")
        if compute is not None and (instance.get("Monitoring") or {}).get("State") == "enabled":
            monitoring = scope.price(DETAILED_MONITORING)
            compute = None if monitoring is None else compute + monitoring
    public = {instance.get("PublicIpAddress")}
    for nic in instance.get("NetworkInterfaces", []):
        public.add((nic.get("Association") or {}).get("PublicIp"))
        for private in nic.get("PrivateIpAddresses", []):
            public.add((private.get("Association") or {}).get("PublicIp"))
    given = public - elastic - {None, ""}
    addresses = scope.price("public-ipv4", len(given)) if given else 0.0
    return None if compute is None or addresses is None else compute + addresses


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
        rel = Relations(scope)
        for group in users.get(template["LaunchTemplateId"], []):
            name = group["AutoScalingGroupName"]
            rel.other(
                scope.ours(group.get("Tags")),
                name,
                f"Auto Scaling group {name}",
                "launches from it",
            )
        found.append(
            make_found(
                scope,
                "launch template",
                template,
                "LaunchTemplateId",
                name=template.get("LaunchTemplateName", ""),
                hourly=0.0,
                delete=lambda t=template["LaunchTemplateId"]: ec2.delete_launch_template(
                    LaunchTemplateId=t
                ),
                **rel.fields(),
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
        rel = Relations(scope)
        owner = None
        for attachment in volume.get("Attachments", []):
            instance_id = attachment.get("InstanceId", "")
            instance = net.instances.get(instance_id)
            if goes_with_instance(volume["VolumeId"], attachment, instance):
                owner = instance_id
            if instance is not None and instance["State"]["Name"] == "shutting-down":
                continue  # going already; the volume is free (or gone) after it
            rel.other(
                scope.ours(tags_of(instance)),
                instance_id,
                f"instance {instance_id}",
                "has it attached (deleting it would detach it)",
            )
        found.append(
            make_found(
                scope,
                "EBS volume",
                volume,
                "VolumeId",
                # per GB-month
                hourly=scope.price(f"ebs:{volume.get('VolumeType', 'gp3')}", volume.get("Size", 0)),
                delete=lambda v=volume["VolumeId"]: ec2.delete_volume(VolumeId=v),
                **rel.fields(),
                part_of=owner,
            )
        )
    return found


def goes_with_instance(
    volume_id: str, attachment: Dict[str, Any], instance: Optional[Dict[str, Any]]
) -> bool:
    """Whether the attached volume goes when its instance terminates: the attachment says so,
    or else the instance's block device mapping does (the emulator's volume omits it)."""
    if "DeleteOnTermination" in attachment:
        return bool(attachment["DeleteOnTermination"])
    return any(
        (mapping.get("Ebs") or {}).get("VolumeId") == volume_id
        and (mapping.get("Ebs") or {}).get("DeleteOnTermination")
        for mapping in (instance or {}).get("BlockDeviceMappings", [])
    )


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
        rel = Relations(scope)
        for snapshot_id in _snapshots_of(image):
            if snapshot_id in snapshot_tags and not scope.ours(snapshot_tags[snapshot_id]):
                rel.tie(
                    f"snapshot {snapshot_id}",
                    "holds its disk (deregistering would leave that snapshot behind)",
                    snapshot_id,
                )
        found.append(
            make_found(
                scope,
                "AMI",
                image,
                "ImageId",
                name=image.get("Name", ""),
                delete=lambda i=image["ImageId"]: ec2.deregister_image(ImageId=i),
                **rel.fields(),
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


def _snapshot_hourly(scope: Scope, snapshot: Dict[str, Any]) -> Optional[float]:
    """A standard-tier snapshot's hour: the GB it holds (``FullSnapshotSizeInBytes``, else its
    volume's size, the most it can hold) at the GB-month price. An archived one is priced
    otherwise (not in the table): None, "not priced"."""
    if snapshot.get("StorageTier", "standard") != "standard":
        return None
    size = snapshot.get("FullSnapshotSizeInBytes")
    gb = size / 1024**3 if size else snapshot.get("VolumeSize", 0)
    return scope.price("ebs:snapshot", gb)


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
        rel = Relations(scope)
        for image in used_by.get(snapshot["SnapshotId"], []):
            rel.other(
                scope.ours(image.get("Tags")),
                image["ImageId"],
                f"AMI {image['ImageId']}",
                "is made from it",
            )
        found.append(
            make_found(
                scope,
                "EBS snapshot",
                snapshot,
                "SnapshotId",
                hourly=_snapshot_hourly(scope, snapshot),
                delete=lambda s=snapshot["SnapshotId"]: ec2.delete_snapshot(SnapshotId=s),
                **rel.fields(),
            )
        )
    return found


# --- key pairs -------------------------------------------------------------------------------


def key_pairs(scope: Scope) -> List[Found]:
    """EC2 key pairs: free, but the course's cleanup takes everything tagged for the day. One a
    lab stack made (``AWS::EC2::KeyPair``: its physical id is the key's name, kept in ``refs``)
    goes with its stack, as the stack's other resources do (the finder folds it in). Deleted by
    its id: a key of that name made again since it was found is another key pair, and one gone
    meanwhile answers InvalidKeyPair.NotFound ("already gone"). DescribeKeyPairs is not paged:
    one call returns them all."""
    ec2 = scope.client("ec2")
    reply = ec2.describe_key_pairs(Filters=scope.ec2_filters())
    found = []
    for key in reply.get("KeyPairs") or []:
        if not key.get("KeyPairId") or not scope.ours(key.get("Tags")):
            continue
        name = key.get("KeyName", "")
        found.append(
            make_found(
                scope,
                "key pair",
                key,
                "KeyPairId",
                name=name,
                hourly=0.0,  # free
                delete=lambda k=key["KeyPairId"]: ec2.delete_key_pair(KeyPairId=k),
                refs=(name,) if name else (),
            )
        )
    return found
