from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "paperex.apps.research"
    label = "research"
    verbose_name = "Research: backtests and bots"
