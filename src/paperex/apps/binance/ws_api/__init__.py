"""Binance's WebSocket API at ``/ws-api/v3``: the REST endpoints' work behind Binance's request
and response frames, sessions, and the user data stream."""
