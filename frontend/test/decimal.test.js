import assert from "node:assert/strict";
import { test } from "node:test";
import { add, compare, decimalText, div, floorToStep, isMultipleOf, mul, parse, stepDecimals, sub, toFixed, toText } from "../src/lib/decimal.js";

test("parses strings and numbers exactly, including exponent notation", () => {
  assert.deepEqual(parse("60002.04"), { units: 6000204n, scale: 2 });
  assert.equal(decimalText(1e-7), "0.0000001");
  assert.equal(decimalText("1.5e3"), "1500");
  assert.equal(parse("abc"), null);
  assert.equal(parse(""), null);
});

test("arithmetic has no float surprises", () => {
  assert.equal(toText(add("0.1", "0.2")), "0.3");
  assert.equal(toText(sub("1", "0.9")), "0.1");
  assert.equal(toText(mul("0.00805", "60002.04")), "483.016422");
  assert.equal(toText(div("1", "3", 4)), "0.3333");
  assert.equal(compare("60002.40", 60002.4), 0);
});

test("ticks and lots", () => {
  assert.ok(isMultipleOf("60002.04", "0.01"));
  assert.ok(!isMultipleOf("60002.045", "0.01"));
  assert.ok(isMultipleOf("0.30", "0.1"));
  assert.equal(toText(floorToStep("1.23456", "0.001")), "1.234");
  assert.equal(stepDecimals("0.0100"), 2);
  assert.equal(stepDecimals("1"), 0);
});

test("toFixed rounds half away from zero on the decimal text", () => {
  assert.equal(toFixed("1.005", 2), "1.01");
  assert.equal(toFixed("-1.005", 2), "-1.01");
  assert.equal(toFixed("2", 3), "2.000");
  assert.equal(toFixed("-0.001", 2), "0.00");
});
