// A finished backtest's charts as SVG descriptions (see svgNodes.js): the close with the
// trades' entries ▲ and exits ▼, equity against buy-and-hold, and the drawdown. Each curve
// comes from the API's series, already thinned to at most a thousand points.
import { formatDecimal, formatPercent } from "./format.js";
import { node, px, text } from "./svgNodes.js";

const WIDTH = 640; // viewBox units; the chart scales to its box
const HEIGHT = 200;
const LEFT = 64; // room for the value labels
const RIGHT = WIDTH - 8;
const TOP = 10;
const BOTTOM = HEIGHT - 22; // room for the dates
const MARKER = 5;
export const MOST_MARKED_TRADES = 200;

const finite = (value) => typeof value === "number" && Number.isFinite(value);
const day = (time) => new Date(time).toISOString().slice(0, 16).replace("T", " ");

/** Scales from time and value to the plot area, fitted to `times` and every value given. */
export function scales(times, values) {
  const known = values.filter(finite);
  const [first, last] = [times[0] ?? 0, times.at(-1) ?? 1];
  let [low, high] = known.length ? [Math.min(...known), Math.max(...known)] : [0, 1];
  if (low === high) [low, high] = [low - 1, high + 1]; // a flat line in the middle
  return {
    low,
    high,
    x: (time) => LEFT + (last > first ? ((time - first) / (last - first)) * (RIGHT - LEFT) : 0),
    y: (value) => BOTTOM - ((value - low) / (high - low)) * (BOTTOM - TOP),
  };
}

/** An SVG path through (times[i], values[i]); a missing value breaks the line. */
export function linePath(times, values, scale) {
  let path = "";
  let drawing = false;
  values.forEach((value, index) => {
    if (!finite(value)) {
      drawing = false;
      return;
    }
    path += `${drawing ? "L" : "M"}${px(scale.x(times[index]))} ${px(scale.y(value))}`;
    drawing = true;
  });
  return path;
}

function frame(label, scale, times, formatValue, children) {
  return node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": label, class: "backtest-svg" }, [
    node("line", { class: "axis", x1: LEFT, y1: BOTTOM, x2: RIGHT, y2: BOTTOM }),
    text(LEFT - 4, TOP, formatValue(scale.high), { class: "chart-value", "text-anchor": "end" }),
    text(LEFT - 4, BOTTOM, formatValue(scale.low), { class: "chart-value", "text-anchor": "end" }),
    ...(times.length ? [text(LEFT, HEIGHT - 8, day(times[0]), { class: "chart-value" }), text(RIGHT, HEIGHT - 8, day(times.at(-1)), { class: "chart-value", "text-anchor": "end" })] : []),
    ...children,
  ]);
}

const number = (value) => formatDecimal(String(Number(value.toPrecision(6))));
const fractionPercent = (value) => formatPercent((value * 100).toFixed(4));

/** ▲ with its tip at an entry, ▼ with its tip at an exit. */
function marker(x, y, entry, title) {
  const shape = entry ? `M${px(x)} ${px(y)}l${-MARKER} ${2 * MARKER}h${2 * MARKER}z` : `M${px(x)} ${px(y)}l${-MARKER} ${-2 * MARKER}h${2 * MARKER}z`;
  return node("path", { class: entry ? "entry" : "exit", d: shape }, [node("title", {}, [], title)]);
}

/** The trades' fills as [time, price, entry?, title], the first MOST_MARKED_TRADES trades. */
export function fills(trades) {
  return trades.slice(0, MOST_MARKED_TRADES).flatMap((trade) => [
    [trade.entry_time, trade.entry_price, true, `Entry ${trade.direction} at ${number(trade.entry_price)}`],
    ...(finite(trade.exit_time) && finite(trade.exit_price) ? [[trade.exit_time, trade.exit_price, false, `Exit ${trade.direction} at ${number(trade.exit_price)}`]] : []),
  ]);
}

/** The close with a marker at each fill's time and price. */
export function priceChart(series, trades) {
  const marks = fills(trades);
  const scale = scales(series.time, [...series.close, ...marks.map(([, price]) => price)]);
  const markers = marks.map(([time, price, entry, title]) => marker(scale.x(time), scale.y(price), entry, title));
  const label = `Close from ${number(series.close[0] ?? 0)} to ${number(series.close.at(-1) ?? 0)}, ${marks.length} fills marked`;
  return frame(label, scale, series.time, number, [node("path", { class: "line close", d: linePath(series.time, series.close, scale) }), node("g", { class: "markers" }, markers)]);
}

/** The strategy's equity and buy-and-hold's on one scale. */
export function equityChart(series) {
  const scale = scales(series.time, [...series.equity, ...series.buy_and_hold]);
  const label = `Equity ends at ${number(series.equity.at(-1) ?? 0)}, buy-and-hold at ${number(series.buy_and_hold.at(-1) ?? 0)}`;
  return frame(label, scale, series.time, number, [
    node("path", { class: "line buy-and-hold", d: linePath(series.time, series.buy_and_hold, scale) }),
    node("path", { class: "line equity", d: linePath(series.time, series.equity, scale) }),
    text(RIGHT, TOP, "— strategy", { class: "legend equity", "text-anchor": "end" }),
    text(RIGHT, TOP + 14, "— buy-and-hold", { class: "legend buy-and-hold", "text-anchor": "end" }),
  ]);
}

/** The drawdown (0 or below) as a filled area under zero. */
export function drawdownChart(series) {
  const scale = scales(series.time, [0, ...series.drawdown]);
  const line = linePath(series.time, series.drawdown, scale);
  const area = line && `${line}L${px(scale.x(series.time.at(-1)))} ${px(scale.y(0))}L${px(scale.x(series.time[0]))} ${px(scale.y(0))}z`;
  const deepest = Math.min(0, ...series.drawdown.filter(finite));
  return frame(`Drawdown, deepest ${fractionPercent(deepest)}`, scale, series.time, fractionPercent, [node("path", { class: "area drawdown", d: area })]);
}
