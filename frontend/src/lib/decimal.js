// Exact decimal arithmetic on strings: a value is a BigInt of units and a scale (digits after the
// point). Prices and quantities never pass through float arithmetic here.

/** Text of a number or decimal string without exponent notation ("1e-7" -> "0.0000001"). */
export function decimalText(value) {
  if (value === null || value === undefined || value === "") return null;
  let text = typeof value === "number" ? String(value) : String(value).trim();
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  const exponent = /^([+-]?)(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (exponent) {
    const [, sign, whole, fraction = "", power] = exponent;
    const digits = whole + fraction;
    const point = whole.length + Number(power);
    if (point <= 0) text = `${sign}0.${"0".repeat(-point)}${digits}`;
    else if (point >= digits.length) text = sign + digits + "0".repeat(point - digits.length);
    else text = `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? text : null;
}

/** Parse into {units: BigInt, scale: int}, or null when the text is not a plain decimal. */
export function parse(value) {
  if (value !== null && typeof value === "object" && typeof value.units === "bigint") return value;
  const text = decimalText(value);
  if (text === null) return null;
  const negative = text.startsWith("-");
  const body = text.replace(/^[+-]/, "");
  const [whole, fraction = ""] = body.split(".");
  const units = BigInt((whole || "0") + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

function rescale(a, scale) {
  return a.units * 10n ** BigInt(scale - a.scale);
}

function align(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return [rescale(a, scale), rescale(b, scale), scale];
}

function need(value) {
  const parsed = parse(value);
  if (parsed === null) throw new TypeError(`not a decimal: ${value}`);
  return parsed;
}

export function add(a, b) {
  const [x, y, scale] = align(need(a), need(b));
  return { units: x + y, scale };
}

export function sub(a, b) {
  const [x, y, scale] = align(need(a), need(b));
  return { units: x - y, scale };
}

export function mul(a, b) {
  const x = need(a);
  const y = need(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

/** a / b rounded toward zero to `scale` digits. */
export function div(a, b, scale = 8) {
  const x = need(a);
  const y = need(b);
  if (y.units === 0n) throw new RangeError("division by zero");
  // x/y = (xu / 10^xs) / (yu / 10^ys); result units = xu * 10^(scale + ys - xs) / yu
  const shift = scale + y.scale - x.scale;
  const numerator = shift >= 0 ? x.units * 10n ** BigInt(shift) : x.units;
  const denominator = shift >= 0 ? y.units : y.units * 10n ** BigInt(-shift);
  return { units: numerator / denominator, scale };
}

export function compare(a, b) {
  const [x, y] = align(need(a), need(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a) {
  return need(a).units === 0n;
}

export function isNegative(a) {
  return need(a).units < 0n;
}

/** True when `value` is a whole number of `step`s (a tick or a lot). */
export function isMultipleOf(value, step) {
  const [x, y] = align(need(value), need(step));
  if (y === 0n) return true;
  return x % y === 0n;
}

/** `value` rounded down to a multiple of `step`. */
export function floorToStep(value, step) {
  const [x, y, scale] = align(need(value), need(step));
  if (y === 0n) return { units: x, scale };
  let units = (x / y) * y;
  if (x < 0n && units !== x) units -= y;
  return { units, scale };
}

/** Number of digits after the point in a step such as "0.0100" -> 2. */
export function stepDecimals(step) {
  const text = decimalText(step);
  if (text === null || !text.includes(".")) return 0;
  return text.split(".")[1].replace(/0+$/, "").length;
}

/** Plain decimal text with exactly `decimals` digits, rounded half away from zero. */
export function toFixed(value, decimals) {
  const a = need(value);
  let units = a.units;
  if (decimals < a.scale) {
    const factor = 10n ** BigInt(a.scale - decimals);
    const negative = units < 0n;
    const magnitude = negative ? -units : units;
    let rounded = magnitude / factor;
    if ((magnitude % factor) * 2n >= factor) rounded += 1n;
    units = negative ? -rounded : rounded;
  } else {
    units = units * 10n ** BigInt(decimals - a.scale);
  }
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  if (decimals > 0) digits = `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return (negative && /[1-9]/.test(digits) ? "-" : "") + digits;
}

/** Shortest plain text of a decimal ("1.2300" -> "1.23"). */
export function toText(value) {
  const a = need(value);
  let text = toFixed(a, a.scale);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text;
}

/** Approximate float, for charts only (never for money decisions). */
export function toNumber(value) {
  const parsed = parse(value);
  return parsed === null ? NaN : Number(toText(parsed));
}
