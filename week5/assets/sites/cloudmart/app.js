// CloudMart frontend (Day 5): lists products, keeps a cart and places orders through /api/.
// CloudFront serves this folder from S3 and routes /api/* to the backend ALB, so the calls are
// same-origin. The cart id lives in localStorage; the cart itself in the backend's Redis.
// The logic is plain functions (tested under Node 22 against the real backend); the last block
// wires them to the page.
(function (root, factory) {
  const cloudmart = factory();
  if (typeof module === "object" && module.exports) module.exports = cloudmart;
  else root.CloudMart = cloudmart;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function createClient(baseUrl, cartId, fetchImpl) {
    const doFetch = fetchImpl || fetch;
    async function call(path, options) {
      const response = await doFetch(`${baseUrl}/api${path}`, {
        ...options,
        headers: { "Content-Type": "application/json", "X-Cart-Id": cartId },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
      return body;
    }
    return {
      products: async () => (await call("/products")).products,
      cart: () => call("/cart"),
      add: (productId, quantity) =>
        call("/cart", { method: "POST", body: JSON.stringify({ product_id: productId, quantity }) }),
      clear: () => call("/cart", { method: "DELETE" }),
      order: () => call("/orders", { method: "POST" }),
      orders: async () => (await call("/orders")).orders,
    };
  }

  function formatKrw(amount) {
    return `${Number(amount).toLocaleString("ko-KR")}원`;
  }

  /** Cart lines joined with their products: [{name, quantity, subtotal}], and the total. */
  function cartSummary(items, products) {
    const lines = items.map((item) => {
      const product = products.find((p) => p.id === item.product_id);
      const name = product ? product.name : `#${item.product_id}`;
      const subtotal = product ? product.price_krw * item.quantity : 0;
      return { name, quantity: item.quantity, subtotal };
    });
    return { lines, total: lines.reduce((sum, line) => sum + line.subtotal, 0) };
  }

  function newCartId() {
    return `cart-${crypto.randomUUID()}`;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  return { createClient, formatKrw, cartSummary, newCartId, escapeHtml };
});

if (typeof document !== "undefined") {
  document.addEventListener("DOMContentLoaded", async () => {
    const { createClient, formatKrw, cartSummary, newCartId, escapeHtml } = window.CloudMart;
    let cartId = localStorage.getItem("cloudmart-cart");
    if (!cartId) localStorage.setItem("cloudmart-cart", (cartId = newCartId()));
    const api = createClient("", cartId);
    const $ = (id) => document.getElementById(id);
    let products = [];

    async function refresh(message) {
      try {
        products = await api.products();
        const { items } = await api.cart();
        $("products").innerHTML = products.map((p) => `<li>${escapeHtml(p.name)} ` +
          `<b>${formatKrw(p.price_krw)}</b> (재고 ${p.stock}) ` +
          `<button data-id="${p.id}" ${p.stock ? "" : "disabled"}>담기</button></li>`).join("");
        const summary = cartSummary(items, products);
        $("cart").innerHTML = summary.lines.map((l) =>
          `<li>${escapeHtml(l.name)} x ${l.quantity}: ${formatKrw(l.subtotal)}</li>`).join("");
        $("total").textContent = formatKrw(summary.total);
        $("status").textContent = message || "";
      } catch (error) {
        $("status").textContent = `오류: ${error.message}`;
      }
    }

    $("products").addEventListener("click", async (event) => {
      const id = Number(event.target.dataset.id);
      if (id) { await api.add(id, 1).catch((e) => alert(e.message)); refresh(); }
    });
    $("order").addEventListener("click", async () => {
      try {
        const order = await api.order();
        refresh(`주문 #${order.id} 완료: ${formatKrw(order.total_krw)}`);
      } catch (error) {
        refresh(`주문 실패: ${error.message}`);
      }
    });
    refresh();
  });
}
