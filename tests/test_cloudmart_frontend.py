"""The CloudMart frontend (Day 5): its page, and its logic run under Node 22 against the real
backend (PostgreSQL and Redis over TLS)."""

import os
import re
import subprocess

import pytest
from node_apis import CLOUDMART_API_DIR, NODE, ROOT, node_api
from node_apis import CLOUDMART_FRONTEND_DIR as FRONTEND_DIR

JS_TEST = ROOT / "tests" / "js" / "cloudmart_frontend.test.js"


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
    result = subprocess.run(
        [str(NODE), "--test", str(JS_TEST)],
        env={**os.environ, "CLOUDMART_API": api},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^# pass 4$", result.stdout, re.M), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.M)


def test_the_page_loads_its_script_and_styles_from_the_same_folder():
    page = (FRONTEND_DIR / "index.html").read_text()
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert (FRONTEND_DIR / asset).is_file(), asset
    assert '<script src="app.js">' in page
    # Same-origin API calls: CloudFront routes /api/* to the backend, so no host is baked in.
    assert 'createClient("", cartId)' in (FRONTEND_DIR / "app.js").read_text()
