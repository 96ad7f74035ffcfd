from django.urls import path

from paperex.apps.accounts.apis import (
    AccountDetailApi,
    AccountRegisterApi,
    AccountResetApi,
    TokenObtainApi,
    TokenRefreshApi,
)

urlpatterns = [
    path("auth/register/", AccountRegisterApi.as_view(), name="account-register"),
    path("token/", TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("account/", AccountDetailApi.as_view(), name="account-detail"),
    path("account/reset/", AccountResetApi.as_view(), name="account-reset"),
]
