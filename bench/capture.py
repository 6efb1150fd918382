"""Run each benchmarked page once in-process, as the benchmark server would serve it, and record
its SQL: how many queries, their text (for the floor app), and the response itself (for the
static floor). Started by bench/run.py with the benchmark server's environment.

    python bench/capture.py PAGES.json OUT.json BODY_DIR

With BENCH_CAPTURE_COLD=1 (the long tail's floor), each page's first request is recorded, with
the cache emptied before it: the SQL of a URL nobody has asked for yet.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(pages_file: str, out_file: str, body_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = json.loads(Path(pages_file).read_text())
    client = Client(HTTP_HOST="127.0.0.1")
    bodies = Path(body_dir)
    bodies.mkdir(parents=True, exist_ok=True)
    result = {}
    cold = os.environ.get("BENCH_CAPTURE_COLD") == "1"
    if cold and pages:
        client.get(next(iter(pages.values())))  # warm: content types, the vocabulary, the pool
    from django.core.cache import cache

    for name, url in pages.items():
        if cold:
            cache.clear()
        else:
            client.get(url)  # warm: content types, the search vocabulary, the pool
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        body_file = bodies / f"{name}.body"
        body_file.write_bytes(response.content)
        statements = [q["sql"] for q in captured.captured_queries]
        result[name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(statements),
            "sql": statements,
            "bytes": len(response.content),
            "content_type": response.get("Content-Type", "text/html"),
            "body_file": str(body_file),
            "time_ms": sum(float(q["time"]) for q in captured.captured_queries) * 1000,
        }
        if response.get("Content-Type", "").startswith("application/json"):
            data = response.json()
            if isinstance(data, dict) and "count" in data:
                result[name]["count"] = data["count"]
            elif isinstance(data, dict) and "groups" in data:
                result[name]["count"] = {g["kind"]: g["total"] for g in data["groups"]}
    Path(out_file).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:4])
