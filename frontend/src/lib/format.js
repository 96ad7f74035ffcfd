// Display formatting of decimal strings; no float rounding.
import { compare, decimalText, parse, stepDecimals, toFixed, toText } from "./decimal.js";

function group(whole) {
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (negative ? "-" : "") + grouped;
}

/** A decimal with thousands separators and `decimals` digits ("-" for a missing value). */
export function formatDecimal(value, decimals = null, { grouping = true } = {}) {
  const parsed = parse(value);
  if (parsed === null) return "–";
  const text = decimals === null ? toText(parsed) : toFixed(parsed, decimals);
  if (!grouping) return text;
  const [whole, fraction] = text.split(".");
  return fraction === undefined ? group(whole) : `${group(whole)}.${fraction}`;
}

/** A price shown with the market's tick precision. */
export function formatPrice(value, tickSize) {
  return formatDecimal(value, tickSize ? stepDecimals(tickSize) : null);
}

/** A quantity shown with the market's step precision. */
export function formatQuantity(value, stepSize) {
  return formatDecimal(value, stepSize ? stepDecimals(stepSize) : null);
}

/** A signed percentage: "+1.23%", "-0.50%", "0.00%". */
export function formatPercent(value, decimals = 2) {
  const parsed = parse(value);
  if (parsed === null) return "–";
  const text = toFixed(parsed, decimals);
  const positive = compare(parsed, "0") > 0 && /[1-9]/.test(text);
  return `${positive ? "+" : ""}${text}%`;
}

/** "up", "down" or "flat" for colouring a change. */
export function direction(value) {
  const parsed = parse(value);
  if (parsed === null) return "flat";
  const sign = compare(parsed, "0");
  return sign > 0 ? "up" : sign < 0 ? "down" : "flat";
}

/** Large volumes compactly: 1234567.8 -> "1.23M". */
export function formatCompact(value) {
  const text = decimalText(value);
  if (text === null) return "–";
  const units = [
    ["1000000000000", "T"],
    ["1000000000", "B"],
    ["1000000", "M"],
    ["1000", "K"],
  ];
  for (const [size, suffix] of units) {
    if (compare(text.replace("-", ""), size) >= 0) {
      const [whole, fraction = ""] = text.replace("-", "").split(".");
      const digits = size.length - 1;
      const head = whole.slice(0, whole.length - digits);
      const tail = (whole.slice(whole.length - digits) + fraction).slice(0, 2);
      return `${text.startsWith("-") ? "-" : ""}${head}.${tail}${suffix}`;
    }
  }
  return formatDecimal(text, 2);
}

/** Percent change from `open` to `close` as a decimal string with 2 digits. */
export function percentChange(open, close) {
  const o = parse(open);
  const c = parse(close);
  if (o === null || c === null || o.units === 0n) return null;
  // (c - o) / o * 100, computed exactly then rounded
  const scale = Math.max(o.scale, c.scale);
  const ou = o.units * 10n ** BigInt(scale - o.scale);
  const cu = c.units * 10n ** BigInt(scale - c.scale);
  const basisPoints = ((cu - ou) * 1000000n) / ou; // percent * 10^4
  return toFixed({ units: basisPoints, scale: 4 }, 2);
}

/** Local time "HH:MM:SS" of a millisecond timestamp or an ISO string. */
export function formatTime(value) {
  const date = typeof value === "number" ? new Date(value) : new Date(String(value));
  if (Number.isNaN(date.getTime())) return "–";
  return date.toLocaleTimeString([], { hour12: false });
}

export function formatDateTime(value) {
  const date = new Date(typeof value === "number" ? value : String(value));
  if (Number.isNaN(date.getTime())) return "–";
  return `${date.toLocaleDateString()} ${date.toLocaleTimeString([], { hour12: false })}`;
}

/** "2025-01-20 12:00:00": an ISO time in UTC, to the second. */
export function formatUtcDateTime(value) {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return "–";
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** "12:00:00": the UTC time of day of an ISO time, to the second. */
export function formatUtcTime(value) {
  return formatUtcDateTime(value).slice(11) || "–";
}
