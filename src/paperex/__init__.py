"""Paperex: a self-hosted paper-trading exchange with real-time market data."""

__version__ = "0.1.0"
