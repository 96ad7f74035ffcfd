"""The Celery application. Without REDIS_URL, tasks run in-process as they are sent."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun

from paperex.apps.core.metrics import jobs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperex.config.settings")

app = Celery("paperex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def _count_task_run(task: Any = None, state: str | None = None, **_: Any) -> None:
    """Every task run counts in ``paperex_jobs`` (with PROMETHEUS_MULTIPROC_DIR shared with the
    servers, a worker's runs show in their /metrics)."""
    jobs.labels(getattr(task, "name", "unknown"), "ok" if state == "SUCCESS" else "failed").inc()
