// The portfolio's equity curve: the server's snapshots first, then a live point per refresh. The
// chart needs strictly increasing times in whole seconds.
import { toNumber } from "./decimal.js";

/** Chart points ({time: UTC seconds, value}) of GET /api/portfolio/equity/ snapshots (oldest
 * first); of two snapshots within one second, the later. */
export function historyPoints(snapshots) {
  const points = [];
  for (const snapshot of snapshots) {
    const point = { time: Math.floor(Date.parse(snapshot.taken_at) / 1000), value: toNumber(snapshot.equity) };
    if (points.length && points[points.length - 1].time === point.time) points[points.length - 1] = point;
    else points.push(point);
  }
  return points;
}

/** The time of a live point taken at `nowMs`: after `lastTime` even when this clock is behind
 * the server's. */
export function livePointTime(nowMs, lastTime) {
  return Math.max(Math.floor(nowMs / 1000), lastTime + 1);
}
