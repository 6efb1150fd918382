"""Browser tests: Debian's Chromium driven by Playwright against a real server process.

The server runs `manage.py runserver` on a database of its own (created, migrated and loaded with
the curated data here), on the same PostgreSQL the test run uses, so the pages are exactly what a
visitor gets. Screenshots go to the git-ignored folder `screenshots/`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import psycopg
import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
# Named after the test database, so that test runs on other databases of the server never share
# it; GFMD_BROWSER_TEST_DB names another.
DB_NAME = os.environ.get("GFMD_BROWSER_TEST_DB") or (
    f"{settings.DATABASES['default']['NAME'] or 'gfmd'}_browser"
)
CURATOR = ("curator", "a-curator-password-for-tests")  # a staff account of the test server only


def _host() -> str:
    """The server's host, or its socket folder (the embedded server's URL gives it as ?host=)."""
    db = settings.DATABASES["default"]
    return db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""


def _admin_conninfo() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": _host() or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
    }


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = _host()
    if host.startswith("/"):
        return f"postgresql://{db.get('USER') or 'postgres'}@/{DB_NAME}?host={host}"
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgresql://{auth}@{host or '127.0.0.1'}:{db.get('PORT') or 5432}/{DB_NAME}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site_url():
    if not Path(CHROMIUM).exists():
        pytest.fail("Browser tests need Debian's Chromium at /usr/bin/chromium (make browser).")
    info = {k: v for k, v in _admin_conninfo().items() if v is not None}
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    # Review on, as in production: the curation tests publish with a second curator.
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_DEBUG": "1",
        "GFMD_REVIEW_REQUIRED": "1",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    subprocess.run([*manage, "load_curated", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    subprocess.run([*manage, "ingest_sources", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", CURATOR[0], "--email", "c@x.org"],
        env={**env, "DJANGO_SUPERUSER_PASSWORD": CURATOR[1]},
        check=True,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(url + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("The test server did not start.")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        with psycopg.connect(**info, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _warm_caches():
    """Browser tests talk to a server process, not to the test database: nothing to warm (and
    Playwright's event loop forbids synchronous database calls in this thread)."""
