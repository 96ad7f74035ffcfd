import assert from "node:assert/strict";
import { test } from "node:test";
import { direction, formatCompact, formatDecimal, formatPercent, formatPrice, formatQuantity, formatUtcDateTime, formatUtcTime, percentChange } from "../src/lib/format.js";

test("prices and quantities use the market's precision with grouping", () => {
  assert.equal(formatPrice("60002.4", "0.01"), "60,002.40");
  assert.equal(formatPrice(1234567.891, "0.001"), "1,234,567.891");
  assert.equal(formatQuantity("0.1", "0.00001"), "0.10000");
  assert.equal(formatDecimal(null), "–");
  assert.equal(formatDecimal("-1234.5", 2), "-1,234.50");
});

test("percentages and direction", () => {
  assert.equal(formatPercent("1.234"), "+1.23%");
  assert.equal(formatPercent("-0.5"), "-0.50%");
  assert.equal(formatPercent("0"), "0.00%");
  assert.equal(formatPercent("0.001"), "0.00%");
  assert.equal(direction("-0.1"), "down");
  assert.equal(direction("0"), "flat");
  assert.equal(percentChange("100", "102.5"), "2.50");
  assert.equal(percentChange("59999.73", "60002.04"), "0.00");
  assert.equal(percentChange("0", "1"), null);
});

test("compact volumes", () => {
  assert.equal(formatCompact("1234567.8"), "1.23M");
  assert.equal(formatCompact("999.5"), "999.50");
  assert.equal(formatCompact("1500"), "1.50K");
});

test("UTC times to the second, whatever the browser's zone", () => {
  assert.equal(formatUtcDateTime("2025-01-20T23:59:59.999999Z"), "2025-01-20 23:59:59");
  assert.equal(formatUtcDateTime("2025-01-20T12:00:00+02:00"), "2025-01-20 10:00:00");
  assert.equal(formatUtcDateTime("soon"), "–");
});

test("UTC time of day", () => {
  assert.equal(formatUtcTime("2025-01-20T23:59:58.750000Z"), "23:59:58");
  assert.equal(formatUtcTime("2025-01-21T01:00:00+02:00"), "23:00:00");
  assert.equal(formatUtcTime("soon"), "–");
});
