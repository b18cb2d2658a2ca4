"""Every lab page but the CloudMart shop, opened in Chromium as a student opens it.

Each page comes from the project's own sources, as the lab makes it: the nginx page is written
by the synthesized boot script's own lines (run by bash against a stand-in metadata service),
the static sites are the folders the bucket deployments upload (cdk.out's staged assets), the
demo apps are the files the instances run, against the session's real PostgreSQL and Redis.
Each test checks what the student checks and keeps the guide's screenshot current
(``show_in_guide``). Instance ids, private addresses, the page's clock and the apps' timings
are fixed stand-ins, so the pictures' text is the same on every run.

Not here: WordPress (Day1Lab1, Day1Case), the real Ghost behind Day4Case's news servers and the
CloudMart shop (Day 5) have their own test files (here Day4Case's S3 front page and its news
servers before a stand-in Ghost); PrestaShop (Day2Case's shop) runs in Docker, which this
machine has no engine for, and no registry it reaches carries PrestaShop; Day3Lab1's app and
Day3Case's API answer the command line (curl, ``lab-app``), not a browser.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict

import psycopg
import pytest
import redis
from boot_scripts import embedded_files
from containers import compose_environment
from browser import show_in_guide
from lab_pages import (
    CloudFrontCache,
    Stopwatch,
    auto_scaling_groups,
    by_prefix,
    cloudfront_behaviors,
    instance_user_data,
    instances_serving_the_page,
    load_balancer,
    running,
    serves_the_nginx_page,
    site,
    stand_in_imds,
    stand_in_instances,
    watched_apart_from_favicon,
    without,
    write_nginx_page,
)
from outage_proxy import OutageProxy
from support import resources

from stacks.day3 import CACHE_DEMO_COMPOSE
from stacks.day4 import NEWS_CACHE_COMPOSE, NEWS_PATH
from week5.assets.apps import cache_demo, news_cache, tier_app

#: When the pages that show a time were opened: a Monday morning of the course, in Seoul.
OPENED_AT = "2026-03-02T09:00:00+09:00"
SEOUL = "Asia/Seoul"


@pytest.fixture(scope="module")
def servers():
    """Everything the module serves, stopped at its end."""
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture(scope="module")
def restore():
    """Module-scoped monkeypatching (environment, an app's clock), undone at the module's end."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def seoul_clock(page) -> None:
    """The page's clock stopped at OPENED_AT and its time zone Seoul's, as a student's is."""
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": SEOUL})
    page.clock.set_fixed_time(OPENED_AT)


def deployed_folder(app, lab_id: str) -> Path:
    """The folder the lab's bucket deployment uploads: the asset ``cdk synth`` staged."""
    template = app.templates[lab_id]
    (deployment,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::CDKBucketDeployment"
    ]
    (key,) = deployment["SourceObjectKeys"]
    folder = Path(app.outdir) / f"asset.{key.removesuffix('.zip')}"
    assert (folder / "index.html").is_file(), f"{folder} holds no index.html"
    return folder


def json_body(page) -> Dict:
    """The JSON answer the browser shows (Chromium shows it as text)."""
    return json.loads(page.locator("body").inner_text())


# ---- Day 1 Lab 2: a web server in each public subnet, its page naming instance and AZ ----


@pytest.fixture(scope="module")
def day1_lab2_web(app, servers, tmp_path_factory):
    template = app.templates["Day1Lab2"]
    hosts = instances_serving_the_page(template)
    names = sorted(hosts)  # Web1..., Web2...
    instances = stand_in_instances(template, [hosts[name] for name in names], first=1)
    folder = tmp_path_factory.mktemp("day1-lab2")
    served = []
    for name, instance in zip(names, instances, strict=True):
        page = write_nginx_page(instance_user_data(template, name), instance, folder / name)
        served.append((instance, servers.enter_context(running(site(page.parent)))))
    return served


def test_day1_lab2_each_web_server_names_its_instance_and_az(page, day1_lab2_web):
    (web1, url1), (web2, url2) = day1_lab2_web
    assert (web1.az, web2.az) == ("ap-northeast-2a", "ap-northeast-2b")
    with watched_apart_from_favicon(page) as (console, favicon):
        for instance, url in ((web2, url2), (web1, url1)):
            page.goto(url)
            assert page.locator("h1").inner_text() == f"Hello from {instance.instance_id}"
            assert page.locator("b").inner_text() == instance.az
            assert f"private IP {instance.private_ip}" in page.locator("p").inner_text()
    # The page names an empty icon, so Chromium asks nginx for no /favicon.ico (it has none).
    assert console.problems == [] and favicon == []
    show_in_guide(
        page,
        "Day1Lab2",
        "web1",
        "Web1Url: 웹 서버 1이 자기 인스턴스 ID와 AZ(ap-northeast-2a), 프라이빗 IP를 보여 줍니다 "
        "(Web2Url은 다른 인스턴스와 ap-northeast-2b; ID와 IP는 배포마다 다름)",
    )


# ---- Day 2 Lab 2 (and Day 2 case's static files): the S3 site, then through CloudFront ----


@pytest.fixture(scope="module")
def day2_sites(app, servers):
    """The S3 website endpoint (Day2Lab2 step 1), CloudFront in front of it (step 2), and the
    Day 2 case's CloudFront over a private bucket (a missing key is a 403 there)."""
    lab_folder, case_folder = deployed_folder(app, "Day2Lab2"), deployed_folder(app, "Day2Case")
    return {
        "website": servers.enter_context(running(site(lab_folder))),
        "cloudfront": servers.enter_context(
            running(site(lab_folder, edge_headers=CloudFrontCache()))
        ),
        "case": servers.enter_context(
            running(site(case_folder, edge_headers=CloudFrontCache(), missing_status=403))
        ),
    }


def open_static_site(page, url: str) -> None:
    """Open the site and wait for app.js to fill in the cache line."""
    seoul_clock(page)
    page.goto(url)
    page.wait_for_function("document.getElementById('cache-status').textContent !== '확인 중...'")


def assert_styled_and_scripted(page, cache_line: str) -> None:
    """style.css applied (the header's colours), app.js ran (the time and the cache line)."""
    header = page.locator("header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(35, 47, 62)"
    assert page.locator("h1").evaluate("e => getComputedStyle(e).color") == "rgb(255, 153, 0)"
    assert page.locator("#loaded-at").inner_text() == "2026. 3. 2. 오전 9:00:00"
    assert page.locator("#cache-status").inner_text() == cache_line


def test_day2_lab2_website_endpoint_serves_the_site_with_its_css_and_js(page, day2_sites):
    with watched_apart_from_favicon(page) as (console, favicon):
        open_static_site(page, day2_sites["website"])
        assert_styled_and_scripted(page, "(헤더 없음: CloudFront를 거치지 않음)")
    assert console.problems == [] and favicon == []  # the page names its icon: no /favicon.ico
    show_in_guide(
        page,
        "Day2Lab2",
        "step1-website",
        "Step 1 WebsiteUrl (S3 웹 사이트 엔드포인트): CSS가 적용되고 JS가 불러온 시간을 "
        "보여 줍니다; CloudFront를 거치지 않으므로 캐시 헤더는 없음",
    )


def test_day2_lab2_through_cloudfront_the_page_shows_the_edge_cache(page, day2_sites):
    with watched_apart_from_favicon(page) as (console, favicon):
        open_static_site(page, day2_sites["cloudfront"])
        assert_styled_and_scripted(page, "Hit from cloudfront")  # GET / filled the edge's copy
    assert console.problems == [] and favicon == []
    show_in_guide(
        page,
        "Day2Lab2",
        "step2-cloudfront",
        "Step 2 SiteUrl (CloudFront): 같은 페이지가 CloudFront 캐시 Hit from cloudfront를 "
        "보여 줍니다 (캐시가 비어 있던 첫 요청은 Miss from cloudfront)",
    )


def test_day2_case_static_files_come_through_cloudfront(page, day2_sites):
    with watched_apart_from_favicon(page) as (console, favicon):
        open_static_site(page, day2_sites["case"])
        assert_styled_and_scripted(page, "Hit from cloudfront")
    assert console.problems == [] and favicon == []
    show_in_guide(
        page,
        "Day2Case",
        "static",
        "StaticUrl: 정적 파일 CDN(CloudFront + 비공개 S3)이 Day 2 Lab 2와 같은 페이지를 "
        "CSS·JS와 함께 보여 줍니다",
    )


# ---- Day 3 Lab 2: the Cache-Aside demo against PostgreSQL and Redis ----

#: The demo's timings as the stand-in stopwatch gives them: the miss (a query), then the hit.
MISS_MS, HIT_MS = 12.5, 0.8


@pytest.fixture(scope="module")
def day3_lab2_demo(app, servers, restore, postgres_server, redis_server):
    """The demo as the lab's compose file runs it: its environment, its database (user and
    database ``catalog``, UTC as the container's), Redis over TLS with an AUTH token."""
    template = app.templates["Day3Lab2"]
    (host,) = _instances_running(template, "/opt/week5/app/cache_demo.py")
    user_data = instance_user_data(template, host)
    (asset,) = re.findall(r"([0-9a-f]{64}\.py)\W* /opt/week5/app/cache_demo\.py", user_data)
    assert (Path(app.outdir) / f"asset.{asset}").read_bytes() == Path(
        cache_demo.__file__
    ).read_bytes(), "the demo the host downloads is not week5/assets/apps/cache_demo.py"

    password = "catalog-stand-in-password"
    environment = compose_environment(
        CACHE_DEMO_COMPOSE,
        "app",
        {
            "REDIS_HOST": redis_server.host,
            "REDIS_PORT": str(redis_server.port),
            "REDIS_AUTH_TOKEN": redis_server.password,
            "POSTGRES_PASSWORD": password,
        },
    )
    assert environment["PGDATABASE"] == environment["PGUSER"] == "catalog"
    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS catalog")
        admin.execute("DROP ROLE IF EXISTS catalog")
        admin.execute(f"CREATE ROLE catalog LOGIN PASSWORD '{password}'")
        admin.execute("CREATE DATABASE catalog OWNER catalog")
        admin.execute("ALTER DATABASE catalog SET timezone TO 'UTC'")
    cache = redis.Redis.from_url(redis_server.url, ssl_ca_certs=redis_server.ca_file)
    cache.flushdb()  # the demo's keys (product:1, session:...) start absent
    cache.close()
    # libpq reads PG* from the process's environment, as in the container; the database is
    # this machine's (not the compose service "db"), and Redis's certificate is self-signed.
    for name, value in environment.items():
        restore.setenv(name, value)
    restore.setenv("PGHOST", postgres_server.host)
    restore.setenv("PGPORT", str(postgres_server.port))
    restore.setenv("CACHE_DEMO_QUIET", "1")
    environment.update(REDIS_CA_FILE=redis_server.ca_file)
    stopwatch = Stopwatch([MISS_MS / 1000, HIT_MS / 1000])
    restore.setattr(cache_demo, "time", stopwatch)
    demo = cache_demo.build_demo(environment)
    demo.source.ping()  # the first connection creates and seeds the catalogue
    servers.callback(_drop_catalog, postgres_server)
    servers.callback(demo.source.close)
    url = servers.enter_context(running(cache_demo.make_server(demo, 0, host="127.0.0.1")))
    return url, stopwatch


def _drop_catalog(postgres_server) -> None:
    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS catalog WITH (FORCE)")
        admin.execute("DROP ROLE IF EXISTS catalog")


def _instances_running(template: Dict, path: str) -> list:
    """The instances whose boot script names ``path``."""
    return [
        name
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::EC2::Instance" and path in instance_user_data(template, name)
    ]


def test_day3_lab2_product_page_is_a_miss_then_a_hit(page, day3_lab2_demo):
    url, stopwatch = day3_lab2_demo
    with watched_apart_from_favicon(page) as (console, favicon):
        page.goto(url)
        assert page.locator("h1").inner_text() == "Day 3 Lab 2 - Redis Cache-Aside"
        page.get_by_role("link", name="/products/1").click()
        first = json_body(page)
        page.reload()
        second = json_body(page)
    assert (first["cache"], first["elapsed_ms"]) == ("miss", MISS_MS)
    assert (second["cache"], second["elapsed_ms"]) == ("hit", HIT_MS)
    assert first["product"] == second["product"]
    assert first["product"]["name"] == "CloudMart 상품 01"
    assert first["product"]["reviews"] == 5000  # the compose file's seed: 20 x 5,000 reviews
    assert stopwatch.unused == []
    assert without(console.problems, favicon) == []
    show_in_guide(
        page,
        "Day3Lab2",
        "product-hit",
        'CacheAsideUrl (/products/1): 처음 열면 "cache": "miss"(PostgreSQL에서 읽고 Redis에 '
        '저장), 새로고침하면 "cache": "hit"(Redis에서); elapsed_ms는 실행마다 다름',
    )


def test_day3_lab2_session_counts_visits_in_redis(page, day3_lab2_demo):
    url, _ = day3_lab2_demo
    with watched_apart_from_favicon(page) as (console, favicon):
        page.goto(f"{url}/session")
        first = json_body(page)
        page.reload()
        second = json_body(page)
        page.goto(f"{url}/ready")
        ready = json_body(page)
    assert (first["visits"], second["visits"]) == (1, 2)
    assert first["session"] == second["session"]  # the sid cookie came back
    assert ready == {"status": "ready", "database": "ok", "redis": "ok"}
    assert without(console.problems, favicon) == []


# ---- Day 4 Lab 1: two instances behind the ALB ----


@pytest.fixture(scope="module")
def day4_lab1_alb(app, servers, tmp_path_factory):
    template = app.templates["Day4Lab1"]
    ((user_data, subnets),) = [
        g for g in auto_scaling_groups(template) if serves_the_nginx_page(g[0])
    ]
    folder = tmp_path_factory.mktemp("day4-lab1")
    instances = stand_in_instances(template, subnets, first=1)  # min 2: one in each AZ
    targets = [
        servers.enter_context(
            running(site(write_nginx_page(user_data, i, folder / i.instance_id).parent))
        )
        for i in instances
    ]
    return instances, servers.enter_context(running(load_balancer(targets)))


def shown_instance(page) -> str:
    return page.locator("h1").inner_text().removeprefix("Hello from ")


def test_day4_lab1_reloading_the_alb_shows_both_instances_and_azs(page, day4_lab1_alb):
    instances, url = day4_lab1_alb
    by_id = {i.instance_id: i for i in instances}
    seen = []
    with watched_apart_from_favicon(page) as (console, favicon):
        page.goto(url)
        seen.append(shown_instance(page))
        # Each reload is one request (the page names its icon), so the ALB's turns alternate.
        for _ in range(2):
            page.reload()
            seen.append(shown_instance(page))
            assert page.locator("b").inner_text() == by_id[seen[-1]].az
    assert seen[0] != seen[1] and seen[2] == seen[0], seen
    assert {by_id[i].az for i in seen} == {"ap-northeast-2a", "ap-northeast-2b"}
    assert console.problems == [] and favicon == []
    show_in_guide(
        page,
        "Day4Lab1",
        "alb",
        "AlbUrl: 새로고침할 때마다 다른 인스턴스가 응답합니다 (ap-northeast-2a와 "
        "ap-northeast-2b의 인스턴스가 번갈아 보임; ID는 배포마다 다름)",
    )


# ---- Day 4 challenge: web → internal ALB → app → database ----

#: The app tier's database probes as the stand-in stopwatch times them.
API_PROBE_MS = (0.9, 1.1)
STAND_IN_DB_ADDRESS = "127.0.0.2"


@pytest.fixture(scope="module")
def day4_challenge(app, servers, restore, postgres_server, tmp_path_factory):
    template = app.templates["Day4Challenge"]
    groups = auto_scaling_groups(template)
    ((web_data, web_subnets),) = [g for g in groups if serves_the_nginx_page(g[0])]
    ((app_data, app_subnets),) = [g for g in groups if "/opt/week5/tier-app.py" in g[0]]
    # A heredoc writes its lines and a newline after the last.
    assert (
        embedded_files(app_data)["/opt/week5/tier-app.py"] + b"\n"
        == Path(tier_app.__file__).read_bytes()
    ), "the app tier runs another file than week5/assets/apps/tier_app.py"
    proxy = embedded_files(web_data)["/etc/nginx/default.d/week5-proxy.conf"].decode()
    (prefix,) = re.findall(r"^location (\S+) \{", proxy, re.M)

    # The RDS endpoint's stand-in: PostgreSQL's port 5432 (the app's default, as on AWS) on an
    # address of its own, forwarded to the session's PostgreSQL.
    database = OutageProxy(postgres_server.host, postgres_server.port)
    database.host, database.port = STAND_IN_DB_ADDRESS, 5432
    servers.enter_context(database)
    stopwatch = Stopwatch([ms / 1000 for ms in API_PROBE_MS])
    restore.setattr(tier_app, "time", stopwatch)
    app_servers = []
    for instance in stand_in_instances(template, app_subnets, first=3):
        with running(stand_in_imds(instance)) as imds:
            metadata = functools.partial(tier_app.instance_metadata, base=f"{imds}/latest")
            server = tier_app.make_server(0, database.host, metadata=metadata, address="127.0.0.1")
        app_servers.append(servers.enter_context(running(server)))
    internal_alb = servers.enter_context(running(load_balancer(app_servers)))

    folder = tmp_path_factory.mktemp("day4-challenge")
    web_instances = stand_in_instances(template, web_subnets, first=1)
    web_servers = [
        servers.enter_context(
            running(
                site(
                    write_nginx_page(web_data, i, folder / i.instance_id).parent,
                    route=by_prefix({prefix: internal_alb}),
                )
            )
        )
        for i in web_instances
    ]
    return servers.enter_context(running(load_balancer(web_servers))), stopwatch


def test_day4_challenge_one_request_crosses_web_app_and_database(page, day4_challenge):
    url, stopwatch = day4_challenge
    with watched_apart_from_favicon(page) as (console, favicon):
        page.goto(url)
        assert shown_instance(page) in ("i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002")
        # The web page as the guide shows it: the first web instance, in 2a.
        for _ in range(4):
            if shown_instance(page) == "i-0a1b2c3d4e5f60001":
                break
            page.reload()
        assert page.locator("b").inner_text() == "ap-northeast-2a"
        show_in_guide(
            page,
            "Day4Challenge",
            "1-web",
            "AlbUrl: 웹 티어 인스턴스와 AZ, 그리고 앱 티어로 가는 /api/ 링크 "
            "(새로고침하면 다른 AZ의 웹 인스턴스)",
        )
        page.get_by_role("link", name="/api/").click()
        first = json_body(page)
        page.reload()
        second = json_body(page)
    for answer, az in ((first, "ap-northeast-2a"), (second, "ap-northeast-2b")):
        assert (answer["tier"], answer["az"]) == ("app", az)
        assert answer["database"]["reachable"] is True
        assert (answer["database"]["host"], answer["database"]["port"]) == (
            STAND_IN_DB_ADDRESS,
            5432,
        )
    assert (first["database"]["ms"], second["database"]["ms"]) == API_PROBE_MS
    assert first["instance"] != second["instance"]
    assert stopwatch.unused == []
    assert without(console.problems, favicon) == []
    show_in_guide(
        page,
        "Day4Challenge",
        "2-api",
        "ApiUrl (/api/): 앱 티어 인스턴스와 AZ, 데이터베이스(RDS 엔드포인트의 5432번)는 "
        '"reachable": true; 새로고침하면 다른 AZ의 앱 인스턴스 (ID, host, ms는 배포마다 다름)',
    )


# ---- Day 4 case: the static front page from S3, /news/* through the news servers ----


class _GhostStandIn:
    """The one Ghost, as far as the news servers' read path needs it: a front page at /news/
    that shared caches may keep for a minute."""

    PAGE = (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        '<link rel="icon" href="data:,"><title>Week 5 News</title></head>'
        "<body><h1>최신 기사</h1><p>Ghost가 그린 첫 페이지 (대역)</p></body></html>"
    ).encode()

    def __init__(self) -> None:
        self.reads = 0

    def server(self):
        ghost = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path != NEWS_PATH:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                ghost.reads += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "public, max-age=60")
                self.send_header("Content-Length", str(len(ghost.PAGE)))
                self.end_headers()
                self.wfile.write(ghost.PAGE)

            def log_message(self, *args) -> None:
                pass

        return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def day4_case(app, servers, redis_server):
    template = app.templates["Day4Case"]
    ((news_data, _),) = [g for g in auto_scaling_groups(template) if "news_cache.py" in g[0]]
    assert (
        embedded_files(news_data)["/opt/week5/app/news_cache.py"]
        == Path(news_cache.__file__).read_bytes()
    ), "the news servers run another file than week5/assets/apps/news_cache.py"
    ghost = _GhostStandIn()
    origin = servers.enter_context(running(ghost.server()))
    environment = compose_environment(
        NEWS_CACHE_COMPOSE,
        "cache",
        {
            "ORIGIN_URL": origin,
            "REDIS_HOST": redis_server.host,
            "REDIS_PORT": str(redis_server.port),
            "REDIS_AUTH_TOKEN": redis_server.password,
        },
    )
    environment["REDIS_CA_FILE"] = redis_server.ca_file  # self-signed here; ElastiCache's is not
    cache = news_cache.redis_from_env(environment)
    for key in cache.scan_iter("news:*"):
        cache.delete(key)
    cache.close()
    news_servers = []
    for _ in range(2):  # the group's minimum: two news servers sharing one Redis
        news = news_cache.NewsCache(
            news_cache.redis_from_env(environment), news_cache.Origin(environment["ORIGIN_URL"])
        )
        news_servers.append(
            servers.enter_context(running(news_cache.make_server(news, 0, address="127.0.0.1")))
        )
    alb = servers.enter_context(running(load_balancer(news_servers)))
    (alb_id,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    cloudfront = site(
        deployed_folder(app, "Day4Case"),
        route=cloudfront_behaviors(template, {alb_id: alb}),
        missing_status=403,
    )
    return servers.enter_context(running(cloudfront)), ghost


def test_day4_case_front_page_from_s3_and_news_through_the_shared_cache(page, day4_case):
    url, ghost = day4_case
    with watched_apart_from_favicon(page) as (console, favicon):
        page.goto(url)
        assert page.locator("h1").inner_text() == "Week 5 News"
        links = page.get_by_role("link")
        assert links.all_inner_texts() == ["/news/", "/news/popular.json", "/news/ghost/"]
        assert console.problems == [] and favicon == []  # the static page, on its own
        show_in_guide(
            page,
            "Day4Case",
            "1-front",
            "SiteUrl: S3의 정적 첫 페이지 (CloudFront 기본 경로); /news/ 아래는 ALB 뒤의 뉴스 "
            "서버가 Redis 캐시에서 답함",
        )
        # A reader opens /news/ and reloads it: the ALB sends the two reads to the two news
        # servers, and the second finds the page the first fetched in their shared Redis.
        with page.expect_navigation() as navigation:
            page.get_by_role("link", name="/news/", exact=True).click()
        answers = [navigation.value.headers["x-cache"], page.reload().headers["x-cache"]]
        assert page.locator("h1").inner_text() == "최신 기사"
        page.go_back()
        page.get_by_role("link", name="/news/popular.json").click()
        popular = json_body(page)
    assert answers == ["MISS", "HIT"] and ghost.reads == 1  # the second server used the cache
    assert popular["popular"] == [{"path": NEWS_PATH, "hits": 2}]
    assert without(console.problems, favicon) == []
    show_in_guide(
        page,
        "Day4Case",
        "2-popular",
        "PopularUrl (/news/popular.json): 인기 기사, 뉴스 서버가 Redis에서 센 페이지별 읽기 수 "
        "(/news/를 두 번 읽은 뒤)",
    )
