import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalBook } from "../src/lib/book.js";
import { backoffDelay } from "../src/lib/socket.js";
import { toText } from "../src/lib/decimal.js";

const snapshot = { last_update_id: 10, bids: [["100.00", "1"], ["99.50", "2"]], asks: [["100.50", "1.5"], ["101", "3"]] };

test("a snapshot is sorted best first with cumulative totals", () => {
  const book = new LocalBook();
  book.loadSnapshot(snapshot);
  const { bids, asks } = book.levels();
  assert.deepEqual(bids.map(([price, quantity, total]) => [price, quantity, toText(total)]), [["100", "1", "1"], ["99.5", "2", "3"]]);
  assert.deepEqual(asks.map(([price]) => price), ["100.5", "101"]);
});

test("deltas update, add and remove levels; REST and WebSocket prices are one level", () => {
  const book = new LocalBook();
  book.loadSnapshot(snapshot);
  assert.equal(book.applyDelta({ first_update_id: 11, final_update_id: 12, bids: [[100.0, 0], [99.75, 4]], asks: [[100.5, 2]] }), "applied");
  assert.equal(book.bestBid(), "99.75");
  assert.equal(book.asks.get("100.5"), "2");
  assert.equal(book.bids.has("100"), false);
  assert.equal(book.lastUpdateId, 12);
});

test("old deltas are ignored and a sequence gap is detected", () => {
  const book = new LocalBook();
  book.loadSnapshot(snapshot);
  assert.equal(book.applyDelta({ first_update_id: 5, final_update_id: 10, bids: [[1, 1]], asks: [] }), "stale");
  assert.equal(book.bids.has("1"), false);
  assert.equal(book.applyDelta({ first_update_id: 9, final_update_id: 11, bids: [[98, 1]], asks: [] }), "applied");
  assert.equal(book.applyDelta({ first_update_id: 13, final_update_id: 14, bids: [], asks: [] }), "gap");
  assert.equal(book.synced, false);
  assert.equal(book.applyDelta({ first_update_id: 12, final_update_id: 12, bids: [], asks: [] }), "gap");
  book.loadSnapshot({ ...snapshot, last_update_id: 20 });
  assert.equal(book.applyDelta({ first_update_id: 21, final_update_id: 21, bids: [], asks: [] }), "applied");
});

test("reconnect backoff grows, is capped and jittered", () => {
  const low = () => 0;
  const high = () => 1;
  assert.equal(backoffDelay(0, { random: low }), 250);
  assert.equal(backoffDelay(0, { random: high }), 500);
  assert.equal(backoffDelay(3, { random: high }), 4000);
  assert.equal(backoffDelay(30, { random: high }), 15000);
});
