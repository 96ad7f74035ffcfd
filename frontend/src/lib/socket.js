// A WebSocket that reconnects with exponential backoff and jitter and reports its state.
export function backoffDelay(attempt, { base = 500, max = 15000, random = Math.random } = {}) {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export class LiveSocket {
  /**
   * @param {string} path e.g. "/ws/markets/"
   * @param {object} handlers {onMessage(data), onOpen(), onState(state)}; state is
   *   "connecting" | "open" | "reconnecting" | "closed"
   */
  constructor(path, handlers = {}) {
    this.path = path;
    this.handlers = handlers;
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
    this.state = "connecting";
    this.openedOnce = false;
    this._connect();
  }

  _setState(state) {
    this.state = state;
    this.handlers.onState?.(state, this);
    StatusRegistry.update();
  }

  _connect() {
    this._setState(this.attempt === 0 && !this.openedOnce ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.path));
    } catch (error) {
      this._schedule();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.openedOnce = true;
      this._setState("open");
      this.handlers.onOpen?.(this);
    });
    ws.addEventListener("message", (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      this.handlers.onMessage?.(data, this);
    });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onClose?.(this);
      if (this.stopped) this._setState("closed");
      else this._schedule();
    });
  }

  _schedule() {
    this._setState("reconnecting");
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => this._connect(), delay);
  }

  send(data) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(data));
      return true;
    }
    return false;
  }

  /** Drop the connection now and reconnect (used after a sequence gap). */
  reconnect() {
    if (this.ws) this.ws.close();
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    else this._setState("closed");
    StatusRegistry.remove(this);
  }
}

// One connection indicator in the header for all the page's sockets.
export const StatusRegistry = {
  sockets: new Set(),
  add(socket) {
    this.sockets.add(socket);
    this.update();
  },
  remove(socket) {
    this.sockets.delete(socket);
    this.update();
  },
  update() {
    if (typeof document === "undefined") return;
    const badge = document.getElementById("connection-status");
    if (!badge) return;
    const states = [...this.sockets].map((socket) => socket.state);
    let state = "idle";
    if (states.includes("reconnecting")) state = "reconnecting";
    else if (states.includes("connecting")) state = "connecting";
    else if (states.length && states.every((s) => s === "open")) state = "live";
    else if (states.length) state = "closed";
    badge.dataset.state = state;
    badge.textContent =
      { live: "● Live", connecting: "Connecting…", reconnecting: "Reconnecting…", closed: "Disconnected", idle: "" }[state];
    badge.hidden = state === "idle";
  },
};

if (typeof window !== "undefined") window.paperex = { sockets: StatusRegistry.sockets };

export function liveSocket(path, handlers) {
  const socket = new LiveSocket(path, handlers);
  StatusRegistry.add(socket);
  return socket;
}
