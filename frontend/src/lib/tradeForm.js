// The trade journal's form: the rules of POST /api/trades/ checked as the trader types (the
// server stays the authority), and the request body a form's values make. Form values are the
// inputs' texts: {ticker, side, price, quantity, fee, fee_asset, timestamp, notes, tags}, with
// the time as a datetime-local text in UTC and the tags comma-separated.
import { parse } from "./decimal.js";

// The server's limits (apps/journal and core/amounts).
const TICKER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.\-_/:=^]*$/;
const ASSET_PATTERN = /^[A-Za-z0-9]+$/;
const TICKER_MAX_LENGTH = 20;
const AMOUNT_PLACES = 12;
const AMOUNT_WHOLE_DIGITS = 18;
const NOTES_MAX_LENGTH = 2000;
const TAG_MAX_LENGTH = 32;
const TAGS_MAX = 20;
const UTC_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const SIDES = new Set(["BUY", "SELL"]);

const text = (value) => String(value ?? "").trim();

function tickerError(value, label) {
  if (value.length > TICKER_MAX_LENGTH) return `${label} has at most ${TICKER_MAX_LENGTH} characters.`;
  if (!TICKER_PATTERN.test(value)) return `${label} is letters and digits, with . - _ / : = ^ inside (no spaces).`;
  return null;
}

function assetError(value) {
  if (value.length > TICKER_MAX_LENGTH) return `A fee asset has at most ${TICKER_MAX_LENGTH} characters.`;
  if (!ASSET_PATTERN.test(value)) return "An asset is letters and digits (USDT, BTC).";
  return null;
}

// An exact amount as the server's DecimalField takes it: 12 places, 18 whole digits.
function amountError(value, label, { zeroAllowed }) {
  const amount = parse(value);
  if (amount === null) return `${label} must be a number.`;
  if (amount.units < 0n || (!zeroAllowed && amount.units === 0n)) return zeroAllowed ? `${label} cannot be negative.` : `${label} must be greater than 0.`;
  if (amount.scale > AMOUNT_PLACES) return `${label} has at most ${AMOUNT_PLACES} decimal places.`;
  if (amount.units.toString().length - amount.scale > AMOUNT_WHOLE_DIGITS) return `${label} has at most ${AMOUNT_WHOLE_DIGITS} digits before the point.`;
  return null;
}

/** The tags of a comma-separated text, trimmed, without empty ones. */
export function tagList(value) {
  return text(value)
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** The ISO time of a datetime-local text read as UTC, or null when it is not one. */
export function utcInputToIso(value) {
  if (!UTC_INPUT.test(value)) return null;
  const moment = new Date(`${value}Z`);
  return Number.isNaN(moment.getTime()) ? null : moment.toISOString();
}

/** The datetime-local text (UTC, to the second) of an ISO time. */
export function isoToUtcInput(value) {
  return new Date(value).toISOString().slice(0, 19);
}

/** Messages per field for the form's values; an empty object is valid. */
export function validateTrade(values) {
  const required = (name, check) => (text(values[name]) ? check(text(values[name])) : `Enter a ${name}.`);
  const optional = (name, check) => (text(values[name]) ? check(text(values[name])) : null);
  const tags = tagList(values.tags);
  const errors = {
    ticker: required("ticker", (ticker) => tickerError(ticker, "A ticker")),
    side: SIDES.has(text(values.side).toUpperCase()) ? null : 'Side must be "BUY" or "SELL".',
    price: required("price", (price) => amountError(price, "Price", { zeroAllowed: false })),
    quantity: required("quantity", (quantity) => amountError(quantity, "Quantity", { zeroAllowed: false })),
    fee: optional("fee", (fee) => amountError(fee, "A fee", { zeroAllowed: true })),
    fee_asset: optional("fee_asset", assetError),
    timestamp: optional("timestamp", (timestamp) => (utcInputToIso(timestamp) === null ? "Enter a date and time." : null)),
    notes: String(values.notes ?? "").length > NOTES_MAX_LENGTH ? `Notes have at most ${NOTES_MAX_LENGTH} characters.` : null,
    tags: tags.length > TAGS_MAX ? `At most ${TAGS_MAX} tags.` : tags.some((tag) => tag.length > TAG_MAX_LENGTH) ? `A tag has at most ${TAG_MAX_LENGTH} characters.` : null,
  };
  return Object.fromEntries(Object.entries(errors).filter(([, message]) => message));
}

/** The POST /api/trades/ body of valid form values (no time: the server's now). */
export function tradeRequest(values) {
  const body = {
    ticker: text(values.ticker),
    side: text(values.side).toUpperCase(),
    price: text(values.price),
    quantity: text(values.quantity),
    fee: text(values.fee) || null,
    fee_asset: text(values.fee_asset),
    notes: String(values.notes ?? ""),
    tags: tagList(values.tags),
  };
  const timestamp = text(values.timestamp);
  if (timestamp) body.timestamp = utcInputToIso(timestamp);
  return body;
}

/** A trade's values as its form shows them. */
export function tradeFormValues(trade) {
  return {
    ticker: trade.ticker,
    side: trade.side,
    price: trade.price,
    quantity: trade.quantity,
    fee: trade.fee ?? "",
    fee_asset: trade.fee_asset,
    timestamp: isoToUtcInput(trade.timestamp),
    notes: trade.notes,
    tags: trade.tags.join(", "),
  };
}

/** The PATCH body of an edit: the fields whose request value changed (an untouched time keeps
 * its microseconds). */
export function tradeChanges(before, after) {
  const old = tradeRequest(before);
  return Object.fromEntries(Object.entries(tradeRequest(after)).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(old[name])));
}

/** One message per field of a 400 answer's `errors` (nested lists and objects flattened). */
export function serverFieldErrors(body) {
  const flatten = (value) => (typeof value === "string" ? [value] : Object.values(value ?? {}).flatMap(flatten));
  return Object.fromEntries(Object.entries(body?.errors ?? {}).map(([name, messages]) => [name, flatten(messages).join(" ")]));
}
