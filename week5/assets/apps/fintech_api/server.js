// FinTech API for the Day 3 case: balances cached in Redis (Cache-Aside, invalidated on write),
// transfers as PostgreSQL transactions that lock both rows, so no balance ever goes negative,
// and each committed transfer archived to S3 as JSON (the bucket moves it to Glacier).
// GET /health is liveness: the process answers, no store is called, so an RDS failover or a
// Redis outage never fails the load balancer's check. GET /ready reports each store.
// Env: DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD [DB_CA_FILE] REDIS_URL or REDIS_HOST
// REDIS_PORT REDIS_AUTH_TOKEN [REDIS_CA_FILE] [ARCHIVE_BUCKET ARCHIVE_PREFIX AWS_REGION]
// [PORT=3000] [BALANCE_TTL_SECONDS=30] [DB_TIMEOUT_MS=10000]
"use strict";
const fs = require("fs");
const http = require("http");
const { Pool, DatabaseError } = require("pg");
const { createClient } = require("redis");
const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");

const env = process.env;
const ca = (file) => (file ? fs.readFileSync(file, "utf8") : undefined);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();

// A query waits at most DB_TIMEOUT_MS. In a hard AZ loss the old primary's packets vanish (no
// reset): without a limit a query on its connection waits for TCP's timeout (about 15 minutes),
// and ten such requests hold all of the pool. The server cancels a statement that runs longer
// (statement_timeout); the client gives up on a server that does not answer at all
// (query_timeout) and the pool drops that connection; TCP keepalive probes idle connections.
const DB_TIMEOUT_MS = Number(env.DB_TIMEOUT_MS || 10000);
if (!Number.isInteger(DB_TIMEOUT_MS) || DB_TIMEOUT_MS < 1) { // NaN would turn both limits off
  console.error(`DB_TIMEOUT_MS=${JSON.stringify(env.DB_TIMEOUT_MS)} must be a whole number of milliseconds above 0, e.g. 10000`);
  process.exit(2);
}
const db = new Pool({
  host: env.DB_HOST, port: Number(env.DB_PORT || 5432), database: env.DB_NAME || "fintech",
  user: env.DB_USER, password: env.DB_PASSWORD, max: 10, connectionTimeoutMillis: 5000,
  statement_timeout: DB_TIMEOUT_MS, query_timeout: DB_TIMEOUT_MS,
  keepAlive: true, keepAliveInitialDelayMillis: 10000,
  // TLS always; verified against DB_CA_FILE (the RDS bundle) when given.
  ssl: env.DB_CA_FILE ? { ca: ca(env.DB_CA_FILE) } : { rejectUnauthorized: false },
});
// An idle connection whose server goes away (a failover, a restart) must not stop the process.
db.on("error", (error) => console.error(`postgres: ${error.message}`));

const redisUrl = env.REDIS_URL ||
  `rediss://:${encodeURIComponent(env.REDIS_AUTH_TOKEN || "")}@${env.REDIS_HOST}:${env.REDIS_PORT || 6379}`;
const cache = createClient({
  url: redisUrl,
  // Commands fail at once while Redis is away (no queue): reads then go to the database.
  disableOfflineQueue: true,
  socket: {
    tls: true, ca: ca(env.REDIS_CA_FILE), connectTimeout: 5000,
    reconnectStrategy: (retries) => Math.min(200 * (retries + 1), 5000),
  },
});
cache.on("error", (error) => console.error(`redis: ${error.message}`));

const TTL = Number(env.BALANCE_TTL_SECONDS || 30);
const SEED = [["alice", 100000], ["bob", 50000], ["carol", 0]];
const ARCHIVE_BUCKET = env.ARCHIVE_BUCKET || "";
const ARCHIVE_PREFIX = env.ARCHIVE_PREFIX || "transfers/";
const s3 = ARCHIVE_BUCKET ? new S3Client({ region: env.AWS_REGION }) : null;
const archived = { stored: 0, failed: 0, last_error: null };
let schemaReady = false;

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

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

// The schema waits for the database in the background: the process answers /health meanwhile.
async function migrateWhenTheDatabaseAnswers() {
  for (;;) {
    try {
      await migrate();
      schemaReady = true;
      console.log("schema ready");
      return;
    } catch (error) {
      console.error(`schema waits for the database: ${error.message}`);
      await sleep(2000);
    }
  }
}

function needSchema() {
  if (!schemaReady) throw new HttpError(503, "starting: the database has not answered yet");
}

async function fromCache(operation) {
  try { return await operation(); } catch { return undefined; } // Redis away: the caller goes on without it
}

async function balance(id) {
  needSchema();
  const cached = await fromCache(() => cache.get(`balance:${id}`));
  if (cached !== undefined && cached !== null) return { account: id, balance_krw: Number(cached), cache: "hit" };
  const { rows } = await db.query("SELECT balance_krw FROM accounts WHERE id = $1", [id]);
  if (rows.length === 0) return null;
  const stored = cached === null && await fromCache(() => cache.set(`balance:${id}`, String(rows[0].balance_krw), { EX: TTL }));
  return { account: id, balance_krw: Number(rows[0].balance_krw), cache: stored ? "miss" : "bypass" };
}

async function transfer({ from, to, amount }) {
  if (typeof from !== "string" || typeof to !== "string" || from === to) {
    throw new HttpError(400, "from and to must be two different account ids");
  }
  if (!Number.isInteger(amount) || amount <= 0) throw new HttpError(400, "amount must be a positive integer (KRW)");
  needSchema();
  const client = await db.connect();
  let row, broken;
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
    ({ rows: [row] } = await client.query(
      "INSERT INTO transfers (from_account, to_account, amount_krw) VALUES ($1, $2, $3) RETURNING id, created_at",
      [from, to, amount]));
    await client.query("COMMIT");
  } catch (error) {
    // The server answered (a refusal of ours, or PostgreSQL's error): roll back and keep the
    // connection. No answer (query_timeout, a cut connection): the connection goes, and the
    // server rolls the transaction back when it sees it close; a ROLLBACK would wait again.
    if (error instanceof HttpError || error instanceof DatabaseError) {
      await client.query("ROLLBACK").catch((failed) => { broken = failed; });
    } else {
      broken = error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
  // Committed: from here nothing may turn the answer into an error.
  const record = { id: Number(row.id), from, to, amount_krw: amount, created_at: row.created_at };
  const invalidated = await fromCache(() => cache.del([`balance:${from}`, `balance:${to}`]));
  return { ...record, cache: invalidated === undefined ? `stale up to ${TTL} s` : "invalidated", archive: await archive(record) };
}

// transfers/2026/11/28/42.json: one object per transfer, written once, never read by the API.
async function archive(record) {
  if (!s3) return null;
  const day = new Date(record.created_at).toISOString().slice(0, 10).replaceAll("-", "/");
  const key = `${ARCHIVE_PREFIX}${day}/${record.id}.json`;
  try {
    await s3.send(new PutObjectCommand({
      Bucket: ARCHIVE_BUCKET, Key: key, Body: JSON.stringify(record), ContentType: "application/json",
    }));
    archived.stored += 1;
    return { bucket: ARCHIVE_BUCKET, key, stored: true };
  } catch (error) {
    archived.failed += 1;
    archived.last_error = `${error.name}: ${error.message}`;
    console.error(`archive ${key}: ${archived.last_error}`);
    return { bucket: ARCHIVE_BUCKET, key, stored: false };
  }
}

async function check(operation) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("no answer in 3 s")), 3000); });
  try {
    await Promise.race([operation(), timeout]);
    return "ok";
  } catch (error) {
    return `unavailable: ${error.message}`;
  } finally {
    clearTimeout(timer);
  }
}

async function readiness() {
  const [database, redis] = await Promise.all([check(() => db.query("SELECT 1")), check(() => cache.ping())]);
  const ready = database === "ok" && redis === "ok" && schemaReady;
  return {
    status: ready ? "ready" : "degraded", db: database, redis, schema: schemaReady ? "ok" : "pending",
    archive: s3 ? { bucket: ARCHIVE_BUCKET, ...archived } : null,
  };
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
      return send(res, 200, { status: "ok", uptime_s: Math.round((Date.now() - started) / 1000) });
    }
    if (req.method === "GET" && url.pathname === "/ready") {
      const body = await readiness();
      return send(res, body.status === "ready" ? 200 : 503, body);
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

server.listen(Number(env.PORT || 3000), () => console.log(`fintech api listening on :${server.address().port}`));
cache.connect().catch((error) => console.error(`redis: ${error.message}`));
migrateWhenTheDatabaseAnswers();
