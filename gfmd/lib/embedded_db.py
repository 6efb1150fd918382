"""The embedded PostgreSQL server used when no DATABASE_URL is given.

`pgserver` ships real PostgreSQL binaries inside the virtual environment. The data lives in
`var/pgdata` inside the project (git-ignored) and is reused across runs. pgserver serialises
start-up with an inter-process lock and counts the processes using a server, so two commands
started at once share one server, and the last one to exit stops it.

Importing the settings starts nothing: they name the server's expected address (its socket in the
data folder). `start_configured()` starts it, and is called where a process needs the database:
`manage.py`, the WSGI application and the test set-up.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

DATABASE_NAME = "gfmd"


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not be started; the message says why and what to do."""


def default_data_dir(base_dir: Path) -> Path:
    return Path(os.environ.get("GFMD_PGDATA", base_dir / "var" / "pgdata"))


def expected_uri(data_dir: Path) -> str:
    """The URL the server will have once started: its socket lives in the data folder (pgserver
    moves it elsewhere only when that path is too long for a socket; `start_configured()` then
    corrects the settings)."""
    return f"postgresql://postgres:@/{DATABASE_NAME}?host={data_dir}"


def start_configured() -> None:
    """Start (or join) the embedded server when the settings use one (no DATABASE_URL), and point
    the default database at it. Call before the first connection is made."""
    from django.conf import settings

    data_dir = getattr(settings, "GFMD_EMBEDDED_PGDATA", None)
    if data_dir is None:
        return
    import dj_database_url

    started = dj_database_url.parse(start(Path(data_dir)))
    default = settings.DATABASES["default"]
    for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD"):
        default[key] = started.get(key, default.get(key))
    # The socket folder is given as the `host` option of the URL.
    default.setdefault("OPTIONS", {}).update(
        {k: v for k, v in started.get("OPTIONS", {}).items() if k == "host"}
    )


def start(data_dir: Path) -> str:
    """Start (or join) the embedded server and return a database URL for the project database."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise EmbeddedDatabaseError(
            "The embedded PostgreSQL needs the 'pgserver' package: run 'make run' or "
            "'pip install -e .[dev]', or set DATABASE_URL to an existing server."
        ) from exc

    # pgserver logs every step at INFO; keep management commands quiet.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        _ensure_database(server.get_uri())
    except Exception as exc:
        raise EmbeddedDatabaseError(
            f"The embedded PostgreSQL in {data_dir} could not start ({_first_line(exc)}); "
            f"see {data_dir / 'log'}, remove {data_dir} to start afresh, or set DATABASE_URL "
            "to a running server."
        ) from exc
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_uri: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it between our check and our create


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
