// The bots page: the form that starts a live paper bot (a market, an interval, a strategy whose
// parameter inputs follow it, an allocation), the trader's bots refreshed every few seconds with
// the buttons their state allows, and one bot opened: its orders and its comparison with its
// backtest.
import { ApiError, api, apiList } from "../lib/api.js";
import { BOT_ACTIONS, botActions, botFormProblems, botRequest, botSummary, madeBy, parametersLabel, reconciliationCells, reconciliationSummary } from "../lib/bots.js";
import { fieldErrors } from "../lib/fieldErrors.js";
import { direction, formatDecimal, formatUtcDateTime } from "../lib/format.js";
import { $, h, toast } from "../lib/ui.js";

const REFRESH_MS = 4000;
const MOST_DETAILED = 25; // bots whose P&L the list asks for, newest first
const FIELDS = ["symbol", "interval", "strategy", "parameters", "allocation"];

const unanswered = (error) => (error instanceof ApiError ? error.message : "the server did not answer.");

export function bots({ symbols, intervals, strategies }) {
  const detail = botDetail();
  const list = botList(detail);
  botForm({ symbols, intervals, strategies }, async (bot) => {
    await list.load();
    detail.open(bot.id);
  });
  list.load();
  const tick = async () => {
    if (!document.hidden) {
      await list.load();
      await detail.refresh();
    }
    setTimeout(tick, REFRESH_MS);
  };
  setTimeout(tick, REFRESH_MS);
}

// The form: its selects, the strategy's parameters rebuilt on a change of strategy, each number
// checked as it is typed, and the server's refusal beside the field it names.
function botForm({ symbols, intervals, strategies }, onStarted) {
  const form = $("#bot-form");
  const submit = $("#bot-submit");
  const refusal = $("#bot-refusal");
  const byName = Object.fromEntries(strategies.map((strategy) => [strategy.name, strategy]));
  $("#bot-symbol").replaceChildren(...symbols.map((symbol) => h("option", { value: symbol, selected: symbol === "BTCUSDT" }, symbol)));
  $("#bot-interval").replaceChildren(...intervals.map((interval) => h("option", { value: interval, selected: interval === "1m" }, interval)));
  $("#bot-strategy").replaceChildren(...strategies.map((strategy) => h("option", { value: strategy.name }, strategy.name)));
  let parameterInputs = [];
  const strategy = () => byName[$("#bot-strategy").value];
  const parameterTexts = () => Object.fromEntries(parameterInputs.map((field) => [field.name, field.input.value]));
  const allocation = $("#bot-allocation");

  function showField(name, problem) {
    const input = name === "parameters" ? null : form.elements[name] ?? parameterInputs.find((field) => field.name === name)?.input;
    const error = $(`#bot-${name}-error`);
    if (error) error.textContent = problem;
    input?.setAttribute("aria-invalid", problem ? "true" : "false");
  }

  function showParameters() {
    parameterInputs = strategy().parameters.map((parameter) => numberField(parameter));
    const none = h("p", { className: "hint" }, "This strategy has no parameters.");
    $("#bot-parameters").replaceChildren(...(parameterInputs.length ? parameterInputs.map((field) => field.element) : [none]));
    valid();
  }

  const typedProblems = () => botFormProblems(strategy(), parameterTexts(), allocation.value);

  // Shows the problems of what is typed (and so clears a refusal of the server's there).
  function valid() {
    const problems = typedProblems();
    for (const field of parameterInputs) field.show(problems[field.name] ?? "");
    showField("allocation", problems.allocation ?? "");
    const ok = !Object.keys(problems).length;
    submit.disabled = !ok;
    return ok;
  }

  function clearRefusal() {
    refusal.textContent = "";
    for (const name of ["symbol", "interval", "strategy", "parameters"]) showField(name, "");
  }

  form.addEventListener("change", (event) => {
    clearRefusal();
    if (event.target.id === "bot-strategy") showParameters();
    else valid();
  });
  form.addEventListener("input", valid);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!valid()) return;
    clearRefusal();
    submit.disabled = true;
    const body = botRequest({ symbol: form.elements.symbol.value, interval: form.elements.interval.value, strategy: strategy(), parameterTexts: parameterTexts(), allocation: allocation.value });
    try {
      const bot = await api("/api/bots/", { method: "POST", body });
      toast(`Bot ${bot.id} started: ${bot.strategy} on ${bot.symbol} ${bot.interval}.`, "success");
      await onStarted(bot);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const { errors, message } = fieldErrors(error.body, FIELDS, "The server refused the bot.");
        for (const [name, problem] of Object.entries(errors)) showField(name, problem);
        refusal.textContent = message;
      } else {
        refusal.textContent = `The bot was not started: ${unanswered(error)}`;
      }
    } finally {
      // The refusal stays under its field until the trader changes it.
      submit.disabled = Object.keys(typedProblems()).length > 0;
    }
  });
  showParameters();
}

// A labelled number input for a strategy parameter with the line under it that says what is
// wrong with it.
function numberField(parameter) {
  const id = `bot-parameter-${parameter.name}`;
  const input = h("input", { id, name: `parameter-${parameter.name}`, type: "number", step: parameter.integer ? "1" : "any", value: parameter.default, inputmode: "decimal", "aria-describedby": `${id}-error` });
  const error = h("p", { id: `${id}-error`, className: "field-error" });
  const show = (problem) => {
    error.textContent = problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  };
  return { name: parameter.name, input, show, element: h("div", { className: "field" }, h("label", { for: id }, parameter.name), input, error) };
}

// The trader's bots with each one's P&L (from its detail) and the buttons its state allows.
function botList(detail) {
  const table = $("#bots-table");
  const status = $("#bots-status");
  let loading = null;

  async function fetchAll() {
    const listed = await apiList("/api/bots/");
    const details = await Promise.all(listed.slice(0, MOST_DETAILED).map((bot) => api(`/api/bots/${bot.id}/`).catch(() => null)));
    return listed.map((bot, index) => details[index] ?? bot);
  }

  async function load() {
    // One load at a time: a refresh during a load waits for it and loads again.
    while (loading) await loading;
    loading = (async () => {
      try {
        render(await fetchAll());
        status.textContent = "";
      } catch (error) {
        status.textContent = `Could not load your bots: ${unanswered(error)}`;
        if (table.querySelector("tr.loading-row")) table.tBodies[0].replaceChildren(h("tr", { className: "empty-row" }, h("td", { colspan: 9 }, "Your bots could not be loaded.")));
      }
    })();
    await loading;
    loading = null;
  }

  function render(items) {
    // A refresh keeps the keyboard focus on the button it was on.
    const focused = document.activeElement?.closest?.("#bots-table") ? document.activeElement.getAttribute("aria-label") : null;
    const rows = items.map((bot) => botRow(bot));
    const empty = h("tr", { className: "empty-row" }, h("td", { colspan: 9 }, "No bots yet: start one above."));
    table.tBodies[0].replaceChildren(...(rows.length ? rows : [empty]));
    if (focused) table.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  }

  function botRow(bot) {
    const open = h("button", { type: "button", className: "link", "aria-label": `Open bot ${bot.id}` }, "Open");
    open.addEventListener("click", () => detail.open(bot.id));
    const buttons = botActions(bot.status).map(({ action, label }) => {
      const button = h("button", { type: "button", className: action === "stop" ? "link danger-link" : "link", "aria-label": `${label} bot ${bot.id}`, dataset: { action } }, label);
      button.addEventListener("click", () => change(bot, action, button));
      return button;
    });
    const pnl = bot.pnl === undefined ? "…" : formatDecimal(bot.pnl);
    return h(
      "tr",
      { dataset: { id: bot.id, status: bot.status }, className: detail.selected() === bot.id ? "selected" : "", "aria-current": detail.selected() === bot.id ? "true" : false },
      h("td", {}, `#${bot.id}`),
      h("td", {}, `${bot.symbol} ${bot.interval}`),
      h("td", {}, bot.strategy, h("span", { className: "hint" }, ` (${parametersLabel(bot.parameters)})`)),
      h("td", { className: "state" }, h("span", { className: `badge badge-${bot.status}` }, bot.status)),
      h("td", { className: "num" }, formatDecimal(bot.position)),
      h("td", { className: "num pnl", dataset: { direction: direction(bot.pnl) } }, pnl),
      h("td", { className: "num" }, String(bot.orders_placed)),
      h("td", { className: "note" }, bot.note || ""),
      h("td", { className: "actions" }, open, ...buttons.flatMap((button) => [" ", button])),
    );
  }

  async function change(bot, action, button) {
    if (action === "stop" && !window.confirm(`Stop bot ${bot.id} for good? What it holds stays in your balance.`)) return;
    button.disabled = true;
    const label = BOT_ACTIONS.find((known) => known.action === action).label;
    try {
      const changed = await api(`/api/bots/${bot.id}/${action}/`, { method: "POST" });
      toast(`Bot ${changed.id} is ${changed.status}.`, "success");
    } catch (error) {
      toast(`${label} bot ${bot.id}: ${unanswered(error)}`, "error");
    }
    await load();
    await detail.refresh();
  }

  return { load };
}

// One bot opened under the list: its figures, its orders and its trades beside its backtest's.
function botDetail() {
  const panel = $("#bot-detail");
  const summary = $("#bot-summary");
  let selected = null;
  let ordersSeen = null; // the orders count the comparison was made at

  async function open(id) {
    selected = id;
    ordersSeen = null;
    panel.hidden = false;
    $("#bot-detail-title").textContent = `Bot ${id}`;
    summary.className = "";
    summary.textContent = `Bot ${id}: loading…`;
    $("#bot-orders").tBodies[0].replaceChildren();
    $("#bot-reconciliation").tBodies[0].replaceChildren();
    $("#bot-reconciliation-status").textContent = "";
    for (const row of document.querySelectorAll("#bots-table tbody tr[data-id]")) {
      const current = Number(row.dataset.id) === id;
      row.classList.toggle("selected", current);
      if (current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
    await refresh();
    panel.scrollIntoView({ block: "nearest" });
  }

  async function refresh() {
    if (selected === null) return;
    const id = selected;
    let bot;
    try {
      bot = await api(`/api/bots/${id}/`);
    } catch (error) {
      if (id !== selected) return;
      summary.className = "errors";
      summary.textContent = `Could not read bot ${id}: ${unanswered(error)}`;
      return;
    }
    if (id !== selected) return;
    summary.className = "";
    summary.dataset.status = bot.status;
    summary.textContent = `${botSummary(bot)} ${bot.status[0].toUpperCase()}${bot.status.slice(1)}; holds ${formatDecimal(bot.position)}, quote spent ${formatDecimal(bot.quote_spent)}, value ${formatDecimal(bot.market_value)}, P&L ${formatDecimal(bot.pnl)}.`;
    ordersTable(bot.orders);
    if (ordersSeen !== bot.orders.length) {
      ordersSeen = bot.orders.length;
      await reconcile(id);
    }
  }

  async function reconcile(id) {
    const status = $("#bot-reconciliation-status");
    const body = $("#bot-reconciliation").tBodies[0];
    let compared;
    try {
      compared = await api(`/api/bots/${id}/reconciliation/`);
    } catch (error) {
      if (id !== selected) return;
      status.className = "errors";
      status.textContent = `Could not compare with the backtest: ${unanswered(error)}`;
      body.replaceChildren();
      return;
    }
    if (id !== selected) return;
    status.className = "hint";
    status.textContent = reconciliationSummary(compared);
    const rows = compared.trades.map((trade) => {
      const who = madeBy(trade);
      return h(
        "tr",
        { className: `reconciled ${who === "both" ? "" : "one-sided"}`, dataset: { madeBy: who } },
        h("td", {}, formatUtcDateTime(new Date(trade.entry_time).toISOString())),
        h("td", {}, who),
        reconciliationCells(trade).map((cell) => h("td", { className: "num" }, cell)),
      );
    });
    const empty = h("tr", { className: "empty-row" }, h("td", { colspan: 11 }, "No trades to compare."));
    body.replaceChildren(...(rows.length ? rows : [empty]));
  }

  return { open, refresh, selected: () => selected };
}

function ordersTable(orders) {
  const rows = orders.map((order) =>
    h(
      "tr",
      { dataset: { id: order.id, status: order.status } },
      h("td", {}, formatUtcDateTime(order.created_at)),
      h("td", {}, order.client_order_id),
      h("td", { className: order.side === "BUY" ? "up" : "down" }, order.side),
      h("td", {}, order.status),
      h("td", { className: "num" }, formatDecimal(order.executed_quantity)),
      h("td", { className: "num" }, formatDecimal(order.cumulative_quote)),
    ),
  );
  const empty = h("tr", { className: "empty-row" }, h("td", { colspan: 6 }, "No orders yet."));
  $("#bot-orders").tBodies[0].replaceChildren(...(rows.length ? rows : [empty]));
}
