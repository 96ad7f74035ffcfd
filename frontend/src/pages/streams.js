import { api } from "../lib/api.js";
import { LineStyle, areaSeries, candleBar, candleSeries, darkChart, volumeBar, volumeSeries } from "../lib/chart.js";
import { compare, parse, toNumber } from "../lib/decimal.js";
import { formatDecimal } from "../lib/format.js";
import { liveSocket } from "../lib/socket.js";
import { $, beep, h } from "../lib/ui.js";

function fillPicker(select, markets, chosen) {
  for (const market of markets) select.append(h("option", { value: market.symbol, selected: market.symbol === chosen }, market.symbol));
}

/** Candlestick stream: history first (REST), then live klines of the interval (/stream/). */
export function candleStream(data) {
  const params = new URL(window.location.href).searchParams;
  fillPicker($("#stream-symbol"), data.markets, params.get("symbol") || "BTCUSDT");
  if (params.get("interval")) $("#stream-interval").value = params.get("interval");
  if (params.get("history")) $("#stream-history").value = params.get("history");
  const chart = darkChart($("#stream-chart"));
  const candles = candleSeries(chart);
  const volume = volumeSeries(chart);
  const status = $("#stream-status");
  let socket = null;

  async function start() {
    const symbol = $("#stream-symbol").value;
    const interval = $("#stream-interval").value;
    const history = Math.max(0, Math.min(1000, Number($("#stream-history").value) || 0));
    socket?.close();
    candles.setData([]);
    volume.setData([]);
    status.textContent = `Loading ${history} ${interval} candles of ${symbol}…`;
    let lastTime = 0;
    if (history > 0) {
      try {
        const rows = await api(`/api/markets/${symbol}/candles/?interval=${interval}&limit=${history}`);
        candles.setData(rows.map(candleBar));
        volume.setData(rows.map(volumeBar));
        lastTime = rows.length ? Math.floor(rows[rows.length - 1].open_time / 1000) : 0;
        status.textContent = `${rows.length} candles of history; live updates follow.`;
      } catch (error) {
        status.textContent = `Could not load history: ${error.message}`;
      }
    } else status.textContent = "Live updates only.";
    socket = liveSocket("/stream/", {
      onOpen: () => socket.send({ action: "subscribe", pair: symbol, stream: `kline_${interval}` }),
      onMessage(message) {
        if (message.event !== "kline" || message.interval !== interval) return;
        const bar = candleBar(message);
        if (bar.time < lastTime) return;
        lastTime = bar.time;
        candles.update(bar);
        volume.update(volumeBar(message));
      },
    });
  }
  $("#stream-form").addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  start();
}

/** Trade stream: live price area chart with a minimum-price line; green panel and sound above it. */
export function tradeStream(data) {
  const params = new URL(window.location.href).searchParams;
  fillPicker($("#stream-symbol"), data.markets, params.get("symbol") || "BTCUSDT");
  if (params.get("minimum")) $("#stream-minimum").value = params.get("minimum");
  const chart = darkChart($("#stream-chart"), { timeScale: { timeVisible: true, secondsVisible: true } });
  const area = areaSeries(chart);
  let line = null;
  let socket = null;
  let wasAbove = false;

  function start() {
    const symbol = $("#stream-symbol").value;
    const minimumText = $("#stream-minimum").value.trim();
    const minimum = minimumText && parse(minimumText) ? minimumText : null;
    socket?.close();
    area.setData([]);
    if (line) area.removePriceLine(line);
    line = minimum ? area.createPriceLine({ price: toNumber(minimum), color: "#ea3943", lineWidth: 2, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: "minimum" }) : null;
    wasAbove = false;
    let lastTime = 0;
    const panel = $("#trade-price-panel");
    panel.dataset.state = "";
    socket = liveSocket("/stream/", {
      onOpen: () => socket.send({ action: "subscribe", pair: symbol, stream: "trade" }),
      onMessage(message) {
        if (message.event !== "trade") return;
        const price = String(message.price);
        let time = Math.floor(message.trade_time / 1000);
        if (time < lastTime) time = lastTime;
        lastTime = time;
        area.update({ time, value: toNumber(price) });
        $("#trade-price").textContent = formatDecimal(price);
        if (minimum) {
          const above = compare(price, minimum) > 0;
          panel.dataset.state = above ? "above" : "below";
          $("#trade-versus").textContent = above ? `Above the minimum ${formatDecimal(minimum)}` : `Below the minimum ${formatDecimal(minimum)}`;
          if (above && !wasAbove) beep({ frequency: 1040, duration: 0.2 });
          wasAbove = above;
        }
      },
    });
  }
  $("#stream-form").addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  start();
}
