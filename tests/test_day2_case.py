"""Day 2 case: E-Commerce 플랫폼 — CloudFront+S3 static files, ALB → PrestaShop on a shared EFS
docroot, MySQL 8.4, PHP sessions in Redis.

The course's case has no console steps; its "AWS 서비스 매핑" lists what each service does, and
each entry is checked here, with the case's behaviour: the health check needs no store, every
instance serves the same shop, Redis's settings reach the container."""

import subprocess

import pytest
import yaml
from efs_access import fstab_options, instance_role, refused_actions
from lab_outputs import outputs, run, step_registry
from support import ingress_rules, logical_id, mask_asset_hashes, props, resources

from stacks.day2 import (
    PRESTASHOP_BOOT,
    PRESTASHOP_BOOT_SCRIPT,
    PRESTASHOP_IMAGE,
    PRESTASHOP_STATUS_SCRIPT,
    SHOP_DOCROOT,
    SHOP_FILES_MOUNT,
    SHOP_LIVENESS_PATH,
    SHOP_STATUS,
)
from week5.analysis.teardown import teardown_findings
from week5.assets import COMPOSE_DIR
from week5.constructs.userdata import APP_DIR

LAB = "Day2Case"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def sources(t, sg):
    return {
        (r["FromPort"], r.get("CidrIp") or r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, sg)
    }


def launch_script(t, lab):
    template = t["Resources"][logical_id(lab.shop.launch_template)]["Properties"]
    parts = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return parts, "".join(p if isinstance(p, str) else "\x00" for p in parts)


def compose_service():
    (service,) = yaml.safe_load((COMPOSE_DIR / "prestashop.yml").read_text())["services"].values()
    return service


@pytest.fixture
def fake_aws(tmp_path):
    """A folder whose ``aws`` prints its arguments one per line (and an instance id for
    ``autoscaling``), for PATH."""
    aws = tmp_path / "aws"
    aws.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = autoscaling ] && [ "$2" = describe-auto-scaling-groups ]; then '
        "echo i-0shop; exit 0; fi\n"
        "printf '%s\\n' \"$@\"\n"
    )
    aws.chmod(0o755)
    return str(tmp_path)


# ---- The case's "AWS 서비스 매핑" (week5-course-rules.md, Day 2 Session 4), each made real ----

CASE_SERVICES, service = step_registry()


@service("매핑 1-2", "CloudFront: 정적 파일 CDN, S3: 상품 이미지 스토리지")
def _static(t, lab, fake_aws):
    assert len(props(t, "AWS::CloudFront::OriginAccessControl")) == 1
    bucket = t["Resources"][logical_id(lab.static.bucket)]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert outputs(t)["StaticUrl"] == f"https://<{logical_id(lab.static.distribution)}.DomainName>"


@service("매핑 3", "ALB: 로드 밸런싱")
def _alb(t, lab, fake_aws):
    alb = logical_id(lab.shop.alb_security_group)
    shop = logical_id(lab.shop.instance_security_group)
    assert sources(t, alb) == {(80, "0.0.0.0/0")}
    assert sources(t, shop) == {(80, alb)}
    assert outputs(t)["ShopUrl"] == f"http://<{logical_id(lab.shop.alb)}.DNSName>"


@service("매핑 4", "EC2: PrestaShop 컨테이너 (Auto Scaling 1-2대)")
def _shop(t, lab, fake_aws):
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert (asg["MinSize"], asg["MaxSize"]) == ("1", "2")
    _, text = launch_script(t, lab)
    assert f"image: {PRESTASHOP_IMAGE}" in text and compose_service()["image"] == PRESTASHOP_IMAGE
    assert text.count("json.load(sys.stdin)") == 2  # DB_USER and DB_PASSWD from the RDS secret
    assert "DB_PASSWD: password" not in text and "rootpassword" not in text
    asg_id = logical_id(lab.shop.asg)
    scale = run(outputs(t)["ScaleOutCommand"], {f"<{asg_id}>": "shop-asg"}, path=fake_aws)
    # The minimum goes up too: a desired size alone, the idle group's scale-in alarm (target
    # tracking, already in ALARM) took back before the second instance had booted.
    assert scale.stdout.split() == [
        "autoscaling", "update-auto-scaling-group", "--region", "ap-northeast-2",
        "--auto-scaling-group-name", "shop-asg", "--min-size", "2", "--desired-capacity", "2",
    ]
    back = run(outputs(t)["ScaleInCommand"], {f"<{asg_id}>": "shop-asg"}, path=fake_aws)
    assert back.stdout.split() == [
        "autoscaling", "update-auto-scaling-group", "--region", "ap-northeast-2",
        "--auto-scaling-group-name", "shop-asg", "--min-size", "1",
    ]


@service("매핑 5", "RDS: MySQL 데이터베이스 (설치 마법사가 연결)")
def _mysql(t, lab, fake_aws):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert db["Engine"] == "mysql" and db["EngineVersion"].startswith("8.4.")
    assert db["DBName"] == "prestashop" and db["StorageEncrypted"] is True
    (db_rule,) = ingress_rules(t, logical_id(lab.database.security_group))
    assert db_rule["SourceSecurityGroupId"]["Fn::GetAtt"][0] == logical_id(
        lab.shop.instance_security_group
    )
    # What the installer's database step asks: the server (an output), the credentials.
    shown = outputs(t)
    assert shown["DbEndpoint"] == f"<{logical_id(lab.database.instance)}.Endpoint.Address>"
    secret = lab.resolve(lab.database.secret.secret_arn)["Ref"]
    credentials = run(shown["DbCredentialsCommand"], {f"<{secret}>": "arn:secret"}, path=fake_aws)
    assert credentials.stdout.split() == [
        "secretsmanager", "get-secret-value", "--region", "ap-northeast-2", "--secret-id",
        "arn:secret", "--query", "SecretString", "--output", "text",
    ]


@service("매핑 6", "ElastiCache: 세션 스토어 (PHP 세션이 Redis에)")
def _redis(t, lab, fake_aws):
    assert sources(t, logical_id(lab.cache.security_group)) == {
        (6379, logical_id(lab.shop.instance_security_group))
    }
    # The wiring's inputs reach the container: the endpoint and the token into .env, the
    # compose file into PrestaShop's environment, which the PHP settings read.
    parts, text = launch_script(t, lab)
    token = {"Ref": logical_id(lab.cache.auth_secret)}
    assert token in parts
    endpoint = {"Fn::GetAtt": [logical_id(lab.cache.replication_group), "PrimaryEndPoint.Address"]}
    at = parts.index(endpoint)
    assert parts[at - 1].endswith("echo 'REDIS_HOST=")
    assert "printf '%s=%s\\n' REDIS_AUTH_TOKEN" in text
    env = compose_service()["environment"]
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_AUTH_TOKEN"):
        assert env[name].startswith(f"${{{name}"), name
        assert f"${{{name}}}" in PRESTASHOP_BOOT_SCRIPT.read_text()  # in session.save_path
    volumes = compose_service()["volumes"]
    assert "./week5-php.ini:/usr/local/etc/php/conf.d/zz-week5.ini:ro" in volumes
    assert "./php-ext:/usr/local/lib/php/week5:ro" in volumes


@service("학습 포인트 3", "데이터 영속성: 모든 인스턴스가 같은 상점 (EFS 문서 루트 + RDS)")
def _shared_state(t, lab, fake_aws):
    (efs,) = resources(t, "AWS::EFS::FileSystem").values()
    assert efs["Properties"]["Encrypted"] is True and efs["DeletionPolicy"] == "Delete"
    assert len(props(t, "AWS::EFS::MountTarget")) == 2  # one per AZ of the instances
    assert sources(t, logical_id(lab.shop_files.security_group)) == {
        (2049, logical_id(lab.shop.instance_security_group))
    }
    (asg_id, asg) = next(iter(resources(t, "AWS::AutoScaling::AutoScalingGroup").items()))
    targets = set(resources(t, "AWS::EFS::MountTarget"))
    assert targets <= set(asg["DependsOn"])  # instances boot after the mount targets exist
    _, text = launch_script(t, lab)
    # Every instance mounts it with its role (the policy refuses anonymous clients) and seeds
    # the docroot as root.
    options = fstab_options(text, SHOP_FILES_MOUNT)
    assert options == ["_netdev", "tls", "iam", "nofail"]
    data = t["Resources"][logical_id(lab.shop.launch_template)]["Properties"]["LaunchTemplateData"]
    role = instance_role(t, data["IamInstanceProfile"]["Arn"]["Fn::GetAtt"][0])
    assert refused_actions(t, logical_id(lab.shop_files.file_system), role, options) == []
    # Mount, seed once, then compose with the docroot on EFS (not a volume of one instance).
    order = [
        f"mkdir -p {SHOP_FILES_MOUNT}",
        f"{PRESTASHOP_BOOT} {PRESTASHOP_IMAGE} {SHOP_DOCROOT} {APP_DIR}",
        f"echo 'SHOP_DOCROOT={SHOP_DOCROOT}' >>",
        "docker compose up -d",
    ]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions)
    assert PRESTASHOP_BOOT_SCRIPT.read_text().strip() in text
    service_ = compose_service()
    assert "${SHOP_DOCROOT:?the shop's files on EFS}:/var/www/html" in service_["volumes"]
    assert "volumes" not in yaml.safe_load((COMPOSE_DIR / "prestashop.yml").read_text())
    # The image's entry script would copy the shop over NFS at every start: Apache directly.
    assert service_["command"] == ["apache2-foreground"]
    asg_ref = f"<{asg_id}>"
    remove = run(outputs(t)["RemoveInstallFolderCommand"], {asg_ref: "shop-asg"}, path=fake_aws)
    assert remove.stdout.splitlines() == [
        "ssm", "send-command", "--region", "ap-northeast-2", "--document-name",
        "AWS-RunShellScript", "--targets", "Key=tag:aws:autoscaling:groupName,Values=shop-asg",
        "--parameters", f"commands=['rm -rf {SHOP_DOCROOT}/install']",
        "--query", "Command.CommandId", "--output", "text",
    ]


@service("장애 조치", "헬스 체크는 저장소 없이: DB 장애 조치가 인스턴스를 교체하지 않음")
def _liveness(t, lab, fake_aws):
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == SHOP_LIVENESS_PATH == "/health"
    # /health is a local file Apache serves (tests/test_prestashop_boot.py runs the script
    # that writes it): no PHP, MySQL, Redis or EFS behind it.
    assert "Alias /health /var/www/week5-health.txt" in PRESTASHOP_BOOT_SCRIPT.read_text()
    volumes = compose_service()["volumes"]
    assert "./week5-health.conf:/etc/apache2/conf-enabled/week5-health.conf:ro" in volumes
    assert "./health.txt:/var/www/week5-health.txt:ro" in volumes
    (asg,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert asg["Properties"]["HealthCheckType"] == "ELB"
    assert asg["Properties"]["HealthCheckGracePeriod"] == 600  # first boot: seed, phpredis
    # The readiness report: the stores, from one instance, through Session Manager.
    _, text = launch_script(t, lab)
    assert PRESTASHOP_STATUS_SCRIPT.read_text().strip() in text
    assert f"cat > {SHOP_STATUS} <<" in text
    asg_ref = f"<{logical_id(lab.shop.asg)}>"
    status = run(outputs(t)["ShopStatusCommand"], {asg_ref: "shop-asg"}, path=fake_aws)
    assert status.stdout.splitlines() == [
        "ssm", "start-session", "--region", "ap-northeast-2", "--target", "i-0shop",
        "--document-name", "AWS-StartInteractiveCommand", "--parameters",
        f"command='sudo {SHOP_STATUS}'",
    ]


@service("정리", "리소스 정리: EFS까지 cdk destroy로")
def _cleanup(t, lab, fake_aws):
    assert teardown_findings(t) == []


def test_case_services_are_listed_in_the_courses_order():
    assert list(CASE_SERVICES) == [
        "매핑 1-2", "매핑 3", "매핑 4", "매핑 5", "매핑 6", "학습 포인트 3", "장애 조치", "정리",
    ]


@pytest.mark.parametrize("number", list(CASE_SERVICES))
def test_case_service_does_its_job(number, t, lab, fake_aws):
    _, check = CASE_SERVICES[number]
    check(t, lab, fake_aws)


def test_private_hosts_reach_the_internet_through_a_nat_instance(t):
    assert resources(t, "AWS::EC2::NatGateway") == {}
    assert [p["InstanceType"] for p in props(t, "AWS::EC2::Instance")] == ["t4g.nano"]


def test_the_case_output_commands_are_valid_shell(t):
    for name, command in outputs(t).items():
        if " " in command:
            assert subprocess.run(["bash", "-n", "-c", command]).returncode == 0, name
