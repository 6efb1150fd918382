#!/usr/bin/env python
"""Load test with a database outage, a Redis outage and slow clients (`make loadtest`; not a
unit test).

What it does, all on loopback addresses and in a temporary folder:

1. starts a throwaway PostgreSQL cluster with pgserver's own initdb/pg_ctl on a free port (never
   var/pgdata, never the machine's server), so it can stop and start it freely;
2. `manage.py migrate`, `collectstatic`, `load_curated`, and a staff user with a DRF token;
3. a throwaway redis-server on a free port (`maxmemory 64mb`, `allkeys-lru`, as docs/deploy.md
   says) and gunicorn with production settings (DJANGO_DEBUG=0, a generated secret key, the
   connection pool on, REDIS_URL, the anonymous API throttle raised out of the way);
4. 50 clients for 60 seconds: pages, searches, API reads and a few API writes as a curator;
   in the middle the database is stopped for 10 seconds and started again; meanwhile a second
   gunicorn is started against the stopped database to see what it does; later Redis is stopped
   for 8 seconds (`--redis-outage-at`, `--redis-outage`); early on, 10 connections send their
   headers to gunicorn a byte a second for 8 seconds (`--slow-at`, `--slow-clients`,
   `--slow-for`: gunicorn alone, without the nginx of docs/deploy/nginx.conf in front, so this
   phase measures what that proxy is for);
5. reports requests served, errors by kind, latency percentiles, the outage window, how long the
   site took to recover, whether every acknowledged write survived, and for the Redis and
   slow-client phases the requests, 5xx, latency and recovery inside each.

Errors are any answer other than 2xx/3xx, and connection errors, except a 503 to a request that
was under way while the database was away: those are expected, and counted apart.

Everything it started is stopped on exit, Ctrl-C included. Exit status: 0 when there were no
unexpected errors, no lost writes and the site recovered; 1 otherwise; 2 when set-up failed.

    .venv/bin/python scripts/loadtest.py [--clients 50] [--duration 60] [--outage-at 25]
        [--outage 10] [--redis-outage-at 45] [--redis-outage 8] [--slow-at 8]
        [--slow-clients 10] [--slow-for 8] [--stop-mode fast|immediate] [--workers 3] [--threads 4]
        [--pool-option timeout=2 ...] [--json report.json] [--keep]

(`make loadtest LOADTEST_ARGS="--stop-mode immediate"`.)
"""

from __future__ import annotations

import sys
from pathlib import Path

# This checkout's gfmd (for gfmd.lib.servers), ahead of any installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import atexit
import json
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from loadtesting.analysis import analyse
from loadtesting.app import Site
from loadtesting.client import Result
from loadtesting.cluster import Cluster
from loadtesting.common import HOST, SetupError, log
from loadtesting.outage import Timeline, outage
from loadtesting.phases import Phase, Redis, redis_outage, slow_clients, summarise
from loadtesting.report import print_report, server_errors
from loadtesting.workload import Workload, discover, probe_readiness, run_clients

from gfmd.lib.servers import ServerError


def pool_option(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    if not name or not value:
        raise argparse.ArgumentTypeError("use NAME=VALUE")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--outage-at", type=float, default=25.0, help="seconds into the load")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds the database is down")
    parser.add_argument("--redis-outage-at", type=float, default=45.0, help="0: no Redis outage")
    parser.add_argument("--redis-outage", type=float, default=8.0, help="seconds Redis is down")
    parser.add_argument("--slow-at", type=float, default=8.0, help="0: no slow clients")
    parser.add_argument("--slow-clients", type=int, default=10)
    parser.add_argument("--slow-for", type=float, default=8.0)
    parser.add_argument(
        "--stop-mode",
        choices=["smart", "fast", "immediate"],
        default="fast",
        help="pg_ctl stop mode (immediate is a crash: recovery replays the WAL)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--write-share", type=float, default=0.03)
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--pool-option",
        action="append",
        default=[],
        type=pool_option,
        metavar="NAME=VALUE",
        help="a psycopg pool option to try, e.g. timeout=2 or reconnect_timeout=5 (repeatable)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.outage_at < args.duration:
        parser.error("--outage-at must fall inside --duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="gfmd-loadtest-"))
    cluster = Cluster(root)
    try:
        redis = Redis()
    except SetupError as exc:
        log(f"set-up failed: {exc}")
        return 2
    site = Site(
        root,
        cluster,
        anon_rate="1000000/minute",
        pool_options=dict(args.pool_option),
        redis_url=redis.url,
    )
    stop = threading.Event()
    cleaned = threading.Event()

    def cleanup() -> None:
        if cleaned.is_set():
            return
        cleaned.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the clean-up
        stop.set()
        site.shutdown()
        cluster.shutdown()
        redis.stop()
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    atexit.register(cleanup)
    # Ctrl-C even when started in the background, where SIGINT may be inherited as ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    setup_seconds: dict[str, float] = {}

    def step(name: str, action):
        began = time.monotonic()
        value = action()
        setup_seconds[name] = time.monotonic() - began
        return value

    try:
        try:
            log(f"temporary folder {root}")
            step("redis start", redis.start)
            step("initdb", cluster.init)
            step("postgres start", cluster.start)
            cluster.create_database()
            log(f"PostgreSQL on {HOST}:{cluster.port}; migrating and loading the curated data")
            # collectstatic needs no database: it runs alongside migrate and load_curated.
            static = site.manage_in_background("collectstatic", "--no-input")
            step("migrate", lambda: site.manage("migrate", "--no-input"))
            step("collectstatic (the rest)", lambda: site.finish(*static, "collectstatic"))
            # gunicorn boots while the data loads (WhiteNoise indexes the static files at boot,
            # so not before collectstatic has finished).
            server = site.gunicorn(args.workers, args.threads, root / "gunicorn.log")
            port = server.port
            step("load_curated", lambda: site.manage("load_curated"))
            token = step(
                "staff token",
                lambda: site.manage(
                    "shell",
                    "-c",
                    "from django.contrib.auth import get_user_model;"
                    "from rest_framework.authtoken.models import Token;"
                    "from django.contrib.auth.models import Permission;"
                    "user = get_user_model().objects.create_user('loadtest', is_staff=True);"
                    "user.user_permissions.set(Permission.objects.filter("
                    "content_type__app_label__in=['gfmd', 'practices', 'roundtables', 'rcps']));"
                    "print(Token.objects.create(user=user).key)",
                ),
            )
            token = token.strip().splitlines()[-1]
            step("gunicorn ready", lambda: server.wait_until_ready("/readyz", timeout=60))
            log(f"gunicorn on {HOST}:{port}")
            catalogue = discover(port)
            log(f"{len(catalogue.pages)} pages and {len(catalogue.api_details)} API records")
        except (SetupError, ServerError, subprocess.TimeoutExpired, OSError) as exc:
            log(f"set-up failed: {exc}")
            return 2

        workload = Workload(catalogue, token, args.write_share, args.seed)
        timeline = Timeline()
        results: list[Result] = []
        readiness: list[tuple] = []
        startup: dict = {}
        timeline.load_start = time.monotonic()
        deadline = timeline.load_start + args.duration
        log(f"{args.clients} clients for {args.duration:g} s")
        clients = run_clients(
            port, workload, args.clients, deadline, args.max_requests, stop, results
        )
        prober = threading.Thread(target=probe_readiness, args=(port, stop, readiness), daemon=True)
        prober.start()
        controller = threading.Thread(
            target=outage,
            args=(
                cluster,
                site,
                root,
                timeline,
                args.outage_at,
                args.outage,
                args.stop_mode,
                stop,
                startup,
            ),
            daemon=True,
        )
        controller.start()
        redis_phase, slow_phase = Phase("redis outage"), Phase("slow clients")
        phases = []
        if args.redis_outage_at:
            phases.append(
                threading.Thread(
                    target=redis_outage,
                    args=(
                        redis,
                        redis_phase,
                        timeline.load_start + args.redis_outage_at,
                        args.redis_outage,
                        stop,
                    ),
                    daemon=True,
                )
            )
        if args.slow_at:
            phases.append(
                threading.Thread(
                    target=slow_clients,
                    args=(
                        port,
                        slow_phase,
                        timeline.load_start + args.slow_at,
                        args.slow_for,
                        args.slow_clients,
                        stop,
                    ),
                    daemon=True,
                )
            )
        for thread in phases:
            thread.start()
        while any(thread.is_alive() for thread in clients):
            for thread in clients:
                thread.join(0.5)
        timeline.load_end = time.monotonic()
        controller.join(60)
        for thread in phases:
            thread.join(30)
        stop.set()
        prober.join(15)
        if server.poll() is not None:
            log(f"gunicorn exited during the run with status {server.process.returncode}")
        if not (timeline.up and cluster.is_ready()):
            log("the database is not back: writes cannot be checked")
            return 1
        report = analyse(results, timeline, readiness, workload, cluster)
        report["gunicorn_with_database_down"] = startup
        report["redis_outage"] = summarise(redis_phase, results, timeline.load_start)
        report["slow_clients"] = summarise(slow_phase, results, timeline.load_start)
        report["server_errors"] = server_errors(root / "gunicorn.log")
        report["settings"] = {**vars(args), "json": str(args.json) if args.json else None}
        report["settings_changed"] = [f"pool option {k}={v!r}" for k, v in args.pool_option]
        print_report(report, args, startup, setup_seconds)
        for name in ("redis_outage", "slow_clients"):
            print(f"{name.replace('_', ' ').capitalize()}: {json.dumps(report[name])}")
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
            log(f"report written to {args.json}")
        w = report["writes"]
        healthy = (
            report["error_count"] == 0
            and not w["missing"]
            and not w["with_an_older_text"]
            and report["recovery"].get("first_success_s") is not None
        )
        return 0 if healthy else 1
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        return 130
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
