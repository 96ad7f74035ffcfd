import { direction, formatCompact, formatPercent, formatPrice, percentChange } from "../lib/format.js";
import { compare } from "../lib/decimal.js";
import { liveSocket } from "../lib/socket.js";
import { $, $$, h } from "../lib/ui.js";

export function markets(data) {
  const table = $("#markets-table tbody");
  const filterInput = $("#market-filter");
  const empty = $("#markets-empty");
  const rows = new Map();
  let kind = "all";

  table.replaceChildren();
  for (const market of data.markets) {
    const cells = {
      last: h("td", { className: "num last" }, "–"),
      change: h("td", { className: "num change" }, "–"),
      high: h("td", { className: "num" }, "–"),
      low: h("td", { className: "num" }, "–"),
      volume: h("td", { className: "num" }, "–"),
      quoteVolume: h("td", { className: "num" }, "–"),
    };
    const link = h("a", { href: `/web/trade/${market.symbol}/` }, market.symbol);
    const row = h(
      "tr",
      { className: "clickable", dataset: { symbol: market.symbol, kind: market.kind }, tabindex: "-1" },
      h("th", { scope: "row" }, link, h("span", { className: "pair hint" }, ` ${market.base}/${market.quote}`)),
      Object.values(cells),
    );
    row.addEventListener("click", (event) => {
      if (event.target.tagName !== "A") window.location.href = link.href;
    });
    rows.set(market.symbol, { row, cells, market, last: null });
    table.append(row);
  }
  if (!data.markets.length) table.append(h("tr", {}, h("td", { colspan: 7, className: "empty" }, "No markets yet: run paperex seed.")));

  function applyFilter() {
    const text = filterInput.value.trim().toUpperCase();
    let visible = 0;
    for (const { row, market } of rows.values()) {
      const show = (kind === "all" || market.kind === kind) && (!text || `${market.symbol} ${market.base}`.toUpperCase().includes(text));
      row.hidden = !show;
      if (show) visible++;
    }
    empty.hidden = visible > 0 || rows.size === 0;
  }
  filterInput.addEventListener("input", applyFilter);
  for (const tab of $$("[role=tab][data-kind]")) {
    tab.addEventListener("click", () => {
      kind = tab.dataset.kind;
      for (const other of $$("[role=tab][data-kind]")) other.setAttribute("aria-selected", String(other === tab));
      applyFilter();
    });
  }

  function update(ticker) {
    const entry = rows.get(ticker.symbol);
    if (!entry) return;
    const { cells, market } = entry;
    const close = String(ticker.close);
    const previous = entry.last;
    entry.last = close;
    cells.last.textContent = formatPrice(close, market.tick_size);
    const change = percentChange(ticker.open, ticker.close);
    cells.change.textContent = formatPercent(change);
    cells.change.dataset.direction = direction(change);
    cells.high.textContent = formatPrice(ticker.high, market.tick_size);
    cells.low.textContent = formatPrice(ticker.low, market.tick_size);
    cells.volume.textContent = formatCompact(ticker.volume);
    cells.quoteVolume.textContent = formatCompact(ticker.quote_volume);
    if (previous !== null && previous !== close) {
      const flash = compare(close, previous) > 0 ? "up" : "down";
      cells.last.dataset.flash = flash;
      cells.last.classList.remove("flash");
      void cells.last.offsetWidth;
      cells.last.classList.add("flash");
    }
  }

  liveSocket("/ws/markets/", {
    onMessage(message) {
      if (message.event === "mini_tickers") message.tickers.forEach(update);
      else if (message.event === "mini_ticker") update(message);
    },
  });
  applyFilter();
}
