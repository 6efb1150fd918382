"""The benchmark's own PostgreSQL database, and its export to SQLite for Datasette."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from paths import ROOT


def server_url(explicit: str | None) -> str:
    """A URL of the PostgreSQL server to use: the embedded one runs while this process does."""
    if explicit or os.environ.get("DATABASE_URL"):
        return explicit or os.environ["DATABASE_URL"]
    from gfmd.lib import embedded_db

    return embedded_db.start(embedded_db.default_data_dir(ROOT))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
FROM practices_practice p WHERE p.status = 'published' ORDER BY p.id
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
