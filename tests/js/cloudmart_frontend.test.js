// The CloudMart frontend's logic under Node 22 (node --test), against the real backend.
// tests/test_cloudmart_frontend.py passes CLOUDMART_API (the backend), CLOUDMART_SITE (the
// frontend's origin, /api/* forwarded to the backend as CloudFront does), CLOUDMART_DOWN_SITE
// (the same with no backend behind it) and CLOUDMART_NOWHERE (a port nothing listens on).
"use strict";
const assert = require("node:assert/strict");
const path = require("node:path");
const test = require("node:test");

const cloudmart = require(path.join(__dirname, "..", "..", "week5", "assets", "sites", "cloudmart", "app.js"));
const { CLOUDMART_API: base, CLOUDMART_SITE: site, CLOUDMART_DOWN_SITE: downSite, CLOUDMART_NOWHERE: nowhere } = process.env;

test("formatKrw writes won the Korean way", () => {
  assert.equal(cloudmart.formatKrw(1234567), "1,234,567원");
  assert.equal(cloudmart.formatKrw(0), "0원");
});

test("cartSummary joins items with products and adds up", () => {
  const products = [{ id: 1, name: "A", price_krw: 1000 }, { id: 2, name: "B", price_krw: 250 }];
  const summary = cloudmart.cartSummary([{ product_id: 2, quantity: 4 }, { product_id: 9, quantity: 1 }], products);
  assert.deepEqual(summary, {
    lines: [
      { product_id: 2, name: "B", quantity: 4, subtotal: 1000 },
      { product_id: 9, name: "#9", quantity: 1, subtotal: 0 },
    ],
    total: 1000,
    count: 5,
  });
});

test("escapeHtml keeps product names from becoming markup", () => {
  assert.equal(cloudmart.escapeHtml('<b>"x"</b>'), "&#60;b&#62;&#34;x&#34;&#60;/b&#62;");
});

test("koreanMessage tells the shopper what went wrong in Korean", () => {
  const { ApiError, koreanMessage } = cloudmart;
  const down = "서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.";
  assert.equal(koreanMessage(new ApiError(0, "fetch failed")), down);
  assert.equal(koreanMessage(new ApiError(502, "HTTP 502")), down);
  assert.equal(koreanMessage(new ApiError(503, "unavailable")), down);
  assert.equal(
    koreanMessage(new ApiError(409, "only 2 of USB-C hub left")),
    "재고가 부족합니다: USB-C hub 상품은 2개 남았습니다. 장바구니를 비우고 다시 담아 주세요.",
  );
  assert.equal(koreanMessage(new ApiError(409, "the cart is empty")), "장바구니가 비어 있습니다. 상품을 먼저 담아 주세요.");
  assert.equal(koreanMessage(new ApiError(404, "no product 77")), "상품을 찾을 수 없습니다 (상품 번호 77). 목록을 새로 불러오세요.");
  assert.equal(koreanMessage(new ApiError(400, "body must be JSON")), "요청을 처리하지 못했습니다 (body must be JSON).");
});

test("a product card names its button after the product and knows sold out and a full cart", () => {
  const mouse = { id: 2, name: "Wireless <mouse>", price_krw: 35000, stock: 3 };
  const card = cloudmart.productCard(mouse, 0);
  assert.match(card, /<h3 class="card-name">Wireless &#60;mouse&#62;<\/h3>/);
  assert.match(card, /<p class="price">35,000원<\/p>/);
  assert.match(card, /<p class="stock low">재고 3개 · 얼마 남지 않았어요<\/p>/);
  assert.match(card, /<button type="button" class="button add" data-id="2" aria-label="Wireless &#60;mouse&#62; 담기">담기<\/button>/);
  assert.match(cloudmart.productCard(mouse, 3), /data-id="2" disabled aria-label="[^"]+ 담기"/);
  assert.match(cloudmart.productCard(mouse, 3), /재고 3개를 모두 담았습니다/);
  const soldOut = cloudmart.productCard({ ...mouse, stock: 0 }, 0);
  assert.match(soldOut, /<button type="button" class="button add" disabled aria-label="[^"]+ 품절">품절<\/button>/);
  assert.doesNotMatch(soldOut, /data-id/);
  assert.match(cloudmart.productCard({ ...mouse, stock: 50 }, 0), /<p class="stock">재고 50개<\/p>/);
});

test("a product's picture is a drawing of its kind, or its first letter", () => {
  assert.match(cloudmart.productIcon("Mechanical keyboard"), /^<svg class="icon"/);
  assert.match(cloudmart.productIcon("무선 마우스"), /^<svg class="icon"/);
  assert.equal(cloudmart.productIcon("tea <cup>"), "T");
  assert.equal(cloudmart.productIcon("<b>"), "&#60;");
});

test("a cart line shows quantity and subtotal, and a named button for one more", () => {
  const line = { product_id: 4, name: "USB-C hub", quantity: 2, subtotal: 90000 };
  assert.equal(
    cloudmart.cartLine(line, true),
    '<li class="cart-line"><span class="line-name">USB-C hub</span><span class="line-qty">수량 2개</span>' +
      '<span class="line-subtotal">90,000원</span><button type="button" class="button more" data-id="4" ' +
      'aria-label="USB-C hub 하나 더 담기">+1</button></li>',
  );
  assert.match(cloudmart.cartLine(line, false), /data-id="4" disabled aria-label/);
});

test("a shopper lists, fills a cart and orders through the API", async () => {
  assert.ok(base, "CLOUDMART_API must name the backend");
  const cartId = cloudmart.newCartId();
  assert.match(cartId, /^cart-[0-9a-f-]{36}$/);
  const api = cloudmart.createClient(base, cartId);
  const products = await api.products();
  const mouse = products.find((p) => p.name === "Wireless mouse");
  await api.add(mouse.id, 2);
  const { items } = await api.cart();
  assert.equal(cloudmart.cartSummary(items, products).total, 2 * mouse.price_krw);
  const order = await api.order();
  assert.equal(order.total_krw, 2 * mouse.price_krw);
  assert.deepEqual((await api.orders()).map((o) => o.id), [order.id]);
  assert.deepEqual((await api.cart()).items, []);
  await assert.rejects(api.order(), { name: "ApiError", status: 409, message: "the cart is empty" });
  await assert.rejects(api.add(999999, 1), { status: 404, message: "no product 999999" });
});

test("through the site's origin the same calls reach the backend", async () => {
  assert.ok(site, "CLOUDMART_SITE must name the frontend's origin");
  const api = cloudmart.createClient(site, cloudmart.newCartId());
  const products = await api.products();
  assert.ok(products.length > 0);
  assert.deepEqual((await api.add(products[0].id, 1)).items, [{ product_id: products[0].id, quantity: 1 }]);
  assert.deepEqual((await api.clear()).items, []);
});

test("an origin that does not answer is an ApiError a shopper can read", async () => {
  assert.ok(downSite && nowhere, "CLOUDMART_DOWN_SITE and CLOUDMART_NOWHERE must be set");
  // CloudFront's own HTML error page: not JSON, still a 502 the page can explain.
  const behindCloudFront = cloudmart.createClient(downSite, cloudmart.newCartId());
  await assert.rejects(behindCloudFront.products(), { name: "ApiError", status: 502, message: "HTTP 502" });
  const refused = cloudmart.createClient(nowhere, cloudmart.newCartId());
  const error = await refused.products().catch((e) => e);
  assert.equal(error.status, 0);
  assert.equal(cloudmart.koreanMessage(error), "서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.");
});
