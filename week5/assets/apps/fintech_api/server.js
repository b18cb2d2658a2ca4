// FinTech API for the Day 3 case: balances cached in Redis (Cache-Aside, invalidated on write),
// transfers as PostgreSQL transactions that lock both rows, so no balance ever goes negative.
// Env: DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD [DB_CA_FILE] REDIS_URL or REDIS_HOST
// REDIS_PORT REDIS_AUTH_TOKEN [REDIS_CA_FILE] [PORT=3000] [BALANCE_TTL_SECONDS=30]
"use strict";
const fs = require("fs");
const http = require("http");
const { Pool } = require("pg");
const { createClient } = require("redis");

const env = process.env;
const ca = (file) => (file ? fs.readFileSync(file, "utf8") : undefined);
const db = new Pool({
  host: env.DB_HOST, port: Number(env.DB_PORT || 5432), database: env.DB_NAME || "fintech",
  user: env.DB_USER, password: env.DB_PASSWORD, max: 10,
  // TLS always; verified against DB_CA_FILE (the RDS bundle) when given.
  ssl: env.DB_CA_FILE ? { ca: ca(env.DB_CA_FILE) } : { rejectUnauthorized: false },
});
const redisUrl = env.REDIS_URL ||
  `rediss://:${encodeURIComponent(env.REDIS_AUTH_TOKEN || "")}@${env.REDIS_HOST}:${env.REDIS_PORT || 6379}`;
const cache = createClient({ url: redisUrl, socket: { tls: true, ca: ca(env.REDIS_CA_FILE) } });
const TTL = Number(env.BALANCE_TTL_SECONDS || 30);
const SEED = [["alice", 100000], ["bob", 50000], ["carol", 0]];

async function migrate() {
  await db.query(`CREATE TABLE IF NOT EXISTS accounts (
      id text PRIMARY KEY, balance_krw bigint NOT NULL CHECK (balance_krw >= 0))`);
  await db.query(`CREATE TABLE IF NOT EXISTS transfers (
      id bigserial PRIMARY KEY, from_account text NOT NULL REFERENCES accounts(id),
      to_account text NOT NULL REFERENCES accounts(id), amount_krw bigint NOT NULL CHECK (amount_krw > 0),
      created_at timestamptz NOT NULL DEFAULT now())`);
  for (const [id, balance] of SEED) {
    await db.query("INSERT INTO accounts (id, balance_krw) VALUES ($1, $2) ON CONFLICT DO NOTHING", [id, balance]);
  }
}

async function balance(id) {
  const cached = await cache.get(`balance:${id}`);
  if (cached !== null) return { account: id, balance_krw: Number(cached), cache: "hit" };
  const { rows } = await db.query("SELECT balance_krw FROM accounts WHERE id = $1", [id]);
  if (rows.length === 0) return null;
  await cache.set(`balance:${id}`, String(rows[0].balance_krw), { EX: TTL });
  return { account: id, balance_krw: Number(rows[0].balance_krw), cache: "miss" };
}

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function transfer({ from, to, amount }) {
  if (typeof from !== "string" || typeof to !== "string" || from === to) {
    throw new HttpError(400, "from and to must be two different account ids");
  }
  if (!Number.isInteger(amount) || amount <= 0) throw new HttpError(400, "amount must be a positive integer (KRW)");
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    // Lock both rows in id order: two opposite transfers cannot deadlock.
    const { rows } = await client.query(
      "SELECT id, balance_krw FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE", [[from, to]]);
    if (rows.length !== 2) throw new HttpError(404, "unknown account");
    const source = rows.find((r) => r.id === from);
    if (Number(source.balance_krw) < amount) throw new HttpError(409, "insufficient funds");
    await client.query("UPDATE accounts SET balance_krw = balance_krw - $1 WHERE id = $2", [amount, from]);
    await client.query("UPDATE accounts SET balance_krw = balance_krw + $1 WHERE id = $2", [amount, to]);
    const { rows: [row] } = await client.query(
      "INSERT INTO transfers (from_account, to_account, amount_krw) VALUES ($1, $2, $3) RETURNING id, created_at",
      [from, to, amount]);
    await client.query("COMMIT");
    await cache.del([`balance:${from}`, `balance:${to}`]);
    return { id: Number(row.id), from, to, amount_krw: amount, created_at: row.created_at };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(data) });
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
    let match;
    if (req.method === "GET" && url.pathname === "/health") {
      await db.query("SELECT 1");
      await cache.ping();
      return send(res, 200, { status: "ok", db: "ok", redis: "ok" });
    }
    if (req.method === "GET" && (match = url.pathname.match(/^\/accounts\/([a-z0-9-]{1,40})\/balance$/))) {
      const result = await balance(match[1]);
      return result ? send(res, 200, result) : send(res, 404, { error: "unknown account" });
    }
    if (req.method === "POST" && url.pathname === "/transfers") {
      return send(res, 201, await transfer(await readJson(req)));
    }
    return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  } catch (error) {
    if (error instanceof HttpError) return send(res, error.status, { error: error.message });
    console.error(error);
    return send(res, 503, { error: "unavailable" });
  }
});

async function main() {
  await cache.connect();
  await migrate();
  server.listen(Number(env.PORT || 3000), () => console.log(`fintech api listening on :${server.address().port}`));
}

main().catch((error) => { console.error(error); process.exit(1); });
