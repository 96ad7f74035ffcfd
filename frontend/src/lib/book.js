// A local order book kept from a snapshot and depth deltas, with sequence-gap detection.
// Deltas carry first_update_id..final_update_id; each must start right after the last one applied.
import { compare, decimalText, parse, toText } from "./decimal.js";

/** Canonical text of a price, so "60002.40" (REST) and 60002.4 (WebSocket) are one level. */
function key(price) {
  const parsed = parse(price);
  return parsed === null ? null : toText(parsed);
}

export class LocalBook {
  constructor() {
    this.bids = new Map(); // price text -> quantity text
    this.asks = new Map();
    this.lastUpdateId = null;
    this.synced = false;
  }

  /** Replace the book with a snapshot {last_update_id, bids, asks}. */
  loadSnapshot(snapshot) {
    this.bids.clear();
    this.asks.clear();
    for (const [price, quantity] of snapshot.bids || []) this._set(this.bids, price, quantity);
    for (const [price, quantity] of snapshot.asks || []) this._set(this.asks, price, quantity);
    this.lastUpdateId = snapshot.last_update_id ?? null;
    this.synced = true;
  }

  _set(side, price, quantity) {
    const p = key(price);
    const q = decimalText(quantity);
    if (p === null || q === null) return;
    if (parse(q).units === 0n) side.delete(p);
    else side.set(p, q);
  }

  /**
   * Apply a delta {first_update_id, final_update_id, bids, asks}.
   * @returns {"applied"|"stale"|"gap"} "gap" means the book is out of sync and needs a snapshot.
   */
  applyDelta(delta) {
    if (!this.synced) return "gap";
    const first = delta.first_update_id;
    const final = delta.final_update_id;
    if (this.lastUpdateId !== null && final <= this.lastUpdateId) return "stale";
    if (this.lastUpdateId !== null && first > this.lastUpdateId + 1) {
      this.synced = false;
      return "gap";
    }
    for (const [price, quantity] of delta.bids || []) this._set(this.bids, price, quantity);
    for (const [price, quantity] of delta.asks || []) this._set(this.asks, price, quantity);
    this.lastUpdateId = final;
    return "applied";
  }

  /** Best `depth` levels per side as [price, quantity, cumulative quantity] text, best first. */
  levels(depth = 15) {
    const sortSide = (side, descending) =>
      [...side.entries()].sort((a, b) => (descending ? -1 : 1) * compare(a[0], b[0])).slice(0, depth);
    const cumulate = (rows) => {
      let running = parse("0");
      return rows.map(([price, quantity]) => {
        const q = parse(quantity);
        const scale = Math.max(running.scale, q.scale);
        running = {
          units: running.units * 10n ** BigInt(scale - running.scale) + q.units * 10n ** BigInt(scale - q.scale),
          scale,
        };
        return [price, quantity, running];
      });
    };
    return { bids: cumulate(sortSide(this.bids, true)), asks: cumulate(sortSide(this.asks, false)) };
  }

  bestBid() {
    return this.levels(1).bids[0]?.[0] ?? null;
  }

  bestAsk() {
    return this.levels(1).asks[0]?.[0] ?? null;
  }
}
