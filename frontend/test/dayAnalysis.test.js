import assert from "node:assert/strict";
import { test } from "node:test";
import { COLUMNS, defaultDay, formatFees, formatVwap, splitRows } from "../src/lib/dayAnalysis.js";

const AAPL = {
  ticker: "AAPL", trades: 3, buy_quantity: "15", sell_quantity: "12", volume: "27", notional: "2990",
  vwap: "110.740740740741", high: "120", low: "100", first_trade: "2025-01-20T09:00:00.000000Z",
  last_trade: "2025-01-20T15:30:05.250000Z", fees: { USD: "0.7", "": "0.1" }, realized_pnl: "220",
};
const TOTAL = { ...AAPL, ticker: "TOTAL", vwap: null, high: null, low: null, fees: {}, realized_pnl: "-12.5" };

test("the TOTAL row is told apart from the tickers' rows", () => {
  assert.deepEqual(splitRows([AAPL, TOTAL]), { tickers: [AAPL], total: TOTAL });
  assert.deepEqual(splitRows([]), { tickers: [], total: null });
});

test("fees list each asset, an empty asset as just the amount", () => {
  assert.equal(formatFees({ USD: "1234.5", BNB: "0.001" }), "1,234.5 USD + 0.001 BNB");
  assert.equal(formatFees({ "": "0.1" }), "0.1");
  assert.equal(formatFees({}), "–");
});

test("the VWAP has two decimals more than the day's prices, never more than it has", () => {
  assert.equal(formatVwap(AAPL), "110.74");
  assert.equal(formatVwap({ vwap: "0.000123456789", high: "0.00013", low: "0.00012" }), "0.0001235");
  assert.equal(formatVwap({ vwap: "110", high: "120", low: "100" }), "110");
  assert.equal(formatVwap(TOTAL), "–");
});

test("a row's cells in the columns' order: exact figures, UTC times, the P&L's sign", () => {
  const cells = COLUMNS.map((column) => column.cell(AAPL));
  assert.deepEqual(cells.map((cell) => cell.text), [
    "AAPL", "3", "15", "12", "27", "2,990", "110.74", "120", "100", "09:00:00", "15:30:05", "0.7 USD + 0.1", "220",
  ]);
  assert.equal(cells[6].title, "110.740740740741");
  assert.equal(cells.at(-1).className, "up");
  const total = COLUMNS.map((column) => column.cell(TOTAL));
  assert.deepEqual([total[6].text, total[7].text, total[11].text, total.at(-1).text], ["–", "–", "–", "-12.5"]);
  assert.equal(total.at(-1).className, "down");
  assert.equal(COLUMNS.find((column) => column.label === "Realized P&L").numeric, true);
});

test("the first day shown is the newest trade's UTC day, else yesterday", () => {
  const now = new Date("2025-03-01T00:30:00Z");
  assert.equal(defaultDay("2025-01-20T23:59:59.999999Z", now), "2025-01-20");
  assert.equal(defaultDay("2025-01-21T01:00:00+02:00", now), "2025-01-20");
  assert.equal(defaultDay(undefined, now), "2025-02-28");
  assert.equal(defaultDay("not a time", now), "2025-02-28");
});
