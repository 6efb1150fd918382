"""The site without its cache: with Redis down, or full and refusing writes (`noeviction`), or
full and evicting, every page and API answer is served (uncached), `/readyz` says the cache is
away, and a signed-in curator stays signed in (sessions are in the database).

Each case starts a throwaway redis-server on a free loopback port, with a small `maxmemory`;
the machine's own Redis is never touched. Skipped when redis-server is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.core.cache import caches

from gfmd.lib import servers
from gfmd.lib.page_cache import HIT_HEADER

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/practices/",
    "/practices/?theme=health-workforce",
    "/api/v1/practices/",
    "/api/v1/practices/facets/",
    "/search/?q=remittances",
    "/countries/phl/",
]


@pytest.fixture(autouse=True)
def _warm_caches():
    """The cache under test is configured below."""


def redis_client(port: int):
    import redis

    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)


@pytest.fixture
def throwaway_redis(request):
    """Start redis-server with `--maxmemory` and the policy given by the test's parameter."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    policy = getattr(request, "param", "noeviction")
    port = servers.free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--maxmemory", "4mb", "--maxmemory-policy", policy],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            if redis_client(port).ping():
                break
        except Exception:  # noqa: BLE001 - not up yet
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        yield port
    finally:
        servers.stop_processes(process)


def use_redis(settings, port: int) -> None:
    location = f"redis://127.0.0.1:{port}/0"
    backend = "gfmd.lib.resilient_cache.ResilientRedisCache"
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "gfmd"},
        "sessions": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "gfmd:sessions"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.GFMD_PAGE_CACHE = True


def fill(port: int) -> None:
    """Fill Redis up to its maxmemory with keys of another application."""
    import redis

    client = redis_client(port)
    blob = b"x" * 50_000
    for number in range(10_000):
        try:
            client.set(f"filler:{number}", blob)
        except redis.exceptions.ResponseError:  # OOM under noeviction
            return
    # Under an eviction policy every write succeeds: enough has been written to evict.


def sign_in(client, username: str) -> None:
    answer = client.post("/admin/login/?next=/admin/", {"username": username, "password": "pw"})
    assert answer.status_code == 302, answer.content[:300]


def serves_everything(client) -> None:
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])


def test_with_redis_down_every_page_is_served_and_readyz_says_so(client, settings):
    use_redis(settings, servers.free_port())  # nothing listens there
    started = time.monotonic()
    serves_everything(client)
    serves_everything(client)
    assert time.monotonic() - started < 30
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert b"cache unreachable" in ready.content and ready["X-Cache-Status"] == "down"


def test_curators_sign_in_and_write_with_redis_down(client, settings, django_user_model):
    use_redis(settings, servers.free_port())
    django_user_model.objects.create_superuser("redis-down", None, "pw")
    sign_in(client, "redis-down")
    assert client.get("/admin/").status_code == 200


def test_with_redis_full_and_refusing_writes_new_pages_are_served(
    client, settings, throwaway_redis
):
    use_redis(settings, throwaway_redis)
    serves_everything(client)  # cached while there is room
    fill(throwaway_redis)
    with pytest.raises(Exception, match="maxmemory"):
        redis_client(throwaway_redis).set("probe", b"x" * 100_000)
    serves_everything(client)
    for number in range(5):  # pages never seen before: cannot be stored
        assert client.get(f"/practices/?page={number + 1}").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("throwaway_redis", ["allkeys-lru"], indirect=True)
def test_with_redis_evicting_a_curator_stays_signed_in(
    client, settings, throwaway_redis, django_user_model
):
    use_redis(settings, throwaway_redis)
    django_user_model.objects.create_superuser("evicted", None, "pw")
    sign_in(client, "evicted")
    assert client.get("/admin/").status_code == 200
    redis_client(throwaway_redis).flushall()  # the most any eviction can do: every key gone
    fill(throwaway_redis)
    assert client.get("/admin/").status_code == 200  # still signed in: read from the database
    anonymous = client.__class__()
    assert anonymous.get("/practices/")[HIT_HEADER] == "miss"
    assert anonymous.get("/practices/")[HIT_HEADER] == "hit"


def test_a_stalled_cache_costs_a_short_timeout_and_comes_back(
    settings, throwaway_redis, monkeypatch
):
    from gfmd.lib import resilient_cache

    monkeypatch.setattr(resilient_cache, "RETRY_AFTER", 0.2)
    use_redis(settings, throwaway_redis)
    cache = caches["default"]
    cache.set("k", "v")
    assert cache.get("k") == "v"
    redis_client(throwaway_redis).client_pause(1500)  # Redis answers no one for 1.5 s
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    assert cache.get("k") is None  # within RETRY_AFTER: not even tried
    assert time.monotonic() - started < 1.0
    time.sleep(1.6)
    assert cache.get("k") == "v"
    assert cache.available()
