from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from paperex.config.environment import (
    ConfigurationError,
    parse_candle_retention,
    parse_database_url,
    parse_feeds,
    parse_redis_url,
    parse_retention,
    read_environment,
)
from paperex.support.rate_window import Rate

GOOD_SECRET = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"


def test_no_database_url_means_sqlite_in_wal_mode_inside_the_data_dir(tmp_path: Path) -> None:
    config = parse_database_url(None, data_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "paperex.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_url_is_split_into_django_settings(tmp_path: Path) -> None:
    config = parse_database_url(
        "postgres://trader:s%40cret@db.internal:6543/paperex", data_dir=tmp_path
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("trader", "s@cret")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "paperex")
    assert config["TEST"] == {"NAME": "test_paperex"}
    assert config["CONN_MAX_AGE"] == 0  # pooled: a request's connection goes back at its end
    assert config["OPTIONS"]["pool"]["max_size"] >= 2


def test_postgres_url_without_password_for_trust_auth(tmp_path: Path) -> None:
    config = parse_database_url("postgres://postgres@127.0.0.1:5432/test", data_dir=tmp_path)
    assert (config["USER"], config["PASSWORD"], config["NAME"]) == ("postgres", "", "test")


def test_unsupported_database_scheme_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="postgres:// or sqlite://"):
        parse_database_url("mysql://root@localhost/test", data_dir=tmp_path)


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "redis://:pw@cache:6380/15", "rediss://cache/2"]
)
def test_redis_urls_are_accepted(url: str) -> None:
    assert parse_redis_url(url) == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis://127.0.0.1:6379/db"])
def test_malformed_redis_urls_are_rejected(url: str) -> None:
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        parse_redis_url(url)


def test_no_redis_url_means_embedded() -> None:
    assert parse_redis_url("") is None
    assert parse_redis_url(None) is None


def test_feeds_default_to_synthetic_and_accept_several() -> None:
    assert parse_feeds(None) == ["synthetic"]
    assert parse_feeds("binance, replay:/tmp/session.jsonl.gz") == [
        "binance",
        "replay:/tmp/session.jsonl.gz",
    ]


@pytest.mark.parametrize(("raw", "message"), [("kraken", "not one of"), ("replay", "needs a file")])
def test_bad_feeds_are_rejected(raw: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_feeds(raw)


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = read_environment({"PAPEREX_DATA_DIR": str(tmp_path)})
    second = read_environment({"PAPEREX_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 50
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.debug is True
    assert first.redis_url is None


def test_production_refuses_to_start_without_a_real_secret(tmp_path: Path) -> None:
    env = {"PAPEREX_ENV": "production", "PAPEREX_DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "x"}
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        read_environment(env)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        read_environment({**env, "SECRET_KEY": "changeme"})


def test_production_refuses_debug_and_missing_hosts(tmp_path: Path) -> None:
    env = {
        "PAPEREX_ENV": "production",
        "PAPEREX_DATA_DIR": str(tmp_path),
        "SECRET_KEY": GOOD_SECRET,
    }
    with pytest.raises(ConfigurationError, match="ALLOWED_HOSTS"):
        read_environment(env)
    with pytest.raises(ConfigurationError, match="DEBUG"):
        read_environment({**env, "ALLOWED_HOSTS": "paperex.example", "DEBUG": "true"})


def test_production_environment_is_read_in_full(tmp_path: Path) -> None:
    environment = read_environment(
        {
            "PAPEREX_ENV": "production",
            "PAPEREX_DATA_DIR": str(tmp_path),
            "SECRET_KEY": GOOD_SECRET,
            "ALLOWED_HOSTS": "paperex.example, api.paperex.example",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/paperex",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "PAPEREX_FEED": "binance,yahoo",
        }
    )
    assert environment.is_production
    assert not environment.debug
    assert environment.allowed_hosts == ["paperex.example", "api.paperex.example"]
    assert environment.database["ENGINE"] == "django.db.backends.postgresql"
    assert environment.redis_url == "redis://127.0.0.1:6379/3"
    assert environment.feeds == ["binance", "yahoo"]
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_debug_must_be_a_boolean(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="DEBUG must be true or false"):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), "DEBUG": value})


def test_limits_default_to_binances_and_each_may_be_set_or_turned_off(tmp_path: Path) -> None:
    limits = read_environment(
        {
            "PAPEREX_DATA_DIR": str(tmp_path),
            "PAPEREX_RATE_LIMIT_ORDERS": "50/10s",
            "PAPEREX_RATE_LIMIT_ADDRESS": "off",
        }
    ).rate_limits
    assert limits["orders"] == Rate(50, 10)
    assert limits["address"] is None
    assert limits["user"] == Rate(6000, 60)
    assert limits["ws_connections"] == Rate(300, 300)


def test_a_malformed_limit_names_its_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PAPEREX_RATE_LIMIT_ORDERS: a rate is COUNT"):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_RATE_LIMIT_ORDERS": "lots"})


def test_retention_defaults(tmp_path: Path) -> None:
    environment = read_environment({"PAPEREX_DATA_DIR": str(tmp_path)})
    assert environment.candle_retention == {
        "1s": timedelta(hours=24),
        "1m": timedelta(days=30),
        "5m": timedelta(days=90),
    }
    assert environment.equity_full_retention == timedelta(hours=24)
    assert environment.equity_hourly_retention == timedelta(days=30)
    assert environment.alert_history_retention == timedelta(days=90)
    assert environment.replay_retention == timedelta(days=30)


def test_candle_retention_replaces_the_listed_intervals_only() -> None:
    assert parse_candle_retention("1s=90m, 1h=365d,5m=off") == {
        "1s": timedelta(minutes=90),
        "1m": timedelta(days=30),
        "1h": timedelta(days=365),
    }


@pytest.mark.parametrize("value", ["0", "off", "OFF"])
def test_zero_or_off_keeps_for_ever(value: str) -> None:
    assert parse_retention("PAPEREX_KEEP_REPLAYS", value) is None
    assert parse_candle_retention(value) == {}
    assert parse_candle_retention(f"1s={value}")["1m"] == timedelta(days=30)
    assert "1s" not in parse_candle_retention(f"1s={value}")


@pytest.mark.parametrize(
    ("raw", "seconds"), [("45s", 45), ("90m", 5400), ("2h", 7200), ("7d", 604800)]
)
def test_retentions_are_durations(raw: str, seconds: int) -> None:
    assert parse_retention("PAPEREX_KEEP_REPLAYS", raw) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PAPEREX_KEEP_REPLAYS", "30", "PAPEREX_KEEP_REPLAYS must be a duration"),
        ("PAPEREX_KEEP_ALERT_HISTORY", "-1d", "PAPEREX_KEEP_ALERT_HISTORY must be a duration"),
        ("PAPEREX_KEEP_EQUITY_FULL", "1.5h", "PAPEREX_KEEP_EQUITY_FULL must be a duration"),
        ("PAPEREX_KEEP_CANDLES", "1s=2w", "PAPEREX_KEEP_CANDLES 1s must be a duration"),
        ("PAPEREX_KEEP_CANDLES", "2s=1h", "entries are INTERVAL=DURATION"),
        ("PAPEREX_KEEP_CANDLES", "24h", "entries are INTERVAL=DURATION"),
        ("PAPEREX_KEEP_EQUITY_HOURLY", "24h", "must be longer than PAPEREX_KEEP_EQUITY_FULL"),
    ],
)
def test_bad_retentions_are_rejected(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), name: value})


def test_the_export_goes_to_a_folder_in_the_data_dir_unless_told(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert read_environment({"PAPEREX_DATA_DIR": str(data)}).export_target == str(
        data.resolve() / "exports"
    )
    told = read_environment(
        {"PAPEREX_DATA_DIR": str(data), "PAPEREX_EXPORT_TARGET": "s3://journal/paperex/"}
    )
    assert told.export_target == "s3://journal/paperex"
    folder = read_environment(
        {"PAPEREX_DATA_DIR": str(data), "PAPEREX_EXPORT_TARGET": str(tmp_path / "out")}
    )
    assert folder.export_target == str((tmp_path / "out").resolve())


@pytest.mark.parametrize("target", ["s3://", "ftp://host/folder", "s3:///prefix"])
def test_a_bad_export_target_is_refused(tmp_path: Path, target: str) -> None:
    with pytest.raises(ConfigurationError, match="PAPEREX_EXPORT_TARGET"):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_EXPORT_TARGET": target})


def test_s3_access_comes_from_the_aws_variables_and_the_endpoint(tmp_path: Path) -> None:
    default = read_environment({"PAPEREX_DATA_DIR": str(tmp_path)}).s3
    assert (default.endpoint_url, default.region, default.access_key_id) == (None, None, None)
    access = read_environment(
        {
            "PAPEREX_DATA_DIR": str(tmp_path),
            "PAPEREX_S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_DEFAULT_REGION": "eu-west-1",
        }
    ).s3
    assert (access.endpoint_url, access.region) == ("http://127.0.0.1:9000", "eu-west-1")
    assert (access.access_key_id, access.secret_access_key) == ("key", "secret")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PAPEREX_S3_ENDPOINT_URL": "minio:9000"}, "PAPEREX_S3_ENDPOINT_URL"),
        ({"AWS_ACCESS_KEY_ID": "key"}, "go together"),
    ],
)
def test_bad_s3_access_is_refused(tmp_path: Path, variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), **variables})


def test_new_listings_become_markets_only_when_the_admin_says_so(tmp_path: Path) -> None:
    assert not read_environment({"PAPEREX_DATA_DIR": str(tmp_path)}).listings_add_markets
    add = {"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_LISTINGS_ADD_MARKETS": "true"}
    assert read_environment(add).listings_add_markets
    with pytest.raises(ConfigurationError, match="PAPEREX_LISTINGS_ADD_MARKETS"):
        read_environment({**add, "PAPEREX_LISTINGS_ADD_MARKETS": "maybe"})


def test_bots_run_beside_the_feeds_unless_set_off(tmp_path: Path) -> None:
    assert read_environment({"PAPEREX_DATA_DIR": str(tmp_path)}).run_bots
    off = {"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_RUN_BOTS": "false"}
    assert not read_environment(off).run_bots


def test_backtests_are_limited_per_user_and_in_time(tmp_path: Path) -> None:
    defaults = read_environment({"PAPEREX_DATA_DIR": str(tmp_path)})
    assert (defaults.backtests_per_user, defaults.backtest_time_limit) == (3, 3600)
    for name in ("PAPEREX_BACKTESTS_PER_USER", "PAPEREX_BACKTEST_TIME_LIMIT"):
        with pytest.raises(ConfigurationError, match=name):
            read_environment({"PAPEREX_DATA_DIR": str(tmp_path), name: "0"})


def test_the_listings_check_runs_every_five_minutes_unless_set(tmp_path: Path) -> None:
    assert read_environment({"PAPEREX_DATA_DIR": str(tmp_path)}).listings_check_seconds == 300
    every_second = {"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_LISTINGS_CHECK_SECONDS": "1"}
    assert read_environment(every_second).listings_check_seconds == 1
    with pytest.raises(ConfigurationError, match="PAPEREX_LISTINGS_CHECK_SECONDS"):
        read_environment({"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_LISTINGS_CHECK_SECONDS": "0"})
