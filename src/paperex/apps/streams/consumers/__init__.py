"""The WebSocket endpoints (see ``paperex.apps.streams.routing``), each a small consumer on the
hardened ``base.HubConsumer``."""
