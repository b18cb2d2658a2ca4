"""Day4Case's news site on the real Ghost 5, opened in Chromium as a student opens NewsUrl.

The writer host's container stands in as the same Ghost from the npm registry against MariaDB
(ghost_site.py), started from the compose file's environment. In front of it, what the lab puts
there: two news servers running week5/assets/apps/news_cache.py (the project's file) on the
session's real Redis (TLS, auth token, as ElastiCache), an ALB that takes turns between them,
and CloudFront: the S3 front page by default, ``/news/*`` to the ALB (lab_pages.py). Each stand-in
host has its own loopback address, CloudFront on port 80, so Ghost's ``url`` (SITE_URL) and the
links it writes are the same on every run, and so are the guide's pictures.

The student does what the case leads to: open SiteUrl and follow /news/ to Ghost's front page
(the first read a MISS, the next, from the other news server, a HIT from Redis), open an
article, open the admin at <NewsUrl>ghost/ (passed to Ghost, never cached), create the site's
account there, write and publish a post in Ghost's editor, and see readers get it once the
cached front page's max-age has passed.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Dict, Iterator, List, Tuple

import pytest
import redis
from browser import show_in_guide, watched
from ghost_site import Ghost, first_boot, ghost_container
from lab_pages import cloudfront_behaviors, load_balancer, site
from playwright.sync_api import expect
from servers import running
from support import ManualClock, resources
from containers import compose_environment, must_be_free
from mysql_site import MySql, mysql_container, sql_string

from stacks.day4 import GHOST_COMPOSE, NEWS_CACHE_COMPOSE, NEWS_PATH, NEWS_STATIC_SITE
from week5.assets.apps import news_cache

LAB = "Day4Case"
#: Each host of the lab at its own loopback address: CloudFront's domain, the writer's private
#: IP (Ghost on 2368), the RDS endpoint (3306).
CLOUDFRONT, WRITER, RDS = "127.0.0.41", "127.0.0.42", "127.0.0.43"
SITE_URL = f"http://{CLOUDFRONT}"
NEWS_URL = f"{SITE_URL}{NEWS_PATH}"
#: What Secrets Manager holds at deploy time (the RDS secret; DockerHost writes .env): stand-ins.
SECRETS = {"DB_USER": "labadmin", "DB_PASSWORD": "stand-in-ghost-db-password"}
#: Ghost seeds a post and a page dated when it first starts: dated the course's Day 4 morning
#: (UTC, Ghost's default time zone) so the pictures are the same on every run.
SEEDED_AT = "2026-03-05 00:10:00"
#: What the student types into the admin's setup page, and the post they publish.
ACCOUNT = {
    "Site title": "Week 5 뉴스",
    "Full name": "김기자",
    "Email address": "editor@example.com",
    "Password": "week5-news-editor",
}
POST_TITLE = "속보: 트래픽 급증에 뉴스 서버 증설"
POST_BODY = "Auto Scaling 그룹이 뉴스 서버를 2대에서 4대로 늘렸습니다."
PUBLISHED_AT = "2026-03-05 00:40:00"  # as published in the session (Ghost dates it now)

#: Names this closed network cannot resolve, which Ghost's pages load from the internet: its
#: front-end apps (Portal, search) on cdn.jsdelivr.net, the default cover and the welcome
#: post's picture on static.ghost.org, the admin's font previews (fonts.bunny.net) and its
#: changelog (ghost.org). Chromium reports each as a failed request and a console error.
OUTSIDE = re.compile(
    r"https://(cdn\.jsdelivr\.net/ghost/|static\.ghost\.org/|fonts\.bunny\.net/|ghost\.org/)"
)
#: Every address but the lab's (CloudFront's): the browser fails these as this network does.
BEYOND_THE_LAB = re.compile(rf"^https?://(?!{re.escape(CLOUDFRONT)}[/:]|{re.escape(CLOUDFRONT)}$)")
#: How such a request fails: the name does not resolve, or the next page cut it short first.
INTERNET_OUT_OF_REACH = re.compile(r"\(net::ERR_(NAME_NOT_RESOLVED|ABORTED)\)$")
#: The admin's "What's new" reads Ghost's changelog and logs its failure as an error of its own.
CHANGELOG, CHANGELOG_ERROR = "https://ghost.org/changelog.json", "TypeError: Network request failed"
#: The admin asks whether someone is signed in; before the setup nobody is (Ghost: 403).
SIGNED_IN_PROBE = f"{NEWS_URL}ghost/api/admin/users/me/?include=roles"
#: What Ghost logs as errors only because this network reaches no internet name.
GHOST_OFFLINE = re.compile(
    r"ERROR (cacheableLookup ENOTFOUND (updates\.ghost\.org|rpc\.pingomatic\.com)$"
    r"|Failed to send email\. Reason: Sending failed\.$"
    r'|"GET /news/ghost/api/admin/users/me/\?include=roles" 403 )'
)


@contextlib.contextmanager
def cloudfront(template: Dict, alb: str) -> Iterator[str]:
    """The distribution at its fixed address, with the synthesized template's behaviours: the
    S3 front page by default (a missing key is 403, as S3 behind OAC answers), ``/news/*`` and
    ``/news`` to the ALB."""
    (alb_id,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    route = cloudfront_behaviors(template, {alb_id: alb})
    made = site(NEWS_STATIC_SITE, route=route, missing_status=403)
    made.server_close()  # bound at 127.0.0.1:0; the same handler at CloudFront's address
    must_be_free(CLOUDFRONT, 80, "CloudFront")
    with running(ThreadingHTTPServer((CLOUDFRONT, 80), made.RequestHandlerClass)) as url:
        yield url


@dataclass(frozen=True)
class NewsSite:
    ghost: Ghost
    db: MySql
    clock: ManualClock  # the news servers'
    cache: redis.Redis  # the news servers' Redis


def news_server(environment: Dict[str, str], clock: ManualClock) -> ThreadingHTTPServer:
    """A news server as its container runs news_cache.main(), on the test's clock."""
    news = news_cache.NewsCache(
        news_cache.redis_from_env(environment),
        news_cache.Origin(environment["ORIGIN_URL"]),
        clock=clock,
    )
    return news_cache.make_server(news, 0, address="127.0.0.1")


@pytest.fixture(scope="module")
def news(app, redis_server) -> Iterator[NewsSite]:
    """The case's hosts, started in the order the lab's requests need them; stopped after.
    The database, Ghost's content and its log go on from Ghost's first start on a new database
    (its migrations and fixtures), kept between runs by ghost_site.first_boot."""
    rds = {
        "MYSQL_ROOT_PASSWORD": "stand-in-rds-root",
        "MYSQL_DATABASE": "ghost",  # MysqlDatabase(database_name="ghost")
        "MYSQL_USER": SECRETS["DB_USER"],
        "MYSQL_PASSWORD": SECRETS["DB_PASSWORD"],
    }
    ghost_env = compose_environment(
        GHOST_COMPOSE, "ghost", {"DB_HOST": RDS, "SITE_URL": NEWS_URL, **SECRETS}
    )
    volumes = first_boot(rds, ghost_env, db_address=RDS, address=WRITER)
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(
            mysql_container(rds, address=RDS, data_template=volumes / "data", set_up=False)
        )
        cache_env = compose_environment(
            NEWS_CACHE_COMPOSE,
            "cache",
            {
                "ORIGIN_URL": f"http://{WRITER}:2368",  # the stack's ORIGIN_URL
                "REDIS_HOST": redis_server.host,
                "REDIS_PORT": str(redis_server.port),
                "REDIS_AUTH_TOKEN": redis_server.password,
            },
        )
        cache_env["REDIS_CA_FILE"] = redis_server.ca_file  # self-signed here; ElastiCache's is not
        clock = ManualClock()
        # The group's minimum: two news servers sharing one Redis.
        servers = [stack.enter_context(running(news_server(cache_env, clock))) for _ in range(2)]
        alb = stack.enter_context(running(load_balancer(servers)))
        stack.enter_context(cloudfront(app.templates[LAB], alb))
        ghost = stack.enter_context(
            ghost_container(ghost_env, address=WRITER, restart=volumes)
        )
        db.query(
            f"UPDATE posts SET created_at = '{SEEDED_AT}', updated_at = '{SEEDED_AT}', "
            f"published_at = '{SEEDED_AT}'"
        )
        cache = stack.enter_context(contextlib.closing(news_cache.redis_from_env(cache_env)))
        yield NewsSite(ghost, db, clock, cache)


@pytest.fixture
def cold_cache(news: NewsSite) -> None:
    """No page in the news servers' Redis yet, as after a deploy."""
    for key in news.cache.scan_iter("news:*"):
        news.cache.delete(key)


@contextlib.contextmanager
def watched_apart(page) -> Iterator[Tuple[object, List[str]]]:
    """``watched(page)``, and apart from it what the lab answers the same way: requests to the
    internet (OUTSIDE) this network cannot make, Chromium's own request for /favicon.ico at the
    site's root (S3 holds none: 403), the admin's error for its failed changelog request, and
    its sign-in probe before anyone has an account (Ghost: 403). Yields the console and those
    lines."""
    apart: List[str] = []
    changelogs_failed = []

    def on_console(message) -> None:
        url = message.location.get("url", "")
        if message.type != "error":
            return
        if OUTSIDE.match(url) or url in (f"{SITE_URL}/favicon.ico", SIGNED_IN_PROBE):
            apart.append(f"console error: {message.text}")
        elif changelogs_failed and message.text.startswith(CHANGELOG_ERROR):
            changelogs_failed.pop()  # the admin's own report of that failed request
            apart.append(f"console error: {message.text}")

    def on_failed(request) -> None:
        if OUTSIDE.match(request.url):
            apart.append(f"request failed: {request.url} ({request.failure})")
            if request.url == CHANGELOG:
                changelogs_failed.append(request.url)

    def on_response(response) -> None:
        if response.url == SIGNED_IN_PROBE and response.status == 403:
            apart.append(f"HTTP 403: {response.url}")

    # Every name but the lab's fails as this network fails it, at once and on any machine: a
    # resolver's timeout would cost seconds, and where the internet answers, Portal would add
    # its button to the page and the pictures would differ.
    page.route(BEYOND_THE_LAB, lambda route: route.abort("namenotresolved"))
    with watched(page) as console:
        page.on("console", on_console)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        yield console, apart


def assert_only_apart(problems: List[str], apart: List[str]) -> None:
    rest = list(problems)
    for line in apart:
        rest.remove(line)
    assert rest == []
    # Narrowly: the internet's names did not resolve (or the next page cut the request short);
    # nothing of the lab's failed.
    failed = [line for line in apart if line.startswith("request failed")]
    assert [line for line in failed if not INTERNET_OUT_OF_REACH.search(line)] == []


def ghost_errors(ghost: Ghost) -> List[str]:
    """Ghost's logged errors, but for its own calls to the internet (the update check, the
    ping on publishing, the welcome email to the new owner: no mail server answers) and the
    admin's sign-in probe before the setup."""
    return [line for line in ghost.errors() if not GHOST_OFFLINE.search(line)]


def test_news_front_page_miss_then_hit_an_article_and_the_popular_pages(
    page, news: NewsSite, cold_cache
):
    with watched_apart(page) as (console, apart):
        page.goto(SITE_URL)
        with page.expect_navigation() as navigation:
            page.get_by_role("link", name="/news/", exact=True).click()
        first = navigation.value
        expect(page.get_by_role("heading", name="Thoughts, stories and ideas")).to_be_visible()
        posts = page.get_by_role("main").get_by_role("article")
        expect(posts.get_by_role("heading", level=3)).to_have_text(["Coming soon"])
        show_in_guide(
            page,
            LAB,
            "3-ghost",
            "NewsUrl: Ghost의 첫 페이지, 뉴스 서버를 거쳐 (첫 읽기는 MISS: Ghost가 그림, 다음은 "
            "HIT: 다른 뉴스 서버가 Redis에서). 표지와 기사 사진은 static.ghost.org에서 와서 "
            "인터넷이 없는 이 그림에는 빠짐",
        )
        second = page.reload()
        with page.expect_navigation() as article:
            posts.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Coming soon")
        page.goto(f"{NEWS_URL}popular.json")
        popular = json.loads(page.locator("body").inner_text())["popular"]
        # The site title links to Ghost's url without the slash (CloudFront's /news behaviour):
        # Ghost redirects it to the front page.
        page.goto(article.value.url)
        title = page.get_by_role("banner").get_by_role("link", name="Ghost", exact=True)
        assert title.get_attribute("href") == NEWS_URL.rstrip("/")
        title.click()
        expect(page.get_by_role("heading", name="Thoughts, stories and ideas")).to_be_visible()
        assert page.url == NEWS_URL
    assert first.headers["x-cache"] == "MISS" and second.headers["x-cache"] == "HIT"
    assert first.headers["cache-control"] == "public, max-age=60"  # caching__frontend__maxAge
    assert news.ghost.served("GET", NEWS_PATH) == 1  # the second news server read it from Redis
    assert article.value.url == f"{NEWS_URL}coming-soon/"
    assert article.value.headers["x-cache"] == "MISS"
    # 인기 기사: the pages read through the news servers, counted in their shared Redis.
    assert popular == [
        {"path": NEWS_PATH, "hits": 2},
        {"path": f"{NEWS_PATH}coming-soon/", "hits": 1},
    ]
    assert_only_apart(console.problems, apart)
    assert ghost_errors(news.ghost) == []


def test_admin_passes_uncached_and_a_new_post_reaches_readers_after_max_age(
    page, news: NewsSite, cold_cache
):
    # The site in another tab, as a reader sees it. Each tab is brought to the front when used,
    # as the student switches to it: a tab behind draws no frames, and Playwright waits for some.
    reader = page.context.new_page()
    with watched_apart(page) as (console, apart), watched_apart(reader) as (seen, beyond):
        page.bring_to_front()
        admin = page.goto(f"{NEWS_URL}ghost/")
        # Ghost 5's admin speaks English only; its setup page asks for the site and an owner.
        expect(page.get_by_role("heading", name="Welcome to Ghost.")).to_be_visible()
        assert page.url == f"{NEWS_URL}ghost/#/setup"
        show_in_guide(
            page,
            LAB,
            "4-ghost-setup",
            "<NewsUrl>ghost/: Ghost 관리 화면의 첫 설정 (영어), 뉴스 서버가 캐시하지 않고 "
            "Ghost로 바로 전달 (X-Cache: PASS)",
        )
        for label, value in ACCOUNT.items():
            page.get_by_label(label, exact=True).fill(value)
        # Setup hashes the password and writes Ghost's fixtures, theme and settings before it
        # answers: seconds here, more than expect's 5 s on a busy machine. Wait for the answer.
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/authentication/setup/"),
            timeout=60_000,
        ) as setup:
            page.get_by_role("button", name="Create account & start publishing →").click()
        assert setup.value.status == 201, setup.value.text()
        expect(page.get_by_role("heading", name="Let’s get started!")).to_be_visible()
        expect(page.get_by_text(f"It’s time to set up {ACCOUNT['Site title']}.")).to_be_visible()
        page.wait_for_load_state("networkidle")  # as the student reads it: its requests done

        reader.bring_to_front()
        first = reader.goto(NEWS_URL)  # the front page as readers have it, cached for the max-age
        expect(reader.get_by_role("link", name=ACCOUNT["Site title"]).first).to_be_visible()

        page.bring_to_front()
        page.get_by_role("link", name="New post").click()
        # Saved as a draft: leaving the title creates the post (POST), the body is autosaved
        # 3 s after the last change (PUT); "Draft" means unsaved changes, "Draft - Saved" none.
        # The body goes in as one input (as pasted): typed key by key on a busy machine, each
        # pause between keys could start another autosave.
        with page.expect_response(
            lambda r: r.request.method == "POST" and "/ghost/api/admin/posts/" in r.url,
            timeout=60_000,
        ) as drafted:
            page.get_by_placeholder("Post title").fill(POST_TITLE)
            page.keyboard.press("Enter")  # from the title to the post's first paragraph
        # Created: the admin moves to the post's own address, and only then takes the body.
        page.wait_for_url(re.compile(rf"{re.escape(NEWS_URL)}ghost/#/editor/post/[0-9a-f]{{24}}$"))
        with page.expect_response(
            lambda r: r.request.method == "PUT" and "/ghost/api/admin/posts/" in r.url,
            timeout=60_000,
        ) as autosaved:
            page.keyboard.insert_text(POST_BODY)
        assert (drafted.value.status, autosaved.value.status) == (201, 200)
        expect(page.get_by_text("Draft - Saved", exact=True)).to_be_visible()
        show_in_guide(
            page,
            LAB,
            "5-ghost-editor",
            "관리 화면의 New post: 제목과 본문을 쓰면 초안이 저장되고, Publish → Continue, final "
            "review → Publish post, right now로 발행",
        )
        page.get_by_role("button", name="Publish").click()
        page.get_by_role("button", name="Continue, final review →").click()
        with page.expect_response(
            lambda r: r.request.method == "PUT" and "/ghost/api/admin/posts/" in r.url
        ) as publishing:
            # Its pulse animation never holds still, which Playwright waits for unless forced.
            page.get_by_role("button", name="Publish post, right now").click(force=True)
        expect(page.get_by_role("heading", name=POST_TITLE, level=3)).to_be_visible()  # Posts
        ((slug, status),) = news.db.query(
            f"SELECT slug, status FROM posts WHERE title = {sql_string(POST_TITLE)}"
        )
        news.db.query(f"UPDATE posts SET published_at = '{PUBLISHED_AT}' WHERE slug = '{slug}'")

        reader.bring_to_front()
        news.clock.now += 30  # half the max-age has passed
        before = reader.reload()
        titles = reader.get_by_role("main").get_by_role("article").get_by_role("heading", level=3)
        expect(titles).to_have_text(["Coming soon"])  # the cached copy, still fresh
        opened = reader.goto(f"{NEWS_URL}{slug}/")  # never cached: from Ghost at once
        expect(reader.get_by_role("heading", level=1)).to_have_text(POST_TITLE)
        reader.go_back()
        expect(titles).to_have_text(["Coming soon"])
        news.clock.now += 31  # the max-age Ghost sent (60 s) has passed
        # Reloaded: within the max-age a plain visit is the browser's own copy (Ghost allows it).
        after = reader.reload()
        expect(titles).to_have_text([POST_TITLE, "Coming soon"])
        show_in_guide(
            reader,
            LAB,
            "6-ghost-new-post",
            "새 기사: 뉴스 서버가 캐시한 첫 페이지는 max-age(60초)가 지난 뒤 Ghost에서 다시 "
            "가져와야 새 기사를 보임 (HIT은 남은 초를 max-age로 보내 CloudFront의 사본도 함께 "
            "만료). 사진은 "
            "static.ghost.org에서 와서 이 그림에는 빠짐",
        )
    # The admin and its writes reach Ghost through the news servers, never from the cache.
    assert admin.headers["x-cache"] == "PASS"
    assert publishing.value.status == 200 and publishing.value.headers["x-cache"] == "PASS"
    assert status == "published"
    assert [first.headers["x-cache"], before.headers["x-cache"]] == ["MISS", "HIT"]
    # The HIT carries the seconds its copy has left, so CloudFront's copy expires with it.
    assert first.headers["cache-control"] == "public, max-age=60"
    assert before.headers["cache-control"] == "public, max-age=30"
    assert opened.headers["x-cache"] == "MISS" and after.headers["x-cache"] == "MISS"
    assert_only_apart(console.problems, apart)
    assert_only_apart(seen.problems, beyond)
    assert ghost_errors(news.ghost) == []
