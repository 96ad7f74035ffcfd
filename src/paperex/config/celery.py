"""The Celery application. Without REDIS_URL, tasks run in-process as they are sent."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperex.config.settings")

app = Celery("paperex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
