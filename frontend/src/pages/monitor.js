// Stock monitor (compat §2): /ws/stocks/<ticker>/ price, 5-minute MA and the 2% alert banner.
import { areaSeries, darkChart, lineSeries } from "../lib/chart.js";
import { toNumber } from "../lib/decimal.js";
import { formatDecimal } from "../lib/format.js";
import { liveSocket } from "../lib/socket.js";
import { $, beep } from "../lib/ui.js";

export function monitor(data) {
  const form = $("#monitor-form");
  const input = $("#monitor-ticker");
  const disconnect = $("#monitor-disconnect");
  const banner = $("#monitor-alert");
  const chart = darkChart($("#monitor-chart"), { timeScale: { timeVisible: true, secondsVisible: true } });
  const prices = areaSeries(chart);
  const average = lineSeries(chart, "#5b8def", { lineWidth: 1 });
  let socket = null;
  let lastTime = 0;

  function connect(ticker) {
    socket?.close();
    prices.setData([]);
    average.setData([]);
    lastTime = 0;
    banner.hidden = true;
    $("#monitor-price").textContent = "–";
    $("#monitor-ma").textContent = "–";
    $("#monitor-message").textContent = `Connecting to ${ticker}…`;
    const url = new URL(window.location.href);
    url.searchParams.set("ticker", ticker);
    history.replaceState(null, "", url);
    socket = liveSocket(`/ws/stocks/${encodeURIComponent(ticker)}/`, {
      onMessage(message) {
        if (message.message) $("#monitor-message").textContent = message.message;
        if (message.error) {
          $("#monitor-message").textContent = `${message.ticker || ticker}: ${message.error}`;
          $("#monitor-panel").dataset.state = "error";
        }
        if (message.price !== undefined) {
          $("#monitor-panel").dataset.state = "live";
          $("#monitor-price").textContent = formatDecimal(message.price, 2);
          $("#monitor-ma").textContent = message.moving_average_5min == null ? "–" : formatDecimal(message.moving_average_5min, 2);
          $("#monitor-time").textContent = message.timestamp || "–";
          let time = Math.floor(Date.now() / 1000);
          if (time <= lastTime) time = lastTime + 1;
          lastTime = time;
          prices.update({ time, value: toNumber(message.price) });
          if (message.moving_average_5min != null) average.update({ time, value: toNumber(message.moving_average_5min) });
        }
        if (message.alert) {
          banner.hidden = false;
          banner.textContent = `${message.ticker}: ${message.alert} (${formatDecimal(message.change_percent, 2)}%)`;
          beep({ frequency: 660, duration: 0.3 });
        }
      },
    });
    disconnect.disabled = false;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const ticker = input.value.trim().toUpperCase();
    if (!/^[A-Z0-9.-]{1,16}$/.test(ticker)) {
      $("#monitor-message").textContent = "Type a ticker such as AAPL.";
      input.focus();
      return;
    }
    connect(ticker);
  });
  disconnect.addEventListener("click", () => {
    socket?.close();
    socket = null;
    disconnect.disabled = true;
    $("#monitor-message").textContent = "Disconnected.";
  });
  if (data.ticker && new URL(window.location.href).searchParams.has("ticker")) connect(data.ticker);
}
