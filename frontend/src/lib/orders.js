// Copies of one order arrive from REST responses, polls and the user stream, in any order: a slow
// response must not undo a newer state (a cancelled order coming back as open).
import { compare } from "./decimal.js";

const FINAL_STATUSES = new Set(["FILLED", "CANCELED", "EXPIRED", "REJECTED"]);

/** Whether `incoming` is an older copy of the order than `known`. */
export function isStaleCopy(incoming, known) {
  const age = Date.parse(incoming.updated_at) - Date.parse(known.updated_at);
  if (age) return age < 0;
  // The same engine millisecond: an order only moves towards filled and final.
  if (FINAL_STATUSES.has(known.status) && !FINAL_STATUSES.has(incoming.status)) return true;
  return compare(incoming.executed_quantity, known.executed_quantity) < 0;
}
