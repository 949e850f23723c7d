#!/usr/bin/env node
// A vendor-style coding engine adapter in JavaScript, run by pytest-icdcheck as
//
//     pytest cases --icd-engine "cmd:node examples/node-engine/engine.js"
//
// It speaks the engine protocol of CONTRACT §5 on stdin/stdout, one JSON object per line:
//
//     {"op": "describe"}                              -> {"describe": {...}}
//     {"op": "run", "id": "CASE", "encounter": {...}} -> {"id": "CASE", "result": {...}}
//                                                     or {"id": "CASE", "error": "message"}
//
// Like most vendor adapters it does not code anything itself: it forwards each encounter
// to a coding service over HTTP and maps the reply to the contract's result. Here that
// service is the reference engine served by `icdcheck serve`; point ICDCHECK_SERVICE_URL at
// your own product instead and adjust toContractResult() / EDIT_RULES.
//
// Rules of the protocol this file keeps: replies in request order, each with its
// request's id; nothing but protocol lines on stdout (diagnostics go to stderr); exit 0
// when stdin closes. Node.js 20 built-ins only — no npm install.

"use strict";

const http = require("node:http");
const https = require("node:https");
const readline = require("node:readline");

const SERVICE_URL = new URL(process.env.ICDCHECK_SERVICE_URL || "http://127.0.0.1:8765/");
const REQUEST_TIMEOUT_MS = Number(process.env.ICDCHECK_SERVICE_TIMEOUT_MS || 25000);
const transport = SERVICE_URL.protocol === "https:" ? https : http;
const agent = new transport.Agent({ keepAlive: true, maxSockets: 1, noDelay: true });

// The vendor's own edit names -> the contract's rule identifiers (CONTRACT §3). The
// reference already speaks the contract, so this maps names to themselves; a real
// product's adapter lists its names here, e.g. {"CCI_COLUMN2": "NCCI_PTP"}.
const EDIT_RULES = {};

function log(...parts) {
  process.stderr.write(`[node-engine] ${parts.join(" ")}\n`);
}

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// One HTTP call to the coding service: resolves {status, body}.
function callService(method, path, payload) {
  return new Promise((resolve, reject) => {
    const body = payload === undefined ? null : Buffer.from(JSON.stringify(payload), "utf8");
    const url = new URL(path, SERVICE_URL);
    const req = transport.request(
      url,
      {
        method,
        agent,
        headers: {
          Accept: "application/json",
          ...(body ? { "Content-Type": "application/json", "Content-Length": body.length } : {}),
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no reply from ${url} in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

// The service's reply -> a CONTRACT §3 result: only the contract's keys, defaults filled.
function toContractResult(reply) {
  const services = (reply.services || []).map((s) => ({
    code: String(s.code),
    modifiers: (s.modifiers || []).map(String),
    units: s.units === undefined ? 1 : s.units,
  }));
  const edits = (reply.edits || []).map((e) => ({
    ...e,
    rule: EDIT_RULES[e.rule] || e.rule,
  }));
  return {
    diagnoses: (reply.diagnoses || []).map(String),
    services,
    edits,
    cdi: reply.cdi || [],
    hcc: reply.hcc === undefined ? null : reply.hcc,
    drg: reply.drg === undefined ? null : reply.drg,
  };
}

function errorText(status, body) {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.error === "string") return parsed.error;
  } catch (_) {
    // not JSON: show the start of the body
  }
  return body.slice(0, 200);
}

async function describe() {
  const info = { name: "acme-node-adapter", version: "1.0.0", language: `node ${process.version}` };
  try {
    const { status, body } = await callService("GET", "describe");
    if (status === 200) {
      const backend = JSON.parse(body);
      info.backend = `${backend.name || "?"} ${backend.version || ""}`.trim();
      if (Array.isArray(backend.fiscal_years)) info.fiscal_years = backend.fiscal_years;
    }
  } catch (err) {
    log(`describe: coding service ${SERVICE_URL} not reachable: ${err.message}`);
  }
  return info;
}

async function run(id, encounter) {
  let response;
  try {
    response = await callService("POST", "", encounter);
  } catch (err) {
    return { id, error: `coding service ${SERVICE_URL} not reachable: ${err.message}` };
  }
  const { status, body } = response;
  if (status !== 200) {
    return { id, error: `coding service answered HTTP ${status}: ${errorText(status, body)}` };
  }
  try {
    return { id, result: toContractResult(JSON.parse(body)) };
  } catch (err) {
    return { id, error: `coding service reply is not JSON: ${body.slice(0, 200)}` };
  }
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    log(`not a JSON request line: ${line.slice(0, 200)}`);
    return { id: null, error: `request is not JSON: ${err.message}` };
  }
  if (request.op === "describe") return { describe: await describe() };
  if (request.op === "run") return run(request.id, request.encounter);
  return { id: request.id === undefined ? null : request.id, error: `unknown op ${JSON.stringify(request.op)}` };
}

// Requests are handled one after another, so replies leave in request order.
let queue = Promise.resolve();
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (!line.trim()) return;
  queue = queue.then(() => handle(line)).then(reply, (err) => {
    log(`internal error: ${err.stack || err}`);
    reply({ id: null, error: `internal error in the adapter: ${err.message}` });
  });
});
input.on("close", () => {
  queue.then(() => {
    agent.destroy();
    process.exitCode = 0;
  });
});
