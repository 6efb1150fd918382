"""The floor of the benchmark: a bare WSGI app, served by the same gunicorn as the site.

`/db/<page>` runs the SQL that Django ran for that page (captured by bench/capture.py, literal
values included) straight through psycopg on one connection per worker, and returns every row as
JSON: the database's share of the page and the least Python around it. `/static/<page>` returns
the page's own response, prebuilt: the cost of HTTP and gunicorn alone.
"""

from __future__ import annotations

import json
import os

import psycopg

with open(os.environ["BENCH_FLOOR_SPEC"], encoding="utf-8") as spec_file:
    SPEC = json.load(spec_file)
STATIC = {}
for _name, _page in SPEC.items():
    if "body_file" not in _page:
        continue
    with open(_page["body_file"], "rb") as body_file:
        STATIC[_name] = (body_file.read(), _page["content_type"])

_connection: psycopg.Connection | None = None


def connection() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def run(statements: list[str]) -> bytes:
    results = []
    with connection().cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no parameters: psycopg sends the text as it is
            results.append(cursor.fetchall() if cursor.description else cursor.rowcount)
    return json.dumps(results, default=str).encode()


def app(environ, start_response):
    kind, _, name = environ.get("PATH_INFO", "").strip("/").partition("/")
    if name not in SPEC or kind not in {"db", "static"}:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"unknown page"]
    if kind == "static":
        body, content_type = STATIC[name]
    else:
        body, content_type = run(SPEC[name]["sql"]), "application/json"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
