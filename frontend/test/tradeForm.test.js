import assert from "node:assert/strict";
import { test } from "node:test";
import { isoToUtcInput, serverFieldErrors, tagList, tradeChanges, tradeFormValues, tradeRequest, utcInputToIso, validateTrade } from "../src/lib/tradeForm.js";

const values = (fields) => ({ ticker: "AAPL", side: "BUY", price: "150", quantity: "10", fee: "", fee_asset: "", timestamp: "", notes: "", tags: "", ...fields });

test("a trade with the four required fields is valid", () => {
  assert.deepEqual(validateTrade(values({})), {});
});

test("tickers as the server takes them: symbols with . - _ / : = ^, no spaces, at most 20", () => {
  for (const ticker of ["btcusdt", "BRK.B", "EURUSD=X", "X^Y", "BTC/USDT", "ES:CME", "A-B_C", "X".repeat(20), "  AAPL  "]) {
    assert.equal(validateTrade(values({ ticker })).ticker, undefined, ticker);
  }
  assert.equal(validateTrade(values({ ticker: "" })).ticker, "Enter a ticker.");
  assert.match(validateTrade(values({ ticker: "AA PL" })).ticker, /no spaces/);
  assert.match(validateTrade(values({ ticker: "AA,PL" })).ticker, /no spaces/);
  assert.match(validateTrade(values({ ticker: ".AAPL" })).ticker, /letters and digits/);
  assert.match(validateTrade(values({ ticker: "X".repeat(21) })).ticker, /at most 20 characters/);
});

test("side is BUY or SELL in any case", () => {
  assert.equal(validateTrade(values({ side: "sell" })).side, undefined);
  assert.match(validateTrade(values({ side: "HOLD" })).side, /BUY/);
});

test("price and quantity are exact decimals above zero with at most 12 places", () => {
  assert.equal(validateTrade(values({ price: "0.000000000001", quantity: "123456789012345678" })).price, undefined);
  assert.equal(validateTrade(values({ price: "" })).price, "Enter a price.");
  assert.equal(validateTrade(values({ quantity: "0" })).quantity, "Quantity must be greater than 0.");
  assert.equal(validateTrade(values({ price: "-1" })).price, "Price must be greater than 0.");
  assert.equal(validateTrade(values({ price: "1,5" })).price, "Price must be a number.");
  assert.match(validateTrade(values({ price: "1.0000000000001" })).price, /at most 12 decimal places/);
  assert.match(validateTrade(values({ quantity: "1234567890123456789" })).quantity, /at most 18 digits/);
});

test("the fee may be zero and its asset is letters and digits; both are optional", () => {
  assert.deepEqual(validateTrade(values({ fee: "0", fee_asset: "usdt" })), {});
  assert.equal(validateTrade(values({ fee: "-0.1" })).fee, "A fee cannot be negative.");
  assert.match(validateTrade(values({ fee_asset: "US D" })).fee_asset, /letters and digits/);
  assert.match(validateTrade(values({ fee_asset: "BRK.B" })).fee_asset, /letters and digits/);
});

test("the time is a UTC datetime-local text; notes and tags have limits", () => {
  assert.equal(validateTrade(values({ timestamp: "2025-01-20T12:00" })).timestamp, undefined);
  assert.equal(validateTrade(values({ timestamp: "2025-13-45T12:00" })).timestamp, "Enter a date and time.");
  assert.match(validateTrade(values({ notes: "n".repeat(2001) })).notes, /2000/);
  assert.match(validateTrade(values({ tags: "t".repeat(33) })).tags, /32 characters/);
  assert.match(validateTrade(values({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(",") })).tags, /At most 20 tags/);
});

test("the request trims, upper-cases the side, reads the time as UTC and splits the tags", () => {
  const body = tradeRequest(values({ ticker: " aapl ", side: "sell", fee: "", tags: "swing, , earnings ", timestamp: "2025-01-20T12:00:05" }));
  assert.deepEqual(body, {
    ticker: "aapl",
    side: "SELL",
    price: "150",
    quantity: "10",
    fee: null,
    fee_asset: "",
    notes: "",
    tags: ["swing", "earnings"],
    timestamp: "2025-01-20T12:00:05.000Z",
  });
  assert.equal("timestamp" in tradeRequest(values({})), false);
  assert.deepEqual(tagList(" a ,b,, "), ["a", "b"]);
});

test("UTC input texts round-trip", () => {
  assert.equal(isoToUtcInput("2025-01-20T12:00:05.123456Z"), "2025-01-20T12:00:05");
  assert.equal(utcInputToIso("2025-01-20T23:59"), "2025-01-20T23:59:00.000Z");
  assert.equal(utcInputToIso("yesterday"), null);
});

test("an edit sends only what changed, so an untouched time keeps its microseconds", () => {
  const trade = { ticker: "AAPL", side: "BUY", price: "150", quantity: "10", fee: null, fee_asset: "", timestamp: "2025-01-20T12:00:05.123456Z", notes: "", tags: ["a"] };
  const before = tradeFormValues(trade);
  assert.deepEqual(tradeChanges(before, before), {});
  assert.deepEqual(tradeChanges(before, { ...before, price: "151.25", tags: "a, b" }), { price: "151.25", tags: ["a", "b"] });
  assert.deepEqual(tradeChanges(before, { ...before, timestamp: "2025-01-21T00:00:00" }), { timestamp: "2025-01-21T00:00:00.000Z" });
});

test("a 400's field errors become one message per field", () => {
  const body = { code: "invalid", message: "bad", errors: { price: ["Must be greater than 0."], tags: { 0: ["Too long."], 2: ["Blank."] } } };
  assert.deepEqual(serverFieldErrors(body), { price: "Must be greater than 0.", tags: "Too long. Blank." });
  assert.deepEqual(serverFieldErrors(null), {});
});
