import { formatDecimal } from "./format.js";

/** What a listings check found, in words: the new symbols with their prices, or how many
 * symbols the snapshot holds. */
export function checkSummary(venue, found, snapshotCount) {
  if (found.length) return `New on ${venue}: ${found.map((item) => `${item.symbol} at ${formatDecimal(item.price)}`).join(", ")}.`;
  return `Nothing new on ${venue}. ${snapshotCount} symbols seen.`;
}
