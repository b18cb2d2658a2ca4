"""Access the CDK way, and the construct surface (issue #17, items 1 and 4).

Every networked construct is an ``ec2.IConnectable`` with its default port; hosts and tiers are
``iam.IGrantable`` (their role); a database's, cache's, file system's or internal tier's
``grant_connect(consumer)`` is one line per arrow of a lab's diagram. An internal tier that
admits no one fails at synthesis. ``week5.constructs`` exports every public construct, and
each public attribute is set in ``__init__``, typed, with a ``#:`` comment.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct
from support import (
    CourseAzStack,
    ingress_rules,
    logical_id,
    make_app,
    props,
    resources,
    synth,
)

import week5.constructs
from week5.constructs import (
    HaWebTier,
    LabHost,
    MultiAzVpc,
    MysqlDatabase,
    PostgresDatabase,
    RedisCache,
    SharedFileSystem,
)
from week5.core.errors import CourseInputError

CONSTRUCTS_DIR = Path(week5.constructs.__file__).parent
SECRET_READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]


def source_group(rule):
    return rule["SourceSecurityGroupId"]["Fn::GetAtt"][0]


#: What HaWebTier grants itself: its instances send their creation signal.
CREATION_SIGNAL = {
    "Action": "cloudformation:SignalResource",
    "Effect": "Allow",
    "Resource": {"Ref": "AWS::StackId"},
}


def statements_of(template, role):
    """Every statement of the policies attached to ``role`` (an L2 Role), in order, but the
    tier's own creation-signal permission (what access grants is the question here)."""
    ref = {"Ref": logical_id(role)}
    return [
        statement
        for policy in props(template, "AWS::IAM::Policy")
        if ref in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement != CREATION_SIGNAL
    ]


# ---- grant_connect: the port from the consumer's group, and the secret to its role ----


def test_database_grant_connect_opens_its_port_to_the_host_and_grants_the_secret(stack, net):
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    grant = db.grant_connect(host)
    t = synth(stack)
    port = {"Fn::GetAtt": [logical_id(db.instance), "Endpoint.Port"]}
    (rule,) = ingress_rules(t, logical_id(db.security_group))
    assert (rule["FromPort"], rule["ToPort"], source_group(rule)) == (
        port,
        port,
        logical_id(host.security_group),
    )
    assert "CidrIp" not in rule
    (attachment,) = resources(t, "AWS::SecretsManager::SecretTargetAttachment")
    assert statements_of(t, host.role) == [
        {"Action": SECRET_READ, "Effect": "Allow", "Resource": {"Ref": attachment}}
    ]
    assert isinstance(grant, iam.Grant) and grant.success


def test_cache_grant_connect_opens_6379_to_the_tier_and_grants_the_token(stack, net):
    cache = RedisCache(stack, "Cache", vpc=net.vpc)
    tier = HaWebTier(stack, "Web", vpc=net.vpc)
    cache.grant_connect(tier)
    t = synth(stack)
    (rule,) = ingress_rules(t, logical_id(cache.security_group))
    assert (rule["FromPort"], rule["ToPort"], source_group(rule)) == (
        6379,
        6379,
        logical_id(tier.instance_security_group),
    )
    secret = {"Ref": logical_id(cache.auth_secret)}
    assert statements_of(t, tier.role) == [
        {"Action": SECRET_READ, "Effect": "Allow", "Resource": secret}
    ]


def template_of(outdir, build):
    """The template of a fresh stack that ``build(stack, net)`` fills, without the rule packs
    (a unit stack may hold what they refuse)."""
    app_ = make_app(outdir)
    stack = CourseAzStack(app_, "Same", env=cdk.Environment(region="ap-northeast-2"))
    build(stack, MultiAzVpc(stack, "Net"))
    return app_.synth().get_stack_by_name("Same").template


def test_grant_connect_emits_what_the_two_old_lines_emitted(tmp_path):
    """``db.grant_connect(tier)`` is ``db.secret.grant_read(tier.role)`` plus the port, rule for
    rule and statement for statement (the labs' templates depend on it)."""

    def new(stack, net):
        db, cache = MysqlDatabase(stack, "Db", vpc=net.vpc), RedisCache(stack, "C", vpc=net.vpc)
        tier = HaWebTier(stack, "Web", vpc=net.vpc)
        db.grant_connect(tier)
        cache.grant_connect(tier)

    def old(stack, net):
        db, cache = MysqlDatabase(stack, "Db", vpc=net.vpc), RedisCache(stack, "C", vpc=net.vpc)
        tier = HaWebTier(stack, "Web", vpc=net.vpc)
        db.secret.grant_read(tier.role)
        cache.auth_secret.grant_read(tier.role)
        db.instance.connections.allow_default_port_from(
            tier, "MySQL 3306 from a granted security group"
        )
        cache.connections.allow_default_port_from(tier, "Redis from a granted security group")

    assert template_of(tmp_path / "new", new) == template_of(tmp_path / "old", old)


def test_grant_connect_needs_a_consumer_with_a_role(stack, net):
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    group = ec2.SecurityGroup(stack, "Group", vpc=net.vpc)
    with pytest.raises(CourseInputError, match="grant_connect needs a consumer with a role"):
        db.grant_connect(group)
    with pytest.raises(CourseInputError, match="connections.allow_default_port_from"):
        RedisCache(stack, "Cache", vpc=net.vpc).grant_connect(group)


def test_connections_alone_open_the_port_without_a_secret(stack, net):
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    tier = HaWebTier(stack, "App", vpc=net.vpc)
    db.connections.allow_default_port_from(tier, "port only")
    t = synth(stack)
    (rule,) = ingress_rules(t, logical_id(db.security_group))
    assert source_group(rule) == logical_id(tier.instance_security_group)
    assert statements_of(t, tier.role) == []


def test_file_system_grant_connect_opens_nfs_and_waits_for_the_mount_targets(stack, net):
    fs = SharedFileSystem(stack, "Fs", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0])
    fs.grant_connect(host)
    t = synth(stack)
    (rule,) = ingress_rules(t, logical_id(fs.security_group))
    assert (rule["FromPort"], source_group(rule)) == (2049, logical_id(host.security_group))
    (instance,) = resources(t, "AWS::EC2::Instance").values()
    assert set(resources(t, "AWS::EFS::MountTarget")) <= set(instance["DependsOn"])


# ---- IConnectable with default ports; IGrantable on the role ----


def test_default_ports(stack, net):
    plain = LabHost(stack, "Plain", vpc=net.vpc, subnet=net.private_subnets[0])
    mysql_host = LabHost(
        stack, "Mysql", vpc=net.vpc, subnet=net.private_subnets[0], default_port=3306
    )
    cache = RedisCache(stack, "Cache", vpc=net.vpc)
    fs = SharedFileSystem(stack, "Fs", vpc=net.vpc)
    assert plain.connections.default_port is None
    assert mysql_host.connections.default_port.to_string() == "3306"
    assert cache.connections.default_port.to_string() == "6379"
    assert fs.connections.default_port.to_string() == "2049"
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    assert stack.resolve(db.connections.default_port.to_rule_json())["fromPort"] == {
        "Fn::GetAtt": [logical_id(db.instance), "Endpoint.Port"]
    }


def test_a_host_with_a_default_port_admits_it_from_a_peer(stack, net):
    web = LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0])
    db_host = LabHost(stack, "Db", vpc=net.vpc, subnet=net.private_subnets[0], default_port=3306)
    db_host.connections.allow_default_port_from(web, "MySQL from the web host only")
    db_host.connections.allow_from(web, ec2.Port.tcp(22), "SSH from the web host only")
    t = synth(stack)
    rules = ingress_rules(t, logical_id(db_host.security_group))
    assert sorted((r["FromPort"], source_group(r), r["Description"]) for r in rules) == [
        (22, logical_id(web.security_group), "SSH from the web host only"),
        (3306, logical_id(web.security_group), "MySQL from the web host only"),
    ]


def test_a_bad_default_port_is_refused(stack, net):
    with pytest.raises(CourseInputError, match="default_port=0 is not a TCP port"):
        LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0], default_port=0)


def test_grants_to_a_host_or_tier_land_on_its_role(tmp_path):
    built = {}

    def build(stack, net):
        host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
        tier = HaWebTier(stack, "Web", vpc=net.vpc)
        bucket = s3.Bucket(stack, "Bucket")
        bucket.grant_read(host)
        bucket.grant_put(tier)
        iam.Grant.add_to_principal(grantee=tier, actions=["sqs:SendMessage"], resource_arns=["*"])
        built.update(host=host, tier=tier)

    t = template_of(tmp_path, build)
    host, tier = built["host"], built["tier"]
    assert host.grant_principal is host.role and tier.grant_principal is tier.role
    host_actions = [s["Action"] for s in statements_of(t, host.role)]
    tier_actions = [s["Action"] for s in statements_of(t, tier.role)]
    assert any("s3:GetObject*" in a for a in host_actions)
    assert not any("s3:PutObject" in a for a in host_actions)
    assert any("s3:PutObject" in a for a in tier_actions) and "sqs:SendMessage" in tier_actions


def test_the_constructs_are_iconnectable_and_igrantable(stack, net):
    """Declared to jsii, and CDK's own code takes them where it wants the interfaces."""
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    tier = HaWebTier(stack, "Web", vpc=net.vpc)
    db = PostgresDatabase(stack, "Db", vpc=net.vpc)
    for connectable in (host, tier, db):
        assert ec2.IConnectable in getattr(type(connectable), "__jsii_ifaces__", [])
    for grantable in (host, tier):
        assert iam.IGrantable in getattr(type(grantable), "__jsii_ifaces__", [])
    # ec2.Connections takes an IConnectable; CDK reads its groups back through jsii.
    tier.connections.allow_to(db, ec2.Port.tcp(5432), "to the database")
    grant = iam.Grant.add_to_principal(grantee=host, actions=["s3:ListBucket"], resource_arns=["*"])
    assert grant.success


# ---- an internal tier must admit someone, checked at synthesis ----


def test_an_internal_tier_that_admits_no_one_fails_synthesis(stack, net):
    HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False)
    with pytest.raises(Exception, match="HaWebTier UnitStack/App: an internal ALB admits no one"):
        synth(stack)


def test_granting_the_caller_later_satisfies_the_check(stack, net):
    app_tier = HaWebTier(stack, "App", vpc=net.vpc, internet_facing=False, app_port=8080)
    web = HaWebTier(stack, "Web", vpc=net.vpc)  # built after the tier it calls
    app_tier.grant_connect(web)
    t = synth(stack)
    (rule,) = ingress_rules(t, logical_id(app_tier.alb_security_group))
    assert (rule["FromPort"], source_group(rule), rule["Description"]) == (
        80,
        logical_id(web.instance_security_group),
        "from a granted tier",
    )


def test_access_through_the_listener_or_the_albs_connections_counts(stack, net):
    one = HaWebTier(stack, "One", vpc=net.vpc, internet_facing=False)
    two = HaWebTier(stack, "Two", vpc=net.vpc, internet_facing=False)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    one.listener.connections.allow_default_port_from(host, "from the host")
    two.alb.connections.allow_from(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(80), "the VPC")
    t = synth(stack)
    assert [source_group(r) for r in ingress_rules(t, logical_id(one.alb_security_group))] == [
        logical_id(host.security_group)
    ]
    assert [r["CidrIp"] for r in ingress_rules(t, logical_id(two.alb_security_group))] == [
        "10.0.0.0/16"
    ]


def test_a_caller_in_another_stack_counts(tmp_path):
    app_ = make_app(tmp_path)
    env = cdk.Environment(account="111122223333", region="ap-northeast-2")
    one = CourseAzStack(app_, "One", env=env)
    net = MultiAzVpc(one, "Net")
    tier = HaWebTier(one, "App", vpc=net.vpc, internet_facing=False)
    other = CourseAzStack(app_, "Other", env=env)
    group = ec2.SecurityGroup(other, "Caller", vpc=net.vpc)
    group.connections.allow_to(tier.listener, ec2.Port.tcp(80), "from another stack")
    template = app_.synth().get_stack_by_name("Other").template  # no validation error
    (rule,) = props(template, "AWS::EC2::SecurityGroupIngress")
    assert rule["Description"] == "from another stack"


def test_grant_connect_on_an_internet_facing_tier_is_refused(stack, net):
    web = HaWebTier(stack, "Web", vpc=net.vpc)
    with pytest.raises(CourseInputError, match="grant_connect is for internal ALBs"):
        web.grant_connect(LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0]))


# ---- the construct surface ----


def public_construct_classes():
    """Every public Construct subclass defined in week5/constructs/*.py."""
    found = {}
    for path in sorted(CONSTRUCTS_DIR.glob("*.py")):
        module = __import__(f"week5.constructs.{path.stem}", fromlist=["_"])
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Construct)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[name] = value
    return found


def test_week5_constructs_exports_every_public_construct():
    classes = public_construct_classes()
    assert {"MultiAzVpc", "DockerHost", "BastionPair", "HaWebTier", "CloudMartStack"} <= set(
        classes
    )
    assert sorted(set(classes) - set(week5.constructs.__all__)) == []
    for name in week5.constructs.__all__:
        assert getattr(week5.constructs, name) is not None, name


def _self_assignments(function):
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for item in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (
                    isinstance(item, ast.Attribute)
                    and isinstance(item.value, ast.Name)
                    and item.value.id == "self"
                    and not item.attr.startswith("_")
                ):
                    yield item.attr, node


def surface_problems():
    problems = []
    for name, cls in public_construct_classes().items():
        path = Path(inspect.getsourcefile(cls))
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        (class_node,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
        seen = set()
        for method in [n for n in class_node.body if isinstance(n, ast.FunctionDef)]:
            for attr, node in sorted(_self_assignments(method), key=lambda a: a[1].lineno):
                where = f"{path.name}:{node.lineno} {name}.{attr}"
                if method.name != "__init__":
                    problems.append(f"{where} is set in {method.name}(), not __init__")
                    continue
                if attr in seen:
                    continue
                seen.add(attr)
                if not isinstance(node, ast.AnnAssign):
                    problems.append(f"{where} has no type annotation")
                if not lines[node.lineno - 2].strip().startswith("#:"):
                    problems.append(f"{where} has no #: comment")
    return problems


def test_every_public_attribute_is_set_in_init_typed_and_documented():
    assert surface_problems() == []


def test_the_surface_check_finds_an_undocumented_attribute(monkeypatch, tmp_path):
    """The check is not vacuous: a construct that sets an attribute in a helper is caught."""
    source = (
        "from constructs import Construct\n"
        "class Bad(Construct):\n"
        "    def __init__(self, scope, id):\n"
        "        super().__init__(scope, id)\n"
        "        self.plain = 1\n"
        "        self._helper()\n"
        "    def _helper(self):\n"
        "        #: documented but late\n"
        "        self.late: int = 2\n"
    )
    path = tmp_path / "bad.py"
    path.write_text(source)
    namespace = {"__name__": "week5.constructs.bad"}
    exec(compile(source, str(path), "exec"), namespace)
    bad = namespace["Bad"]
    bad.__module__ = "week5.constructs.bad"
    monkeypatch.setattr(inspect, "getsourcefile", lambda cls: str(path))
    monkeypatch.setitem(globals(), "public_construct_classes", lambda: {"Bad": bad})
    assert surface_problems() == [
        "bad.py:5 Bad.plain has no type annotation",
        "bad.py:5 Bad.plain has no #: comment",
        "bad.py:9 Bad.late is set in _helper(), not __init__",
    ]


def test_the_ec2_hardening_lives_in_its_own_module():
    from week5.constructs import hardening, host, vpc, web_tier

    shared = (
        "session_manager_role",
        "boot_script",
        "amazon_linux_2023",
        "encrypted_root_volume",
        "require_imdsv2",
        "acknowledge_course_azs",
    )
    for name in shared:
        assert getattr(hardening, name).__module__ == "week5.constructs.hardening", name
    tree = ast.parse(Path(host.__file__).read_text(encoding="utf-8"))
    host_defines = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert host_defines.isdisjoint(shared)
    assert web_tier.boot_script is hardening.boot_script
    assert vpc.require_imdsv2 is hardening.require_imdsv2
