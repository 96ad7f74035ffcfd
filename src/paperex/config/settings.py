"""Django settings for Paperex, built from the environment (see environment.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_stubs_ext
from celery.schedules import crontab

from paperex.config.environment import read_environment

# Lets Django classes that are generic in the type stubs be subscripted at run time,
# e.g. ModelAdmin[Market]; the REST framework's follow in paperex.apps.core.apps.
django_stubs_ext.monkeypatch()

ENV = read_environment()

DEBUG = ENV.debug
SECRET_KEY = ENV.secret_key
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
PAPEREX_DATA_DIR = ENV.data_dir
PAPEREX_FEEDS = ENV.feeds
PAPEREX_RUN_FEEDS = ENV.run_feeds
# The matching engine inside `paperex serve` (embedded); false when `paperex engine` runs it and
# the web processes send it commands over Redis.
PAPEREX_RUN_ENGINE = ENV.run_engine
PAPEREX_ENGINE_TIMEOUT = 5.0  # seconds a request waits for the engine before a 503
PAPEREX_HEALTH_CHECK_SECONDS = 1.0  # seconds the readiness probe waits for the engine's answer
PAPEREX_LEAD_SECONDS = ENV.lead_seconds  # a singleton leader silent this long loses the lead
PAPEREX_FEED_STALE_SECONDS = ENV.feed_stale_seconds  # a market this quiet is "down" (health)
# Commands per group commit at most; 1 commits every command on its own (a benchmark baseline).
PAPEREX_ENGINE_MAX_BATCH = ENV.engine_max_batch
PAPEREX_REDIS_URL = ENV.redis_url
PAPEREX_LOG_FORMAT = ENV.log_format  # "plain", or "json": one object per line
PAPEREX_METRICS_TOKEN = ENV.metrics_token  # a scraper's bearer token for /metrics
PAPEREX_METRICS_ALLOW = ENV.metrics_allow  # addresses that may read /metrics without it
PAPEREX_RATE_LIMITS = ENV.rate_limits  # see apps/core/limits.py; None: that limit is off
# Live venues: base URLs (the real hosts unless set; tests point them at local fakes).
PAPEREX_BINANCE_STREAM_URL = ENV.binance_stream_url
PAPEREX_BINANCE_REST_URL = ENV.binance_rest_url
PAPEREX_GEMINI_URL = ENV.gemini_url
PAPEREX_BINANCE_BACKFILL_HOURS = 24  # 1m candle history fetched when the binance feed starts
PAPEREX_YAHOO_POLL_SECONDS = 15.0  # seconds between two rounds of stock quotes
PAPEREX_EQUITY_SNAPSHOT_SECONDS = 60.0  # seconds between two snapshots of every user's equity
PAPEREX_LISTINGS_CHECK_SECONDS = ENV.listings_check_seconds  # between two checks for everyone
PAPEREX_RUN_BOTS = ENV.run_bots  # the feeds' process runs the bots (else `paperex bots` does)
PAPEREX_BACKTESTS_PER_USER = ENV.backtests_per_user  # queued or running at once, per user
PAPEREX_BACKTEST_TIME_LIMIT = ENV.backtest_time_limit  # seconds a backtest may run
PAPEREX_LISTINGS_ADD_MARKETS = ENV.listings_add_markets  # new listings become paper markets
PAPEREX_LISTINGS_SYNTHETIC_HOURS = 6.0  # the synthetic venue lists a new symbol this often
PAPEREX_LISTINGS_SEED = 0  # names and prices the synthetic venue's new listings
# Retention (README "Storage and retention"): how long rows that pile up with time are kept;
# None keeps them for ever. The prune job runs with the periodic jobs, deleting in batches.
PAPEREX_KEEP_CANDLES = ENV.candle_retention  # interval -> timedelta; intervals absent: for ever
PAPEREX_KEEP_EQUITY_FULL = ENV.equity_full_retention  # every snapshot; then one an hour
PAPEREX_KEEP_EQUITY_HOURLY = ENV.equity_hourly_retention  # one an hour; then one a day
PAPEREX_KEEP_ALERT_HISTORY = ENV.alert_history_retention
PAPEREX_KEEP_REPLAYS = ENV.replay_retention
PAPEREX_EXPORT_TARGET = ENV.export_target  # s3://BUCKET/PREFIX or a folder (trade journal)
PAPEREX_S3 = ENV.s3  # endpoint, region and keys for S3 targets (None: boto3's own lookup)
PAPEREX_ANALYSIS_LAMBDA = ENV.analysis_lambda  # a Lambda function that analyses a day; "": local
PAPEREX_LAMBDA_ENDPOINT_URL = ENV.lambda_endpoint_url  # None: AWS's own (else e.g. LocalStack)
PAPEREX_PRUNE_SECONDS = 600.0  # seconds between two prune runs
PAPEREX_PRUNE_BATCH = 5_000  # rows deleted per transaction, so no table is locked for long
# The price band (Binance's PERCENT_PRICE_BY_SIDE, as on BTCUSDT) of markets without their own
# multipliers: a buy may be priced 0.2 to 5 times the reference price, and so may a sell.
PAPEREX_PERCENT_PRICE_BY_SIDE = {
    "bid_multiplier_up": "5",
    "bid_multiplier_down": "0.2",
    "ask_multiplier_up": "5",
    "ask_multiplier_down": "0.2",
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "paperex.apps.core",
    "paperex.apps.accounts",
    "paperex.apps.markets",
    "paperex.apps.marketdata",
    "paperex.apps.trading",
    "paperex.apps.streams",
    "paperex.apps.alerts",
    "paperex.apps.equity",
    "paperex.apps.journal",
    "paperex.apps.listings",
    "paperex.apps.research",
    "paperex.apps.apikeys",
    "paperex.apps.web",
    "paperex.apps.binance",
]

MIDDLEWARE = [
    "paperex.apps.core.middleware.RequestObservation",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paperex.apps.core.middleware.SyncChainMiddleware",
]

ROOT_URLCONF = "paperex.config.urls"
ASGI_APPLICATION = "paperex.config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": ENV.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it in production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENV.is_production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the apps, no collectstatic step.
WHITENOISE_USE_FINDERS = not ENV.is_production

# Channels: Redis when configured, otherwise the in-process layer.
CHANNEL_LAYERS: dict[str, Any]
CHANNEL_LAYER_HOST_OPTIONS = {
    # redis-py's asyncio pool refuses a 101st connection at once (MaxConnectionsError): a
    # burst of users subscribing together needs more than that.
    "max_connections": 1000,
}
if ENV.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "paperex.config.channel_layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": ENV.redis_url, **CHANNEL_LAYER_HOST_OPTIONS}],
                "prefix": "paperex",
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: Redis broker when configured, otherwise tasks run in-process as they are sent.
CELERY_BROKER_URL = ENV.redis_url or "memory://"
CELERY_RESULT_BACKEND = ENV.redis_url
CELERY_TASK_ALWAYS_EAGER = ENV.redis_url is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "paperex.config.beat:LeadScheduler"  # one beat leads, others stand by
CELERY_BEAT_SCHEDULE = {
    "journal-daily-export": {
        "task": "journal.export_trades_daily",
        "schedule": crontab(hour=0, minute=5),  # UTC: yesterday's trades, then their analysis
    },
    "research-expire-backtests": {"task": "research.expire_backtests", "schedule": 600.0},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "paperex.apps.core.schema.ErrorAnswersAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "paperex.apps.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["paperex.apps.core.limits.UserRequestLimit"],
    "COERCE_DECIMAL_TO_STRING": True,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Paperex API",
    "DESCRIPTION": "Paper-trading exchange with real-time market data.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # <id:...> in URLs (paperex.apps.core.ids.IdConverter): 1 to the largest bigint.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Several models have a `status` with choices of their own: each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "BacktestStatusEnum": "paperex.apps.research.models.BacktestRun.Status",
        "ApiKeyKindEnum": "paperex.apps.apikeys.models.ApiKey.Kind",
        "BotStatusEnum": "paperex.apps.research.models.Bot.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "paperex.support.json_logs.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "paperex.support.json_logs.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": ENV.log_format,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

if ENV.is_production:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Virtual funds for every new account (and for an account reset), by asset code.
PAPEREX_STARTING_BALANCES = {"USDT": "100000", "USD": "100000"}
PAPEREX_DEMO_USER = {"username": "demo", "password": "demo12345"}
