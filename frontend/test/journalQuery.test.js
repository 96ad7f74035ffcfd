import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGE_SIZE, filterQuery, nextOrdering, pageQuery, pageRange, sortOf } from "../src/lib/journalQuery.js";

test("only the filters that are set go into the query, with the ordering", () => {
  const query = filterQuery({ ticker: " aapl ", side: "", source: "manual", start_date: "2025-01-20", end_date: "" }, "price");
  assert.equal(query.toString(), "ticker=aapl&source=manual&start_date=2025-01-20&ordering=price");
  assert.equal(filterQuery({}).toString(), "ordering=-timestamp");
});

test("a page's query adds limit and offset", () => {
  assert.equal(pageQuery({ side: "BUY" }, "-price", 50).toString(), `side=BUY&ordering=-price&limit=${PAGE_SIZE}&offset=50`);
});

test("a header click sorts a new column ascending and flips the sorted one", () => {
  assert.equal(nextOrdering("-timestamp", "price"), "price");
  assert.equal(nextOrdering("price", "price"), "-price");
  assert.equal(nextOrdering("-price", "price"), "price");
  assert.deepEqual(sortOf("-timestamp"), { key: "timestamp", descending: true });
  assert.deepEqual(sortOf("ticker"), { key: "ticker", descending: false });
});

test("the range of a page", () => {
  assert.equal(pageRange(0, 25, 40), "1–25 of 40");
  assert.equal(pageRange(25, 15, 40), "26–40 of 40");
  assert.equal(pageRange(0, 0, 0), "0 of 0");
});
