// CloudMart demo backend (Day 5): products, cart and orders, CloudMart-compatible under /api/.
// Products live in PostgreSQL and are cached in Redis (Cache-Aside, invalidated by orders); a cart
// is a Redis hash per cart id (the X-Cart-Id header), so any instance behind the ALB serves it;
// an order is one PostgreSQL transaction that locks the products' rows, so stock never goes
// below zero.
// Liveness and readiness are apart: GET /api/health (what the ALB checks) answers from the
// process alone, so an RDS Multi-AZ failover (60-120 s) or a Redis failover does not mark every
// instance unhealthy and have the group replace them; GET /api/health/deep reports both stores
// (200 when both answer, 503 naming the one that does not) and is what an instance waits for at
// boot. The process listens before it reaches the stores, creates its tables as soon as the
// database answers, survives either store going away (errors are logged, requests get 503, the
// product list falls back to PostgreSQL while Redis is gone) and reconnects by itself.
// Env: DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD [DB_CA_FILE] REDIS_URL or REDIS_HOST
// REDIS_PORT REDIS_AUTH_TOKEN [REDIS_CA_FILE] [PORT=3000] [PRODUCTS_TTL_SECONDS=60]
"use strict";
const fs = require("fs");
const http = require("http");
const os = require("os");
const { Pool } = require("pg");
const { createClient } = require("redis");

const env = process.env;
const ca = (file) => (file ? fs.readFileSync(file, "utf8") : undefined);
const STORE_TIMEOUT_MS = Number(env.STORE_TIMEOUT_MS || 3000);
const db = new Pool({
  host: env.DB_HOST, port: Number(env.DB_PORT || 5432), database: env.DB_NAME || "cloudmart",
  user: env.DB_USER, password: env.DB_PASSWORD, max: 10,
  // TLS always; verified against DB_CA_FILE (the RDS bundle) when given.
  ssl: env.DB_CA_FILE ? { ca: ca(env.DB_CA_FILE) } : { rejectUnauthorized: false },
  // A failover moves the endpoint: give up on a dead address quickly instead of waiting on TCP.
  connectionTimeoutMillis: STORE_TIMEOUT_MS, query_timeout: 10000, idleTimeoutMillis: 30000,
});
// An idle client whose server went away is reported here; without a listener Node would exit.
db.on("error", (error) => console.error(`postgres: ${error.message}`));
const redisUrl = env.REDIS_URL ||
  `rediss://:${encodeURIComponent(env.REDIS_AUTH_TOKEN || "")}@${env.REDIS_HOST}:${env.REDIS_PORT || 6379}`;
const cache = createClient({
  url: redisUrl,
  socket: {
    tls: true, ca: ca(env.REDIS_CA_FILE), connectTimeout: STORE_TIMEOUT_MS,
    reconnectStrategy: (attempt) => Math.min(attempt * 200, 2000),  // forever, at most 2 s apart
  },
  disableOfflineQueue: true,  // while Redis is away, commands fail at once instead of queueing
});
let redisDown = false;
cache.on("error", (error) => {  // without a listener, a lost connection would end the process
  if (!redisDown) console.error(`redis: ${error.message}`);
  redisDown = true;
});
cache.on("ready", () => { if (redisDown) console.log("redis: connected again"); redisDown = false; });
let migrated = false;
const PRODUCTS_TTL = Number(env.PRODUCTS_TTL_SECONDS || 60);
const CART_TTL = 7 * 24 * 3600;
const PRODUCTS_KEY = "cloudmart:products";
const SEED = [
  ["Mechanical keyboard", 89000, 20],
  ["Wireless mouse", 35000, 50],
  ["27-inch monitor", 329000, 5],
  ["USB-C hub", 45000, 30],
];

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function migrate() {
  await db.query(`CREATE TABLE IF NOT EXISTS products (
      id serial PRIMARY KEY, name text NOT NULL UNIQUE,
      price_krw integer NOT NULL CHECK (price_krw > 0), stock integer NOT NULL CHECK (stock >= 0))`);
  await db.query(`CREATE TABLE IF NOT EXISTS orders (
      id bigserial PRIMARY KEY, cart_id text NOT NULL, total_krw bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(`CREATE TABLE IF NOT EXISTS order_items (
      order_id bigint NOT NULL REFERENCES orders(id), product_id integer NOT NULL REFERENCES products(id),
      quantity integer NOT NULL CHECK (quantity > 0), price_krw integer NOT NULL,
      PRIMARY KEY (order_id, product_id))`);
  for (const [name, price, stock] of SEED) {
    await db.query(
      "INSERT INTO products (name, price_krw, stock) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
      [name, price, stock]);
  }
}

async function products() {
  let cached = null;
  let cacheUp = true;
  try {
    cached = await cache.get(PRODUCTS_KEY);
  } catch (error) {
    cacheUp = false;  // Cache-Aside: a cache outage slows reads down, it does not stop them
  }
  if (cached !== null) return { products: JSON.parse(cached), cache: "hit" };
  const { rows } = await db.query("SELECT id, name, price_krw, stock FROM products ORDER BY id");
  if (!cacheUp) return { products: rows, cache: "unavailable" };
  await cache.set(PRODUCTS_KEY, JSON.stringify(rows), { EX: PRODUCTS_TTL }).catch(() => {});
  return { products: rows, cache: "miss" };
}

function within(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Readiness: each store's state, checked apart, so one outage never hides the other's state.
async function deepHealth() {
  const check = async (probe) => {
    try {
      await within(probe(), STORE_TIMEOUT_MS);
      return "ok";
    } catch (error) {
      return `error: ${error.message}`;
    }
  };
  const [dbState, redisState] = await Promise.all([
    check(() => db.query("SELECT 1")),
    check(() => cache.ping()),
  ]);
  const dbReport = dbState === "ok" && !migrated ? "starting: tables not created yet" : dbState;
  const healthy = dbReport === "ok" && redisState === "ok";
  return { status: healthy ? "ok" : "degraded", db: dbReport, redis: redisState };
}

function cartId(req) {
  const id = req.headers["x-cart-id"];
  if (typeof id !== "string" || !/^[A-Za-z0-9-]{8,64}$/.test(id)) {
    throw new HttpError(400, "send an X-Cart-Id header: 8 to 64 letters, digits or -");
  }
  return id;
}

async function cart(id) {
  const items = await cache.hGetAll(`cloudmart:cart:${id}`);
  const lines = Object.entries(items).map(([productId, quantity]) => ({
    product_id: Number(productId), quantity: Number(quantity),
  }));
  lines.sort((a, b) => a.product_id - b.product_id);
  return { cart_id: id, items: lines };
}

async function addToCart(id, { product_id: productId, quantity }) {
  if (!Number.isInteger(productId) || !Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    throw new HttpError(400, "product_id must be an integer and quantity 1 to 99");
  }
  const { rows } = await db.query("SELECT 1 FROM products WHERE id = $1", [productId]);
  if (rows.length === 0) throw new HttpError(404, `no product ${productId}`);
  const key = `cloudmart:cart:${id}`;
  await cache.hIncrBy(key, String(productId), quantity);
  await cache.expire(key, CART_TTL);
  return cart(id);
}

async function placeOrder(id) {
  const { items } = await cart(id);
  if (items.length === 0) throw new HttpError(409, "the cart is empty");
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    // Lock the products in id order: two orders for the same products cannot deadlock.
    const { rows } = await client.query(
      "SELECT id, name, price_krw, stock FROM products WHERE id = ANY($1) ORDER BY id FOR UPDATE",
      [items.map((i) => i.product_id)]);
    let total = 0;
    for (const item of items) {
      const product = rows.find((r) => r.id === item.product_id);
      if (!product) throw new HttpError(404, `no product ${item.product_id}`);
      if (product.stock < item.quantity) {
        throw new HttpError(409, `only ${product.stock} of ${product.name} left`);
      }
      total += product.price_krw * item.quantity;
    }
    const { rows: [order] } = await client.query(
      "INSERT INTO orders (cart_id, total_krw) VALUES ($1, $2) RETURNING id, created_at", [id, total]);
    for (const item of items) {
      const product = rows.find((r) => r.id === item.product_id);
      await client.query("UPDATE products SET stock = stock - $1 WHERE id = $2", [item.quantity, item.product_id]);
      await client.query(
        "INSERT INTO order_items (order_id, product_id, quantity, price_krw) VALUES ($1, $2, $3, $4)",
        [order.id, item.product_id, item.quantity, product.price_krw]);
    }
    await client.query("COMMIT");
    await cache.del([PRODUCTS_KEY, `cloudmart:cart:${id}`]);  // stock changed; the cart is spent
    return { id: Number(order.id), cart_id: id, total_krw: total, items, created_at: order.created_at };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

async function orders(id) {
  const { rows } = await db.query(
    "SELECT id, total_krw, created_at FROM orders WHERE cart_id = $1 ORDER BY id", [id]);
  return { cart_id: id, orders: rows.map((r) => ({ ...r, id: Number(r.id), total_krw: Number(r.total_krw) })) };
}

function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(data),
    "Cache-Control": "no-store",
    "X-Served-By": os.hostname(),
  });
  res.end(data);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.on("data", (chunk) => { text += chunk; if (text.length > 10000) reject(new HttpError(413, "body too large")); });
    req.on("end", () => { try { resolve(JSON.parse(text || "{}")); } catch { reject(new HttpError(400, "body must be JSON")); } });
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://localhost");
    const route = `${req.method} ${url.pathname.replace(/\/+$/, "")}`;
    let match;
    if (route === "GET /api/health") return send(res, 200, { status: "ok" });
    if (route === "GET /api/health/deep") {
      const body = await deepHealth();
      return send(res, body.status === "ok" ? 200 : 503, body);
    }
    // A request that comes while the tables are still being made waits for them, a little.
    if (!migrated) await within(tablesReady, STORE_TIMEOUT_MS);
    if (route === "GET /api/products") return send(res, 200, await products());
    if ((match = route.match(/^GET \/api\/products\/(\d{1,9})$/))) {
      const { products: list } = await products();
      const product = list.find((p) => p.id === Number(match[1]));
      return product ? send(res, 200, product) : send(res, 404, { error: `no product ${match[1]}` });
    }
    if (route === "GET /api/cart") return send(res, 200, await cart(cartId(req)));
    if (route === "POST /api/cart") return send(res, 200, await addToCart(cartId(req), await readJson(req)));
    if (route === "DELETE /api/cart") {
      const id = cartId(req);
      await cache.del(`cloudmart:cart:${id}`);
      return send(res, 200, await cart(id));
    }
    if (route === "POST /api/orders") return send(res, 201, await placeOrder(cartId(req)));
    if (route === "GET /api/orders") return send(res, 200, await orders(cartId(req)));
    return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  } catch (error) {
    if (error instanceof HttpError) return send(res, error.status, { error: error.message });
    console.error(error);
    return send(res, 503, { error: "unavailable" });
  }
});

// The tables, as soon as the database answers: retried, never fatal (a failover may be under way).
async function prepare() {
  for (let attempt = 1; !migrated; attempt += 1) {
    try {
      await migrate();
      migrated = true;
      console.log("postgres: tables ready");
    } catch (error) {
      if (attempt === 1 || attempt % 12 === 0) console.error(`postgres: not ready (${error.message}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, Number(env.RETRY_MS || 5000)));
    }
  }
}

server.listen(Number(env.PORT || 3000), () => console.log(`cloudmart api listening on :${server.address().port}`));
cache.connect().catch((error) => console.error(`redis: ${error.message}`));  // retries by itself
const tablesReady = prepare();
