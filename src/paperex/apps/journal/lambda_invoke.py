"""Running the day's analysis on AWS Lambda: the function deployed from ``make lambda-package``,
named by PAPEREX_ANALYSIS_LAMBDA, invoked with the API Gateway event it also answers there."""

from __future__ import annotations

import json
from datetime import date

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from paperex.apps.journal.analysis_answer import AnalysisAnswer

UNAVAILABLE = 503


def lambda_analyze_day(*, function_name: str, day: date) -> AnalysisAnswer:
    """The function's answer for ``day``; 503 when it cannot be reached or fails."""
    access = settings.PAPEREX_S3
    client = boto3.client(
        "lambda",
        endpoint_url=settings.PAPEREX_LAMBDA_ENDPOINT_URL,
        region_name=access.region or "us-east-1",
        aws_access_key_id=access.access_key_id,
        aws_secret_access_key=access.secret_access_key,
        config=Config(connect_timeout=5, read_timeout=120, retries={"max_attempts": 2}),
    )
    event = {"queryStringParameters": {"date": day.isoformat()}}
    try:
        response = client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
        payload = json.loads(response["Payload"].read() or b"null")
    except (BotoCoreError, ClientError, ValueError) as error:
        return AnalysisAnswer(
            UNAVAILABLE, f"The analysis function {function_name} cannot be reached: {error}"
        )
    if response.get("FunctionError") or not isinstance(payload, dict):
        reason = payload.get("errorMessage") if isinstance(payload, dict) else payload
        return AnalysisAnswer(
            UNAVAILABLE, f"The analysis function {function_name} failed: {reason}"
        )
    status = int(payload.get("statusCode", UNAVAILABLE))
    # The handler answers 502 when its storage fails, 500 when it is not configured: both mean
    # the analysis is away for now.
    return AnalysisAnswer(UNAVAILABLE if status >= 500 else status, str(payload.get("message")))
