"""Gunicorn settings read automatically when gunicorn starts in the project folder.

Before any worker starts, the database is tried once: if it cannot be reached, gunicorn stops with
one sentence and a non-zero status instead of serving 503s. (Once running, a lost database gives
503s and the site recovers by itself when it returns.)
"""

import os
import sys

# Gunicorn 27 shares one control socket per user by default; several servers on one machine
# (app servers, benchmarks) must not collide.
control_socket_disable = True


def on_starting(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd.settings")
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            # a socket folder (the embedded server) comes as ?host= in the URL, i.e. in OPTIONS
            host=db.get("HOST") or db.get("OPTIONS", {}).get("host") or None,
            port=db.get("PORT") or None,
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"The database cannot be reached ({reason}): start it, or check DATABASE_URL.")
