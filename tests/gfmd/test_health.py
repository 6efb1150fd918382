"""Liveness, readiness, a clear 503 while the database is away, and the replica router."""

import pytest
from django.db.utils import OperationalError
from django.test import RequestFactory

from gfmd.lib import db_router
from gfmd.lib.health import DatabaseUnavailableMiddleware

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client):
    assert client.get("/healthz").content == b"ok\n"
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_an_unreachable_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("path", "kind"), [("/api/v1/practices/", "application/json"), ("/practices/", "text/html")]
)
def test_lost_database_gives_a_clear_503(path, kind):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get(path)
    response = middleware.process_exception(
        request, OperationalError("server closed the connection")
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith(kind)
    assert response["Retry-After"] == "5"
    assert b"database is unavailable" in response.content


def test_psycopg_errors_from_server_side_cursors_also_give_503():
    import psycopg

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/recommendations/")
    error = psycopg.OperationalError("consuming input failed: server closed the connection")
    assert middleware.process_exception(request, error).status_code == 503


def test_other_errors_are_left_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


def test_router_reads_from_replicas_until_a_write(monkeypatch):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0"])
    router = db_router.PrimaryReplicaRouter()
    token = db_router._pinned.set(False)
    try:
        assert router.db_for_read(None) == "replica0"
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"
    finally:
        db_router._pinned.reset(token)


def test_unsafe_requests_start_pinned(monkeypatch):
    seen = []
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0"])
    router = db_router.PrimaryReplicaRouter()
    middleware = db_router.PinAfterWriteMiddleware(
        lambda request: seen.append(router.db_for_read(None))
    )
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().post("/"))
    assert seen == ["replica0", "default"]


def test_a_request_reads_from_one_replica(monkeypatch):
    """Replicas may lag by different amounts: every read of one request (the data version and
    the data it keys) goes to the same one."""
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [f"replica{i}" for i in range(8)])
    router = db_router.PrimaryReplicaRouter()
    seen = []

    def view(request):
        seen.append({router.db_for_read(None) for _ in range(20)})
        return None

    middleware = db_router.PinAfterWriteMiddleware(view)
    before = db_router._replica.get()
    for _ in range(10):
        middleware(RequestFactory().get("/"))
    assert all(len(chosen) == 1 for chosen in seen)
    assert len(set().union(*seen)) > 1  # a new choice per request
    assert db_router._replica.get() == before  # each request's choice ends with it
