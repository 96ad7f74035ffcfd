"""Django configuration: the only package that reads the environment."""

from paperex.config.celery import app as celery_app

__all__ = ["celery_app"]
