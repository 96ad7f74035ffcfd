// The day analysis's charts as SVG descriptions ({tag, attributes, children, text}) that
// ui.svg() turns into elements. Floats only place pixels; the printed values are the exact
// decimals, formatted.
import { compare, div, sub, toNumber } from "./decimal.js";
import { formatVwap } from "./dayAnalysis.js";
import { formatCompact, formatDecimal } from "./format.js";
import { node, px, text } from "./svgNodes.js";

const WIDTH = 320; // viewBox units; the chart scales to its box
const TICKER_WIDTH = 64;
const VALUE_WIDTH = 60;
const BAR_ROW = 26;
const BAR_HEIGHT = 16;
const RANGE_ROW = 56;
const RANGE_RIGHT = WIDTH - 4;
const VWAP_LABEL_HALF_WIDTH = 40; // keeps the VWAP label, centred on its marker, inside the chart

function chart(label, height, children) {
  return node("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": label, class: "analysis-svg" }, children);
}

/** A bar's printed value: exact below a thousand, else compact (1.23K). */
export function barValue(value) {
  return compare(value.replace("-", ""), "1000") < 0 ? formatDecimal(value) : formatCompact(value);
}

/** Horizontal bars of `field` ("volume", "notional") per ticker row, scaled to the largest;
 * `name` opens the accessible summary. */
export function barChart(tickers, { field, name }) {
  const span = WIDTH - TICKER_WIDTH - VALUE_WIDTH;
  const largest = Math.max(0, ...tickers.map((row) => toNumber(row[field])));
  const rows = tickers.map((row, index) => {
    const middle = index * BAR_ROW + BAR_ROW / 2;
    const value = toNumber(row[field]);
    const width = largest > 0 && value > 0 ? Math.max(1, (value / largest) * span) : 0;
    return node("g", { class: "bar-row", "data-ticker": row.ticker }, [
      text(0, middle, row.ticker, { class: "chart-ticker" }),
      node("rect", { class: "bar", x: TICKER_WIDTH, y: px(middle - BAR_HEIGHT / 2), width: px(width), height: BAR_HEIGHT, rx: 2 }),
      text(TICKER_WIDTH + width + 4, middle, barValue(row[field]), { class: "chart-value" }),
    ]);
  });
  const summary = tickers.map((row) => `${row.ticker} ${formatDecimal(row[field])}`).join(", ");
  return chart(`${name} per ticker: ${summary || "none"}`, Math.max(1, tickers.length) * BAR_ROW, rows);
}

/** Where the VWAP lies in the day's range of a row, from 0 (low) to 1 (high); the middle when
 * every trade had one price. */
export function vwapPosition(row) {
  const range = sub(row.high, row.low);
  if (range.units <= 0n) return 0.5;
  return Math.min(1, Math.max(0, toNumber(div(sub(row.vwap, row.low), range, 6))));
}

/** Per ticker row a track from the day's low to its high with a marker at the VWAP, each ticker
 * on its own scale (prices differ wildly between tickers). */
export function rangeChart(tickers) {
  const left = TICKER_WIDTH;
  const rows = tickers.map((row, index) => {
    const track = index * RANGE_ROW + RANGE_ROW / 2;
    const marker = left + vwapPosition(row) * (RANGE_RIGHT - left);
    const labelAt = Math.min(RANGE_RIGHT - VWAP_LABEL_HALF_WIDTH, Math.max(left + VWAP_LABEL_HALF_WIDTH, marker));
    return node("g", { class: "range-row", "data-ticker": row.ticker }, [
      text(0, track, row.ticker, { class: "chart-ticker" }),
      node("line", { class: "range-track", x1: left, y1: px(track), x2: RANGE_RIGHT, y2: px(track) }),
      node("circle", { class: "vwap-marker", cx: px(marker), cy: px(track), r: 5 }),
      text(labelAt, track - 14, `VWAP ${formatVwap(row)}`, { class: "chart-value", "text-anchor": "middle" }),
      text(left, track + 15, formatDecimal(row.low), { class: "chart-value" }),
      text(RANGE_RIGHT, track + 15, formatDecimal(row.high), { class: "chart-value", "text-anchor": "end" }),
    ]);
  });
  const summary = tickers
    .map((row) => `${row.ticker} low ${formatDecimal(row.low)}, VWAP ${formatVwap(row)}, high ${formatDecimal(row.high)}`)
    .join("; ");
  return chart(`VWAP within the day's range per ticker: ${summary || "none"}`, Math.max(1, tickers.length) * RANGE_ROW, rows);
}
