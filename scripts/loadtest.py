#!/usr/bin/env python
"""Load test with a database outage in the middle (`make loadtest`; not a unit test).

What it does, all on loopback addresses and in a temporary folder:

1. starts a throwaway PostgreSQL cluster with pgserver's own initdb/pg_ctl on a free port (never
   var/pgdata, never the machine's server), so it can stop and start it freely;
2. `manage.py migrate`, `collectstatic`, `load_curated`, and a staff user with a DRF token;
3. gunicorn with production settings (DJANGO_DEBUG=0, a generated secret key, the connection
   pool on, the anonymous API throttle raised out of the way);
4. 50 clients for 60 seconds: pages, searches, API reads and a few API writes as the staff user;
   in the middle the database is stopped for 10 seconds and started again; meanwhile a second
   gunicorn is started against the stopped database to see what it does;
5. reports requests served, errors by kind, latency percentiles, the outage window, how long the
   site took to recover, and whether every acknowledged write survived.

Errors are any answer other than 2xx/3xx, and connection errors, except a 503 to a request that
was under way while the database was away: those are expected, and counted apart.

Everything it started is stopped on exit, Ctrl-C included. Exit status: 0 when there were no
unexpected errors, no lost writes, the site recovered and the settings ran as they are; 1
otherwise; 2 when set-up failed.

    .venv/bin/python scripts/loadtest.py [--clients 50] [--duration 60] [--outage-at 25]
        [--outage 10] [--stop-mode fast|immediate] [--workers 3] [--threads 4]
        [--pool-option timeout=2 ...] [--json report.json] [--keep]

(`make loadtest LOADTEST_ARGS="--stop-mode immediate"`.)
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SETUP_TIMEOUT = 120  # seconds, per set-up command
REQUEST_TIMEOUT = 30.0  # seconds, per request: gunicorn's worker timeout
SEARCH_TERMS = [
    "migration",
    "remittances",
    "diaspora",
    "labour",
    "circular migration",
    "return",
    "development",
    "Soderkoping",
    "remitances",  # a misspelling: exercises the did-you-mean suggestions
    "trafficking",
    "women",
    "skills",
]


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class SetupError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------------
# The throwaway PostgreSQL cluster
# --------------------------------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of its own, made with pgserver's binaries in a temporary folder and
    listening on a loopback port. As root, PostgreSQL runs as pgserver's 'pgserver' user."""

    def __init__(self, root: Path):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
            import pgserver._commands

        self.bin = Path(pgserver._commands.POSTGRES_BIN_PATH)
        self.root = root / "pg"
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.logfile = self.root / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        self.started = False
        self.closed = False
        self.lock = threading.Lock()  # the clean-up waits for a start or stop under way

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/gfmd"

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        extra = {}
        if self.user:
            extra = {"user": self.user, "group": self.user, "extra_groups": []}
        return subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # Ctrl-C is ours to handle; the server must not see it
            **extra,
        )

    def init(self) -> None:
        self.root.mkdir(parents=True)
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: do what pgserver does for var/pgdata.
            import pwd
            import stat

            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.root)
            ensure_prefix_permissions(self.bin)
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(self.bin.parent / "lib", readable)
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        result = self._run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "--encoding=UTF8",
            "--username=postgres",
            "--no-instructions",
        )
        if result.returncode:
            raise SetupError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            self.started = True
            self._start()

    def _start(self) -> None:
        options = f"-h {HOST} -p {self.port} -k {self.socket_dir}"
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "30",
            "start",
        )
        if result.returncode:
            raise SetupError(f"pg_ctl start failed: {result.stderr.strip()}; see {self.logfile}")

    def stop(self, mode: str = "fast") -> None:
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            result = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")
        if result.returncode:
            raise SetupError(f"pg_ctl stop failed: {result.stderr.strip()}")

    def is_ready(self) -> bool:
        result = self._run("pg_isready", "-q", "-h", HOST, "-p", str(self.port), timeout=10)
        return result.returncode == 0

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            host=HOST, port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "gfmd"')

    def query(self, sql: str, params=None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def shutdown(self) -> None:
        """Stop the server whatever state it is in (for the clean-up)."""
        with self.lock:
            self.closed = True
        if not self.started or not (self.data / "PG_VERSION").exists():
            return
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "15", "stop")
        except (OSError, subprocess.TimeoutExpired):
            pass
        if pidfile.exists():
            try:
                pid = int(pidfile.read_text().splitlines()[0])
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown
                time.sleep(1)
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass


# --------------------------------------------------------------------------------------------
# The site
# --------------------------------------------------------------------------------------------

# Django 5.2 passes `check=` to psycopg's ConnectionPool itself (when CONN_HEALTH_CHECKS is on), so
# a "check" among the pool options makes every connection attempt fail with "got multiple values
# for keyword argument 'check'". Until gfmd/settings.py drops it, the run removes it, and says so.
POOL_REPAIR = """
POOL_CHECK_REMOVED = False
for _alias, _config in DATABASES.items():
    _pool = _config.get("OPTIONS", {}).get("pool")
    if isinstance(_pool, dict) and "check" in _pool:
        _config["OPTIONS"] = {
            **_config["OPTIONS"],
            "pool": {k: v for k, v in _pool.items() if k != "check"},
        }
        POOL_CHECK_REMOVED = True
"""


class Site:
    """The project's commands and gunicorn, with production settings, on the throwaway cluster."""

    def __init__(
        self,
        root: Path,
        cluster: Cluster,
        anon_rate: str,
        repair: bool = True,
        pool_options: dict | None = None,
    ):
        self.root = root
        self.cluster = cluster
        self.static_root = root / "staticfiles"
        self.settings_dir = root / "settings"
        self.processes: list[subprocess.Popen] = []
        self.lock = threading.Lock()
        self.closed = False
        self.settings_dir.mkdir()
        # Production settings, except that collectstatic writes to the temporary folder rather
        # than the shared var/staticfiles (settings read STATIC_ROOT from no variable).
        text = (
            "from gfmd.settings import *  # noqa: F401,F403\n"
            f"STATIC_ROOT = {str(self.static_root)!r}\n"
        )
        if repair:
            text += POOL_REPAIR
        if pool_options:
            # To try pool options before changing settings.py (--pool-option).
            text += (
                "for _config in DATABASES.values():\n"
                "    if isinstance(_config.get('OPTIONS', {}).get('pool'), dict):\n"
                f"        _config['OPTIONS']['pool'].update({pool_options!r})\n"
            )
        (self.settings_dir / "loadtest_settings.py").write_text(text)
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "GFMD_SEEDS_DIR"}
        self.env = {key: value for key, value in os.environ.items() if key in keep}
        self.env.update(
            {
                "PYTHONPATH": os.pathsep.join([str(self.settings_dir), str(BASE_DIR)]),
                "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": "loadtest_settings",
                "DATABASE_URL": cluster.url,
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "GFMD_DB_POOL": "1",
                "GFMD_ANON_RATE": anon_rate,
            }
        )

    def spawn(self, command: list[str], **kwargs) -> subprocess.Popen:
        """Start a process that the clean-up will stop (never once the clean-up has begun)."""
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, start_new_session=True, **kwargs
            )
            self.processes.append(process)
            return process

    def manage_in_background(self, *args: str) -> tuple[subprocess.Popen, Path]:
        output = self.root / f"manage-{args[0]}.log"
        with open(output, "w") as out:
            process = self.spawn(
                [sys.executable, "manage.py", *args], stdout=out, stderr=subprocess.STDOUT
            )
        return process, output

    @staticmethod
    def finish(process: subprocess.Popen, output: Path, name: str) -> None:
        if process.wait(SETUP_TIMEOUT):
            tail = output.read_text(errors="replace").strip().splitlines()[-5:]
            raise SetupError(f"manage.py {name} failed: " + " / ".join(tail))

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
        )
        if result.returncode:
            tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-5:]
            raise SetupError(f"manage.py {' '.join(args)} failed: " + " / ".join(tail))
        return result.stdout

    def gunicorn(
        self, port: int, workers: int, threads: int, logfile: Path
    ) -> tuple[subprocess.Popen, object]:
        out = open(logfile, "w")  # noqa: SIM115 - closed by the caller
        process = self.spawn(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gfmd.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
                # gunicorn 27's default control socket is one per user (~/.gunicorn): leave
                # it to the machine's own servers.
                "--no-control-socket",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        return process, out

    @staticmethod
    def terminate(*processes: subprocess.Popen, grace: float = 8.0) -> None:
        """SIGINT (gunicorn's quick shutdown) to each process group, then SIGKILL after `grace`."""
        for process in processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGINT)
                except OSError:
                    pass
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    process.kill()
                process.wait(5)

    def shutdown(self) -> None:
        with self.lock:
            self.closed = True
        try:
            self.terminate(*self.processes)
        except Exception:  # noqa: BLE001 - the clean-up goes on
            pass


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str  # browse, search, api, write
    method: str
    path: str
    start: float
    end: float
    status: int | None = None
    error: str | None = None  # exception name when no response arrived
    content_type: str = ""
    retry_after: str | None = None
    mentions_database: bool = False
    body: bytes = b""

    @property
    def latency(self) -> float:
        return self.end - self.start

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    headers: dict | None = None,
    kind: str = "",
    timeout: float = REQUEST_TIMEOUT,
    keep_body: bool = False,
) -> Result:
    """One request on a fresh connection (as a proxy in front of gunicorn would make it)."""
    all_headers = {"Host": HOST, "Connection": "close", "Accept-Encoding": "identity"}
    all_headers.update(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    start = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        content = response.read()
        end = time.monotonic()
        return Result(
            kind,
            method,
            path,
            start,
            end,
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            retry_after=response.getheader("Retry-After"),
            mentions_database=b"database is unavailable" in content,
            body=content if keep_body or response.status >= 400 else b"",
        )
    except (OSError, http.client.HTTPException) as exc:
        name = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
        return Result(kind, method, path, start, time.monotonic(), error=name)
    finally:
        conn.close()


def get_json(port: int, path: str, token: str | None = None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    result = request(port, "GET", path, headers=headers, keep_body=True, timeout=60)
    if result.status != 200:
        raise SetupError(f"GET {path} gave {result.status or result.error}")
    return json.loads(result.body)


def wait_until_serving(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"gunicorn exited with status {process.returncode} at start-up")
        if request(port, "GET", "/readyz", timeout=5).status == 200:
            return
        time.sleep(0.2)
    raise SetupError("gunicorn did not answer /readyz in time")


# --------------------------------------------------------------------------------------------
# The workload
# --------------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Addresses to visit, discovered from the API before the clock starts."""

    pages: list[str] = field(default_factory=list)
    api_details: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    practices_pages: int = 1


def path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def discover(port: int) -> Catalogue:
    catalogue = Catalogue()
    for resource in (
        "practices",
        "themes",
        "meetings",
        "sessions",
        "recommendations",
        "rcps",
        "organisations",
        "countries",
        "sources",
    ):
        data = get_json(port, f"/api/v1/{resource}/?page_size=100")
        items = data["results"] if isinstance(data, dict) else data
        if resource == "practices":
            catalogue.practices_pages = max(1, -(-data["count"] // 25))
        for item in items:
            if item.get("web_url"):
                catalogue.pages.append(path_of(item["web_url"]))
            if item.get("url"):
                catalogue.api_details.append(path_of(item["url"]))
            if resource == "themes":
                catalogue.themes.append(item["slug"])
        if resource == "countries":
            catalogue.countries = [item["iso3"] for item in items][:40]
    if not (catalogue.pages and catalogue.themes):
        raise SetupError("the curated data did not load: the API lists nothing")
    return catalogue


class Workload:
    """Weighted mix of browsing, searching, API reads and (a few) API writes."""

    def __init__(self, catalogue: Catalogue, token: str, write_share: float, seed: int):
        self.catalogue = catalogue
        self.token = token
        self.write_share = write_share
        self.seed = seed
        self.acknowledged: dict[str, dict] = {}  # slug -> {"summary", "at", "method"}
        self.lock = threading.Lock()

    def next_request(self, rng: random.Random, client: int, counter: int):
        c = self.catalogue
        roll = rng.random()
        if roll < self.write_share:
            return self.write(rng, client, counter)
        roll = rng.random()
        theme = rng.choice(c.themes)
        term = urllib.parse.quote(rng.choice(SEARCH_TERMS))
        if roll < 0.50:
            path = rng.choices(
                [
                    "/",
                    "/practices/",
                    f"/practices/?theme={theme}",
                    f"/practices/?page={rng.randint(1, c.practices_pages)}",
                    f"/practices/?country={rng.choice(c.countries or ['PHL'])}",
                    rng.choice(c.pages),
                    "/themes/",
                    "/rcps/",
                    "/recommendations/",
                    "/meetings/",
                    "/countries/",
                    "/organisations/",
                ],
                weights=[6, 6, 6, 3, 3, 40, 3, 3, 3, 2, 2, 2],
            )[0]
            return "browse", "GET", path, None
        if roll < 0.72:
            path = rng.choice(
                [f"/search/?q={term}", f"/practices/?q={term}", f"/api/v1/search/?q={term}"]
            )
            return "search", "GET", path, None
        path = rng.choices(
            [
                rng.choice(c.api_details),
                f"/api/v1/practices/?page={rng.randint(1, c.practices_pages)}",
                f"/api/v1/practices/?theme={theme}",
                f"/api/v1/practices/facets/?theme={theme}",
                "/api/v1/practices/facets/",
                "/api/v1/rcps/",
                "/api/v1/recommendations/?page_size=50",
                "/api/v1/practices/?format=csv",
            ],
            weights=[40, 10, 10, 10, 5, 5, 5, 2],
        )[0]
        return "api", "GET", path, None

    def write(self, rng: random.Random, client: int, counter: int):
        with self.lock:
            own = [slug for slug in self.acknowledged if slug.startswith(f"loadtest-{client}-")]
        marker = f"summary {client}-{counter} {secrets.token_hex(4)}"
        if own and rng.random() < 0.4:
            slug = rng.choice(own)
            return "write", "PATCH", f"/api/v1/practices/{slug}/", {"summary": marker}
        body = {
            "slug": f"loadtest-{client}-{counter}-{self.seed}",
            "title": f"Load test practice {client}-{counter}",
            "summary": marker,
            "scope": "national",
            "type": "policy",
            "themes": [rng.choice(self.catalogue.themes)],
        }
        return "write", "POST", "/api/v1/practices/", body

    def headers_for(self, kind: str) -> dict:
        if kind == "write":
            return {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        return {}

    def record_write(self, result: Result, body: dict) -> None:
        if result.method == "POST" and result.status == 201:
            slug = body["slug"]
        elif result.method == "PATCH" and result.status == 200:
            slug = result.path.rstrip("/").rsplit("/", 1)[-1]
        else:
            return
        with self.lock:
            self.acknowledged[slug] = {"summary": body["summary"], "at": result.end}


@dataclass
class Timeline:
    load_start: float = 0.0
    load_end: float = 0.0
    stop_begin: float | None = None  # pg_ctl stop issued
    down: float | None = None  # pg_ctl stop returned: the server is gone
    start_begin: float | None = None  # pg_ctl start issued
    up: float | None = None  # pg_ctl start -w returned: accepting connections
    outage_error: str | None = None

    def rel(self, moment: float | None) -> float | None:
        return None if moment is None else round(moment - self.load_start, 2)


def run_clients(
    port: int,
    workload: Workload,
    clients: int,
    deadline: float,
    max_requests: int,
    stop: threading.Event,
    results: list[Result],
) -> list[threading.Thread]:
    issued = iter(range(max_requests))
    issued_lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(workload.seed * 1000 + number)
        counter = 0
        while not stop.is_set() and time.monotonic() < deadline:
            with issued_lock:
                if next(issued, None) is None:
                    return
            counter += 1
            kind, method, path, body = workload.next_request(rng, number, counter)
            if method == "PATCH":
                # A curator's edit: read the record, then send the version read with the change.
                read = request(
                    port,
                    "GET",
                    path,
                    headers={"Accept": "application/json"},
                    kind="api",
                    keep_body=True,
                )
                results.append(read)
                if read.status != 200:
                    continue
                version = json.loads(read.body).get("version")
                if version is not None:
                    body = {**body, "version": version}
                read.body = b""
            result = request(
                port, method, path, body=body, headers=workload.headers_for(kind), kind=kind
            )
            results.append(result)
            if kind == "write":
                workload.record_write(result, body)

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True, name=f"client-{n}")
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads


def probe_readiness(port: int, stop: threading.Event, samples: list[tuple]) -> None:
    """/readyz every quarter second: when the site itself saw the database go and come back."""
    while not stop.is_set():
        result = request(port, "GET", "/readyz", timeout=10)
        samples.append((result.start, result.end, result.status or result.error))
        stop.wait(0.25)


def start_while_database_down(site: Site, root: Path, wait: float = 7.0) -> dict:
    """Start a second gunicorn while the database is stopped and see what it does."""
    port = free_port()
    logfile = root / "gunicorn-db-down.log"
    process, out = site.gunicorn(port, workers=1, threads=4, logfile=logfile)
    started = time.monotonic()
    outcome: dict = {"port": port}
    try:
        while time.monotonic() - started < wait and process.poll() is None:
            if request(port, "GET", "/healthz", timeout=2).status == 200:
                break
            time.sleep(0.2)
        if process.poll() is not None:
            outcome["exited"] = True
            outcome["status"] = process.returncode
        else:
            outcome["exited"] = False
            probes: dict[str, Result] = {}

            def probe(path: str, accept: str) -> None:
                probes[path] = request(
                    port, "GET", path, headers={"Accept": accept}, timeout=15, keep_body=True
                )

            threads = [
                threading.Thread(target=probe, args=(path, accept), daemon=True)
                for path, accept in (
                    ("/healthz", "text/plain"),
                    ("/readyz", "text/plain"),
                    ("/practices/", "text/html"),
                    ("/api/v1/practices/", "application/json"),
                )
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
            outcome["answers"] = {
                path: {
                    "status": r.status or r.error,
                    "seconds": round(r.latency, 2),
                    "content_type": r.content_type,
                    "retry_after": r.retry_after,
                    "body": r.body[:160].decode("utf-8", "replace").strip(),
                }
                for path, r in probes.items()
            }
            outcome["answered_at"] = time.monotonic()
            outcome["still_running_after"] = round(time.monotonic() - started, 1)
    finally:
        Site.terminate(process)
        out.close()
    text = logfile.read_text(errors="replace").strip()
    outcome["output"] = text.splitlines()[-6:] if text else []
    return outcome


def outage(
    cluster: Cluster,
    site: Site,
    root: Path,
    timeline: Timeline,
    at: float,
    seconds: float,
    mode: str,
    stop: threading.Event,
    startup_check: dict,
) -> None:
    if stop.wait(max(0.0, timeline.load_start + at - time.monotonic())):
        return
    try:
        timeline.stop_begin = time.monotonic()
        cluster.stop(mode)
        timeline.down = time.monotonic()
        log(f"database stopped ({mode}) at t={timeline.rel(timeline.down)} s")

        def check() -> None:
            try:
                startup_check.update(start_while_database_down(site, root))
            except SetupError:
                pass  # the run is stopping

        checker = threading.Thread(target=check, daemon=True)
        checker.start()
        if stop.wait(max(0.0, timeline.down + seconds - time.monotonic())):
            return
        timeline.start_begin = time.monotonic()
        cluster.start()
        timeline.up = time.monotonic()
        log(f"database started again at t={timeline.rel(timeline.up)} s")
        checker.join(30)
        if "answered_at" in startup_check:
            startup_check["answered_while_database_down"] = (
                startup_check.pop("answered_at") < timeline.start_begin
            )
    except Exception as exc:  # noqa: BLE001 - reported, and the clean-up restarts nothing
        timeline.outage_error = f"{type(exc).__name__}: {exc}"
        log(f"outage control failed: {timeline.outage_error}")


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


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


def server_errors(logfile: Path, limit: int = 20) -> list[str]:
    """The server's error reports: each 500 with the exception that caused it, and gunicorn's own
    errors (a worker killed on timeout, a crash)."""
    try:
        lines = logfile.read_text(errors="replace").splitlines()
    except OSError:
        return []
    reports = []
    for index, line in enumerate(lines):
        if line.startswith("Internal Server Error"):
            cause = next(
                (
                    later
                    for later in lines[index + 1 :]
                    if later.strip()
                    and not later.startswith((" ", "\t", "Traceback"))
                    and not later.lstrip().startswith("^")
                ),
                "",
            )
            reports.append(f"{line} <- {cause}")
        elif "[ERROR]" in line or "[CRITICAL]" in line:
            reports.append(line)
    return reports[-limit:]


def print_report(report: dict, args, startup: dict, setup_seconds: dict) -> None:
    def fmt(p: dict) -> str:
        return f"p50 {p['p50']} ms, p95 {p['p95']} ms, p99 {p['p99']} ms, max {p['max']} ms"

    print()
    print("=" * 78)
    print(
        f"Load test: {args.clients} clients for {report['duration_s']} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads (gthread), database stopped "
        f"({args.stop_mode}) at {args.outage_at} s for {args.outage} s"
    )
    print("Set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in setup_seconds.items()))
    if report.get("settings_changed"):
        print("Settings changed for this run: " + "; ".join(report["settings_changed"]))
    print(
        f"Requests: {report['requests']} sent, {report['served']} served "
        f"({report['throughput_per_s']}/s)"
    )
    print(f"Errors: {report['error_count']} {report['errors'] or ''}")
    print(f"Expected 503 while the database was away: {report['expected_503_during_outage']}")
    for name, shape in report["outage_503"].items():
        if shape["count"]:
            print(
                f"  {name}: {shape['count']} answers, right type {shape['content_type_ok']}, "
                f"Retry-After: 5 {shape['retry_after_5']}, say the database is unavailable "
                f"{shape['says_database_unavailable']}; {fmt(shape['latency_ms'])}"
            )
    print("Latency of served requests:")
    for name, p in report["latency_ms"].items():
        print(f"  {name:20} {fmt(p)}")
    o = report["outage"]
    print(
        f"Outage: stop issued at {o['stop_issued_s']} s, down at {o['down_s']} s, start "
        f"issued at {o['start_issued_s']} s, up at {o['up_s']} s "
        f"(down for {o['database_down_for_s']} s){' ERROR ' + o['error'] if o['error'] else ''}"
    )
    r = report["recovery"]
    print(
        f"Recovery after the database was back: first success {r.get('first_success_s')} s, "
        "first success of a request sent after the restart "
        f"{r.get('first_success_of_a_request_sent_after_restart_s')} s, last failure "
        f"{r.get('last_failure_s')} s ({r.get('failures_after_restart')} failed answers); "
        f"/readyz failed {r.get('readyz_first_failure_after_stop_s')} s after the stop, "
        f"and was back {r.get('readyz_back_after_restart_s')} s after the restart"
    )
    for text in report.get("server_errors", [])[:5]:
        print(f"Server error: {text}")
    w = report["writes"]
    verdict = "none lost" if not w["lost_of_those_acknowledged_before_outage"] else "LOST"
    print(
        f"Writes: {w['attempted']} attempted, {w['acknowledged']} acknowledged "
        f"({w['records_acknowledged']} records, {w['records_acknowledged_before_outage']} "
        f"before the outage): {verdict}; missing {len(w['missing'])}, with an older text "
        f"{len(w['with_an_older_text'])}"
    )
    if startup:
        if startup.get("exited"):
            print(
                f"gunicorn started with the database down: exited with status {startup['status']}"
            )
        else:
            print(
                "gunicorn started with the database down: did NOT exit; still serving after "
                f"{startup.get('still_running_after')} s"
                + (
                    ""
                    if startup.get("answered_while_database_down", True)
                    else " (NB: the database was back before it answered)"
                )
                + ":"
            )
            for path, answer in startup.get("answers", {}).items():
                print(
                    f"  {path}: {answer['status']} in {answer['seconds']} s, "
                    f"{answer['content_type']}, Retry-After {answer['retry_after']}: "
                    f"{answer['body'][:90]!r}"
                )
        for line in startup.get("output", []):
            print(f"  | {line}")
    print("=" * 78)


# --------------------------------------------------------------------------------------------


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
    parser.add_argument(
        "--no-repair",
        action="store_true",
        help="run the settings exactly as they are, even the known-broken pool options",
    )
    args = parser.parse_args(argv)
    if not 0 < args.outage_at < args.duration:
        parser.error("--outage-at must fall inside --duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="gfmd-loadtest-"))
    cluster = Cluster(root)
    site = Site(
        root,
        cluster,
        anon_rate="1000000/minute",
        repair=not args.no_repair,
        pool_options=dict(args.pool_option),
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
            port = free_port()
            server, _ = site.gunicorn(port, args.workers, args.threads, root / "gunicorn.log")
            step("load_curated", lambda: site.manage("load_curated"))
            created = step(
                "staff token",
                lambda: site.manage(
                    "shell",
                    "-c",
                    "import json; from django.conf import settings;"
                    "from django.contrib.auth import get_user_model;"
                    "from rest_framework.authtoken.models import Token;"
                    "user = get_user_model().objects.create_user('loadtest', is_staff=True);"
                    "print(json.dumps({'token': Token.objects.create(user=user).key,"
                    "'repaired': getattr(settings, 'POOL_CHECK_REMOVED', False)}))",
                ),
            )
            created = json.loads(created.strip().splitlines()[-1])
            token = created["token"]
            if created["repaired"]:
                log(
                    "WARNING: gfmd/settings.py passes 'check' in the pool options, which Django "
                    "passes itself; with it every database access fails (TypeError). This run "
                    "removed it; drop it from settings.py."
                )
            step(
                "gunicorn ready",
                lambda: wait_until_serving(port, server, time.monotonic() + 60),
            )
            log(f"gunicorn on {HOST}:{port}")
            catalogue = discover(port)
            log(f"{len(catalogue.pages)} pages and {len(catalogue.api_details)} API records")
        except (SetupError, subprocess.TimeoutExpired, OSError) as exc:
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
        while any(thread.is_alive() for thread in clients):
            for thread in clients:
                thread.join(0.5)
        timeline.load_end = time.monotonic()
        controller.join(60)
        stop.set()
        prober.join(15)
        if server.poll() is not None:
            log(f"gunicorn exited during the run with status {server.returncode}")
        if not (timeline.up and cluster.is_ready()):
            log("the database is not back: writes cannot be checked")
            return 1
        report = analyse(results, timeline, readiness, workload, cluster)
        report["gunicorn_with_database_down"] = startup
        report["server_errors"] = server_errors(root / "gunicorn.log")
        report["settings"] = {**vars(args), "json": str(args.json) if args.json else None}
        report["settings_changed"] = (
            ["removed 'check' from the pool options"] if created["repaired"] else []
        ) + [f"pool option {k}={v!r}" for k, v in args.pool_option]
        print_report(report, args, startup, setup_seconds)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
            log(f"report written to {args.json}")
        w = report["writes"]
        if created["repaired"]:
            print(
                "NOTE: this run removed 'check' from the database pool options; as they are in "
                "gfmd/settings.py, every database access fails with a TypeError (a 500)."
            )
        healthy = (
            not created["repaired"]
            and report["error_count"] == 0
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
