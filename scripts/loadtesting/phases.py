"""The Redis outage and the slow-client phase of the load test, and what the clients saw during
each: requests, errors, 5xx and latency inside the phase's window, and how long after the
phase the site answered normally again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from gfmd.lib import servers
from loadtesting.client import Result
from loadtesting.common import HOST, SetupError, log


class Redis:
    """A throwaway redis-server on a free loopback port, with an eviction policy as in
    docs/deploy.md; stopped and started again for the outage."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise SetupError("redis-server is not installed (apt-get install redis-server)")
        self.port = servers.free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", HOST, "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise SetupError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            servers.stop_processes(self.process, grace=5.0)
            self.process = None


@dataclass
class Phase:
    name: str
    begin: float | None = None
    end: float | None = None
    detail: dict = field(default_factory=dict)


def redis_outage(redis: Redis, phase: Phase, start_at: float, seconds: float, stop) -> None:
    if stop.wait(max(0.0, start_at - time.monotonic())):
        return
    phase.begin = time.monotonic()
    redis.stop()
    log("Redis stopped")
    if stop.wait(seconds):
        phase.end = time.monotonic()
        return
    redis.start()
    phase.end = time.monotonic()
    log("Redis started again")


def _slow_client(port: int, until: float, closed: list) -> None:
    """Send a request's headers a byte a second until `until` or until the server closes."""
    try:
        sock = socket.create_connection((HOST, port), timeout=5)
    except OSError:
        return
    data = b"GET /practices/ HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nX-Slow: " + b"a" * 500
    try:
        for byte in data:
            if time.monotonic() >= until:
                return
            sock.sendall(bytes([byte]))
            time.sleep(1.0)
    except OSError:
        closed.append(time.monotonic())
    finally:
        sock.close()


def slow_clients(port: int, phase: Phase, start_at: float, seconds: float, count: int, stop):
    if stop.wait(max(0.0, start_at - time.monotonic())):
        return
    phase.begin = time.monotonic()
    until = phase.begin + seconds
    closed: list[float] = []
    threads = [
        threading.Thread(target=_slow_client, args=(port, until, closed), daemon=True)
        for _ in range(count)
    ]
    log(f"{count} slow clients for {seconds:g} s")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 10)
    phase.end = time.monotonic()
    phase.detail["closed_by_server"] = len(closed)
    phase.detail["connections"] = count


def summarise(phase: Phase, results: list[Result], load_start: float) -> dict:
    """What the clients saw of the requests they sent while the phase lasted, and when they were
    served again after it."""
    if phase.begin is None or phase.end is None:
        return {"ran": False}
    # Requests sent while the phase lasted (one sent before it is the earlier phase's).
    inside = [r for r in results if phase.begin <= r.start < phase.end]
    latencies = sorted(r.latency for r in inside if r.ok)
    failed = [r for r in inside if not r.ok]
    # Recovery: from the end of the phase to the first success of a request sent after it, and
    # whether any request sent after it failed.
    after = sorted((r for r in results if r.start >= phase.end), key=lambda r: r.end)
    first_ok = next((r for r in after if r.ok), None)
    recovered = None if first_ok is None else round(first_ok.end - phase.end, 2)
    failed_after = sum(1 for r in after if not r.ok)

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000)

    return {
        "ran": True,
        "from_s": round(phase.begin - load_start, 1),
        "to_s": round(phase.end - load_start, 1),
        "requests": len(inside),
        "served": len(inside) - len(failed),
        "5xx": sum(1 for r in failed if r.status is not None and r.status >= 500),
        "no_answer": sum(1 for r in failed if r.status is None),
        "over_1s": sum(1 for r in inside if r.latency >= 1.0),
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0)},
        "recovered_after_s": recovered,
        "failed_after": failed_after,
        **phase.detail,
    }
