"""Liveness, readiness, a clear 503 while the database is away, and the replica router."""

import pytest
from django.conf import settings
from django.db.utils import OperationalError
from django.http import HttpResponse
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


@pytest.fixture
def replicas_answer(monkeypatch):
    """Replicas that are not configured here: each is taken to answer, without lag."""
    monkeypatch.setattr(db_router, "usable", lambda alias: True)


def test_router_reads_from_replicas_until_a_write(monkeypatch, replicas_answer):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0"])
    router = db_router.PrimaryReplicaRouter()
    token = db_router._pinned.set(False)
    try:
        assert router.db_for_read(None) == "replica0"
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"
    finally:
        db_router._pinned.reset(token)


def test_unsafe_requests_start_pinned(monkeypatch, replicas_answer):
    seen = []
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0"])
    router = db_router.PrimaryReplicaRouter()
    middleware = db_router.PinAfterWriteMiddleware(
        lambda request: seen.append(router.db_for_read(None)) or HttpResponse()
    )
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().post("/"))
    assert seen == ["replica0", "default"]


def test_a_write_pins_the_next_requests_of_that_browser(monkeypatch, replicas_answer):
    """The page a curator is sent to after saving is a new request: it too reads the primary."""
    seen = []
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0"])
    router = db_router.PrimaryReplicaRouter()
    middleware = db_router.PinAfterWriteMiddleware(
        lambda request: seen.append(router.db_for_read(None)) or HttpResponse()
    )
    saved = middleware(RequestFactory().post("/"))
    pin = saved.cookies[db_router.PIN_COOKIE]
    assert pin["httponly"] and int(pin["max-age"]) == settings.GFMD_PIN_SECONDS
    after = RequestFactory().get("/")
    after.COOKIES[db_router.PIN_COOKIE] = pin.value
    middleware(after)
    stale = RequestFactory().get("/")
    stale.COOKIES[db_router.PIN_COOKIE] = "1"  # expired long ago
    middleware(stale)
    junk = RequestFactory().get("/")
    junk.COOKIES[db_router.PIN_COOKIE] = "not a time"
    middleware(junk)
    assert seen == ["default", "default", "replica0", "replica0"]


def test_a_replica_that_is_down_or_behind_is_left_out(monkeypatch):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica0", "replica1"])
    lags = {"replica0": None, "replica1": 60.0}  # down; a minute behind
    monkeypatch.setattr(db_router, "replica_lag", lambda alias: lags[alias])
    router = db_router.PrimaryReplicaRouter()
    middleware = db_router.PinAfterWriteMiddleware(
        lambda request: HttpResponse(router.db_for_read(None))
    )
    assert middleware(RequestFactory().get("/")).content == b"default"
    lags["replica1"] = 0.2
    assert middleware(RequestFactory().get("/")).content == b"replica1"


def test_a_request_reads_from_one_replica(monkeypatch, replicas_answer):
    """Replicas may lag by different amounts: every read of one request (the data version and
    the data it keys) goes to the same one."""
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [f"replica{i}" for i in range(8)])
    router = db_router.PrimaryReplicaRouter()
    seen = []

    def view(request):
        seen.append({router.db_for_read(None) for _ in range(20)})
        return HttpResponse()

    middleware = db_router.PinAfterWriteMiddleware(view)
    before = db_router._replica.get()
    for _ in range(10):
        middleware(RequestFactory().get("/"))
    assert all(len(chosen) == 1 for chosen in seen)
    assert len(set().union(*seen)) > 1  # a new choice per request
    assert db_router._replica.get() == before  # each request's choice ends with it
