"""A small closed-loop HTTP load generator (standard library only).

``concurrency`` client threads each hold one ``http.client.HTTPConnection`` and send the
same request again as soon as the previous response has been read. The connection is kept
alive as long as the server allows it; a server that answers ``Connection: close`` (such as
gunicorn's default ``sync`` worker) makes ``http.client`` reconnect for the next request, and
the reconnect is part of the measured latency. ``connections`` in the result tells which
case happened.

Every loop is bounded by a deadline and by a maximum number of requests per client. Load is
only ever sent to a loopback address.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

# A request that takes longer than this counts as an error.
REQUEST_TIMEOUT_S = 10.0
# Upper bound per client thread and run, whatever the duration.
MAX_REQUESTS_PER_CLIENT = 1_000_000
# How long to wait for client threads beyond the deadline (one slow request at most).
JOIN_GRACE_S = REQUEST_TIMEOUT_S + 5.0


@dataclass(frozen=True)
class Request:
    """What one client sends, over and over."""

    path: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect_status: int = 200


@dataclass
class _ClientStats:
    ok: int = 0
    errors: int = 0
    connections: int = 0
    response_bytes: int = 0
    latencies: list[float] = field(default_factory=list)
    error_kinds: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class LoadResult:
    """The outcome of one load run against one request."""

    path: str
    concurrency: int
    elapsed_s: float
    ok: int
    errors: int
    connections: int
    response_bytes: int
    latencies_s: list[float]
    error_kinds: dict[str, int]
    client_cpu_s: float

    @property
    def rps(self) -> float:
        """Successful responses per second."""
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile_ms(self, pct: float) -> float | None:
        return percentile(self.latencies_s, pct) * 1000 if self.latencies_s else None

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies_s)
        return {
            "path": self.path,
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 3),
            "requests_ok": self.ok,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "rps": round(self.rps, 1),
            "connections_opened": self.connections,
            "mean_response_bytes": round(self.response_bytes / self.ok) if self.ok else None,
            "latency_ms": {
                "p50": _ms(percentile(lat, 50, presorted=True)) if lat else None,
                "p95": _ms(percentile(lat, 95, presorted=True)) if lat else None,
                "p99": _ms(percentile(lat, 99, presorted=True)) if lat else None,
                "max": _ms(lat[-1]) if lat else None,
                "mean": _ms(sum(lat) / len(lat)) if lat else None,
            },
            "client_cpu_s": round(self.client_cpu_s, 3),
        }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: list[float], pct: float, *, presorted: bool = False) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("percentile of an empty list")
    ordered = values if presorted else sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100), at least 1
    return ordered[min(int(rank), len(ordered)) - 1]


def merge(results: list[LoadResult]) -> LoadResult:
    """Combine several runs of the same request (e.g. rounds) into one result."""
    if not results:
        raise ValueError("nothing to merge")
    kinds: Counter[str] = Counter()
    latencies: list[float] = []
    for result in results:
        kinds.update(result.error_kinds)
        latencies.extend(result.latencies_s)
    return LoadResult(
        path=results[0].path,
        concurrency=results[0].concurrency,
        elapsed_s=sum(r.elapsed_s for r in results),
        ok=sum(r.ok for r in results),
        errors=sum(r.errors for r in results),
        connections=sum(r.connections for r in results),
        response_bytes=sum(r.response_bytes for r in results),
        latencies_s=latencies,
        error_kinds=dict(kinds),
        client_cpu_s=sum(r.client_cpu_s for r in results),
    )


def _require_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"load is only generated against loopback addresses, not {host!r}")


def fetch(host: str, port: int, request: Request) -> tuple[int, bytes]:
    """Send ``request`` once on a fresh connection; return status and body."""
    _require_loopback(host)
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request(request.method, request.path, body=request.body, headers=dict(request.headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _client(
    host: str,
    port: int,
    request: Request,
    start: threading.Barrier,
    stop: threading.Event,
    deadline_box: list[float],
    stats: _ClientStats,
) -> None:
    headers = dict(request.headers)
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    clock = time.perf_counter
    try:
        start.wait(timeout=JOIN_GRACE_S)
    except threading.BrokenBarrierError:
        return
    deadline = deadline_box[0]
    try:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if stop.is_set():
                break
            began = clock()
            if began >= deadline:
                break
            if conn.sock is None:
                stats.connections += 1
            try:
                conn.request(request.method, request.path, body=request.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                stats.errors += 1
                stats.error_kinds[type(exc).__name__] += 1
                conn.close()
                stop.wait(0.01)  # do not spin on a refused connection
                continue
            latency = clock() - began
            if response.status == request.expect_status:
                stats.ok += 1
                stats.response_bytes += len(body)
                stats.latencies.append(latency)
            else:
                stats.errors += 1
                stats.error_kinds[f"HTTP {response.status}"] += 1
    finally:
        conn.close()


def run_load(
    host: str,
    port: int,
    request: Request,
    *,
    concurrency: int,
    duration_s: float,
    stop: threading.Event | None = None,
) -> LoadResult:
    """Run ``concurrency`` closed-loop clients against ``request`` for ``duration_s`` seconds.

    Requests still in flight at the deadline are completed and counted; ``elapsed_s`` runs
    from the common start to the moment the last client finished.
    """
    _require_loopback(host)
    if concurrency < 1 or duration_s <= 0:
        raise ValueError("concurrency must be >= 1 and duration > 0")
    stop = stop or threading.Event()
    start = threading.Barrier(concurrency + 1)
    deadline_box = [0.0]
    stats = [_ClientStats() for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_client,
            args=(host, port, request, start, stop, deadline_box, s),
            name=f"bench-client-{i}",
            daemon=True,
        )
        for i, s in enumerate(stats)
    ]
    for thread in threads:
        thread.start()
    cpu_before = time.process_time()
    began = time.perf_counter()
    deadline_box[0] = began + duration_s
    start.wait(timeout=JOIN_GRACE_S)
    try:
        for thread in threads:
            thread.join(timeout=max(0.0, deadline_box[0] + JOIN_GRACE_S - time.perf_counter()))
    except BaseException:
        stop.set()
        raise
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    if any(thread.is_alive() for thread in threads):
        stop.set()
        raise RuntimeError("client threads did not finish in time")
    kinds: Counter[str] = Counter()
    latencies: list[float] = []
    for s in stats:
        kinds.update(s.error_kinds)
        latencies.extend(s.latencies)
    return LoadResult(
        path=request.path,
        concurrency=concurrency,
        elapsed_s=elapsed,
        ok=sum(s.ok for s in stats),
        errors=sum(s.errors for s in stats),
        connections=sum(s.connections for s in stats),
        response_bytes=sum(s.response_bytes for s in stats),
        latencies_s=latencies,
        error_kinds=dict(kinds),
        client_cpu_s=cpu,
    )


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
