"""The markdown report of a run, and the raw figures it is drawn from (saved, and read again by
--render)."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import longtail
from figures import Run, SizeResult, fmt, latency, ratio, speedup, throughput
from pages import Page


def machine() -> dict[str, str]:
    import django
    import gunicorn as gunicorn_package
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    try:
        from importlib.metadata import version

        datasette_version = version("datasette")
    except Exception:
        datasette_version = "?"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": gunicorn_package.__version__,
        "psycopg": psycopg.__version__,
        "Datasette": datasette_version,
        "SQLite": sqlite3.sqlite_version,
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "?",
    }


def report(
    results: list[SizeResult], page_list: list[Page], info: dict, args, notes, when: str
) -> str:
    lines = [
        f"# Benchmark, {when}",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
        f"Load: wrk over loopback, {args.duration:g} s per figure after a {args.warmup:g} s "
        f"warm-up, at {' and '.join(map(str, args.connections))} connections. Ours and the "
        f"floor: gunicorn, {args.workers} sync workers. Peer: Datasette (one process, its own "
        "server). req/s is throughput; p50/p95/p99 are latencies in ms; `ours/peer` and "
        "`ours/floor` divide our throughput by theirs (1.00 = as fast; the floor is the "
        "database work alone, the static floor HTTP alone). SQL is queries per request, "
        "counted in-process. Peak MB is the largest VmHWM among each server's workers. "
        "`ours` is the site as deployed: anonymous responses are kept in its page cache under "
        "the data version, so a repeated URL is served without running its view. `no page "
        "cache` is the same server with that cache off (every request runs its view and its "
        "SQL, aggregates still cached under the data version), as for a signed-in curator; "
        "SQL counts and the floor are that path's. `uncached/peer` and `uncached/floor` "
        "divide its throughput by the peer's and the floor's.",
        "",
        *notes,
        "",
        "| practices | page | conn | ours req/s | ours p50 | ours p95 | ours p99 | SQL "
        "| peer req/s | peer p95 | ours/peer | floor req/s | floor p95 | ours/floor "
        "| static req/s | no page cache req/s | no page cache p95 | uncached/peer "
        "| uncached/floor | peak MB ours / peer / floor |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        "---:|---:|---:|---:|---|",
    ]
    for result in results:
        first = True
        memory = " / ".join(
            fmt(max(result.memory[key]), 0) if result.memory.get(key) else "–"
            for key in ("ours", "peer", "floor")
        )
        for page in page_list:
            for connections in args.connections:
                ours = result.runs.get(("ours", page.name, connections))
                peer = result.runs.get(("peer", page.name, connections))
                floor = result.runs.get(("floor", page.name, connections))
                static = result.runs.get(("static", page.name, connections))
                uncached = result.runs.get(("uncached", page.name, connections))
                captured = result.captured.get(page.name, {})
                runs = (ours, peer, floor, uncached)
                flag = " ⚠" if any(r and r.errors for r in runs) else ""
                lines.append(
                    "| "
                    + " | ".join(
                        [
                            f"{result.practices:,}",
                            page.label + flag,
                            str(connections),
                            throughput(ours),
                            latency(ours, "p50"),
                            latency(ours, "p95"),
                            latency(ours, "p99"),
                            str(captured.get("queries", "–")),
                            throughput(peer),
                            latency(peer, "p95"),
                            ratio(ours, peer),
                            throughput(floor),
                            latency(floor, "p95"),
                            ratio(ours, floor),
                            throughput(static),
                            throughput(uncached),
                            latency(uncached, "p95"),
                            ratio(uncached, peer),
                            ratio(uncached, floor),
                            memory if first else "",
                        ]
                    )
                    + " |"
                )
                first = False
    for result in results:
        lines += longtail.report(result.practices, result.longtail, args.connections)
    lines += ["", *targets(results, page_list, args)]
    return "\n".join(lines) + "\n"


def targets(results: list[SizeResult], page_list: list[Page], args) -> list[str]:
    """The issue's targets, judged on the largest size measured."""
    result = max(results, key=lambda r: r.practices)
    high, low = max(args.connections), min(args.connections)
    out = [f"Targets, at {result.practices:,} practices:", ""]
    compared = ["list_html", "list_api", "facets_api", "search_html", "search_api"]
    compared.append("practice_search_api")
    variants = [("ours", "page cache on"), ("uncached", "page cache off")]
    for key, label in variants:
        for name in compared:
            ours = result.runs.get((key, name, high))
            peer = result.runs.get(("peer", name, high))
            x = speedup(ours, peer)
            if x is not None:
                bound = "at least " if not peer.requests else ""
                verdict = "met" if x >= 5 else ("not shown" if bound else "missed")
                out.append(
                    f"- {name} ({label}): throughput {bound}{x:.2f}× Datasette's at c={high} "
                    f"(target ≥ 5×): {verdict}"
                )
    for key, label in variants:
        for page in page_list:
            ours = result.runs.get((key, page.name, low))
            if ours:
                p95 = ours.p95 if ours.requests else float("inf")
                verdict = "met" if p95 < 50 else "missed"
                out.append(
                    f"- {page.name} ({label}): p95 {latency(ours, 'p95')} ms at c={low} "
                    f"(target < 50 ms): {verdict}"
                )
    for key, label in variants:
        for page in page_list:
            ours = result.runs.get((key, page.name, high))
            floor = result.runs.get(("floor", page.name, high))
            x = speedup(floor, ours)
            if x is not None:
                verdict = "met" if x <= 3 else "missed"
                out.append(
                    f"- {page.name} ({label}): the floor is {x:.2f}× faster at c={high} "
                    f"(target ≤ 3×): {verdict}"
                )
    return out


def save_raw(path: Path, results, page_list, info, args, notes, when: str) -> None:
    """Every figure, so that the table can be drawn again (--render) without measuring again."""
    keep = ("url", "status", "queries", "bytes", "count")
    data = {
        "when": when,
        "info": info,
        "notes": notes,
        "args": {k: getattr(args, k) for k in ("duration", "warmup", "connections", "workers")},
        "pages": [asdict(page) for page in page_list],
        "results": [
            {
                "size": r.size,
                "practices": r.practices,
                "captured": {
                    name: {k: page[k] for k in keep if k in page}
                    for name, page in r.captured.items()
                },
                "runs": [[*key, asdict(run)] for key, run in r.runs.items()],
                "memory": r.memory,
                "timings": r.timings,
                "longtail": longtail.to_json(r.longtail),
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))


def load_raw(path: Path):
    data = json.loads(path.read_text())
    results = []
    for r in data["results"]:
        result = SizeResult(r["size"], r["practices"], r["captured"])
        result.runs = {(s, p, c): Run(**run) for s, p, c, run in r["runs"]}
        result.memory, result.timings = r["memory"], r["timings"]
        result.longtail = longtail.from_json(r.get("longtail", []))
        results.append(result)
    page_list = [Page(**page) for page in data["pages"]]
    args = SimpleNamespace(**data["args"])
    return results, page_list, data["info"], args, data["notes"], data["when"]
