"""WordPress (Day1Lab1, Day1Case) opened in Chromium as a student opens the lab's SiteUrl.

The containers of the labs' compose files stand in as Debian's packages (wordpress_site.py):
WordPress under Apache with mod_php and the image's wp-config, MariaDB set up as the mysql
image sets itself up, each started from its compose service's environment. Day1Lab1 runs both
on one host; Day1Case's MySQL is another host (its own address) that WordPress reaches through
``WORDPRESS_DB_HOST``, and the test reads the student's post back from there over TCP.

The student does what the course's Session 4 and Lab 1 lead to: open SiteUrl, meet the install
wizard, give the site a Korean title and an account, install, log in to the dashboard, write and
publish a post with a Korean title in the block editor, and find it on the front page.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List, Tuple
from urllib.parse import urlsplit

import pytest
from browser import VIEWPORT, show_in_guide, watched
from lab_pages import without
from playwright.sync_api import expect
from containers import Background, compose_environment
from mysql_site import kept_data_folder, mysql_container, sql_string
from wordpress_site import WordPress, wordpress_container, wp_config

from week5.assets import COMPOSE_DIR

#: What Secrets Manager generates at deploy time (DockerHost writes them to .env): stand-ins.
PASSWORDS = {
    "WORDPRESS_DB_PASSWORD": "stand-in-wordpress-db-password",
    "MYSQL_ROOT_PASSWORD": "stand-in-mysql-root-password",
}
#: Each container's address. Day1Lab1: both containers on one host, WordPress finding MySQL by
#: its compose service name ``mysql`` (compose's network resolves it; here, its address).
#: Day1Case: the web host, and the MySQL host in the private subnet (its private IP).
LAB1_WEB, LAB1_MYSQL = "127.0.0.11", "127.0.0.12"
CASE_WEB, CASE_MYSQL = "127.0.0.21", "127.0.0.22"

#: What the student types into the install wizard.
ACCOUNT = {"user": "student", "password": "Week5-Day1-Blog!", "email": "student@example.com"}

#: The front page shows each post's date (and its address holds it): the posts are dated the
#: course's first day, the install's "Hello world!" ten minutes into the session and the
#: student's post ten minutes before its end, so the guide's picture is the same on every run.
FIRST_DAY = "2026-03-02"

#: Names this closed network cannot resolve, which the lab's pages load from the internet:
#: Gravatar's avatars (the admin bar, the dashboard's activity) and the block editor's welcome
#: guide pictures on s.w.org. Chromium reports each as a failed request and a console error.
OUTSIDE = re.compile(r"https://([0-9]\.gravatar\.com/avatar/|s\.w\.org/images/block-editor/)")


@pytest.fixture(scope="module")
def sites() -> Iterator[Background]:
    """Both labs' containers, started in the background (tests name this fixture before
    ``page``, so the browser starts meanwhile) and stopped at the module's end."""
    with ThreadPoolExecutor(1) as pool:
        # mariadb-install-db's folder, kept between runs; each MySQL copies it.
        made = pool.submit(kept_data_folder)

        def mysql(compose_file: Path, address: str):
            environment = compose_environment(compose_file, "mysql", PASSWORDS)
            return mysql_container(environment, address=address, data_template=made.result())

        def wordpress(compose_file: Path, address: str, **values: str):
            environment = compose_environment(compose_file, "wordpress", {**PASSWORDS, **values})
            if environment["WORDPRESS_DB_HOST"] == "mysql":  # compose's name for the container
                environment["WORDPRESS_DB_HOST"] = LAB1_MYSQL
            return wordpress_container(environment, address=address)

        started = Background(
            {
                "lab1_db": lambda: mysql(COMPOSE_DIR / "wordpress.yml", LAB1_MYSQL),
                "lab1_web": lambda: wordpress(COMPOSE_DIR / "wordpress.yml", LAB1_WEB),
                "case_db": lambda: mysql(COMPOSE_DIR / "mysql.yml", CASE_MYSQL),
                # DockerHost's compose_env: the MySQL host's private IP.
                "case_web": lambda: wordpress(
                    COMPOSE_DIR / "wordpress-web.yml", CASE_WEB, WORDPRESS_DB_HOST=CASE_MYSQL
                ),
            }
        )
        try:
            yield started
        finally:
            started.close()


@contextlib.contextmanager
def watched_apart_from_outside(page) -> Iterator[Tuple[object, List[str]]]:
    """``watched(page)``, and apart from it what failed only because the page asked the
    internet (OUTSIDE) for it: yields the console and those lines."""
    outside: List[str] = []

    def on_console(message) -> None:
        if message.type == "error" and OUTSIDE.match(message.location.get("url", "")):
            outside.append(f"console error: {message.text}")

    def on_failed(request) -> None:
        if OUTSIDE.match(request.url):
            outside.append(f"request failed: {request.url} ({request.failure})")

    with watched(page) as console:
        page.on("console", on_console)
        page.on("requestfailed", on_failed)
        yield console, outside


def assert_only_outside_failed(console, outside: List[str]) -> None:
    assert without(console.problems, outside) == []
    # Narrowly: those failed because the name did not resolve, not because the lab broke.
    assert all("ERR_NAME_NOT_RESOLVED" in line for line in outside), outside


# ---- what the student does ----


def install(page, site_url: str, title: str) -> None:
    """Open SiteUrl: a new WordPress sends the browser to its install wizard; fill it in."""
    page.goto(site_url)
    assert urlsplit(page.url).path == "/wp-admin/install.php"
    expect(page.get_by_role("heading", name="Welcome", level=1)).to_be_visible()
    page.get_by_label("Site Title").fill(title)
    page.get_by_label("Username").fill(ACCOUNT["user"])
    page.get_by_label("Password", exact=True).fill(ACCOUNT["password"])
    page.get_by_label("Your Email").fill(ACCOUNT["email"])
    expect(page.locator("#pass-strength-result")).to_have_text("Strong")


def finish_install(page) -> None:
    page.get_by_role("button", name="Install WordPress").click()
    expect(page.get_by_role("heading", name="Success!")).to_be_visible()


def log_in(page, title: str) -> None:
    page.get_by_role("link", name="Log In").click()
    user = page.get_by_label("Username or Email Address")
    # wp-login.php focuses and selects this field 200 ms after it loads: a fill of the password
    # under way then would land in it (seen: the user name became the password, 1 run in 13).
    expect(user).to_be_focused()
    user.fill(ACCOUNT["user"])
    page.get_by_label("Password", exact=True).fill(ACCOUNT["password"])
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    # The admin bar names the site as the student called it.
    expect(page.locator("#wp-admin-bar-site-name > a")).to_have_text(title)
    # As the student reads it: once its widgets have loaded (leaving earlier aborts the first
    # visit's compression test, a request Chromium then reports as failed).
    page.wait_for_load_state("networkidle")


def publish_post(page, site_url: str, title: str, body: str) -> str:
    """Posts → Add New in the block editor: title, a paragraph, Publish (twice: the editor
    asks to check first); returns the post's address."""
    posts = (
        page.get_by_role("navigation", name="Main menu")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name="Posts", exact=True))
    )
    posts.hover()  # its submenu opens
    posts.get_by_role("link", name="Add New", exact=True).click()
    page.get_by_role("dialog", name="Welcome to the block editor").get_by_role(
        "button", name="Close dialog"
    ).click()
    page.get_by_role("textbox", name="Add title").fill(title)
    page.keyboard.press("Enter")  # a paragraph block under the title
    page.keyboard.insert_text(body)
    page.get_by_role("region", name="Editor top bar").get_by_role(
        "button", name="Publish", exact=True
    ).click()
    page.get_by_role("region", name="Editor publish").get_by_role(
        "button", name="Publish", exact=True
    ).click()
    published = page.get_by_role("region", name="Editor publish")
    expect(published.get_by_text("is now live.")).to_be_visible()
    address = published.get_by_role("link", name=title).get_attribute("href")
    assert address.startswith(f"{site_url}/"), address
    return address


def fix_post_dates(db, student_post: str, session_start: str) -> None:
    """Date the posts within the session that starts at ``session_start`` (HH:MM)."""
    hour, minute = map(int, session_start.split(":"))
    for title, offset in (("Hello world!", 10), (student_post, 40)):
        date = f"{FIRST_DAY} {hour + (minute + offset) // 60:02d}:{(minute + offset) % 60:02d}:00"
        db.query(
            "UPDATE wp_posts SET post_date = %s, post_date_gmt = %s "
            "WHERE post_type = 'post' AND post_status = 'publish' AND post_title = %s"
            % (sql_string(date), sql_string(date), sql_string(title))
        )


@contextlib.contextmanager
def visitor(page) -> Iterator:
    """Someone else's browser (no login), as the blog's readers see it."""
    context = page.context.browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_front_page_shows(page, site: WordPress, title: str, post: str, body: str) -> None:
    page.goto(site.url)
    expect(page.get_by_role("link", name=title, exact=True).first).to_be_visible()
    newest = page.locator(".wp-block-post").first
    expect(newest.get_by_role("link", name=post)).to_have_attribute(
        "href", re.compile("^" + re.escape(f"{site.url}/{FIRST_DAY.replace('-', '/')}/"))
    )
    expect(newest).to_contain_text(body)
    expect(page.locator(".wp-block-post").nth(1)).to_contain_text("Hello world!")


def student_publishes(
    page, site: WordPress, post: Tuple[str, str, str], on_install=lambda page: None
) -> None:
    """What the student does on SiteUrl: the install wizard (``on_install`` sees its form),
    log in, publish ``post`` (site title, post title, body); only the internet failed."""
    title, post_title, body = post
    with watched_apart_from_outside(page) as (console, outside):
        install(page, site.url, title)
        on_install(page)
        finish_install(page)
        log_in(page, title)
        publish_post(page, site.url, post_title, body)
    assert_only_outside_failed(console, outside)


# ---- Day 1 Lab 1: WordPress and MySQL on one EC2 host ----

LAB1_TITLE = "나의 첫 AWS 블로그"
LAB1_POST = "AWS에서 띄운 첫 블로그 글"
LAB1_BODY = "VPC의 퍼블릭 서브넷에 있는 EC2에서 Docker Compose로 WordPress를 실행했습니다."


def test_day1_lab1_site_url_installs_wordpress_and_shows_the_post(sites, page):
    site, db = sites["lab1_web"], sites["lab1_db"]
    install_page = functools.partial(
        show_in_guide,
        lab_id="Day1Lab1",
        slug="install",
        caption="SiteUrl을 처음 열면 WordPress 설치 화면: 사이트 제목, 관리자 이름, 비밀번호, "
        "이메일을 넣고 Install WordPress (먼저 언어를 고르는 화면이 나오면 원하는 언어 선택)",
    )
    student_publishes(page, site, (LAB1_TITLE, LAB1_POST, LAB1_BODY), on_install=install_page)
    # What the wizard and the editor wrote is in the compose file's MySQL.
    assert db.query("SELECT option_value FROM wp_options WHERE option_name = 'blogname'") == [
        (LAB1_TITLE,)
    ]
    assert db.query(
        "SELECT post_status FROM wp_posts WHERE post_type = 'post' AND post_title = "
        + sql_string(LAB1_POST)
    ) == [("publish",)]
    fix_post_dates(db, LAB1_POST, "14:00")  # Lab 1: 14:00-14:50
    front_page_in_guide(
        page, site, "Day1Lab1", (LAB1_TITLE, LAB1_POST, LAB1_BODY),
        "설치하고 글을 발행한 뒤 SiteUrl: 블로그 첫 화면에 새 글과 WordPress의 "
        "Hello world! 글 (주소와 날짜는 배포마다 다름)",
    )


def front_page_in_guide(page, site, lab: str, post: Tuple[str, str, str], caption: str) -> None:
    """The front page as a visitor (signed out) sees it, with the site title and the new post,
    kept as the guide's picture; nothing failed and PHP logged no error."""
    with visitor(page) as reader, watched_apart_from_outside(reader) as (console, outside):
        assert_front_page_shows(reader, site, *post)
        show_in_guide(reader, lab, "site", caption)
    assert console.problems == [] and outside == []
    assert site.php_errors == []


# ---- Day 1 case: WordPress on the public host, MySQL on the private host ----

CASE_TITLE = "미디엄 스타일 블로그"
CASE_POST = "프라이빗 서브넷의 MySQL에 저장된 글"
CASE_BODY = "이 글은 웹 서버가 아니라 프라이빗 서브넷의 MySQL 호스트에 저장됩니다."


def test_day1_case_wordpress_keeps_the_post_in_the_private_mysql_host(sites, page):
    site, db = sites["case_web"], sites["case_db"]
    student_publishes(page, site, (CASE_TITLE, CASE_POST, CASE_BODY))
    # The post is a row of the MySQL host's database, read over TCP at that host's address;
    # the web host has no MySQL of its own to have kept it in.
    with socket.socket() as sock:
        assert sock.connect_ex((CASE_WEB, db.port)) != 0
    assert db.query(
        "SELECT post_title, post_content LIKE %s, post_status FROM wp_posts "
        "WHERE post_type = 'post' AND post_status = 'publish' ORDER BY ID"
        % sql_string(f"%{CASE_BODY}%")
    ) == [("Hello world!", "0", "publish"), (CASE_POST, "1", "publish")]
    fix_post_dates(db, CASE_POST, "12:00")  # Session 4: 12:00-12:50
    front_page_in_guide(
        page, site, "Day1Case", (CASE_TITLE, CASE_POST, CASE_BODY),
        "SiteUrl: 퍼블릭 서브넷의 WordPress가 보여 주는 블로그; 글은 프라이빗 서브넷의 "
        "MySQL 호스트에 저장됨 (주소와 날짜는 배포마다 다름)",
    )


# ---- the image's configuration ----


def test_wp_config_reads_the_settings_from_the_environment_as_the_image_does(tmp_path):
    """``NAME_FILE``'s contents before ``NAME``, the image's defaults for what is unset, a random
    phrase for each key and salt (so two containers' cookies differ)."""
    docroot = tmp_path / "html"
    docroot.mkdir()
    (docroot / "wp-config.php").write_text(wp_config())
    (docroot / "wp-settings.php").write_text(
        "<?php echo json_encode(['DB_NAME' => DB_NAME, 'DB_USER' => DB_USER, 'DB_PASSWORD' => "
        "DB_PASSWORD, 'DB_HOST' => DB_HOST, 'DB_CHARSET' => DB_CHARSET, 'AUTH_KEY' => AUTH_KEY, "
        "'prefix' => $table_prefix, 'debug' => WP_DEBUG]);"
    )
    (tmp_path / "password").write_text("from-a-file\n")
    environment = {
        "PATH": "/usr/bin:/bin",
        "WORDPRESS_DB_HOST": "10.0.11.10",
        "WORDPRESS_DB_USER": "wordpress",
        "WORDPRESS_DB_PASSWORD": "from-the-variable",
        "WORDPRESS_DB_PASSWORD_FILE": str(tmp_path / "password"),
    }

    def settings() -> dict:
        result = subprocess.run(
            ["php", str(docroot / "wp-config.php")],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(result.stdout)

    first = settings()
    assert {k: v for k, v in first.items() if k != "AUTH_KEY"} == {
        "DB_NAME": "wordpress",
        "DB_USER": "wordpress",
        "DB_PASSWORD": "from-a-file",
        "DB_HOST": "10.0.11.10",
        "DB_CHARSET": "utf8",
        "prefix": "wp_",
        "debug": False,
    }
    assert re.fullmatch("[0-9a-f]{40}", first["AUTH_KEY"])
    environment["WORDPRESS_AUTH_KEY"] = "set-by-the-operator"
    assert settings()["AUTH_KEY"] == "set-by-the-operator"
    assert wp_config() != wp_config()  # each container its own phrases
