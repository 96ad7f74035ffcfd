"""Local and S3 targets: layout, atomic writes, multipart uploads, one-line errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from paperex.analysis.day import analyze_day
from paperex.analysis.storage import (
    PART_SIZE,
    LocalTarget,
    NotFoundError,
    S3Settings,
    StorageError,
    day_path,
    open_target,
)
from paperex.analysis.trades_csv import HEADER
from tests.support.network import unused_port
from tests.support.s3_server import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, S3Bucket

DAY = date(2025, 1, 20)


class StreamBrokenError(Exception):
    pass


def interrupted_after(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks
    raise StreamBrokenError


def test_day_paths_are_year_month_day() -> None:
    assert day_path(DAY, "trades.csv") == "2025/01/20/trades.csv"


def test_a_local_write_replaces_the_file_and_reads_back(tmp_path: Path) -> None:
    target = open_target(str(tmp_path / "exports"))
    relative = day_path(DAY, "trades.csv")
    assert not target.exists(relative)
    assert target.write_atomically(relative, [b"old"]) == 3
    assert target.write_atomically(relative, [b"new ", b"text"]) == 8
    assert target.read_bytes(relative) == b"new text"
    assert target.describe(relative) == str(tmp_path / "exports/2025/01/20/trades.csv")


def test_a_failed_local_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = open_target(f"file://{tmp_path}")
    relative = day_path(DAY, "trades.csv")
    target.write_atomically(relative, [b"old"])
    with pytest.raises(StreamBrokenError):
        target.write_atomically(relative, interrupted_after([b"half of the ", b"new"]))
    assert target.read_bytes(relative) == b"old"
    assert [path.name for path in (tmp_path / "2025/01/20").iterdir()] == ["trades.csv"]


def test_a_missing_local_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        open_target(str(tmp_path)).read_bytes("2025/01/20/trades.csv")


def test_a_local_file_is_read_in_place_and_an_s3_object_as_bytes(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    local = open_target(str(tmp_path))
    local.write_atomically("a.csv", [b"id\n"])
    assert local.readable("a.csv") == tmp_path / "a.csv"
    with pytest.raises(NotFoundError, match="does not exist"):
        local.readable("b.csv")
    remote = open_target(s3_bucket.url("exports"), s3_bucket.settings)
    remote.write_atomically("a.csv", [b"id\n"])
    assert remote.readable("a.csv") == b"id\n"
    with pytest.raises(NotFoundError):
        remote.readable("b.csv")


def test_a_local_file_that_goes_away_while_analysed_is_a_storage_error(tmp_path: Path) -> None:
    class Vanishing(LocalTarget):
        def readable(self, relative: str) -> Path:
            path = super().readable(relative)
            path.unlink()
            return path

    target = Vanishing(tmp_path)
    target.write_atomically(day_path(DAY, "trades.csv"), [HEADER])
    with pytest.raises(StorageError, match=r"cannot read .*trades\.csv"):
        analyze_day(target, DAY)


def test_an_unwritable_local_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "2025").write_text("a file where the folder should be")
    with pytest.raises(StorageError) as failed:
        open_target(str(tmp_path)).write_atomically("2025/01/20/trades.csv", [b"x"])
    assert "\n" not in str(failed.value)
    assert str(tmp_path) in str(failed.value)


def test_s3_keys_are_prefix_year_month_day(s3_bucket: S3Bucket) -> None:
    target = open_target(s3_bucket.url("exports/daily"), s3_bucket.settings)
    relative = day_path(DAY, "trades.csv")
    assert target.write_atomically(relative, [b"id\n", b"1\n"]) == 5
    assert s3_bucket.object_keys() == ["exports/daily/2025/01/20/trades.csv"]
    assert target.read_bytes(relative) == b"id\n1\n"
    assert target.exists(relative)
    assert not target.exists(day_path(date(2025, 1, 21), "trades.csv"))
    assert target.describe(relative) == (
        f"s3://{s3_bucket.name}/exports/daily/2025/01/20/trades.csv"
    )


def test_a_large_s3_write_is_a_multipart_upload(s3_bucket: S3Bucket) -> None:
    target = open_target(s3_bucket.url("exports"), s3_bucket.settings)
    chunk = bytes(range(256)) * 4096  # 1 MiB
    written = target.write_atomically("big.bin", (chunk for _ in range(11)))
    assert written == 11 * len(chunk)
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key="exports/big.bin")
    parts = -(-written // PART_SIZE)
    assert head["ETag"].strip('"').endswith(f"-{parts}")  # a multipart object's ETag
    assert target.read_bytes("big.bin") == chunk * 11


def test_a_failed_multipart_upload_is_aborted_leaving_nothing(s3_bucket: S3Bucket) -> None:
    target = open_target(s3_bucket.url("exports"), s3_bucket.settings)
    chunk = b"x" * (3 * 1024 * 1024)
    with pytest.raises(StreamBrokenError):
        target.write_atomically("big.bin", interrupted_after([chunk] * 6))
    assert s3_bucket.object_keys() == []
    assert s3_bucket.multipart_uploads() == []


def test_an_s3_write_replaces_the_object(s3_bucket: S3Bucket) -> None:
    target = open_target(s3_bucket.url(), s3_bucket.settings)
    target.write_atomically("a.csv", [b"first"])
    target.write_atomically("a.csv", [b"second"])
    assert target.read_bytes("a.csv") == b"second"
    assert s3_bucket.object_keys() == ["a.csv"]


def test_a_missing_s3_object_is_not_found(s3_bucket: S3Bucket) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        open_target(s3_bucket.url("x"), s3_bucket.settings).read_bytes("2025/01/20/trades.csv")


def test_a_missing_bucket_is_one_line(s3_bucket: S3Bucket) -> None:
    target = open_target("s3://no-such-bucket/exports", s3_bucket.settings)
    with pytest.raises(StorageError) as failed:
        target.write_atomically("a.csv", [b"x"])
    assert str(failed.value) == (
        f"S3 bucket 'no-such-bucket' does not exist ({s3_bucket.settings.endpoint_url})"
    )


def test_an_unreachable_endpoint_is_one_line_and_quick() -> None:
    settings = S3Settings(
        endpoint_url=f"http://127.0.0.1:{unused_port()}",
        region=REGION,
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET_ACCESS_KEY,
        connect_timeout=1,
        max_attempts=1,
    )
    started = time.monotonic()
    with pytest.raises(StorageError) as failed:
        open_target("s3://bucket/exports", settings).read_bytes("a.csv")
    assert time.monotonic() - started < 10
    assert str(failed.value).startswith(f"cannot reach S3 at {settings.endpoint_url}")
    assert "\n" not in str(failed.value)


def test_an_s3_url_needs_a_bucket() -> None:
    with pytest.raises(StorageError, match="names no bucket"):
        open_target("s3:///exports")
