import assert from "node:assert/strict";
import { test } from "node:test";
import { barChart, barValue, rangeChart, vwapPosition } from "../src/lib/analysisCharts.js";

const AAPL = { ticker: "AAPL", volume: "27", notional: "2990", vwap: "110.740740740741", high: "120", low: "100" };
const MSFT = { ticker: "MSFT", volume: "2", notional: "801", vwap: "400.5", high: "400.5", low: "400.5" };

const find = (node, predicate) => [
  ...(predicate(node) ? [node] : []),
  ...node.children.flatMap((child) => find(child, predicate)),
];
const byClass = (node, name) => find(node, (child) => child.attributes.class === name);

test("one bar per ticker, the largest spanning the room, the others in proportion", () => {
  const chart = barChart([AAPL, MSFT], { field: "notional", name: "Notional" });
  assert.equal(chart.tag, "svg");
  assert.equal(chart.attributes.role, "img");
  assert.equal(chart.attributes["aria-label"], "Notional per ticker: AAPL 2,990, MSFT 801");
  const bars = byClass(chart, "bar");
  assert.equal(bars.length, 2);
  assert.equal(bars[0].attributes.width, 196);
  assert.equal(bars[1].attributes.width, 52.51); // 801 / 2990 of 196
  assert.deepEqual(byClass(chart, "chart-value").map((node) => node.text), ["2.99K", "801"]);
  assert.deepEqual(byClass(chart, "bar-row").map((row) => row.attributes["data-ticker"]), ["AAPL", "MSFT"]);
  assert.ok(bars[1].attributes.y > bars[0].attributes.y);
});

test("a tiny value still shows a sliver; a zero none; no tickers, an empty chart", () => {
  const bars = byClass(barChart([{ ticker: "A", volume: "1000000" }, { ticker: "B", volume: "0.0001" }, { ticker: "C", volume: "0" }], { field: "volume", name: "Volume" }), "bar");
  assert.deepEqual(bars.map((bar) => bar.attributes.width), [196, 1, 0]);
  const empty = barChart([], { field: "volume", name: "Volume" });
  assert.equal(empty.attributes["aria-label"], "Volume per ticker: none");
  assert.equal(byClass(empty, "bar").length, 0);
});

test("bar values: exact below a thousand, compact above", () => {
  assert.equal(barValue("999.25"), "999.25");
  assert.equal(barValue("1234567.8"), "1.23M");
  assert.equal(barValue("0.00012"), "0.00012");
});

test("the VWAP's place in the day's range, from 0 at the low to 1 at the high", () => {
  assert.ok(Math.abs(vwapPosition(AAPL) - 0.537037) < 1e-6);
  assert.equal(vwapPosition(MSFT), 0.5); // one price all day
  assert.equal(vwapPosition({ vwap: "100", low: "100", high: "120" }), 0);
  assert.equal(vwapPosition({ vwap: "120", low: "100", high: "120" }), 1);
});

test("per ticker a range track with the VWAP marker inside it and the three prices printed", () => {
  const chart = rangeChart([AAPL, MSFT]);
  assert.equal(chart.attributes.role, "img");
  assert.equal(
    chart.attributes["aria-label"],
    "VWAP within the day's range per ticker: AAPL low 100, VWAP 110.74, high 120; MSFT low 400.5, VWAP 400.5, high 400.5",
  );
  const [track] = byClass(chart, "range-track");
  const [marker, msftMarker] = byClass(chart, "vwap-marker");
  const { x1, x2 } = track.attributes;
  assert.ok(marker.attributes.cx > x1 && marker.attributes.cx < x2);
  assert.ok(Math.abs(marker.attributes.cx - (x1 + 0.537037 * (x2 - x1))) < 0.01);
  assert.equal(msftMarker.attributes.cx, (x1 + x2) / 2);
  assert.deepEqual(
    byClass(chart, "chart-value").slice(0, 3).map((node) => node.text),
    ["VWAP 110.74", "100", "120"],
  );
  assert.ok(msftMarker.attributes.cy > marker.attributes.cy);
});
