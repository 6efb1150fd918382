"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd.settings")

application = get_wsgi_application()

# Without DATABASE_URL: the embedded PostgreSQL, started before the first request connects.
from gfmd.lib.embedded_db import start_configured  # noqa: E402

start_configured()
