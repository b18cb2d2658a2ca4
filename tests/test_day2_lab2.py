"""Day 2 Lab 2: S3 정적 웹 호스팅 — the course's website bucket and policy, CloudFront in front."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lab_outputs import outputs, run, step_registry
from support import logical_id, mask_asset_hashes, props, resources
from servers import serve_in_thread

from week5.analysis.teardown import teardown_findings
from week5.assets import SITES_DIR

LAB = "Day2Lab2"
SITE = SITES_DIR / "cloudmart-static"
#: AWS's managed CachingOptimized policy.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


@pytest.fixture(scope="module")
def ids(lab):
    return {
        "bucket": logical_id(lab.site.bucket),
        "distribution": logical_id(lab.site.distribution),
    }


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_the_sample_site_has_html_css_and_js():
    assert {p.name for p in SITE.iterdir()} == {"index.html", "style.css", "app.js"}
    html = (SITE / "index.html").read_text()
    assert 'href="style.css"' in html and 'src="app.js"' in html


def test_no_network_nothing_billed_by_the_hour(t):
    assert resources(t, "AWS::EC2::VPC") == {}


# ---- Local stand-ins for the S3 website endpoint and CloudFront, for the output commands ----


class _Site(BaseHTTPRequestHandler):
    """Answers like an edge: the first request of a path misses, later ones hit."""

    seen = set()

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self):  # noqa: N802
        self._answer(body=False)

    def _answer(self, body):
        key = (self.server.server_address[1], self.path)
        hit = key in _Site.seen
        _Site.seen.add(key)
        data = b"<html>CloudMart</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Cache", "Hit from cloudfront" if hit else "Miss from cloudfront")
        self.send_header("X-Amz-Cf-Pop", "ICN54-P1")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def sites():
    """(website host:port, CloudFront host:port): two local servers."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Site) for _ in range(2)]
    for server in servers:
        serve_in_thread(server)
    yield tuple(f"127.0.0.1:{s.server_address[1]}" for s in servers)
    for server in servers:
        server.shutdown()


@pytest.fixture
def fake_aws(tmp_path):
    """A folder whose ``aws`` prints its arguments, for PATH."""
    aws = tmp_path / "aws"
    aws.write_text('#!/bin/bash\nprintf \'%s\\n\' "$*"\n')
    aws.chmod(0o755)
    return str(tmp_path)


# ---- The course's steps (week5-course-rules.md, Day 2 Lab 2), each made doable ----

COURSE_STEPS, step = step_registry()


@step("1.1", "S3 버킷 생성 — 정적 웹 호스팅 설정")
def _website_hosting(t, ids, sites, fake_aws):
    bucket = t["Resources"][ids["bucket"]]["Properties"]
    assert bucket["WebsiteConfiguration"] == {"IndexDocument": "index.html"}
    assert outputs(t)["WebsiteUrl"] == f"<{ids['bucket']}.WebsiteURL>"


@step("1.2", "버킷 정책 구성 (공개 읽기)")
def _bucket_policy(t, ids, sites, fake_aws):
    bucket = t["Resources"][ids["bucket"]]["Properties"]
    # Public policies allowed (the website needs one), public ACLs still blocked.
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": False,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": False,
    }
    (policy,) = props(t, "AWS::S3::BucketPolicy")
    statements = policy["PolicyDocument"]["Statement"]
    (public_read,) = [s for s in statements if s["Principal"] == {"AWS": "*"}]
    assert public_read["Effect"] == "Allow" and public_read["Action"] == "s3:GetObject"
    assert public_read["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [ids["bucket"], "Arn"]}, "/*"]]
    }
    # A deny on aws:SecureTransport=false would answer the HTTP-only website endpoint with 403.
    assert not [s for s in statements if s["Effect"] == "Deny"]
    # The student reads both back; the command is valid shell and asks for both.
    result = run(
        outputs(t)["BucketPolicyCommand"], {f"<{ids['bucket']}>": "week5-site"}, path=fake_aws
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "s3api get-bucket-policy --bucket week5-site --query Policy --output text",
        "s3api get-bucket-website --bucket week5-site",
    ]


@step("1.3", "HTML/CSS/JS 업로드")
def _upload(t, ids, sites, fake_aws):
    (deployment,) = props(t, "Custom::CDKBucketDeployment")
    assert deployment["DestinationBucketName"] == {"Ref": ids["bucket"]}
    assert len(deployment["SourceObjectKeys"]) == 1  # the folder of HTML, CSS and JS
    assert deployment["DistributionPaths"] == ["/*"]


@step("2.1", "CloudFront 배포 — Distribution 생성 (S3 웹 사이트 엔드포인트가 오리진)")
def _distribution(t, ids, sites, fake_aws):
    config = t["Resources"][ids["distribution"]]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    # The website endpoint is a custom origin that speaks HTTP only; no OAC.
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    assert origin["DomainName"] == {
        "Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": [ids["bucket"], "WebsiteURL"]}]}]
    }
    assert props(t, "AWS::CloudFront::OriginAccessControl") == []
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert outputs(t)["SiteUrl"] == f"https://<{ids['distribution']}.DomainName>"


@step("2.2", "캐싱 동작 확인")
def _caching(t, ids, sites, fake_aws):
    config = t["Resources"][ids["distribution"]]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED
    _, cloudfront = sites
    command = outputs(t)["CacheCheckCommand"].replace("https://", "http://")
    result = run(command, {f"<{ids['distribution']}.DomainName>": cloudfront})
    assert result.returncode == 0, result.stderr
    lines = [line.strip().lower() for line in result.stdout.splitlines()]
    assert lines == [
        "x-cache: miss from cloudfront",
        "x-amz-cf-pop: icn54-p1",
        "x-cache: hit from cloudfront",
        "x-amz-cf-pop: icn54-p1",
    ]
    # Windows PowerShell's twin: the same two requests with curl.exe, the same lines kept.
    assert outputs(t)["CacheCheckCommandPowerShell"] == (
        f"foreach ($i in 1..2) {{ curl.exe -sI https://<{ids['distribution']}.DomainName>/ "
        "| Select-String -Pattern '^x-cache|^x-amz-cf-pop' }"
    )


@step("3.1", "성능 테스트 — 글로벌 접근 테스트 (두 URL의 응답 시간)")
def _performance(t, ids, sites, fake_aws):
    website, cloudfront = sites
    command = outputs(t)["PerformanceTestCommand"].replace("https://", "http://")
    result = run(
        command,
        {
            f"<{ids['bucket']}.WebsiteURL>": f"http://{website}",
            f"<{ids['distribution']}.DomainName>": cloudfront,
        },
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 6 and all(line.startswith("200 ttfb=") for line in lines)
    assert [line.split()[-1] for line in lines] == [f"http://{website}/"] * 3 + [
        f"http://{cloudfront}/"
    ] * 3
    # Windows PowerShell's twin: the same URLs and -w format to curl.exe, NUL for /dev/null.
    twin = outputs(t)["PerformanceTestCommandPowerShell"]
    bash = outputs(t)["PerformanceTestCommand"]
    write_out = bash.split(' -w "', 1)[1].split('" ', 1)[0]
    assert twin == (
        f"foreach ($url in @('<{ids['bucket']}.WebsiteURL>/'; "
        f"'https://<{ids['distribution']}.DomainName>/')) {{ foreach ($i in 1..3) "
        f"{{ curl.exe -s -o NUL -w '{write_out}' $url }} }}"
    )


@step("4", "리소스 정리")
def _cleanup(t, ids, sites, fake_aws):
    assert teardown_findings(t) == []
    (bucket,) = resources(t, "AWS::S3::Bucket").values()
    assert bucket["DeletionPolicy"] == "Delete"
    assert len(resources(t, "Custom::S3AutoDeleteObjects")) == 1


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "4"]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, ids, sites, fake_aws):
    _, check = COURSE_STEPS[number]
    check(t, ids, sites, fake_aws)
