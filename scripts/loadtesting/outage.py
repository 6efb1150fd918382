"""The database outage in the middle of the load, and a second gunicorn started during it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gfmd.lib.servers import ServerError
from loadtesting.app import Site
from loadtesting.client import Result, request
from loadtesting.cluster import Cluster
from loadtesting.common import SetupError, log


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


def start_while_database_down(site: Site, root: Path, wait: float = 7.0) -> dict:
    """Start a second gunicorn while the database is stopped and see what it does."""
    logfile = root / "gunicorn-db-down.log"
    server = site.gunicorn(workers=1, threads=4, logfile=logfile)
    port = server.port
    started = time.monotonic()
    outcome: dict = {"port": port}
    try:
        try:
            server.wait_until_ready("/healthz", timeout=wait)
        except ServerError:
            pass  # it exited, or answers nothing yet: see below
        if server.poll() is not None:
            outcome["exited"] = True
            outcome["status"] = server.process.returncode
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
        server.stop(grace=8.0)
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
