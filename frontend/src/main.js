import "./styles/app.css";
import { pageData } from "./lib/ui.js";
import { watchHealth } from "./lib/health.js";
import { startUserStream } from "./pages/user.js";
import { markets } from "./pages/markets.js";
import { trade } from "./pages/trade.js";
import { portfolio } from "./pages/portfolio.js";
import { alerts } from "./pages/alerts.js";
import { journal } from "./pages/journal.js";
import { backtest } from "./pages/backtest.js";
import { bots } from "./pages/bots.js";
import { keys } from "./pages/keys.js";
import { listings } from "./pages/listings.js";
import { monitor } from "./pages/monitor.js";
import { candleStream, tradeStream } from "./pages/streams.js";

const pages = {
  markets,
  trade,
  portfolio,
  alerts,
  journal,
  backtest,
  bots,
  keys,
  listings,
  monitor,
  candle_stream: candleStream,
  trade_stream: tradeStream,
};

const data = pageData();
const start = pages[data.page];
if (document.querySelector(".user")) startUserStream(data);
if (start) start(data);
watchHealth();
