import { api } from "../lib/api.js";
import { darkChart, lineSeries } from "../lib/chart.js";
import { add, compare, div, mul, parse, toNumber, toText } from "../lib/decimal.js";
import { historyPoints, livePointTime } from "../lib/equity.js";
import { direction, formatDateTime, formatDecimal, formatPercent } from "../lib/format.js";
import { $, h, sortRows, toast } from "../lib/ui.js";

const PALETTE = ["#f0b90b", "#16c784", "#5b8def", "#ea3943", "#b86bff", "#00b8d9", "#ff8f3d", "#8a93a3"];
const COLUMNS = ["symbol", "quantity", "average_price", "last_price", "market_value", "unrealized_pnl", "realized_pnl", "percent_change", "equity_change"];
const HISTORY_HOURS = 24;

export function portfolio() {
  const equityChart = darkChart($("#equity-chart"), { timeScale: { timeVisible: true, secondsVisible: true } });
  const equityLine = lineSeries(equityChart);
  window.paperex.equityCurve = equityLine; // for the browser tests, like window.paperex.sockets
  let lastTime = 0;
  let sort = { key: "market_value", descending: true };
  const historyLoaded = loadHistory();

  async function loadHistory() {
    const status = $("#equity-history");
    const since = new Date(Date.now() - HISTORY_HOURS * 3_600_000).toISOString();
    try {
      const points = historyPoints(await api(`/api/portfolio/equity/?since=${encodeURIComponent(since)}`));
      equityLine.setData(points);
      lastTime = points.length ? points[points.length - 1].time : 0;
      status.textContent = points.length
        ? `(since ${formatDateTime(points[0].time * 1000)}, ${points.length} snapshot${points.length === 1 ? "" : "s"}, then live)`
        : "(live: the server records a snapshot every minute)";
    } catch (error) {
      status.textContent = `(live only: could not load the history: ${error.message})`;
    }
  }

  async function refresh() {
    try {
      const [positions, balances] = await Promise.all([api("/api/portfolio/"), api("/api/balances/")]);
      render(positions, balances.results || balances);
    } catch (error) {
      $("#positions tbody").replaceChildren(h("tr", {}, h("td", { colspan: 9, className: "errors" }, `Could not load: ${error.message}`)));
    }
  }

  function render(positions, balances) {
    const cash = balances
      .filter((balance) => ["USDT", "USD"].includes(balance.asset))
      .reduce((sum, balance) => add(add(sum, balance.free), balance.locked), parse("0"));
    const invested = positions.reduce((sum, position) => add(sum, position.market_value || "0"), parse("0"));
    const equity = add(cash, invested);
    const change = positions.reduce((sum, position) => add(sum, position.equity_change || "0"), parse("0"));
    $("#equity").textContent = formatDecimal(equity, 2);
    const changeNode = $("#equity-change");
    changeNode.textContent = `${formatDecimal(change, 2)}`;
    changeNode.dataset.direction = direction(change);

    const body = h("tbody");
    const sorted = sortRows(positions, sort.key, sort.descending, new Set(COLUMNS.slice(1)));
    for (const position of sorted) {
      const pnl = position.unrealized_pnl;
      body.append(
        h(
          "tr",
          {},
          h("th", { scope: "row" }, h("a", { href: `/web/trade/${position.symbol}/` }, position.symbol)),
          h("td", { className: "num" }, formatDecimal(position.quantity)),
          h("td", { className: "num" }, formatDecimal(position.average_price, 2)),
          h("td", { className: "num" }, formatDecimal(position.last_price)),
          h("td", { className: "num" }, formatDecimal(position.market_value, 2)),
          h("td", { className: "num", dataset: { direction: direction(pnl) } }, formatDecimal(pnl, 2)),
          h("td", { className: "num", dataset: { direction: direction(position.realized_pnl) } }, formatDecimal(position.realized_pnl, 2)),
          h("td", { className: "num", dataset: { direction: direction(position.percent_change) } }, formatPercent(position.percent_change)),
          h("td", { className: "num", dataset: { direction: direction(position.equity_change) } }, formatDecimal(position.equity_change, 2)),
        ),
      );
    }
    if (!positions.length) body.append(h("tr", { className: "empty-row" }, h("td", { colspan: 9 }, "No positions yet. Buy something on a trade page.")));
    $("#positions tbody").replaceWith(body);

    const balanceBody = h("tbody");
    for (const balance of balances) {
      balanceBody.append(h("tr", {}, h("th", { scope: "row" }, balance.asset), h("td", { className: "num" }, formatDecimal(balance.free)), h("td", { className: "num" }, formatDecimal(balance.locked))));
    }
    if (!balances.length) balanceBody.append(h("tr", { className: "empty-row" }, h("td", { colspan: 3 }, "No balances.")));
    $("#balances tbody").replaceWith(balanceBody);

    renderAllocation([{ label: "Cash", value: cash }, ...positions.map((position) => ({ label: position.symbol, value: parse(position.market_value || "0") }))], equity);

    historyLoaded.then(() => {
      lastTime = livePointTime(Date.now(), lastTime);
      equityLine.update({ time: lastTime, value: toNumber(equity) });
    });
  }

  function renderAllocation(parts, total) {
    const holder = $("#allocation");
    if (compare(total, "0") <= 0) {
      holder.replaceChildren(h("p", { className: "empty" }, "Nothing to allocate."));
      return;
    }
    const bar = h("div", { className: "allocation-bar", role: "img", "aria-label": "Allocation by value" });
    const legend = h("ul", { className: "allocation-legend" });
    parts
      .filter((part) => compare(part.value, "0") > 0)
      .forEach((part, index) => {
        const percent = toText(div(mul(part.value, "100"), total, 2));
        const color = PALETTE[index % PALETTE.length];
        bar.append(h("span", { style: `width:${percent}%;background:${color}`, title: `${part.label} ${percent}%` }));
        legend.append(h("li", {}, h("span", { className: "swatch", style: `background:${color}` }), `${part.label} ${percent}% (${formatDecimal(part.value, 2)})`));
      });
    holder.replaceChildren(bar, legend);
  }

  for (const [index, th] of [...document.querySelectorAll("#positions thead th")].entries()) {
    const key = COLUMNS[index];
    const label = th.textContent;
    const button = h("button", { type: "button", className: "sort" }, label);
    button.addEventListener("click", () => {
      sort = { key, descending: sort.key === key ? !sort.descending : true };
      refresh();
    });
    th.replaceChildren(button);
  }

  $("#reset-account").addEventListener("click", async () => {
    if (!window.confirm("Reset your paper account? Open orders are cancelled and balances return to the starting amounts.")) return;
    try {
      await api("/api/account/reset/", { method: "POST", body: {} });
      toast("Account reset.", "success");
      refresh();
    } catch (error) {
      toast(`Reset failed: ${error.message}`, "error");
    }
  });
  refresh();
  setInterval(refresh, 3000);
}
