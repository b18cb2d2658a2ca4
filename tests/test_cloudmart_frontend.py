"""The CloudMart frontend (Day 5): its page, and its logic run under Node 22 against the real
backend (PostgreSQL and Redis over TLS), directly and through the site's origin."""

import os
import re
import subprocess

import pytest
from cloudmart_site import cloudmart_site
from node_apis import CLOUDMART_API_DIR, NODE, ROOT, node_api
from node_apis import CLOUDMART_FRONTEND_DIR as FRONTEND_DIR
from servers import free_port

JS_TEST = ROOT / "tests" / "js" / "cloudmart_frontend.test.js"
JS_TESTS = 10  # the test() calls in JS_TEST: all must run and pass


@pytest.fixture(scope="module")
def api(postgres_server, redis_server):
    with node_api(
        CLOUDMART_API_DIR,
        postgres_server,
        redis_server,
        "cloudmart_frontend",
        redis_prefix="cloudmart:",
    ) as base:
        yield base


def test_frontend_logic_against_the_backend(api):
    nowhere = f"http://127.0.0.1:{free_port()}"
    with (
        cloudmart_site(FRONTEND_DIR, api) as site,
        cloudmart_site(FRONTEND_DIR, nowhere) as down,
    ):
        result = subprocess.run(
            [str(NODE), "--test", str(JS_TEST)],
            env={
                **os.environ,
                "CLOUDMART_API": api,
                "CLOUDMART_SITE": site,
                "CLOUDMART_DOWN_SITE": down,
                "CLOUDMART_NOWHERE": nowhere,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(re.findall(r"^test\(", JS_TEST.read_text(), re.M)) == JS_TESTS
    assert re.search(rf"^# pass {JS_TESTS}$", result.stdout, re.M), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.M)


def test_the_page_loads_its_script_and_styles_from_the_same_folder():
    page = (FRONTEND_DIR / "index.html").read_text()
    files = [
        asset
        for asset in re.findall(r'(?:src|href)="([^"]+)"', page)
        if not asset.startswith(("#", "data:"))  # in-page links and the inline icon
    ]
    assert files == ["style.css", "app.js"]
    for asset in files:
        assert (FRONTEND_DIR / asset).is_file(), asset
    # Dependency-free: nothing from another host (no CDN, no web font).
    for text in (page, (FRONTEND_DIR / "style.css").read_text()):
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)
        assert "@import" not in text and "@font-face" not in text
    # Same-origin API calls: CloudFront routes /api/* to the backend, so no host is baked in.
    assert 'createClient("", cartId)' in (FRONTEND_DIR / "app.js").read_text()
