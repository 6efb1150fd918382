"""One HTTP request, timed, as the load test's clients make it."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass

from loadtesting.common import HOST, SetupError

REQUEST_TIMEOUT = 30.0  # seconds, per request: gunicorn's worker timeout


@dataclass
class Result:
    kind: str  # browse, search, api, write
    method: str
    path: str
    start: float
    end: float
    status: int | None = None
    error: str | None = None  # exception name when no response arrived
    content_type: str = ""
    retry_after: str | None = None
    mentions_database: bool = False
    body: bytes = b""

    @property
    def latency(self) -> float:
        return self.end - self.start

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    headers: dict | None = None,
    kind: str = "",
    timeout: float = REQUEST_TIMEOUT,
    keep_body: bool = False,
) -> Result:
    """One request on a fresh connection (as a proxy in front of gunicorn would make it)."""
    all_headers = {"Host": HOST, "Connection": "close", "Accept-Encoding": "identity"}
    all_headers.update(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    start = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        content = response.read()
        end = time.monotonic()
        return Result(
            kind,
            method,
            path,
            start,
            end,
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            retry_after=response.getheader("Retry-After"),
            mentions_database=b"database is unavailable" in content,
            body=content if keep_body or response.status >= 400 else b"",
        )
    except (OSError, http.client.HTTPException) as exc:
        name = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
        return Result(kind, method, path, start, time.monotonic(), error=name)
    finally:
        conn.close()


def get_json(port: int, path: str, token: str | None = None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    result = request(port, "GET", path, headers=headers, keep_body=True, timeout=60)
    if result.status != 200:
        raise SetupError(f"GET {path} gave {result.status or result.error}")
    return json.loads(result.body)
