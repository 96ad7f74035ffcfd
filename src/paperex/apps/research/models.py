"""Backtests a user asked for over the API, run as background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
