from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from paperex.apps.accounts.apis import AccountDetailApi, AccountRegisterApi, AccountResetApi

urlpatterns = [
    path("auth/register/", AccountRegisterApi.as_view(), name="account-register"),
    path("token/", TokenObtainPairView.as_view(), name="token-obtain"),
    path("token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("account/", AccountDetailApi.as_view(), name="account-detail"),
    path("account/reset/", AccountResetApi.as_view(), name="account-reset"),
]
