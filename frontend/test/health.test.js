import assert from "node:assert/strict";
import { test } from "node:test";
import { degradedMessage } from "../src/lib/health.js";

test("no banner while the exchange is ready", () => {
  assert.equal(degradedMessage(200, { status: "ok", down: [] }), null);
});

test("the banner names what is down in a trader's words", () => {
  assert.match(degradedMessage(503, { down: ["engine"] }), /^The exchange is degraded: the matching engine is unavailable\./);
  assert.match(degradedMessage(503, { down: ["feed", "database"] }), /market data and the database are unavailable/);
  assert.match(degradedMessage(503, null), /a service is unavailable/);
});

test("a server that cannot be reached says so", () => {
  assert.equal(degradedMessage(null, null), "Paperex cannot be reached. Retrying…");
});
