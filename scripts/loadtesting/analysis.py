"""The figures of a run: errors by kind, latency percentiles, recovery, and the writes checked
against the database."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

from loadtesting.client import Result
from loadtesting.cluster import Cluster
from loadtesting.outage import Timeline
from loadtesting.workload import Workload


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    if len(values) == 1:
        cuts = values * 99
    else:
        cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(cuts[49] * 1000, 1),
        "p95": round(cuts[94] * 1000, 1),
        "p99": round(cuts[98] * 1000, 1),
        "max": round(max(values) * 1000, 1),
    }


def route(method: str, path: str) -> str:
    """`GET /practices/<slug>/?theme` for `GET /practices/some-practice/?theme=gender`."""
    fixed = {"api", "v1", "facets", "search"}
    address, _, query = path.partition("?")
    parts = address.strip("/").split("/") if address.strip("/") else []
    depth = 3 if parts[:1] == ["api"] else 1
    shown = [p if i < depth or p in fixed else "<slug>" for i, p in enumerate(parts)]
    names = sorted({pair.split("=")[0] for pair in query.split("&") if pair})
    text = "/" + "/".join(shown) + ("/" if shown else "")
    return f"{method} {text}" + (f"?{'&'.join(names)}" if names else "")


def analyse(
    results: list[Result],
    timeline: Timeline,
    readiness: list[tuple],
    workload: Workload,
    cluster: Cluster,
) -> dict:
    stop_begin = timeline.stop_begin or float("inf")
    up = timeline.up or float("inf")

    def overlaps_outage(r: Result) -> bool:
        # Started before the database was back, and still running when it was being stopped.
        return r.start < up and r.end >= stop_begin

    errors: Counter = Counter()
    expected_503: Counter = Counter()
    served = 0
    by_kind: dict[str, list[float]] = defaultdict(list)
    steady: list[float] = []
    for r in results:
        if r.ok:
            served += 1
            by_kind[r.kind].append(r.latency)
            # Outside the outage: done before the stop, or sent 5 s or more after the restart.
            if r.end < stop_begin or r.start >= up + 5:
                steady.append(r.latency)
        elif r.status == 503 and overlaps_outage(r):
            expected_503[r.kind] += 1
        else:
            label = str(r.status) if r.status else r.error
            if r.status == 503:
                label = "503 after the database was back"
            errors[f"{label} ({r.kind})"] += 1

    outage_503 = [r for r in results if r.status == 503 and overlaps_outage(r)]
    api_503 = [r for r in outage_503 if r.path.startswith("/api/")]
    page_503 = [r for r in outage_503 if not r.path.startswith("/api/")]

    def shape(group: list[Result], kind: str) -> dict:
        return {
            "count": len(group),
            "content_type_ok": sum(r.content_type.startswith(kind) for r in group),
            "retry_after_5": sum(r.retry_after == "5" for r in group),
            "says_database_unavailable": sum(r.mentions_database for r in group),
            "latency_ms": percentiles([r.latency for r in group]),
        }

    recovery: dict = {}
    if timeline.up:
        after = sorted((r for r in results if r.end >= timeline.up), key=lambda r: r.end)
        first_ok = next((r for r in after if r.ok), None)
        first_ok_started_after = next((r for r in after if r.ok and r.start >= timeline.up), None)
        failures_after = [r for r in after if not r.ok]
        recovery = {
            "first_success_s": round(first_ok.end - timeline.up, 2) if first_ok else None,
            "first_success_of_a_request_sent_after_restart_s": (
                round(first_ok_started_after.end - timeline.up, 2)
                if first_ok_started_after
                else None
            ),
            "last_failure_s": (
                round(failures_after[-1].end - timeline.up, 2) if failures_after else None
            ),
            "failures_after_restart": len(failures_after),
        }
    ready_fail = [s for s in readiness if s[2] != 200 and s[1] >= stop_begin]
    ready_back = [s for s in readiness if s[2] == 200 and s[0] >= (timeline.up or float("inf"))]
    recovery["readyz_first_failure_after_stop_s"] = (
        round(ready_fail[0][1] - stop_begin, 2) if ready_fail else None
    )
    recovery["readyz_back_after_restart_s"] = (
        round(ready_back[0][1] - timeline.up, 2) if ready_back else None
    )

    # Writes: every acknowledged write must be in the database, with its last acknowledged text.
    before = {s: w for s, w in workload.acknowledged.items() if w["at"] < stop_begin}
    stored = dict(
        cluster.query(
            "SELECT slug, summary FROM practices_practice WHERE slug LIKE %s", ["loadtest-%"]
        )
    )
    lost = sorted(s for s in workload.acknowledged if s not in stored)
    changed = sorted(
        s for s, w in workload.acknowledged.items() if s in stored and stored[s] != w["summary"]
    )
    lost_before = sorted(s for s in before if s not in stored or stored[s] != before[s]["summary"])
    write_results = [r for r in results if r.kind == "write"]
    writes = {
        "attempted": len(write_results),
        "acknowledged": sum(1 for r in write_results if r.status in (200, 201)),
        "records_acknowledged": len(workload.acknowledged),
        "records_acknowledged_before_outage": len(before),
        "records_in_database": len(stored),
        "stored_but_not_acknowledged": len(set(stored) - set(workload.acknowledged)),
        "missing": lost,
        "with_an_older_text": changed,
        "lost_of_those_acknowledged_before_outage": lost_before,
    }

    duration = timeline.load_end - timeline.load_start
    failures = [
        {
            "kind": r.kind,
            "request": f"{r.method} {r.path}",
            "sent_s": timeline.rel(r.start),
            "answered_s": timeline.rel(r.end),
            "answer": r.status or r.error,
            "body": r.body[:300].decode("utf-8", "replace"),
        }
        for r in results
        if not r.ok
    ]
    transitions = []
    for sample in readiness:
        if not transitions or transitions[-1]["answer"] != sample[2]:
            transitions.append(
                {
                    "sent_s": timeline.rel(sample[0]),
                    "answered_s": timeline.rel(sample[1]),
                    "answer": sample[2],
                }
            )
    by_route: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.ok and (r.end < stop_begin or r.start >= up + 5):
            by_route[route(r.method, r.path)].append(r.latency)
    routes = {
        name: {"count": len(values), **percentiles(values)}
        for name, values in sorted(by_route.items(), key=lambda item: -statistics.mean(item[1]))
    }
    return {
        "requests": len(results),
        "served": served,
        "throughput_per_s": round(served / duration, 1) if duration else None,
        "errors": dict(errors.most_common()),
        "error_count": sum(errors.values()),
        "expected_503_during_outage": dict(expected_503),
        "outage_503": {
            "api": shape(api_503, "application/json"),
            "pages": shape(page_503, "text/html"),
        },
        "latency_ms": {
            "all_served": percentiles([r.latency for r in results if r.ok]),
            "outside_the_outage": percentiles(steady),
            **{kind: percentiles(values) for kind, values in sorted(by_kind.items())},
        },
        "outage": {
            "stop_issued_s": timeline.rel(timeline.stop_begin),
            "down_s": timeline.rel(timeline.down),
            "start_issued_s": timeline.rel(timeline.start_begin),
            "up_s": timeline.rel(timeline.up),
            "database_down_for_s": (
                round(timeline.up - timeline.down, 2) if timeline.up and timeline.down else None
            ),
            "error": timeline.outage_error,
        },
        "recovery": recovery,
        "writes": writes,
        "duration_s": round(duration, 1),
        "latency_by_route_outside_the_outage": routes,
        "failures": failures[:300],
        "readyz_transitions": transitions,
    }
