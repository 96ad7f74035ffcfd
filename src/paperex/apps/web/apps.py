from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "paperex.apps.web"
    label = "web"
    verbose_name = "Web terminal"
