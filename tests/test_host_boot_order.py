"""A host boots after its subnet's way out: its boot script installs Docker and pulls images.

CloudFormation starts what nothing orders. CDK orders an instance with a public IP after its
public subnet's route to the internet gateway, but not one in a private subnet after the route
to its NAT: a MySQL host started first ran `dnf install -y docker` with no route, its boot
stopped there (set -e, no retry, no creation signal) and the stack still completed, with no
MySQL (a trial of Day1Case). LabHost orders every host after its subnet's route table
association and default route, as HaWebTier orders its Auto Scaling group.
"""

import pytest
from ssh_commands import instance_id
from support import logical_id, resources, synth

from week5.constructs.host import DockerHost, LabHost
from week5.constructs.vpc import MultiAzVpc, NatMode


def way_out(template, subnet_id):
    """The subnet's route table association and its 0.0.0.0/0 route (``None``: no route)."""
    (association,) = [
        k
        for k, r in resources(template, "AWS::EC2::SubnetRouteTableAssociation").items()
        if r["Properties"]["SubnetId"] == {"Ref": subnet_id}
    ]
    table = template["Resources"][association]["Properties"]["RouteTableId"]
    routes = [
        k
        for k, r in resources(template, "AWS::EC2::Route").items()
        if r["Properties"]["RouteTableId"] == table
        and r["Properties"].get("DestinationCidrBlock") == "0.0.0.0/0"
    ]
    return association, (routes[0] if routes else None)


def instance_subnet_id(instance):
    properties = instance["Properties"]
    subnet = properties.get("SubnetId") or properties["NetworkInterfaces"][0]["SubnetId"]
    return subnet["Ref"]


@pytest.mark.parametrize("nat", [NatMode.SINGLE_GATEWAY, NatMode.INSTANCE])
def test_a_private_host_launches_after_its_route_to_the_nat(stack, nat):
    net = MultiAzVpc(stack, "Net", nat=nat)
    host = LabHost(stack, "Private", vpc=net.vpc, subnet=net.private_subnets[0])
    docker_host = DockerHost(stack, "Docker", vpc=net.vpc, subnet=net.private_subnets[1])
    t = synth(stack)
    for made, subnet in ((host, net.private_subnets[0]), (docker_host, net.private_subnets[1])):
        association, route = way_out(t, logical_id(subnet))
        target = t["Resources"][route]["Properties"]
        assert ("NatGatewayId" if nat is NatMode.SINGLE_GATEWAY else "InstanceId") in target
        depends_on = t["Resources"][instance_id(made)].get("DependsOn", [])
        assert {association, route} <= set(depends_on)
        # Only the instance waits: its profile and IMDSv2 launch template need no route.
        for waits_not in (made.launch_template, made.instance.node.find_child("InstanceProfile")):
            assert route not in t["Resources"][logical_id(waits_not)].get("DependsOn", [])


def test_a_public_host_still_launches_after_its_route_to_the_internet_gateway(stack, net):
    host = LabHost(stack, "Public", vpc=net.vpc, subnet=net.public_subnets[0])
    t = synth(stack)
    association, route = way_out(t, logical_id(net.public_subnets[0]))
    assert "GatewayId" in t["Resources"][route]["Properties"]
    depends_on = t["Resources"][instance_id(host)]["DependsOn"]
    assert {association, route} <= set(depends_on)
    assert len(depends_on) == len(set(depends_on))  # CDK's own dependency, not twice


def test_every_labs_hosts_launch_after_their_subnets_way_out(app):
    """Day1Case's MySQL host, Day1Lab2's private host and Day4Case's Ghost writer were
    launched without waiting for their NAT route; every host, and the NAT instances, wait."""
    late = []
    checked = 0
    for lab_id, t in app.templates.items():
        for name, instance in resources(t, "AWS::EC2::Instance").items():
            association, route = way_out(t, instance_subnet_id(instance))
            needed = {association} | ({route} if route else set())
            missing = needed - set(instance.get("DependsOn", []))
            checked += 1
            if missing:
                late.append(f"{lab_id} {name}: {sorted(missing)}")
    assert late == []
    assert checked >= 16  # the labs' hosts and NAT instances (16 on 2026-11-29)
