"""Helpers every layer may use: no Django, no other Paperex import."""
