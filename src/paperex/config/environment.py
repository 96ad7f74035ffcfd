"""Read Paperex configuration from environment variables into a typed object.

Every environment variable Paperex understands is read here and nowhere else; `.env.example`
documents each one.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from paperex.marketdata.aggregation.intervals import CANDLE_INTERVALS
from paperex.support.rate_window import UNIT_SECONDS, Rate, parse_rate

PRODUCTION = "production"
DEVELOPMENT = "development"
FEED_KINDS = ("synthetic", "binance", "gemini", "yahoo", "replay")
LOG_FORMATS = ("plain", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
BINANCE_STREAM_URL = "wss://stream.binance.com:9443"
BINANCE_REST_URL = "https://api.binance.com"
GEMINI_URL = "wss://api.gemini.com"
RATE_LIMIT_DEFAULTS = {
    "address": "6000/1m",
    "user": "6000/1m",
    "orders": "100/10s",
    "login_address": "30/1m",
    "login_username_burst": "5/1m",
    "login_username": "20/1h",
    "ws_connections": "300/5m",
    "registrations": "30/1m",
    "binance_weight": "6000/1m",
}
"""Each limit's default (Binance's spot limits where it has one): read from
PAPEREX_RATE_LIMIT_<NAME>, e.g. PAPEREX_RATE_LIMIT_ORDERS=200/10s, or off."""
KEEP_FOR_EVER = {"0", "off"}
CANDLE_RETENTION = "1s=24h,1m=30d,5m=90d"
"""How long candles are kept by interval (coarser ones for ever): the 24h ticker needs none
(the feed keeps it from trades), a chart shows at most 1,000 candles of an interval (17 minutes
of 1s, 17 hours of 1m, 3.5 days of 5m), and 1m keeps a month of detail for the API."""


class ConfigurationError(ValueError):
    """A setting in the environment is missing or malformed."""


@dataclass(frozen=True)
class S3Access:
    """How to reach S3 or an S3-compatible store; None leaves a value to boto3's own lookup
    (a profile, an instance role, ...)."""

    endpoint_url: str | None
    region: str | None
    access_key_id: str | None
    secret_access_key: str | None


@dataclass(frozen=True)
class Environment:
    mode: str
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    data_dir: Path
    database: dict[str, Any]
    redis_url: str | None
    feeds: list[str]
    run_feeds: bool
    run_engine: bool
    run_bots: bool
    engine_max_batch: int
    feed_stale_seconds: int
    lead_seconds: int
    listings_check_seconds: int
    listings_add_markets: bool
    backtests_per_user: int
    backtest_time_limit: int
    rate_limits: dict[str, Rate | None]
    log_format: str
    log_level: str
    metrics_token: str
    metrics_allow: list[str]
    candle_retention: dict[str, timedelta]
    equity_full_retention: timedelta | None
    equity_hourly_retention: timedelta | None
    alert_history_retention: timedelta | None
    replay_retention: timedelta | None
    export_target: str
    s3: S3Access
    analysis_lambda: str
    lambda_endpoint_url: str | None
    binance_stream_url: str = BINANCE_STREAM_URL
    binance_rest_url: str = BINANCE_REST_URL
    gemini_url: str = GEMINI_URL

    @property
    def is_production(self) -> bool:
        return self.mode == PRODUCTION


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def parse_positive_int(name: str, raw: str, *, least: int = 1) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None
    if value < least:
        raise ConfigurationError(f"{name} must be at least {least}, got {value}")
    return value


def parse_rate_limits(env: Mapping[str, str]) -> dict[str, Rate | None]:
    limits = {}
    for name, default in RATE_LIMIT_DEFAULTS.items():
        variable = f"PAPEREX_RATE_LIMIT_{name.upper()}"
        try:
            limits[name] = parse_rate(env.get(variable, default))
        except ValueError as error:
            raise ConfigurationError(f"{variable}: {error}") from None
    return limits


def parse_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_retention(name: str, raw: str) -> timedelta | None:
    """A retention such as ``90s``, ``30m``, ``24h`` or ``30d``; None (keep for ever) for
    ``0`` or ``off``."""
    text = raw.strip().lower()
    if text in KEEP_FOR_EVER:
        return None
    number, unit = text[:-1], text[-1:]
    if unit not in UNIT_SECONDS or not number.isdigit() or int(number) == 0:
        raise ConfigurationError(
            f"{name} must be a duration such as 24h or 30d (units s, m, h, d), "
            f"or 0 or off to keep for ever, got {raw!r}"
        )
    return timedelta(seconds=int(number) * UNIT_SECONDS[unit])


def parse_candle_retention(raw: str) -> dict[str, timedelta]:
    """Interval -> how long its candles are kept, from ``1s=24h,1m=30d``: the defaults
    (``CANDLE_RETENTION``) with the listed intervals replaced; ``off`` keeps every candle."""
    name = "PAPEREX_KEEP_CANDLES"
    if raw.strip().lower() in KEEP_FOR_EVER:
        return {}
    entries = [entry.partition("=") for entry in parse_list(f"{CANDLE_RETENTION},{raw}")]
    retention: dict[str, timedelta | None] = {}
    for interval, equals, duration in entries:
        interval = interval.strip()
        if interval not in CANDLE_INTERVALS or not equals:
            raise ConfigurationError(
                f"{name} entries are INTERVAL=DURATION with an interval of "
                f"{', '.join(CANDLE_INTERVALS)}, got {interval + equals + duration!r}"
            )
        retention[interval] = parse_retention(f"{name} {interval}", duration)
    return {interval: kept for interval, kept in retention.items() if kept is not None}


def parse_equity_retention(full_raw: str, hourly_raw: str) -> tuple[timedelta | None, ...]:
    """How long equity snapshots are kept whole, then one an hour (then one a day)."""
    full = parse_retention("PAPEREX_KEEP_EQUITY_FULL", full_raw)
    hourly = parse_retention("PAPEREX_KEEP_EQUITY_HOURLY", hourly_raw)
    if full is not None and hourly is not None and hourly <= full:
        raise ConfigurationError(
            "PAPEREX_KEEP_EQUITY_HOURLY must be longer than PAPEREX_KEEP_EQUITY_FULL, "
            f"got {hourly_raw!r} and {full_raw!r}"
        )
    return full, hourly


POSTGRES_POOL = {
    "min_size": 2,
    "max_size": 20,
    "timeout": 10,
}
"""Connections each process keeps ready and may open; a request waits at most 10 s for one."""


def parse_database_url(url: str | None, *, data_dir: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] for a URL, or SQLite in WAL mode inside data_dir."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "paperex.sqlite3"),
            "OPTIONS": {
                # WAL lets readers proceed while the single writer commits.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests run on a file too (not shared-cache memory, whose table locks make the
            # engine's writer thread and concurrent readers fail instead of wait); one per
            # process, so that test runs side by side do not share it.
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"paperex-test-{os.getpid()}.sqlite3")
            },
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ConfigurationError(
            f"DATABASE_URL must be a postgres:// or sqlite:// URL, got scheme {scheme!r}"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A pool per process, not persistent connections: under ASGI every request runs its
        # synchronous part on a thread of its own, and a persistent connection per thread
        # would stay open until its thread was garbage-collected.
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": POSTGRES_POOL}
        # The pool checks each connection as it hands it out, so one the server dropped
        # (restarted, or the session terminated) is replaced instead of failing a request.
        config["CONN_HEALTH_CHECKS"] = True
        config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


def parse_redis_url(url: str | None) -> str | None:
    """The Redis URL, checked; None means the embedded in-memory alternatives."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(f"REDIS_URL must be a redis:// URL, got {url!r}")
    database = parts.path.lstrip("/")
    if database and not database.isdigit():
        raise ConfigurationError(f"REDIS_URL database must be a number, got {database!r}")
    return url


def parse_feeds(raw: str | None) -> list[str]:
    """Feed specs such as ``synthetic``, ``binance`` or ``replay:FILE``; synthetic by default."""
    feeds = parse_list(raw or "synthetic")
    for feed in feeds:
        kind = feed.split(":", 1)[0]
        if kind not in FEED_KINDS:
            raise ConfigurationError(
                f"PAPEREX_FEED entry {feed!r} is not one of {', '.join(FEED_KINDS)}"
            )
        if kind == "replay" and not feed.partition(":")[2]:
            raise ConfigurationError("PAPEREX_FEED replay needs a file: replay:PATH")
    return feeds


def parse_venue_url(name: str, raw: str | None, default: str, schemes: set[str]) -> str:
    """A venue's base URL (no trailing slash), ``default`` when unset; checks the scheme."""
    url = (raw or "").strip().rstrip("/") or default
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigurationError(
            f"{name} must be a {' or '.join(sorted(schemes))} URL, got {url!r}"
        )
    return url


def parse_export_target(raw: str | None, *, data_dir: Path) -> str:
    """Where the daily trade export goes: ``s3://BUCKET[/PREFIX]`` as given, or a local folder
    as an absolute path (``<data dir>/exports`` when unset)."""
    text = (raw or "").strip()
    if not text:
        return str(data_dir / "exports")
    if "://" not in text:
        return str(Path(text).expanduser().resolve())
    parts = urlsplit(text)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigurationError(
            f"PAPEREX_EXPORT_TARGET must be s3://BUCKET/PREFIX or a folder, got {text!r}"
        )
    return text.rstrip("/")


def parse_s3_access(env: Mapping[str, str]) -> S3Access:
    endpoint = (env.get("PAPEREX_S3_ENDPOINT_URL") or "").strip()
    if endpoint:
        endpoint = parse_venue_url("PAPEREX_S3_ENDPOINT_URL", endpoint, "", {"http", "https"})
    key_id = (env.get("AWS_ACCESS_KEY_ID") or "").strip()
    secret = (env.get("AWS_SECRET_ACCESS_KEY") or "").strip()
    if bool(key_id) != bool(secret):
        raise ConfigurationError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together")
    region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
    return S3Access(
        endpoint_url=endpoint or None,
        region=region or None,
        access_key_id=key_id or None,
        secret_access_key=secret or None,
    )


def development_secret(data_dir: Path) -> str:
    """A secret generated once and kept in the data folder, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(50)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """Parse the environment; raises ConfigurationError with a readable message."""
    env = os.environ if env is None else env
    mode = env.get("PAPEREX_ENV", DEVELOPMENT).strip().lower()
    if mode not in {DEVELOPMENT, PRODUCTION}:
        raise ConfigurationError(f"PAPEREX_ENV must be development or production, got {mode!r}")
    production = mode == PRODUCTION
    debug = parse_bool("DEBUG", env.get("DEBUG", "false" if production else "true"))
    data_dir = Path(env.get("PAPEREX_DATA_DIR", "data")).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    secret_key = env.get("SECRET_KEY", "").strip()
    if production:
        if len(secret_key) < 50 or len(set(secret_key)) < 5:
            raise ConfigurationError(
                "PAPEREX_ENV=production needs SECRET_KEY: a random string of 50+ characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(50))")'
            )
        if debug:
            raise ConfigurationError("DEBUG must be off when PAPEREX_ENV=production")
    elif not secret_key:
        secret_key = development_secret(data_dir)

    default_hosts = "" if production else "127.0.0.1,localhost,[::1],testserver"
    allowed_hosts = parse_list(env.get("ALLOWED_HOSTS", default_hosts))
    if production and not allowed_hosts:
        raise ConfigurationError("PAPEREX_ENV=production needs ALLOWED_HOSTS")

    equity_full_retention, equity_hourly_retention = parse_equity_retention(
        env.get("PAPEREX_KEEP_EQUITY_FULL", "24h"), env.get("PAPEREX_KEEP_EQUITY_HOURLY", "30d")
    )
    return Environment(
        mode=mode,
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=parse_list(env.get("CSRF_TRUSTED_ORIGINS", "")),
        data_dir=data_dir,
        database=parse_database_url(env.get("DATABASE_URL"), data_dir=data_dir),
        redis_url=parse_redis_url(env.get("REDIS_URL")),
        feeds=parse_feeds(env.get("PAPEREX_FEED")),
        run_feeds=parse_bool("PAPEREX_RUN_FEEDS", env.get("PAPEREX_RUN_FEEDS", "true")),
        run_engine=parse_bool("PAPEREX_RUN_ENGINE", env.get("PAPEREX_RUN_ENGINE", "true")),
        run_bots=parse_bool("PAPEREX_RUN_BOTS", env.get("PAPEREX_RUN_BOTS", "true")),
        engine_max_batch=parse_positive_int(
            "PAPEREX_ENGINE_MAX_BATCH", env.get("PAPEREX_ENGINE_MAX_BATCH", "2048")
        ),
        feed_stale_seconds=parse_positive_int(
            "PAPEREX_FEED_STALE_SECONDS", env.get("PAPEREX_FEED_STALE_SECONDS", "60")
        ),
        lead_seconds=parse_positive_int(
            # The engine's writer speaks every second while idle: it must not lose its lead so.
            "PAPEREX_LEAD_SECONDS",
            env.get("PAPEREX_LEAD_SECONDS", "3"),
            least=2,
        ),
        listings_check_seconds=parse_positive_int(
            "PAPEREX_LISTINGS_CHECK_SECONDS", env.get("PAPEREX_LISTINGS_CHECK_SECONDS", "300")
        ),
        listings_add_markets=parse_bool(
            "PAPEREX_LISTINGS_ADD_MARKETS", env.get("PAPEREX_LISTINGS_ADD_MARKETS", "false")
        ),
        backtests_per_user=parse_positive_int(
            "PAPEREX_BACKTESTS_PER_USER", env.get("PAPEREX_BACKTESTS_PER_USER", "3")
        ),
        backtest_time_limit=parse_positive_int(
            "PAPEREX_BACKTEST_TIME_LIMIT", env.get("PAPEREX_BACKTEST_TIME_LIMIT", "3600")
        ),
        rate_limits=parse_rate_limits(env),
        log_format=parse_choice(
            "PAPEREX_LOG_FORMAT", env.get("PAPEREX_LOG_FORMAT", "plain"), LOG_FORMATS
        ),
        log_level=parse_choice(
            "PAPEREX_LOG_LEVEL", env.get("PAPEREX_LOG_LEVEL", "INFO").upper(), LOG_LEVELS
        ),
        metrics_token=env.get("PAPEREX_METRICS_TOKEN", "").strip(),
        metrics_allow=parse_list(env.get("PAPEREX_METRICS_ALLOW", "127.0.0.1,::1")),
        binance_stream_url=parse_venue_url(
            "PAPEREX_BINANCE_STREAM_URL",
            env.get("PAPEREX_BINANCE_STREAM_URL"),
            BINANCE_STREAM_URL,
            {"ws", "wss"},
        ),
        binance_rest_url=parse_venue_url(
            "PAPEREX_BINANCE_REST_URL",
            env.get("PAPEREX_BINANCE_REST_URL"),
            BINANCE_REST_URL,
            {"http", "https"},
        ),
        gemini_url=parse_venue_url(
            "PAPEREX_GEMINI_URL", env.get("PAPEREX_GEMINI_URL"), GEMINI_URL, {"ws", "wss"}
        ),
        candle_retention=parse_candle_retention(env.get("PAPEREX_KEEP_CANDLES", CANDLE_RETENTION)),
        equity_full_retention=equity_full_retention,
        equity_hourly_retention=equity_hourly_retention,
        alert_history_retention=parse_retention(
            "PAPEREX_KEEP_ALERT_HISTORY", env.get("PAPEREX_KEEP_ALERT_HISTORY", "90d")
        ),
        replay_retention=parse_retention(
            "PAPEREX_KEEP_REPLAYS", env.get("PAPEREX_KEEP_REPLAYS", "30d")
        ),
        export_target=parse_export_target(env.get("PAPEREX_EXPORT_TARGET"), data_dir=data_dir),
        s3=parse_s3_access(env),
        analysis_lambda=(env.get("PAPEREX_ANALYSIS_LAMBDA") or "").strip(),
        lambda_endpoint_url=parse_venue_url(
            "PAPEREX_LAMBDA_ENDPOINT_URL",
            env.get("PAPEREX_LAMBDA_ENDPOINT_URL"),
            "",
            {"http", "https"},
        )
        if (env.get("PAPEREX_LAMBDA_ENDPOINT_URL") or "").strip()
        else None,
    )
