"""Settings as a fresh process builds them from its environment."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from paperex.config.channel_layer import RedisChannelLayer
from paperex.config.settings import CHANNEL_LAYER_HOST_OPTIONS

GOOD_SECRET = "s" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "channel_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "celery_broker": settings.CELERY_BROKER_URL,
    "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**clean, "DJANGO_SETTINGS_MODULE": "paperex.config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_for(env: dict[str, str]) -> dict[str, Any]:
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_embedded_default_uses_sqlite_in_memory_layer_and_eager_tasks(tmp_path: Path) -> None:
    built = settings_for({"PAPEREX_DATA_DIR": str(tmp_path)})
    assert built["database"] == "django.db.backends.sqlite3"
    assert built["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert built["celery_eager"] is True


def test_urls_switch_to_postgres_redis_layer_and_celery_broker(tmp_path: Path) -> None:
    built = settings_for(
        {
            "PAPEREX_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
            "REDIS_URL": "redis://127.0.0.1:6379/7",
        }
    )
    assert built["database"] == "django.db.backends.postgresql"
    assert built["channel_layer"] == "paperex.config.channel_layer.RedisChannelLayer"
    assert built["channel_hosts"] == [
        {"address": "redis://127.0.0.1:6379/7", **CHANNEL_LAYER_HOST_OPTIONS}
    ]
    assert built["celery_broker"] == "redis://127.0.0.1:6379/7"
    assert built["celery_eager"] is False


def test_production_without_secret_refuses_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperex.cli", "migrate"],
        env={**os.environ, "PAPEREX_ENV": "production", "PAPEREX_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run_python(
        "from django.core.management import execute_from_command_line as run; import sys;"
        " run(['manage', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {
            "PAPEREX_ENV": "production",
            "PAPEREX_DATA_DIR": str(tmp_path),
            "SECRET_KEY": GOOD_SECRET,
            "ALLOWED_HOSTS": "paperex.example",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_this_run_uses_the_services_the_environment_names() -> None:
    """CI's second pass sets DATABASE_URL/REDIS_URL; make sure they are really in use."""
    expected_vendor = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected_vendor
    expected_layer = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith(expected_layer)


def channel_layer_on(redis_url: str, prefix: str) -> RedisChannelLayer:
    """The channel layer as the settings configure it, on ``redis_url``."""
    return RedisChannelLayer(
        hosts=[{"address": redis_url, **CHANNEL_LAYER_HOST_OPTIONS}], prefix=prefix
    )


async def test_the_redis_channel_layer_takes_a_burst_of_subscriptions(redis_url: str) -> None:
    """Hundreds of users subscribing at once: redis-py's default pool refused the 101st
    connection."""
    layer = channel_layer_on(redis_url, "paperex-burst-test")
    channels = [f"burst.{number}" for number in range(300)]
    try:
        await asyncio.gather(*(layer.group_add("burst", channel) for channel in channels))
        await asyncio.gather(*(layer.group_discard("burst", channel) for channel in channels))
    finally:
        await layer.flush()


async def test_a_consumer_of_the_redis_channel_layer_outlasts_an_idle_spell(
    redis_url: str,
) -> None:
    """A channel with nothing to say for longer than redis-py's read timeout (5 s) still gets
    the message that comes after: the layer's blocking pop used to outlast that timeout."""
    layer = channel_layer_on(redis_url, "paperex-idle-test")
    channel = await layer.new_channel()

    async def send_later() -> None:
        await asyncio.sleep(7)
        await layer.send(channel, {"type": "after.silence"})

    sending = asyncio.create_task(send_later())
    try:
        assert await asyncio.wait_for(layer.receive(channel), 15) == {"type": "after.silence"}
    finally:
        await sending
        await layer.flush()
