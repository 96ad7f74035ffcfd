import { compare, parse } from "./decimal.js";

// Small DOM helpers, toasts, sounds and notifications.
export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

/** Create an element: h("td", {className: "num"}, "1.23"). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/** The SVG element of a description {tag, attributes, children, text} (lib/analysisCharts.js). */
export function svg({ tag, attributes = {}, children = [], text }) {
  const element = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  element.append(...children.map(svg));
  return element;
}

export function pageData() {
  const node = document.getElementById("page-data");
  return node ? JSON.parse(node.textContent) : {};
}

function toastArea() {
  let area = document.getElementById("toasts");
  if (!area) {
    area = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(area);
  }
  return area;
}

/** Show a toast; kind is "success", "error", "info" or "warning". */
export function toast(message, kind = "info", { timeout = 6000 } = {}) {
  const item = h("div", { className: `toast toast-${kind}`, dataset: { kind } }, message);
  const close = h("button", { type: "button", className: "toast-close", "aria-label": "Dismiss" }, "×");
  close.addEventListener("click", () => item.remove());
  item.append(close);
  toastArea().append(item);
  if (timeout) setTimeout(() => item.remove(), timeout);
  return item;
}

let audioContext = null;

export function soundEnabled() {
  return localStorage.getItem("paperex.sound") !== "off";
}

export function setSoundEnabled(enabled) {
  localStorage.setItem("paperex.sound", enabled ? "on" : "off");
}

/** A short beep (Web Audio; no file to load). */
export function beep({ frequency = 880, duration = 0.15, force = false } = {}) {
  if (!force && !soundEnabled()) return;
  try {
    audioContext = audioContext || new (window.AudioContext || window.webkitAudioContext)();
    const oscillator = audioContext.createOscillator();
    const gain = audioContext.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.08;
    oscillator.connect(gain).connect(audioContext.destination);
    oscillator.start();
    oscillator.stop(audioContext.currentTime + duration);
  } catch {
    // audio unavailable (autoplay policy); the visual cue remains
  }
}

export function notify(title, body) {
  if (!("Notification" in window)) return;
  if (Notification.permission === "granted") new Notification(title, { body });
}

export function askNotificationPermission() {
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
}

/** A sortable table: state {key, descending}; returns a comparator for rows. */
export function sortRows(rows, key, descending, numericKeys = new Set()) {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (numericKeys.has(key) && parse(x) && parse(y)) return sign * compare(x, y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** The header cell of a column sorted by `key` ({key, label, numeric}): a button that calls
 * onSort(key), an arrow on the sorted column, and aria-sort. */
export function sortHeader(column, sort, onSort) {
  const active = sort.key === column.key;
  const button = h("button", { type: "button", className: "sort", dataset: { key: column.key } }, column.label, active ? (sort.descending ? " ▼" : " ▲") : "");
  button.addEventListener("click", () => onSort(column.key));
  return h("th", { scope: "col", className: column.numeric ? "num" : "", "aria-sort": active ? (sort.descending ? "descending" : "ascending") : "none" }, button);
}
