import assert from "node:assert/strict";
import { test } from "node:test";
import { orderRequest, validateOrder } from "../src/lib/orderForm.js";

const market = { symbol: "BTCUSDT", base: "BTC", quote: "USDT", tick_size: "0.01", step_size: "0.00001", min_notional: "5" };
const form = (fields) => ({ side: "BUY", type: "LIMIT", price: "60000", quantity: "0.001", stopPrice: "", ...fields });

test("a valid limit order has no errors and an exact total", () => {
  const { errors, total } = validateOrder(form({}), market, { available: { quote: "100000", base: "0" } });
  assert.deepEqual(errors, {});
  assert.equal(total, "60");
});

test("price must be on the tick and quantity on the step", () => {
  const { errors } = validateOrder(form({ price: "60000.001", quantity: "0.000001" }), market);
  assert.match(errors.price, /tick size 0.01/);
  assert.match(errors.quantity, /step size 0.00001/);
});

test("values that float arithmetic gets wrong are accepted", () => {
  // 0.3 / 0.1 is 2.9999999999999996 in floats
  const { errors } = validateOrder(form({ quantity: "0.3", price: "100" }), { ...market, step_size: "0.1" });
  assert.equal(errors.quantity, undefined);
});

test("min notional uses price times quantity, or the last price for market orders", () => {
  assert.match(validateOrder(form({ price: "100", quantity: "0.01" }), market).errors.total, /below the minimum 5 USDT/);
  const marketOrder = validateOrder(form({ type: "MARKET", price: "", quantity: "0.00001" }), market, { lastPrice: "60000" });
  assert.match(marketOrder.errors.total, /below the minimum/);
  assert.equal(marketOrder.total, "0.6");
});

test("missing and bad input", () => {
  const { errors } = validateOrder(form({ price: "", quantity: "abc" }), market);
  assert.equal(errors.price, "Enter a price.");
  assert.equal(errors.quantity, "Quantity must be a positive number.");
  assert.equal(validateOrder(form({ quantity: "-1" }), market).errors.quantity, "Quantity must be a positive number.");
  assert.equal(validateOrder(form({ type: "STOP_LOSS_LIMIT", stopPrice: "" }), market).errors.stopPrice, "Enter a stop price.");
});

test("balances: a buy cannot exceed the quote, a sell the base", () => {
  assert.match(validateOrder(form({}), market, { available: { quote: "59.99" } }).errors.total, /exceeds your available/);
  assert.match(validateOrder(form({ side: "SELL" }), market, { available: { base: "0.0005" } }).errors.quantity, /0.0005 BTC available/);
});

test("the request body carries only the fields of the type", () => {
  assert.deepEqual(orderRequest(form({ type: "MARKET" }), "BTCUSDT"), { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.001" });
  assert.deepEqual(orderRequest(form({ type: "STOP_LOSS_LIMIT", stopPrice: "59000" }), "BTCUSDT"), {
    symbol: "BTCUSDT", side: "BUY", type: "STOP_LOSS_LIMIT", quantity: "0.001", price: "60000", stop_price: "59000",
  });
});

test("take-profit orders need a trigger price, and a price for the limit variant", () => {
  const noTrigger = validateOrder(form({ type: "TAKE_PROFIT", price: "", stopPrice: "" }), market, { lastPrice: "60000" });
  assert.deepEqual(noTrigger.errors, { stopPrice: "Enter a trigger price." });
  const noPrice = validateOrder(form({ type: "TAKE_PROFIT_LIMIT", price: "", stopPrice: "65000" }), market);
  assert.deepEqual(noPrice.errors, { price: "Enter a price." });
  assert.equal(validateOrder(form({ type: "TAKE_PROFIT", stopPrice: "-1" }), market).errors.stopPrice, "Trigger price must be a positive number.");
  assert.equal(
    validateOrder(form({ type: "TAKE_PROFIT_LIMIT", stopPrice: "65000.001" }), market).errors.stopPrice,
    "Trigger price must be a multiple of the tick size 0.01.",
  );
  assert.equal(validateOrder(form({ type: "STOP_LOSS", stopPrice: "" }), market).errors.stopPrice, "Enter a stop price.");
});

test("a take-profit is worth its trigger price (market) or its price (limit) times the quantity", () => {
  const atTrigger = validateOrder(form({ type: "TAKE_PROFIT", price: "", stopPrice: "65000" }), market, { lastPrice: "60000" });
  assert.deepEqual(atTrigger, { errors: {}, total: "65" });
  const atPrice = validateOrder(form({ type: "TAKE_PROFIT_LIMIT", price: "64000", stopPrice: "65000" }), market);
  assert.deepEqual(atPrice, { errors: {}, total: "64" });
  assert.match(validateOrder(form({ type: "TAKE_PROFIT", stopPrice: "1000" }), market).errors.total, /below the minimum 5 USDT/);
});

test("a take-profit's request body carries the trigger as stop_price", () => {
  assert.deepEqual(orderRequest(form({ type: "TAKE_PROFIT", stopPrice: "65000" }), "BTCUSDT"), {
    symbol: "BTCUSDT", side: "BUY", type: "TAKE_PROFIT", quantity: "0.001", stop_price: "65000",
  });
  assert.deepEqual(orderRequest(form({ type: "TAKE_PROFIT_LIMIT", stopPrice: "65000" }), "BTCUSDT"), {
    symbol: "BTCUSDT", side: "BUY", type: "TAKE_PROFIT_LIMIT", quantity: "0.001", price: "60000", stop_price: "65000",
  });
});

test("a limit price must lie in its side's band around the last price", () => {
  const banded = {
    ...market,
    percent_price_by_side: { bid_multiplier_up: "1.2", bid_multiplier_down: "0.8", ask_multiplier_up: "5", ask_multiplier_down: "0.2" },
  };
  const context = { lastPrice: "60000.05" };
  const priced = (fields) => validateOrder(form({ quantity: "0.01", ...fields }), banded, context).errors.price;
  assert.equal(priced({ price: "72000.06" }), undefined);
  assert.equal(
    priced({ price: "72000.07" }),
    "Price must be between 48,000.04 and 72,000.06 USDT, near the last price.",
  );
  assert.match(priced({ price: "48000.03" }), /between 48,000.04 and/);
  assert.equal(priced({ side: "SELL", price: "12000.01" }), undefined);
  assert.match(priced({ side: "SELL", price: "12000" }), /between 12,000.01 and 300,000.25 USDT/);
  assert.match(priced({ type: "STOP_LOSS_LIMIT", stopPrice: "59000", price: "90000" }), /72,000.06/);
  assert.equal(validateOrder(form({ price: "90000" }), banded).errors.price, undefined); // no last price yet
});

test("a limit maker order is checked and sent as a limit order is, under its own type", () => {
  assert.deepEqual(validateOrder(form({ type: "LIMIT_MAKER" }), market).errors, {});
  assert.equal(validateOrder(form({ type: "LIMIT_MAKER", price: "" }), market).errors.price, "Enter a price.");
  assert.deepEqual(orderRequest(form({ type: "LIMIT_MAKER" }), "BTCUSDT"), {
    symbol: "BTCUSDT", side: "BUY", type: "LIMIT_MAKER", quantity: "0.001", price: "60000",
  });
});
