import assert from "node:assert/strict";
import { test } from "node:test";
import { backtestSettings, csvRequestFields, marketRequest, numberProblem, parameterProblems, refusalLine, settingProblems, sourceLabel } from "../src/lib/backtestForm.js";
import { percent, sortedTrades, statisticRows } from "../src/lib/backtestFigures.js";

const SMA = { name: "sma_cross", parameters: [{ name: "fast", default: 50, integer: true }, { name: "slow", default: 200, integer: true }] };
const RSI = { name: "rsi_reversion", parameters: [{ name: "period", default: 14, integer: true }, { name: "lower", default: 30, integer: false }, { name: "upper", default: 70, integer: false }] };
const SETTINGS = { fee: "0.001", cash: "10000", size: "1", slippage_bps: "0" };

test("a number is checked against its rule", () => {
  assert.equal(numberProblem("", {}), "Enter a number.");
  assert.equal(numberProblem("abc", {}), "Enter a number.");
  assert.equal(numberProblem("2.5", { integer: true }), "Enter a whole number.");
  assert.equal(numberProblem("0", { integer: true, min: 1 }), "At least 1.");
  assert.equal(numberProblem("0", { above: 0 }), "Above 0.");
  assert.equal(numberProblem("1.5", { max: 1 }), "At most 1.");
  assert.equal(numberProblem("0.1", { below: 0.1 }), "Below 0.1.");
  assert.equal(numberProblem(" 7 ", { integer: true, min: 1 }), "");
});

test("slow must be above fast; a bad number is told before the comparison", () => {
  assert.deepEqual(parameterProblems(SMA, { fast: "5", slow: "20" }), {});
  assert.deepEqual(parameterProblems(SMA, { fast: "20", slow: "20" }), { slow: "Slow must be above fast." });
  assert.deepEqual(parameterProblems(SMA, { fast: "x", slow: "3" }), { fast: "Enter a number." });
});

test("the RSI bounds lie between 0 and 100, upper above lower", () => {
  assert.deepEqual(parameterProblems(RSI, { period: "14", lower: "30", upper: "70" }), {});
  assert.deepEqual(parameterProblems(RSI, { period: "14", lower: "70", upper: "30" }), { upper: "Upper must be above lower." });
  assert.deepEqual(parameterProblems(RSI, { period: "14", lower: "-1", upper: "120" }), { lower: "Between 0 and 100.", upper: "Between 0 and 100." });
  assert.deepEqual(parameterProblems({ name: "buy_and_hold", parameters: [] }, {}), {});
});

test("the settings keep to the backtester's bounds", () => {
  assert.deepEqual(settingProblems(SETTINGS), {});
  assert.deepEqual(settingProblems({ ...SETTINGS, fee: "0.2", size: "0", cash: "" }), { fee: "Below 0.1.", cash: "Enter a number.", size: "Above 0." });
});

test("the request: numbers as numbers, empty dates left out, multipart as text", () => {
  const settings = backtestSettings({ strategy: SMA, parameterTexts: { fast: "5", slow: "20" }, settingTexts: SETTINGS, fillAt: "close", allowShort: true });
  assert.deepEqual(settings, { strategy: "sma_cross", parameters: { fast: 5, slow: 20 }, fee: 0.001, cash: 10000, size: 1, slippage_bps: 0, fill_at: "close", allow_short: true });
  assert.deepEqual(marketRequest(settings, { symbol: "BTCUSDT", interval: "1m", start: "2024-01-01", end: "" }), { symbol: "BTCUSDT", interval: "1m", start: "2024-01-01", ...settings });
  const fields = Object.fromEntries(csvRequestFields(settings));
  assert.equal(fields.parameters, '{"fast":5,"slow":20}');
  assert.equal(fields.allow_short, "true");
  assert.equal(fields.cash, "10000");
});

test("a refusal in one line, and a run's data in a few words", () => {
  assert.equal(refusalLine({ code: "invalid", message: "csv: 10 bars" }), "csv: 10 bars");
  assert.equal(refusalLine({ errors: { slow: ["too small"] } }), "slow: too small");
  assert.equal(refusalLine(null), "The server refused the backtest.");
  assert.equal(sourceLabel({ source: { kind: "csv", name: "prices.csv" } }), "prices.csv");
  assert.equal(sourceLabel({ source: { kind: "market", symbol: "BTCUSDT", interval: "1h" } }), "BTCUSDT 1h");
});

test("statistics print fractions as percentages beside buy-and-hold", () => {
  const rows = statisticRows({ total_return: 0.0512, trades: 6, sharpe: 1.234, final_equity: 10512.3, win_rate: 1 }, { total_return: -0.02, annualized_return: 3e10, exposure: 0.9983 });
  const byLabel = Object.fromEntries(rows.map(([label, ...values]) => [label, values]));
  assert.deepEqual(byLabel["Total return"], ["+5.12%", "-2.00%"]);
  assert.deepEqual(byLabel["Annualized return"], ["–", "+3.00e+12%"]);
  assert.deepEqual(byLabel["Sharpe ratio"], ["1.23", "–"]);
  assert.deepEqual(byLabel["Trades (closed)"], ["6", "–"]);
  assert.deepEqual(byLabel["Final equity"], ["10,512.30", "–"]);
  assert.deepEqual(byLabel["Win rate"], ["100.00%", "–"]);
  assert.deepEqual(byLabel["Exposure"], ["–", "99.83%"]);
  assert.equal(percent(0), "0.00%");
});

test("trades sort by a column, missing values last, at most 200", () => {
  const trades = [{ pnl: 5 }, { pnl: null }, { pnl: -3 }, { pnl: 9 }];
  assert.deepEqual(sortedTrades(trades, { key: "pnl", descending: true }).map((t) => t.pnl), [9, 5, -3, null]);
  assert.deepEqual(sortedTrades(trades, { key: "pnl", descending: false }).map((t) => t.pnl), [-3, 5, 9, null]);
  assert.equal(sortedTrades(Array.from({ length: 250 }, (_, i) => ({ pnl: i })), { key: "pnl" }).length, 200);
});
