// The backtest page: the form (a market's candles or a CSV, a strategy whose parameter inputs
// follow it, the execution settings), a run followed until it is done, its statistics, charts
// and trades, and the list of the trader's earlier runs to open again or delete.
import { ApiError, api, apiList } from "../lib/api.js";
import { drawdownChart, equityChart, priceChart } from "../lib/backtestCharts.js";
import { SETTINGS, backtestSettings, csvRequestFields, marketRequest, parameterProblems, refusalLine, settingProblems, sourceLabel } from "../lib/backtestForm.js";
import { MOST_TRADE_ROWS, TRADE_COLUMNS, sortedTrades, statisticRows } from "../lib/backtestFigures.js";
import { formatUtcDateTime } from "../lib/format.js";
import { $, h, sortHeader, svg, toast } from "../lib/ui.js";

const POLL_MS = 700;
const FINISHED = new Set(["done", "failed"]);

export function backtest({ symbols, intervals, strategies }) {
  const form = $("#backtest-form");
  const refusal = $("#backtest-refusal");
  const runs = backtestRuns(openRun);
  const result = runView(runs.load);
  const inputs = formInputs(form, { symbols, intervals, strategies });

  async function openRun(id) {
    refusal.textContent = "";
    await result.follow(id);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!inputs.valid()) return;
    const submit = $("#backtest-submit");
    submit.disabled = true;
    refusal.textContent = "";
    try {
      const queued = await api("/api/backtests/", { method: "POST", body: inputs.request() });
      runs.load();
      result.follow(queued.id);
    } catch (error) {
      refusal.textContent = error instanceof ApiError ? refusalLine(error.body) : "The server did not answer; try again.";
    } finally {
      submit.disabled = !inputs.valid();
    }
  });
  runs.load();
}

// The form's inputs: the data source switch, the strategy's parameters rebuilt on a change of
// strategy, the settings, each number checked as it is typed.
function formInputs(form, { symbols, intervals, strategies }) {
  const byName = Object.fromEntries(strategies.map((strategy) => [strategy.name, strategy]));
  $("#backtest-symbol").replaceChildren(...symbols.map((symbol) => h("option", { value: symbol }, symbol)));
  $("#backtest-interval").replaceChildren(...intervals.map((interval) => h("option", { value: interval, selected: interval === "1m" }, interval)));
  $("#backtest-strategy").replaceChildren(...strategies.map((strategy) => h("option", { value: strategy.name }, strategy.name)));
  const settingInputs = SETTINGS.map((setting) => numberField("setting", setting.name, setting.label, setting.default, setting.name === "fee" ? "0.0001" : "any"));
  $("#backtest-settings").replaceChildren(
    ...settingInputs.map((field) => field.element),
    h("div", { className: "field" }, h("label", { for: "backtest-fill-at" }, "Fill at"), h("select", { id: "backtest-fill-at", name: "fill_at" }, h("option", { value: "open" }, "next bar's open"), h("option", { value: "close" }, "bar's close"))),
    h("div", { className: "field checkbox-field" }, h("label", {}, h("input", { type: "checkbox", id: "backtest-allow-short", name: "allow_short" }), " Short selling allowed")),
  );
  let parameterInputs = [];

  const strategy = () => byName[$("#backtest-strategy").value];
  const source = () => form.elements.source.value;
  const texts = (fields) => Object.fromEntries(fields.map((field) => [field.name, field.input.value]));

  function showParameters() {
    parameterInputs = strategy().parameters.map((parameter) => numberField("parameter", parameter.name, parameter.name, parameter.default, parameter.integer ? "1" : "any"));
    const none = h("p", { className: "hint" }, "This strategy has no parameters.");
    $("#backtest-parameters").replaceChildren(...(parameterInputs.length ? parameterInputs.map((field) => field.element) : [none]));
    valid();
  }

  function valid() {
    const problems = { ...parameterProblems(strategy(), texts(parameterInputs)), ...settingProblems(texts(settingInputs)) };
    for (const field of [...parameterInputs, ...settingInputs]) field.show(problems[field.name] ?? "");
    const csvMissing = source() === "csv" && !$("#backtest-csv").files.length;
    const ok = !Object.keys(problems).length && !csvMissing;
    $("#backtest-submit").disabled = !ok;
    return ok;
  }

  function request() {
    const settings = backtestSettings({
      strategy: strategy(),
      parameterTexts: texts(parameterInputs),
      settingTexts: texts(settingInputs),
      fillAt: $("#backtest-fill-at").value,
      allowShort: $("#backtest-allow-short").checked,
    });
    if (source() === "market") {
      const values = Object.fromEntries(["symbol", "interval", "start", "end"].map((name) => [name, form.elements[name].value]));
      return marketRequest(settings, values);
    }
    const body = new FormData();
    body.append("csv", $("#backtest-csv").files[0]);
    for (const [name, value] of csvRequestFields(settings)) body.append(name, value);
    return body;
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "source") {
      $("#source-market").hidden = source() !== "market";
      $("#source-csv").hidden = source() !== "csv";
    }
    if (event.target.id === "backtest-strategy") showParameters();
    else valid();
  });
  form.addEventListener("input", valid);
  showParameters();
  return { valid, request };
}

// A labelled number input with the line under it that says what is wrong with it.
function numberField(kind, name, label, value, step) {
  const id = `backtest-${kind}-${name}`;
  const input = h("input", { id, name: `${kind}-${name}`, type: "number", step, value, inputmode: "decimal", "aria-describedby": `${id}-error` });
  const error = h("p", { id: `${id}-error`, className: "field-error" });
  const show = (problem) => {
    error.textContent = problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  };
  return { name, input, show, element: h("div", { className: "field" }, h("label", { for: id }, label), input, error) };
}

// The run shown under the form: followed while queued or running, then its result.
function runView(onFinished) {
  const panel = $("#backtest-run");
  const status = $("#backtest-status");
  let following = 0; // the latest run asked for; an older poll stops

  async function follow(id) {
    const ticket = ++following;
    panel.hidden = false;
    $("#backtest-result").hidden = true;
    status.className = "";
    status.textContent = `Backtest ${id}: loading…`;
    for (;;) {
      let run;
      try {
        run = await api(`/api/backtests/${id}/`);
      } catch (error) {
        if (ticket !== following) return;
        status.className = "errors";
        status.textContent = `Could not read backtest ${id}: ${error instanceof ApiError ? error.message : "the server did not answer."}`;
        return;
      }
      if (ticket !== following) return;
      showStatus(run);
      if (FINISHED.has(run.status)) {
        if (run.status === "done") showResult(run);
        onFinished();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (ticket !== following) return;
    }
  }

  function showStatus(run) {
    const what = `Backtest ${run.id}, ${run.request?.strategy ?? "?"} on ${sourceLabel(run.request)}`;
    status.dataset.status = run.status;
    status.className = run.status === "failed" ? "errors" : "";
    if (run.status === "failed") status.textContent = `${what}: failed: ${run.error || "no reason given"}`;
    else if (run.status === "done") status.textContent = `${what}: done, ${run.bars?.count ?? "?"} bars.`;
    else status.textContent = `${what}: ${run.status}, ${Math.round((run.progress ?? 0) * 100)}%…`;
  }

  function showResult(run) {
    const table = $("#backtest-statistics");
    table.tHead.replaceChildren(h("tr", {}, h("th", { scope: "col" }, "Figure"), h("th", { scope: "col", className: "num" }, "Strategy"), h("th", { scope: "col", className: "num" }, "Buy and hold")));
    table.tBodies[0].replaceChildren(...statisticRows(run.statistics, run.buy_and_hold).map(([label, strategy, hold]) => h("tr", {}, h("th", { scope: "row" }, label), h("td", { className: "num" }, strategy), h("td", { className: "num" }, hold))));
    draw("#backtest-price", priceChart(run.series, run.trades));
    draw("#backtest-equity", equityChart(run.series));
    draw("#backtest-drawdown", drawdownChart(run.series));
    tradesTable(run.trades);
    $("#backtest-result").hidden = false;
  }

  return { follow };
}

function draw(selector, description) {
  const figure = $(selector);
  figure.querySelector("svg")?.remove();
  figure.append(svg(description));
}

function tradesTable(trades) {
  const table = $("#backtest-trades");
  let sort = { key: "entry_time", descending: false };
  const render = () => {
    const onSort = (key) => {
      sort = { key, descending: sort.key === key && !sort.descending };
      render();
    };
    table.tHead.replaceChildren(h("tr", {}, TRADE_COLUMNS.map((column) => sortHeader(column, sort, onSort))));
    const rows = sortedTrades(trades, sort).map((trade) =>
      h("tr", { className: "trade-row" }, TRADE_COLUMNS.map((column) => h("td", { className: column.numeric ? "num" : "" }, column.format(trade[column.key])))),
    );
    const empty = h("tr", { className: "empty-row" }, h("td", { colspan: TRADE_COLUMNS.length }, "No trades."));
    table.tBodies[0].replaceChildren(...(rows.length ? rows : [empty]));
  };
  $("#backtest-trades-note").textContent = trades.length > MOST_TRADE_ROWS ? `${trades.length} trades; the first ${MOST_TRADE_ROWS} of the order chosen are shown.` : `${trades.length} trades.`;
  render();
}

// The trader's earlier runs: open one, or delete it.
function backtestRuns(openRun) {
  const body = () => $("#backtest-runs").tBodies[0];

  async function load() {
    try {
      const runs = await apiList("/api/backtests/");
      body().replaceChildren(...runs.map(runRow));
      if (!runs.length) body().replaceChildren(h("tr", { className: "empty-row" }, h("td", { colspan: 5 }, "No backtests yet.")));
    } catch (error) {
      body().replaceChildren(h("tr", { className: "errors" }, h("td", { colspan: 5 }, `Could not load your backtests: ${error.message}`)));
    }
  }

  function runRow(run) {
    const open = h("button", { type: "button", className: "link", "aria-label": `Open backtest ${run.id}` }, "Open");
    const remove = h("button", { type: "button", className: "link danger-link", "aria-label": `Delete backtest ${run.id}` }, "Delete");
    open.addEventListener("click", () => openRun(run.id));
    remove.addEventListener("click", () => deleteRun(run));
    return h(
      "tr",
      { dataset: { id: run.id, status: run.status } },
      h("td", {}, formatUtcDateTime(run.created_at)),
      h("td", {}, h("span", { className: `badge badge-${run.status}` }, run.status)),
      h("td", {}, run.request?.strategy ?? "–"),
      h("td", {}, sourceLabel(run.request)),
      h("td", { className: "actions" }, open, " ", remove),
    );
  }

  async function deleteRun(run) {
    if (!window.confirm(`Delete backtest ${run.id}?`)) return;
    try {
      await api(`/api/backtests/${run.id}/`, { method: "DELETE" });
      toast(`Backtest ${run.id} deleted.`, "success");
    } catch (error) {
      toast(`Delete failed: ${error instanceof ApiError ? error.message : "the server did not answer."}`, "error");
    }
    load();
  }

  return { load };
}
