import assert from "node:assert/strict";
import { test } from "node:test";
import { createdNotice, keyRequest, kindLabel, labelProblem } from "../src/lib/apiKeys.js";

test("a key's kind reads as people call it", () => {
  assert.equal(kindLabel("HMAC"), "HMAC-SHA256");
  assert.equal(kindLabel("ED25519"), "Ed25519");
  assert.equal(kindLabel("OTHER"), "OTHER");
});

test("a label is needed and has at most 64 characters", () => {
  assert.equal(labelProblem("  "), "Give the key a label.");
  assert.equal(labelProblem("bot"), "");
  assert.equal(labelProblem("x".repeat(64)), "");
  assert.equal(labelProblem("x".repeat(65)), "At most 64 characters.");
});

test("the request carries the public key only when one is pasted", () => {
  assert.deepEqual(keyRequest({ label: " ccxt ", publicKey: "  \n" }), { label: "ccxt" });
  const pem = "-----BEGIN PUBLIC KEY-----\nMCow...\n-----END PUBLIC KEY-----\n";
  assert.deepEqual(keyRequest({ label: "ed", publicKey: pem }), { label: "ed", public_key: pem });
});

test("a new HMAC key's notice says to copy the secret now; an Ed25519 key has none", () => {
  const hmac = createdNotice({ label: "bot", kind: "HMAC", secret_key: "s3cret" });
  assert.match(hmac, /^Copy the secret key now: it is not shown again\./);
  const ed = createdNotice({ label: "ed", kind: "ED25519", secret_key: null });
  assert.match(ed, /keeps no secret/);
  assert.doesNotMatch(ed, /not shown again/);
});
