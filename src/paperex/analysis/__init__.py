"""The per-day trade analysis: reads one UTC day's ``trades.csv`` from a local folder or S3 and
writes ``analysis.csv`` and ``analysis.json`` next to it. Pure: no Django, no settings, no
database; the Django app, the CLI and the AWS Lambda handler all call :mod:`paperex.analysis.day`.
"""
