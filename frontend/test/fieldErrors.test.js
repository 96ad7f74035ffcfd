import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldErrors } from "../src/lib/fieldErrors.js";

test("a field the form has shows under it; the message is left for the others", () => {
  const body = { code: "invalid", message: "allocation must be at least 10 USDT", errors: { allocation: ["allocation must be at least 10 USDT"] } };
  assert.deepEqual(fieldErrors(body, ["allocation"]), { errors: { allocation: "allocation must be at least 10 USDT" }, message: "" });
});

test("a field the form lacks is named in the message", () => {
  const body = { message: "x", errors: { start: ["bad day", "and more"], label: ["empty"] } };
  assert.deepEqual(fieldErrors(body, ["label"]), { errors: { label: "empty" }, message: "start: bad day and more" });
  assert.equal(fieldErrors({ errors: { non_field_errors: ["no"] } }, []).message, "no");
});

test("nested problems are flattened; a body without fields gives its message or the fallback", () => {
  assert.deepEqual(fieldErrors({ errors: { parameters: { fast: ["too big"] } } }, ["parameters"]).errors, { parameters: "too big" });
  assert.deepEqual(fieldErrors({ code: "too_many_api_keys", message: "You have 30 API keys." }, ["label"]), { errors: {}, message: "You have 30 API keys." });
  assert.deepEqual(fieldErrors(null, ["label"], "Refused."), { errors: {}, message: "Refused." });
});
