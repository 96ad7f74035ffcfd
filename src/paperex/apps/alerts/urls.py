from django.urls import path

from paperex.apps.alerts.apis import AlertDetailApi, AlertHistoryApi, AlertListApi

urlpatterns = [
    path("alerts/", AlertListApi.as_view(), name="alert-list"),
    path("alerts/history/", AlertHistoryApi.as_view(), name="alert-history"),
    path("alerts/<id:alert_id>/", AlertDetailApi.as_view(), name="alert-detail"),
]
