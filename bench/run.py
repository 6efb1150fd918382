"""Benchmark: the site at 1k, 10k and 100k practices, against Datasette and a bare floor.

    make bench                                  # 1k, 10k and 100k practices
    make bench BENCH_ARGS="--sizes 1000,10000 --duration 5"
    make bench BENCH_ARGS="--sizes 1000 --longtail-urls 200 --db-name gfmd_bench_mine"
    make bench BENCH_ARGS="--sizes 1000 --pages reader_html,reader_page_html --servers uncached"

In a database of its own (gfmd_bench, on DATABASE_URL's server or the embedded one, created and
dropped here) it loads the curated data and the seed documents' text (GFMD_SEEDS_DIR), then for
each size adds synthetic practices (`manage.py synthesize`) and measures, with wrk over loopback
at 1 and 16 connections:

* ours: the site under gunicorn with production settings, serving the synthetic records;
* the peer: Datasette serving the same published practices exported to SQLite with FTS5, set up
  as its documentation advises for speed (immutable file, precomputed counts, no facet
  suggestions, generous time limits), on the equivalent table, search and row pages;
* the floor: a bare WSGI app under the same gunicorn running the very SQL Django ran for each
  page with psycopg and returning the rows (and, second floor, returning the page prebuilt).

Then the long tail (bench/longtail.py): for each size, lists of distinct searches and filter
combinations, each URL asked for once, against ours, ours without the page cache (both also with
one committed edit a second arriving), the peer and the floor (the cold SQL of a sample).

SQL queries per page are counted in-process with Django's test client (bench/capture.py), and
each server process's peak memory is read from /proc (VmHWM). One markdown table goes to
bench/results/<timestamp>.md and to standard output. This is a measurement, not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This checkout's gfmd (for gfmd.lib.servers), ahead of any installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request

import longtail_run
from database import (
    drop_database,
    export_sqlite,
    practice_count,
    practice_id,
    recreate_database,
    server_url,
    vacuum_analyze,
    with_database,
)
from figures import SizeResult
from measure import datasette, drive, peak_memory_mb
from pages import DEFAULT_QUERY, DEFAULT_REGION, DEFAULT_THEME, DETAIL_SLUG, pages
from paths import BENCH, RESULTS, ROOT, VENV_BIN, WORK
from report import load_raw, machine, report, save_raw

from gfmd.lib.servers import Server, gunicorn

DB_NAME = "gfmd_bench"

# Installed into the virtual environment when missing (`make bench` installs them first).
PEER_REQUIREMENTS = ["datasette==0.65.5", "sqlite-utils==4.2.1"]


def ensure_tools() -> None:
    if not shutil.which("wrk"):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit("The benchmark needs wrk: sudo apt-get install -y wrk")
        print("Installing wrk (apt-get)...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    missing = []
    for requirement in PEER_REQUIREMENTS:
        name, version = requirement.split("==")
        try:
            from importlib.metadata import version as installed

            if installed(name) != version:
                missing.append(requirement)
        except Exception:
            missing.append(requirement)
    if missing:
        print(f"Installing {' '.join(missing)} into {VENV_BIN.parent}...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)


def server_env(database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GFMD_", "DATABASE"))
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="gfmd.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        GFMD_SERVE_SYNTHETIC="1",
        GFMD_DB_POOL="1",
        # The API's anonymous throttle would answer most benchmark requests with 429.
        GFMD_ANON_RATE="100000000/second",
        PYTHONPATH=str(ROOT),
    )
    if os.environ.get("GFMD_SEEDS_DIR"):
        env["GFMD_SEEDS_DIR"] = os.environ["GFMD_SEEDS_DIR"]
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serve(
    name: str, env: dict, workers: int, ready: str, app: str = "gfmd.wsgi:application", cwd=ROOT
) -> Server:
    """gunicorn with `workers` sync workers, once `ready` answers 200 (its log in var/bench)."""
    server = gunicorn(
        env=env, log=WORK / f"{name}.log", app=app, cwd=cwd, workers=workers, timeout=120,
        name=name,
    )  # fmt: skip
    try:
        return server.wait_until_ready(ready, timeout=120)
    except BaseException:
        server.stop()
        raise


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="practices, comma-separated")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per figure")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per page")
    parser.add_argument("--connections", default="1,16", help="comma-separated")
    parser.add_argument("--workers", type=int, default=min(4, max(2, 2 * (os.cpu_count() or 1))))
    parser.add_argument("--database-url", help="a PostgreSQL server (default: DATABASE_URL's "
                        "server, or the embedded one)")  # fmt: skip
    parser.add_argument("--theme", default=DEFAULT_THEME)
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--servers", default="ours,uncached,peer,floor", help="which to measure")
    parser.add_argument("--pages", help="which pages to measure, comma-separated (default: all)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep {DB_NAME} afterwards")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default=DB_NAME, help=f"the database made (default {DB_NAME})")
    parser.add_argument("--longtail-urls", type=int, default=1000,
                        help="distinct URLs per long-tail workload and run (0: none)")  # fmt: skip
    parser.add_argument("--longtail-seconds", type=float, default=30.0,
                        help="at most this long per long-tail run")  # fmt: skip
    parser.add_argument("--longtail-floor", type=int, default=100,
                        help="URLs per workload whose cold SQL the floor runs")  # fmt: skip
    parser.add_argument(
        "--render", metavar="RAW.json", help="draw the table again from a run's saved figures"
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.connections = [int(c) for c in args.connections.split(",")]
    args.servers = set(args.servers.split(","))
    args.pages = set(args.pages.split(",")) if args.pages else None
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.render:
        raw = Path(args.render)
        text = report(*load_raw(raw))
        raw.with_suffix(".md").write_text(text)
        print(text)
        return
    ensure_tools()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = machine()
    admin_url = server_url(args.database_url)
    database_url = with_database(admin_url, args.db_name)
    env = server_env(database_url)
    import psycopg

    with psycopg.connect(admin_url) as conn:
        info["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    load = os.getloadavg()
    info["load average at start"] = f"{load[0]:.2f}"

    print(f"Creating {args.db_name} and loading the curated data...", flush=True)
    recreate_database(admin_url, args.db_name)
    results: list[SizeResult] = []
    notes: list[str] = []
    try:
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_curated", "-v0")
        manage(env, "ingest_sources", "-v0")  # the reader's pages need the text
        manage(env, "collectstatic", "--no-input", "-v0")
        detail_id = practice_id(database_url, DETAIL_SLUG)
        page_list = pages(args.theme, args.region, args.query, detail_id)
        if args.pages:
            unknown = args.pages - {p.name for p in page_list}
            if unknown:
                sys.exit(f"Unknown pages: {', '.join(sorted(unknown))}")
            page_list = [p for p in page_list if p.name in args.pages]
        for size in args.sizes:
            results.append(measure_size(size, args, env, database_url, page_list, notes))
    finally:
        if not args.keep_db:
            drop_database(admin_url, args.db_name)
    now = dt.datetime.now()
    when = now.strftime("%Y-%m-%d %H:%M")
    out = RESULTS / f"{now.strftime('%Y%m%d-%H%M%S')}.md"
    save_raw(out.with_suffix(".json"), results, page_list, info, args, notes, when)
    text = report(results, page_list, info, args, notes, when)
    out.write_text(text)
    print()
    print(text)
    print(f"Written to {out.relative_to(ROOT)}")


def measure_size(size, args, env, database_url, page_list, notes) -> SizeResult:
    have = practice_count(database_url)
    if size > have:
        print(f"\n== {size:,} practices: adding {size - have:,} synthetic ones", flush=True)
        started = time.monotonic()
        manage(env, "synthesize", "--practices", str(size - have), "--seed", str(args.seed))
        print(f"   synthesized in {time.monotonic() - started:.0f} s", flush=True)
        result_timing = time.monotonic() - started
    else:
        result_timing = 0.0
    vacuum_analyze(database_url)
    result = SizeResult(size, practice_count(database_url))
    result.timings["synthesize"] = result_timing

    pages_file = WORK / "pages.json"
    pages_file.write_text(json.dumps({p.name: p.ours for p in page_list}))
    captured_file = WORK / f"captured-{size}.json"
    # The SQL of a page as its view runs it (the page cache off), for the floor to run.
    subprocess.run(
        [sys.executable, str(BENCH / "capture.py"), pages_file, captured_file,
         WORK / f"bodies-{size}"],
        cwd=ROOT, env={**env, "GFMD_PAGE_CACHE": "0"}, check=True,
    )  # fmt: skip
    result.captured = json.loads(captured_file.read_text())
    bad = {n: c["status"] for n, c in result.captured.items() if c["status"] != 200}
    if bad:
        raise SystemExit(f"Pages that do not answer 200: {bad}")
    listed = result.captured.get("list_api", {}).get("count")
    found = result.captured.get("practice_search_api", {}).get("count")
    synthesized = (
        f" ({result.timings['synthesize']:.0f} s to synthesize the new ones)"
        if result.timings["synthesize"]
        else ""
    )
    matches = ""
    if listed is not None and found is not None:
        matches = (
            f": theme={args.theme} and region={args.region} match {listed:,} practices; "
            f'q="{args.query}" matches {found:,} practices '
            f"({100 * found / result.practices:.1f}%)"
        )
    notes.append(
        f"- {result.practices:,} practices{synthesized}{matches}; load average "
        f"{os.getloadavg()[0]:.2f} before measuring."
    )

    # Ours as deployed, then the same server with the page cache off: every request runs its
    # view (its aggregate results still cached under the data version), as a curator's would.
    variants = [("ours", "ours", env), ("uncached", "ours, page cache off",
                {**env, "GFMD_PAGE_CACHE": "0"})]  # fmt: skip
    for key, label, variant_env in variants:
        if key not in args.servers:
            continue
        print(f"== {result.practices:,} practices: {label}", flush=True)
        server = serve(key, variant_env, args.workers, "/healthz")
        try:
            drive(server, {p.name: p.ours for p in page_list}, args, result, key, database_url)
            result.memory[key] = peak_memory_mb(server)
        finally:
            server.stop()

    if "floor" in args.servers:
        print(f"== {result.practices:,} practices: floor", flush=True)
        spec = WORK / f"floor-{size}.json"
        spec.write_text(json.dumps(result.captured))
        floor_env = {**env, "BENCH_FLOOR_SPEC": str(spec)}
        ready = f"/static/{page_list[0].name}"  # a page measured (--pages may leave out home)
        server = serve("floor", floor_env, args.workers, ready, "floor:app", BENCH)
        try:
            floor_pages = {p.name: f"/db/{p.name}" for p in page_list}
            drive(server, floor_pages, args, result, "floor", database_url)
            result.memory["floor"] = peak_memory_mb(server)
            static_pages = {p.name: f"/static/{p.name}" for p in page_list}
            drive(server, static_pages, args, result, "static", database_url)
        finally:
            server.stop()

    if "peer" in args.servers:
        print(f"== {result.practices:,} practices: peer (exporting to SQLite)", flush=True)
        db_path = WORK / "bench.db"
        started = time.monotonic()
        export_sqlite(database_url, db_path)
        inspect_file = WORK / "inspect.json"
        subprocess.run(
            [str(VENV_BIN / "datasette"), "inspect", str(db_path), "--inspect-file",
             str(inspect_file)],
            check=True,
        )  # fmt: skip
        result.timings["export"] = time.monotonic() - started
        # A fresh Datasette for each page: it goes on running the SQL of requests wrk has
        # abandoned (up to the generous time limit), which would slow the next page down.
        peaks = []
        for page in page_list:
            if page.peer is None:
                continue  # no equivalent page in Datasette
            server = datasette(db_path, inspect_file, env)
            try:
                with urllib.request.urlopen(server.url(page.peer), timeout=300) as response:
                    assert response.status == 200, page.peer
                drive(server, {page.name: page.peer}, args, result, "peer", database_url)
                peaks += peak_memory_mb(server)
            finally:
                server.stop()
        result.memory["peer"] = peaks
    if args.longtail_urls:
        db_path, inspect_file = WORK / "bench.db", WORK / "inspect.json"
        result.longtail = longtail_run.measure(
            result, args, env, database_url, serve, db_path, inspect_file
        )
    return result


if __name__ == "__main__":
    main()
