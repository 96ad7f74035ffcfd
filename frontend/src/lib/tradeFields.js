// The inputs of a journal trade, shared by the add form and a row being edited: one input per
// field, checked as the trader types, with a message under each and the save button disabled
// until the values are valid.
import { serverFieldErrors, validateTrade } from "./tradeForm.js";
import { h } from "./ui.js";

const FIELDS = {
  ticker: { label: "Ticker", placeholder: "AAPL", autocapitalize: "characters", spellcheck: "false" },
  side: { label: "Side", options: ["BUY", "SELL"] },
  price: { label: "Price", inputmode: "decimal" },
  quantity: { label: "Quantity", inputmode: "decimal" },
  fee: { label: "Fee", inputmode: "decimal", placeholder: "optional" },
  fee_asset: { label: "Fee asset", placeholder: "USDT", autocapitalize: "characters", spellcheck: "false" },
  timestamp: { label: "Time (UTC)", type: "datetime-local", step: "1" },
  notes: { label: "Notes" },
  tags: { label: "Tags", placeholder: "comma, separated" },
};

/** The field's label text. */
export function fieldLabel(name) {
  return FIELDS[name].label;
}

/** The input (or select) of field `name` with `value`; `attributes` adds id, aria-label… */
export function tradeInput(name, value, attributes = {}) {
  const { label, options, ...spec } = FIELDS[name];
  if (options) return h("select", { name, ...attributes }, options.map((option) => h("option", { value: option, selected: option === value }, option)));
  const input = h("input", { name, autocomplete: "off", ...spec, ...attributes });
  input.value = value ?? "";
  return input;
}

/** The message line under a field's input. */
export function fieldError(id) {
  return h("p", { className: "field-error", id, "aria-live": "polite" });
}

/**
 * Check `inputs` ({name: element}) on every keystroke. A field's message shows once it has been
 * typed in (all of them when `touched` is true, as for a trade being edited) or when the server
 * named it; `button` is disabled while any field is invalid.
 * Returns {values(), valid(), showServerErrors(body), reset()}.
 */
export function watchTradeInputs(inputs, errorNodes, button, { touched: allTouched = false } = {}) {
  const touched = new Set(allTouched ? Object.keys(inputs) : []);
  let fromServer = {};
  const values = () => Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));

  function check() {
    const errors = validateTrade(values());
    for (const [name, node] of Object.entries(errorNodes)) {
      const message = fromServer[name] || (touched.has(name) && errors[name]) || "";
      node.textContent = message;
      inputs[name].setAttribute("aria-invalid", message ? "true" : "false");
    }
    button.disabled = Object.keys(errors).length > 0;
    return errors;
  }
  for (const [name, input] of Object.entries(inputs)) {
    input.addEventListener("input", () => {
      touched.add(name);
      delete fromServer[name];
      check();
    });
  }
  check();
  return {
    values,
    valid: () => Object.keys(check()).length === 0,
    showServerErrors(body) {
      fromServer = serverFieldErrors(body);
      check();
      const named = Object.keys(fromServer).filter((name) => inputs[name]);
      inputs[named[0]]?.focus();
      return named.length > 0;
    },
    reset() {
      touched.clear();
      fromServer = {};
      check();
    },
  };
}
