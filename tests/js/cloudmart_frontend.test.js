// The CloudMart frontend's logic under Node 22 (node --test), against the real backend whose
// URL tests/test_cloudmart_frontend.py passes as CLOUDMART_API.
"use strict";
const assert = require("node:assert/strict");
const path = require("node:path");
const test = require("node:test");

const cloudmart = require(path.join(__dirname, "..", "..", "week5", "assets", "sites", "cloudmart", "app.js"));
const base = process.env.CLOUDMART_API;

test("formatKrw writes won the Korean way", () => {
  assert.equal(cloudmart.formatKrw(1234567), "1,234,567원");
});

test("cartSummary joins items with products and adds up", () => {
  const products = [{ id: 1, name: "A", price_krw: 1000 }, { id: 2, name: "B", price_krw: 250 }];
  const summary = cloudmart.cartSummary([{ product_id: 2, quantity: 4 }, { product_id: 9, quantity: 1 }], products);
  assert.deepEqual(summary, {
    lines: [{ name: "B", quantity: 4, subtotal: 1000 }, { name: "#9", quantity: 1, subtotal: 0 }],
    total: 1000,
  });
});

test("escapeHtml keeps product names from becoming markup", () => {
  assert.equal(cloudmart.escapeHtml('<b>"x"</b>'), "&#60;b&#62;&#34;x&#34;&#60;/b&#62;");
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
  await assert.rejects(api.order(), /the cart is empty/);
});
