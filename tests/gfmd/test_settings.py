"""Production settings refuse to start without a real secret key."""

from tests.gfmd.test_embedded_db import run_python

IMPORT_SETTINGS = "import gfmd.settings"


def test_production_refuses_missing_secret_key():
    result = run_python(IMPORT_SETTINGS, DJANGO_DEBUG="0", DATABASE_URL="postgres://x@127.0.0.1/x")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_weak_secret_key():
    result = run_python(
        IMPORT_SETTINGS,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="short",
        DATABASE_URL="postgres://x@127.0.0.1/x",
    )
    assert result.returncode == 1
    assert "too weak" in result.stderr


def test_production_accepts_real_key():
    result = run_python(
        "import gfmd.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="gfmd.example.org, www.gfmd.example.org",
        DATABASE_URL="postgres://x@127.0.0.1/x",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['gfmd.example.org', 'www.gfmd.example.org']"


def test_production_connection_pool_connects(db):
    from django.conf import settings

    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    user = db.get("USER") or "postgres"
    url = (
        f"postgresql://{user}@/{db['NAME']}?host={host}"
        if host.startswith("/")
        else f"postgresql://{user}@{host or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
    result = run_python(
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); print(type(connection.pool).__name__)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 50,
        GFMD_DB_POOL="1",
        DATABASE_URL=url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ConnectionPool"


def test_importing_settings_starts_no_database(tmp_path):
    """The settings name the embedded server; manage.py, the WSGI app and the tests start it."""
    data_dir = tmp_path / "pgdata"
    result = run_python(
        "import gfmd.settings as s; d = s.DATABASES['default'];"
        "print(d['NAME'], d['OPTIONS']['host'])",
        DJANGO_DEBUG="1",
        GFMD_PGDATA=str(data_dir),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["gfmd", str(data_dir)]
    assert not data_dir.exists()


def test_manage_py_without_a_secret_key_says_so_in_one_sentence():
    result = run_python(
        "import sys, runpy; sys.argv = ['manage.py', 'check']; "
        "runpy.run_path('manage.py', run_name='__main__')",
        DJANGO_DEBUG="0",
    )
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
