"""Binance's market streams (``/ws``, ``/ws/<stream>``, ``/stream?streams=``) over the hub."""
