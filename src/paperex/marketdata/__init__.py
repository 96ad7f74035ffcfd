"""Async market-data feeds, recorder, replayer and aggregation: no Django."""
