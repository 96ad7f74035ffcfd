import assert from "node:assert/strict";
import { test } from "node:test";
import { allocationProblem, botActions, botFormProblems, botRequest, botSummary, formatFigure, madeBy, parametersLabel, reconciliationCells, reconciliationSummary } from "../src/lib/bots.js";

const crossover = {
  name: "sma_cross",
  parameters: [
    { name: "fast", default: 50, integer: true },
    { name: "slow", default: 200, integer: true },
  ],
};

test("each state offers only the changes the server allows", () => {
  const names = (status) => botActions(status).map((action) => action.action);
  assert.deepEqual(names("running"), ["pause", "stop"]);
  assert.deepEqual(names("paused"), ["resume", "stop"]);
  assert.deepEqual(names("failed"), ["resume", "stop"]);
  assert.deepEqual(names("stopped"), []);
});

test("an allocation is a positive decimal amount", () => {
  assert.equal(allocationProblem("100"), "");
  assert.equal(allocationProblem(" 25.5 "), "");
  assert.equal(allocationProblem(""), "Enter an amount.");
  assert.equal(allocationProblem("abc"), "Enter an amount such as 100 or 25.5.");
  assert.equal(allocationProblem("-5"), "Enter an amount such as 100 or 25.5.");
  assert.equal(allocationProblem("1e3"), "Enter an amount such as 100 or 25.5.");
  assert.equal(allocationProblem("0.00"), "Above 0.");
});

test("the form's problems are the parameters' and the allocation's", () => {
  assert.deepEqual(botFormProblems(crossover, { fast: "50", slow: "200" }, "100"), {});
  assert.deepEqual(botFormProblems(crossover, { fast: "20", slow: "10" }, "x"), {
    slow: "Slow must be above fast.",
    allocation: "Enter an amount such as 100 or 25.5.",
  });
});

test("the request has numbers for parameters and the allocation as typed", () => {
  const body = botRequest({ symbol: "BTCUSDT", interval: "5m", strategy: crossover, parameterTexts: { fast: "5", slow: "20" }, allocation: " 150.50 " });
  assert.deepEqual(body, { symbol: "BTCUSDT", interval: "5m", strategy: "sma_cross", parameters: { fast: 5, slow: 20 }, allocation: "150.50" });
  const none = botRequest({ symbol: "ETHUSDT", interval: "1m", strategy: { name: "buy_and_hold", parameters: [] }, parameterTexts: {}, allocation: "10" });
  assert.deepEqual(none.parameters, {});
});

test("a bot reads as one line", () => {
  assert.equal(parametersLabel({}), "no parameters");
  const bot = { id: 7, strategy: "sma_cross", parameters: { fast: 5, slow: 20 }, symbol: "BTCUSDT", interval: "1m", allocation: "1000.00000000" };
  assert.equal(botSummary(bot), "Bot 7: sma_cross (fast 5, slow 20) on BTCUSDT 1m, 1,000 per entry.");
});

test("the comparison's figures: two decimals, small prices to four digits, signed differences", () => {
  assert.equal(formatFigure(null), "–");
  assert.equal(formatFigure(60123.456), "60,123.46");
  assert.equal(formatFigure(0.000123456), "0.0001235");
  assert.equal(formatFigure(0), "0.00");
  assert.equal(formatFigure(0.5), "0.50");
  assert.equal(formatFigure(1.5, { signed: true }), "+1.50");
  assert.equal(formatFigure(-1.5, { signed: true }), "-1.50");
});

test("a trade both made shows each side and the differences; one made by one side has blanks", () => {
  const both = {
    entry_time: 1704067200000,
    backtest: { quantity: 0.01, entry_price: 100, exit_time: 1704067500000, exit_price: 110 },
    live: { quantity: 0.01, entry_price: 100.5, exit_time: 1704067500000, exit_price: 109 },
    backtest_pnl: 0.1,
    live_pnl: -0.25,
    entry_price_difference: 0.5,
    exit_price_difference: -1,
    pnl_difference: -0.35,
  };
  assert.equal(madeBy(both), "both");
  assert.deepEqual(reconciliationCells(both), ["100.50", "100.00", "+0.50", "109.00", "110.00", "-1.00", "-0.25", "+0.10", "-0.35"]);
  const liveOnly = { ...both, backtest: null, backtest_pnl: null, entry_price_difference: null, exit_price_difference: null, pnl_difference: null, live: { ...both.live, exit_time: null, exit_price: null } };
  assert.equal(madeBy(liveOnly), "bot only");
  assert.deepEqual(reconciliationCells(liveOnly), ["100.50", "–", "–", "–", "–", "–", "-0.25", "–", "–"]);
  assert.equal(madeBy({ ...both, live: null }), "backtest only");
});

test("the comparison's summary names its candles, or says there is nothing yet", () => {
  assert.equal(reconciliationSummary({ bars: 0, start: null, end: null, trades: [] }), "Nothing to compare yet: the bot has not decided on a closed candle.");
  assert.equal(reconciliationSummary({ bars: 12, start: 1704067200000, end: 1704067860000, trades: [{}] }), "12 candles compared, 2024-01-01 00:00 to 2024-01-01 00:11 UTC: 1 trade.");
});
