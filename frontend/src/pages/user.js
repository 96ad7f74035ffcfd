// The private user stream (/ws/user/): order updates, fills, balances and alerts for every page.
// Until the server offers it (or while it is down) the pages poll the REST API instead.
import { LiveSocket } from "../lib/socket.js";
import { api } from "../lib/api.js";
import { askNotificationPermission, beep, notify, toast } from "../lib/ui.js";

const listeners = new Set();
let socket = null;
let socketWorks = false;
const seenAlerts = new Set();

/** Subscribe to user events: {event: "order_update"|"fill"|"balances"|"alert", ...}. */
export function onUserEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function userStreamLive() {
  return socketWorks && socket && socket.state === "open";
}

function emit(message) {
  for (const listener of listeners) listener(message);
}

export function showAlert(alert) {
  const key = alert.trigger_id ?? alert.id;
  if (seenAlerts.has(key)) return;
  seenAlerts.add(key);
  const text = alert.message || `${alert.symbol} alert`;
  toast(`Alert: ${text}`, "warning", { timeout: 15000 });
  beep({ frequency: 660, duration: 0.3 });
  notify("Paperex price alert", text);
  emit({ event: "alert", alert });
}

export function startUserStream() {
  askNotificationPermission();
  socket = new LiveSocket("/ws/user/", {
    onOpen() {
      socketWorks = true;
    },
    onMessage(message) {
      if (message.event === "alert") showAlert(message.alert);
      else if (message.event) emit(message);
    },
  });
  pollAlerts();
}

export function userSocket() {
  return socket;
}

// Triggered alerts not yet seen by this browser (covers pages opened after a trigger and the
// time before /ws/user/ exists).
async function pollAlerts() {
  const seenKey = "paperex.alerts.seen";
  let since = Number(localStorage.getItem(seenKey) || 0);
  const firstLoad = since === 0;
  const check = async () => {
    try {
      const history = await api(`/api/alerts/history/?limit=20`);
      const items = (history.results || history).filter((item) => Date.parse(item.triggered_at) > since);
      items.sort((a, b) => Date.parse(a.triggered_at) - Date.parse(b.triggered_at));
      for (const item of items) {
        if (!firstLoad || Date.now() - Date.parse(item.triggered_at) < 24 * 3600 * 1000) showAlert(item);
        since = Math.max(since, Date.parse(item.triggered_at));
      }
      if (since) localStorage.setItem(seenKey, String(since));
    } catch {
      // the alerts API may be unavailable; try again later
    }
  };
  await check();
  setInterval(() => {
    if (!userStreamLive()) check();
  }, 2000);
}

