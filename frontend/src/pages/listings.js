import { ApiError, api } from "../lib/api.js";
import { formatDateTime, formatDecimal } from "../lib/format.js";
import { checkSummary } from "../lib/listings.js";
import { $, h } from "../lib/ui.js";
import { onUserEvent } from "./user.js";

export function listings(data) {
  const venueSelect = $("#listings-venue");
  const result = $("#listings-result");
  const errorNode = $("#listings-error");
  for (const venue of data.venues) venueSelect.append(h("option", { value: venue }, venue));

  async function refresh() {
    try {
      renderHistory((await api("/api/listings/new/?limit=50")).results);
    } catch (error) {
      $("#listings-history tbody").replaceChildren(h("tr", {}, h("td", { colspan: 4, className: "errors" }, `Could not load the history: ${error.message}`)));
    }
  }
  function renderHistory(items) {
    const body = h("tbody");
    for (const item of items) {
      body.append(h("tr", { dataset: { id: item.id } }, h("td", {}, formatDateTime(item.first_seen_at)), h("td", {}, item.venue), h("td", {}, item.symbol), h("td", { className: "num" }, formatDecimal(item.price))));
    }
    if (!items.length) body.append(h("tr", { className: "empty-row" }, h("td", { colspan: 4 }, "No new listing found yet.")));
    $("#listings-history tbody").replaceWith(body);
  }

  $("#listings-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    errorNode.textContent = "";
    result.textContent = "Checking…";
    const venue = venueSelect.value;
    try {
      const checked = await api("/api/listings/check/", { method: "POST", body: { venue } });
      const snapshot = await api(`/api/listings/?venue=${encodeURIComponent(venue)}&limit=1`);
      result.textContent = checkSummary(venue, checked.new, snapshot.count);
      refresh();
    } catch (error) {
      result.textContent = "";
      errorNode.textContent = error instanceof ApiError ? error.message : "The server did not answer.";
    }
  });
  onUserEvent((message) => {
    if (message.event === "alert") refresh();
  });
  refresh();
}
