"""The day's new checks hold for hostile input (the hostile re-trial, helper W16): any CIDR of
prefix length 0 counts as anyone, HaWebTier's ``name`` fits its Name tags, a trailing newline
never passes a ``^...$`` pattern, CloudMartStack's parameter_prefix is refused in one line
before CDK fails on it, RDS for PostgreSQL's ``admin``, and the headers API Gateway will not
map."""

import re

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks
from support import CourseAzStack, make_app, props, synth, tag

from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.database import MysqlDatabase, PostgresDatabase
from week5.constructs.host import LabHost
from week5.constructs.vpc import MultiAzVpc
from week5.constructs.waf import ProxyHeaders
from week5.constructs.web_tier import HaWebTier
from week5.core.errors import CourseInputError


@pytest.fixture
def solutions_only(tmp_path):
    """A stack under an app with AwsSolutions alone, as a CDK engineer's own app has it."""
    app = make_app(tmp_path)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return CourseAzStack(app, "Own", env=cdk.Environment(region="ap-northeast-2"))


# ---- F2: a CIDR of prefix length 0 is anyone, however written ----


@pytest.mark.parametrize("cidr", ["::0/0", "1.2.3.4/0", "0:0:0:0:0:0:0:0/0", "0.0.0.0/0", "::/0"])
def test_every_prefix_length_0_cidr_admits_everyone(cidr):
    from week5.constructs.alb_ingress import admits_everyone

    assert admits_everyone(cidr)


@pytest.mark.parametrize("cidr", ["203.0.113.5/32", "0.0.0.0/1", "::/1", None, "${Token[X.1]}"])
def test_a_narrower_cidr_or_none_does_not(cidr):
    from week5.constructs.alb_ingress import admits_everyone

    assert not admits_everyone(cidr)


@pytest.mark.parametrize(
    "peer", [lambda: ec2.Peer.ipv6("::0/0"), lambda: ec2.Peer.ipv4("1.2.3.4/0")],
    ids=["::0/0", "1.2.3.4/0"],
)
def test_a_host_rule_from_another_spelling_of_anyone_fails_synthesis(solutions_only, peer):
    """The re-trial's ec23.py: both passed AwsSolutions (the host's EC23 acknowledgement)."""
    net = MultiAzVpc(solutions_only, "Net")
    host = LabHost(
        solutions_only, "Web", vpc=net.vpc, subnet=net.public_subnets[0], internet_ports=[80]
    )
    source = peer()
    host.security_group.add_ingress_rule(source, ec2.Port.tcp(22))
    with pytest.raises(Exception, match=re.escape(
        f"LabHost Own/Web: its security group admits tcp 22 from {source.unique_id}, beyond"
    )):
        synth(solutions_only)


def test_an_alb_rule_from_colon_zero_fails_synthesis(solutions_only):
    net = MultiAzVpc(solutions_only, "Net")
    tier = HaWebTier(solutions_only, "Tier", vpc=net.vpc)
    tier.alb_security_group.add_ingress_rule(ec2.Peer.ipv6("::0/0"), ec2.Port.tcp(8080))
    with pytest.raises(Exception, match=re.escape(
        "HaWebTier Own/Tier: its security group admits tcp 8080 from ::0/0, beyond"
    )):
        synth(solutions_only)


# ---- F3: HaWebTier's name fits every Name tag it starts ----


@pytest.mark.parametrize(
    "name, says",
    [
        ("", "name='' is blank"),
        ("  ", "name='  ' is blank"),
        ("web;$(id)", "name='web;$(id)' has characters the ALB's Name tag cannot hold"),
        ('a"b', "name='a\"b' has characters the ALB's Name tag cannot hold"),
        ("a\nb", "name='a\\nb' has characters the ALB's Name tag cannot hold"),
        ("x" * 250, "name is 250 characters; its longest Name tag ('<name>-alb-sg') takes 256: "
         "pass 249 characters or fewer"),
        ("x" * 300, "name is 300 characters"),
    ],
    ids=["empty", "blank", "shell", "quote", "newline", "250", "300"],
)
def test_a_web_tier_name_its_tags_cannot_hold_is_refused(stack, name, says):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match=re.escape(f"HaWebTier UnitStack/Web: {says}")):
        HaWebTier(stack, "Web", vpc=net.vpc, name=name)


@pytest.mark.parametrize("name", ["week5-day4-kim-web", "웹 서버", "x" * 249])
def test_a_name_every_tag_holds_names_every_part(stack, name):
    net = MultiAzVpc(stack, "Net")
    HaWebTier(stack, "Web", vpc=net.vpc, name=name)
    t = synth(stack)
    (alb,) = props(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert tag(alb, "Name") == name + "-alb"
    groups = [tag(g, "Name") for g in props(t, "AWS::EC2::SecurityGroup")]
    assert name + "-alb-sg" in groups
    assert all(len(g) <= 256 for g in groups if g)


# ---- F4: a trailing newline passes no pattern ----


@pytest.mark.parametrize(
    "kwargs, label",
    [({"username": "labadmin\n"}, "username"), ({"database_name": "lab\n"}, "database_name")],
    ids=["username", "database_name"],
)
def test_a_database_name_with_a_trailing_newline_is_refused(stack, kwargs, label):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match=f"{label}=.* must start with a letter"):
        MysqlDatabase(stack, "Db", vpc=net.vpc, **kwargs)


def test_an_instance_class_with_a_trailing_newline_is_refused(stack):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match="instance_type"):
        MysqlDatabase(stack, "Db", vpc=net.vpc, instance_type="db.t3.micro\n")


@pytest.mark.parametrize(
    "given, says",
    [
        (("x-c\n", "x-o", "tok"), "client_ip_header="),
        (("x-c", "x-o\n", "tok"), "origin_header="),
        (("x-c", "x-o", "tok\n"), "origin_token must be 1 to 200 printable ASCII"),
    ],
    ids=["client_ip_header", "origin_header", "origin_token"],
)
def test_proxy_headers_with_a_trailing_newline_are_refused(given, says):
    with pytest.raises(CourseInputError, match=re.escape(f"ProxyHeaders: {says}")):
        ProxyHeaders(*given)


# ---- F5: CloudMartStack's parameter_prefix, in one line before CDK fails on it ----


@pytest.mark.parametrize(
    "prefix", ["/a/b;", "/a/b$", "/a/웹", "/week5/cloudmart\n", "//ab", "/a//b", "/a/", "a/b"]
)
def test_a_parameter_prefix_ssm_cannot_hold_is_refused(stack, prefix):
    with pytest.raises(CourseInputError, match=re.escape(
        f"CloudMartStack UnitStack/Shop: parameter_prefix={prefix!r} must be a path like "
        "/week5-kim-Day5Lab1/cloudmart"
    )):
        CloudMartStack(stack, "Shop", parameter_prefix=prefix)


@pytest.mark.parametrize("prefix", ["/a", "/week5-kim-Day5Lab1/cloudmart", "/a.b/c_d"])
def test_a_parameter_prefix_ssm_holds_is_kept(stack, prefix):
    assert CloudMartStack(stack, "Shop", parameter_prefix=prefix).parameter_prefix == prefix


# ---- F6: RDS for PostgreSQL's admin ----


@pytest.mark.parametrize("username", ["admin", "ADMIN", "Admin"])
def test_admin_is_refused_on_postgres(stack, username):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match=re.escape(
        f"PostgresDatabase UnitStack/Db: username={username!r} is a name RDS for PostgreSQL "
        "keeps for itself"
    )):
        PostgresDatabase(stack, "Db", vpc=net.vpc, username=username)


def test_admin_is_kept_on_mysql(stack):
    """RDS for MySQL takes ``admin`` (its console's default)."""
    net = MultiAzVpc(stack, "Net")
    MysqlDatabase(stack, "Db", vpc=net.vpc, username="admin")
    (instance,) = props(synth(stack), "AWS::RDS::DBInstance")
    assert instance["Engine"] == "mysql"


# ---- F7: headers API Gateway's HTTP API parameter mapping reserves ----


@pytest.mark.parametrize(
    "header",
    [
        "host", "Host", "content-length", "Content-Encoding", "content-location", "authorization",
        "connection", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
        "trailers", "transfer-encoding", "upgrade", "access-control-allow-origin", "apigw-x",
        "x-amz-date", "x-amzn-trace-id", "x-forwarded-host", "forwarded", "via",
    ],
)
def test_a_reserved_header_is_refused(header):
    with pytest.raises(CourseInputError, match=re.escape(
        f"ProxyHeaders: client_ip_header={header!r} is a header API Gateway reserves"
    )):
        ProxyHeaders(header, "x-week5-origin", "tok")


@pytest.mark.parametrize("header", ["x-week5-client-ip", "x-hostname", "x-origin", "tea"])
def test_a_header_of_ones_own_is_kept(header):
    assert ProxyHeaders(header, "x-week5-origin", "tok").client_ip_header == header
