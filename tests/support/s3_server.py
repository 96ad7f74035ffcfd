"""A real S3-compatible server for tests: moto's standalone server on a free loopback port,
spoken to by boto3 over HTTP with SigV4 as to AWS (no patched client).

Fixtures (import them into a conftest: ``from tests.support.s3_server import s3_bucket,
s3_server  # noqa: F401``, both names, or list ``"tests.support.s3_server"`` in
``pytest_plugins`` of the root conftest):

- ``s3_server`` (session): the server's endpoint URL.
- ``s3_bucket`` (function): a fresh, empty bucket with a unique name, as :class:`S3Bucket`,
  with the :class:`S3Settings` that reach it and a boto3 client for looking at it. It also sets
  ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_DEFAULT_REGION`` (dummy keys,
  us-east-1) for the test, for code that reads credentials from the environment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from paperex.analysis.storage import S3Settings
from tests.support.network import unused_port

REGION = "us-east-1"
ACCESS_KEY_ID = "testing-access-key"
SECRET_ACCESS_KEY = "testing-secret-key"
_bucket_numbers = itertools.count(1)


@dataclass(frozen=True)
class S3Bucket:
    """A bucket on the test server, how to reach it, and a client to look at its objects."""

    name: str
    settings: S3Settings
    client: Any

    def url(self, prefix: str = "") -> str:
        """``s3://name/prefix``: a target URL inside this bucket."""
        return f"s3://{self.name}/{prefix}".rstrip("/")

    def object_keys(self) -> list[str]:
        """Every object key in the bucket, sorted."""
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def multipart_uploads(self) -> list[str]:
        """The keys of multipart uploads begun and neither completed nor aborted."""
        answer = self.client.list_multipart_uploads(Bucket=self.name)
        return [upload["Key"] for upload in answer.get("Uploads", [])]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of an S3 server shared by the session."""
    port = unused_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A fresh empty bucket on the session's S3 server, with its settings and a client."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings = S3Settings(
        endpoint_url=s3_server,
        region=REGION,
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET_ACCESS_KEY,
        connect_timeout=2,
        read_timeout=10,
        max_attempts=1,
    )
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
    name = f"paperex-test-{next(_bucket_numbers)}"
    client.create_bucket(Bucket=name)
    return S3Bucket(name, settings, client)
