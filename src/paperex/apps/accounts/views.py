"""The web login form, with the limits on failed logins (``login_limits``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse

from paperex.apps.accounts.login_limits import refuse_if_login_limited
from paperex.apps.core.limits import RateLimitedError


class LimitedLoginView(LoginView):
    """Django's login form; while the username has failed too often it answers 429 with the
    form and the wait, checking no password."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            refuse_if_login_limited(request.POST.get("username"))
        except RateLimitedError as error:
            context = self.get_context_data(form=self.get_form(), limited=error.message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        return super().post(request, *args, **kwargs)
