"""A backup restored into a fresh database gives back the same knowledge base.

The curated test data is backed up, a second database is created on the same server, migrated and
restored into by the commands themselves (in subprocesses, as `make restore` runs them), and then
compared with the first: the backup of the restored database is the same file, and every API
list, all pages, is the same JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.utils import override_settings

from gfmd.curation.export import NESTED, TOP_LEVEL
from gfmd.lib.natural_keys import NaturalKeyModel
from gfmd.models import FixtureLoad
from gfmd.site.sources_api import SourceViewSet
from gfmd.site.views import OrganisationListView, SourceListView
from practices.views import ThemeListView
from roundtables.views import MeetingListView

pytestmark = pytest.mark.django_db

RESOURCES = [
    "countries",
    "organisations",
    "sources",
    "themes",
    "meetings",
    "roundtables",
    "sessions",
    "participations",
    "recommendations",
    "practices",
    "rcps",
]

# Run in a subprocess against the restored database: every API list, all pages, as JSON.
API_SNAPSHOT = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from tests.gfmd.test_backup import api_snapshot
json.dump(api_snapshot(Client()), sys.stdout)
"""


def api_snapshot(client) -> dict[str, list]:
    """Every row of every API list (page_size=100, all pages). No row carries a database id
    (a restore numbers records afresh): participations are keyed, and their URLs made, from their
    natural key, so the same URLs answer after a restore."""
    snapshot = {}
    for resource in RESOURCES:
        url, rows = f"/api/v1/{resource}/?format=json&page_size=100", []
        while url:
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:200])
            data = response.json()
            rows += data["results"]
            url = data["next"]
        snapshot[resource] = rows
    return snapshot


def connection_params(name: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "dbname": name,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or db["OPTIONS"].get("host") or None,
        "port": db["PORT"] or None,
    }


def database_url(name: str) -> str:
    params = connection_params(name)
    host = quote(params["host"] or "", safe="")  # a socket folder, percent-encoded
    port = f":{params['port']}" if params["port"] else ""
    return f"postgres://{params['user']}:{quote(params['password'] or '')}@{host}{port}/{name}"


def manage(*args: str, database: str, code: str | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "gfmd.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(database),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )


def curated_count(database: str) -> int:
    with psycopg.connect(**connection_params(database)) as conn:
        return (
            conn.execute("SELECT count(*) FROM gfmd_country").fetchone()[0]
            + conn.execute("SELECT count(*) FROM practices_practice").fetchone()[0]
        )


@pytest.fixture(scope="module")
def empty_database(django_db_setup, django_db_blocker):
    """A second database beside the test database, migrated and empty; dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_restore"[:63]
    admin = connection_params(settings.DATABASES["default"]["NAME"])
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        migrated = manage("migrate", "--no-input", database=name)
        assert migrated.returncode == 0, migrated.stderr
        yield name
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def restored_database(empty_database, backup_file) -> str:
    """The empty database, restored from the backup by `manage.py restore`."""
    restored = manage("restore", str(backup_file), database=empty_database)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    return empty_database


@pytest.fixture(scope="module")
def backup_file(tmp_path_factory, django_db_setup, django_db_blocker) -> Path:
    path = tmp_path_factory.mktemp("backup") / "gfmd.yaml"
    with django_db_blocker.unblock():
        call_command("backup", output=str(path), verbosity=0)
    return path


def without_header_time(text: str) -> str:
    return text.split("\n", 1)[1]


def test_every_curated_model_is_backed_up():
    """A new curated model must be added to the backup (gfmd.curation.export), not left out."""
    curated = {
        model._meta.label_lower
        for app in ("gfmd", "roundtables", "practices", "rcps")
        for model in apps.get_app_config(app).get_models()
        if issubclass(model, NaturalKeyModel)
    }
    assert curated == set(TOP_LEVEL) | set(NESTED)


def test_backup_holds_records_by_natural_key(backup_file):
    text = backup_file.read_text(encoding="utf-8")
    assert "\nid:" not in text and "\n  id:" not in text and "_id:" not in text
    assert "- model: roundtables.session\n  meeting: gfmd-2007\n  code: '1.1'\n" in text
    assert "  roundtable: [gfmd-2007, 1]\n" in text
    assert "  participations:\n" in text and "  recommendations:\n" in text
    assert "synthetic" not in text
    # Each model after those it refers to.
    offsets = [text.index(f"\n- model: {label}\n") for label in TOP_LEVEL]
    assert offsets == sorted(offsets)


def test_backup_defaults_to_var_backups(tmp_path):
    with override_settings(BASE_DIR=tmp_path):
        call_command("backup", verbosity=0)
    (written,) = (tmp_path / "var" / "backups").glob("gfmd-*.yaml")
    assert written.read_text(encoding="utf-8").startswith("# GFMD Practices backup")


def test_restore_refuses_a_database_that_is_not_empty(backup_file):
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup_file), verbosity=0)


@pytest.mark.slow
def test_malformed_backup_changes_nothing_and_names_the_record_and_field(
    backup_file, empty_database, tmp_path
):
    text = backup_file.read_text(encoding="utf-8")
    broken = text.replace(
        "\n  parent: human-capital-labour-mobility\n", "\n  parent: no-such-theme\n", 1
    )
    assert broken != text
    bad = tmp_path / "broken.yaml"
    bad.write_text(broken, encoding="utf-8")
    result = manage("restore", str(bad), database=empty_database)
    assert result.returncode != 0
    assert "Nothing was restored" in result.stderr
    assert "(practices.theme " in result.stderr and "field 'parent'" in result.stderr
    assert "no theme with key 'no-such-theme'" in result.stderr
    # Countries, sources and the themes before it had loaded: all rolled back.
    assert curated_count(empty_database) == 0


@pytest.mark.slow
def test_restored_database_is_the_same_knowledge_base(backup_file, restored_database, tmp_path):
    again = tmp_path / "again.yaml"
    second = manage("backup", "--output", str(again), database=restored_database)
    assert second.returncode == 0, second.stderr
    assert without_header_time(again.read_text(encoding="utf-8")) == without_header_time(
        backup_file.read_text(encoding="utf-8")
    )

    served = manage(database=restored_database, code=API_SNAPSHOT)
    assert served.returncode == 0, served.stderr
    after, before = json.loads(served.stdout), api_snapshot(Client())
    for resource in RESOURCES:
        assert len(after[resource]) == len(before[resource]), resource
        for row_after, row_before in zip(after[resource], before[resource], strict=True):
            assert row_after == row_before, resource


@pytest.mark.slow
def test_restore_keeps_which_curated_files_were_loaded(restored_database):
    """So that load_curated after a restore skips unchanged files and keeps curators' edits."""
    code = (
        "import django, json; django.setup();"
        "from gfmd.models import FixtureLoad;"
        "print(json.dumps(sorted([f.path, f.sha256, f.records, len(f.keys)]"
        " for f in FixtureLoad.objects.all())))"
    )
    result = manage(database=restored_database, code=code)
    assert result.returncode == 0, result.stderr
    here = sorted([f.path, f.sha256, f.records, len(f.keys)] for f in FixtureLoad.objects.all())
    assert here and json.loads(result.stdout) == here


@pytest.mark.parametrize(
    "view", [SourceListView, OrganisationListView, ThemeListView, MeetingListView, SourceViewSet]
)
def test_lists_with_counts_have_a_defined_order(view):
    """Django leaves Meta.ordering out of a query with GROUP BY: lists that count something must
    say their order, or a restored database (or a vacuumed one) lists them differently."""
    assert " ORDER BY " in str(view().get_queryset().query)
