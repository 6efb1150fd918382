"""The long-tail part of a benchmark size: the same URL lists against ours as deployed, ours with
the page cache off (each also with one edit a second arriving), the peer and the floor."""

from __future__ import annotations

import json
import subprocess
import sys

import longtail
from measure import datasette, wait_idle
from paths import BENCH, ROOT, WORK


def url_lists(database_url: str, args) -> dict:
    """(workload, clients, edits) -> [(ours, peer)]: distinct lists, so that no run finds the
    URLs of another in a cache; the fewest for one client (each request is slow there)."""
    vocab = longtail.read_vocabulary(database_url)
    lists = {}
    for c in args.connections:
        count = args.longtail_urls if c > 1 else max(50, args.longtail_urls // 4)
        for name, rows in longtail.urls(vocab, count, args.seed * 1000 + c).items():
            lists[(name, c, False)] = rows
    top = max(args.connections)
    for name, rows in longtail.urls(vocab, args.longtail_urls, args.seed * 1000 + 999).items():
        lists[(name, top, True)] = rows
    return lists


def run_ours(key, server, lists, args, database_url, runs) -> None:
    for (name, c, edits), rows in lists.items():
        run = longtail.replay(
            server.url(""),
            [ours for ours, _ in rows],
            c,
            args.longtail_seconds,
            database_url,
            1.0 if edits else 0.0,
        )
        wait_idle(server, database_url)
        label = f"{key}+edits" if edits else key
        runs[(label, name, c)] = run
        print(f"  {label:15} {name:20} c={c:<3} {longtail.describe(run)}", flush=True)


def measure(size_result, args, env, database_url, serve, db_path, inspect_file) -> dict:
    lists = url_lists(database_url, args)
    runs: dict = {}
    variants = [("ours", env), ("uncached", {**env, "GFMD_PAGE_CACHE": "0"})]
    for key, variant_env in variants:
        if key not in args.servers:
            continue
        print(f"== {size_result.practices:,} practices, long tail: {key}", flush=True)
        server = serve(f"longtail-{key}", variant_env, args.workers, "/healthz")
        try:
            run_ours(key, server, lists, args, database_url, runs)
        finally:
            server.stop()

    if "floor" in args.servers:
        print(f"== {size_result.practices:,} practices, long tail: floor", flush=True)
        top = max(args.connections)
        sample = {
            f"{name}-{i}": ours
            for (name, c, edits), rows in lists.items()
            if c == top and not edits
            for i, (ours, _) in enumerate(rows[: args.longtail_floor])
        }
        pages_file = WORK / "longtail-pages.json"
        pages_file.write_text(json.dumps(sample))
        captured_file = WORK / f"longtail-captured-{size_result.size}.json"
        subprocess.run(
            [sys.executable, str(BENCH / "capture.py"), pages_file, captured_file,
             WORK / f"longtail-bodies-{size_result.size}"],
            cwd=ROOT, env={**env, "GFMD_PAGE_CACHE": "0", "BENCH_CAPTURE_COLD": "1"}, check=True,
        )  # fmt: skip
        captured = json.loads(captured_file.read_text())
        server = serve("longtail-floor", {**env, "BENCH_FLOOR_SPEC": str(captured_file)},
                       args.workers, "/db/" + next(iter(captured)), "floor:app", BENCH)  # fmt: skip
        try:
            for name in longtail.WORKLOADS:
                paths = [f"/db/{n}" for n in captured if n.rsplit("-", 1)[0] == name]
                run = longtail.replay(server.url(""), paths, top, args.longtail_seconds)
                wait_idle(server, database_url)
                runs[("floor", name, top)] = run
                print(f"  floor           {name:20} c={top:<3} {longtail.describe(run)}")
        finally:
            server.stop()

    if "peer" in args.servers and db_path.exists():
        print(f"== {size_result.practices:,} practices, long tail: peer", flush=True)
        for name in longtail.WORKLOADS:
            server = datasette(db_path, inspect_file, env)
            try:
                for c in args.connections:
                    rows = lists[(name, c, False)]
                    run = longtail.replay(
                        server.url(""), [peer for _, peer in rows], c, args.longtail_seconds
                    )
                    runs[("peer", name, c)] = run
                    print(f"  peer            {name:20} c={c:<3} {longtail.describe(run)}")
            finally:
                server.stop()
    return runs
