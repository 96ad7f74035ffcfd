"""The ``paperex`` command."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from paperex.support.process_exit import exit_status

if TYPE_CHECKING:
    from paperex.backtest.bars import Bars
    from paperex.backtest.execution import Execution
    from paperex.marketdata.bus import Subscription
    from paperex.marketdata.watch.sources import WatchSource

SETTINGS_MODULE = "paperex.config.settings"
DEFAULT_SERVER = "http://127.0.0.1:8000"
FEED_HELP = (
    "market-data feed: synthetic (default), binance, gemini, yahoo or replay:FILE; "
    "repeat for several"
)


def _refuse_setting(message: str) -> NoReturn:
    """A setting that cannot work: one line, exit status 2."""
    print(f"paperex: {message}", file=sys.stderr)
    sys.exit(2)


def _engine_build() -> str:
    """Which engine build runs (PAPEREX_ENGINE); a build that cannot run ends the command."""
    from paperex.support.compiled_build import BuildChoiceError

    try:
        from paperex.engine import BUILD
    except BuildChoiceError as error:
        _refuse_setting(str(error))
    return BUILD.describe()


def _setup_django(*, needs_redis: bool = False) -> None:
    """Read the settings and check that the database (and Redis, when ``needs_redis`` or
    REDIS_URL is set) answer; a bad setting ends the command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    _engine_build()
    import django

    from paperex.config.environment import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as error:
        _refuse_setting(f"configuration error: {error}")
    from django.conf import settings

    from paperex.apps.core.reachability import database_problem, redis_problem

    problem = database_problem()
    if problem is None and settings.PAPEREX_REDIS_URL:
        problem = redis_problem(settings.PAPEREX_REDIS_URL)
    elif problem is None and needs_redis:
        problem = "this command needs Redis: set REDIS_URL"
    if problem is not None:
        _refuse_setting(problem)


def _call(command: str, *args: str) -> None:
    from django.core.management import CommandError, call_command

    try:
        call_command(command, *args)
    except CommandError as error:
        sys.exit(f"paperex {command}: {error}")


def _pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _require_migrated_database() -> None:
    if _pending_migrations():
        sys.exit("paperex: the database is not up to date; run `paperex migrate` first.")


def serve(options: argparse.Namespace) -> None:
    # Settings read these from the environment, so they are set before Django starts.
    if options.feed:
        os.environ["PAPEREX_FEED"] = ",".join(options.feed)
    if options.no_feed or options.workers > 1:
        os.environ["PAPEREX_RUN_FEEDS"] = "false"
    if options.no_engine or options.workers > 1:
        os.environ["PAPEREX_RUN_ENGINE"] = "false"
    if options.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers' metrics, added up by whichever worker answers /metrics.
        metrics_dir = tempfile.mkdtemp(prefix="paperex-metrics-")
        atexit.register(shutil.rmtree, metrics_dir, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    _setup_django()
    from django.conf import settings

    _require_migrated_database()

    import uvicorn

    from paperex.config.server import WORKER_ENVIRONMENT, uvicorn_options

    if options.workers > 1:
        os.environ[WORKER_ENVIRONMENT] = str(os.getpid())
    # uvicorn raises the signal that stopped it again once it has shut down; with these
    # handlers that ends nothing, and the process exits with its own status below (0, or 1
    # when a loop inside could not go on).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)

    url = f"http://{options.host}:{options.port}/"
    demo = settings.PAPEREX_DEMO_USER
    print(f"Paperex is starting on {url}")
    print(f"  API docs: {url}api/docs/   admin: {url}admin/")
    print(f"  demo login: {demo['username']} / {demo['password']}")
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"  feed: {', '.join(settings.PAPEREX_FEEDS)}   database: {database}")
    if settings.PAPEREX_RUN_ENGINE:
        print(f"  engine: {_engine_build()}")
    uvicorn.run(
        "paperex.config.asgi:application",
        host=options.host,
        port=options.port,
        workers=options.workers,
        **uvicorn_options(
            log_level=options.log_level, json_logs=settings.PAPEREX_LOG_FORMAT == "json"
        ),
    )
    sys.exit(exit_status())


def feed(options: argparse.Namespace) -> None:
    if options.feed:
        os.environ["PAPEREX_FEED"] = ",".join(options.feed)
    _setup_django()
    from django.conf import settings

    if not settings.PAPEREX_REDIS_URL:
        print("paperex: without REDIS_URL the events reach no other process;", file=sys.stderr)
        print("         `paperex serve` runs the feeds itself in that case.", file=sys.stderr)
    print(f"Running feeds: {', '.join(settings.PAPEREX_FEEDS)} (Ctrl+C stops)")
    asyncio.run(_lead_until_signalled("feed"))


def bots(options: argparse.Namespace) -> None:
    _setup_django(needs_redis=True)
    print("Running the live paper bots on the market data from Redis (Ctrl+C stops)")
    asyncio.run(_lead_until_signalled("bots"))


async def _lead_until_signalled(role: str) -> None:
    """Follow the market data and, while this process leads ``role`` (``feed`` or ``bots``),
    run it; another process of the role stands by meanwhile."""
    from paperex.apps.core.leadership import RoleLease, lead_while_running
    from paperex.apps.marketdata.runtime import runtime
    from paperex.apps.research.bot_runner import bot_runner

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lease = RoleLease(role)
    await runtime.start(run_feeds=False)
    try:
        begin: Callable[[], Awaitable[None]]
        if role == "feed":
            begin = functools.partial(runtime.start_feeds, fence=lease.valid)
            end = runtime.stop_feeds
        else:
            bot_runner.lease = lease  # the bots decide while it is valid: nothing to start
            begin = end = _nothing
        await lead_while_running(lease, stop, begin=begin, end=end)
    finally:
        await runtime.stop()


async def _nothing() -> None:
    pass


def engine(options: argparse.Namespace) -> None:
    _setup_django(needs_redis=True)
    from paperex.apps.trading.gateway.process import run_engine_process

    run_engine_process(max_batch=options.max_batch)
    sys.exit(exit_status())


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``1h`` to seconds; raises argparse.ArgumentTypeError."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 30s, 10m, 1h)") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the duration must be positive")
    return seconds


def _show_progress(line: str) -> None:
    """One live status line: rewritten in place on a terminal, one line each otherwise."""
    if sys.stderr.isatty():
        print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def record(options: argparse.Namespace) -> None:
    _setup_django()
    from paperex.apps.marketdata.feeds import SERVED_STREAMS, FeedUnavailableError, recording_feed
    from paperex.marketdata.recording import RecordProgress
    from paperex.marketdata.recording import record as record_feed

    symbols = [s for s in options.symbols.split(",") if s]
    if options.streams is None:
        streams = list(SERVED_STREAMS.get(options.venue, ()))
    else:
        streams = [s for s in options.streams.split(",") if s]
    try:
        source = recording_feed(options.venue, symbols, streams)
    except FeedUnavailableError as error:
        sys.exit(f"paperex record: {error}")

    def progress(report: RecordProgress) -> None:
        _show_progress(
            f"{report.messages:,} messages  {report.messages_per_second:,.0f}/s  "
            f"{report.elapsed_seconds:,.0f} s  {report.bytes_written / 1e6:,.1f} MB"
        )

    async def run() -> None:
        try:
            await record_feed(
                source,
                options.output,
                duration=options.duration,
                on_progress=progress,
                symbols=[s.upper() for s in symbols],
                streams=streams,
            )
        finally:
            await source.close()

    # On Ctrl+C the recorder closes the file: it is complete up to the last message.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    print(f"\nRecorded to {options.output}", file=sys.stderr)


def replay(options: argparse.Namespace) -> None:
    _setup_django()
    from paperex.apps.marketdata.feeds import FeedUnavailableError, ReplaySpec, replay_feed
    from paperex.apps.marketdata.replays import play
    from paperex.apps.marketdata.runtime import runtime
    from paperex.marketdata.bus import encode_event
    from paperex.marketdata.pacing import parse_speed
    from paperex.marketdata.pipeline import FeedPipeline
    from paperex.marketdata.replay import ReplayFeed

    try:
        speed = parse_speed(options.speed)
        feed = replay_feed(ReplaySpec(Path(options.file), speed, options.loop))
    except (FeedUnavailableError, ValueError) as error:
        sys.exit(f"paperex replay: {error}")

    async def progress(feed: ReplayFeed, pipeline: FeedPipeline) -> bool:
        _show_progress(
            f"{feed.messages_played:,} messages  {pipeline.events_published:,} events  "
            f"{feed.loops_completed} loops"
        )
        return True

    async def run() -> None:
        await runtime.start(run_feeds=False)
        printed = runtime.bus.subscribe(maxsize=1_000_000) if options.print_events else None
        printer = asyncio.create_task(_print_events(printed, encode_event)) if printed else None
        try:
            await play(feed, bus=runtime.bus, on_progress=progress)
            while printed is not None and printed.pending:
                await asyncio.sleep(0.01)  # let the printer catch up before exiting
        finally:
            if printer is not None:
                printer.cancel()
            await runtime.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    print(file=sys.stderr)


async def _print_events(subscription: Subscription, encode: Callable[[Any], bytes]) -> None:
    async for event in subscription:
        sys.stdout.buffer.write(encode(event) + b"\n")


def migrate(options: argparse.Namespace) -> None:
    _setup_django()
    _call("migrate", "--no-input")


def seed(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    _call("seed")


def createuser(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    args = [options.username, "--email", options.email]
    if options.password:
        args += ["--password", options.password]
    if options.admin:
        args.append("--admin")
    _call("createuser", *args)


def apikey(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    _call("apikey", options.action, options.username, "--label", options.label)


def prune(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    _call("prune", *(["--dry-run"] if options.dry_run else []))


def utc_day(text: str) -> date:
    """A ``YYYY-MM-DD`` argument."""
    from paperex.analysis.trades_csv import parse_day

    try:
        return parse_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def decimal_argument(text: str) -> Decimal:
    """An exact decimal argument (a price)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    return value


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def export_trades(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    from paperex.apps.journal.exports import ExportError, trades_export_day
    from paperex.support.progress import ProgressBar

    day = options.date or _yesterday()
    try:
        export = trades_export_day(
            day=day, target_url=options.to, on_rows=ProgressBar("rows").update
        )
    except ExportError as error:
        sys.exit(f"paperex export-trades: {error}")
    print(export.message)


def analyze_trades(options: argparse.Namespace) -> None:
    _setup_django()
    _require_migrated_database()
    from paperex.apps.journal.analyses import trades_analyze_day

    answer = trades_analyze_day(day=options.date or _yesterday(), target_url=options.target)
    if answer.status_code != 200:
        sys.exit(f"paperex analyze-trades: {answer.message}")
    print(answer.message)


def backtest(options: argparse.Namespace) -> None:
    from paperex.backtest.arguments import ArgumentError, strategy_arguments, sweep_grid
    from paperex.backtest.bars import BarsError
    from paperex.backtest.document import result_document, summary_lines
    from paperex.backtest.execution import ExecutionError
    from paperex.backtest.run import BacktestError, run_backtest, sweep
    from paperex.backtest.strategies import StrategyError, make_strategy, strategy_class
    from paperex.support.progress import ProgressBar

    try:
        cls = strategy_class(options.strategy)
        strategy = make_strategy(cls, strategy_arguments(options.parameters))
        grid = sweep_grid(options.sweep) if options.sweep else None
        bars, execution = _backtest_inputs(options)
        result = run_backtest(bars, strategy, execution)
        swept = None
        if grid is not None:
            fixed = {
                name: [value] for name, value in strategy_arguments(options.parameters).items()
            }
            swept = sweep(
                bars,
                cls,
                {**fixed, **grid},
                execution,
                options.sweep_statistic,
                ProgressBar("runs").update,
            )
    except (ArgumentError, BarsError, BacktestError, ExecutionError, StrategyError) as error:
        _refuse_setting(f"backtest: {error}")
    if options.report:
        from paperex.backtest.report import render_report

        page = render_report(result_document(result, swept, series=True))
        Path(options.report).write_text(page, encoding="utf-8")
    if options.json:
        print(json.dumps(result_document(result, swept)))
        return
    print("\n".join(summary_lines(result)))
    if swept is not None and (best := swept.best()) is not None:
        chosen = ", ".join(f"{name}={value}" for name, value in best[0].items())
        print(f"sweep: best {swept.statistic} {best[1]:.6g} with {chosen}")
    if options.report:
        print(f"report: {options.report}")


def _backtest_inputs(options: argparse.Namespace) -> tuple[Bars, Execution]:
    """The bars the options name (a CSV, a recording or the stored candles) and how to fill
    orders on them (the stored market's fee and filters unless given)."""
    from paperex.backtest.arguments import utc_milliseconds
    from paperex.backtest.csv_bars import read_bars_csv
    from paperex.backtest.execution import Execution
    from paperex.backtest.recording_bars import bars_from_recording

    start = utc_milliseconds(options.start) if options.start else None
    end = utc_milliseconds(options.end) if options.end else None
    filters: dict[str, float | None] = {"fee": 0.001, "step_size": None, "min_notional": None}
    symbol = (options.symbol or "").upper()
    if options.csv:
        bars = read_bars_csv(Path(options.csv), symbol=symbol).between(start, end)
    elif options.binance:
        if not symbol:
            _refuse_setting("backtest: --binance needs --symbol")
        _setup_django()
        from django.conf import settings

        from paperex.backtest.venue_bars import binance_history

        history = binance_history(
            settings.PAPEREX_BINANCE_REST_URL, symbol, options.interval, start_ms=start, end_ms=end
        )
        bars = history.bars
        filters.update(step_size=history.step_size, min_notional=history.min_notional)
    elif options.replay:
        if not symbol:
            _refuse_setting("backtest: --replay needs --symbol")
        bars = bars_from_recording(Path(options.replay), symbol, options.interval)
        bars = bars.between(start, end)
    else:
        if not symbol:
            _refuse_setting("backtest: name the data: --symbol (stored candles), --csv or --replay")
        _setup_django()
        _require_migrated_database()
        from paperex.apps.research.candles import market_filters, stored_bars

        bars = stored_bars(symbol, options.interval, start, end)
        filters = market_filters(symbol)
    given = {
        "fee": options.fee,
        "step_size": options.step_size,
        "min_notional": options.min_notional,
    }
    filters.update({name: value for name, value in given.items() if value is not None})
    execution = Execution(
        cash=options.cash,
        fee=float(filters["fee"] or 0.0),
        slippage_bps=options.slippage,
        size=options.size,
        fill_at=options.fill_at,
        allow_short=options.short,
        step_size=filters["step_size"],
        min_notional=filters["min_notional"],
    )
    return bars, execution


def manage(options: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["paperex manage", *options.arguments])


def watch(options: argparse.Namespace) -> None:
    from paperex.marketdata.aggregation import CANDLE_INTERVALS
    from paperex.marketdata.watch.lines import LineStyle, LineWriter, OutputFormat
    from paperex.marketdata.watch.sources import SourceError, write_lines

    interval = None if options.trades else options.interval
    if interval is not None and interval not in CANDLE_INTERVALS:
        _refuse_setting(
            f"watch: unknown interval {interval!r}; use one of {', '.join(CANDLE_INTERVALS)}"
        )
    output = OutputFormat(options.format)
    style = LineStyle(
        output=output,
        price_tag=options.price_tag,
        convert_time=options.convert_time,
        min_price=options.min_price,
        colour=output is OutputFormat.TEXT and sys.stdout.isatty(),
        bell=not options.no_bell,
    )
    writer = LineWriter(style, trades=options.trades)

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    async def run() -> None:
        source = await _watch_source(options, options.symbol.upper(), interval)
        await write_lines(source, writer, write)

    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C ends the watch with its summary
            asyncio.run(run())
    except SourceError as error:
        _refuse_setting(f"watch: {error}")
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    print(writer.tracker.summary(), file=sys.stderr)


async def _watch_source(
    options: argparse.Namespace, symbol: str, interval: str | None
) -> WatchSource:
    """The source the options choose: --offline, --replay, --venue binance or a server."""
    from paperex.apps.markets.seed import MARKETS, market_symbol
    from paperex.config.environment import ConfigurationError, read_environment
    from paperex.domain import Instrument
    from paperex.marketdata.watch import sources

    sleep = sources.announcing_sleep(lambda line: print(line, file=sys.stderr, flush=True))
    if options.offline:
        seed = next((seed for seed in MARKETS if market_symbol(seed) == symbol), None)
        if seed is None:
            known = ", ".join(market_symbol(seed) for seed in MARKETS)
            raise sources.SourceError(f"unknown symbol {symbol} (offline markets: {known})")
        instrument = Instrument(
            symbol, seed.base, seed.quote, Decimal(seed.tick_size), Decimal(seed.step_size)
        )
        return sources.synthetic_source(instrument, interval)
    if options.replay:
        return sources.replay_source(options.replay, symbol, interval)
    if options.venue == "binance":
        try:
            environment = read_environment()
        except ConfigurationError as error:
            _refuse_setting(f"configuration error: {error}")
        return await sources.binance_source(
            environment.binance_stream_url, environment.binance_rest_url, symbol, interval, sleep
        )
    return await sources.server_source(options.server, symbol, interval, sleep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperex",
        description="Paperex: a self-hosted paper-trading exchange with real-time market data.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_parser = commands.add_parser(
        "serve", help="run the web server (HTTP API, WebSockets, web pages)"
    )
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=8000, help="port to bind (8000)")
    serve_parser.add_argument(
        "--feed",
        action="append",
        metavar="FEED",
        help=FEED_HELP,
    )
    serve_parser.add_argument(
        "--no-feed",
        action="store_true",
        help="don't run the feeds in this server (`paperex feed` runs them)",
    )
    serve_parser.add_argument(
        "--no-engine",
        action="store_true",
        help="don't run the matching engine in this server (`paperex engine` runs it)",
    )
    serve_parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (needs REDIS_URL; the feeds and the engine then run in "
        "`paperex feed` and `paperex engine`)",
    )
    serve_parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    serve_parser.set_defaults(handler=serve)

    feed_parser = commands.add_parser(
        "feed", help="run the market-data feeds and publish to Redis (production)"
    )
    feed_parser.add_argument("--feed", action="append", metavar="FEED", help=FEED_HELP)
    feed_parser.set_defaults(handler=feed)

    commands.add_parser(
        "bots", help="run the live paper bots on the market data from Redis (production)"
    ).set_defaults(handler=bots)

    engine_parser = commands.add_parser(
        "engine", help="run the matching engine, taking orders from the servers over Redis"
    )
    engine_parser.add_argument(
        "--max-batch", type=int, default=2048, help="most commands committed together (2048)"
    )
    engine_parser.set_defaults(handler=engine)

    record_parser = commands.add_parser(
        "record", help="record a feed's raw messages to a compressed file, with live progress"
    )
    record_parser.add_argument(
        "--venue", default="synthetic", help="synthetic (default), binance, gemini or yahoo"
    )
    record_parser.add_argument(
        "--symbols", required=True, help="comma-separated, e.g. BTCUSDT,ETHUSDT"
    )
    record_parser.add_argument(
        "--streams",
        help="comma-separated, e.g. trade,depth,kline_1m (default: trade,depth; l2 for gemini; "
        "quote for yahoo)",
    )
    record_parser.add_argument(
        "--duration", type=parse_duration, help="e.g. 90s, 10m, 1h (default: until Ctrl+C)"
    )
    record_parser.add_argument(
        "-o", "--output", required=True, type=Path, help="the file, e.g. session.jsonl.gz"
    )
    record_parser.set_defaults(handler=record)

    replay_parser = commands.add_parser(
        "replay", help="play a recording into the market data (to every server with Redis)"
    )
    replay_parser.add_argument("file", help="a file written by `paperex record`")
    replay_parser.add_argument(
        "--speed", default="1", help="1 (original pace, default), 10, 0.5, ... or max"
    )
    replay_parser.add_argument("--loop", action="store_true", help="start over at the end")
    replay_parser.add_argument(
        "--print",
        dest="print_events",
        action="store_true",
        help="print every normalized event as a JSON line",
    )
    replay_parser.set_defaults(handler=replay)

    commands.add_parser("migrate", help="create or update the database tables").set_defaults(
        handler=migrate
    )
    commands.add_parser(
        "seed", help="load the default assets, markets and the demo user (idempotent)"
    ).set_defaults(handler=seed)

    user_parser = commands.add_parser(
        "createuser", help="create a user with the virtual starting balances"
    )
    user_parser.add_argument("username")
    user_parser.add_argument("--email", default="")
    user_parser.add_argument("--password", help="asked for when omitted")
    user_parser.add_argument("--admin", action="store_true", help="give Django admin rights")
    user_parser.set_defaults(handler=createuser)

    apikey_parser = commands.add_parser(
        "apikey", help="API keys of the Binance-compatible API (create)"
    )
    apikey_actions = apikey_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    apikey_create_parser = apikey_actions.add_parser(
        "create", help="create an HMAC-SHA256 key for a user and print it with its secret (once)"
    )
    apikey_create_parser.add_argument("username")
    apikey_create_parser.add_argument("--label", default="cli", help="what the key is for (cli)")
    apikey_parser.set_defaults(handler=apikey)

    prune_parser = commands.add_parser(
        "prune", help="delete the rows older than their retention settings, table by table"
    )
    prune_parser.add_argument(
        "--dry-run", action="store_true", help="print what would be deleted, delete nothing"
    )
    prune_parser.set_defaults(handler=prune)

    day_jobs = (
        (
            "export-trades",
            "--to",
            export_trades,
            "write every user's trades of a UTC day to TARGET/YYYY/MM/DD/trades.csv",
        ),
        (
            "analyze-trades",
            "--target",
            analyze_trades,
            "analyse a day's trades.csv into analysis.csv and analysis.json beside it",
        ),
    )
    for name, target_option, handler, description in day_jobs:
        day_parser = commands.add_parser(name, help=description)
        day_parser.add_argument(
            "--date", type=utc_day, help="the UTC day, YYYY-MM-DD (default: yesterday)"
        )
        day_parser.add_argument(
            target_option,
            metavar="TARGET",
            help="s3://BUCKET/PREFIX or a folder (default: PAPEREX_EXPORT_TARGET)",
        )
        day_parser.set_defaults(handler=handler)

    watch_parser = commands.add_parser(
        "watch", help="print a market's live klines (or trades) in the terminal, one line each"
    )
    watch_parser.add_argument("symbol", help="e.g. BTCUSDT")
    watch_parser.add_argument(
        "--interval", default="1m", help="kline interval: 1s, 1m (default), 5m, 15m, 1h, 4h, 1d"
    )
    watch_parser.add_argument(
        "--price-tag",
        default="c",
        choices=["o", "h", "l", "c", "v"],
        help="the price each line shows: open, high, low, close (default) or v for volume",
    )
    watch_parser.add_argument(
        "--trades", action="store_true", help="one line per trade instead of kline updates"
    )
    watch_parser.add_argument(
        "--convert-time", action="store_true", help="UTC date and time instead of epoch ms"
    )
    watch_parser.add_argument(
        "--min-price",
        type=decimal_argument,
        metavar="PRICE",
        help="say whether each price is above PRICE; mark (and ring at) every crossing",
    )
    watch_parser.add_argument(
        "--no-bell", action="store_true", help="no terminal bell when --min-price is crossed"
    )
    watch_parser.add_argument(
        "--format",
        default="text",
        choices=["text", "json", "csv"],
        help="text (default), "
        "json (one object a line, exact decimal strings) or csv (a header, then rows)",
    )
    source = watch_parser.add_mutually_exclusive_group()
    source.add_argument(
        "--server",
        default=DEFAULT_SERVER,
        metavar="URL",
        help=f"a running Paperex, through its /stream/ WebSocket (default {DEFAULT_SERVER})",
    )
    source.add_argument("--venue", choices=["binance"], help="the venue's public streams directly")
    source.add_argument(
        "--offline", action="store_true", help="the synthetic market, in this process"
    )
    source.add_argument("--replay", metavar="FILE", help="a `paperex record` file, at its pace")
    watch_parser.set_defaults(handler=watch)

    backtest_parser = commands.add_parser(
        "backtest",
        allow_abbrev=False,  # --s... may be a strategy's own parameter
        help="test a strategy on history: statistics beside buy-and-hold, trades, an HTML report",
        epilog="A strategy's own parameters follow as --NAME VALUE (sma_cross: --fast 50 "
        "--slow 200; ema_cross: --fast --slow; rsi_reversion: --period --lower --upper).",
    )
    backtest_parser.add_argument(
        "--strategy",
        default="sma_cross",
        metavar="NAME",
        help="sma_cross (default), ema_cross, rsi_reversion, buy_and_hold, or FILE.py:ClassName",
    )
    backtest_parser.add_argument("--symbol", help="the market, e.g. BTCUSDT")
    backtest_parser.add_argument("--interval", default="1m", help="bar interval (default 1m)")
    data = backtest_parser.add_mutually_exclusive_group()
    data.add_argument("--csv", metavar="FILE", help="bars from a CSV (a time and a close column)")
    data.add_argument("--replay", metavar="FILE", help="bars made from a `paperex record` file")
    data.add_argument(
        "--binance",
        action="store_true",
        help="bars from Binance's klines (PAPEREX_BINANCE_REST_URL) with its filters",
    )
    backtest_parser.add_argument("--start", help="first bar time, YYYY-MM-DD or ISO 8601 (UTC)")
    backtest_parser.add_argument("--end", help="bars before this time only")
    backtest_parser.add_argument("--cash", type=float, default=10_000.0, help="default 10000")
    backtest_parser.add_argument(
        "--fee", type=float, help="per side, 0.001 = 0.1 %% (default: the market's taker fee)"
    )
    backtest_parser.add_argument(
        "--slippage", type=float, default=0.0, metavar="BPS", help="basis points against you"
    )
    backtest_parser.add_argument(
        "--size", type=float, default=1.0, help="fraction of the equity per position (1 = all-in)"
    )
    backtest_parser.add_argument(
        "--fill-at", choices=["open", "close"], default="open", help="the next open (default)"
    )
    backtest_parser.add_argument("--short", action="store_true", help="go short on sell signals")
    backtest_parser.add_argument("--step-size", type=float, help="quantity step (market's)")
    backtest_parser.add_argument("--min-notional", type=float, help="smallest order value")
    backtest_parser.add_argument(
        "--sweep", metavar="GRID", help="e.g. fast=10:100:10,slow=50:300:25 (start:stop:step)"
    )
    backtest_parser.add_argument(
        "--sweep-statistic", default="total_return", help="what the sweep compares"
    )
    backtest_parser.add_argument("--report", metavar="FILE", help="write an HTML report")
    backtest_parser.add_argument("--json", action="store_true", help="print the result as JSON")
    backtest_parser.set_defaults(handler=backtest, takes_parameters=True)

    manage_parser = commands.add_parser(
        "manage", help="run any Django management command (paperex manage check --deploy)"
    )
    manage_parser.add_argument("arguments", nargs=argparse.REMAINDER)
    manage_parser.set_defaults(handler=manage)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    options, rest = parser.parse_known_args(argv)
    if rest and not getattr(options, "takes_parameters", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    options.parameters = rest
    options.handler(options)


if __name__ == "__main__":
    main()
