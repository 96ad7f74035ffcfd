// The bots page's rules: what a bot's state allows, the form's checks and request, and the
// rows of its comparison with its backtest. The server checks everything again.
import { parameterProblems } from "./backtestForm.js";
import { decimalText } from "./decimal.js";
import { formatDecimal } from "./format.js";

/** The changes of a bot's state, each with the states it may come from (bots.py). */
export const BOT_ACTIONS = [
  { action: "pause", label: "Pause", from: ["running"] },
  { action: "resume", label: "Resume", from: ["paused", "failed"] },
  { action: "stop", label: "Stop", from: ["running", "paused", "failed"] },
];

/** The actions a bot in `status` allows, in the order of BOT_ACTIONS. */
export function botActions(status) {
  return BOT_ACTIONS.filter((action) => action.from.includes(status));
}

/** What is wrong with a typed allocation (a positive decimal amount), or "". */
export function allocationProblem(text) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return "Enter an amount.";
  if (!/^\d+(\.\d+)?$/.test(trimmed) || decimalText(trimmed) === null) return "Enter an amount such as 100 or 25.5.";
  if (!/[1-9]/.test(trimmed)) return "Above 0.";
  return "";
}

/** The problems of the form ({name: message}): the strategy's parameters by their names, the
 * allocation as "allocation". */
export function botFormProblems(strategy, parameterTexts, allocation) {
  const problems = parameterProblems(strategy, parameterTexts);
  const allocationText = allocationProblem(allocation);
  if (allocationText) problems.allocation = allocationText;
  return problems;
}

/** The JSON body of POST /api/bots/: the parameters as numbers, the allocation as its text. */
export function botRequest({ symbol, interval, strategy, parameterTexts, allocation }) {
  const parameters = Object.fromEntries(strategy.parameters.map((parameter) => [parameter.name, Number(parameterTexts[parameter.name])]));
  return { symbol, interval, strategy: strategy.name, parameters, allocation: String(allocation).trim() };
}

/** "fast 50, slow 200", or "no parameters". */
export function parametersLabel(parameters) {
  const entries = Object.entries(parameters ?? {});
  return entries.length ? entries.map(([name, value]) => `${name} ${value}`).join(", ") : "no parameters";
}

/** One line about a bot: "Bot 7: sma_cross (fast 50, slow 200) on BTCUSDT 1m, 100 per entry." */
export function botSummary(bot) {
  return `Bot ${bot.id}: ${bot.strategy} (${parametersLabel(bot.parameters)}) on ${bot.symbol} ${bot.interval}, ${formatDecimal(bot.allocation)} per entry.`;
}

/** A float of the comparison (a research view) for a table: "–" for none, two decimals, four
 * significant digits below 0.01 (a cheap coin's price); `signed` puts "+" before a positive one. */
export function formatFigure(value, { signed = false } = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const magnitude = Math.abs(value);
  const text = magnitude >= 0.01 || magnitude === 0 ? formatDecimal(value.toFixed(2), 2) : String(Number(value.toPrecision(4)));
  return signed && value > 0 ? `+${text}` : text;
}

/** Who made a compared trade: "both", "bot only" or "backtest only". */
export function madeBy(trade) {
  if (trade.live && trade.backtest) return "both";
  return trade.live ? "bot only" : "backtest only";
}

/** The cells of a compared trade, in the table's order after the entry time and who made it:
 * entry live, backtest and difference; exit live, backtest and difference; P&L live, backtest
 * and difference. An open trade has no exit. */
export function reconciliationCells(trade) {
  const live = trade.live ?? {};
  const tested = trade.backtest ?? {};
  return [
    formatFigure(live.entry_price),
    formatFigure(tested.entry_price),
    formatFigure(trade.entry_price_difference, { signed: true }),
    formatFigure(live.exit_price),
    formatFigure(tested.exit_price),
    formatFigure(trade.exit_price_difference, { signed: true }),
    formatFigure(trade.live_pnl, { signed: true }),
    formatFigure(trade.backtest_pnl, { signed: true }),
    formatFigure(trade.pnl_difference, { signed: true }),
  ];
}

/** "12 candles compared, 2024-01-01 00:00 to 2024-01-01 00:11 UTC." or why there are none. */
export function reconciliationSummary(compared) {
  if (!compared.bars) return "Nothing to compare yet: the bot has not decided on a closed candle.";
  const time = (ms) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  const trades = compared.trades.length;
  return `${compared.bars} candles compared, ${time(compared.start)} to ${time(compared.end)} UTC: ${trades} trade${trades === 1 ? "" : "s"}.`;
}
