"""A real streaming replica: a PostgreSQL primary and a standby made from it with
`pg_basebackup -R` (gfmd.lib.pg_cluster), app servers reading from the standby and sharing a
throwaway Redis. Reads go to the replica; a curator reads their own write at once; a replica that
falls behind, or goes down, leaves reads to the primary without an error.

Replay on the standby is paused (`pg_wal_replay_pause()`, then waiting until the standby reports
'paused') to make it visibly behind: what a server then shows tells which of the two it read.
Nothing depends on how long a step takes: servers A and B accept a lag of an hour, so while the
test runs they always read the standby; server C accepts one second, and the test waits until the
standby itself reports more than that before asking C.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from gfmd.lib import pg_cluster, servers
from gfmd.lib.db_router import LAG_SQL, PIN_COOKIE

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
BASE_DIR = Path(settings.BASE_DIR)
SLUG = "replica-test-practice"
USERNAME, PASSWORD = "replica-curator", secrets.token_urlsafe(16)
# GFMD_REPLICA_MAX_LAG of the servers, in seconds: A and B never find the standby too far behind
# during a test, C does as soon as it is a second behind. The pin after a write outlasts the test.
PATIENT, STRICT = 3600, 1
PIN_SECONDS = 3600


@pytest.fixture(autouse=True)
def _warm_caches():
    """The suite's cache warming queries the test database; these servers have their own."""


def request(port, method, path, *, body=None, headers=None, cookies=None):
    all_headers = {"Host": HOST, "Connection": "close", "Accept": "application/json"}
    all_headers.update(headers or {})
    if cookies:
        all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if isinstance(body, dict):
        body = json.dumps(body)
        all_headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        got = {}
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            got[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode(), got
    finally:
        conn.close()


def title(port, cookies=None) -> str:
    status, body, _ = request(port, "GET", f"/api/v1/practices/{SLUG}/", cookies=cookies)
    assert status == 200, body[:500]
    return json.loads(body)["title"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    bin_path = pg_cluster.bin_dir()
    if bin_path is None or not shutil.which("redis-server"):
        pytest.skip(
            "needs PostgreSQL's server programs (GFMD_PG_BIN, a packaged PostgreSQL or pgserver) "
            "and redis-server (apt-get install redis-server)"
        )
    logs = tmp_path_factory.mktemp("replica")
    pair = pg_cluster.PostgresPair(servers.free_port(), servers.free_port(), bin_path)
    redis_port = servers.free_port()
    redis = subprocess.Popen(
        ["redis-server", "--bind", HOST, "--port", str(redis_port), "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    running = []
    try:
        pair.start_primary()
        with psycopg.connect(pair.url(pair.primary_port, "postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE gfmd")
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
        env.update(
            DJANGO_SETTINGS_MODULE="gfmd.settings",
            DATABASE_URL=pair.url(pair.primary_port, "gfmd"),
            DJANGO_DEBUG="1",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS=HOST,
            GFMD_ANON_RATE="100000/minute",
            REDIS_URL=f"redis://{HOST}:{redis_port}/0",
            GFMD_PIN_SECONDS=str(PIN_SECONDS),
            GFMD_PAGE_CACHE="0",
        )
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        for args in (
            ["migrate", "--no-input", "-v0"],
            ["shell", "-c",
             "from django.contrib.auth import get_user_model; "
             "from tests.factories import make_practice; "
             f"make_practice(slug={SLUG!r}, title='As first written'); "
             f"get_user_model().objects.create_superuser({USERNAME!r}, None, {PASSWORD!r})"],
        ):  # fmt: skip
            done = subprocess.run([*manage, *args], env=env, cwd=BASE_DIR, capture_output=True,
                                  text=True, timeout=300)  # fmt: skip
            assert done.returncode == 0, done.stderr[-2000:]
        pair.start_replica()
        env["DATABASE_REPLICA_URLS"] = pair.url(pair.replica_port, "gfmd")
        for name, max_lag in (("A", PATIENT), ("B", PATIENT), ("C", STRICT)):
            running.append(
                servers.gunicorn(
                    env={**env, "GFMD_REPLICA_MAX_LAG": str(max_lag)},
                    log=logs / f"{name}.log",
                    cwd=BASE_DIR,
                    workers=1,
                    threads=2,
                    name=f"server {name}",
                )  # fmt: skip
            )
        for server in running:
            server.wait_until_ready("/readyz", timeout=120)
        primary = psycopg.connect(pair.url(pair.primary_port, "gfmd"), autocommit=True)
        replica_url = pair.url(pair.replica_port, "gfmd")
        site = {"pair": pair, "servers": [s.port for s in running], "primary": primary,
                "replica": psycopg.connect(replica_url, autocommit=True),
                "replica_url": replica_url}  # fmt: skip
        yield site
        primary.close()
        site["replica"].close()
    finally:
        servers.stop_processes(*(server.process for server in running))
        for server in running:
            server.stop()
        servers.stop_processes(redis)
        pair.stop()


def write_title(conn, text: str) -> None:
    conn.execute("UPDATE practices_practice SET title = %s WHERE slug = %s", [text, SLUG])


@contextmanager
def replay_paused(site):
    """The standby stops replaying just after it has caught up: from here on, what is written
    on the primary is on the primary only."""
    pair, primary, replica = site["pair"], site["primary"], site["replica"]
    primary.execute("UPDATE gfmd_dataversion SET value = value WHERE id = 1")  # a fresh commit
    pair.wait_replayed(primary, replica)
    pair.pause_replay(replica)
    try:
        yield
    finally:
        pair.resume_replay(replica)
        pair.wait_replayed(primary, replica)


def wait_lag_over(site, seconds: float, timeout: float = 60) -> float:
    """Until the standby reports a lag over `seconds`, measured as the router measures it (with
    replay paused and a write received, the lag only grows)."""
    site["pair"].wait_received(site["primary"], site["replica"])
    lag = lambda: site["replica"].execute(LAG_SQL).fetchone()[0]  # noqa: E731
    pg_cluster.wait_until(
        lambda: (lag() or 0) > seconds, timeout, f"the lag did not pass {seconds} s"
    )
    return float(lag())


def login(port) -> dict:
    status, body, cookies = request(port, "GET", "/admin/login/", headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    status, body, got = request(
        port,
        "POST",
        "/admin/login/?next=/admin/",
        body=urllib.parse.urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        cookies=cookies,
    )
    assert status == 302, body[:500]
    return {**cookies, **got}


def test_reads_go_to_the_replica_and_a_curator_reads_their_own_write(site):
    a, b, _ = site["servers"]
    curator = login(a)
    curator.pop(PIN_COOKIE, None)  # the login's own pin: start from plain reads
    write_title(site["primary"], "As first written")
    with replay_paused(site):
        write_title(site["primary"], "Written on the primary only")
        # Both servers read the standby, which has not replayed the write.
        assert title(a) == title(b) == "As first written"
        assert title(a, cookies=curator) == "As first written"
        version = json.loads(request(a, "GET", f"/api/v1/practices/{SLUG}/")[1])["version"]
        status, body, got = request(
            a,
            "PATCH",
            f"/api/v1/practices/{SLUG}/",
            body={"title": "Saved by the curator", "version": version},
            headers={"X-CSRFToken": curator["csrftoken"]},
            cookies=curator,
        )
        assert status == 200, body[:500]
        curator.update(got)
        # The curator's next requests, on either server, read the primary...
        assert title(a, cookies=curator) == "Saved by the curator"
        assert title(b, cookies=curator) == "Saved by the curator"
        # ... while a visitor still reads the standby.
        assert title(b) == "As first written"
    # Replay resumed: the standby has the curator's save, and visitors read it there.
    assert title(a) == title(b) == "Saved by the curator"


def test_a_replica_too_far_behind_leaves_reads_to_the_primary(site):
    a, _, c = site["servers"]
    write_title(site["primary"], "Before the lag")
    with replay_paused(site):
        write_title(site["primary"], "After the lag")
        assert wait_lag_over(site, STRICT) > STRICT
        # The same standby, the same lag: within A's bound, past C's.
        assert title(a) == "Before the lag"
        assert title(c) == "After the lag"
        assert title(a) == "Before the lag"  # C's choice is its own request's, not A's
    # Replay resumed: the standby caught up, and A, which reads it, sees the write.
    assert title(a) == title(c) == "After the lag"


def test_a_replica_outage_leaves_reads_to_the_primary(site):
    a, b, _ = site["servers"]
    site["pair"].stop_replica()
    try:
        write_title(site["primary"], "While the replica is down")
        for port in (a, b):
            for _ in range(3):  # each worker, its broken connection included
                assert title(port) == "While the replica is down"
            status, body, _ = request(port, "GET", "/practices/", headers={"Accept": "text/html"})
            assert status == 200 and "While the replica is down" in body
    finally:
        site["pair"].restart_replica()
        site["replica"].close()
        site["replica"] = psycopg.connect(site["replica_url"], autocommit=True)
