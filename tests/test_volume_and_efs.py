"""DataVolume, ScheduledSnapshots and SharedFileSystem: props and their errors."""

import pytest
from aws_cdk import Duration
from support import props, synth

from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.host import LabHost
from week5.constructs.volume import DataVolume, ScheduledSnapshots
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.core.errors import CourseInputError


@pytest.fixture
def host(stack):
    net = MultiAzVpc(stack, "Net", nat=NatMode.NONE)
    return LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0])


def test_volume_size_and_device(stack, host):
    DataVolume(stack, "Data", host=host, size_gib=5, device="/dev/sdh")
    t = synth(stack)
    assert props(t, "AWS::EC2::Volume")[0]["Size"] == 5
    assert props(t, "AWS::EC2::VolumeAttachment")[0]["Device"] == "/dev/sdh"


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"device": "/dev/xvda"}, "/dev/sdf../dev/sdp"),
        ({"size_gib": 0}, "1 to 16384"),
        (
            {"snapshot_id": "snapshot-1"},
            r"DataVolume .*/Data: snapshot_id='snapshot-1' is not an EBS snapshot id; .* "
            r"e\.g\. snap-0123456789abcdef0$",
        ),
    ],
)
def test_volume_errors(stack, host, kwargs, says):
    with pytest.raises(CourseInputError, match=says):
        DataVolume(stack, "Data", host=host, **kwargs)


def test_snapshot_interval(stack, host):
    volume = DataVolume(stack, "Data", host=host).volume
    ScheduledSnapshots(stack, "Hourly", volume=volume, interval=Duration.hours(1))
    assert (
        props(synth(stack), "AWS::Scheduler::Schedule")[0]["ScheduleExpression"]
        == "rate(60 minutes)"
    )


def test_snapshot_interval_too_short(stack, host):
    volume = DataVolume(stack, "Data", host=host).volume
    with pytest.raises(CourseInputError, match="too short"):
        ScheduledSnapshots(stack, "Snaps", volume=volume, interval=Duration.minutes(1))


def test_efs_one_mount_target_per_az(stack):
    net = MultiAzVpc(stack, "Net", nat=NatMode.NONE, az_count=3)
    fs = SharedFileSystem(stack, "Fs", vpc=net.vpc)
    t = synth(stack)
    assert len(props(t, "AWS::EFS::MountTarget")) == 3
    assert fs.availability_zones == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
    assert fs.mount_lines()[0] == "dnf install -y amazon-efs-utils"


def test_efs_needs_subnets(stack):
    net = MultiAzVpc(stack, "Net", private_subnet_cidrs=())
    with pytest.raises(CourseInputError, match="no private subnet"):
        SharedFileSystem(stack, "Fs", vpc=net.vpc)


def test_efs_shared_by_a_web_tier_its_instances_boot_after_the_mount_targets(stack):
    """The Day 2 case's docroot: NFS from the tier's instances only, and no instance boots
    (and mounts) before a mount target exists in its AZ."""
    from support import ingress_rules, resources

    from week5.constructs.web_tier import HaWebTier

    net = MultiAzVpc(stack, "Net", nat=NatMode.INSTANCE)
    fs = SharedFileSystem(stack, "Fs", vpc=net.vpc)
    tier = HaWebTier(stack, "Tier", vpc=net.vpc, min_capacity=1, max_capacity=2,
                     user_data_lines=fs.mount_lines("/mnt/efs"))
    fs.grant_connect(tier)
    t = synth(stack)
    (asg,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert set(resources(t, "AWS::EFS::MountTarget")) <= set(asg["DependsOn"])
    sg = stack.resolve(fs.security_group.node.default_child.logical_id)
    tier_sg = stack.resolve(tier.instance_security_group.node.default_child.logical_id)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
            for r in ingress_rules(t, sg)] == [(2049, tier_sg)]


# ---- Mounting under the file system policy that refuses anonymous clients ----


def _host_mounting(stack, *, grant: bool):
    """A host whose boot script mounts a SharedFileSystem; ``grant``: through ``grant_connect``,
    else the port alone. Returns the template, the file system's, the host role's logical ids
    and the fstab options."""
    from efs_access import fstab_options, instance_role
    from support import logical_id, resources, user_data_text

    net = MultiAzVpc(stack, "Net", nat=NatMode.NONE)
    fs = SharedFileSystem(stack, "Fs", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0],
                   user_data_lines=fs.mount_lines())
    if grant:
        fs.grant_connect(host)
    else:
        fs.connections.allow_default_port_from(host.connections, "port only")
    t = synth(stack)
    (instance,) = [i["Properties"] for i in resources(t, "AWS::EC2::Instance").values()]
    role = instance_role(t, instance["IamInstanceProfile"]["Ref"])
    return t, logical_id(fs.file_system), role, fstab_options(user_data_text(instance), "/mnt/efs")


def test_grant_connect_lets_the_host_mount_and_write_as_root_with_iam(stack):
    from efs_access import refused_actions

    t, fs, role, options = _host_mounting(stack, grant=True)
    assert t["Resources"][fs]["Properties"]["FileSystemPolicy"]  # anonymous clients refused
    assert options == ["_netdev", "tls", "iam", "nofail"]
    assert refused_actions(t, fs, role, options) == []
    # Least privilege: the role gets mount alone; write and root come from the file system
    # policy, through a mount target.
    statements = [
        st for r in t["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
        and {"Ref": role} in r["Properties"]["Roles"]
        for st in r["Properties"]["PolicyDocument"]["Statement"]
        if "elasticfilesystem" in str(st["Action"])
    ]  # fmt: skip
    assert [st["Action"] for st in statements] == ["elasticfilesystem:ClientMount"]


def test_the_port_alone_or_an_anonymous_mount_is_refused(stack):
    """What the model refuses: the lab's file system before grant_connect gave the role
    ClientMount (the policy gives write and root, not mount), and any mount without ``iam``."""
    from efs_access import BOOT_SCRIPT_ACTIONS, refused_actions

    t, fs, role, options = _host_mounting(stack, grant=False)
    assert refused_actions(t, fs, role, options) == ["elasticfilesystem:ClientMount"]
    anonymous = [o for o in options if o != "iam"]
    assert refused_actions(t, fs, role, anonymous) == list(BOOT_SCRIPT_ACTIONS)


def test_efs_granted_to_cloudmart_boots_its_backend_after_the_mount_targets(stack):
    """A review: CloudMartStack is IConnectable and IGrantable through its backend tier, so
    `fs.grant_connect(shop)` opened NFS and granted the mount, but the backend's group could
    launch (and its boot script mount) before any mount target existed."""
    from support import resources

    from week5.constructs.cloudmart import CloudMartStack

    shop = CloudMartStack(stack, "Shop")
    fs = SharedFileSystem(stack, "Fs", vpc=shop.vpc)
    fs.grant_connect(shop)
    t = synth(stack)
    (asg,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert set(resources(t, "AWS::EFS::MountTarget")) <= set(asg.get("DependsOn", []))
