import assert from "node:assert/strict";
import { test } from "node:test";
import { historyPoints, livePointTime } from "../src/lib/equity.js";

test("snapshots become chart points in UTC seconds, one per second", () => {
  const points = historyPoints([
    { taken_at: "2025-01-31T12:00:00.250Z", equity: "200000" },
    { taken_at: "2025-01-31T12:01:00.100Z", equity: "199950.5" },
    { taken_at: "2025-01-31T12:01:00.900Z", equity: "200000" }, // a reset within the same second
  ]);
  assert.deepEqual(points, [
    { time: 1738324800, value: 200000 },
    { time: 1738324860, value: 200000 },
  ]);
  assert.deepEqual(historyPoints([]), []);
});

test("live points follow the history even when the browser's clock is behind", () => {
  assert.equal(livePointTime(1738324900_500, 1738324860), 1738324900);
  assert.equal(livePointTime(1738324800_000, 1738324860), 1738324861);
  assert.equal(livePointTime(1738324900_000, 1738324900), 1738324901);
});
