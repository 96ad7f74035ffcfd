"""Backtests a user asked for over the API, run as background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field


class BacktestRun(models.Model):
    """One backtest: the request as given (the data source, the strategy with its parameters,
    the execution settings), the uploaded CSV when the data is one, and once run the result
    document or the error."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtest_runs"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100")
    request = models.JSONField(
        help_text='{"source": {"kind": "market", ...} or {"kind": "csv", "name"}, "strategy", '
        '"parameters", "execution"}'
    )
    csv = models.BinaryField(
        null=True, blank=True, help_text="The uploaded file, for a CSV source."
    )
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="backtest_run_user_created")]

    def __str__(self) -> str:
        return f"backtest {self.pk} ({self.status})"


class Bot(models.Model):
    """A strategy trading a market live with the user's paper money: it decides on each closed
    candle of its interval and places market orders whose client order ids name it and the
    candle (``bot<id>-<open time>``), so an order is never placed twice for one candle."""

    INTERVALS = ("1m", "5m", "15m", "1h", "4h", "1d")
    """The candle intervals a bot may decide on (one a second would be a loop, not a strategy)."""

    class Status(models.TextChoices):
        RUNNING = "running"
        PAUSED = "paused"
        STOPPED = "stopped"
        FAILED = "failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bots"
    )
    market = models.ForeignKey("markets.Market", on_delete=models.PROTECT, related_name="bots")
    interval = models.CharField(max_length=4)
    strategy = models.CharField(max_length=64)
    parameters = models.JSONField()
    allocation = amount_field(help_text="Quote amount the bot buys with on each entry.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    position = amount_field(default=0, help_text="Base quantity the bot has bought and holds.")
    first_candle = models.BigIntegerField(
        null=True, blank=True, help_text="Open time (ms) of the first closed candle it decided on."
    )
    last_candle = models.BigIntegerField(
        null=True, blank=True, help_text="Open time (ms) of the last closed candle it decided on."
    )
    orders_placed = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, help_text="Why it failed, or its last order's refusal.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["market", "interval", "status"], name="bot_market_status")]

    def __str__(self) -> str:
        return f"bot {self.pk} {self.strategy} on {self.market_id} ({self.status})"

    @property
    def client_order_prefix(self) -> str:
        """The start of the client order id of every order this bot places."""
        return f"bot{self.pk}-"
