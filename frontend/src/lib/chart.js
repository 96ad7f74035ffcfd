// lightweight-charts setup shared by the pages (dark theme, UTC seconds on the time axis).
import {
  AreaSeries,
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createChart,
} from "lightweight-charts";
import { toNumber } from "./decimal.js";

export const COLORS = { up: "#16c784", down: "#ea3943", accent: "#f0b90b", grid: "#1e242d", text: "#8a93a3" };

export function darkChart(element, options = {}) {
  const chart = createChart(element, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: COLORS.text },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: "#2b3340" },
    rightPriceScale: { borderColor: "#2b3340" },
    crosshair: { mode: 0 },
    ...options,
  });
  return chart;
}

export function candleSeries(chart) {
  return chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderVisible: false,
    wickUpColor: COLORS.up,
    wickDownColor: COLORS.down,
  });
}

export function volumeSeries(chart) {
  const series = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "volume" });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  return series;
}

export function lineSeries(chart, color = COLORS.accent, options = {}) {
  return chart.addSeries(LineSeries, { color, lineWidth: 2, priceLineVisible: false, ...options });
}

export function areaSeries(chart) {
  return chart.addSeries(AreaSeries, {
    lineColor: COLORS.accent,
    topColor: "rgba(240,185,11,0.35)",
    bottomColor: "rgba(240,185,11,0.02)",
    lineWidth: 2,
  });
}

export { LineStyle };

/** A candle {open_time (ms), open, high, low, close, volume} as chart bars. */
export function candleBar(candle) {
  return {
    time: Math.floor(candle.open_time / 1000),
    open: toNumber(candle.open),
    high: toNumber(candle.high),
    low: toNumber(candle.low),
    close: toNumber(candle.close),
  };
}

export function volumeBar(candle) {
  const up = toNumber(candle.close) >= toNumber(candle.open);
  return {
    time: Math.floor(candle.open_time / 1000),
    value: toNumber(candle.volume),
    color: up ? "rgba(22,199,132,0.45)" : "rgba(234,57,67,0.45)",
  };
}

/** Simple moving average points of `length` closes over sorted bars. */
export function movingAverage(bars, length) {
  const points = [];
  let sum = 0;
  for (let index = 0; index < bars.length; index++) {
    sum += bars[index].close;
    if (index >= length) sum -= bars[index - length].close;
    if (index >= length - 1) points.push({ time: bars[index].time, value: sum / length });
  }
  return points;
}
