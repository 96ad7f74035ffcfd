from django.urls import path

from paperex.apps.apikeys.apis import ApiKeyDetailApi, ApiKeyListApi

urlpatterns = [
    path("keys/", ApiKeyListApi.as_view(), name="apikey-list"),
    path("keys/<id:api_key_id>/", ApiKeyDetailApi.as_view(), name="apikey-detail"),
]
