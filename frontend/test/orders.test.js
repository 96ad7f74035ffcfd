import assert from "node:assert/strict";
import { test } from "node:test";
import { isStaleCopy } from "../src/lib/orders.js";

const order = (fields) => ({ id: 7, status: "NEW", executed_quantity: "0", updated_at: "2025-01-31T12:00:00.100Z", ...fields });

test("a copy updated earlier is stale, a later one is not", () => {
  const cancelled = order({ status: "CANCELED", updated_at: "2025-01-31T12:00:01Z" });
  assert.equal(isStaleCopy(order({}), cancelled), true);
  assert.equal(isStaleCopy(cancelled, order({})), false);
});

test("times compare as instants, not as text", () => {
  // "…:01Z" sorts after "…:01.500Z" as text but is half a second earlier
  assert.equal(isStaleCopy(order({ updated_at: "2025-01-31T12:00:01Z" }), order({ updated_at: "2025-01-31T12:00:01.500Z" })), true);
});

test("within one millisecond an order never goes back to open or to less filled", () => {
  assert.equal(isStaleCopy(order({ status: "NEW" }), order({ status: "CANCELED" })), true);
  assert.equal(isStaleCopy(order({ status: "PARTIALLY_FILLED", executed_quantity: "0.1" }), order({ status: "PARTIALLY_FILLED", executed_quantity: "0.25" })), true);
  assert.equal(isStaleCopy(order({ status: "FILLED", executed_quantity: "1" }), order({ status: "PARTIALLY_FILLED", executed_quantity: "0.5" })), false);
  assert.equal(isStaleCopy(order({}), order({})), false);
});
