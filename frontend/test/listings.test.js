import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSummary } from "../src/lib/listings.js";

test("a check with new symbols names each with its exact price", () => {
  const found = [
    { symbol: "NEWUSDT", price: "0.00012300" },
    { symbol: "LATERUSDT", price: "1234.5" },
  ];
  assert.equal(checkSummary("binance", found, 3), "New on binance: NEWUSDT at 0.000123, LATERUSDT at 1,234.5.");
});

test("a check with nothing new says how many symbols the snapshot holds", () => {
  assert.equal(checkSummary("synthetic", [], 1342), "Nothing new on synthetic. 1342 symbols seen.");
});
