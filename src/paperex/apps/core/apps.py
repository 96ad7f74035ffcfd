from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paperex.apps.core"
    label = "core"
    verbose_name = "Paperex core"

    def ready(self) -> None:
        # The REST framework's classes are generic only in their type stubs; this lets them be
        # subscripted at run time (ModelSerializer[Market]). Serializer and API modules are
        # imported after the registry is ready, so this runs first.
        import django_stubs_ext
        from django.urls import register_converter
        from rest_framework import generics, serializers

        from paperex.apps.core.ids import IdConverter

        django_stubs_ext.monkeypatch(
            extra_classes=[
                serializers.Serializer,
                serializers.ModelSerializer,
                generics.ListAPIView,
            ]
        )
        # URL modules are imported on the first request or reverse(), after this.
        register_converter(IdConverter, "id")

        from paperex.apps.core.leadership import LeadersCollector
        from paperex.apps.core.metrics import add_collector

        add_collector(LeadersCollector())
