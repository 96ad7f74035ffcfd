"""Indicators, strategies and the backtester: no Django."""
