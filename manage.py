#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from gfmd.lib.embedded_db import EmbeddedDatabaseError, start_configured

    try:
        django.setup()
        start_configured()
    except EmbeddedDatabaseError as exc:
        sys.exit(str(exc))
    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"The database cannot be reached ({reason}): start it, or check DATABASE_URL.")


if __name__ == "__main__":
    main()
