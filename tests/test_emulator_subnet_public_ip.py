"""An instance gets a public address from its subnet's ``MapPublicIpOnLaunch`` on the emulator,
unless its primary network interface says otherwise, as on AWS
(week5/operations/moto_models/ec2_instance.py).

moto 5.2.5's ``AWS::EC2::Instance`` model launched a template's instance given only
``SubnetId`` with no public address, whatever its subnet maps: on AWS an instance in a subnet
with ``MapPublicIpOnLaunch`` true gets one (its ``Fn::GetAtt PublicIp`` output set), one in a
subnet without it none, and ``NetworkInterfaces``' ``AssociatePublicIpAddress`` wins over the
subnet, true or false. ``aws ec2 run-instances`` by hand behaves so on moto already; it is
checked here beside the template's, so that the two stay alike.

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3: a stack deployed as the CDK CLI deploys (a change set), and instances
launched by hand into its subnets.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import own_emulator
from own_emulator import AMI, PUBLIC_NETWORK, REGION, cdk_deploy, documentation

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

STACK = "week5-park-Day1Lab1"
def instance(**properties: Any) -> Dict[str, Any]:
    return {
        "Type": "AWS::EC2::Instance",
        "Properties": {"ImageId": AMI, "InstanceType": "t3.micro", **properties},
    }


def interface(subnet: str, public: Optional[bool]) -> Dict[str, Any]:
    """A primary network interface in ``subnet``, saying ``AssociatePublicIpAddress`` unless
    ``public`` is None."""
    nic: Dict[str, Any] = {"DeviceIndex": "0", "SubnetId": {"Ref": subnet}}
    if public is not None:
        nic["AssociatePublicIpAddress"] = public
    return nic


RESOURCES: Dict[str, Any] = {
    **PUBLIC_NETWORK,
    "Private": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.2.0/24",
            "AvailabilityZone": f"{REGION}a",
            "MapPublicIpOnLaunch": False,
        },
    },
    # only SubnetId: the subnet decides
    "InPublic": instance(SubnetId={"Ref": "Public"}),
    "InPrivate": instance(SubnetId={"Ref": "Private"}),
    # a primary interface: its AssociatePublicIpAddress wins, else the subnet decides
    "NicSaysNo": instance(NetworkInterfaces=[interface("Public", False)]),
    "NicSaysYes": instance(NetworkInterfaces=[interface("Private", True)]),
    "NicSaysNothing": instance(NetworkInterfaces=[interface("Public", None)]),
}
#: Whether each instance of :data:`RESOURCES` has a public address on AWS.
PUBLIC = {
    "InPublic": True,
    "InPrivate": False,
    "NicSaysNo": False,
    "NicSaysYes": True,
    "NicSaysNothing": True,
}
#: The instances whose ``PublicIp`` the stack outputs (those with one: moto leaves out an output
#: whose value is none).
OUTPUTS_OF = [name for name in PUBLIC if PUBLIC[name]]
OUTPUTS = {f"{name}Ip": {"Value": {"Fn::GetAtt": [name, "PublicIp"]}} for name in OUTPUTS_OF}


def public_ip(aws, instance_id: str) -> Optional[str]:
    """The instance's public address (its primary interface's too), None when it has none."""
    (reservation,) = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    found = reservation["Instances"][0]
    interface_ip = found["NetworkInterfaces"][0].get("Association", {}).get("PublicIp")
    assert found.get("PublicIpAddress") == interface_ip, found
    return interface_ip


def test_a_templates_instance_takes_its_subnets_map_public_ip_unless_its_interface_says(aws):
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES, "Outputs": OUTPUTS})
    addresses = {name: public_ip(aws, physical[name]) for name in PUBLIC}
    assert {name: address is not None for name, address in addresses.items()} == PUBLIC, addresses
    assert all(documentation(a) for a in addresses.values() if a), addresses
    # the stack's outputs (Fn::GetAtt PublicIp) name them
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    assert outputs == {f"{name}Ip": addresses[name] for name in OUTPUTS_OF}, outputs


def test_an_instance_launched_by_hand_does_as_the_templates(aws):
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES, "Outputs": OUTPUTS})
    ec2 = aws("ec2")

    def launched(**request: Any) -> Optional[str]:
        (made,) = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1,
                                    MaxCount=1, **request)["Instances"]  # fmt: skip
        return public_ip(aws, made["InstanceId"])

    def nic(subnet: str, public: bool) -> Dict[str, Any]:
        return {"DeviceIndex": 0, "SubnetId": physical[subnet], "AssociatePublicIpAddress": public}

    # aws ec2 run-instances --subnet-id
    assert documentation(launched(SubnetId=physical["Public"]))
    assert launched(SubnetId=physical["Private"]) is None
    # --associate-public-ip-address / --no-associate-public-ip-address (the CLI puts the subnet
    # in the interface then)
    assert launched(NetworkInterfaces=[nic("Public", False)]) is None
    assert documentation(launched(NetworkInterfaces=[nic("Private", True)]))
    # a subnet made to map public addresses by hand (aws ec2 modify-subnet-attribute)
    made = ec2.create_subnet(VpcId=physical["Vpc"], CidrBlock="10.0.3.0/24",
                             AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]  # fmt: skip
    assert launched(SubnetId=made) is None
    ec2.modify_subnet_attribute(SubnetId=made, MapPublicIpOnLaunch={"Value": True})
    assert documentation(launched(SubnetId=made))
