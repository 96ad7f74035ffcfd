"""The ASGI application: Django for HTTP, Channels for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperex.config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models, so this comes first.
django_application = get_asgi_application()

from paperex.config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
