"""What a user adds to a construct, and the names they give it: a construct's cdk-nag
acknowledgement never hides a rule the user adds (AwsSolutions-EC23 covers a whole security
group), and names and props AWS would refuse at deploy are refused at construction, naming the
construct and its prop, or kept out of the fields that cannot hold them."""

import re

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks
from support import CourseAzStack, by_name, logical_id, make_app, props, synth, tag

from week5.constructs.bastion import BastionPair
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.key_pair import LabKeyPair
from week5.constructs.props import shown
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier
from week5.core.errors import CourseInputError

CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc"
KO = "웹서버"
#: What EC2 takes in a security group's description (cfn-lint's pattern), 255 at most.
GROUP_DESCRIPTION = re.compile(r"[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{0,255}")
#: What IAM takes in a role's description, 1000 at most.
ROLE_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]{0,1000}")


@pytest.fixture
def solutions_only(tmp_path):
    """A stack under an app with AwsSolutions alone, as a CDK engineer's own app has it."""
    app = make_app(tmp_path)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return CourseAzStack(app, "Own", env=cdk.Environment(region="ap-northeast-2"))


# ---- AwsSolutions-EC23 is acknowledged for the construct's own ports only ----

LEAKS = {
    "ssh": (ec2.Peer.any_ipv4, lambda: ec2.Port.tcp(22), "tcp 22 from 0.0.0.0/0"),
    "mysql": (ec2.Peer.any_ipv4, lambda: ec2.Port.tcp(3306), "tcp 3306 from 0.0.0.0/0"),
    "all v6": (ec2.Peer.any_ipv6, ec2.Port.all_traffic, "all traffic from ::/0"),
    "udp": (ec2.Peer.any_ipv4, lambda: ec2.Port.udp(53), "udp 53 from 0.0.0.0/0"),
    "range": (ec2.Peer.any_ipv4, lambda: ec2.Port.tcp_range(79, 81), "tcp 79-81 from 0.0.0.0/0"),
}


@pytest.mark.parametrize("leak", LEAKS, ids=list(LEAKS))
def test_what_a_user_opens_to_anyone_on_a_web_host_fails_synthesis(solutions_only, leak):
    """The trial's leak.py: DockerHost opens 80 (EC23 acknowledged on its group); the user's
    rule on another port passed AwsSolutions before."""
    peer, port, shown = LEAKS[leak]
    net = MultiAzVpc(solutions_only, "Net")
    web = DockerHost(solutions_only, "Web", vpc=net.vpc, subnet=net.public_subnets[0])
    web.connections.allow_from(peer(), port(), "oops")
    with pytest.raises(Exception, match=re.escape(
        f"DockerHost Own/Web: its security group admits {shown}, beyond the ports it opens to "
        "the internet (80; its AwsSolutions-EC23 acknowledgement covers those only); use "
        "ssh_cidr= for SSH"
    )):
        synth(solutions_only)


def test_every_leak_is_named_in_one_line(solutions_only):
    net = MultiAzVpc(solutions_only, "Net")
    web = DockerHost(solutions_only, "Web", vpc=net.vpc, subnet=net.public_subnets[0])
    web.connections.allow_from(ec2.Peer.any_ipv4(), ec2.Port.tcp(22), "oops ssh")
    web.connections.allow_from(ec2.Peer.any_ipv4(), ec2.Port.tcp(3306), "oops mysql")
    with pytest.raises(Exception) as raised:
        synth(solutions_only)
    (line,) = [x for x in str(raised.value).splitlines() if "DockerHost Own/Web:" in x]
    assert "admits tcp 22 from 0.0.0.0/0, tcp 3306 from 0.0.0.0/0, beyond" in line


def test_a_rule_resource_on_the_group_counts_too(solutions_only):
    """An L1 ingress rule on the host's group (as a rule in another stack is made)."""
    net = MultiAzVpc(solutions_only, "Net")
    web = LabHost(
        solutions_only, "Web", vpc=net.vpc, subnet=net.public_subnets[0], internet_ports=[443]
    )
    ec2.CfnSecurityGroupIngress(
        solutions_only,
        "Leak",
        group_id=web.security_group.security_group_id,
        ip_protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_ip="0.0.0.0/0",
    )
    with pytest.raises(Exception, match=re.escape(
        "LabHost Own/Web: its security group admits tcp 22 from 0.0.0.0/0, beyond the ports it "
        "opens to the internet (443;"
    )):
        synth(solutions_only)


def test_what_a_user_opens_to_anyone_on_an_alb_fails_synthesis(solutions_only):
    net = MultiAzVpc(solutions_only, "Net")
    tier = HaWebTier(solutions_only, "Tier", vpc=net.vpc)
    tier.alb_security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22), "oops")
    with pytest.raises(Exception, match=re.escape(
        "HaWebTier Own/Tier: its security group admits tcp 22 from 0.0.0.0/0, beyond the ports "
        "it opens to the internet (80; its AwsSolutions-EC23 acknowledgement covers those only)"
    )):
        synth(solutions_only)


def test_the_constructs_own_ports_and_narrow_sources_pass(stack, net):
    """The ports the construct opened, over IPv6 too, and any port from a CIDR or a group."""
    web = DockerHost(
        stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], internet_ports=(80, 443)
    )
    web.connections.allow_from(ec2.Peer.any_ipv6(), ec2.Port.tcp(443), "HTTPS over IPv6")
    web.connections.allow_from(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(8080), "the VPC")
    tier = HaWebTier(stack, "Tier", vpc=net.vpc, certificate_arn=CERT)
    tier.alb_security_group.add_ingress_rule(ec2.Peer.any_ipv6(), ec2.Port.tcp(443), "v6")
    web.connections.allow_from(tier.alb_security_group, ec2.Port.tcp(8080), "from the ALB")
    t = synth(stack)
    group = t["Resources"][logical_id(web.security_group)]["Properties"]
    assert {(r.get("CidrIp") or r.get("CidrIpv6"), r["FromPort"]) for r in group[
        "SecurityGroupIngress"
    ]} == {("0.0.0.0/0", 80), ("0.0.0.0/0", 443), ("::/0", 443), ("10.0.0.0/16", 8080)}


# ---- names AWS takes: descriptions ASCII-safe and short, Name tags within 256 ----


def _descriptions(t):
    return (
        [p["GroupDescription"] for p in props(t, "AWS::EC2::SecurityGroup")],
        [p["Description"] for p in props(t, "AWS::IAM::Role") if "Description" in p],
    )


def _assert_deployable(t):
    groups, roles = _descriptions(t)
    assert groups and roles
    for text in groups:
        assert GROUP_DESCRIPTION.fullmatch(text), text
    for text in roles:
        assert ROLE_DESCRIPTION.fullmatch(text), text
    for rtype in ("AWS::EC2::SecurityGroup", "AWS::EC2::Instance", "AWS::EC2::VPC"):
        for p in props(t, rtype):
            assert len(tag(p, "Name") or "") <= 256


def test_a_korean_host_name_keeps_its_name_tag_and_deploys(stack, net):
    LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], name=KO, internet_ports=[80])
    t = synth(stack)
    _assert_deployable(t)
    assert by_name(t, "AWS::EC2::Instance").keys() == {KO}
    assert f"{KO}-sg" in by_name(t, "AWS::EC2::SecurityGroup")
    groups, roles = _descriptions(t)
    assert "HTTP from anywhere, no SSH from the internet (Session Manager)" in groups
    assert "Session Manager access" in roles


def test_a_korean_construct_id_deploys(stack, net):
    """No name: the label is the construct path (UnitStack/웹서버), kept as the Name tag."""
    LabHost(stack, KO, vpc=net.vpc, subnet=net.public_subnets[0])
    HaWebTier(stack, "웹티어", vpc=net.vpc)
    t = synth(stack)
    assert f"UnitStack/{KO}" in by_name(t, "AWS::EC2::Instance")
    _, roles = _descriptions(t)
    assert sorted(roles) == ["UnitStack: Session Manager access"] * 2
    groups = [g for g in _descriptions(t)[0] if "Session Manager" in g]
    assert groups == ["UnitStack: no SSH from the internet (Session Manager)"]
    for text in roles + groups:
        assert GROUP_DESCRIPTION.fullmatch(text)


def test_a_long_name_is_shortened_in_the_description_only(stack, net):
    name = "w" * 253  # the longest whose '-sg' Name tag fits
    LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], name=name, ssh_cidr=None)
    t = synth(stack)
    _assert_deployable(t)
    assert name in by_name(t, "AWS::EC2::Instance")
    (group,) = [g for g in _descriptions(t)[0] if g.startswith("www")]
    assert len(group) == 255 and group.endswith("...: no SSH from the internet (Session Manager)")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "x" * 300}, "name is 300 characters; the security group's Name tag (the name "
         "and '-sg') takes 256: pass a name= of 253 characters or fewer"),
        ({"name": "x" * 254}, "name is 254 characters"),
    ],
    ids=["300", "254"],
)
def test_a_host_name_too_long_for_its_name_tags_is_refused(stack, net, kwargs, message):
    with pytest.raises(CourseInputError, match="^" + re.escape(f"LabHost UnitStack/H: {message}")):
        LabHost(stack, "H", vpc=net.vpc, subnet=net.public_subnets[0], **kwargs)


def test_a_construct_path_too_long_for_the_name_tag_asks_for_a_name(stack, net):
    with pytest.raises(CourseInputError, match=re.escape(
        "the construct path, the default name, is 310 characters; the security group's Name "
        "tag (the name and '-sg') takes 256: pass a name= of 253 characters or fewer"
    )):
        LabHost(stack, "x" * 300, vpc=net.vpc, subnet=net.public_subnets[0])


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("", "name_prefix='' is blank: the Name tags would read '-vpc' and the like"),
        ("  ", "name_prefix='  ' is blank"),
        ("x" * 239, "name_prefix is 239 characters; its longest Name tag "
         "('<name_prefix>-nat-instance-role') takes 256: pass 238 characters or fewer"),
        ("week5!", "name_prefix='week5!' has characters a tag's value cannot hold"),
    ],
    ids=["empty", "blank", "239", "punctuation"],
)
def test_a_vpc_name_prefix_aws_refuses_is_refused(stack, prefix, message):
    with pytest.raises(CourseInputError, match="^" + re.escape(f"MultiAzVpc UnitStack/V: {message}")):
        MultiAzVpc(stack, "V", name_prefix=prefix)


def test_the_longest_vpc_name_prefix_and_a_korean_one_deploy(stack):
    longest = "x" * 238
    MultiAzVpc(stack, "V", name_prefix=longest, nat=NatMode.INSTANCE, az_count=1)
    MultiAzVpc(stack, "K", name_prefix=KO, nat=NatMode.NONE)
    t = synth(stack)
    assert set(by_name(t, "AWS::EC2::VPC")) == {f"{longest}-vpc", f"{KO}-vpc"}
    role_names = [tag(p, "Name") for p in props(t, "AWS::IAM::Role")]
    assert f"{longest}-nat-instance-role" in role_names
    assert max(len(n) for n in role_names if n) == 256


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("", "name_prefix='' is blank: the Name tags would read '-bastion' and the like"),
        ("x" * 246, "name_prefix is 246 characters; its longest Name tag "
         "('<name_prefix>-private-sg') takes 256: pass 245 characters or fewer"),
    ],
    ids=["empty", "246"],
)
def test_a_bastion_name_prefix_aws_refuses_is_refused_as_the_pairs(stack, net, prefix, message):
    with pytest.raises(CourseInputError, match="^" + re.escape(f"BastionPair UnitStack/P: {message}")):
        BastionPair(stack, "P", vpc=net.vpc, name_prefix=prefix)


def test_a_korean_bastion_name_prefix_deploys(stack, net):
    BastionPair(stack, "P", vpc=net.vpc, name_prefix=KO)
    t = synth(stack)
    _assert_deployable(t)
    assert by_name(t, "AWS::EC2::Instance").keys() == {f"{KO}-bastion", f"{KO}-private"}
    groups, _ = _descriptions(t)
    assert groups.count("bastion: no SSH from the internet (Session Manager)") == 1
    assert groups.count("private: no SSH from the internet (Session Manager)") == 1


def test_a_korean_bastion_pair_id_makes_a_key_pair_ec2_takes(stack, net):
    """The pair's own key pair is named from its path: an id EC2 refuses there is hashed."""
    pair = BastionPair(stack, KO, vpc=net.vpc, name_prefix="ko")
    other = BastionPair(stack, "웹", vpc=net.vpc, name_prefix="ko2")
    assert re.fullmatch(r"UnitStack-id-[0-9a-f]{8}-SshKey", pair.ssh_key.name)
    assert pair.ssh_key.name != other.ssh_key.name
    names = [p["KeyName"] for p in props(synth(stack), "AWS::EC2::KeyPair")]
    assert sorted(names) == sorted([pair.ssh_key.name, other.ssh_key.name])


# ---- key_name and instance_type: refused as the construct's own props ----


@pytest.mark.parametrize(
    "key_name", ["", " week5-key", "키", "k" * 256], ids=["empty", "padded", "korean", "256"]
)
def test_a_bastion_pair_refuses_a_key_name_ec2_refuses(stack, net, key_name):
    with pytest.raises(CourseInputError, match="^" + re.escape(
        f"BastionPair UnitStack/P: key_name={shown(key_name)} is not an EC2 key-pair name (1 to 255 "
        "ASCII characters, no spaces around)"
    )):
        BastionPair(stack, "P", vpc=net.vpc, key_name=key_name)


def test_a_key_pair_refuses_an_empty_key_name(stack):
    with pytest.raises(CourseInputError, match="^" + re.escape(
        "LabKeyPair UnitStack/K: key_name='' is not an EC2 key-pair name"
    )):
        LabKeyPair(stack, "K", key_name="")


def test_a_bastion_pair_names_itself_for_a_bad_instance_type(stack, net):
    with pytest.raises(CourseInputError, match="^" + re.escape(
        "BastionPair UnitStack/P: instance_type='cache.t3.micro' is not an EC2 instance type"
    )):
        BastionPair(stack, "P", vpc=net.vpc, instance_type="cache.t3.micro")


def test_overlapping_subnets_name_both_props(stack):
    with pytest.raises(CourseInputError, match="^" + re.escape(
        "MultiAzVpc UnitStack/V: private_subnet_cidrs has '10.0.2.0/24', which overlaps "
        "10.0.2.0/24 in public_subnet_cidrs; give each subnet its own /24"
    )):
        MultiAzVpc(
            stack,
            "V",
            public_subnet_cidrs=["10.0.1.0/24", "10.0.2.0/24"],
            private_subnet_cidrs=["10.0.2.0/24", "10.0.12.0/24"],
        )


def test_korean_construct_ids_deploy_for_every_group_a_construct_describes(stack, net):
    """The web tier's ALB and instance groups, the cache's, the database's and the file
    system's put their construct path in a security group's description, which EC2 takes in
    ASCII only (a Korean id failed at deploy: W8's note on trial V3)."""
    from week5.constructs.cache import RedisCache
    from week5.constructs.database import PostgresDatabase
    from week5.constructs.filesystem import SharedFileSystem

    HaWebTier(stack, "웹티어", vpc=net.vpc)
    RedisCache(stack, "캐시", vpc=net.vpc)
    PostgresDatabase(stack, "데이터베이스", vpc=net.vpc)
    SharedFileSystem(stack, "파일", vpc=net.vpc)
    t = synth(stack)
    described = [
        r["Properties"][key]
        for r in t["Resources"].values()
        for key in ("GroupDescription", "Description", "ReplicationGroupDescription",
                    "CacheSubnetGroupDescription", "DBSubnetGroupDescription")
        if r["Type"] in ("AWS::EC2::SecurityGroup", "AWS::ElastiCache::SubnetGroup",
                         "AWS::ElastiCache::ReplicationGroup", "AWS::RDS::DBSubnetGroup")
        and isinstance(r["Properties"].get(key), str)
    ]  # fmt: skip
    assert len(described) >= 7
    for text in described:
        assert GROUP_DESCRIPTION.fullmatch(text), text
    assert "UnitStack: ALB 80 from anywhere" in described
    assert "UnitStack: Redis 6379 from granted groups only" in described
