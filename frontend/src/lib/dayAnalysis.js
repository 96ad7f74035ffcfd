// The day analysis (GET /api/trade-analysis/<day>/) as table cells: decimals stay exact strings.
import { stepDecimals } from "./decimal.js";
import { direction, formatDecimal, formatUtcTime } from "./format.js";

export const TOTAL = "TOTAL";
const EXTRA_VWAP_DECIMALS = 2; // beyond the day's prices: enough to read, the exact value in the title

/** {tickers, total}: the rows of each ticker and the TOTAL row (null when absent). */
export function splitRows(rows) {
  return { tickers: rows.filter((row) => row.ticker !== TOTAL), total: rows.find((row) => row.ticker === TOTAL) ?? null };
}

/** "0.7 USD + 0.001 BNB" of {asset: amount} (an empty asset is just the amount); "–" for none. */
export function formatFees(fees) {
  const parts = Object.entries(fees || {}).map(([asset, amount]) => `${formatDecimal(amount)} ${asset}`.trim());
  return parts.length ? parts.join(" + ") : "–";
}

/** The VWAP with the decimals of the day's high and low prices plus two. */
export function formatVwap(row) {
  if (row.vwap === null) return "–";
  const decimals = Math.max(stepDecimals(row.high), stepDecimals(row.low)) + EXTRA_VWAP_DECIMALS;
  return formatDecimal(row.vwap, Math.min(decimals, stepDecimals(row.vwap)));
}

const number = (field) => (row) => ({ text: formatDecimal(row[field]) });
const time = (field) => (row) => ({ text: row[field] ? formatUtcTime(row[field]) : "–" });

/** The table's columns: a label, whether it is numeric, and a row's cell {text, title, className}. */
export const COLUMNS = [
  { label: "Ticker", cell: (row) => ({ text: row.ticker, className: "ticker" }) },
  { label: "Trades", numeric: true, cell: (row) => ({ text: String(row.trades) }) },
  { label: "Buy qty", numeric: true, cell: number("buy_quantity") },
  { label: "Sell qty", numeric: true, cell: number("sell_quantity") },
  { label: "Volume", numeric: true, cell: number("volume") },
  { label: "Notional", numeric: true, cell: number("notional") },
  { label: "VWAP", numeric: true, cell: (row) => ({ text: formatVwap(row), title: row.vwap ?? undefined }) },
  { label: "High", numeric: true, cell: number("high") },
  { label: "Low", numeric: true, cell: number("low") },
  { label: "First (UTC)", cell: time("first_trade") },
  { label: "Last (UTC)", cell: time("last_trade") },
  { label: "Fees", numeric: true, cell: (row) => ({ text: formatFees(row.fees) }) },
  {
    label: "Realized P&L",
    numeric: true,
    cell: (row) => ({ text: formatDecimal(row.realized_pnl), className: direction(row.realized_pnl) }),
  },
];

/** The day to show first: the UTC day of the newest trade (an ISO time), else the day before
 * `now` (a Date). */
export function defaultDay(newestTradeTime, now) {
  const newest = newestTradeTime ? new Date(newestTradeTime) : null;
  if (newest && !Number.isNaN(newest.getTime())) return newest.toISOString().slice(0, 10);
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}
