"""Long-tail workloads: thousands of distinct URLs drawn the way visitors send them, each asked
for once, so that a page cache keyed by URL helps only as much as real traffic lets it.

* searches: words of the knowledge base's own vocabulary (PostgreSQL's ts_stat over the curated
  practices, stop words left out), drawn by how many records use them, as one word (45%), two
  (35%) or three (20%): site searches are short;
* filter combinations: a leaf theme (70%), a region (50%), a scope (30%), a type (30%), at least
  one of them, and the page (1: 70%, 2: 20%, 3: 10%); a page past the last of its combination is
  a 404, counted apart from errors.

`replay` asks a server for every URL of a list once, over loopback, from a bounded pool of
client threads each keeping its connection alive, optionally while one edit a second is
committed to the database (cache churn), and reports throughput, p50/p95/p99 and the page
cache's hit rate (from the X-Page-Cache header the site sets; the peer and the floor have none).
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlencode, urlsplit

from figures import fmt

WORKLOADS = {
    "list_html": "practice list with facet counts (HTML)",
    "list_api": "practice list (API JSON)",
    "facets_api": "facet counts (API JSON)",
    "search_html": "search page, all kinds (HTML)",
    "search_api": "search, all kinds (API JSON)",
    "practice_search_api": "practice search (API JSON)",
}
FILTERED = ("list_html", "list_api", "facets_api")
WORDS_PER_QUERY = [(1, 0.45), (2, 0.35), (3, 0.20)]
PAGES = [(1, 0.7), (2, 0.2), (3, 0.1)]
# Tables a curator's edit goes to, in turn, when edits arrive during a run.
EDITED_TABLES = ["practices_practice", "gfmd_country", "roundtables_session", "gfmd_organisation"]
FACETS = "&".join(
    [f"_facet_array={n}" for n in ("themes", "regions", "countries", "sessions", "rcps")]
    + ["_facet=scope", "_facet=type"]
)


@dataclass
class LongRun:
    requests: int
    seconds: float
    requests_per_s: float
    p50: float | None
    p95: float | None
    p99: float | None
    errors: int
    hits: int
    misses: int
    edits: int = 0
    # A page past the last of a filter combination: a 404, as it should be, not an error.
    not_found: int = 0

    @property
    def hit_rate(self) -> str:
        seen = self.hits + self.misses
        return f"{100 * self.hits / seen:.0f}%" if seen else "–"


@dataclass
class Vocabulary:
    words: list[str]
    weights: list[int]
    themes: list[str]
    regions: list[str]
    scopes: list[str]
    types: list[str]


def read_vocabulary(database_url: str) -> Vocabulary:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('simple', coalesce(title, '') "
            "|| ' ' || coalesce(summary, '') || ' ' || coalesce(description, '')) FROM "
            "practices_practice WHERE status = 'published' AND NOT synthetic$$) "
            "WHERE length(word) > 2 "
            "AND word ~ '^[a-z]+$' AND numnode(plainto_tsquery('english', word)) > 0 "
            "ORDER BY word"
        ).fetchall()
        themes = [
            r[0]
            for r in conn.execute(
                "SELECT slug FROM practices_theme t WHERE NOT EXISTS (SELECT 1 FROM "
                "practices_theme c WHERE c.parent_id = t.id) AND EXISTS (SELECT 1 FROM "
                "practices_practice_themes x WHERE x.theme_id = t.id) ORDER BY slug"
            )
        ]
        regions = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT region FROM gfmd_country WHERE region <> '' ORDER BY 1"
            )
        ]
        scopes = [r[0] for r in conn.execute("SELECT DISTINCT scope FROM practices_practice")]
        types = [r[0] for r in conn.execute("SELECT DISTINCT type FROM practices_practice")]
    return Vocabulary(
        [r[0] for r in rows], [r[1] for r in rows], themes, regions, sorted(scopes), sorted(types)
    )


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def queries(vocab: Vocabulary, count: int, rng: random.Random) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(count * 50):
        if len(seen) >= count:
            break
        n = _pick(rng, WORDS_PER_QUERY)
        words = rng.choices(vocab.words, vocab.weights, k=n)
        if len(set(words)) == n:
            seen.setdefault(" ".join(words), None)
    return list(seen)


def filter_sets(vocab: Vocabulary, count: int, rng: random.Random) -> list[dict[str, str]]:
    seen: dict[tuple, dict] = {}
    for _ in range(count * 50):
        if len(seen) >= count:
            break
        chosen = {}
        for name, values, share in (
            ("theme", vocab.themes, 0.7),
            ("region", vocab.regions, 0.5),
            ("scope", vocab.scopes, 0.3),
            ("type", vocab.types, 0.3),
        ):
            if values and rng.random() < share:
                chosen[name] = rng.choice(values)
        if not chosen:
            continue
        page = _pick(rng, PAGES)
        if page > 1:
            chosen["page"] = str(page)
        seen.setdefault(tuple(sorted(chosen.items())), chosen)
    return list(seen.values())


def peer_filters(chosen: dict[str, str]) -> str:
    names = {"theme": "themes__arraycontains", "region": "regions__arraycontains",
             "scope": "scope__exact", "type": "type__exact"}  # fmt: skip
    return urlencode({names[k]: v for k, v in chosen.items() if k in names})


def urls(vocab: Vocabulary, count: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """For each workload, `count` distinct (ours, peer) paths. Datasette pages by keyset, not by
    number: the peer is asked for the first page of the same filters."""
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, str]]] = {}
    for name in WORKLOADS:
        if name in FILTERED:
            rows = []
            for chosen in filter_sets(vocab, count, rng):
                ours, peer = urlencode(chosen), peer_filters(chosen)
                if name == "list_html":
                    peer_list = f"/bench/practices?{peer}&{FACETS}&_sort=title&_size=20"
                    rows.append((f"/practices/?{ours}", peer_list))
                elif name == "list_api":
                    rows.append((f"/api/v1/practices/?{ours}",
                                 f"/bench/practices.json?{peer}&_sort=title&_size=25"))  # fmt: skip
                else:
                    ours = urlencode({k: v for k, v in chosen.items() if k != "page"})
                    rows.append((f"/api/v1/practices/facets/?{ours}",
                                 f"/bench/practices.json?{peer}&{FACETS}&_size=0"))  # fmt: skip
            out[name] = list(dict.fromkeys(rows))
        else:
            rows = []
            for text in queries(vocab, count, rng):
                q = urlencode({"q": text})
                peer = "/bench/practices" + (".json" if name != "search_html" else "")
                size = {"search_html": 20, "search_api": 10, "practice_search_api": 25}[name]
                ours = {"search_html": "/search/", "search_api": "/api/v1/search/",
                        "practice_search_api": "/api/v1/practices/"}[name]  # fmt: skip
                rows.append((f"{ours}?{q}", f"{peer}?{urlencode({'_search': text})}&_size={size}"))
            out[name] = rows
    return out


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _edits(database_url: str, per_second: float, stop: threading.Event, done: list[int]):
    """One committed edit every 1/per_second seconds, to each of EDITED_TABLES in turn: a row
    rewritten as it is, which raises the data version (and that table's own counter)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        ids = {
            table: [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1000")]
            for table in EDITED_TABLES
        }
        rng = random.Random(7)
        turn = 0
        while not stop.wait(1 / per_second):
            table = EDITED_TABLES[turn % len(EDITED_TABLES)]
            turn += 1
            if ids[table]:
                conn.execute(f"UPDATE {table} SET id = id WHERE id = %s", [rng.choice(ids[table])])
                done[0] += 1


def replay(
    base_url: str,
    paths: list[str],
    clients: int,
    max_seconds: float = 60.0,
    database_url: str | None = None,
    edits_per_second: float = 0.0,
) -> LongRun:
    """Every path once (or until `max_seconds`), from `clients` threads."""
    parts = urlsplit(base_url)
    lock = threading.Lock()
    todo = iter(paths)
    latencies: list[float] = []
    counts = {"errors": 0, "hits": 0, "misses": 0, "not_found": 0}
    deadline = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                path = next(todo, None)
            if path is None:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = conn.getresponse()
                response.read()
                status, hit = response.status, response.getheader("X-Page-Cache")
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                status, hit = 0, None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status == 404:
                    counts["not_found"] += 1
                elif status != 200:
                    counts["errors"] += 1
                if hit == "hit":
                    counts["hits"] += 1
                elif hit == "miss":
                    counts["misses"] += 1
        conn.close()

    stop, edits = threading.Event(), [0]
    editor = None
    if edits_per_second and database_url:
        editor = threading.Thread(target=_edits, args=(database_url, edits_per_second, stop, edits))
        editor.start()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    stop.set()
    if editor:
        editor.join()
    return LongRun(
        requests=len(latencies),
        seconds=seconds,
        requests_per_s=len(latencies) / seconds if seconds else 0.0,
        p50=_percentile(latencies, 0.50),
        p95=_percentile(latencies, 0.95),
        p99=_percentile(latencies, 0.99),
        errors=counts["errors"],
        hits=counts["hits"],
        misses=counts["misses"],
        edits=edits[0],
        not_found=counts["not_found"],
    )


def describe(run: LongRun) -> str:
    return (
        f"{run.requests_per_s:>8.1f} req/s  p50 {fmt(run.p50):>7}  p95 {fmt(run.p95):>7}  "
        f"p99 {fmt(run.p99):>7} ms  hits {run.hit_rate}"
        + (f"  edits {run.edits}" if run.edits else "")
        + (f"  404 {run.not_found}" if run.not_found else "")
        + (f"  ERRORS {run.errors}" if run.errors else "")
    )


def to_json(runs: dict) -> list:
    return [[*key, asdict(run)] for key, run in runs.items()]


def from_json(rows: list) -> dict:
    return {tuple(row[:-1]): LongRun(**row[-1]) for row in rows}


SERVERS = [
    ("ours", "ours"),
    ("ours+edits", "ours, 1 edit/s"),
    ("uncached", "page cache off"),
    ("uncached+edits", "page cache off, 1 edit/s"),
    ("peer", "Datasette"),
    ("floor", "floor (sample)"),
]


def report(practices: int, runs: dict, clients: list[int]) -> list[str]:
    """One table of a size's long-tail figures: for each workload and client count, each
    server's throughput and latencies, and our throughput over the peer's and the floor's."""
    if not runs:
        return []
    lines = [
        "",
        f"Long tail at {practices:,} practices: distinct URLs, each asked for once "
        "(bench/longtail.py), until the list or --longtail-seconds runs out (URLs: how many "
        "were asked). Hits: the page cache's share of answers. `with 1 edit/s`: the change in "
        "throughput with one committed edit a second arriving. The floor runs the SQL of a "
        "sample of the same URLs, captured on their first (cold) request.",
        "",
        "| workload | conn | server | URLs | req/s | p50 | p95 | p99 | hits | 404 | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in WORKLOADS.items():
        for c in clients:
            for key, server in SERVERS:
                run = runs.get((key, name, c))
                if run is None:
                    continue
                lines.append(
                    f"| {label} | {c} | {server} | {run.requests:,} | {run.requests_per_s:,.1f} "
                    f"| {fmt(run.p50)} | {fmt(run.p95)} | {fmt(run.p99)} | {run.hit_rate} "
                    f"| {run.not_found} | {run.errors} |"
                )
    lines += ["", f"Long-tail ratios at {practices:,} practices:", ""]
    for name in WORKLOADS:
        for c in clients:
            got = {key: runs.get((key, name, c)) for key, _ in SERVERS}
            parts = []
            for ours in ("ours", "uncached"):
                if not got[ours]:
                    continue
                for other in ("peer", "floor"):
                    if got[other] and got[other].requests_per_s:
                        x = got[ours].requests_per_s / got[other].requests_per_s
                        parts.append(f"{ours}/{other} {x:.2f}")
                edited = got.get(f"{ours}+edits")
                if edited and got[ours].requests_per_s:
                    change = edited.requests_per_s / got[ours].requests_per_s - 1
                    parts.append(f"{ours} throughput with 1 edit/s {100 * change:+.0f}%")
            if parts:
                lines.append(f"- {name}, c={c}: " + "; ".join(parts))
    return lines
