// CloudMart frontend (Day 5): lists products, keeps a cart and places orders through /api/.
// CloudFront serves this folder from S3 and routes /api/* to the backend ALB, so the calls are
// same-origin. The cart id lives in localStorage; the cart itself in the backend's Redis.
// The logic is plain functions (tested under Node 22 against the real backend); the last block
// wires them to the page. No libraries: the folder is uploaded to S3 as it is.
(function (root, factory) {
  const cloudmart = factory();
  if (typeof module === "object" && module.exports) module.exports = cloudmart;
  else root.CloudMart = cloudmart;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /** An API call that failed: ``status`` is the HTTP status (0 when nothing answered). */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.name = "ApiError";
      this.status = status;
    }
  }

  function createClient(baseUrl, cartId, fetchImpl) {
    const doFetch = fetchImpl || fetch;
    async function call(path, options) {
      let response;
      try {
        response = await doFetch(`${baseUrl}/api${path}`, {
          ...options,
          headers: { "Content-Type": "application/json", "X-Cart-Id": cartId },
        });
      } catch (error) {
        throw new ApiError(0, error.message);  // offline, DNS, refused: nothing answered
      }
      // CloudFront answers an unreachable origin with an HTML page, so the body may not be JSON.
      const body = await response.json().catch(() => null);
      if (!response.ok || body === null) {
        throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status}`);
      }
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

  /** Cart lines joined with their products: [{product_id, name, quantity, subtotal}], the
   * total and the number of pieces. */
  function cartSummary(items, products) {
    const lines = items.map((item) => {
      const product = products.find((p) => p.id === item.product_id);
      const name = product ? product.name : `#${item.product_id}`;
      const subtotal = product ? product.price_krw * item.quantity : 0;
      return { product_id: item.product_id, name, quantity: item.quantity, subtotal };
    });
    return {
      lines,
      total: lines.reduce((sum, line) => sum + line.subtotal, 0),
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
    };
  }

  /** What a shopper reads when a call fails: Korean, and what to do next. */
  function koreanMessage(error) {
    const status = error && error.status;
    const detail = (error && error.message) || "";
    if (!status || status >= 500) {
      return "서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.";
    }
    const short = detail.match(/^only (\d+) of (.+) left$/);
    if (short) {
      return `재고가 부족합니다: ${short[2]} 상품은 ${short[1]}개 남았습니다. ` +
        "장바구니를 비우고 다시 담아 주세요.";
    }
    if (detail === "the cart is empty") return "장바구니가 비어 있습니다. 상품을 먼저 담아 주세요.";
    const missing = detail.match(/^no product (\d+)$/);
    if (missing) return `상품을 찾을 수 없습니다 (상품 번호 ${missing[1]}). 목록을 새로 불러오세요.`;
    return `요청을 처리하지 못했습니다 (${detail}).`;
  }

  function newCartId() {
    return `cart-${crypto.randomUUID()}`;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  // Line drawings for the kinds of product the demo sells (no image files to upload or fetch).
  const ICONS = [
    [/keyboard|키보드/i, '<rect x="2" y="6" width="20" height="12" rx="2"/>' +
      '<path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10"/>'],
    [/mouse|마우스/i, '<rect x="6" y="3" width="12" height="18" rx="6"/><path d="M12 7v4"/>'],
    [/monitor|display|모니터/i, '<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>'],
    [/hub|usb|cable|허브|케이블/i, '<path d="M9 2v4M15 2v4M7 6h10v4a5 5 0 0 1-10 0zM12 15v7"/>'],
  ];

  /** The picture of a product: a drawing of its kind, or its first letter. */
  function productIcon(name) {
    const found = ICONS.find(([kind]) => kind.test(name));
    if (!found) return escapeHtml(String(name).charAt(0).toUpperCase());
    return `<svg class="icon" viewBox="0 0 24 24" focusable="false">${found[1]}</svg>`;
  }

  /** One product card's HTML; ``inCart`` pieces of it are already in the cart. */
  function productCard(product, inCart) {
    const name = escapeHtml(product.name);
    const soldOut = product.stock === 0;
    const full = !soldOut && inCart >= product.stock;
    const low = product.stock <= 5;
    const stock = soldOut ? "재고 없음"
      : full ? `재고 ${product.stock}개를 모두 담았습니다`
        : low ? `재고 ${product.stock}개 · 얼마 남지 않았어요`
          : `재고 ${product.stock}개`;
    const stockClass = soldOut ? "stock sold-out" : low ? "stock low" : "stock";
    const button = soldOut
      ? `<button type="button" class="button add" disabled aria-label="${name} 품절">품절</button>`
      : `<button type="button" class="button add" data-id="${product.id}"${full ? " disabled" : ""} ` +
        `aria-label="${name} 담기">담기</button>`;
    return `<li class="card">` +
      `<div class="thumb tone-${product.id % 6}" aria-hidden="true">${productIcon(product.name)}</div>` +
      `<h3 class="card-name">${name}</h3>` +
      `<p class="price">${formatKrw(product.price_krw)}</p>` +
      `<p class="${stockClass}">${stock}</p>${button}</li>`;
  }

  /** One cart line's HTML, with a button that adds one more. */
  function cartLine(line, canAddMore) {
    const name = escapeHtml(line.name);
    return `<li class="cart-line"><span class="line-name">${name}</span>` +
      `<span class="line-qty">수량 ${line.quantity}개</span>` +
      `<span class="line-subtotal">${formatKrw(line.subtotal)}</span>` +
      `<button type="button" class="button more" data-id="${line.product_id}"` +
      `${canAddMore ? "" : " disabled"} aria-label="${name} 하나 더 담기">+1</button></li>`;
  }

  return {
    ApiError, createClient, formatKrw, cartSummary, koreanMessage, newCartId, escapeHtml,
    productIcon, productCard, cartLine,
  };
});

if (typeof document !== "undefined") {
  document.addEventListener("DOMContentLoaded", () => {
    const {
      createClient, formatKrw, cartSummary, koreanMessage, newCartId, escapeHtml, productCard,
      cartLine,
    } = window.CloudMart;
    let cartId = localStorage.getItem("cloudmart-cart");
    if (!cartId) localStorage.setItem("cloudmart-cart", (cartId = newCartId()));
    const api = createClient("", cartId);
    const $ = (id) => document.getElementById(id);
    let products = [];
    let items = [];

    function showAlert(error, canRetry) {
      $("alert-text").textContent = koreanMessage(error);
      $("retry").hidden = !canRetry;
      $("alert").hidden = false;
      $("notice").textContent = "";
    }

    function hideAlert() {
      $("alert").hidden = true;
      $("alert-text").textContent = "";
    }

    function render() {
      const summary = cartSummary(items, products);
      const inCart = (id) => (summary.lines.find((l) => l.product_id === id) || { quantity: 0 }).quantity;
      $("products").innerHTML = products.map((p) => productCard(p, inCart(p.id))).join("");
      $("products").setAttribute("aria-busy", "false");
      $("products-loading").hidden = true;
      $("cart-lines").innerHTML = summary.lines.map((line) => {
        const product = products.find((p) => p.id === line.product_id);
        return cartLine(line, Boolean(product) && line.quantity < product.stock);
      }).join("");
      $("cart-lines").hidden = summary.lines.length === 0;
      $("cart-empty").hidden = summary.lines.length > 0;
      $("clear").hidden = summary.lines.length === 0;
      $("order").disabled = summary.lines.length === 0;
      $("total").textContent = formatKrw(summary.total);
      $("cart-count").textContent = String(summary.count);
      $("cart-link").setAttribute("aria-label", `장바구니 ${summary.count}개`);
    }

    /** Products and cart from the API; ``keepAlert`` leaves a failed order's alert up. */
    async function load(keepAlert) {
      const placeholder = $("products-loading");
      if (products.length === 0) {
        placeholder.textContent = "상품을 불러오는 중입니다…";
        placeholder.hidden = false;
      }
      try {
        [products, { items }] = await Promise.all([api.products(), api.cart()]);
        if (!keepAlert) hideAlert();
        render();
      } catch (error) {
        if (products.length === 0) placeholder.textContent = "상품 목록을 불러오지 못했습니다.";
        $("products").setAttribute("aria-busy", "false");
        showAlert(error, true);
      }
    }

    async function add(id) {
      const product = products.find((p) => p.id === id);
      try {
        ({ items } = await api.add(id, 1));
        hideAlert();
        render();
        $("notice").textContent = `장바구니에 담았습니다: ${product ? product.name : `#${id}`}`;
      } catch (error) {
        showAlert(error, false);
      }
    }

    async function order() {
      const summary = cartSummary(items, products);
      $("order").disabled = true;
      $("notice").textContent = "주문하는 중입니다…";
      try {
        const placed = await api.order();
        hideAlert();
        $("order-number").textContent = String(placed.id);
        $("order-total").textContent = formatKrw(placed.total_krw);
        $("order-lines").innerHTML = summary.lines.map((line) =>
          `<li>${escapeHtml(line.name)} × ${line.quantity}</li>`).join("");
        $("confirmation").hidden = false;
        $("notice").textContent = "";
        await load();  // the stock went down and the cart is spent
        $("confirmation").focus();
      } catch (error) {
        $("notice").textContent = "";
        showAlert(error, false);
        await load(true);
      }
    }

    $("products").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-id]");
      if (button) add(Number(button.dataset.id));
    });
    $("cart-lines").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-id]");
      if (button) add(Number(button.dataset.id));
    });
    $("order").addEventListener("click", order);
    $("clear").addEventListener("click", async () => {
      try {
        ({ items } = await api.clear());
        render();
        $("notice").textContent = "장바구니를 비웠습니다.";
      } catch (error) {
        showAlert(error, false);
      }
    });
    $("retry").addEventListener("click", () => load());
    $("continue").addEventListener("click", () => {
      $("confirmation").hidden = true;
      $("products-heading").focus();
    });
    load();
  });
}
