"""Benchmark: the site at 1k, 10k and 100k practices, against Datasette and a bare floor.

    make bench                                  # 1k, 10k and 100k practices
    make bench BENCH_ARGS="--sizes 1000,10000 --duration 5"

In a database of its own (gfmd_bench, on DATABASE_URL's server or the embedded one, created and
dropped here) it loads the curated data, then for each size adds synthetic practices
(`manage.py synthesize`) and measures, with wrk over loopback at 1 and 16 connections:

* ours: the site under gunicorn with production settings, serving the synthetic records;
* the peer: Datasette serving the same published practices exported to SQLite with FTS5, set up
  as its documentation advises for speed (immutable file, precomputed counts, no facet
  suggestions, generous time limits), on the equivalent table, search and row pages;
* the floor: a bare WSGI app under the same gunicorn running the very SQL Django ran for each
  page with psycopg and returning the rows (and, second floor, returning the page prebuilt).

SQL queries per page are counted in-process with Django's test client (bench/capture.py), and
each server process's peak memory is read from /proc (VmHWM). One markdown table goes to
bench/results/<timestamp>.md and to standard output. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
RESULTS = BENCH / "results"
DB_NAME = "gfmd_bench"

# Installed into the virtual environment when missing; not project dependencies.
PEER_REQUIREMENTS = ["datasette==0.65.5", "sqlite-utils==4.2.1", "tqdm==4.70.1"]

# Page parameters, the same at every size: a leaf theme (so "theme" means the same in both
# servers: no sub-themes to fold in), a region, and a specific search.
DEFAULT_THEME = "health-workforce"
DEFAULT_REGION = "africa"
DEFAULT_QUERY = "brain drain"
DETAIL_SLUG = "malawi-health-worker-retention"
FACET_ARRAYS = ["themes", "regions", "countries", "sessions", "rcps"]
FACET_COLUMNS = ["scope", "type"]


@dataclass
class Page:
    name: str
    label: str
    ours: str
    peer: str | None


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


def pages(theme: str, region: str, query: str, detail_id: int) -> list[Page]:
    filters = urlencode({"theme": theme, "region": region})
    peer_filters = urlencode({"themes__arraycontains": theme, "regions__arraycontains": region})
    facets = "&".join(
        [f"_facet_array={name}" for name in FACET_ARRAYS]
        + [f"_facet={name}" for name in FACET_COLUMNS]
    )
    q = quote(query)
    return [
        Page("home", "home page", "/", "/"),
        Page(
            "list_html",
            "practice list, 2 facets applied, facet counts (HTML)",
            f"/practices/?{filters}",
            f"/bench/practices?{peer_filters}&{facets}&_sort=title&_size=20",
        ),
        Page(
            "list_api",
            "practice list, 2 facets applied (API JSON)",
            f"/api/v1/practices/?{filters}",
            f"/bench/practices.json?{peer_filters}&_sort=title&_size=25",
        ),
        Page(
            "facets_api",
            "facet counts, 2 facets applied (API JSON)",
            f"/api/v1/practices/facets/?{filters}",
            f"/bench/practices.json?{peer_filters}&{facets}&_size=0",
        ),
        Page(
            "search_html",
            "full-text search (HTML)",
            f"/search/?q={q}",
            f"/bench/practices?_search={q}&_size=20",
        ),
        Page(
            "search_api",
            "full-text search, all kinds (API JSON)",
            f"/api/v1/search/?q={q}",
            f"/bench/practices.json?_search={q}&_size=10",
        ),
        Page(
            "practice_search_api",
            "practice search (API JSON)",
            f"/api/v1/practices/?q={q}",
            f"/bench/practices.json?_search={q}&_size=25",
        ),
        Page(
            "detail_html",
            "practice detail page",
            f"/practices/{DETAIL_SLUG}/",
            f"/bench/practices/{detail_id}",
        ),
    ]


# -- set-up ------------------------------------------------------------------------------------


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


def server_url(explicit: str | None) -> str:
    """A URL of the PostgreSQL server to use: the embedded one runs while this process does."""
    if explicit or os.environ.get("DATABASE_URL"):
        return explicit or os.environ["DATABASE_URL"]
    sys.path.insert(0, str(ROOT))
    from gfmd.lib import embedded_db

    return embedded_db.start(embedded_db.default_data_dir(ROOT))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


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
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def vacuum_analyze(database_url: str) -> None:
    """Statistics and visibility maps for every table, as autovacuum would leave them."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def practice_count(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM practices_practice").fetchone()[0]


def practice_id(database_url: str, slug: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT id FROM practices_practice WHERE slug = %s", [slug]).fetchone()[
            0
        ]


EXPORT_SQL = """
SELECT p.id, p.slug, p.title, p.summary, p.description, p.results, p.scope, p.type,
       p.start_year,
       COALESCE((SELECT json_agg(t.slug ORDER BY t.slug) FROM practices_practice_themes x
                 JOIN practices_theme t ON t.id = x.theme_id WHERE x.practice_id = p.id), '[]'),
       COALESCE((SELECT json_agg(DISTINCT c.region) FROM practices_practice_countries x
                 JOIN gfmd_country c ON c.id = x.country_id WHERE x.practice_id = p.id), '[]'),
       COALESCE((SELECT json_agg(c.iso3 ORDER BY c.iso3) FROM practices_practice_countries x
                 JOIN gfmd_country c ON c.id = x.country_id WHERE x.practice_id = p.id), '[]'),
       COALESCE((SELECT json_agg(s.code ORDER BY s.code) FROM practices_practice_sessions x
                 JOIN roundtables_session s ON s.id = x.session_id WHERE x.practice_id = p.id),
                '[]'),
       COALESCE((SELECT json_agg(r.slug ORDER BY r.slug) FROM practices_practice_rcps x
                 JOIN rcps_rcp r ON r.id = x.rcp_id WHERE x.practice_id = p.id), '[]')
FROM practices_practice p WHERE p.published ORDER BY p.id
"""
EXPORT_COLUMNS = [
    "id", "slug", "title", "summary", "description", "results", "scope", "type", "start_year",
    "themes", "regions", "countries", "sessions", "rcps",
]  # fmt: skip


def export_sqlite(database_url: str, path: Path) -> None:
    """The published practices (synthetic ones included, as the benchmark server serves them)
    and the recommendations, with FTS5 on their text, as Datasette would be given them."""
    import psycopg
    import sqlite_utils

    if path.exists():
        path.unlink()
    db = sqlite_utils.Database(path)
    with psycopg.connect(database_url) as conn, conn.cursor(name="export") as cursor:
        cursor.itersize = 5000
        cursor.execute(EXPORT_SQL)
        rows = (dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in cursor)
        db["practices"].insert_all(rows, pk="id", batch_size=2000)
    with psycopg.connect(database_url) as conn, conn.cursor(name="export_r") as cursor:
        cursor.execute(
            "SELECT r.id, r.slug, s.code, r.number, r.title, r.text, r.status "
            "FROM roundtables_recommendation r LEFT JOIN roundtables_session s "
            "ON s.id = r.session_id ORDER BY r.id"
        )
        columns = ["id", "slug", "session", "number", "title", "text", "status"]
        rows = (dict(zip(columns, row, strict=True)) for row in cursor)
        db["recommendations"].insert_all(rows, pk="id", batch_size=2000)
    db["practices"].enable_fts(["title", "summary", "description", "results"], fts_version="FTS5")
    db["recommendations"].enable_fts(["title", "text"], fts_version="FTS5")
    # The list is sorted by title and filtered by scope or type, as ours is.
    db["practices"].create_index(["title"])
    db["practices"].create_index(["scope"])
    db["practices"].create_index(["type"])
    db.analyze()
    db.vacuum()
    db.close()


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name: str, args: list[str], env: dict, cwd: Path, port: int, ready: str):
        self.name, self.port = name, port
        log = WORK / f"{name}.log"
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited at start-up; see {log}")
            try:
                with urllib.request.urlopen(self.url(ready), timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer within 120 s; see {log}")
            time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def processes(self) -> list[int]:
        """The server process and its workers."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [pid, *kids]

    def peak_memory_mb(self) -> list[float]:
        """VmHWM of each worker (or of the one process when it has none)."""
        pids = self.processes()
        workers = pids[1:] or pids[:1]
        peaks = []
        for pid in workers:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def gunicorn(name: str, app: str, env: dict, cwd: Path, workers: int, ready: str) -> Server:
    port = free_port()
    args = [
        str(VENV_BIN / "gunicorn"), app,
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    return Server(name, args, env, cwd, port, ready)


def datasette(db_path: Path, inspect_file: Path, env: dict) -> Server:
    port = free_port()
    args = [
        str(VENV_BIN / "datasette"), "serve",
        "-i", str(db_path),
        "--inspect-file", str(inspect_file),
        "-h", "127.0.0.1", "-p", str(port),
        "--setting", "suggest_facets", "off",
        "--setting", "sql_time_limit_ms", "60000",
        "--setting", "facet_time_limit_ms", "60000",
    ]  # fmt: skip
    return Server("datasette", args, env, db_path.parent, port, "/-/versions.json")


# -- load --------------------------------------------------------------------------------------


def wrk(url: str, connections: int, seconds: float) -> Run:
    threads = min(connections, 2)
    out = subprocess.run(
        [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "30s", "-s", str(BENCH / "report.lua"), url,
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    seconds = data["duration_us"] / 1e6
    done = data["requests"]
    return Run(
        requests_per_s=done / seconds if seconds else 0.0,
        p50=data["p50"] / 1000 if done else None,
        p95=data["p95"] / 1000 if done else None,
        p99=data["p99"] / 1000 if done else None,
        errors=data["socket_errors"] + data["non_2xx_3xx"],
        requests=done,
        seconds=seconds,
    )


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def wait_idle(server: Server, database_url: str, timeout: float = 300) -> None:
    """Wait until the server has finished what wrk left queued when it stopped (sync workers
    go on serving requests whose clients have gone) and its database queries are done."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            before = cpu_ticks(server.processes())
            time.sleep(0.3)
            busy = cpu_ticks(server.processes()) - before
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if busy <= 2 and not active:
                return


def drive(server: Server, paths: dict[str, str], args, result: SizeResult, key: str) -> None:
    for name, path in paths.items():
        url = server.url(path)
        # Warm every worker: caches, the connection pool, the search vocabulary.
        wrk(url, max(args.connections), args.warmup)
        wait_idle(server, args.database_url_bench)
        for connections in args.connections:
            run = wrk(url, connections, args.duration)
            wait_idle(server, args.database_url_bench)
            result.runs[(key, name, connections)] = run
            print(
                f"  {key:7} {name:20} c={connections:<3} {throughput(run):>8} req/s  "
                f"p50 {latency(run, 'p50'):>7}  p95 {latency(run, 'p95'):>7}  "
                f"p99 {latency(run, 'p99'):>7} ms"
                + (f"  ERRORS {run.errors}" if run.errors else ""),
                flush=True,
            )


# -- the report --------------------------------------------------------------------------------


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
        results.append(result)
    page_list = [Page(**page) for page in data["pages"]]
    args = SimpleNamespace(**data["args"])
    return results, page_list, data["info"], args, data["notes"], data["when"]


# -- main --------------------------------------------------------------------------------------


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
    parser.add_argument("--keep-db", action="store_true", help=f"keep {DB_NAME} afterwards")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--render", metavar="RAW.json", help="draw the table again from a run's saved figures"
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.connections = [int(c) for c in args.connections.split(",")]
    args.servers = set(args.servers.split(","))
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
    database_url = args.database_url_bench = with_database(admin_url, DB_NAME)
    env = server_env(database_url)
    import psycopg

    with psycopg.connect(admin_url) as conn:
        info["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    load = os.getloadavg()
    info["load average at start"] = f"{load[0]:.2f}"

    print(f"Creating {DB_NAME} and loading the curated data...", flush=True)
    recreate_database(admin_url)
    results: list[SizeResult] = []
    notes: list[str] = []
    try:
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_curated", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        detail_id = practice_id(database_url, DETAIL_SLUG)
        page_list = pages(args.theme, args.region, args.query, detail_id)
        for size in args.sizes:
            results.append(measure_size(size, args, env, database_url, page_list, notes))
    finally:
        if not args.keep_db:
            drop_database(admin_url)
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
    listed = result.captured["list_api"].get("count")
    found = result.captured["practice_search_api"].get("count")
    synthesized = (
        f" ({result.timings['synthesize']:.0f} s to synthesize the new ones)"
        if result.timings["synthesize"]
        else ""
    )
    notes.append(
        f"- {result.practices:,} practices{synthesized}: theme={args.theme} and "
        f'region={args.region} match {listed:,} practices; q="{args.query}" matches '
        f"{found:,} practices ({100 * found / result.practices:.1f}%); load average "
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
        server = gunicorn(key, "gfmd.wsgi:application", variant_env, ROOT, args.workers, "/healthz")
        try:
            drive(server, {p.name: p.ours for p in page_list}, args, result, key)
            result.memory[key] = server.peak_memory_mb()
        finally:
            server.stop()

    if "floor" in args.servers:
        print(f"== {result.practices:,} practices: floor", flush=True)
        spec = WORK / f"floor-{size}.json"
        spec.write_text(json.dumps(result.captured))
        floor_env = {**env, "BENCH_FLOOR_SPEC": str(spec)}
        server = gunicorn("floor", "floor:app", floor_env, BENCH, args.workers, "/static/home")
        try:
            drive(server, {p.name: f"/db/{p.name}" for p in page_list}, args, result, "floor")
            result.memory["floor"] = server.peak_memory_mb()
            drive(server, {p.name: f"/static/{p.name}" for p in page_list}, args, result,
                  "static")  # fmt: skip
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
            server = datasette(db_path, inspect_file, env)
            try:
                with urllib.request.urlopen(server.url(page.peer), timeout=300) as response:
                    assert response.status == 200, page.peer
                drive(server, {page.name: page.peer}, args, result, "peer")
                peaks += server.peak_memory_mb()
            finally:
                server.stop()
        result.memory["peer"] = peaks
    return result


if __name__ == "__main__":
    main()
