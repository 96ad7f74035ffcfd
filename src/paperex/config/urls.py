from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from paperex.apps.accounts.views import LimitedLoginView
from paperex.apps.binance.urls import sapi_patterns
from paperex.apps.core.views import api_not_found, favicon, metrics
from paperex.apps.web.apis import HealthApi, LivenessApi
from paperex.apps.web.views import home

api_patterns: list[URLPattern | URLResolver] = [
    path("health/", HealthApi.as_view(), name="health"),
    path("health/ready/", HealthApi.as_view(), name="health-ready"),
    path("health/live/", LivenessApi.as_view(), name="health-live"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("paperex.apps.accounts.urls")),
    path("", include("paperex.apps.markets.urls")),
    path("", include("paperex.apps.marketdata.urls")),
    path("", include("paperex.apps.trading.urls")),
    path("", include("paperex.apps.alerts.urls")),
    path("", include("paperex.apps.equity.urls")),
    path("", include("paperex.apps.journal.urls")),
    path("", include("paperex.apps.listings.urls")),
    path("", include("paperex.apps.research.urls")),
    path("", include("paperex.apps.apikeys.urls")),
    path("", include("paperex.apps.binance.urls")),
    re_path(r"", api_not_found),
]

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("metrics", metrics, name="metrics"),
    path("accounts/login/", LimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("web/", include("paperex.apps.web.urls")),
    path("api/", include(api_patterns)),
    path("sapi/", include(sapi_patterns)),
]

handler500 = "paperex.apps.core.views.internal_error"
