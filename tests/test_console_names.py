"""What the console lists a construct's resources by: a ``name=`` for the EFS file system, the
data volume and the database's, cache's and file system's security groups (their Name tags), the
construct path when none is given, and the stack's name in a distribution's description (student
trials T18-A and T18-B: in a shared account every student's read ``Day2Lab1/SharedFiles/
FileSystem``, had no Name at all, or read ``Day4Case/Site: static site``). The guides name them
as the console shows them (:func:`week5.analysis.topology.console_name`)."""

from __future__ import annotations

import re

import pytest
from support import props, synth, tag

from week5.analysis.topology import console_name
from week5.assets import SITES_DIR
from week5.constructs.cache import RedisCache
from week5.constructs.database import MysqlDatabase, PostgresDatabase
from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.host import LabHost
from week5.constructs.static_site import StaticSite
from week5.constructs.volume import DataVolume
from week5.core.errors import CourseInputError


def host(stack, net):
    return LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0])


#: construct -> a builder taking the stack, the VPC construct and ``name=``.
BUILDERS = {
    "SharedFileSystem": lambda s, n, **kw: SharedFileSystem(s, "Files", vpc=n.vpc, **kw),
    "PostgresDatabase": lambda s, n, **kw: PostgresDatabase(s, "Db", vpc=n.vpc, **kw),
    "MysqlDatabase": lambda s, n, **kw: MysqlDatabase(s, "Db", vpc=n.vpc, **kw),
    "RedisCache": lambda s, n, **kw: RedisCache(s, "Cache", vpc=n.vpc, **kw),
}
#: Each one's construct id in BUILDERS.
IDS = {"SharedFileSystem": "Files", "PostgresDatabase": "Db", "MysqlDatabase": "Db",
       "RedisCache": "Cache"}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_name_names_the_security_group_and_the_path_is_the_default(stack, net, kind):
    BUILDERS[kind](stack, net, name="week5-day2-kim-thing")
    t = synth(stack)
    groups = {tag(g, "Name") for g in props(t, "AWS::EC2::SecurityGroup")}
    assert "week5-day2-kim-thing-sg" in groups


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_without_a_name_the_group_is_named_for_the_construct_path(stack, net, kind):
    BUILDERS[kind](stack, net)
    t = synth(stack)
    groups = {tag(g, "Name") for g in props(t, "AWS::EC2::SecurityGroup")}
    assert f"UnitStack/{IDS[kind]}-sg" in groups


def test_the_file_system_and_the_volume_carry_their_names(stack, net):
    SharedFileSystem(stack, "Files", vpc=net.vpc, name="week5-day2-kim-shared-files")
    DataVolume(stack, "Data", host=host(stack, net), name="week5-day2-kim-data")
    t = synth(stack)
    (efs,) = props(t, "AWS::EFS::FileSystem")
    assert {"Key": "Name", "Value": "week5-day2-kim-shared-files"} in efs["FileSystemTags"]
    (volume,) = props(t, "AWS::EC2::Volume")
    assert tag(volume, "Name") == "week5-day2-kim-data"


def test_an_unnamed_file_system_and_volume_are_named_for_their_paths(stack, net):
    SharedFileSystem(stack, "Files", vpc=net.vpc)
    DataVolume(stack, "Data", host=host(stack, net))
    t = synth(stack)
    (efs,) = props(t, "AWS::EFS::FileSystem")
    assert {"Key": "Name", "Value": "UnitStack/Files"} in efs["FileSystemTags"]
    (volume,) = props(t, "AWS::EC2::Volume")
    assert tag(volume, "Name") == "UnitStack/Data"


BLANK_CASES = {
    **BUILDERS,
    "DataVolume": lambda s, n, **kw: DataVolume(s, "Data", host=host(s, n), **kw),
    "LabHost": lambda s, n, **kw: LabHost(
        s, "Web", vpc=n.vpc, subnet=n.public_subnets[0], **kw
    ),
}


@pytest.mark.parametrize("kind", sorted(BLANK_CASES))
@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "spaces"])
def test_a_blank_name_is_refused_naming_the_prop(stack, net, kind, name):
    """A LabHost took ``name=""`` for its construct path and ``"   "`` as its Name (T18-C)."""
    with pytest.raises(CourseInputError, match=re.escape(f"name={name!r} is blank")):
        BLANK_CASES[kind](stack, net, name=name)


@pytest.mark.parametrize("kind", sorted(BLANK_CASES))
def test_a_name_no_tag_holds_is_refused_with_the_length_that_fits(stack, net, kind):
    fits = 256 if kind == "DataVolume" else 253
    with pytest.raises(CourseInputError, match=f"pass a name= of {fits} characters or fewer"):
        BLANK_CASES[kind](stack, net, name="x" * 300)


def test_a_distributions_description_names_its_stack(stack):
    StaticSite(stack, "Site", content_dir=SITES_DIR / "cloudmart-static")
    t = synth(stack)
    (distribution,) = props(t, "AWS::CloudFront::Distribution")
    assert distribution["DistributionConfig"]["Comment"] == (
        f"{stack.stack_name}/Site: static site"
    )


def test_the_guides_name_a_file_system_and_a_distribution_as_the_console_lists_them():
    files = {
        "Type": "AWS::EFS::FileSystem",
        "Properties": {"FileSystemTags": [{"Key": "Name", "Value": "week5-day2-kim-files"}]},
        "Metadata": {"aws:cdk:path": "week5-kim-Day2Lab1/SharedFiles/FileSystem/Resource"},
    }
    assert console_name("SharedFilesFileSystemA1B2C3D4", files).name == "week5-day2-kim-files"
    distribution = {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {"DistributionConfig": {"Comment": "week5-kim-Day4Case/Site: static site"}},
    }
    named = console_name("SiteDistribution3FF9535D", distribution)
    assert named.name == "week5-kim-Day4Case/Site: static site" and named.shown
    assert named.column == "Description"  # the list shows the distribution's id as its name


def test_a_second_volume_at_a_taken_device_is_refused_naming_a_free_one(stack, net):
    """Both attached at /dev/sdf: EC2 refuses the second attachment at deploy (T18-C)."""
    web = host(stack, net)
    DataVolume(stack, "Data", host=web)
    with pytest.raises(CourseInputError, match=re.escape(
        "DataVolume UnitStack/More: device /dev/sdf of UnitStack/Host is taken by "
        "UnitStack/Data; pass another, e.g. device='/dev/sdg'"
    )):
        DataVolume(stack, "More", host=web)
    DataVolume(stack, "Other", host=web, device="/dev/sdg")
    other_host = LabHost(stack, "Db", vpc=net.vpc, subnet=net.public_subnets[0])
    DataVolume(stack, "Elsewhere", host=other_host)  # another host's /dev/sdf is its own


def test_a_token_as_a_hosts_name_is_refused():
    """It went into the security group's description, and cdk-nag's EC27 threw (T18-C)."""
    import aws_cdk as cdk

    from week5.constructs.vpc import MultiAzVpc

    app = cdk.App()
    stack = cdk.Stack(app, "Own", env=cdk.Environment(region="ap-northeast-2"))
    net = MultiAzVpc(stack, "Net")
    name = cdk.CfnParameter(stack, "HostName").value_as_string
    with pytest.raises(CourseInputError, match="name= a deploy-time value"):
        LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], name=name)


@pytest.mark.parametrize(
    "kwargs, says",
    [({"name": "shop files (kim)"}, "name='shop files (kim)' has characters its tags cannot hold"),
     ({}, "the construct path, the default name, 'UnitStack/Files(blue)', has characters")],
    ids=["given", "default"],
)  # fmt: skip
def test_a_file_system_name_efs_refuses_is_refused_at_synth(stack, net, kwargs, says):
    """EFS takes only letters, digits, spaces and _.:/=+-@ in a tag: it failed at deploy (D18)."""
    construct_id = "Files(blue)" if not kwargs else "Files"
    with pytest.raises(CourseInputError, match=re.escape(says)):
        SharedFileSystem(stack, construct_id, vpc=net.vpc, **kwargs)
