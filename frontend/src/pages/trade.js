import { ApiError, api, apiList } from "../lib/api.js";
import { candleBar, candleSeries, darkChart, lineSeries, movingAverage, volumeBar, volumeSeries } from "../lib/chart.js";
import { compare, parse, sub, toText } from "../lib/decimal.js";
import { direction, formatCompact, formatDateTime, formatDecimal, formatPercent, formatPrice, formatQuantity, formatTime, percentChange } from "../lib/format.js";
import { LocalBook } from "../lib/book.js";
import { ORDER_TYPES, orderRequest, validateOrder } from "../lib/orderForm.js";
import { isStaleCopy } from "../lib/orders.js";
import { liveSocket } from "../lib/socket.js";
import { $, $$, beep, h, setSoundEnabled, soundEnabled, sortHeader, sortRows, toast } from "../lib/ui.js";
import { onUserEvent, userStreamLive } from "./user.js";

const MA_LENGTH = 20;
const OPEN_STATUSES = new Set(["NEW", "PARTIALLY_FILLED"]);

export function trade(data) {
  const market = data.market;
  const symbol = market.symbol;
  const state = { lastPrice: null, balances: new Map(), orders: new Map(), fills: [] };

  setupPicker(data.markets, symbol);
  $$("[data-unit=quote]").forEach((node) => (node.textContent = market.quote));
  $$("[data-unit=base]").forEach((node) => (node.textContent = market.base));

  const chart = setupChart(market);
  const book = setupBook(market);
  const tape = setupTape(market);
  const orders = setupOrders(market, state);
  const form = setupForm(market, state, orders);

  // Market view: book, trades (and the 1m open candle) on one socket.
  const view = liveSocket(`/ws/markets/${symbol}/`, {
    onMessage(message) {
      if (message.event === "snapshot") {
        book.snapshot(message.book);
        tape.load(message.trades || []);
        if (message.trades?.length) setLast(message.trades[message.trades.length - 1].price);
      } else if (message.event === "depth") {
        if (book.delta(message) === "gap") view.reconnect();
      } else if (message.event === "trade") {
        tape.add(message);
        setLast(message.price);
      }
    },
  });
  // Candles of the chosen interval and the 24h ticker on the subscribe stream.
  const stream = liveSocket("/stream/", {
    onOpen() {
      stream.send({ action: "subscribe", pair: symbol, stream: "ticker" });
      stream.send({ action: "subscribe", pair: symbol, stream: `kline_${chart.interval}` });
    },
    onMessage(message) {
      if (message.event === "kline" && message.interval === chart.interval) chart.update(message);
      else if (message.event === "ticker") showTicker(message);
    },
  });
  chart.onIntervalChange = (previous, next) => {
    stream.send({ action: "unsubscribe", pair: symbol, stream: `kline_${previous}` });
    stream.send({ action: "subscribe", pair: symbol, stream: `kline_${next}` });
  };
  api(`/api/markets/${symbol}/ticker/`).then(showTicker).catch(() => {});

  function setLast(price) {
    const text = toText(parse(price));
    const previous = state.lastPrice;
    state.lastPrice = text;
    const node = $("#last-price");
    node.textContent = formatPrice(text, market.tick_size);
    if (previous) node.dataset.direction = compare(text, previous) >= 0 ? "up" : "down";
    document.title = `${formatPrice(text, market.tick_size)} ${symbol} · Paperex`;
    form.refresh();
  }

  function showTicker(ticker) {
    const change = ticker.price_change_percent ?? percentChange(ticker.open, ticker.last_price ?? ticker.close);
    const node = $("#day-change");
    node.textContent = formatPercent(change);
    node.dataset.direction = direction(change);
    $("#day-high").textContent = formatPrice(ticker.high, market.tick_size);
    $("#day-low").textContent = formatPrice(ticker.low, market.tick_size);
    $("#day-volume").textContent = `${formatCompact(ticker.volume)} ${market.base}`;
    if (!state.lastPrice && (ticker.last_price ?? ticker.close)) setLast(ticker.last_price ?? ticker.close);
  }

  // Account: balances and orders from REST; then live from /ws/user/ or by polling.
  async function refreshAccount() {
    try {
      const [balances, openOrders, history, fills] = await Promise.all([
        api("/api/balances/"),
        apiList(`/api/orders/?symbol=${symbol}&status=NEW`, 2),
        api(`/api/orders/?symbol=${symbol}&limit=100`),
        api(`/api/fills/?symbol=${symbol}&limit=100`),
      ]);
      const partial = await apiList(`/api/orders/?symbol=${symbol}&status=PARTIALLY_FILLED`, 2);
      setBalances(balances.results || balances);
      for (const order of [...openOrders, ...partial, ...(history.results || history)]) orders.upsert(order);
      state.fills = fills.results || fills;
      orders.render();
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) toast("Log in again to trade.", "error");
    }
  }
  function setBalances(list) {
    for (const balance of list) state.balances.set(balance.asset, balance);
    const quote = state.balances.get(market.quote);
    const base = state.balances.get(market.base);
    $("#available-quote").textContent = `${formatDecimal(quote?.free ?? "0")} ${market.quote}`;
    $("#available-base").textContent = `${formatQuantity(base?.free ?? "0", market.step_size)} ${market.base}`;
    form.refresh();
  }
  state.refreshAccount = refreshAccount;
  refreshAccount();
  setInterval(() => {
    if (!userStreamLive()) refreshAccount();
  }, 1500);
  onUserEvent((message) => {
    if (message.event === "order_update" && message.order.symbol === symbol) {
      orders.upsert(message.order);
      orders.render();
    } else if (message.event === "fill" && message.fill.symbol === symbol) {
      state.fills.unshift(message.fill);
      orders.render();
    } else if (message.event === "balances") {
      setBalances(message.balances);
    }
  });
}

function setupPicker(markets, symbol) {
  const picker = $("#symbol-picker");
  for (const market of markets) picker.append(h("option", { value: market.symbol, selected: market.symbol === symbol }, market.symbol));
  picker.addEventListener("change", () => (window.location.href = `/web/trade/${picker.value}/`));
}

function setupChart(market) {
  const element = $("#chart");
  const chart = darkChart(element);
  const candles = candleSeries(chart);
  candles.applyOptions({ priceFormat: { type: "price", precision: decimals(market.tick_size), minMove: Number(market.tick_size) } });
  const volume = volumeSeries(chart);
  const average = lineSeries(chart, "#f0b90b", { lineWidth: 1 });
  const status = $("#chart-status");
  $("#ma-length").textContent = MA_LENGTH;
  let bars = [];
  let loadToken = 0;
  const controller = {
    interval: "1m",
    onIntervalChange: null,
    update(kline) {
      const bar = candleBar(kline);
      const last = bars[bars.length - 1];
      if (last && bar.time < last.time) return;
      if (last && last.time === bar.time) bars[bars.length - 1] = bar;
      else bars.push(bar);
      candles.update(bar);
      volume.update(volumeBar(kline));
      drawAverage(true);
      status.textContent = "";
    },
  };
  function drawAverage(incremental) {
    if (!$("#show-ma").checked) {
      average.setData([]);
      return;
    }
    const points = movingAverage(bars.slice(incremental ? -MA_LENGTH : 0), MA_LENGTH);
    if (incremental && points.length) average.update(points[points.length - 1]);
    else average.setData(movingAverage(bars, MA_LENGTH));
  }
  async function load(interval) {
    const token = ++loadToken;
    status.textContent = "Loading history…";
    bars = [];
    candles.setData([]);
    volume.setData([]);
    average.setData([]);
    try {
      const history = await api(`/api/markets/${market.symbol}/candles/?interval=${interval}&limit=500`);
      if (token !== loadToken) return;
      bars = history.map(candleBar);
      candles.setData(bars);
      volume.setData(history.map(volumeBar));
      drawAverage(false);
      status.textContent = history.length ? "" : "No history yet: candles appear as trades arrive.";
      chart.timeScale().scrollToRealTime();
    } catch {
      status.textContent = "Could not load the candle history.";
    }
  }
  for (const button of $$("[data-interval]")) {
    button.addEventListener("click", () => {
      const previous = controller.interval;
      controller.interval = button.dataset.interval;
      $$("[data-interval]").forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      load(controller.interval).then(() => controller.onIntervalChange?.(previous, controller.interval));
    });
  }
  $("#show-ma").addEventListener("change", () => drawAverage(false));
  load("1m");
  return controller;
}

function decimals(step) {
  const text = toText(parse(step));
  return text.includes(".") ? text.split(".")[1].length : 0;
}

function setupBook(market) {
  const local = new LocalBook();
  const asksBody = $("#book tbody.asks");
  const bidsBody = $("#book tbody.bids");
  const status = $("#book-status");
  let source = "feed";
  let exchangeTimer = null;
  let scheduled = false;

  function render(levels) {
    const all = [...levels.asks, ...levels.bids];
    const deepest = all.reduce((max, level) => (compare(level[2], max) > 0 ? level[2] : max), "0");
    const row = (side) => ([price, quantity, total]) => {
      const width = compare(deepest, "0") > 0 ? Math.min(100, (Number(toText(total)) / Number(toText(deepest))) * 100) : 0;
      return h(
        "tr",
        { className: side, style: `--depth:${width.toFixed(1)}%`, dataset: { price: toText(parse(price)) } },
        h("td", { className: "num price" }, formatPrice(price, market.tick_size)),
        h("td", { className: "num" }, formatQuantity(quantity, market.step_size)),
        h("td", { className: "num" }, formatQuantity(toText(total), market.step_size)),
      );
    };
    asksBody.replaceChildren(...levels.asks.slice().reverse().map(row("ask")));
    bidsBody.replaceChildren(...levels.bids.map(row("bid")));
    const bestBid = levels.bids[0]?.[0];
    const bestAsk = levels.asks[0]?.[0];
    $("#spread").textContent = bestBid && bestAsk ? `Spread ${formatPrice(toText(sub(bestAsk, bestBid)), market.tick_size)}` : "–";
    status.textContent = all.length ? "" : source === "exchange" ? "No resting orders from Paperex users." : "The book is empty.";
    status.hidden = all.length > 0;
  }
  function scheduleRender() {
    if (scheduled || source !== "feed") return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render(local.levels(10));
    });
  }
  async function loadExchange() {
    try {
      const data = await api(`/api/markets/${market.symbol}/book/?source=exchange`);
      if (source !== "exchange") return;
      const exchange = new LocalBook();
      exchange.loadSnapshot({ bids: data.bids, asks: data.asks });
      render(exchange.levels(10));
    } catch {
      status.textContent = "Could not load the book.";
    }
  }
  for (const button of $$("[data-book]")) {
    button.addEventListener("click", () => {
      source = button.dataset.book;
      $$("[data-book]").forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      clearInterval(exchangeTimer);
      if (source === "exchange") {
        loadExchange();
        exchangeTimer = setInterval(loadExchange, 1000);
      } else scheduleRender();
    });
  }
  return {
    snapshot(snapshot) {
      local.loadSnapshot(snapshot);
      scheduleRender();
    },
    delta(delta) {
      const result = local.applyDelta(delta);
      if (result === "gap") status.textContent = "Book out of sync; resyncing…";
      else scheduleRender();
      return result;
    },
    refreshExchange: () => source === "exchange" && loadExchange(),
  };
}

function setupTape(market) {
  const body = $("#tape tbody");
  const maxRows = 40;
  function row(trade) {
    const side = trade.market_maker ? "sell" : "buy";
    return h(
      "tr",
      { className: side },
      h("td", { className: "num price" }, formatPrice(trade.price, market.tick_size)),
      h("td", { className: "num" }, formatQuantity(trade.quantity, market.step_size)),
      h("td", {}, formatTime(trade.trade_time ?? trade.event_time)),
    );
  }
  return {
    load(trades) {
      if (!trades.length) return;
      body.replaceChildren(...trades.slice(-maxRows).reverse().map(row));
    },
    add(trade) {
      body.querySelector(".empty-row")?.remove();
      body.prepend(row(trade));
      while (body.children.length > maxRows) body.lastChild.remove();
    },
  };
}

const ORDER_COLUMNS = [
  ["created_at", "Time"],
  ["symbol", "Market"],
  ["type", "Type"],
  ["side", "Side"],
  ["price", "Price"],
  ["stop_price", "Stop"],
  ["quantity", "Quantity"],
  ["executed_quantity", "Filled"],
  ["cumulative_quote", "Total"],
  ["status", "Status"],
];
const FILL_COLUMNS = [
  ["executed_at", "Time"],
  ["side", "Side"],
  ["price", "Price"],
  ["quantity", "Quantity"],
  ["quote_quantity", "Total"],
  ["fee", "Fee"],
  ["liquidity", "Role"],
];
const NUMERIC = new Set(["price", "stop_price", "quantity", "executed_quantity", "cumulative_quote", "quote_quantity", "fee", "id"]);

function setupOrders(market, state) {
  const table = $("#orders-table");
  let view = "open";
  let sort = { key: "created_at", descending: true };
  const announced = new Map(); // order id -> last status toasted

  function columns() {
    return view === "fills" ? FILL_COLUMNS : ORDER_COLUMNS;
  }
  function header() {
    const row = h("tr");
    for (const [key, label] of columns()) {
      const sortBy = () => {
        sort = { key, descending: sort.key === key ? !sort.descending : false };
        render();
      };
      row.append(sortHeader({ key, label, numeric: NUMERIC.has(key) }, sort, sortBy));
    }
    if (view === "open") row.append(h("th", { scope: "col" }, h("span", { className: "visually-hidden" }, "Actions")));
    table.tHead.replaceChildren(row);
  }
  function cell(key, value) {
    if (value === null || value === undefined || value === "") return h("td", { className: "num" }, "–");
    if (key === "created_at" || key === "executed_at") return h("td", {}, formatDateTime(value));
    if (key === "price" || key === "stop_price") return h("td", { className: "num" }, formatPrice(value, market.tick_size));
    if (key === "quantity" || key === "executed_quantity") return h("td", { className: "num" }, formatQuantity(value, market.step_size));
    if (NUMERIC.has(key)) return h("td", { className: "num" }, formatDecimal(value));
    if (key === "side") return h("td", { className: value === "BUY" ? "up" : "down" }, value);
    return h("td", {}, value);
  }
  function render() {
    header();
    let rows;
    if (view === "fills") rows = state.fills;
    else {
      const all = [...state.orders.values()];
      rows = view === "open" ? all.filter((order) => OPEN_STATUSES.has(order.status)) : all;
    }
    $("#open-count").textContent = [...state.orders.values()].filter((order) => OPEN_STATUSES.has(order.status)).length;
    const sorted = sortRows(rows, sort.key, sort.descending, NUMERIC);
    const body = h("tbody");
    for (const item of sorted) {
      const row = h("tr", { dataset: { id: item.id, status: item.status || "" } }, columns().map(([key]) => cell(key, item[key])));
      if (view === "open") {
        const cancel = h("button", { type: "button", className: "link cancel", "aria-label": `Cancel order ${item.id}` }, "Cancel");
        cancel.addEventListener("click", () => cancelOrder(item.id, cancel));
        row.append(h("td", {}, cancel));
      }
      body.append(row);
    }
    if (!sorted.length) {
      const message = { open: "No open orders.", history: "No orders yet.", fills: "No fills yet." }[view];
      body.append(h("tr", { className: "empty-row" }, h("td", { colspan: columns().length + 1 }, message)));
    }
    table.tBodies[0].replaceWith(body);
  }
  async function cancelOrder(id, button) {
    button.disabled = true;
    try {
      const order = await api(`/api/orders/${id}/`, { method: "DELETE" });
      if (order && order.id) upsert(order);
      render();
      state.refreshAccount?.();
    } catch (error) {
      toast(`Cancel failed: ${error.message}`, "error");
      button.disabled = false;
    }
  }
  function upsert(order) {
    const previous = state.orders.get(order.id);
    if (previous && isStaleCopy(order, previous)) return;
    state.orders.set(order.id, order);
    announce(order, previous);
  }
  function announce(order, previous) {
    const last = announced.get(order.id);
    if (!previous && !last) {
      // first sight of an order placed elsewhere/earlier: no toast
      announced.set(order.id, order.status + order.executed_quantity);
      return;
    }
    const stamp = order.status + order.executed_quantity;
    if (last === stamp) return;
    announced.set(order.id, stamp);
    const what = `${order.side} ${formatQuantity(order.quantity, market.step_size)} ${order.symbol}`;
    if (order.status === "FILLED") {
      toast(`Filled: ${what} (${formatDecimal(order.cumulative_quote)} ${market.quote})`, "success");
      beep({ frequency: 1040 });
    } else if (order.status === "PARTIALLY_FILLED") {
      toast(`Partially filled: ${what} (${formatQuantity(order.executed_quantity, market.step_size)} done)`, "info");
      beep({ frequency: 880 });
    } else if (order.status === "CANCELED") {
      toast(`Cancelled: ${what}`, "info");
    } else if (order.status === "EXPIRED") {
      toast(`Expired: ${what}${order.status_reason ? ` (${order.status_reason})` : ""}`, "warning");
    } else if (order.status === "REJECTED") {
      toast(`Rejected: ${what}${order.status_reason ? ` (${order.status_reason})` : ""}`, "error");
      beep({ frequency: 220 });
    }
  }
  for (const tab of $$("[data-orders]")) {
    tab.addEventListener("click", () => {
      view = tab.dataset.orders;
      sort = { key: view === "fills" ? "executed_at" : "created_at", descending: true };
      $$("[data-orders]").forEach((other) => other.setAttribute("aria-selected", String(other === tab)));
      render();
    });
  }
  $("#cancel-all").addEventListener("click", async () => {
    try {
      await api("/api/orders/cancel-all/", { method: "POST", body: { symbol: market.symbol } });
      toast("Cancelling all open orders…", "info");
      state.refreshAccount?.();
    } catch (error) {
      toast(`Cancel all failed: ${error.message}`, "error");
    }
  });
  return { render, upsert, markSeen: (order) => announced.set(order.id, order.status + order.executed_quantity) };
}

function setupForm(market, state, orders) {
  const form = $("#order-form");
  const typeSelect = $("#order-type");
  const submit = $("#order-submit");
  const sound = $("#sound-toggle");
  sound.checked = soundEnabled();
  sound.addEventListener("change", () => setSoundEnabled(sound.checked));
  const touched = new Set();
  const fields = { price: $("#order-price"), stopPrice: $("#order-stop-price"), quantity: $("#order-quantity") };
  const errorNodes = {
    price: $("#order-price-error"),
    stopPrice: $("#order-stop-price-error"),
    quantity: $("#order-quantity-error"),
    total: $("#order-total-error"),
  };
  fields.price.placeholder = `step ${market.tick_size}`;
  fields.stopPrice.placeholder = `step ${market.tick_size}`;
  fields.quantity.placeholder = `step ${market.step_size}`;

  function values() {
    return {
      side: form.elements.side.value,
      type: typeSelect.value,
      price: fields.price.value,
      stopPrice: fields.stopPrice.value,
      quantity: fields.quantity.value,
    };
  }
  function check() {
    const current = values();
    const needs = ORDER_TYPES[current.type];
    $$(".field[data-field]", form).forEach((node) => {
      const name = node.dataset.field;
      node.hidden = name === "price" ? !needs.price : name === "stopPrice" ? !needs.stopPrice : false;
    });
    if (needs.trigger) $("#order-stop-price-label").textContent = needs.trigger;
    const available = {
      base: state.balances.get(market.base)?.free ?? (state.balances.size ? "0" : undefined),
      quote: state.balances.get(market.quote)?.free ?? (state.balances.size ? "0" : undefined),
    };
    const { errors, total } = validateOrder(current, market, { lastPrice: state.lastPrice, available });
    for (const [name, node] of Object.entries(errorNodes)) {
      const visible = touched.has(name) || (name === "total" && touched.has("quantity"));
      node.textContent = visible ? errors[name] || "" : "";
      const input = fields[name];
      if (input) input.setAttribute("aria-invalid", visible && errors[name] ? "true" : "false");
    }
    $("#order-total").textContent = total ? `${current.type === "MARKET" ? "≈ " : ""}${formatDecimal(total, decimals(market.tick_size))} ${market.quote}` : "–";
    submit.textContent = `${current.side === "BUY" ? "Buy" : "Sell"} ${market.base}`;
    submit.className = current.side === "BUY" ? "buy" : "sell";
    return errors;
  }
  for (const [name, input] of Object.entries(fields)) {
    input.addEventListener("input", () => check());
    input.addEventListener("blur", () => {
      if (input.value) touched.add(name);
      check();
    });
  }
  form.addEventListener("change", () => check());
  // Clicking a book level fills the price.
  $("#book").addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-price]");
    if (!row) return;
    fields.price.value = row.dataset.price;
    touched.add("price");
    check();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Every error shows from now on, also through the re-checks that each price tick brings.
    for (const name of Object.keys(errorNodes)) touched.add(name);
    const errors = check();
    if (Object.keys(errors).length) {
      const first = Object.keys(errors).find((name) => fields[name]) || "quantity";
      fields[first]?.focus();
      return;
    }
    submit.disabled = true;
    try {
      const order = await api("/api/orders/", { method: "POST", body: orderRequest(values(), market.symbol) });
      orders.markSeen({ id: order.id, status: "NEW", executed_quantity: "0" });
      toast(`Order accepted: ${order.side} ${formatQuantity(order.quantity, market.step_size)} ${order.symbol} (${order.type})`, "success");
      beep({ frequency: 990, duration: 0.08 });
      orders.upsert(order);
      orders.render();
      state.refreshAccount?.();
      fields.quantity.value = "";
      touched.clear();
      check();
    } catch (error) {
      const message = error instanceof ApiError ? error.message : "The server did not answer.";
      toast(`Order rejected: ${message}`, "error");
      beep({ frequency: 220 });
      const fieldErrors = error.body?.errors || {};
      for (const [name, messages] of Object.entries(fieldErrors)) {
        const key = name === "stop_price" ? "stopPrice" : name;
        if (errorNodes[key]) errorNodes[key].textContent = [].concat(messages).join(" ");
      }
    } finally {
      submit.disabled = false;
    }
  });
  check();
  return { refresh: () => check() };
}
