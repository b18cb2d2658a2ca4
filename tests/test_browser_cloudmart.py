"""CloudMart (Day 5) in a real browser, as a student tries the deployed shop.

The frontend's own files are served with ``/api/*`` forwarded to the demo backend, which runs
against the session's real PostgreSQL and Redis (cloudmart_site.py: what CloudFront does in the
lab). Each test starts from the seed's stock, no orders and a cold product cache, so the pages
(and the guide's screenshots) show the same thing on every run.
"""

from __future__ import annotations

import contextlib
import re
import time

import psycopg
import pytest
import redis
from browser import show_in_guide, watched
from cloudmart_site import cloudmart_site
from node_apis import CLOUDMART_API_DIR, CLOUDMART_FRONTEND_DIR, call, node_api
from playwright.sync_api import expect
from servers import free_port

LAB = "Day5Lab1"
DATABASE = "cloudmart_browser"
PRODUCTS_KEY = "cloudmart:products"  # the backend's cached product list

#: Every visible element that holds text, with its colour against the background it is drawn
#: on (the backgrounds of it and its ancestors, blended over the white canvas); WCAG's ratio.
CONTRAST_JS = """
() => {
  const rgba = (css) => {
    const m = css.match(/^rgba?\\(([^)]+)\\)$/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const checked = [];
  const failures = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent.trim()).join(" ").trim();
    if (!own) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    // Not drawn: hidden, off-screen (the skip link until it has focus) or visually hidden.
    if (box.width <= 1 || box.height <= 1 || style.visibility !== "visible") continue;
    if (box.bottom + window.scrollY <= 0 || box.right <= 0) continue;
    let background = [255, 255, 255, 1];
    const layers = [];
    for (let node = el; node; node = node.parentElement) layers.push(getComputedStyle(node).backgroundColor);
    let unreadable = null;
    for (const layer of layers.reverse()) {
      const c = rgba(layer);
      if (!c) { unreadable = layer; break; }
      background = over(c, background);
    }
    const color = rgba(style.color);
    if (unreadable || !color) {
      failures.push({ text: own, problem: `colour not understood: ${unreadable || style.color}` });
      continue;
    }
    const fg = over(color, background);
    const [light, dark] = [luminance(fg), luminance(background)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    checked.push(own);
    if (ratio < 4.5) failures.push({ text: own, color: style.color, ratio: Math.round(ratio * 100) / 100 });
  }
  return { checked, failures };
}
"""


def won(amount: int) -> str:
    return f"{amount:,}원"


def contrast(page) -> dict:
    return page.evaluate(CONTRAST_JS)


def assert_readable(page) -> None:
    """Every text on the page at 4.5:1 or more, and enough text checked to mean something."""
    found = contrast(page)
    assert found["failures"] == [], found["failures"]
    assert len(found["checked"]) >= 10, found["checked"]


def unexpected(console, status: int, paths: str) -> list[str]:
    """The console's problems other than the ``status`` answers to the API ``paths`` (a regex)
    that the test caused: Chromium reports each as a response and as a console error."""
    answer = re.compile(rf"HTTP {status}: http://127\.0\.0\.1:\d+/api/({paths})")
    logged = f"console error: Failed to load resource: the server responded with a status of {status}"
    return [
        line
        for line in console.problems
        if not answer.fullmatch(line) and not line.startswith(logged)
    ]


def wait_until_ready(backend: str, seconds: float = 20.0) -> None:
    """The API listens before it reaches its stores: wait until /api/health/deep answers 200."""
    deadline = time.monotonic() + seconds
    while call(f"{backend}/api/health/deep")[0] != 200:
        if time.monotonic() > deadline:
            pytest.fail(f"{backend}/api/health/deep is not 200 after {seconds} s")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def backend(postgres_server, redis_server):
    with node_api(
        CLOUDMART_API_DIR,
        postgres_server,
        redis_server,
        DATABASE,
        redis_prefix="cloudmart:",
    ) as base:
        wait_until_ready(base)
        yield base


@pytest.fixture(scope="module")
def site(backend):
    with cloudmart_site(CLOUDMART_FRONTEND_DIR, backend) as url:
        yield url


@pytest.fixture(scope="module")
def database(backend, postgres_server):
    """A connection to the backend's database, and the stock the backend seeded."""
    with psycopg.connect(
        postgres_server.url, dbname=DATABASE, autocommit=True
    ) as connection:
        seeded = connection.execute(
            "SELECT id, stock FROM products ORDER BY id"
        ).fetchall()
        yield connection, seeded


@pytest.fixture(scope="module")
def cache(redis_server):
    url = f"rediss://:{redis_server.password}@127.0.0.1:{redis_server.port}"
    with contextlib.closing(
        redis.Redis.from_url(url, ssl_ca_certs=redis_server.ca_file)
    ) as client:
        yield client


@pytest.fixture
def shop(backend, site, database, cache):
    """The shop as seeded: no orders (the next is number 1), the seed's stock, a cold cache.
    Yields ``set_stock(name, n)``, which changes a product's stock as another shopper would."""
    connection, seeded = database
    connection.execute("TRUNCATE order_items, orders RESTART IDENTITY")
    for product_id, stock in seeded:
        connection.execute(
            "UPDATE products SET stock = %s WHERE id = %s", (stock, product_id)
        )
    cache.delete(PRODUCTS_KEY)

    def set_stock(name: str, stock: int) -> None:
        connection.execute(
            "UPDATE products SET stock = %s WHERE name = %s", (stock, name)
        )
        cache.delete(PRODUCTS_KEY)

    yield set_stock


def api_products(backend) -> dict:
    status, body = call(f"{backend}/api/products")
    assert status == 200, body
    return {p["name"]: p for p in body["products"]}


def test_a_student_lists_products_fills_the_cart_and_orders(
    page, backend, site, shop, database
):
    products = api_products(backend)
    keyboard, mouse = products["Mechanical keyboard"], products["Wireless mouse"]
    with watched(page) as console:
        page.goto(site)
        cards = page.locator(".card")
        expect(cards).to_have_count(len(products))
        for product in products.values():
            card = cards.filter(
                has=page.get_by_role("heading", name=product["name"], exact=True)
            )
            expect(card).to_contain_text(won(product["price_krw"]))
            expect(card).to_contain_text(f"재고 {product['stock']}개")
        expect(page.get_by_text("장바구니가 비어 있습니다.")).to_be_visible()
        expect(page.get_by_role("button", name="주문하기")).to_be_disabled()

        page.get_by_role("button", name="Mechanical keyboard 담기", exact=True).click()
        expect(page.locator("#cart-count")).to_have_text("1")
        page.get_by_role("button", name="Wireless mouse 담기", exact=True).click()
        expect(page.locator("#cart-count")).to_have_text("2")
        page.get_by_role(
            "button", name="Wireless mouse 하나 더 담기", exact=True
        ).click()
        expect(page.locator("#cart-count")).to_have_text("3")
        total = keyboard["price_krw"] + 2 * mouse["price_krw"]
        cart = page.get_by_role("complementary", name="장바구니")
        expect(cart.locator("#total")).to_have_text(won(total))
        expect(cart.locator(".cart-line")).to_have_text(
            [
                re.compile(
                    rf"Mechanical keyboard\s*수량 1개\s*{won(keyboard['price_krw'])}"
                ),
                re.compile(
                    rf"Wireless mouse\s*수량 2개\s*{won(2 * mouse['price_krw'])}"
                ),
            ]
        )
        page.mouse.move(0, 0)  # no card raised under the pointer in the picture
        assert_readable(page)
        show_in_guide(
            page,
            LAB,
            "1-shop",
            "CloudMart: 상품을 장바구니에 담으면 합계가 원 단위로 보입니다",
        )

        page.get_by_role("button", name="주문하기").click()
        confirmation = page.get_by_role("region", name="주문이 완료되었습니다")
        expect(confirmation).to_be_visible()
        expect(confirmation).to_be_focused()
        expect(confirmation.locator("#order-number")).to_have_text("1")
        expect(confirmation.locator("#order-total")).to_have_text(won(total))
        expect(confirmation.get_by_role("listitem")).to_have_text(
            ["Mechanical keyboard × 1", "Wireless mouse × 2"]
        )
        # The page shows the stock the order left, and the spent cart.
        expect(
            page.get_by_text(f"재고 {keyboard['stock'] - 1}개", exact=True)
        ).to_be_visible()
        expect(
            page.get_by_text(f"재고 {mouse['stock'] - 2}개", exact=True)
        ).to_be_visible()
        expect(page.get_by_text("장바구니가 비어 있습니다.")).to_be_visible()
        expect(page.locator("#cart-count")).to_have_text("0")
        page.mouse.move(0, 0)
        assert_readable(page)
        show_in_guide(
            page,
            LAB,
            "2-order",
            "CloudMart: 주문하면 주문 번호와 결제 금액이 보이고 재고가 줄어듭니다",
        )
    assert not console, str(console)

    after = api_products(backend)
    assert {name: p["stock"] for name, p in after.items()} == {
        name: p["stock"] - {"Mechanical keyboard": 1, "Wireless mouse": 2}.get(name, 0)
        for name, p in products.items()
    }
    connection, _ = database
    assert connection.execute("SELECT id, total_krw FROM orders").fetchall() == [
        (1, total)
    ]


def test_the_shop_reads_well_with_a_screen_reader_and_a_keyboard(
    page, backend, site, shop
):
    products = api_products(backend)
    with watched(page) as console:
        page.goto(site)
        expect(page.locator(".card")).to_have_count(len(products))
        assert page.evaluate("document.documentElement.lang") == "ko"
        expect(page.get_by_role("banner")).to_have_count(1)
        expect(page.get_by_role("main")).to_have_count(1)
        expect(page.get_by_role("complementary", name="장바구니")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_text("CloudMart")
        for name in products:
            expect(
                page.get_by_role("button", name=f"{name} 담기", exact=True)
            ).to_have_count(1)
        buttons = page.get_by_role("button")
        assert buttons.count() >= len(products) + 1
        for button in buttons.all():
            assert re.match(r'- button "[^"]+"', button.aria_snapshot()), (
                button.aria_snapshot()
            )
        assert_readable(page)

        # Keyboard only: the skip link, the cart link, then the first product's button.
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="상품 목록으로 건너뛰기")).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        first = page.get_by_role("button", name="Mechanical keyboard 담기", exact=True)
        expect(first).to_be_focused()
        ring = first.evaluate(
            "b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert ring[0] != "none" and float(ring[1].removesuffix("px")) >= 2, ring
        page.keyboard.press("Enter")
        expect(page.locator("#cart-count")).to_have_text("1")
        expect(page.get_by_role("status")).to_have_text(
            "장바구니에 담았습니다: Mechanical keyboard"
        )
    assert not console, str(console)


def test_the_contrast_check_catches_light_grey_text(page, site, shop):
    page.goto(site)
    expect(page.locator(".card")).to_have_count(4)
    page.add_style_tag(content=".price { color: #b0b0b0; }")
    failures = contrast(page)["failures"]
    assert failures and all(re.fullmatch(r"[\d,]+원", f["text"]) for f in failures), (
        failures
    )


def test_an_unreachable_backend_shows_a_korean_alert(page, site, shop):
    nowhere = (
        f"http://127.0.0.1:{free_port()}"  # nothing listens: the ALB has no backend
    )
    with (
        cloudmart_site(CLOUDMART_FRONTEND_DIR, nowhere) as broken,
        watched(page) as console,
    ):
        page.goto(broken)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(
            "서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
        )
        expect(alert.get_by_role("button", name="다시 시도")).to_be_visible()
        expect(page.locator(".card")).to_have_count(0)
        expect(page.get_by_text("상품을 불러오는 중입니다")).to_be_hidden()
        expect(page.get_by_text("상품 목록을 불러오지 못했습니다.")).to_be_visible()
        assert_readable(page)
    assert any(line.startswith("HTTP 502: ") for line in console.problems), str(console)
    assert unexpected(console, 502, "products|cart") == [], str(console)


def test_a_failing_api_shows_the_alert_and_the_retry_button_recovers(
    page, backend, site, shop
):
    def unavailable(route):
        route.fulfill(status=503, json={"error": "unavailable"})

    with watched(page) as console:
        page.route("**/api/products", unavailable)
        page.goto(site)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("서버에 연결할 수 없습니다")
        expect(page.get_by_text("상품 목록을 불러오지 못했습니다.")).to_be_visible()
        page.unroute("**/api/products", unavailable)
        alert.get_by_role("button", name="다시 시도").click()
        expect(page.locator(".card")).to_have_count(len(api_products(backend)))
        expect(alert).to_be_hidden()
        expect(page.get_by_text("상품 목록을 불러오지 못했습니다.")).to_be_hidden()
    assert unexpected(console, 503, "products") == [], str(console)
    assert any(line.startswith("HTTP 503: ") for line in console.problems), str(console)


def test_sold_out_products_and_an_order_beyond_the_stock_say_so_in_korean(
    page, backend, site, shop, database
):
    shop("27-inch monitor", 0)
    with watched(page) as console:
        page.goto(site)
        sold_out = page.get_by_role("button", name="27-inch monitor 품절", exact=True)
        expect(sold_out).to_be_disabled()
        expect(page.get_by_role("button", name="27-inch monitor 담기")).to_have_count(0)

        page.get_by_role("button", name="USB-C hub 담기", exact=True).click()
        expect(page.locator("#cart-count")).to_have_text("1")
        shop("USB-C hub", 0)  # another shopper bought the last ones meanwhile
        page.get_by_role("button", name="주문하기").click()
        alert = page.get_by_role("alert")
        expect(alert.locator("p")).to_have_text(
            "재고가 부족합니다: USB-C hub 상품은 0개 남았습니다. 장바구니를 비우고 다시 담아 주세요."
        )
        expect(alert.get_by_role("button", name="다시 시도")).to_be_hidden()
        expect(page.get_by_role("region", name="주문이 완료되었습니다")).to_be_hidden()
        expect(
            page.get_by_role("button", name="USB-C hub 품절", exact=True)
        ).to_be_disabled()
        assert_readable(page)

        page.get_by_role("button", name="장바구니 비우기").click()
        expect(page.get_by_text("장바구니가 비어 있습니다.")).to_be_visible()
        expect(page.get_by_role("button", name="주문하기")).to_be_disabled()
    assert any(line.startswith("HTTP 409: ") for line in console.problems), str(console)
    assert unexpected(console, 409, "orders") == [], str(console)
    connection, _ = database
    assert connection.execute("SELECT count(*) FROM orders").fetchone() == (0,)
