"""``AWS::EC2::Instance`` as moto 5.2.5 models it, with the template's placement and volume tags.

moto's model reads only ``SubnetId`` and ``SecurityGroups`` (EC2-Classic group names): it
ignores ``SecurityGroupIds`` and ``NetworkInterfaces``. So an instance with a public IP (CDK
puts those in ``NetworkInterfaces``: the NAT instance, public lab hosts) was launched into moto's
*default* VPC with its default security group, the NAT instance's own security group held
nothing, and an instance given ``SecurityGroupIds`` sat in its VPC's default group. The primary
network interface moto created was also kept after termination (AWS deletes it), so the subnet
and the security group could not be deleted with the stack.

This model launches the instance with moto's backend as moto's model does, but into the subnet
and the security groups the template names (``SubnetId``/``SecurityGroupIds``, or the first
network interface's ``SubnetId``/``GroupSet``/``AssociatePublicIpAddress``), with the launch
template, ``SourceDestCheck`` and a primary interface deleted on termination, as on AWS.

moto's model also launches with moto's default ``associate_public_ip`` False, so an instance
given only ``SubnetId`` in a subnet with ``MapPublicIpOnLaunch`` true got no public address
where AWS gives it one (``aws ec2 run-instances --subnet-id`` by hand got one: moto's request
leaves the choice to the subnet). This model leaves it to the subnet as AWS does, unless the
first network interface says ``AssociatePublicIpAddress`` (which wins, true or false).

moto's model also ignores ``PropagateTagsToVolumeOnCreation``: the volumes of the template's
``BlockDeviceMappings`` (every lab host's root volume) came out with no tags at all, where AWS
gives them the instance's ``Tags`` (Name, Week, Day, Lab, Student). This model launches the
instance with those tags for its volumes when the template asks (merged over a launch
template's volume tags, :mod:`.launch_template_volume_tags`). It returns moto's instance:
``Ref``, ``Fn::GetAtt`` and deletion are moto's. Delete this module when moto's model reads
these properties (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.instances import Instance

from ._common import MotoOverride, flag, tag_list

CLOUDFORMATION_TYPE = "AWS::EC2::Instance"


def _primary_interface(properties: Dict[str, Any]) -> Dict[str, Any]:
    for nic in properties.get("NetworkInterfaces", []):
        if str(nic.get("DeviceIndex", "0")) == "0":
            return nic
    return {}


class EC2Instance(MotoOverride, CloudFormationModel):
    MOTO_MODEL = Instance

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Instance:
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        nic = _primary_interface(p)
        group_ids: List[str] = list(p.get("SecurityGroupIds") or nic.get("GroupSet") or [])
        group_names = [
            backend.get_security_group_from_id(group_id).name
            for group_id in p.get("SecurityGroups", [])
        ]
        primary: Dict[str, Any] = {"DeviceIndex": 0, "DeleteOnTermination": True}
        # None: the subnet's MapPublicIpOnLaunch decides (moto's instance reads it then)
        associate_public_ip: Optional[bool] = None
        if "AssociatePublicIpAddress" in nic:
            associate_public_ip = flag(nic["AssociatePublicIpAddress"])
            primary["AssociatePublicIpAddress"] = associate_public_ip
        options: Dict[str, Any] = {}
        if flag(p.get("PropagateTagsToVolumeOnCreation")):
            options["tags"] = {"volume": {t["Key"]: t["Value"] for t in tag_list(p)}}
        template = p.get("LaunchTemplate")
        if template:
            options["launch_template"] = {k: str(v) for k, v in template.items()}
            data = backend._get_template_from_args(options["launch_template"]).data
            options["metadata_options"] = data.get("MetadataOptions", {})
        reservation = backend.run_instances(
            image_id=p.get("ImageId"),
            user_data=p.get("UserData"),
            count=1,
            security_group_names=group_names,
            security_group_ids=group_ids,
            instance_type=p.get("InstanceType", "m1.small"),
            is_instance_type_default=not p.get("InstanceType"),
            subnet_id=p.get("SubnetId") or nic.get("SubnetId"),
            nics=[primary],
            associate_public_ip=associate_public_ip,
            key_name=p.get("KeyName"),
            private_ip=p.get("PrivateIpAddress") or nic.get("PrivateIpAddress"),
            block_device_mappings=p.get("BlockDeviceMappings", []),
            region_name=region_name,
            **options,
        )
        instance = reservation.instances[0]
        instance.source_dest_check = flag(p.get("SourceDestCheck"), default=True)
        instance.nics[0].source_dest_check = instance.source_dest_check
        for tag in p.get("Tags", []):
            instance.add_tag(tag["Key"], tag["Value"])
        if p.get("IamInstanceProfile"):
            backend.associate_iam_instance_profile(
                instance_id=instance.id, iam_instance_profile_name=p["IamInstanceProfile"]
            )
        return instance
