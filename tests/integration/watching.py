"""``paperex watch`` as a user runs it: a real process whose lines the tests read with deadlines,
and a TCP proxy on 127.0.0.1 a test can cut to drop its connections."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Mapping

from paperex.support.async_tasks import cancel_and_wait

LINE_SECONDS = 20.0


class WatchProcess:
    """``paperex watch ARGS``; stdout is read line by line, stderr is collected as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.errors: list[str] = []
        assert process.stderr is not None
        self._stderr = process.stderr
        self._collector = asyncio.create_task(self._collect_errors())

    @classmethod
    async def start(cls, *args: str, env: Mapping[str, str] | None = None) -> WatchProcess:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "paperex.cli", "watch", *args),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def _collect_errors(self) -> None:
        async for line in self._stderr:
            self.errors.append(line.decode().rstrip("\n"))

    async def line(self, timeout: float = LINE_SECONDS) -> str:
        """The next stdout line; fails when none comes within ``timeout`` seconds."""
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        assert raw, f"the watch ended: {self.errors}"
        return raw.decode().rstrip("\n")

    async def lines(self, count: int) -> list[str]:
        return [await self.line() for _ in range(count)]

    async def finish(self, *, interrupt: bool = True, timeout: float = 20.0) -> int:
        """Ctrl-C (unless it ended already) and its exit status, with all of stderr read."""
        if interrupt and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            async with asyncio.timeout(timeout):
                if self.process.stdout is not None:
                    await self.process.stdout.read()
                await self._collector
                return await self.process.wait()
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
            await cancel_and_wait(self._collector)


class CuttableProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_port``; ``cut`` drops every open connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.cut()
        assert self._server is not None
        self._server.close()

    def cut(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        self._writers += [writer, upstream_writer]
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
