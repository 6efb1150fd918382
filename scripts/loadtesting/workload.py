"""What the clients ask for: addresses discovered from the API, a weighted mix of reads and a
few writes, and the client threads themselves."""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from loadtesting.client import Result, get_json, request
from loadtesting.common import SetupError

SEARCH_TERMS = [
    "migration",
    "remittances",
    "diaspora",
    "labour",
    "circular migration",
    "return",
    "development",
    "Soderkoping",
    "remitances",  # a misspelling: exercises the did-you-mean suggestions
    "trafficking",
    "women",
    "skills",
]


@dataclass
class Catalogue:
    """Addresses to visit, discovered from the API before the clock starts."""

    pages: list[str] = field(default_factory=list)
    api_details: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    practices_pages: int = 1


def path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def discover(port: int) -> Catalogue:
    catalogue = Catalogue()
    for resource in (
        "practices",
        "themes",
        "meetings",
        "sessions",
        "recommendations",
        "rcps",
        "organisations",
        "countries",
        "sources",
    ):
        data = get_json(port, f"/api/v1/{resource}/?page_size=100")
        items = data["results"] if isinstance(data, dict) else data
        if resource == "practices":
            catalogue.practices_pages = max(1, -(-data["count"] // 25))
        for item in items:
            if item.get("web_url"):
                catalogue.pages.append(path_of(item["web_url"]))
            if item.get("url"):
                catalogue.api_details.append(path_of(item["url"]))
            if resource == "themes":
                catalogue.themes.append(item["slug"])
        if resource == "countries":
            catalogue.countries = [item["iso3"] for item in items][:40]
    if not (catalogue.pages and catalogue.themes):
        raise SetupError("the curated data did not load: the API lists nothing")
    return catalogue


class Workload:
    """Weighted mix of browsing, searching, API reads and (a few) API writes."""

    def __init__(self, catalogue: Catalogue, token: str, write_share: float, seed: int):
        self.catalogue = catalogue
        self.token = token
        self.write_share = write_share
        self.seed = seed
        self.acknowledged: dict[str, dict] = {}  # slug -> {"summary", "at", "method"}
        self.lock = threading.Lock()

    def next_request(self, rng: random.Random, client: int, counter: int):
        c = self.catalogue
        roll = rng.random()
        if roll < self.write_share:
            return self.write(rng, client, counter)
        roll = rng.random()
        theme = rng.choice(c.themes)
        term = urllib.parse.quote(rng.choice(SEARCH_TERMS))
        if roll < 0.50:
            path = rng.choices(
                [
                    "/",
                    "/practices/",
                    f"/practices/?theme={theme}",
                    f"/practices/?page={rng.randint(1, c.practices_pages)}",
                    f"/practices/?country={rng.choice(c.countries or ['PHL'])}",
                    rng.choice(c.pages),
                    "/themes/",
                    "/rcps/",
                    "/recommendations/",
                    "/meetings/",
                    "/countries/",
                    "/organisations/",
                ],
                weights=[6, 6, 6, 3, 3, 40, 3, 3, 3, 2, 2, 2],
            )[0]
            return "browse", "GET", path, None
        if roll < 0.72:
            path = rng.choice(
                [f"/search/?q={term}", f"/practices/?q={term}", f"/api/v1/search/?q={term}"]
            )
            return "search", "GET", path, None
        path = rng.choices(
            [
                rng.choice(c.api_details),
                f"/api/v1/practices/?page={rng.randint(1, c.practices_pages)}",
                f"/api/v1/practices/?theme={theme}",
                f"/api/v1/practices/facets/?theme={theme}",
                "/api/v1/practices/facets/",
                "/api/v1/rcps/",
                "/api/v1/recommendations/?page_size=50",
                "/api/v1/practices/?format=csv",
            ],
            weights=[40, 10, 10, 10, 5, 5, 5, 2],
        )[0]
        return "api", "GET", path, None

    def write(self, rng: random.Random, client: int, counter: int):
        with self.lock:
            own = [slug for slug in self.acknowledged if slug.startswith(f"loadtest-{client}-")]
        marker = f"summary {client}-{counter} {secrets.token_hex(4)}"
        if own and rng.random() < 0.4:
            slug = rng.choice(own)
            return "write", "PATCH", f"/api/v1/practices/{slug}/", {"summary": marker}
        body = {
            "slug": f"loadtest-{client}-{counter}-{self.seed}",
            "title": f"Load test practice {client}-{counter}",
            "summary": marker,
            "scope": "national",
            "type": "policy",
            "themes": [rng.choice(self.catalogue.themes)],
        }
        return "write", "POST", "/api/v1/practices/", body

    def headers_for(self, kind: str) -> dict:
        if kind == "write":
            return {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        return {}

    def record_write(self, result: Result, body: dict) -> None:
        if result.method == "POST" and result.status == 201:
            slug = body["slug"]
        elif result.method == "PATCH" and result.status == 200:
            slug = result.path.rstrip("/").rsplit("/", 1)[-1]
        else:
            return
        with self.lock:
            self.acknowledged[slug] = {"summary": body["summary"], "at": result.end}


def run_clients(
    port: int,
    workload: Workload,
    clients: int,
    deadline: float,
    max_requests: int,
    stop: threading.Event,
    results: list[Result],
) -> list[threading.Thread]:
    issued = iter(range(max_requests))
    issued_lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(workload.seed * 1000 + number)
        counter = 0
        while not stop.is_set() and time.monotonic() < deadline:
            with issued_lock:
                if next(issued, None) is None:
                    return
            counter += 1
            kind, method, path, body = workload.next_request(rng, number, counter)
            if method == "PATCH":
                # A curator's edit: read the record, then send the version read with the change.
                read = request(
                    port,
                    "GET",
                    path,
                    headers={"Accept": "application/json"},
                    kind="api",
                    keep_body=True,
                )
                results.append(read)
                if read.status != 200:
                    continue
                version = json.loads(read.body).get("version")
                if version is not None:
                    body = {**body, "version": version}
                read.body = b""
            result = request(
                port, method, path, body=body, headers=workload.headers_for(kind), kind=kind
            )
            results.append(result)
            if kind == "write":
                workload.record_write(result, body)

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True, name=f"client-{n}")
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads


def probe_readiness(port: int, stop: threading.Event, samples: list[tuple]) -> None:
    """/readyz every quarter second: when the site itself saw the database go and come back."""
    while not stop.is_set():
        result = request(port, "GET", "/readyz", timeout=10)
        samples.append((result.start, result.end, result.status or result.error))
        stop.wait(0.25)
