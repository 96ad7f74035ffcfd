// A banner while the exchange is degraded: the readiness probe (/api/health/) names what is
// down, and the banner says what that means for a trader.

const WHAT = {
  database: "the database",
  channel_layer: "live updates",
  engine: "the matching engine",
  feed: "market data",
};

/** The banner's text for a probe's answer (null when all is well). */
export function degradedMessage(status, body) {
  if (status === 200) return null;
  if (status === null) return "Paperex cannot be reached. Retrying…";
  const down = (body && Array.isArray(body.down) ? body.down : []).map((name) => WHAT[name] || name);
  const what = down.length > 1 ? `${down.slice(0, -1).join(", ")} and ${down.at(-1)}` : down[0] || "a service";
  return `The exchange is degraded: ${what} ${down.length > 1 ? "are" : "is"} unavailable. Orders may be refused; retrying one with the same client order id never places it twice.`;
}

/** Poll the probe and keep the banner in step: every `every` ms, every `degradedEvery` ms
 * while degraded so that it goes away soon after the exchange recovers. */
export function watchHealth({ every = 15000, degradedEvery = 5000, url = "/api/health/" } = {}) {
  const banner = document.createElement("div");
  banner.className = "degraded-banner";
  banner.setAttribute("role", "alert");
  banner.hidden = true;
  document.body.prepend(banner);

  async function probe() {
    let message;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      message = degradedMessage(response.status, await response.json().catch(() => null));
    } catch {
      message = degradedMessage(null, null);
    }
    banner.hidden = message === null;
    banner.textContent = message || "";
    setTimeout(probe, message === null ? every : degradedEvery);
  }
  probe();
}
