"""Replays an admin started: what runs, how far it got, how it ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReplaySession(models.Model):
    """A recording played into the market-data bus, started from the admin API."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        FINISHED = "finished"
        STOPPED = "stopped"
        FAILED = "failed"

    file_name = models.CharField(max_length=255, help_text="A file in the recordings folder.")
    speed = models.CharField(max_length=16, default="1", help_text="1, 10, ... or max")
    loop = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    stop_requested = models.BooleanField(default=False)
    messages = models.BigIntegerField(default=0)
    events = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        db_table = "markets_replaysession"  # the table it had when markets held replays
        indexes = [models.Index(fields=["created_at"], name="replay_session_created")]

    def __str__(self) -> str:
        return f"replay {self.file_name} ({self.status})"
