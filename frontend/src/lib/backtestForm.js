// The backtest form's rules: each strategy's parameter inputs (from the page data), the
// execution settings, what is obviously wrong as the trader types, and the request they make.
// The server checks everything again; these only spare a round trip for the plain mistakes.

/** The execution settings, with the bounds the backtester enforces (paperex.backtest.execution). */
export const SETTINGS = [
  { name: "fee", label: "Fee (fraction of a fill)", default: 0.001, min: 0, below: 0.1 },
  { name: "cash", label: "Cash", default: 10000, above: 0 },
  { name: "size", label: "Size (share of equity)", default: 1, above: 0, max: 1 },
  { name: "slippage_bps", label: "Slippage (basis points)", default: 0, min: 0, below: 1000 },
];

/** What is wrong with a number typed for `rule` ({integer, min, max, above, below}), or "". */
export function numberProblem(text, rule = {}) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return "Enter a number.";
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return "Enter a number.";
  if (rule.integer && !Number.isInteger(value)) return "Enter a whole number.";
  if (rule.min !== undefined && value < rule.min) return `At least ${rule.min}.`;
  if (rule.above !== undefined && value <= rule.above) return `Above ${rule.above}.`;
  if (rule.max !== undefined && value > rule.max) return `At most ${rule.max}.`;
  if (rule.below !== undefined && value >= rule.below) return `Below ${rule.below}.`;
  return "";
}

// Checks across a strategy's parameters, by the parameter a problem is shown under.
const CROSS_CHECKS = [
  { names: ["fast", "slow"], under: "slow", problem: ({ fast, slow }) => (slow > fast ? "" : "Slow must be above fast.") },
  { names: ["lower", "upper"], under: "upper", problem: ({ lower, upper }) => (upper > lower ? "" : "Upper must be above lower.") },
  { names: ["lower"], under: "lower", problem: ({ lower }) => (lower > 0 && lower < 100 ? "" : "Between 0 and 100.") },
  { names: ["upper"], under: "upper", problem: ({ upper }) => (upper > 0 && upper < 100 ? "" : "Between 0 and 100.") },
];

/** A parameter's number rule: whole numbers of at least 1 (periods) or any number. */
export function parameterRule(parameter) {
  return parameter.integer ? { integer: true, min: 1 } : {};
}

/** The problems of a strategy's typed parameters ({name: text}) as {name: message}; only the
 * parameters with a problem are keys. */
export function parameterProblems(strategy, texts) {
  const problems = {};
  for (const parameter of strategy.parameters) {
    const problem = numberProblem(texts[parameter.name], parameterRule(parameter));
    if (problem) problems[parameter.name] = problem;
  }
  const known = new Set(strategy.parameters.map((parameter) => parameter.name));
  for (const check of CROSS_CHECKS) {
    if (!check.names.every((name) => known.has(name) && !problems[name])) continue;
    const values = Object.fromEntries(check.names.map((name) => [name, Number(texts[name])]));
    const problem = check.problem(values);
    if (problem && !problems[check.under]) problems[check.under] = problem;
  }
  return problems;
}

/** The problems of the typed execution settings, as parameterProblems. */
export function settingProblems(texts) {
  const problems = {};
  for (const setting of SETTINGS) {
    const problem = numberProblem(texts[setting.name], setting);
    if (problem) problems[setting.name] = problem;
  }
  return problems;
}

/** The request's fields besides its data: {strategy, parameters, fee, cash, size,
 * slippage_bps, fill_at, allow_short}, numbers as numbers. */
export function backtestSettings({ strategy, parameterTexts, settingTexts, fillAt, allowShort }) {
  const parameters = Object.fromEntries(strategy.parameters.map((parameter) => [parameter.name, Number(parameterTexts[parameter.name])]));
  const settings = Object.fromEntries(SETTINGS.map((setting) => [setting.name, Number(settingTexts[setting.name])]));
  return { strategy: strategy.name, parameters, ...settings, fill_at: fillAt, allow_short: allowShort };
}

/** The JSON body of a backtest on a market's stored candles; empty dates are left out. */
export function marketRequest(settings, { symbol, interval, start, end }) {
  const body = { symbol, interval, ...settings };
  if (start) body.start = start;
  if (end) body.end = end;
  return body;
}

/** The multipart fields of a backtest on a CSV (the file is added beside them): text values,
 * the parameters as JSON text. */
export function csvRequestFields(settings) {
  return Object.entries(settings).map(([name, value]) => [name, typeof value === "object" ? JSON.stringify(value) : String(value)]);
}

/** What a 400's body says in one line: its message, else its first field's first problem. */
export function refusalLine(body) {
  if (body?.message) return body.message;
  const [field, problems] = Object.entries(body?.errors ?? body ?? {})[0] ?? [];
  if (!field) return "The server refused the backtest.";
  return `${field}: ${Array.isArray(problems) ? problems[0] : problems}`;
}

/** The one-line description of a run's data: "BTCUSDT 1m" or "prices.csv". */
export function sourceLabel(request) {
  const source = request?.source ?? {};
  return source.kind === "csv" ? source.name : `${source.symbol ?? "?"} ${source.interval ?? ""}`.trim();
}
