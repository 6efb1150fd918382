"""Shared fixtures: the test database holds the curated knowledge base, loaded once per run."""

from pathlib import Path

import pytest
from django.conf import settings

from gfmd.curation.ingest import ingest_seeds
from gfmd.curation.loader import load_directory
from gfmd.lib.embedded_db import start_configured

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Without DATABASE_URL, start the embedded PostgreSQL before the test database is made."""
    start_configured()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # Unchanged files are skipped when the test database is reused; so are seed documents
        # whose text is loaded already. Without the seeds directory the documents have no text.
        load_directory(FIXTURES)
        ingest_seeds()


@pytest.fixture(autouse=True)
def _warm_caches(request, django_db_blocker):
    """Citations find their records through content types, which Django caches per process, and
    search suggestions use a cached vocabulary. Warm both so query counts are those of a running
    site, whatever the test order; and start from an empty cache, so that no result cached under
    the data version by an earlier test changes a count. Tests without the database are left
    alone (some run beside the browser tests' event loop, where Django refuses queries)."""
    db_fixtures = {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
    if not request.node.get_closest_marker("django_db") and not (
        db_fixtures & set(request.fixturenames)
    ):
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from gfmd.lib import data_version
    from gfmd.lib.search import vocabulary

    cache.clear()  # results cached under the data version (gfmd.lib.data_version) by earlier tests
    data_version._memo.clear()  # and the values each process keeps of them (`memo=True`)
    with django_db_blocker.unblock():
        ContentType.objects.get_for_models(*apps.get_models())
        vocabulary()  # cached for an hour on a running site


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def other_connection():
    """A second session on the test database, committing on its own, as another server would."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    kwargs = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    name = connection.settings_dict["NAME"]
    with psycopg.connect(dbname=name, autocommit=True, **kwargs) as conn:
        yield conn


def touch_country(conn, iso3="PHL"):
    """A committed write that changes nothing but the data version."""
    conn.execute("UPDATE gfmd_country SET name = name WHERE iso3 = %s", [iso3])
