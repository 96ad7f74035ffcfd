"""The record of each background job's runs, so that a failed one can be seen and run again."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One run of a background job (``name``) for a subject (``key``, e.g. a day)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Done"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=64)
    key = models.CharField(max_length=128, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    message = models.TextField(blank=True, default="", help_text="What it did, or why it failed.")
    details = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "key", "status"], name="job_run_lookup")]

    def __str__(self) -> str:
        return f"{self.name} {self.key} {self.status}"
