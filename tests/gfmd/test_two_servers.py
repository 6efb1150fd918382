"""Two app servers on one PostgreSQL database and one Redis, as on two machines: an edit made
through one is seen at once through the other (detail page, API, list and facet counts), and a
session opened on one is valid on the other.

The servers are gunicorn processes on loopback ports, started here on a database of their own
(created on the server the test run uses, dropped at the end: a copy of the suite's test database,
which is migrated and holds the curated data, or, when another run is using that one, migrated and
loaded here) and on one Redis database (GFMD_TEST_REDIS_DB, 7 by default). Redis is started here
when it is not running. The servers run with DJANGO_DEBUG=1: production static files need
`collectstatic`, and production's connection pool is exercised by `make loadtest`; caching and
sessions, which this test is about, are the same either way.
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
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from gfmd.lib import servers as local_servers

# django_db: so that the suite's test database is set up, to be copied (see `servers`).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

HOST = "127.0.0.1"
REDIS_PORT = int(os.environ.get("GFMD_TEST_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("GFMD_TEST_REDIS_DB", "7"))
KEY_PREFIX = "gfmd:"  # settings.CACHES["default"]["KEY_PREFIX"] when REDIS_URL is set
DB_NAME = f"gfmd_two_servers_{os.getpid()}"
USERNAME, PASSWORD = "two-servers-curator", secrets.token_urlsafe(16)
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _warm_caches():
    """The suite's cache warming queries the test database; these tests use their own."""


# --- helpers ----------------------------------------------------------------------------------


def db_host() -> str:
    """The server's address, or its socket folder (the embedded server's is in OPTIONS)."""
    db = settings.DATABASES["default"]
    return db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""


def admin_conninfo() -> dict:
    db = settings.DATABASES["default"]
    info = {
        "host": db_host() or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    return {key: value for key, value in info.items() if value is not None}


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = urllib.parse.quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    host = db_host()
    if host.startswith("/"):  # a socket folder: the embedded server
        query = {"host": host, **({"port": str(db["PORT"])} if db.get("PORT") else {})}
        return f"postgresql://{auth}@/{name}?{urllib.parse.urlencode(query)}"
    return f"postgresql://{auth}@{host or HOST}:{db.get('PORT') or 5432}/{name}"


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    """One of the two servers, as a client sees it."""

    name: str
    port: int

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict | str | None = None,
        headers: dict | None = None,
        cookies: dict | None = None,
    ) -> Answer:
        all_headers = {"Host": HOST, "Connection": "close", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if isinstance(body, dict):
            body = json.dumps(body)
            all_headers.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            headers_out: dict = {}
            for key, value in response.getheaders():
                headers_out.setdefault(key.lower(), []).append(value)
            return Answer(response.status, headers_out, response.read())
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Answer:
        answer = self.request("GET", path, **kwargs)
        assert answer.status == 200, f"{self.name} GET {path}: {answer.status} {answer.text[:300]}"
        return answer


def set_cookies(answer: Answer) -> dict:
    cookies = {}
    for line in answer.headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def admin_login(server) -> dict:
    """Sign the staff user in through the admin's login form; the cookies of the session."""
    form = server.get("/admin/login/")
    cookies = set_cookies(form)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    login = server.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=urllib.parse.urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        cookies=cookies,
    )
    assert login.status == 302, login.text[:500]
    cookies.update(set_cookies(login))
    return cookies


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url():
    """Redis on 127.0.0.1:6379, started here (and stopped afterwards) when it is not running."""
    import redis

    def reachable() -> bool:
        try:
            return redis.Redis(host=HOST, port=REDIS_PORT, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    started = None
    if not reachable():
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip(
                f"Redis is not reachable on {HOST}:{REDIS_PORT} and redis-server is not installed "
                "(apt-get install redis-server)"
            )
        started = subprocess.Popen(
            [binary, "--bind", HOST, "-::1", "--port", str(REDIS_PORT)]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not reachable():
            if started.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on {HOST}:{REDIS_PORT}")
            time.sleep(0.1)
    client = redis.Redis(host=HOST, port=REDIS_PORT, db=REDIS_DB)
    foreign = [key for key in client.scan_iter(count=1000) if not key.startswith(b"gfmd:")]
    if foreign:
        pytest.fail(
            f"Redis database {REDIS_DB} holds other data ({foreign[0]!r}...): choose a free one "
            "with GFMD_TEST_REDIS_DB"
        )

    def forget() -> None:
        for key in client.scan_iter(match=f"{KEY_PREFIX}*", count=1000):
            client.delete(key)

    forget()
    try:
        yield f"redis://{HOST}:{REDIS_PORT}/{REDIS_DB}"
    finally:
        forget()
        if started is not None:
            local_servers.stop_processes(started)


def create_database(template: str | None) -> bool:
    """Create the servers' database as a copy of `template` (the suite's test database, already
    migrated and loaded) when no one else is connected to it; else empty. True if copied."""
    with psycopg.connect(**admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            return False
        try:
            conn.execute(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{template}"')
        except psycopg.errors.ObjectInUse:  # another test run is using it
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            return False
    with psycopg.connect(**{**admin_conninfo(), "dbname": DB_NAME}) as conn:
        try:
            loaded = conn.execute("SELECT count(*) FROM practices_practice").fetchone()[0]
        except psycopg.Error:
            loaded = 0
    if not loaded:
        with psycopg.connect(**admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return bool(loaded)


@pytest.fixture(scope="module")
def servers(redis_url, tmp_path_factory, django_db_setup, django_db_blocker):
    """Two gunicorn servers on one fresh database and one Redis, with a staff user and token."""
    from django.db import connection, connections

    logs = tmp_path_factory.mktemp("two-servers")
    # The suite's test database is migrated and holds the curated data: copying it takes a second
    # where `migrate` and `load_curated` take half a minute. Close this process's connections to
    # it first, since PostgreSQL copies only a database nobody is connected to.
    template = connection.settings_dict["NAME"]
    is_test_database = template == (settings.DATABASES["default"].get("TEST") or {}).get(
        "NAME"
    ) or template.startswith("test_")
    with django_db_blocker.unblock():
        connections.close_all()
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "GFMD_SEEDS_DIR"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gfmd.settings",
            "DATABASE_URL": database_url(DB_NAME),
            "REDIS_URL": redis_url,
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # one key, as on every machine
            "DJANGO_ALLOWED_HOSTS": HOST,
            "GFMD_ANON_RATE": "100000/minute",
            "PYTHONUNBUFFERED": "1",
        }
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    running: list[local_servers.Server] = []

    def run(*args: str) -> str:
        result = subprocess.run(
            [*manage, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, f"manage.py {args[0]}: {result.stderr[-2000:]}"
        return result.stdout

    try:
        copied = create_database(template if is_test_database else None)
        if not copied:
            run("migrate", "--no-input", "-v0")
        # The servers boot while the curated data loads: they need the tables, not the rows.
        for name in ("A", "B"):
            running.append(
                local_servers.gunicorn(
                    env=env,
                    log=logs / f"gunicorn-{name}.log",
                    cwd=BASE_DIR,
                    workers=2,
                    threads=2,
                    name=f"server {name}",
                )
            )
        if not copied:
            run("load_curated", "-v0")
        token = run(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "from rest_framework.authtoken.models import Token;"
            f"user = get_user_model().objects.create_superuser({USERNAME!r}, None, {PASSWORD!r});"
            "print(Token.objects.create(user=user).key)",
        ).split()[-1]
        for server in running:
            try:
                server.wait_until_ready("/readyz", timeout=60)
            except local_servers.ServerError as exc:
                pytest.fail(str(exc))
        started = [Server(name, server.port) for name, server in zip("AB", running, strict=True)]
        yield {"A": started[0], "B": started[1], "token": token}
    finally:
        # Both at once (each waits for its workers), then each closes its log.
        local_servers.stop_processes(*(server.process for server in running))
        for server in running:
            server.stop()
        with psycopg.connect(**admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


# --- what one server shows of another's edit -------------------------------------------------


@dataclass
class View:
    """What a server shows of one practice and one theme."""

    title: str
    themes: list[str]
    version: int
    detail_page: str
    detail_etag: str | None
    facet_count: int  # the theme's count among the API facets
    api_theme_count: int  # matching practices, API list filtered by the theme
    page_facet_count: int  # the theme's count in the practice list page's facets
    page_theme_count: int  # "N practices" on the list page filtered by the theme
    page_lists_practice: bool = field(default=False)


def facet(facets: list[dict], name: str, value: str) -> int:
    for group in facets:
        if group["name"] == name:
            for item in group["values"]:
                if item["value"] == value:
                    return item["count"]
    return 0


def page_facet(html: str, name: str, value: str) -> int:
    match = re.search(
        rf'name="{name}" value="{re.escape(value)}"[^>]*>\s*<span class="facet-label">[^<]*</span>'
        r'\s*<span class="count">([\d,]+)</span>',
        html,
    )
    return int(match.group(1).replace(",", "")) if match else 0


def result_count(html: str) -> int:
    match = re.search(r'class="result-count"[^>]*>([\d,]+) practice', html)
    assert match, "the practice list shows no result count"
    return int(match.group(1).replace(",", ""))


def look(server: Server, slug: str, theme: str) -> View:
    detail = server.get(f"/api/v1/practices/{slug}/").json()
    page = server.get(f"/practices/{slug}/")
    etags = page.headers.get("etag")
    facets = server.get("/api/v1/practices/facets/").json()
    listed = server.get(f"/api/v1/practices/?theme={theme}&page_size=100").json()
    list_page = server.get("/practices/").text
    theme_page = server.get(f"/practices/?theme={theme}").text
    listed_on_a_page = False
    for number in range(1, 20):
        page_of_theme = server.request("GET", f"/practices/?theme={theme}&page={number}")
        if page_of_theme.status != 200:
            break
        if f"/practices/{slug}/" in page_of_theme.text:
            listed_on_a_page = True
            break
        if f"page={number + 1}" not in page_of_theme.text:
            break
    return View(
        title=detail["title"],
        themes=[t["slug"] if isinstance(t, dict) else t for t in detail["themes"]],
        version=detail["version"],
        detail_page=page.text,
        detail_etag=etags[0] if etags else None,
        facet_count=facet(facets, "theme", theme),
        api_theme_count=listed["count"],
        page_facet_count=page_facet(list_page, "theme", theme),
        page_theme_count=result_count(theme_page),
        page_lists_practice=listed_on_a_page,
    )


def pick_practice_and_theme(server: Server) -> tuple[str, str]:
    """A practice, and a theme it does not have that some other practice has."""
    facets = server.get("/api/v1/practices/facets/").json()
    themes = [
        item["value"] for group in facets if group["name"] == "theme" for item in group["values"]
    ]
    practice = server.get("/api/v1/practices/?page_size=1&ordering=title").json()["results"][0]
    own = {t["slug"] if isinstance(t, dict) else t for t in practice["themes"]}
    other = next(theme for theme in themes if theme not in own)
    return practice["slug"], other


def test_an_edit_on_one_server_is_seen_at_once_on_the_other(servers):
    token = servers["token"]
    auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
    slug, theme = pick_practice_and_theme(servers["A"])
    # Each server in turn writes, and the other reads; both have just served (and could have
    # cached) every page involved.
    for writer, reader, adding in (
        (servers["A"], servers["B"], True),
        (servers["B"], servers["A"], False),
    ):
        look(writer, slug, theme)
        before = look(reader, slug, theme)
        assert (theme in before.themes) is not adding
        marker = f"Edited through server {writer.name} {secrets.token_hex(4)}"
        themes = before.themes + [theme] if adding else [t for t in before.themes if t != theme]
        answer = writer.request(
            "PATCH",
            f"/api/v1/practices/{slug}/",
            body={"title": marker, "themes": themes, "version": before.version},
            headers=auth,
        )
        assert answer.status == 200, answer.text
        step = 1 if adding else -1

        after = look(reader, slug, theme)
        assert after.title == marker
        assert (theme in after.themes) is adding
        assert after.version == before.version + 1
        assert marker in after.detail_page
        assert after.facet_count == before.facet_count + step
        assert after.api_theme_count == before.api_theme_count + step
        assert after.page_facet_count == before.page_facet_count + step
        assert after.page_theme_count == before.page_theme_count + step
        assert after.page_lists_practice is adding
        # A reader holding the old page gets the new one, not "304 Not Modified".
        if before.detail_etag:
            again = reader.request(
                "GET", f"/practices/{slug}/", headers={"If-None-Match": before.detail_etag}
            )
            assert again.status == 200 and marker in again.text


def test_a_session_opened_on_one_server_is_valid_on_the_other(servers):
    import redis

    a, b = servers["A"], servers["B"]
    cookies = admin_login(a)
    assert "sessionid" in cookies

    # The session lives in the shared Redis, not in one server's memory or the database.
    store = redis.Redis(host=HOST, port=REDIS_PORT, db=REDIS_DB)
    assert any(b"sessions" in key for key in store.scan_iter(match=f"{KEY_PREFIX}*"))

    assert b.request("GET", "/admin/").status == 302  # anonymous: sent to the login page
    dashboard = b.request("GET", "/admin/", cookies=cookies)
    assert dashboard.status == 200
    assert USERNAME in dashboard.text
    # The session also authenticates API writes on the other server (with its CSRF token).
    slug = b.get("/api/v1/practices/?page_size=1").json()["results"][0]["slug"]
    version = b.get(f"/api/v1/practices/{slug}/").json()["version"]
    edit = b.request(
        "PATCH",
        f"/api/v1/practices/{slug}/",
        body={"curator_note": "Checked from server B.", "version": version},
        headers={"X-CSRFToken": cookies["csrftoken"], "Accept": "application/json"},
        cookies=cookies,
    )
    assert edit.status == 200, edit.text

    # Logging out through one server ends the session on both.
    logout = b.request(
        "POST",
        "/admin/logout/",
        body=urllib.parse.urlencode({"csrfmiddlewaretoken": cookies["csrftoken"]}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        cookies=cookies,
    )
    assert logout.status in (200, 302), logout.text[:500]
    assert a.request("GET", "/admin/", cookies=cookies).status == 302
