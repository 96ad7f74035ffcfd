// The journal's day analysis: a UTC day's figures per ticker (the trader's own trades, or for
// staff the saved analysis of everyone's) as a table and charts; staff can run the analysis.
import { barChart, rangeChart } from "../lib/analysisCharts.js";
import { ApiError, api } from "../lib/api.js";
import { COLUMNS, defaultDay, splitRows } from "../lib/dayAnalysis.js";
import { $, h, svg } from "../lib/ui.js";

const SCOPES = {
  mine: "Figures of your own trades that day.",
  all: "The saved analysis of every user's trades that day.",
};

export function journalAnalysis({ staff }) {
  const dayInput = $("#analysis-date");
  const figures = $("#analysis-figures");
  const status = $("#analysis-status");
  let latestLoad = 0;

  function say(text, className, ...extra) {
    status.replaceChildren(h("p", { className }, text), ...extra);
  }

  async function load() {
    const ticket = ++latestLoad;
    const day = dayInput.value;
    figures.hidden = true;
    if (!day) return say("Pick a day.", "hint");
    say("Loading…", "hint");
    try {
      const analysis = await api(`/api/trade-analysis/${day}/`);
      if (ticket !== latestLoad) return; // another day was picked meanwhile
      status.replaceChildren();
      render(analysis);
    } catch (error) {
      if (ticket === latestLoad) failed(error);
    }
  }

  function failed(error) {
    if (error instanceof ApiError && error.status === 404) return say(error.message, "no-trades");
    const retry = h("button", { type: "button", className: "secondary" }, "Try again");
    retry.addEventListener("click", load);
    const reason = error instanceof ApiError ? error.message : "the server did not answer.";
    const unavailable = error instanceof ApiError && error.status === 503;
    say(unavailable ? `${reason} It can be retried in a moment.` : `Could not load the analysis: ${reason}`, "errors", retry);
  }

  function render(analysis) {
    const { tickers, total } = splitRows(analysis.rows);
    $("#analysis-scope").textContent = SCOPES[analysis.scope] ?? "";
    $("#analysis-caption").textContent = `Figures per ticker of ${analysis.date}, the total last`;
    const table = $("#analysis-table");
    table.tHead.replaceChildren(h("tr", {}, COLUMNS.map((column) => h("th", { scope: "col", className: column.numeric ? "num" : "" }, column.label))));
    table.tBodies[0].replaceChildren(...tickers.map((row) => tableRow(row)));
    table.tFoot.replaceChildren(...(total ? [tableRow(total, "total-row")] : []));
    draw("#analysis-volume", barChart(tickers, { field: "volume", name: "Volume" }));
    draw("#analysis-notional", barChart(tickers, { field: "notional", name: "Notional" }));
    draw("#analysis-range", rangeChart(tickers));
    figures.hidden = false;
  }

  function tableRow(row, className = "") {
    return h(
      "tr",
      { className, dataset: { ticker: row.ticker } },
      COLUMNS.map((column, index) => {
        const cell = column.cell(row);
        const classes = [column.numeric ? "num" : "", cell.className ?? ""].join(" ").trim();
        return h(index === 0 ? "th" : "td", { scope: index === 0 ? "row" : undefined, className: classes, title: cell.title }, cell.text);
      }),
    );
  }

  function draw(selector, description) {
    const figure = $(selector);
    figure.querySelector("svg")?.remove();
    figure.append(svg(description));
  }

  async function runAnalysis(event) {
    const runStatus = $("#analysis-run-status");
    const day = dayInput.value;
    if (!day) return;
    event.target.disabled = true;
    runStatus.textContent = "Running…";
    let outcome;
    try {
      outcome = (await api(`/api/trade-analysis/?date=${day}`)).message;
      load();
    } catch (error) {
      outcome = error instanceof ApiError ? error.message : "The server did not answer; try again.";
    } finally {
      event.target.disabled = false;
    }
    if (dayInput.value === day) runStatus.textContent = outcome; // not another day's
  }

  dayInput.addEventListener("change", () => {
    $("#analysis-run-status").textContent = "";
    load();
  });
  if (staff) {
    $("#analysis-run").hidden = false;
    $("#analysis-run").addEventListener("click", runAnalysis);
  }
  startOnNewestDay(dayInput).then(load);
}

async function startOnNewestDay(dayInput) {
  let newest = null;
  try {
    newest = (await api("/api/trades/?limit=1&ordering=-timestamp")).results[0]?.timestamp;
  } catch {
    // yesterday then; the journal's table tells what went wrong
  }
  if (!dayInput.value) dayInput.value = defaultDay(newest, new Date());
}
