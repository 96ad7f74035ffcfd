from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView

from paperex.apps.accounts.apis import (
    AccountDetailApi,
    AccountRegisterApi,
    AccountResetApi,
    TokenObtainApi,
)

urlpatterns = [
    path("auth/register/", AccountRegisterApi.as_view(), name="account-register"),
    path("token/", TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("account/", AccountDetailApi.as_view(), name="account-detail"),
    path("account/reset/", AccountResetApi.as_view(), name="account-reset"),
]
