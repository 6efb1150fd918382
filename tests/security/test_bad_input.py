"""Malformed input to every list parameter and every detail URL: a 400 that names the parameter,
or a 404 that says what was not found; never a server error, and never a 200 that quietly dropped
a bad value.

The parameters are discovered, not listed: each list's FilterSet gives its filters, and `page`,
`page_size`, `ordering`, `format` and `q` are added where the list takes them (and tried where it
does not, to see that they are refused rather than ignored). Detail URLs come from the URL
patterns and the API router.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from gfmd.api_router import router
from gfmd.lib.filters import KeyMultipleFilter, SearchFilter
from practices.filters import PracticeFilter
from rcps.filters import RCPFilter
from roundtables.filters import RecommendationFilter

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000
# Raw, already percent-encoded query values. Django decodes bytes that are not UTF-8 to U+FFFD.
NUL = ["%00", "a%00b"]
NOT_UTF8 = ["%ff%fe", "abc%c3%28"]
INJECTION = [
    quote("zzqx'; DROP TABLE practices_practice; --", safe=""),
    quote("<script>alert(1)</script>", safe=""),
    quote('"><img src=x onerror=alert(1)>', safe=""),
]
# Refused by every filter, free text included.
ALWAYS_BAD = [LONG, *NUL, *NOT_UTF8]
# Refused by every filter that takes a key, a choice, a number or an ordering.
NOT_A_KEY = [
    "no-such-value",
    "-1",
    "0",
    "1.5",
    "99999999999999999999",
    quote("☃", safe=""),
    *INJECTION,
]
# Detail keys no record has, and keys that are not keys at all.
UNKNOWN_KEYS = [
    "no-such-record",
    "zzz",
    "9.9",
    "-1",
    "99999999999999999999",
    LONG,
    "%00",
    "%ff%fe",
    quote("<script>alert(1)</script>", safe=""),
    "..%2F..%2Fetc",
]
BAD_PAGES = ["abc", "0", "-1", "1.5", "99999999999999999999", "999999", LONG, "%00", "%ff%fe"]
BAD_PAGE_SIZES = ["abc", "0", "-1", "1.5", LONG, "%00", "%ff%fe", *INJECTION[:1]]
BAD_FORMATS = ["bogus", LONG, "%00", "%ff%fe", *INJECTION[1:2]]

HTML_LISTS = {
    "/practices/": PracticeFilter,
    "/recommendations/": RecommendationFilter,
    "/rcps/": RCPFilter,
}
FREE_TEXT = (SearchFilter, django_filters.CharFilter)

tried = 0


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    """Hundreds of requests from one address: the anonymous throttle would answer 429."""
    monkeypatch.setattr(APIView, "throttle_classes", [])


def api_lists():
    """(url, FilterSet or None, paginated) of every API list, the facets included."""
    lists = []
    for prefix, viewset, _ in router.registry:
        if prefix == "search":
            continue
        paginated = getattr(viewset, "pagination_class", None) is not None
        filterset = getattr(viewset, "filterset_class", None)
        lists.append((f"/api/v1/{prefix}/", filterset, paginated))
        if hasattr(viewset, "facets"):
            lists.append((f"/api/v1/{prefix}/facets/", filterset, False))
    return lists


def filters_of(filterset) -> dict:
    return dict(filterset.base_filters) if filterset else {}


def good_value(flt) -> str:
    """A value the filter accepts, for the repeated-parameter cases."""
    if isinstance(flt, django_filters.OrderingFilter):
        return flt.param_map and next(iter(flt.param_map))
    if isinstance(flt, KeyMultipleFilter):
        field = flt.extra.get("to_field_name", "pk")
        return quote(str(getattr(flt.extra["queryset"].first(), field)), safe="")
    if hasattr(flt, "extra") and flt.extra.get("choices"):
        return next(iter(flt.extra["choices"]))[0]
    if isinstance(flt, django_filters.NumberFilter):
        return "2000"
    return "migration"


def get(client, url: str, query: str = ""):
    global tried
    tried += 1
    response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code < 500, f"{response.status_code} for {url}?{query[:80]}"
    return response


def alert_text(response) -> str:
    match = re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def refused(response, param: str) -> str:
    """'' when the response is a 400 naming `param`, else what is wrong with it."""
    if response.status_code != 400:
        return f"status {response.status_code}"
    kind = response.get("Content-Type", "")
    if kind.startswith("application/json"):
        return "" if param in response.json() else f"400 without {param}: {response.json()}"
    if kind.startswith("text/csv"):
        return "" if response.content.decode().startswith(param) else "CSV 400 without it"
    return "" if f"{param}:" in alert_text(response) else "400 page without the parameter"


def not_found(response, word: str = "") -> str:
    """'' when the response is a 404 with a message (mentioning `word`), else the problem."""
    if response.status_code != 404:
        return f"status {response.status_code}"
    if response.get("Content-Type", "").startswith("application/json"):
        message = response.json().get("detail", "")
    else:
        # The page's own sentence, after the reason when there is one.
        match = re.search(
            r"<h1>Not found</h1>\s*<p>(.*?)There is no page", response.content.decode(), re.S
        )
        message = (match.group(1).strip() or "There is no page at this address") if match else ""
    if not message or word.lower() not in message.lower():
        return f"404 without a clear message: {message[:120]!r}"
    return ""


def check_filter(client, url: str, name: str, flt, *, few: bool = False) -> list[str]:
    """Every bad value (or, with `few`, one of each sort) given to one filter of one list."""
    failures = []
    free_text = isinstance(flt, FREE_TEXT)
    always, not_a_key = (ALWAYS_BAD[::2], NOT_A_KEY[:1]) if few else (ALWAYS_BAD, NOT_A_KEY)
    for value in always + ([] if free_text else not_a_key):
        if problem := refused(get(client, url, f"{name}={value}"), name):
            failures.append(f"{name}={value[:40]}: {problem}")
    good = good_value(flt)
    bad = LONG if free_text else "no-such-value"
    for query in (f"{name}={good}&{name}={bad}", f"{name}={bad}&{name}={good}"):
        if problem := refused(get(client, url, query), name):
            failures.append(f"{query[:80]}: {problem}")
    if free_text:
        # Legitimate text, however odd: searched for, and found nowhere.
        for value in INJECTION[:1] if few else INJECTION:
            response = get(client, url, f"{name}={value}")
            if response.status_code != 200:
                failures.append(f"{name}={value[:40]}: status {response.status_code}")
            elif url.startswith("/api/") and "count" in (data := response.json()):
                if data["count"] != 0:
                    failures.append(f"{name}={value[:40]}: ignored ({data['count']} rows)")
    return failures


def check_paging(client, url: str, api: bool) -> list[str]:
    failures = []
    for value in [*BAD_PAGES, "abc&page=1", "1&page=abc"]:
        if problem := not_found(get(client, url, f"page={value}"), "page"):
            failures.append(f"page={value[:40]}: {problem}")
    if not api:
        return failures
    # Above the maximum is refused too, as documented, rather than silently capped.
    above = ["101", "99999999999999999999", LONG.replace("x", "9"), "0" * 5000 + "101"]
    for value in [*BAD_PAGE_SIZES, *above, "abc&page_size=10", "10&page_size=abc"]:
        if problem := refused(get(client, url, f"page_size={value}"), "page_size"):
            failures.append(f"page_size={value[:40]}: {problem}")
    data = get(client, url, "page_size=0100").json()
    if len(data["results"]) != min(data["count"], 100):
        failures.append(f"page_size=0100: {len(data['results'])} rows")
    return failures


@pytest.mark.parametrize(
    ("url", "name"),
    [(url, name) for url, filterset in HTML_LISTS.items() for name in filters_of(filterset)],
)
def test_page_filters_refuse_bad_values(client, url, name):
    # The page uses the API's FilterSet (tried with every value below): one value of each sort.
    assert check_filter(client, url, name, HTML_LISTS[url].base_filters[name], few=True) == []


@pytest.mark.parametrize(
    ("url", "name"),
    [(url, name) for url, filterset, _ in api_lists() for name in filters_of(filterset)],
)
def test_api_filters_refuse_bad_values(client, url, name):
    filterset = dict((u, f) for u, f, _ in api_lists())[url]
    assert check_filter(client, url, name, filterset.base_filters[name]) == []


@pytest.mark.parametrize("url", [url for url, _, _ in api_lists()])
def test_api_list_refuses_bad_format_and_params_it_does_not_take(client, url):
    failures = []
    for value in [*BAD_FORMATS, "bogus&format=json", "json&format=bogus"]:
        if problem := refused(get(client, url, f"format={value}"), "format"):
            failures.append(f"format={value[:40]}: {problem}")
    filters = filters_of(dict((u, f) for u, f, _ in api_lists())[url])
    unknown = (("ordering", "title"), ("ordering", "-id"), ("q", "migration"), ("limit", "5"))
    for name, value in unknown:
        if name not in filters and (problem := refused(get(client, url, f"{name}={value}"), name)):
            failures.append(f"{name}={value} on a list without it: {problem}")
    # A CSV download refuses a bad filter the same way, in CSV.
    if filters:
        name = next(iter(filters))
        if problem := refused(get(client, url, f"format=csv&{name}=%00"), name):
            failures.append(f"CSV {name}: {problem}")
    assert failures == []


@pytest.mark.parametrize(
    ("url", "api"),
    [*((url, False) for url in HTML_LISTS), *((u, True) for u, _, paged in api_lists() if paged)],
)
def test_pages_of_a_list_refuse_bad_page_numbers(client, url, api):
    assert check_paging(client, url, api) == []


def test_search_refuses_bad_input(client):
    failures = []
    for value in [*ALWAYS_BAD, f"ok&q={LONG}", f"{LONG}&q=ok"]:
        for url in ("/search/", "/api/v1/search/"):
            if problem := refused(get(client, url, f"q={value}"), "q"):
                failures.append(f"{url} q={value[:40]}: {problem}")
    for value in ["bogus", *NUL, *NOT_UTF8, LONG, *INJECTION[:1], "practice&kind=bogus"]:
        if problem := refused(get(client, "/api/v1/search/", f"q=x&kind={value}"), "kind"):
            failures.append(f"kind={value[:40]}: {problem}")
    for value in [*BAD_PAGE_SIZES, "51", "99999999999999999999", "abc&per_kind=5", "5&per_kind=0"]:
        if problem := refused(get(client, "/api/v1/search/", f"q=x&per_kind={value}"), "per_kind"):
            failures.append(f"per_kind={value[:40]}: {problem}")
    for value in BAD_FORMATS:
        if problem := refused(get(client, "/api/v1/search/", f"q=x&format={value}"), "format"):
            failures.append(f"format={value[:40]}: {problem}")
    assert failures == []


def test_country_index_refuses_a_bad_all(client):
    failures = []
    for value in ["2", "yes", "-1", LONG, *NUL, *NOT_UTF8, *INJECTION, "1&all=x", "x&all=1"]:
        if problem := refused(get(client, "/countries/", f"all={value}"), "all"):
            failures.append(f"all={value[:40]}: {problem}")
    assert failures == []


def detail_urls() -> list[str]:
    """Every page and API detail URL, with `{}` where the key goes."""
    urls = []
    # The pages: every app's urls.py, included at the root.
    for included in get_resolver().url_patterns:
        if not isinstance(included, URLResolver) or str(included.pattern):
            continue
        for pattern in included.url_patterns:
            if isinstance(pattern, URLPattern) and "<" in str(pattern.pattern):
                urls.append("/" + re.sub(r"<[^>]+>", "{}", str(pattern.pattern)))
    for prefix, _, _ in router.registry:
        if prefix != "search":
            urls.append(f"/api/v1/{prefix}/{{}}/")
    return urls


@pytest.mark.parametrize("url", detail_urls())
def test_unknown_detail_keys_are_404_with_a_message(client, url):
    failures = []
    for key in UNKNOWN_KEYS:
        address = url.format(*[key] * url.count("{}"))  # every key of the address unknown
        if problem := not_found(get(client, address)):
            failures.append(f"{address[:80]}: {problem}")
    assert failures == []


def test_every_parameter_was_tried():
    """The discovery found the parameters (a FilterSet emptied by mistake would pass silently)."""
    assert len(filters_of(PracticeFilter)) >= 10
    assert len(api_lists()) >= 11
    assert len(detail_urls()) >= 20


# --- bodies and methods the API refuses with a JSON message, never a 500 or a page -----------


@pytest.fixture
def writer(django_user_model):
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_superuser("bad-input-writer", None, "pw")
    client = APIClient()
    client.force_authenticate(user)
    return client


def json_error(response, status: int | tuple[int, ...]) -> str:
    """The API's JSON error message, after checking the status and that the body is JSON."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    message = body.get("detail") if isinstance(body, dict) else None
    return str(message or body)


def write_relations():
    """(list url, relation field name) of every relation a write serializer takes."""
    cases = []
    for prefix, viewset, _ in router.registry:
        serializer = getattr(viewset, "write_serializer_class", None)
        if serializer is None:
            continue
        for name, field in serializer().fields.items():
            if hasattr(field, "child_relation") or hasattr(field, "queryset"):
                cases.append((f"/api/v1/{prefix}/", name, hasattr(field, "child_relation")))
    return cases


def test_options_of_the_api_docs_is_not_an_error(client):
    assert "GET" in json_error(client.options("/api/docs/"), 200)
    assert json_error(client.options("/api/v1/practices/"), 200)


def test_unknown_api_paths_answer_json(client):
    for path in ("/api/v1/nope/", "/api/nope", "/api/v1/practices/no-such/x/"):
        assert json_error(client.get(path), 404)


@pytest.mark.parametrize(("url", "name", "many"), write_relations())
def test_a_nul_byte_in_a_relation_is_refused_by_name(writer, url, name, many):
    first = writer.get(url, {"page_size": 1}, HTTP_ACCEPT="application/json").json()
    rows = first["results"] if isinstance(first, dict) else first
    value = ["\u0000"] if many else "\u0000"
    writes = [("post", url, {name: value})]
    if "url" in rows[0]:
        detail = writer.get(rows[0]["url"], HTTP_ACCEPT="application/json").json()
        version = (
            {"version": detail["version"]} if "version" in detail else {}
        )  # citations have none
        writes.append(("patch", rows[0]["url"], {name: value, **version}))
    for method, target, body in writes:
        response = getattr(writer, method)(target, body, format="json")
        message = json_error(response, 400)
        assert name in response.json(), message


def test_a_deeply_nested_json_body_is_refused(writer):
    body = "[" * 3000 + "]" * 3000
    response = writer.generic("POST", "/api/v1/practices/", body, content_type="application/json")
    assert "JSON" in json_error(response, 400)


def test_an_over_size_body_is_refused_with_json(writer, settings):
    body = '{"title": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = writer.generic("POST", "/api/v1/practices/", body, content_type="application/json")
    assert "too large" in json_error(response, 413)


def test_an_api_server_error_answers_json(client, monkeypatch):
    from practices.api import PracticeViewSet

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(PracticeViewSet, "list_queryset", broken)
    client.raise_request_exception = False
    assert json_error(client.get("/api/v1/practices/"), 500)


def test_concurrent_first_requests_to_the_schema_all_succeed(client):
    import threading

    from django.db import connections
    from django.test import Client

    from gfmd.lib.api import schema

    schema.forget()
    answers = []
    barrier = threading.Barrier(6)

    def fetch():
        barrier.wait()
        try:
            answers.append(Client().get("/api/schema/", HTTP_ACCEPT="application/json"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.content for a in answers}) == 1


def test_many_unknown_keys_are_checked_in_one_query(client, django_assert_max_num_queries):
    query = "&".join(f"country=C{n:03d}" for n in range(300))
    # The data version, the valid countries among the 300 values (Django's own check), and the
    # unknown ones named in the message: a fixed number, not one per value.
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/practices/?{query}")
    assert response.status_code == 400
    assert "C000" in str(response.json())


# The public's forms (gfmd.curation): every field, too long or holding a NUL byte, is refused with
# a 400 that names it; numbers that are not numbers too. Nothing is saved.
PROPOSAL = {
    "title": "A proposal",
    "description": "What was done.",
    "where": "Somewhere",
    "implementers": "Someone",
    "scope": "national",
    "type": "programme",
    "source_url": "https://example.org/report.pdf",
    "name": "A visitor",
    "email": "visitor@example.org",
}
REPORT = {"problem": "Wrong.", "correction": "Right.", "source": "A page.", "name": "V",
          "email": "v@example.org"}  # fmt: skip
FORM_BAD = {"long": "x" * 10_000, "nul": "a\x00b"}


def _refused(response, field: str) -> str | None:
    if response.status_code != 400:
        return f"status {response.status_code}"
    body = response.content.decode()
    if not re.search(rf'class="form-field has-error">\s*<label for="id_{field}"', body):
        return "the field's error is not shown beside it"
    return None


@pytest.mark.parametrize("kind", list(FORM_BAD))
def test_proposal_form_refuses_bad_values_field_by_field(client, settings, kind):
    settings.GFMD_SUBMISSION_RATE = "1000/hour"  # many posts from one address, on purpose
    from gfmd.curation.models import Proposal

    failures = []
    for field in [*PROPOSAL, "line_start", "line_end", "passage"]:
        data = {**PROPOSAL, field: FORM_BAD[kind]}
        if problem := _refused(client.post("/propose/", data), field):
            failures.append(f"{field}: {problem}")
    for value in ["-1", "1.5", "99999999999999999999", "abc"]:
        data = {**PROPOSAL, "document": "1", "passage": "words", "line_start": value}
        if problem := _refused(client.post("/propose/", data), "line_start"):
            failures.append(f"line_start={value}: {problem}")
    data = {**PROPOSAL, "document": "999999", "passage": "w", "line_start": "1"}
    if problem := _refused(client.post("/propose/", data), "document"):
        failures.append(f"unknown document: {problem}")
    assert failures == []
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("kind", list(FORM_BAD))
def test_problem_report_form_refuses_bad_values_field_by_field(client, settings, kind):
    settings.GFMD_SUBMISSION_RATE = "1000/hour"
    from django.contrib.contenttypes.models import ContentType

    from gfmd.curation.models import ProblemReport
    from practices.models import Practice
    from tests.factories import make_practice

    practice = make_practice()
    url = f"/report/{ContentType.objects.get_for_model(Practice).pk}/{practice.pk}/"
    failures = []
    for field in REPORT:
        data = {**REPORT, field: FORM_BAD[kind]}
        if problem := _refused(client.post(url, data), field):
            failures.append(f"{field}: {problem}")
    assert failures == []
    assert not ProblemReport.objects.exists()
