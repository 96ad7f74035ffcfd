"""Where the daily files live: a local folder or ``s3://bucket/prefix``, behind one small API.

``open_target(url)`` gives a :class:`Target`; paths inside it are relative, ``YYYY/MM/DD/name``
(:func:`day_path`). Writes are atomic: a reader sees the old file or the whole new one, never a
part, and a failed write leaves nothing behind. Every failure is a :class:`StorageError` whose
text is one line for a person (which bucket, which folder, what went wrong), never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

PART_SIZE = 8 * 1024 * 1024
"""Bytes per part of an S3 multipart upload (S3's minimum is 5 MiB for all but the last)."""


class StorageError(Exception):
    """A storage operation failed; the text is one line saying what and where."""


class NotFoundError(StorageError):
    """The file is not there."""


@dataclass(frozen=True)
class S3Settings:
    """How to reach S3. A None field falls back to boto3's own default chain (environment,
    config files, instance role)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    max_attempts: int = 3


def day_path(day: date, name: str) -> str:
    """The relative path of the file ``name`` of ``day``: ``YYYY/MM/DD/name``."""
    return f"{day:%Y/%m/%d}/{name}"


class Target(ABC):
    """A folder of daily files, local or on S3."""

    @abstractmethod
    def describe(self, relative: str) -> str:
        """Where ``relative`` is, for people: a local path or ``s3://bucket/prefix/...``."""

    @abstractmethod
    def exists(self, relative: str) -> bool:
        """Whether the file is there. Raises StorageError when the target cannot be reached."""

    @abstractmethod
    def read_bytes(self, relative: str) -> bytes:
        """The whole file. Raises NotFoundError when it is not there, StorageError otherwise."""

    def readable(self, relative: str) -> bytes | Path:
        """The file for a reader that takes either: its path when it is on this machine (read
        in place, no copy), else its bytes. Raises as ``read_bytes``."""
        return self.read_bytes(relative)

    @abstractmethod
    def write_atomically(self, relative: str, chunks: Iterable[bytes]) -> int:
        """Writes the concatenated ``chunks`` as the file (replacing it), streaming with bounded
        memory, and returns the bytes written. Nothing changes when it fails: StorageError,
        or whatever ``chunks`` raised."""


def open_target(url: str, s3: S3Settings | None = None) -> Target:
    """The target that ``url`` names: ``s3://bucket[/prefix]`` or a local folder (a path or
    ``file://`` URL). Raises StorageError for an S3 URL without a bucket."""
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise StorageError(f"{url!r} names no bucket: expected s3://bucket/prefix")
        return S3Target(bucket, prefix.strip("/"), s3 or S3Settings())
    return LocalTarget(Path(url.removeprefix("file://")))


class LocalTarget(Target):
    """A local folder; files are written to a temporary file beside them, then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self, relative: str) -> str:
        return str(self.root / relative)

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def readable(self, relative: str) -> Path:
        path = self.root / relative
        if not path.is_file():
            raise NotFoundError(f"{path} does not exist")
        return path

    def read_bytes(self, relative: str) -> bytes:
        path = self.root / relative
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"{path} does not exist") from None
        except OSError as error:
            raise StorageError(f"cannot read {path}: {error.strerror}") from None

    def write_atomically(self, relative: str, chunks: Iterable[bytes]) -> int:
        path = self.root / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        except OSError as error:
            raise StorageError(f"cannot write {path}: {error.strerror}") from None
        try:
            with os.fdopen(handle, "wb") as file:
                written = sum(file.write(chunk) for chunk in chunks)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise StorageError(f"cannot write {path}: {error.strerror}") from None
            raise
        return written


class S3Target(Target):
    """Objects under ``s3://bucket/prefix``; a write is one PUT or a multipart upload that is
    aborted if anything fails, so no partial object ever appears."""

    def __init__(self, bucket: str, prefix: str, settings: S3Settings) -> None:
        self.bucket = bucket
        self.prefix = prefix
        config = Config(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            retries={"max_attempts": settings.max_attempts, "mode": "standard"},
            # Path-style addressing for S3-compatible servers (MinIO, moto, ...) on their own URL.
            s3={"addressing_style": "path"} if settings.endpoint_url else None,
        )
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            config=config,
        )
        self.endpoint = settings.endpoint_url or "AWS S3"

    def key(self, relative: str) -> str:
        """The object key of ``relative``: ``prefix/relative``."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def describe(self, relative: str) -> str:
        return f"s3://{self.bucket}/{self.key(relative)}"

    def exists(self, relative: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(relative))
        except (BotoCoreError, ClientError) as error:
            mapped = self._error(error, relative)
            if isinstance(mapped, NotFoundError):
                return False
            raise mapped from None
        return True

    def read_bytes(self, relative: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(relative))
            body: bytes = answer["Body"].read()
        except (BotoCoreError, ClientError) as error:
            raise self._error(error, relative) from None
        return body

    def write_atomically(self, relative: str, chunks: Iterable[bytes]) -> int:
        key = self.key(relative)
        parts = _parts(chunks)
        try:
            first = next(parts, b"")
            following = next(parts, None)
            if following is None:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=first)
                return len(first)
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        except (BotoCoreError, ClientError) as error:
            raise self._error(error, relative) from None
        try:
            return self._upload_parts(key, upload_id, [first, following], parts)
        except BaseException as error:
            # When the abort fails too, S3's lifecycle rules clear the parts left behind.
            with contextlib.suppress(BotoCoreError, ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            if isinstance(error, (BotoCoreError, ClientError)):
                raise self._error(error, relative) from None
            raise

    def _upload_parts(
        self, key: str, upload_id: str, first_two: list[bytes], rest: Iterator[bytes]
    ) -> int:
        """Uploads the parts one at a time, then completes the upload; returns bytes written."""
        done: list[dict[str, Any]] = []
        written = 0
        for number, part in enumerate(chain(first_two, rest), start=1):
            answer = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
            )
            done.append({"PartNumber": number, "ETag": answer["ETag"]})
            written += len(part)
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
        )
        return written

    def _error(self, error: BotoCoreError | ClientError, relative: str) -> StorageError:
        where = self.describe(relative)
        if isinstance(error, NoCredentialsError):
            return StorageError(f"no AWS credentials to reach {where}")
        if isinstance(error, BotoCoreError):
            return StorageError(f"cannot reach S3 at {self.endpoint} for {where}: {error}")
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        if code == "NoSuchBucket":
            return StorageError(f"S3 bucket {self.bucket!r} does not exist ({self.endpoint})")
        if code in ("NoSuchKey", "404", "NotFoundError"):
            return NotFoundError(f"{where} does not exist")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"):
            return StorageError(f"S3 refused the credentials for {where} ({code})")
        if code in ("AccessDenied", "403", "Forbidden"):
            return StorageError(f"S3 denied access to {where}")
        message = str(details.get("Message", "")) or "no message"
        return StorageError(f"S3 failed on {where}: {code} {message}")


def _parts(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of ``chunks`` regrouped in parts of PART_SIZE bytes (the last one shorter)."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= PART_SIZE:
            yield bytes(pending[:PART_SIZE])
            del pending[:PART_SIZE]
    if pending:
        yield bytes(pending)
