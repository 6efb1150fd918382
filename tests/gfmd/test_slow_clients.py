"""Slow clients behind the documented proxy: with dozens of connections sending their headers a
byte a second, normal requests through nginx (docs/deploy/nginx.conf) are still answered in
under a second, and nginx, not gunicorn, closes the slow connections.

nginx runs the shipped configuration as it is, except what a test on loopback must change: the
listening address (a free loopback port, plain HTTP, since the TLS certificate is the site's
own), the upstream (the gunicorn started here, bound to 127.0.0.1, with the settings of
docs/deploy.md), and the files nginx writes (in a temporary folder). Skipped without nginx
(apt-get install nginx-light).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from gfmd.lib import servers
from tests.gfmd.test_two_servers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CONFIG = Path(settings.BASE_DIR) / "docs" / "deploy" / "nginx.conf"
SLOW_CONNECTIONS = 40


@pytest.fixture(autouse=True)
def _warm_caches():
    """The servers read the suite's test database, as it was loaded."""


def site_config(proxy_port: int, app_port: int) -> str:
    """The shipped configuration, listening on loopback without TLS, in front of `app_port`."""
    text = CONFIG.read_text()
    # The port-80 server (redirects) is dropped; the HTTPS one listens on the test's port.
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", text, count=1, flags=re.S)
    text = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{proxy_port};", text)
    text = re.sub(r"\s*listen \[::\]:443 ssl http2;", "", text)
    text = re.sub(r"\s*ssl_certificate(_key)? [^;]+;", "", text)
    text = text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    text = text.replace("server_name practices.example.org;", "server_name 127.0.0.1;")
    assert f"127.0.0.1:{proxy_port}" in text and f"127.0.0.1:{app_port}" in text
    return text


@pytest.fixture(scope="module")
def proxied_site(tmp_path_factory, django_db_setup, django_db_blocker):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else ""
    )
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    from django.db import connection

    folder = tmp_path_factory.mktemp("nginx")
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "GFMD_SEEDS_DIR"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gfmd.settings",
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "GFMD_ANON_RATE": "100000/minute",
        }
    )
    # As docs/deploy.md runs it: gthread workers, bound to loopback.
    app = servers.gunicorn(
        env=env, log=folder / "gunicorn.log", workers=2, threads=4, name="gunicorn"
    )
    proxy_port = servers.free_port()
    (folder / "site.conf").write_text(site_config(proxy_port, app.port))
    (folder / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    check = subprocess.run(
        [nginx, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proxy = subprocess.Popen(
        [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        app.wait_until_ready("/readyz", timeout=60)
        yield {"proxy": proxy_port, "app": app.port}
    finally:
        servers.stop_processes(proxy)
        app.stop()


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def slow_loris(port: int, stop: threading.Event, closed: list) -> None:
    """Send a request's headers one byte a second, until stopped or closed by the server."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    data = b"GET /practices/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        for byte in data:
            if stop.wait(1.0):
                return
            sock.sendall(bytes([byte]))
    except OSError:
        closed.append(time.monotonic())
    finally:
        sock.close()


PATHS = ("/healthz", "/practices/", "/api/v1/practices/")


def test_slow_clients_do_not_slow_the_site_behind_the_proxy(proxied_site):
    port = proxied_site["proxy"]
    # Each worker's first answers (imports, the facet and id caches) are paid before the
    # attack, so what is timed below is what the slow connections do to normal requests.
    for _ in range(4):
        for path in PATHS:
            timed_get(port, path)
    stop = threading.Event()
    closed: list[float] = []
    attackers = [
        threading.Thread(target=slow_loris, args=(port, stop, closed), daemon=True)
        for _ in range(SLOW_CONNECTIONS)
    ]
    for attacker in attackers:
        attacker.start()
    time.sleep(2)  # every slow connection is open and trickling
    timings = []
    try:
        for _ in range(10):
            for path in PATHS:
                status, seconds = timed_get(port, path)
                assert status == 200, (path, status)
                timings.append(seconds)
        # nginx's client_header_timeout (10 s) ends every slow connection.
        deadline = time.monotonic() + 20
        while len(closed) < SLOW_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
    assert max(timings) < 1.0, sorted(timings)[-5:]
    assert len(closed) == SLOW_CONNECTIONS
