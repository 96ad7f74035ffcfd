// A finished backtest as tables: its statistics beside buy-and-hold, and its trades. The API
// gives fractions (0.05 is +5 %) as floats; these are shown, not computed with.
import { formatDecimal, formatPercent, formatUtcDateTime } from "./format.js";

const HUGE_FRACTION = 1e4; // a million percent and more (annualizing minutes) reads as a power of ten

/** A fraction as a signed percentage: 0.0512 -> "+5.12%", 3e10 -> "+3.00e+12%". */
export function percent(value) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= HUGE_FRACTION) return `${value > 0 ? "+" : ""}${(value * 100).toExponential(2)}%`;
  return formatPercent((value * 100).toFixed(6));
}
/** A share that has no sign (volatility, win rate, exposure): 0.5 -> "50.00%". */
const share = (value) => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(2)}%`);
const ratio = (value) => (value === null || value === undefined ? "–" : formatDecimal(value.toFixed(2), 2));
const count = (value) => (value === null || value === undefined ? "–" : String(value));
const money = (value) => (value === null || value === undefined ? "–" : formatDecimal(value.toFixed(2), 2));
const price = (value) => (value === null || value === undefined ? "–" : formatDecimal(String(Number(value.toPrecision(10)))));
const time = (value) => (value === null || value === undefined ? "–" : formatUtcDateTime(new Date(value).toISOString()));

/** The statistics shown, in order: key in the API's statistics, label, and how it prints. */
export const STATISTICS = [
  { key: "total_return", label: "Total return", format: percent },
  { key: "annualized_return", label: "Annualized return", format: percent },
  { key: "volatility", label: "Volatility (annualized)", format: share },
  { key: "sharpe", label: "Sharpe ratio", format: ratio },
  { key: "sortino", label: "Sortino ratio", format: ratio },
  { key: "max_drawdown", label: "Max drawdown", format: percent },
  { key: "trades", label: "Trades (closed)", format: count },
  { key: "win_rate", label: "Win rate", format: share },
  { key: "profit_factor", label: "Profit factor", format: ratio },
  { key: "exposure", label: "Exposure", format: share },
  { key: "final_equity", label: "Final equity", format: money },
];

/** Rows of [label, strategy's text, buy-and-hold's text]. */
export function statisticRows(statistics, buyAndHold) {
  return STATISTICS.map(({ key, label, format }) => [label, format(statistics?.[key]), format(buyAndHold?.[key])]);
}

export const MOST_TRADE_ROWS = 200;

/** The trades table's columns: key in a trade, label, and how a value prints. */
export const TRADE_COLUMNS = [
  { key: "direction", label: "Direction", format: (value) => value ?? "–" },
  { key: "entry_time", label: "Entry (UTC)", format: time, numeric: true },
  { key: "entry_price", label: "Entry price", format: price, numeric: true },
  { key: "exit_time", label: "Exit (UTC)", format: time, numeric: true },
  { key: "exit_price", label: "Exit price", format: price, numeric: true },
  { key: "pnl", label: "P&L", format: money, numeric: true },
  { key: "return", label: "Return", format: percent, numeric: true },
];

/** The trades sorted by `key` (missing values last either way), at most MOST_TRADE_ROWS. */
export function sortedTrades(trades, { key, descending }) {
  const sign = descending ? -1 : 1;
  const sorted = [...trades].sort((a, b) => {
    const [x, y] = [a[key], b[key]];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return sign * (typeof x === "number" ? x - y : String(x).localeCompare(String(y)));
  });
  return sorted.slice(0, MOST_TRADE_ROWS);
}
