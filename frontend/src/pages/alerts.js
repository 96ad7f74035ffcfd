import { ApiError, api } from "../lib/api.js";
import { parse } from "../lib/decimal.js";
import { formatDateTime, formatDecimal } from "../lib/format.js";
import { liveSocket } from "../lib/socket.js";
import { $, askNotificationPermission, h, toast } from "../lib/ui.js";
import { onUserEvent } from "./user.js";

export function alerts(data) {
  const symbolSelect = $("#alert-symbol");
  const condition = $("#alert-condition");
  const errorNode = $("#alert-error");
  const lastPrices = new Map();
  const chosen = new URL(window.location.href).searchParams.get("symbol");
  for (const market of data.markets) symbolSelect.append(h("option", { value: market.symbol, selected: market.symbol === chosen }, market.symbol));

  function showFields() {
    const move = condition.value === "MOVE";
    document.querySelector("[data-for=price]").hidden = move;
    document.querySelector("[data-for=move]").hidden = !move;
  }
  function showLast() {
    const price = lastPrices.get(symbolSelect.value);
    $("#alert-last").textContent = price ? formatDecimal(price) : "–";
  }
  condition.addEventListener("change", showFields);
  symbolSelect.addEventListener("change", showLast);
  showFields();

  async function refresh() {
    try {
      const [active, history] = await Promise.all([api("/api/alerts/?status=ACTIVE"), api("/api/alerts/history/?limit=50")]);
      renderActive(active.results || active);
      renderHistory(history.results || history);
    } catch (error) {
      $("#alerts-table tbody").replaceChildren(h("tr", {}, h("td", { colspan: 4, className: "errors" }, `Could not load alerts: ${error.message}`)));
    }
  }
  function renderActive(items) {
    const body = h("tbody");
    for (const alert of items) {
      const remove = h("button", { type: "button", className: "link", "aria-label": `Delete alert ${alert.id}` }, "Delete");
      remove.addEventListener("click", async () => {
        try {
          await api(`/api/alerts/${alert.id}/`, { method: "DELETE" });
          refresh();
        } catch (error) {
          toast(`Delete failed: ${error.message}`, "error");
        }
      });
      body.append(h("tr", { dataset: { id: alert.id } }, h("td", {}, alert.symbol), h("td", {}, alert.description), h("td", {}, formatDateTime(alert.created_at)), h("td", {}, remove)));
    }
    if (!items.length) body.append(h("tr", { className: "empty-row" }, h("td", { colspan: 4 }, "No active alerts.")));
    $("#alerts-table tbody").replaceWith(body);
  }
  function renderHistory(items) {
    const body = h("tbody");
    for (const item of items) {
      body.append(h("tr", { dataset: { id: item.id } }, h("td", {}, formatDateTime(item.triggered_at)), h("td", {}, item.symbol), h("td", {}, item.description), h("td", { className: "num" }, formatDecimal(item.price)), h("td", {}, item.message)));
    }
    if (!items.length) body.append(h("tr", { className: "empty-row" }, h("td", { colspan: 5 }, "No alert has fired yet.")));
    $("#alert-history tbody").replaceWith(body);
  }

  $("#alert-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    errorNode.textContent = "";
    const body = { symbol: symbolSelect.value, condition: condition.value };
    if (condition.value === "MOVE") {
      body.percent = $("#alert-percent").value.trim();
      body.window_minutes = $("#alert-window").value.trim();
      if (!parse(body.percent) || !/^\d+$/.test(body.window_minutes)) {
        errorNode.textContent = "Enter a percentage and a whole number of minutes.";
        return;
      }
    } else {
      body.price = $("#alert-price").value.trim();
      if (!parse(body.price) || parse(body.price).units <= 0n) {
        errorNode.textContent = "Enter a positive price.";
        $("#alert-price").focus();
        return;
      }
    }
    try {
      const alert = await api("/api/alerts/", { method: "POST", body });
      toast(`Alert set: ${alert.symbol} ${alert.description}`, "success");
      askNotificationPermission();
      refresh();
    } catch (error) {
      errorNode.textContent = error instanceof ApiError ? error.message : "The server did not answer.";
    }
  });
  $("#enable-notifications").addEventListener("click", () => {
    if ("Notification" in window) Notification.requestPermission();
  });

  liveSocket("/ws/markets/", {
    onMessage(message) {
      const tickers = message.event === "mini_tickers" ? message.tickers : message.event === "mini_ticker" ? [message] : [];
      for (const ticker of tickers) lastPrices.set(ticker.symbol, String(ticker.close));
      showLast();
    },
  });
  onUserEvent((message) => {
    if (message.event === "alert") refresh();
  });
  refresh();
  setInterval(refresh, 5000);
}
