"""Recordings: raw venue messages with their receive times in an append-only ``.jsonl.gz`` file.

The first line is a ``RecordingHeader``; every other line is one ``RecordedMessage``
(``{"received_at": ms, "payload": "<the frame as text>"}``). The writer flushes the compressor
with ``Z_SYNC_FLUSH`` at least every ``flush_interval`` seconds, so a killed recorder leaves a
file whose every complete line up to the last flush decodes; the reader tolerates the torn tail.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Final

import msgspec

from paperex.marketdata.feed import Feed, RawMessage
from paperex.marketdata.pacing import Monotonic
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import ClockMs, wall_clock_ms

FORMAT_NAME: Final = "paperex-recording"
FORMAT_VERSION: Final = 1


class RecordingError(ValueError):
    """A file that is not a readable Paperex recording."""


class RecordingHeader(msgspec.Struct, kw_only=True, frozen=True):
    """The first line of a recording: what was recorded, when, and by which tool."""

    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION
    venue: str
    symbols: list[str] = []
    streams: list[str] = []
    symbol_map: dict[str, str] = {}
    """Venue symbol -> Paperex symbol where they differ (see ``paperex.marketdata.feed``)."""
    started_at: int
    """ms since the epoch."""
    tool_version: str = ""


class RecordedMessage(msgspec.Struct, frozen=True):
    """One line after the header: a raw message with its payload as text."""

    received_at: int
    payload: str


def tool_version() -> str:
    """The installed Paperex version, or ``"unknown"``."""
    try:
        return f"paperex {metadata.version('paperex')}"
    except metadata.PackageNotFoundError:
        return "unknown"


_header_encoder = msgspec.json.Encoder()
_header_decoder = msgspec.json.Decoder(RecordingHeader)
_line_decoder = msgspec.json.Decoder(RecordedMessage)


class RecordingWriter:
    """Appends messages to a new recording; use as a context manager or call ``close``."""

    def __init__(
        self,
        path: str | Path,
        header: RecordingHeader,
        *,
        flush_interval: float = 1.0,
        compress_level: int = 6,
        monotonic: Monotonic = time.monotonic,
        buffer_bytes: int = 256 * 1024,
    ) -> None:
        """Create (or replace) the file and write the header; raises OSError when it cannot."""
        self.path = Path(path)
        self.header = header
        self.flush_interval = flush_interval
        self.messages_written = 0
        self._monotonic = monotonic
        self._last_flush = monotonic()
        self._final_size = 0
        self._buffer = bytearray()
        self._buffer_bytes = buffer_bytes
        self._encoder = msgspec.json.Encoder()
        self._raw_file = self.path.open("wb")
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._raw_file, compresslevel=compress_level, mtime=0
        )
        self._gzip.write(_header_encoder.encode(header) + b"\n")
        self.flush()

    def write(self, message: RawMessage) -> None:
        """Append ``message``; raises UnicodeDecodeError when its payload is not UTF-8 text."""
        line = RecordedMessage(message.received_at, message.payload.decode("utf-8"))
        self._encoder.encode_into(line, self._buffer, -1)
        self._buffer += b"\n"
        self.messages_written += 1
        if len(self._buffer) >= self._buffer_bytes:
            self._gzip.write(self._buffer)
            self._buffer.clear()
        if self._monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def write_many(self, messages: Sequence[RawMessage]) -> None:
        """Append every message in order (see ``write``)."""
        for message in messages:
            self.write(message)

    def flush(self) -> None:
        """Make everything written so far readable from the file, even if the process dies."""
        if self._buffer:
            self._gzip.write(self._buffer)
            self._buffer.clear()
        self._gzip.flush(zlib.Z_SYNC_FLUSH)
        self._raw_file.flush()
        self._last_flush = self._monotonic()

    def flush_if_due(self) -> None:
        """Flush when ``flush_interval`` has passed since the last flush."""
        if self._monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    @property
    def bytes_written(self) -> int:
        """Compressed bytes in the file so far (up to the last flush)."""
        return self._final_size if self._raw_file.closed else self._raw_file.tell()

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._raw_file.closed

    def close(self) -> None:
        """Write everything, end the gzip stream and close the file; safe to call twice."""
        if self._raw_file.closed:
            return
        if self._buffer:
            self._gzip.write(self._buffer)
            self._buffer.clear()
        self._gzip.close()
        self._final_size = self._raw_file.tell()
        self._raw_file.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class RecordingReader:
    """Reads a recording in file order, in batches; a torn or corrupt tail ends it quietly.

    After iterating, ``truncated`` says whether the file ended mid-stream (a killed recorder) and
    ``messages_read`` how many complete messages it held.
    """

    def __init__(self, path: str | Path, *, chunk_bytes: int = 64 * 1024) -> None:
        """Open the file and read its header.

        Raises OSError when it cannot be opened and RecordingError when it has no valid header.
        """
        self.path = Path(path)
        self.chunk_bytes = chunk_bytes
        self.truncated = False
        self.messages_read = 0
        self._chunks = self._decompressed_chunks()
        self._pending = b""
        self.header = self._read_header()

    def batches(self) -> Iterator[list[RawMessage]]:
        """The messages after the header, a decoded chunk at a time; can be iterated once."""
        pending = self._pending
        for chunk in itertools.chain((b"",), self._chunks):  # what the header left over first
            pending += chunk
            end = pending.rfind(b"\n") + 1
            if not end:
                continue
            complete, pending = pending[:end], pending[end:]
            batch = self._decode(complete)
            if batch is None:
                return
            self.messages_read += len(batch)
            yield batch
        if pending.strip():
            self.truncated = True

    def __iter__(self) -> Iterator[RawMessage]:
        for batch in self.batches():
            yield from batch

    def _read_header(self) -> RecordingHeader:
        for chunk in self._chunks:
            self._pending += chunk
            end = self._pending.find(b"\n")
            if end < 0:
                continue
            line, self._pending = self._pending[:end], self._pending[end + 1 :]
            try:
                header = _header_decoder.decode(line)
            except msgspec.DecodeError as error:
                raise RecordingError(f"{self.path}: bad header line: {error}") from None
            if header.format != FORMAT_NAME:
                raise RecordingError(f"{self.path}: not a {FORMAT_NAME} file ({header.format!r})")
            if header.format_version > FORMAT_VERSION:
                raise RecordingError(
                    f"{self.path}: format version {header.format_version} is newer than "
                    f"{FORMAT_VERSION}; upgrade Paperex"
                )
            return header
        raise RecordingError(f"{self.path}: no complete header line")

    def _decode(self, lines: bytes) -> list[RawMessage] | None:
        try:
            decoded = _line_decoder.decode_lines(lines)
        except msgspec.DecodeError:
            decoded = self._decode_until_bad_line(lines)
            self.truncated = True
            if not decoded:
                return None
        return [RawMessage(line.received_at, line.payload.encode()) for line in decoded]

    def _decode_until_bad_line(self, lines: bytes) -> list[RecordedMessage]:
        good: list[RecordedMessage] = []
        for line in lines.splitlines():
            try:
                good.append(_line_decoder.decode(line))
            except msgspec.DecodeError:
                break
        return good

    def _decompressed_chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as file:
            decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
            while data := file.read(self.chunk_bytes):
                try:
                    output = decompressor.decompress(data)
                    while decompressor.eof and decompressor.unused_data:  # another gzip member
                        rest = decompressor.unused_data
                        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
                        output += decompressor.decompress(rest)
                except zlib.error:
                    self.truncated = True
                    return
                if output:
                    yield output
            if not decompressor.eof:
                self.truncated = True


def read_recording(path: str | Path) -> tuple[RecordingHeader, list[RawMessage]]:
    """The header and every complete message of a recording, in file order.

    Raises OSError and RecordingError like ``RecordingReader``.
    """
    reader = RecordingReader(path)
    return reader.header, list(reader)


@dataclass(frozen=True, slots=True)
class RecordProgress:
    """How a recording is going: shown live by ``paperex record``."""

    messages: int
    elapsed_seconds: float
    messages_per_second: float
    """Over the last progress interval."""
    bytes_written: int


ProgressCallback = Callable[[RecordProgress], None]


async def record(
    feed: Feed,
    path: str | Path,
    *,
    duration: float | None = None,
    max_messages: int | None = None,
    on_progress: ProgressCallback | None = None,
    progress_interval: float = 1.0,
    flush_interval: float = 1.0,
    symbols: Sequence[str] | None = None,
    streams: Sequence[str] | None = None,
    clock_ms: ClockMs = wall_clock_ms,
    monotonic: Monotonic = time.monotonic,
) -> RecordProgress:
    """Record ``feed``'s raw messages to ``path`` for ``duration`` seconds or ``max_messages``.

    Without either it records until cancelled. ``symbols`` and ``streams`` describe the session in
    the header (default: the feed's ``symbols``/``streams`` attributes, if any), with the feed's
    ``symbol_map``. Calls ``on_progress`` every ``progress_interval`` seconds and once at the
    end. The file is complete and closed when this returns, raises or is cancelled; the feed is
    left open for its owner. Returns the final progress. Raises OSError when the file cannot be
    written and whatever the feed raises.
    """
    header = RecordingHeader(
        venue=feed.venue,
        symbols=list(symbols if symbols is not None else getattr(feed, "symbols", [])),
        streams=list(streams if streams is not None else getattr(feed, "streams", [])),
        symbol_map=dict(getattr(feed, "symbol_map", None) or {}),
        started_at=clock_ms(),
        tool_version=tool_version(),
    )
    started = monotonic()
    writer = RecordingWriter(path, header, flush_interval=flush_interval, monotonic=monotonic)
    meter = _ProgressMeter(writer, started, monotonic)
    reporter = asyncio.create_task(
        _report_periodically(meter, on_progress, progress_interval, flush_interval)
    )
    messages = feed.raw_messages()
    try:
        try:
            async with asyncio.timeout(duration) as deadline:
                await _copy(messages, writer, max_messages)
        except TimeoutError:
            if not deadline.expired():
                raise
    finally:
        await cancel_and_wait(reporter)
        await _close_iterator(messages)
        writer.close()
    final = meter.progress()
    if on_progress is not None:
        on_progress(final)
    return final


async def _copy(
    messages: AsyncIterator[RawMessage], writer: RecordingWriter, max_messages: int | None
) -> None:
    if max_messages is not None and max_messages <= 0:
        return
    async for message in messages:
        writer.write(message)
        if max_messages is not None and writer.messages_written >= max_messages:
            return


async def _close_iterator(messages: AsyncIterator[RawMessage]) -> None:
    close = getattr(messages, "aclose", None)
    if close is not None:
        await close()


class _ProgressMeter:
    def __init__(self, writer: RecordingWriter, started: float, monotonic: Monotonic) -> None:
        self._writer = writer
        self._started = started
        self._monotonic = monotonic
        self._last_time = started
        self._last_count = 0

    def progress(self) -> RecordProgress:
        now = self._monotonic()
        count = self._writer.messages_written
        interval = now - self._last_time
        rate = (count - self._last_count) / interval if interval > 0 else 0.0
        self._last_time, self._last_count = now, count
        return RecordProgress(
            messages=count,
            elapsed_seconds=now - self._started,
            messages_per_second=rate,
            bytes_written=self._writer.bytes_written,
        )

    def flush_if_due(self) -> None:
        if not self._writer.closed:
            self._writer.flush_if_due()


async def _report_periodically(
    meter: _ProgressMeter,
    on_progress: ProgressCallback | None,
    progress_interval: float,
    flush_interval: float,
) -> None:
    tick = min(progress_interval, flush_interval)
    since_report = 0.0
    while True:
        await asyncio.sleep(tick)
        meter.flush_if_due()  # a quiet feed still gets its last messages onto disk
        since_report += tick
        if on_progress is not None and since_report >= progress_interval:
            since_report = 0.0
            on_progress(meter.progress())
