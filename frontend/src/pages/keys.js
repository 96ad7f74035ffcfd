// The API keys page: create a key (a label; a pasted Ed25519 public key makes an Ed25519 key),
// its secret shown this once with copy buttons, the trader's keys, and revoking one.
import { ApiError, api, apiList } from "../lib/api.js";
import { createdNotice, keyRequest, kindLabel, labelProblem } from "../lib/apiKeys.js";
import { fieldErrors } from "../lib/fieldErrors.js";
import { formatUtcDateTime } from "../lib/format.js";
import { $, h, toast } from "../lib/ui.js";

const unanswered = (error) => (error instanceof ApiError ? error.message : "the server did not answer.");

export function keys() {
  const created = createdPanel();
  const list = keyList(created);
  keyForm(async (key) => {
    created.show(key);
    await list.load();
  });
  list.load();
}

function keyForm(onCreated) {
  const form = $("#key-form");
  const submit = $("#key-submit");
  const refusal = $("#key-refusal");
  const label = $("#key-label");
  const publicKey = $("#key-public-key");
  const inputs = { label, public_key: publicKey };

  function show(name, problem) {
    $(`#key-${name.replace("_", "-")}-error`).textContent = problem;
    inputs[name].setAttribute("aria-invalid", problem ? "true" : "false");
  }

  form.addEventListener("input", (event) => {
    refusal.textContent = "";
    if (event.target === label) show("label", "");
    if (event.target === publicKey) show("public_key", "");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    refusal.textContent = "";
    show("public_key", "");
    const problem = labelProblem(label.value);
    show("label", problem);
    if (problem) {
      label.focus();
      return;
    }
    submit.disabled = true;
    try {
      const key = await api("/api/keys/", { method: "POST", body: keyRequest({ label: label.value, publicKey: publicKey.value }) });
      form.reset();
      await onCreated(key);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const { errors, message } = fieldErrors(error.body, ["label", "public_key"], "The server refused the key.");
        for (const [name, text] of Object.entries(errors)) show(name, text);
        refusal.textContent = message;
      } else {
        refusal.textContent = `The key was not created: ${unanswered(error)}`;
      }
    } finally {
      submit.disabled = false;
    }
  });
}

// The key just created: its API key and, for HMAC, its secret, told this once; the secret
// leaves the page when the trader says it is saved (or reloads).
function createdPanel() {
  const panel = $("#key-created");
  const copyStatus = $("#key-copy-status");
  let shownId = null;

  function show(key) {
    shownId = key.id;
    $("#key-created-title").textContent = `New key: ${key.label}`;
    $("#key-created-notice").textContent = createdNotice(key);
    $("#key-created-api-key").textContent = key.api_key;
    $("#key-created-secret").textContent = key.secret_key ?? "";
    $("#key-created-secret-row").hidden = !key.secret_key;
    $("#key-created-done").textContent = key.secret_key ? "I have saved the secret" : "Done";
    copyStatus.textContent = "";
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
    $("#key-created-done").focus();
  }

  function hide() {
    shownId = null;
    panel.hidden = true;
    $("#key-created-secret").textContent = "";
    $("#key-created-api-key").textContent = "";
  }

  for (const button of panel.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      const what = button.dataset.copy.endsWith("secret") ? "Secret key" : "API key";
      copyStatus.textContent = (await copyText(source)) ? `${what} copied.` : `Copying is blocked here: select the ${what.toLowerCase()} and copy it by hand.`;
    });
  }
  $("#key-created-done").addEventListener("click", hide);
  return { show, hide, shownId: () => shownId };
}

// Copy an element's text: the Clipboard API, else a selection and the copy command.
async function copyText(element) {
  const text = element.textContent;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

function keyList(created) {
  const body = () => $("#keys-table").tBodies[0];

  async function load() {
    try {
      const keys = await apiList("/api/keys/");
      const empty = h("tr", { className: "empty-row" }, h("td", { colspan: 5 }, "No API keys yet."));
      body().replaceChildren(...(keys.length ? keys.map(keyRow) : [empty]));
    } catch (error) {
      body().replaceChildren(h("tr", { className: "errors" }, h("td", { colspan: 5 }, `Could not load your keys: ${unanswered(error)}`)));
    }
  }

  function keyRow(key) {
    const revoke = h("button", { type: "button", className: "link danger-link", "aria-label": `Revoke key ${key.label}` }, "Revoke");
    revoke.addEventListener("click", () => revokeKey(key));
    return h(
      "tr",
      { dataset: { id: key.id, kind: key.kind } },
      h("td", {}, key.label),
      h("td", {}, kindLabel(key.kind)),
      h("td", { className: "api-key" }, h("code", {}, key.api_key)),
      h("td", {}, formatUtcDateTime(key.created_at)),
      h("td", { className: "actions" }, revoke),
    );
  }

  async function revokeKey(key) {
    if (!window.confirm(`Revoke the key "${key.label}"? Programs that sign with it are refused at once.`)) return;
    try {
      await api(`/api/keys/${key.id}/`, { method: "DELETE" });
      toast(`Key "${key.label}" revoked.`, "success");
      if (created.shownId() === key.id) created.hide();
    } catch (error) {
      toast(`Revoking failed: ${unanswered(error)}`, "error");
    }
    load();
  }

  return { load };
}
