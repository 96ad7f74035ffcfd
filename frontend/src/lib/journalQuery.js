// The trade journal's view state as /api/trades/ query strings: filters, server-side ordering
// ("price", "-timestamp") and limit/offset pages.
export const PAGE_SIZE = 25;
export const DEFAULT_ORDERING = "-timestamp";
const FILTERS = ["ticker", "side", "source", "start_date", "end_date"];

/** The query of the filters that are set, and the ordering (the CSV export's query). */
export function filterQuery(filters, ordering = DEFAULT_ORDERING) {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = String(filters[name] ?? "").trim();
    if (value) query.set(name, value);
  }
  query.set("ordering", ordering);
  return query;
}

/** The query of one page of the list. */
export function pageQuery(filters, ordering, offset) {
  const query = filterQuery(filters, ordering);
  query.set("limit", String(PAGE_SIZE));
  query.set("offset", String(offset));
  return query;
}

/** {key, descending} of an ordering. */
export function sortOf(ordering) {
  return { key: ordering.replace(/^-/, ""), descending: ordering.startsWith("-") };
}

/** The ordering after a click on `key`'s header: the other direction for the sorted column,
 * ascending for another. */
export function nextOrdering(ordering, key) {
  const sort = sortOf(ordering);
  return sort.key === key && !sort.descending ? `-${key}` : key;
}

/** "1–25 of 40" for a page of `shown` rows at `offset`. */
export function pageRange(offset, shown, count) {
  return shown ? `${offset + 1}–${offset + shown} of ${count}` : `0 of ${count}`;
}
