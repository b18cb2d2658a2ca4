"""Day 3 case: FinTech — WAF on the ALB, API Gateway in front, RDS Multi-AZ, Redis, S3 archive.

The course's case has no console steps; its "AWS 서비스 매핑" lists what each service does.
Each entry is checked on the template, and the outputs' commands are run against the real API
(server.js on the test session's PostgreSQL, Redis and an S3 emulator)."""

import json
import shlex
import shutil
import subprocess
import time

import pytest
import yaml
from fintech_app import BUCKET, fintech_api, s3_client, s3_emulator
from lab_outputs import outputs, run, step_registry
from node_apis import call
from support import ingress_rules, logical_id, mask_asset_hashes, props, resources

from stacks.day3 import ARCHIVE_PREFIX, FINTECH_LIVENESS_PATH, FINTECH_READY_PATH
from week5.analysis.teardown import teardown_findings
from week5.assets import APPS_DIR, COMPOSE_DIR
from week5.constructs.userdata import APP_DIR

LAB = "Day3Case"
APP = APPS_DIR / "fintech_api"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def only(t, rtype):
    (key,) = resources(t, rtype)
    return key


def launch_script(t, lab):
    template = t["Resources"][logical_id(lab.api_servers.launch_template)]["Properties"]
    parts = template["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return parts, "".join(p if isinstance(p, str) else "\x00" for p in parts)


@pytest.fixture(scope="module")
def running_api(postgres_server, redis_server):
    """The API as the instances run it, with a fresh database and the archive on moto."""
    import psycopg

    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS fintech_case")
        connection.execute("CREATE DATABASE fintech_case")
    with s3_emulator() as endpoint:
        with fintech_api(postgres_server, redis_server, "fintech_case", endpoint) as (base, _):
            deadline = time.monotonic() + 30
            while call(f"{base}/ready")[0] != 200:
                assert time.monotonic() < deadline, "the API never became ready"
                time.sleep(0.2)
            yield base, endpoint


@pytest.fixture
def fake_aws(tmp_path):
    """A folder whose ``aws`` prints its arguments (and, for elbv2, two healthy targets)."""
    aws = tmp_path / "aws"
    aws.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = elbv2 ]; then echo "healthy healthy"; else printf \'%s\\n\' "$*"; fi\n'
    )
    aws.chmod(0o755)
    return str(tmp_path)


def stand_ins(t, lab, base):
    return {
        f"<{logical_id(lab.http_api)}.ApiEndpoint>": base,
        f"http://<{logical_id(lab.api_servers.alb)}.DNSName>": base,
        f"<{logical_id(lab.archive)}>": BUCKET,
        f"<{logical_id(lab.database.instance)}>": "week5-fintech-db",
        f"<{logical_id(lab.api_servers.target_group)}>": "arn:aws:elasticloadbalancing:tg",
    }


# ---- The case's "AWS 서비스 매핑" (week5-course-rules.md, Day 3 Session 4), each made real ----

CASE_SERVICES, service = step_registry()


@service("매핑 1", "WAF: DDoS 방어 및 SQL Injection 차단")
def _waf(t, lab, api, fake_aws):
    (acl,) = props(t, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    groups = [
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert "AWSManagedRulesSQLiRuleSet" in groups and "AWSManagedRulesCommonRuleSet" in groups
    # 1,000 requests in 5 minutes per caller: through API Gateway (its token present) by the
    # address it forwards, directly to the ALB by the source address. test_day3_case_events
    # plays an attack through API Gateway against these rules.
    direct, forwarded = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    token = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    from_api_gateway = {
        "ByteMatchStatement": {
            "FieldToMatch": {"SingleHeader": {"Name": "x-week5-origin"}},
            "PositionalConstraint": "EXACTLY",
            "SearchString": token,
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }
    assert direct["Name"] == "RatePerIp" and forwarded["Name"] == "RatePerForwardedIp"
    assert direct["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": 1000,
        "ScopeDownStatement": {"NotStatement": {"Statement": from_api_gateway}},
    }
    assert forwarded["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "FORWARDED_IP",
        "ForwardedIPConfig": {"FallbackBehavior": "NO_MATCH", "HeaderName": "x-week5-client-ip"},
        "Limit": 1000,
        "ScopeDownStatement": from_api_gateway,
    }
    assert direct["Action"] == forwarded["Action"] == {"Block": {}}
    (association,) = props(t, "AWS::WAFv2::WebACLAssociation")
    assert association["ResourceArn"] == {"Ref": logical_id(lab.api_servers.alb)}


@service("매핑 2", "ALB: 로드 밸런싱 (API Gateway가 HTTPS로 받아 WAF가 붙은 ALB로)")
def _alb_and_api_gateway(t, lab, api, fake_aws):
    (integration,) = props(t, "AWS::ApiGatewayV2::Integration")
    assert integration["IntegrationType"] == "HTTP_PROXY"
    uri = integration["IntegrationUri"]["Fn::Join"][1]
    # The $default route passes the whole path on: the URL is the ALB's, without {proxy}.
    assert uri == ["http://", {"Fn::GetAtt": [logical_id(lab.api_servers.alb), "DNSName"]}]
    # The caller's address and API Gateway's token, over whatever the caller sent: WAF's rules.
    assert integration["RequestParameters"] == {
        "overwrite:header.x-week5-client-ip": "$context.identity.sourceIp",
        "overwrite:header.x-week5-origin": {
            "Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]
        },
    }
    (route,) = props(t, "AWS::ApiGatewayV2::Route")
    assert route["RouteKey"] == "$default"
    (stage,) = props(t, "AWS::ApiGatewayV2::Stage")
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    log_group = stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert t["Resources"][log_group]["DeletionPolicy"] == "Delete"
    shown = outputs(t)
    assert shown["ApiGatewayUrl"] == f"<{logical_id(lab.http_api)}.ApiEndpoint>"
    assert shown["AlbUrl"] == f"http://<{logical_id(lab.api_servers.alb)}.DNSName>"


@service("매핑 3", "EC2: Node.js API 서버 (2-4대)")
def _api_servers(t, lab, api, fake_aws):
    (asg,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert (asg["MinSize"], asg["MaxSize"], asg["HealthCheckType"]) == ("2", "4", "ELB")
    parts, text = launch_script(t, lab)
    assert "image: node:22-alpine" in text and "rds-ca.pem" in text
    assert "POSTGRES_PASSWORD: password" not in text
    # The source comes from the stack's S3 asset, unpacked beside the compose file.
    asset_url = lab.resolve(lab.api_source.s3_object_url)
    assert asset_url in parts
    assert f"python3 -m zipfile -e /tmp/week5-asset.zip {APP_DIR}" in text
    assert text.index("zipfile -e") < text.index("docker compose up -d")
    base, _ = api
    moved = json.loads(run(outputs(t)["TransferExample"], stand_ins(t, lab, base)).stdout)
    assert (moved["from"], moved["to"], moved["amount_krw"]) == ("alice", "bob", 1000)


@service("매핑 4", "RDS PostgreSQL: 트랜잭션 데이터 (ACID, Multi-AZ)")
def _postgres(t, lab, api, fake_aws):
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert (db["Engine"], db["MultiAZ"], db["DBName"]) == ("postgres", True, "fintech")
    servers = logical_id(lab.api_servers.instance_security_group)
    (rule,) = ingress_rules(t, logical_id(lab.database.security_group))
    assert rule["SourceSecurityGroupId"]["Fn::GetAtt"][0] == servers


@service("매핑 5", "ElastiCache Redis: 세션 & 실시간 잔액 캐시")
def _redis(t, lab, api, fake_aws):
    servers = logical_id(lab.api_servers.instance_security_group)
    (rule,) = ingress_rules(t, logical_id(lab.cache.security_group))
    assert (rule["FromPort"], rule["SourceSecurityGroupId"]["Fn::GetAtt"][0]) == (6379, servers)
    _, text = launch_script(t, lab)
    assert "REDIS_AUTH_TOKEN" in text and "REDIS_HOST=" in text
    base, _ = api
    command = outputs(t)["BalanceExample"]
    first = json.loads(run(command, stand_ins(t, lab, base)).stdout)
    second = json.loads(run(command, stand_ins(t, lab, base)).stdout)
    assert (first["account"], second["cache"]) == ("alice", "hit")


@service("매핑 6", "S3: 거래 내역 장기 보관 (Glacier)")
def _archive(t, lab, api, fake_aws):
    bucket_id = logical_id(lab.archive)
    bucket = t["Resources"][bucket_id]
    rule = bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert rule["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 30}]
    # A record is ~150 bytes; S3's default moves nothing under 128 KB.
    lifecycle = bucket["Properties"]["LifecycleConfiguration"]
    assert lifecycle["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
    assert bucket["DeletionPolicy"] == "Delete"
    # The API servers may only put objects under the prefix.
    statements = [
        s
        for p in props(t, "AWS::IAM::Policy")
        for s in p["PolicyDocument"]["Statement"]
        if "s3:PutObject" in s["Action"] or s["Action"] == "s3:PutObject"
    ]
    assert statements == [
        {
            "Action": "s3:PutObject",
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]},
                                           f"/{ARCHIVE_PREFIX}*"]]},
        }
    ]
    # The wiring's input reaches the container: the bucket's name into .env, the compose file
    # into the API's environment.
    parts, _ = launch_script(t, lab)
    at = parts.index({"Ref": bucket_id})
    assert parts[at - 1].endswith("echo 'ARCHIVE_BUCKET=") and parts[at + 1].startswith("' >>")
    (api_service,) = yaml.safe_load((COMPOSE_DIR / "fintech-api.yml").read_text())[
        "services"
    ].values()
    assert api_service["environment"]["ARCHIVE_BUCKET"].startswith("${ARCHIVE_BUCKET:?")
    # A transfer through the output's command lands in the bucket.
    base, endpoint = api
    moved = json.loads(run(outputs(t)["TransferExample"], stand_ins(t, lab, base)).stdout)
    assert moved["archive"]["stored"] is True
    body = s3_client(endpoint).get_object(Bucket=BUCKET, Key=moved["archive"]["key"])["Body"]
    assert json.loads(body.read())["id"] == moved["id"]
    listing = run(outputs(t)["ArchiveListCommand"], stand_ins(t, lab, base), path=fake_aws)
    assert listing.stdout.strip() == (
        f"s3 ls --region ap-northeast-2 --recursive s3://{BUCKET}/{ARCHIVE_PREFIX}"
    )


@service("학습 포인트 3", "고가용성 & 장애 복구: Multi-AZ 장애 조치가 인스턴스를 교체하지 않음")
def _failover(t, lab, api, fake_aws):
    # The target group checks liveness, which calls no store (test_fintech_api shows it
    # answering while PostgreSQL is stopped); readiness reports the stores, and each new
    # instance waits for it before it signals CloudFormation.
    (group,) = props(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == FINTECH_LIVENESS_PATH
    (asg,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert asg["CreationPolicy"]["ResourceSignal"]["Count"] == 2
    _, text = launch_script(t, lab)
    assert f"http://127.0.0.1:80{FINTECH_READY_PATH}" in text
    base, _ = api
    shown = outputs(t)
    ready = json.loads(run(shown["ReadyCommand"], stand_ins(t, lab, base)).stdout)
    assert (ready["status"], ready["db"], ready["redis"]) == ("ready", "ok", "ok")
    failover = run(shown["DbFailoverCommand"], stand_ins(t, lab, base), path=fake_aws)
    assert failover.stdout.split() == [
        "rds", "reboot-db-instance", "--region", "ap-northeast-2",
        "--db-instance-identifier", "week5-fintech-db", "--force-failover",
    ]
    watch = run(f"timeout 3 bash -c {_quote(shown['FailoverWatchCommand'])}",
                stand_ins(t, lab, base), path=fake_aws)
    lines = watch.stdout.splitlines()
    assert json.loads(lines[1])["status"] == "ok"  # /health
    assert json.loads(lines[2])["status"] == "ready"  # /ready
    assert lines[3] == "healthy healthy"  # the targets


@service("정리", "리소스 정리: 아카이브 버킷까지 cdk destroy로")
def _cleanup(t, lab, api, fake_aws):
    assert teardown_findings(t) == []


def _quote(command):
    import shlex

    return shlex.quote(command)


def test_case_services_are_listed_in_the_courses_order():
    assert list(CASE_SERVICES) == [
        "매핑 1", "매핑 2", "매핑 3", "매핑 4", "매핑 5", "매핑 6", "학습 포인트 3", "정리",
    ]


@pytest.mark.parametrize("number", list(CASE_SERVICES))
def test_case_service_does_its_job(number, t, lab, running_api, fake_aws):
    _, check = CASE_SERVICES[number]
    check(t, lab, running_api, fake_aws)


def test_the_api_source_asset_holds_the_app_and_its_lock_file(app, lab):
    staged = app.outdir / lab.api_source.asset_path
    assert sorted(p.name for p in staged.iterdir()) == [
        "package-lock.json", "package.json", "server.js",
    ]
    assert (staged / "server.js").read_text() == (APP / "server.js").read_text()
    # The role reads that one object, nothing else of CDK's asset bucket.
    statements = [
        s for p in props(t_of(app), "AWS::IAM::Policy") for s in p["PolicyDocument"]["Statement"]
        if s["Action"] == "s3:GetObject"
    ]
    assert len(statements) == 1
    assert statements[0]["Resource"]["Fn::Join"][1][-1] == f"/{lab.api_source.s3_object_key}"


def t_of(app):
    return app.templates[LAB]


def test_the_api_source_fits_no_user_data_limit_because_it_is_not_in_user_data(t, lab):
    _, text = launch_script(t, lab)
    assert "require(\"pg\")" not in text and len(text.encode()) < 16384


def test_the_case_output_commands_are_valid_shell(t):
    """Every command but the Windows PowerShell twins, which the next tests read."""
    for name, command in outputs(t).items():
        if " " in command and not name.endswith("PowerShell"):
            assert subprocess.run(["bash", "-n", "-c", command]).returncode == 0, name


def test_the_powershell_twins_ask_the_api_what_the_curl_lines_ask(t, lab, running_api, tmp_path):
    """``curl.exe -s URL`` reads the same in PowerShell and bash: run here with curl as
    curl.exe, each twin of a GET gets the answer its curl line gets. The transfer's twin posts
    the same body with Invoke-RestMethod (a cmdlet takes its double quotes as they are)."""
    (tmp_path / "curl.exe").symlink_to(shutil.which("curl"))
    base, _ = running_api
    shown = outputs(t)
    for key in ("ReadyCommand", "BalanceExample"):
        twin = shown[f"{key}PowerShell"]
        assert twin == shown[key].replace("curl -s ", "curl.exe -s ", 1)
        answer = run(twin, stand_ins(t, lab, base), path=str(tmp_path))
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["status" if key == "ReadyCommand" else "account"] == (
            "ready" if key == "ReadyCommand" else "alice"
        )
    api = f"<{logical_id(lab.http_api)}.ApiEndpoint>"
    words = shlex.split(shown["TransferExample"])
    body = words[words.index("-d") + 1]
    assert shown["TransferExamplePowerShell"] == (
        f"Invoke-RestMethod -Method Post -Uri {api}/transfers -ContentType application/json "
        f"-Body '{body}' | ConvertTo-Json -Compress -Depth 5"
    )
    assert json.loads(body) == {"from": "alice", "to": "bob", "amount": 1000}
    watch = shown["FailoverWatchCommandPowerShell"]
    alb = f"http://<{logical_id(lab.api_servers.alb)}.DNSName>"
    for path in (FINTECH_LIVENESS_PATH, FINTECH_READY_PATH):  # what the bash loop asks for
        assert f"curl.exe -s --max-time 5 {alb}{path};" in watch
    assert watch.startswith("while ($true) { Get-Date -Format HH:mm:ss; ")
    assert watch.endswith("--output text; Start-Sleep 5 }")
