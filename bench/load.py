"""A small HTTP/1.1 load driver for the floor benchmark: keep-alive connections on uvloop, each
sending one GET at a time (no pipelining) and reading the answer by its Content-Length.

Two measures: throughput (C connections for a fixed time, requests/s) and latency (one
connection, N sequential requests, p50 and p99). Each reports the driver's own CPU time per
request, so its ceiling (requests per second of driver CPU) can be set against the servers'.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import uvloop

_HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Load:
    """Where to send, and the extra request headers (Authorization or Cookie)."""

    host: str
    port: int
    headers: tuple[tuple[str, str], ...] = ()

    def request(self, path: str) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    driver_cpu_s: float
    server_cpu_s: float
    samples_ms: tuple[float, ...] = ()

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]

    @property
    def driver_ceiling(self) -> float:
        """Requests per second of the driver's CPU: what it could send with a core to itself."""
        return self.requests / self.driver_cpu_s if self.driver_cpu_s else float("inf")

    @property
    def server_cpu_ms(self) -> float:
        return self.server_cpu_s * 1000 / self.requests


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> bytes:
        self.writer.write(request)
        head = await self.reader.readuntil(_HEADER_END)
        if not head.startswith(b"HTTP/1.1 200"):
            body = await self.reader.read(500)
            raise RuntimeError(f"{request.split(b' ')[1]!r}: {head[:200]!r} {body!r}")
        return await self.reader.readexactly(_content_length(head))

    def close(self) -> None:
        self.writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    raise RuntimeError(f"an answer without Content-Length: {head[:300]!r}")


async def _connect(load: Load) -> _Connection:
    reader, writer = await asyncio.open_connection(load.host, load.port, limit=1 << 22)
    return _Connection(reader, writer)


def throughput(
    load: Load, paths: list[str], *, connections: int, seconds: float, server_pid: int
) -> Figures:
    """`connections` connections sending for `seconds` (after a 1 s warm-up), each going round
    `paths` from its own offset."""
    requests = [load.request(p) for p in paths]

    async def run() -> Figures:
        conns = [await _connect(load) for _ in range(connections)]
        stop = time.perf_counter() + 1.0
        counted = [0] * connections

        async def loop(n: int) -> None:
            i = n * len(requests) // connections
            while time.perf_counter() < stop:
                await conns[n].get(requests[i % len(requests)])
                i += 1
                counted[n] += 1

        await asyncio.gather(*(loop(n) for n in range(connections)))  # warm-up
        counted[:] = [0] * connections
        cpu, server, began = _cpu(), _process_cpu(server_pid), time.perf_counter()
        stop = began + seconds
        await asyncio.gather(*(loop(n) for n in range(connections)))
        elapsed = time.perf_counter() - began
        figures = Figures(sum(counted), elapsed, _cpu() - cpu, _process_cpu(server_pid) - server)
        for conn in conns:
            conn.close()
        return figures

    return uvloop.run(run())


def latency(
    load: Load, paths: list[str], *, requests: int, server_pid: int, most_seconds: float = 60.0
) -> Figures:
    """One connection, `requests` sequential GETs going round `paths` (after 20 warm-up ones),
    or fewer when they take more than `most_seconds`."""
    wire = [load.request(p) for p in paths]

    async def run() -> Figures:
        conn = await _connect(load)
        for i in range(20):
            await conn.get(wire[i % len(wire)])
        samples: list[float] = []
        cpu, server, began = _cpu(), _process_cpu(server_pid), time.perf_counter()
        for i in range(requests):
            if time.perf_counter() - began > most_seconds:
                break
            start = time.perf_counter_ns()
            await conn.get(wire[i % len(wire)])
            samples.append((time.perf_counter_ns() - start) / 1e6)
        elapsed = time.perf_counter() - began
        conn.close()
        return Figures(
            len(samples), elapsed, _cpu() - cpu, _process_cpu(server_pid) - server, tuple(samples)
        )

    return uvloop.run(run())


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """User + system CPU time of a process, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
