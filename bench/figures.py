"""What one measurement yields, and how a figure is written in the report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Run:
    requests_per_s: float
    p50: float | None  # None when not one request finished within the run
    p95: float | None
    p99: float | None
    errors: int
    requests: int = 0
    seconds: float = 0.0


@dataclass
class SizeResult:
    size: int
    practices: int
    captured: dict = field(default_factory=dict)
    runs: dict = field(default_factory=dict)  # (server, page, connections) -> Run
    memory: dict = field(default_factory=dict)  # server -> [MB per process]
    timings: dict = field(default_factory=dict)
    longtail: dict = field(default_factory=dict)  # (server, workload, connections) -> LongRun


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def throughput(run: Run | None) -> str:
    if run is None:
        return "–"
    if not run.requests:
        return f"< {1 / run.seconds:.2f}"  # not one request finished
    return fmt(run.requests_per_s)


def latency(run: Run | None, name: str) -> str:
    if run is None:
        return "–"
    if not run.requests:
        return f"> {run.seconds * 1000:,.0f}"
    return fmt(getattr(run, name))


def speedup(ours: Run | None, other: Run | None) -> float | None:
    """Our throughput over the other's; a lower bound when the other finished nothing."""
    if not ours or not other or not ours.requests:
        return None
    if not other.requests:
        return ours.requests_per_s * other.seconds
    return ours.requests_per_s / other.requests_per_s


def ratio(ours: Run | None, other: Run | None) -> str:
    x = speedup(ours, other)
    if x is None:
        return "–"
    return f"> {x:.2f}" if not other.requests else f"{x:.2f}"
