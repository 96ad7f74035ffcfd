// Order-form validation against the market's filters (tick size, step size, price band, min
// notional) and the available balance, with exact decimals. Returns messages per field; an empty
// object is valid.
import { add, compare, floorToStep, isMultipleOf, mul, parse, toText } from "./decimal.js";
import { formatDecimal } from "./format.js";

// `trigger` names the stop price as the form shows it: a take-profit triggers on a favourable move.
export const ORDER_TYPES = {
  LIMIT: { price: true, stopPrice: false },
  LIMIT_MAKER: { price: true, stopPrice: false }, // refused by the engine when it would take
  MARKET: { price: false, stopPrice: false },
  STOP_LOSS: { price: false, stopPrice: true, trigger: "Stop price" },
  STOP_LOSS_LIMIT: { price: true, stopPrice: true, trigger: "Stop price" },
  TAKE_PROFIT: { price: false, stopPrice: true, trigger: "Trigger price" },
  TAKE_PROFIT_LIMIT: { price: true, stopPrice: true, trigger: "Trigger price" },
};

function positive(value) {
  const parsed = parse(value);
  return parsed !== null && parsed.units > 0n ? parsed : null;
}

// PERCENT_PRICE_BY_SIDE: the lowest and highest price (whole ticks) of the side's band around the
// last price, or null without a band or a last price. The engine measures from its reference
// price, which for a paper market is the feed's last trade too.
function priceBand(market, side, lastPrice) {
  const band = market.percent_price_by_side;
  const last = positive(lastPrice);
  if (!band || !last) return null;
  const prefix = side === "SELL" ? "ask" : "bid";
  const lowest = mul(last, band[`${prefix}_multiplier_down`]);
  return {
    lowest: isMultipleOf(lowest, market.tick_size) ? lowest : add(floorToStep(lowest, market.tick_size), market.tick_size),
    highest: floorToStep(mul(last, band[`${prefix}_multiplier_up`]), market.tick_size),
  };
}

/**
 * Validate an order form.
 * @param {object} form {side, type, quantity, price, stopPrice}
 * @param {object} market {tick_size, step_size, min_notional, percent_price_by_side, base, quote}
 * @param {object} context {lastPrice, available: {base, quote}}
 * @returns {{errors: Record<string,string>, total: string|null}}
 */
export function validateOrder(form, market, context = {}) {
  const errors = {};
  const needs = ORDER_TYPES[form.type];
  if (!needs) return { errors: { type: `Unknown order type ${form.type}.` }, total: null };
  if (form.side !== "BUY" && form.side !== "SELL") errors.side = "Choose buy or sell.";

  const quantity = positive(form.quantity);
  if (String(form.quantity ?? "").trim() === "") errors.quantity = "Enter a quantity.";
  else if (quantity === null) errors.quantity = "Quantity must be a positive number.";
  else if (!isMultipleOf(quantity, market.step_size))
    errors.quantity = `Quantity must be a multiple of the step size ${toText(market.step_size)}.`;

  let price = null;
  if (needs.price) {
    price = positive(form.price);
    if (String(form.price ?? "").trim() === "") errors.price = "Enter a price.";
    else if (price === null) errors.price = "Price must be a positive number.";
    else if (!isMultipleOf(price, market.tick_size))
      errors.price = `Price must be a multiple of the tick size ${toText(market.tick_size)}.`;
    else {
      const band = priceBand(market, form.side, context.lastPrice);
      if (band && (compare(price, band.lowest) < 0 || compare(price, band.highest) > 0))
        errors.price = `Price must be between ${formatDecimal(band.lowest)} and ${formatDecimal(band.highest)} ${market.quote}, near the last price.`;
    }
  }
  if (needs.stopPrice) {
    const stop = positive(form.stopPrice);
    if (String(form.stopPrice ?? "").trim() === "") errors.stopPrice = `Enter a ${needs.trigger.toLowerCase()}.`;
    else if (stop === null) errors.stopPrice = `${needs.trigger} must be a positive number.`;
    else if (!isMultipleOf(stop, market.tick_size))
      errors.stopPrice = `${needs.trigger} must be a multiple of the tick size ${toText(market.tick_size)}.`;
    if (!price && stop) price = stop;
  }

  const reference = price ?? positive(context.lastPrice);
  let total = null;
  if (quantity && reference) {
    total = toText(mul(quantity, reference));
    if (!errors.quantity && !errors.price && compare(total, market.min_notional) < 0) {
      errors.total = `Order value ${formatDecimal(total)} ${market.quote} is below the minimum ${toText(market.min_notional)} ${market.quote}.`;
    }
  }
  const available = context.available || {};
  if (!errors.quantity && quantity) {
    if (form.side === "SELL" && available.base !== undefined && compare(quantity, available.base) > 0) {
      errors.quantity = `You have ${formatDecimal(available.base)} ${market.base} available.`;
    }
    if (form.side === "BUY" && total && available.quote !== undefined && compare(total, available.quote) > 0) {
      errors.total = `Order value exceeds your available ${formatDecimal(available.quote)} ${market.quote}.`;
    }
  }
  return { errors, total };
}

/** The POST /api/orders/ body for a valid form. */
export function orderRequest(form, symbol) {
  const needs = ORDER_TYPES[form.type];
  const body = { symbol, side: form.side, type: form.type, quantity: String(form.quantity).trim() };
  if (needs.price) body.price = String(form.price).trim();
  if (needs.stopPrice) body.stop_price = String(form.stopPrice).trim();
  return body;
}
