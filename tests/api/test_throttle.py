"""The anonymous throttle counts every request, even many at once from one address."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.request import Request

from gfmd.lib.api.throttling import AnonCountingThrottle


class Limited(AnonCountingThrottle):
    rate = "100/minute"


def test_concurrent_requests_are_each_counted():
    cache.clear()
    request = RequestFactory().get("/api/v1/practices/", REMOTE_ADDR="203.0.113.9")

    allowed = []
    barrier = threading.Barrier(20)

    def client():
        barrier.wait()
        for _ in range(15):  # 20 x 15 = 300 requests for a limit of 100
            allowed.append(Limited().allow_request(Request(request), None))

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(allowed) == 300
    assert allowed.count(True) == 100


@pytest.mark.django_db
def test_an_anonymous_client_over_the_rate_gets_429_with_retry_after(client, monkeypatch):
    monkeypatch.setitem(AnonCountingThrottle.THROTTLE_RATES, "anon", "3/minute")
    cache.clear()
    answers = [client.get("/api/v1/themes/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) <= 60
    assert "throttled" in answers[-1].json()["detail"].lower()
