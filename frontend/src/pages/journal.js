// The trade journal: the add form, the table of trades (sorted, filtered and paged by the
// server), editing a manual trade in its row, deleting it, and the CSV of the current view.
import { ApiError, api } from "../lib/api.js";
import { formatDecimal, formatUtcDateTime } from "../lib/format.js";
import { DEFAULT_ORDERING, PAGE_SIZE, filterQuery, nextOrdering, pageQuery, pageRange, sortOf } from "../lib/journalQuery.js";
import { fieldError, fieldLabel, tradeInput, watchTradeInputs } from "../lib/tradeFields.js";
import { tradeChanges, tradeFormValues, tradeRequest } from "../lib/tradeForm.js";
import { $, h, sortHeader, toast } from "../lib/ui.js";
import { journalAnalysis } from "./journalAnalysis.js";
import { onUserEvent } from "./user.js";

const FORM_FIELDS = ["ticker", "side", "price", "quantity", "fee", "fee_asset", "timestamp", "notes", "tags"];
const COLUMNS = [
  { key: "timestamp", label: "Time (UTC)" },
  { key: "ticker", label: "Ticker" },
  { key: "side", label: "Side" },
  { key: "price", label: "Price", numeric: true },
  { key: "quantity", label: "Quantity", numeric: true },
  { key: "fee", label: "Fee", numeric: true },
  { key: "source", label: "Source" },
  { key: "notes", label: "Notes / tags" },
];
// The inputs of each column of a row being edited.
const EDIT_CELLS = [["timestamp"], ["ticker"], ["side"], ["price"], ["quantity"], ["fee", "fee_asset"], [], ["notes", "tags"]];
const COLUMN_COUNT = COLUMNS.length + 1;

export function journal(data) {
  const table = $("#journal-table");
  const filters = $("#journal-filters");
  const view = { ordering: DEFAULT_ORDERING, offset: 0 };
  let latestLoad = 0;
  let restoreEditedRow = null; // puts back the row that is turned into inputs, if one is

  async function load() {
    const ticket = ++latestLoad;
    const current = Object.fromEntries(new FormData(filters));
    $("#journal-csv").href = `/api/trades/export.csv?${filterQuery(current, view.ordering)}`;
    header();
    try {
      const page = await api(`/api/trades/?${pageQuery(current, view.ordering, view.offset)}`);
      if (ticket !== latestLoad) return; // a newer view was asked for meanwhile
      if (!page.results.length && view.offset > 0) {
        view.offset = Math.max(0, view.offset - PAGE_SIZE); // the last page's last trade went
        return load();
      }
      restoreEditedRow = null;
      render(page);
    } catch (error) {
      if (ticket !== latestLoad) return;
      message(`Could not load trades: ${error.message}`, "errors");
    }
  }

  function header() {
    const sortBy = (key) => {
      view.ordering = nextOrdering(view.ordering, key);
      view.offset = 0;
      load();
    };
    const row = h("tr", {}, COLUMNS.map((column) => sortHeader(column, sortOf(view.ordering), sortBy)));
    row.append(h("th", { scope: "col" }, h("span", { className: "visually-hidden" }, "Actions")));
    table.tHead.replaceChildren(row);
  }

  function message(text, className) {
    table.tBodies[0].replaceChildren(h("tr", { className }, h("td", { colspan: COLUMN_COUNT }, text)));
  }

  function render(page) {
    const body = h("tbody");
    for (const trade of page.results) body.append(tradeRow(trade));
    table.tBodies[0].replaceWith(body);
    if (!page.results.length) message("No trades. Add one above, or trade on a market page.", "empty-row");
    $("#journal-range").textContent = pageRange(view.offset, page.results.length, page.count);
    $("#journal-previous").disabled = view.offset === 0;
    $("#journal-next").disabled = !page.next;
  }

  function tradeRow(trade) {
    const fee = trade.fee === null ? "–" : `${formatDecimal(trade.fee)} ${trade.fee_asset}`.trim();
    return h(
      "tr",
      { dataset: { id: trade.id, source: trade.source } },
      h("td", {}, formatUtcDateTime(trade.timestamp)),
      h("td", { className: "ticker" }, trade.ticker),
      h("td", { className: trade.side === "BUY" ? "up" : "down" }, trade.side),
      h("td", { className: "num" }, formatDecimal(trade.price)),
      h("td", { className: "num" }, formatDecimal(trade.quantity)),
      h("td", { className: "num" }, fee),
      h("td", {}, h("span", { className: `badge badge-${trade.source}` }, trade.source)),
      h("td", { className: "notes", title: trade.notes }, trade.notes, trade.tags.map((tag) => h("span", { className: "tag" }, tag))),
      h("td", { className: "actions" }, trade.read_only ? readOnlyMark() : rowActions(trade)),
    );
  }

  function readOnlyMark() {
    return h("span", { className: "lock", role: "img", "aria-label": "Read-only: filled by the exchange", title: "Filled by the exchange: read-only" }, "🔒");
  }

  function rowActions(trade) {
    const edit = h("button", { type: "button", className: "link", "aria-label": `Edit trade ${trade.id}` }, "Edit");
    const remove = h("button", { type: "button", className: "link danger-link", "aria-label": `Delete trade ${trade.id}` }, "Delete");
    edit.addEventListener("click", (event) => startEditing(trade, event.target.closest("tr")));
    remove.addEventListener("click", () => deleteTrade(trade));
    return [edit, " ", remove];
  }

  function startEditing(trade, row) {
    restoreEditedRow?.(); // one row at a time
    const initial = tradeFormValues(trade);
    const inputs = {};
    const errorNodes = {};
    const cells = EDIT_CELLS.map((names, index) => {
      if (!names.length) return row.cells[index].cloneNode(true);
      return h(
        "td",
        { className: COLUMNS[index].numeric ? "num" : "" },
        names.map((name) => {
          const errorId = `edit-${trade.id}-${name}-error`;
          inputs[name] = tradeInput(name, initial[name], { "aria-label": fieldLabel(name), "aria-describedby": errorId });
          errorNodes[name] = fieldError(errorId);
          return h("div", { className: "cell-field" }, inputs[name], errorNodes[name]);
        }),
      );
    });
    const save = h("button", { type: "button" }, "Save");
    const cancel = h("button", { type: "button", className: "secondary" }, "Cancel");
    const editor = h("tr", { className: "editing", dataset: { id: trade.id, source: trade.source } }, cells, h("td", { className: "actions" }, save, " ", cancel));
    const fields = watchTradeInputs(inputs, errorNodes, save, { touched: true });
    const submit = () => {
      if (fields.valid()) saveTrade(trade, tradeChanges(initial, fields.values()), fields);
    };
    const restore = () => {
      editor.replaceWith(row);
      restoreEditedRow = null;
      row.querySelector("button")?.focus();
    };
    restoreEditedRow = restore;
    save.addEventListener("click", submit);
    cancel.addEventListener("click", restore);
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape") restore();
    });
    row.replaceWith(editor);
    inputs.ticker.focus();
  }

  async function saveTrade(trade, changes, fields) {
    if (!Object.keys(changes).length) return restoreEditedRow?.();
    try {
      await api(`/api/trades/${trade.id}/`, { method: "PATCH", body: changes });
      toast(`Trade ${trade.id} saved.`, "success");
      load();
    } catch (error) {
      refused("Save", error, fields);
    }
  }

  async function deleteTrade(trade) {
    if (!window.confirm(`Delete trade ${trade.id}: ${trade.side} ${trade.quantity} ${trade.ticker} at ${trade.price}?`)) return;
    try {
      await api(`/api/trades/${trade.id}/`, { method: "DELETE" });
      toast(`Trade ${trade.id} deleted.`, "success");
      load();
    } catch (error) {
      refused("Delete", error);
    }
  }

  // A 400 goes under the fields it names; anything else (a read-only trade's 403) is a toast.
  function refused(action, error, fields = null) {
    if (error instanceof ApiError && error.status === 400 && fields?.showServerErrors(error.body)) return;
    toast(`${action} failed: ${error instanceof ApiError ? error.message : "the server did not answer."}`, "error");
    if (error instanceof ApiError && error.code === "read_only") load();
  }

  setupAddForm(load, refused);
  let filterTimer = null;
  const applyFilters = (delay) => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      view.offset = 0;
      load();
    }, delay);
  };
  filters.addEventListener("input", () => applyFilters(250)); // once the trader stops typing
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(0);
  });
  $("#journal-previous").addEventListener("click", () => {
    view.offset = Math.max(0, view.offset - PAGE_SIZE);
    load();
  });
  $("#journal-next").addEventListener("click", () => {
    view.offset += PAGE_SIZE;
    load();
  });
  onUserEvent((event) => {
    if (event.event === "fill" && !restoreEditedRow) load(); // the fill is in the journal now
  });
  load();
  journalAnalysis(data);
}

function setupAddForm(reload, refused) {
  const form = $("#trade-form");
  const submit = $("#trade-submit");
  const inputs = {};
  const errorNodes = {};
  for (const name of FORM_FIELDS) {
    const id = `trade-${name}`;
    inputs[name] = tradeInput(name, "", { id, "aria-describedby": `${id}-error` });
    errorNodes[name] = fieldError(`${id}-error`);
    $("#trade-fields").append(h("div", { className: "field" }, h("label", { for: id }, fieldLabel(name)), inputs[name], errorNodes[name]));
  }
  const fields = watchTradeInputs(inputs, errorNodes, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!fields.valid()) return;
    submit.disabled = true;
    try {
      const trade = await api("/api/trades/", { method: "POST", body: tradeRequest(fields.values()) });
      toast(`Trade added: ${trade.side} ${formatDecimal(trade.quantity)} ${trade.ticker} at ${formatDecimal(trade.price)}.`, "success");
      form.reset();
      fields.reset();
      inputs.ticker.focus();
      reload();
    } catch (error) {
      refused("Adding the trade", error, fields);
    } finally {
      fields.valid(); // the button as the values allow again
    }
  });
}
