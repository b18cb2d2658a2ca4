"""The library's shared helpers, on their own: S3 grants, boot lines, the WAF ACL, a private bucket,
jump-host outputs, and what DockerHost and BastionPair refuse or accept."""

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from support import logical_id, props, resources, synth

from week5.assets import COMPOSE_DIR
from week5.constructs import userdata
from week5.constructs.access import grant_asset_read, grant_put_only
from week5.constructs.bastion import BastionPair, add_jump_outputs
from week5.constructs.bucket import NO_ACCESS_LOGS_REASON, private_bucket
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.key_pair import LabKeyPair
from week5.constructs.waf import DEFAULT_MANAGED_RULE_GROUPS, regional_web_acl
from week5.core.errors import CourseInputError

REGION = "ap-northeast-2"


def _statements(template):
    policies = props(template, "AWS::IAM::Policy")
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def _writer(stack):
    return iam.Role(stack, "Writer", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))


# --- access.grant_put_only, grant_asset_read ---------------------------------------------------


def test_grant_put_only_writes_under_the_prefix_and_nothing_else(stack):
    bucket = private_bucket(stack, "Archive")
    grant = grant_put_only(
        bucket, _writer(stack), "transfers/", reason="Each record gets a new key under transfers/."
    )
    t = synth(stack)  # the nag gate passes: the prefix wildcard is acknowledged
    bucket_id = logical_id(bucket)
    assert _statements(t) == [
        {
            "Action": "s3:PutObject",
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/transfers/*"]]},
        }
    ]
    assert grant.success


def test_grant_put_only_lists_the_bucket_for_a_sync_when_asked(stack):
    bucket = private_bucket(stack, "Media")
    grant_put_only(
        bucket,
        _writer(stack),
        "news/content/images/",
        list_bucket=True,
        reason="Images get names the writer cannot know in advance.",
    )
    t = synth(stack)
    bucket_arn = {"Fn::GetAtt": [logical_id(bucket), "Arn"]}
    assert [(s["Action"], s["Resource"]) for s in _statements(t)] == [
        ("s3:ListBucket", bucket_arn),
        ("s3:PutObject", {"Fn::Join": ["", [bucket_arn, "/news/content/images/*"]]}),
    ]


def test_grant_put_only_takes_a_bucket_imported_by_name(stack):
    """A review found an AttributeError: an imported bucket has no resource to acknowledge
    the wildcard on; cdk-nag names it by its ARN."""
    bucket = s3.Bucket.from_bucket_name(stack, "Imported", "acme-archive")
    grant_put_only(
        bucket, _writer(stack), "transfers/", reason="Each record gets a new key under transfers/."
    )
    t = synth(stack)  # the nag gate passes: the wildcard on the imported ARN is acknowledged
    assert [(s["Action"], s["Resource"]) for s in _statements(t)] == [
        ("s3:PutObject", "arn:aws:s3:::acme-archive/transfers/*")
    ]


@pytest.mark.parametrize("prefix", ["/transfers/", "transfers/*", ""])  # "": every key
def test_grant_put_only_refuses_a_prefix_that_is_not_plain(stack, prefix):
    bucket = private_bucket(stack, "Archive")
    with pytest.raises(CourseInputError, match="must be a plain key prefix"):
        grant_put_only(bucket, _writer(stack), prefix, reason="Each record gets a new key.")


def test_grant_asset_read_reads_the_one_object(stack, tmp_path):
    (tmp_path / "app.py").write_text("print('hi')\n")
    asset = s3_assets.Asset(stack, "App", path=str(tmp_path / "app.py"))
    grant_asset_read(asset, _writer(stack))
    t = synth(stack)
    (statement,) = _statements(t)
    assert statement["Action"] == "s3:GetObject"
    assert "s3:GetObject*" not in json.dumps(t)
    parts = statement["Resource"]["Fn::Join"][1]
    assert parts[-1].endswith(".py") and "*" not in json.dumps(parts)


# --- userdata: boot lines, run in bash --------------------------------------------------------


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


def _bash(tmp_path: Path, lines, tail=()):
    script = "\n".join(["set -euo pipefail", *lines, *tail])
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)


@pytest.fixture
def secret_host(tmp_path):
    """`aws` prints an RDS secret for the one ARN it is given, and fails for any other."""
    (tmp_path / "bin").mkdir()
    secret = {
        "host": "db.example",
        "port": 5432,
        "dbname": "week5",
        "username": "lab",
        "password": "p@ss word$1",
    }
    _stub(
        tmp_path / "bin",
        "aws",
        'while [ $# -gt 0 ]; do [ "$1" = --secret-id ] && id=$2; shift; done\n'
        '[ "$id" = arn:db ] || exit 3\n'
        f"cat <<'EOF'\n{json.dumps(secret)}\nEOF",
    )
    return tmp_path


def _pg_env(result):
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if line.startswith("PG"))


def test_libpq_env_from_secret_exports_the_secrets_fields(secret_host):
    lines = userdata.libpq_env_from_secret(region=REGION, secret_arn="arn:db")
    env = _pg_env(_bash(secret_host, lines, ["bash -c env"]))  # exported: a child sees them
    assert env == {
        "PGHOST": "db.example",
        "PGPORT": "5432",
        "PGDATABASE": "week5",
        "PGUSER": "lab",
        "PGPASSWORD": "p@ss word$1",
        "PGSSLMODE": "require",
    }


def test_libpq_env_from_secret_checks_the_server_against_a_ca_bundle(secret_host):
    lines = userdata.libpq_env_from_secret(
        region=REGION,
        secret_arn="arn:db",
        sslmode="verify-full",
        sslrootcert="${CA_DIR:-/opt/ca}/rds-ca.pem",
    )
    env = _pg_env(_bash(secret_host, lines, ["bash -c env"]))
    assert env["PGSSLMODE"] == "verify-full"
    assert env["PGSSLROOTCERT"] == "/opt/ca/rds-ca.pem"


def test_libpq_env_from_secret_stops_on_an_unreadable_secret(secret_host):
    lines = userdata.libpq_env_from_secret(region=REGION, secret_arn="arn:other")
    result = _bash(secret_host, lines, ["echo reached"])
    assert result.returncode != 0 and "reached" not in result.stdout


def test_the_psql_wrapper_and_lab_app_read_the_secret_the_same_way():
    from stacks.day3 import lab_app_wrapper

    shared = userdata.libpq_env_from_secret(region=REGION, secret_arn="arn:db")[:4]
    for script in (
        userdata.psql_client_script(region=REGION, secret_arn="arn:db"),
        lab_app_wrapper(region=REGION, secret_arn="arn:db"),
    ):
        assert "\n".join(shared) in script


class _FakeAsset:
    """What download_asset reads of an ``s3_assets.Asset``."""

    def __init__(self, url: str, is_zip: bool) -> None:
        self.s3_object_url = url
        self.is_zip_archive = is_zip


@pytest.fixture
def asset_host(tmp_path):
    """`aws s3 cp s3://bucket/<name> DEST` copies ``store/<name>`` to DEST."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "store").mkdir()
    _stub(
        tmp_path / "bin",
        "aws",
        'args=(); for a in "$@"; do case $a in --*|ap-*) ;; *) args+=("$a");; esac; done\n'
        f'cp "{tmp_path}/store/${{args[2]#s3://bucket/}}" "${{args[3]}}"',
    )
    return tmp_path


def test_download_asset_puts_a_file_asset_at_its_path(asset_host):
    (asset_host / "store" / "app.py").write_text("print('hi')\n")
    destination = asset_host / "opt" / "app" / "app.py"
    asset = _FakeAsset("s3://bucket/app.py", is_zip=False)
    lines = userdata.download_asset(asset, str(destination), REGION)
    result = _bash(asset_host, lines)
    assert result.returncode == 0, result.stderr
    assert destination.read_text() == "print('hi')\n"


def test_download_asset_unpacks_a_folder_asset(asset_host):
    with zipfile.ZipFile(asset_host / "store" / "src.zip", "w") as archive:
        archive.writestr("server.js", "// api\n")
        archive.writestr("lib/db.js", "// db\n")
    destination = asset_host / "opt" / "app"
    asset = _FakeAsset("s3://bucket/src.zip", is_zip=True)
    lines = userdata.download_asset(asset, str(destination), REGION)
    result = _bash(asset_host, lines)
    assert result.returncode == 0, result.stderr
    assert (destination / "server.js").read_text() == "// api\n"
    assert (destination / "lib" / "db.js").read_text() == "// db\n"


def test_s3_sync_timer_syncs_the_folder_every_minute():
    lines = userdata.s3_sync_timer(
        "media-sync",
        "/opt/app/images",
        "s3://media/images/",
        region=REGION,
        description="copy images",
        timer_description="images, every minute",
    )
    text = "\n".join(lines)
    assert (
        "ExecStart=/usr/bin/aws s3 sync /opt/app/images s3://media/images/ "
        f"--region {REGION} --only-show-errors" in text
    )
    assert "ExecCondition=/usr/bin/test -d /opt/app/images" in text
    assert "OnUnitActiveSec=1min" in text
    assert lines[-1] == "systemctl enable --now media-sync.timer"
    with pytest.raises(CourseInputError, match="must be an s3://"):
        userdata.s3_sync_timer(
            "media-sync", "/x", "media/", region=REGION, description="d", timer_description="t"
        )


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda: userdata.write_file("/x", "a\nWEEK5_EOF\n"), "must not contain"),
        (lambda: userdata.nginx_proxy("api", "alb"), "must start and end with /"),
        (lambda: userdata.python_service("Bad Name", Path("/x"), {}), "lowercase"),
    ],
)
def test_boot_line_helpers_refuse_bad_input_as_course_input(call, says):
    with pytest.raises(CourseInputError, match=says):
        call()


def test_docker_host_refuses_a_bad_compose_variable_naming_the_host(stack, net):
    with pytest.raises(CourseInputError, match=r"DockerHost UnitStack/Web: compose variable 'db_host'"):
        DockerHost(
            stack,
            "Web",
            vpc=net.vpc,
            subnet=net.public_subnets[0],
            compose_file=COMPOSE_DIR / "wordpress-web.yml",
            compose_env={"db_host": "10.0.0.5"},
        )
    with pytest.raises(CourseInputError, match=r"DockerHost UnitStack/Web2: compose variable X: a value"):
        DockerHost(
            stack,
            "Web2",
            vpc=net.vpc,
            subnet=net.public_subnets[0],
            compose_file=COMPOSE_DIR / "wordpress-web.yml",
            compose_env={"X": "it's"},
        )


# --- waf.regional_web_acl ---------------------------------------------------------------------


def test_regional_web_acl_runs_the_managed_groups_then_the_rate_limit(stack):
    acl = regional_web_acl(stack, "WebAcl", metric_name="Lab", rate_limit=500)
    assert acl.node.scope is stack  # in the caller's scope: the caller's logical id
    t = synth(stack)
    (acl_id,) = resources(t, "AWS::WAFv2::WebACL")
    assert acl_id.startswith("WebAcl")
    (web_acl,) = props(t, "AWS::WAFv2::WebACL")
    assert web_acl["Scope"] == "REGIONAL"
    assert web_acl["DefaultAction"] == {"Allow": {}}
    assert web_acl["VisibilityConfig"]["MetricName"] == "Lab"
    rules = web_acl["Rules"]
    assert [(r["Name"], r["Priority"]) for r in rules] == [
        *((group, index) for index, group in enumerate(DEFAULT_MANAGED_RULE_GROUPS)),
        ("RatePerIp", 3),
    ]
    assert rules[-1]["Action"] == {"Block": {}}
    assert rules[-1]["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 500}


def test_regional_web_acl_refuses_a_rate_below_wafs_minimum(stack):
    with pytest.raises(CourseInputError, match="rate_limit=5 is below WAF's minimum"):
        regional_web_acl(stack, "WebAcl", metric_name="Lab", rate_limit=5)


# --- bucket.private_bucket --------------------------------------------------------------------


def test_private_bucket_takes_lifecycle_rules_and_its_own_reason(stack):
    bucket = private_bucket(
        stack,
        "Archive",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ToGlacier",
                transitions=[
                    s3.Transition(
                        storage_class=s3.StorageClass.GLACIER,
                        transition_after=Duration.days(30),
                    )
                ],
            )
        ],
        access_logs_reason="The archive holds exports only the API servers write, no more.",
    )
    t = synth(stack)
    (bucket_props,) = props(t, "AWS::S3::Bucket")
    assert bucket_props["LifecycleConfiguration"]["Rules"] == [
        {
            "Id": "ToGlacier",
            "Status": "Enabled",
            "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
        }
    ]
    assert bucket_props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert "Custom::S3AutoDeleteObjects" in json.dumps(t)
    shown = json.dumps([entry.data for entry in bucket.node.metadata])
    assert "no more" in shown and NO_ACCESS_LOGS_REASON not in shown


def test_private_bucket_gives_the_emptying_function_a_log_group_of_the_stack(stack):
    private_bucket(stack, "Media")
    t = synth(stack)  # no app builder here: the bucket's own wiring, at synthesis
    (group_id,) = resources(t, "AWS::Logs::LogGroup")
    (handler,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert handler["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": group_id}}


def test_private_bucket_is_still_importable_from_the_static_site_module():
    from week5.constructs import private_bucket as exported
    from week5.constructs.static_site import private_bucket as old_home

    assert exported is old_home is private_bucket


# --- bastion: add_jump_outputs, the public-subnet test ------------------------------------------


def _hosts(stack, net, ssh_cidr=None):
    key = LabKeyPair(stack, "Key")
    jump = LabHost(
        stack, "Jump", vpc=net.vpc, subnet=net.public_subnets[0], ssh_key=key, ssh_cidr=ssh_cidr
    )
    target = LabHost(stack, "Target", vpc=net.vpc, subnet=net.private_subnets[0], ssh_key=key)
    target.connections.allow_from(jump, ec2.Port.tcp(22), "SSH from the jump host only")
    return jump, target


def _output_ids(template):
    return list(template.get("Outputs", {}))


def test_add_jump_outputs_writes_them_in_the_order_given(stack, net):
    jump, target = _hosts(stack, net, ssh_cidr="198.51.100.7/32")
    commands = add_jump_outputs(
        stack,
        jump,
        target,
        ssm=("TargetSsm", "a shell on the target"),
        ssh_direct=("TargetDirect", "through the jump host's public IP"),
        ssh=("TargetSsh", "through the jump host over Session Manager"),
    )
    assert list(commands) == ["ssm", "ssh_direct", "ssh"]
    t = synth(stack)
    ids = [i for i in _output_ids(t) if i.startswith("Target")]
    assert ids == ["TargetSsm", "TargetDirect", "TargetSsh"]
    assert t["Outputs"]["TargetDirect"]["Description"] == "through the jump host's public IP"


def test_add_jump_outputs_skips_the_direct_ones_without_ssh_cidr(stack, net):
    jump, target = _hosts(stack, net)
    commands = add_jump_outputs(
        stack,
        jump,
        target,
        jump_ssh=("JumpSsh", "SSH to the jump host over Session Manager"),
        jump_ssh_direct=("JumpDirect", "SSH to the jump host's public IP"),
    )
    assert list(commands) == ["jump_ssh"]
    assert "JumpDirect" not in _output_ids(synth(stack))


def test_add_jump_outputs_refuses_an_unknown_kind(stack, net):
    jump, target = _hosts(stack, net)
    with pytest.raises(CourseInputError, match=r"unknown kinds \['rdp'\]"):
        add_jump_outputs(stack, jump, target, rdp=("Rdp", "remote desktop"))


def test_bastion_pair_knows_a_public_subnet_by_its_id(stack, net):
    # Public-A imported by id (a construct of another path) is still a public subnet: the
    # private host must not land there.
    public_a = net.public_subnets[0]
    imported = ec2.Subnet.from_subnet_attributes(
        stack,
        "Imported",
        subnet_id=public_a.subnet_id,
        availability_zone=public_a.availability_zone,
    )
    with pytest.raises(CourseInputError, match="private_subnet must not be a public subnet"):
        BastionPair(stack, "Pair", vpc=net.vpc, private_subnet=imported)
