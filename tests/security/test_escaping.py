"""Everything a curator types is shown as text: HTML-escaped on pages, in the admin and in the
browsable API, returned as data by the JSON API, and as plain (formula-safe) cells in CSV.

Script payloads are stored in every text field of a practice, a session with a participation and a
recommendation, an RCP, an organisation, a theme, an actor and their citations, straight through
the ORM (as a careless import or a compromised curator account would), then every page that
shows them is fetched.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.views import APIView

from gfmd.models import Citation, Organisation
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import Actor, Participation, Recommendation, Session
from tests.factories import make_country, make_meeting, make_roundtable, make_source

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# "zyxxq" makes the records easy to search for; no curated text has it.
BOTH = f"zyxxq {SCRIPT} {IMG}"
SHORT = "<u>z9</u>"  # for fields too short for the others
JS_URL = f"javascript:alert(1)//{IMG}"
# What must never reach an HTML page as markup.
RAW = ["<script>alert(1)", "<img src=x onerror", "<u>z9</u>", 'href="javascript:']
# What shows that the page did display the payload, escaped.
ESCAPED = ["&lt;script&gt;alert(1)", "&lt;img src=x onerror=alert(1)&gt;"]
FORMULAS = ['=HYPERLINK("http://evil.example/","click")', "+1+1", "-2+3", "@SUM(A1:A2)"]


def payload(field) -> str | None:
    """The longest payload that fits the field (varchar columns refuse longer text)."""
    if isinstance(field, models.URLField):
        return JS_URL
    for text in (BOTH, IMG, SCRIPT, SHORT):
        if field.max_length is None or len(text) <= field.max_length:
            return text
    return None


def fill(instance, **values):
    """Every free-text field of `instance` gets a payload; `values` set the rest."""
    for field in instance._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.SlugField)
            and not field.choices
            and field.name not in values
        ):
            text = payload(field)
            if text is not None:
                setattr(instance, field.name, text)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def cite(record, document):
    return fill(Citation(target=record, document=document, line_start=1, line_end=1))


@pytest.fixture
def records():
    # The records around them are the test's own too, so the pages of a meeting, a roundtable and
    # a country show what is typed here (a user-assigned ISO code: no real country has it).
    country = make_country(iso3="XSS", iso2="XS", slug="xss-country")
    meeting = make_meeting(slug="xss-meeting")
    roundtable = make_roundtable(meeting, number=1, slug="xss-roundtable")
    document = make_source()
    theme = fill(Theme(), slug="xss-theme", kind="topic", order=0)
    organisation = fill(Organisation(), slug="xss-org", kind="other", country=country)
    rcp = fill(RCP(), slug="xss-rcp", region="africa")
    rcp.members.set([country])
    rcp.supporting_organisations.set([organisation])
    session = fill(
        Session(), meeting=meeting, roundtable=roundtable, code="1.99", slug="xss-session", order=99
    )
    session.themes.set([theme])
    participation = fill(
        Participation(), session=session, role="chair", country=country, organisation=organisation
    )
    actor = fill(Actor(), slug="xss-actor", organisation=organisation)
    recommendation = fill(Recommendation(), session=session, slug="xss-rec", position=1)
    recommendation.themes.set([theme])
    recommendation.actors.set([actor])
    practice = fill(Practice(), slug="xss-practice", scope="national", type="policy")
    practice.themes.set([theme])
    practice.countries.set([country])
    practice.organisations.set([organisation])
    practice.sessions.set([session])
    practice.rcps.set([rcp])
    for number, (title, summary) in enumerate([FORMULAS[:2], FORMULAS[2:]]):
        formula = Practice.objects.create(
            slug=f"formula-practice-{number}",
            title=title,
            summary=summary,
            scope="national",
            type="policy",
        )
        formula.themes.set([theme])
    found = [theme, organisation, rcp, session, participation, actor, recommendation, practice]
    for record in found:
        cite(record, document)
    return {type(record).__name__.lower(): record for record in found}


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    monkeypatch.setattr(APIView, "throttle_classes", [])


def unescaped(body: str) -> list[str]:
    return [raw for raw in RAW if raw.lower() in body.lower()]


def check_html(client, url: str) -> list[str]:
    response = client.get(url)
    if response.status_code != 200:
        return [f"{url}: status {response.status_code}"]
    body = response.content.decode()
    problems = [f"{url}: unescaped {raw!r}" for raw in unescaped(body)]
    if not any(text in body for text in ESCAPED):
        problems.append(f"{url}: the payload is not shown, so the page proves nothing")
    return problems


PAGES = [
    "/",
    "/practices/?ordering=-title",
    "/practices/?q=zyxxq",
    "/practices/?theme=xss-theme",
    "/practices/?rcp=xss-rcp",
    "/practices/?session=1.99",
    "/practices/?country=XSS&ordering=-title",
    "/practices/xss-practice/",
    "/themes/",
    "/themes/xss-theme/",
    "/search/?q=zyxxq",
    "/sessions/xss-session/",
    "/meetings/xss-meeting/",
    "/roundtables/xss-roundtable/",
    "/recommendations/?session=1.99",
    "/recommendations/?theme=xss-theme",
    "/recommendations/?actor=xss-actor",
    "/recommendations/?q=zyxxq",
    "/recommendations/xss-rec/",
    "/rcps/",
    "/rcps/?q=zyxxq",
    "/rcps/xss-rcp/",
    "/countries/xss/",
    "/organisations/",
    "/organisations/xss-org/",
]


def test_pages_escape_what_curators_type(client, records):
    pages = list(PAGES)
    try:
        pages.append(reverse("overview"))
    except NoReverseMatch:
        pass
    problems = [problem for url in pages for problem in check_html(client, url)]
    assert problems == []


def admin_urls(records) -> list[str]:
    urls = []
    citations = Citation.objects.filter(excerpt=BOTH)
    for record in [*records.values(), *citations]:
        meta = record._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        urls += [f"{base}{record.pk}/change/", f"{base}?q=zyxxq", f"{base}{record.pk}/delete/"]
        urls.append(f"{base}{record.pk}/history/")
        if has_search_vector(record):  # see test_admin_revert_page_of_a_record_without_search
            history = record.history.order_by("history_id").first()
            urls.append(f"{base}{record.pk}/history/{history.history_id}/")
    return urls


def has_search_vector(record) -> bool:
    return any(field.name == "search" for field in record._meta.get_fields())


def test_admin_escapes_what_curators_type(staff_client, records):
    problems = []
    for url in admin_urls(records):
        response = staff_client.get(url)
        body = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
        problems += [f"{url}: unescaped {raw!r}" for raw in unescaped(body)]
        if not any(text in body for text in ESCAPED):
            problems.append(f"{url}: the payload is not shown")
    assert problems == []


def test_admin_revert_page_of_a_record_without_search(staff_client, records):
    theme = records["theme"]
    history = theme.history.order_by("history_id").first()
    url = f"/admin/practices/theme/{theme.pk}/history/{history.history_id}/"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert unescaped(response.content.decode()) == []


def api_urls(records) -> list[str]:
    return [
        "/api/v1/practices/?q=zyxxq",
        "/api/v1/practices/xss-practice/",
        "/api/v1/sessions/?q=zyxxq",
        "/api/v1/sessions/xss-session/",
        "/api/v1/participations/?session=1.99",
        f"/api/v1/participations/{records['participation'].key}/",
        "/api/v1/recommendations/?session=1.99",
        "/api/v1/recommendations/xss-rec/",
        "/api/v1/rcps/?q=zyxxq",
        "/api/v1/rcps/xss-rcp/",
        "/api/v1/organisations/?q=zyxxq",
        "/api/v1/organisations/xss-org/",
        "/api/v1/themes/",
        "/api/v1/themes/xss-theme/",
        "/api/v1/countries/xss/",
    ]


@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "staff"])
def test_browsable_api_escapes_what_curators_type(client, staff_client, records, staff):
    """Staff also get the browsable API's edit forms, filled with the stored values."""
    browser = staff_client if staff else client
    problems = []
    for url in api_urls(records):
        url = f"{url}{'&' if '?' in url else '?'}format=api"
        response = browser.get(url)
        body = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
        problems += [f"{url}: unescaped {raw!r}" for raw in unescaped(body)]
        if not any(text in body for text in ESCAPED):
            problems.append(f"{url}: the payload is not shown")
    assert problems == []


def strings(data) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(strings(value) for value in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(strings(value) for value in data)) if data else set()
    return {data} if isinstance(data, str) else set()


def test_json_api_returns_the_text_as_data(client, records):
    problems = []
    for url in api_urls(records):
        response = client.get(url)
        if not response["Content-Type"].startswith("application/json"):
            problems.append(f"{url}: served as {response['Content-Type']}")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{url}: a browser may sniff it as HTML")
        if not ({BOTH, IMG, SCRIPT} & strings(json.loads(response.content))):
            problems.append(f"{url}: the stored text is not returned as it was stored")
        if "&lt;" in response.content.decode():
            problems.append(f"{url}: HTML-escaped inside JSON")
    assert problems == []


def test_search_api_snippets_are_html_with_the_text_escaped(client, records):
    """The highlights of search hits are HTML, with the matches in <mark>: the text around them
    is escaped, so a client can show them as HTML and a typed '<mark>' stays text. The plain
    `title` and `snippet` are the text as data, like every other JSON field."""
    response = client.get("/api/v1/search/?q=zyxxq&format=api")
    assert response.status_code == 200
    assert unescaped(response.content.decode()) == []
    hits = [
        hit
        for group in client.get("/api/v1/search/?q=zyxxq").json()["groups"]
        for hit in group["hits"]
    ]
    assert hits
    for hit in hits:
        assert hit["title_highlight"].startswith("<mark>zyxxq</mark> &lt;script&gt;alert(1)"), hit
        assert SCRIPT not in hit["title_highlight"] + hit["snippet_highlight"]
        assert "<mark>" not in hit["title"] and "&lt;" not in hit["title"] + hit["snippet"]


def csv_cells(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return [cell for row in rows[1:] for cell in row]


CSV_LISTS = [
    "/api/v1/practices/",
    "/api/v1/sessions/",
    "/api/v1/participations/",
    "/api/v1/recommendations/",
    "/api/v1/rcps/",
    "/api/v1/organisations/",
    "/api/v1/themes/",
]


@pytest.mark.parametrize("url", CSV_LISTS)
def test_csv_cells_hold_the_text_as_plain_text(client, records, url):
    cells = csv_cells(client, f"{url}?format=csv")
    assert {BOTH, IMG, SCRIPT} & set(cells), "the stored text is not in the CSV as stored"


def test_csv_neutralises_formulas(client, records):
    cells = csv_cells(client, "/api/v1/practices/?format=csv")
    for formula in FORMULAS:
        assert f"'{formula}" in cells, formula
        assert formula not in cells, formula


@pytest.mark.parametrize("prefix", ["\t", "\r"])
def test_csv_neutralises_formulas_behind_a_tab_or_carriage_return(client, records, prefix):
    Practice.objects.filter(slug="formula-practice-0").update(title=f"{prefix}=1+1")
    cells = csv_cells(client, "/api/v1/practices/?format=csv")
    assert f"'{prefix}=1+1" in cells


# The public's forms (gfmd.curation): what a visitor types is shown escaped when the form comes
# back with an error, in the curators' queue, and a change reason on a record's public page.
def test_public_forms_escape_what_visitors_type(client, staff_client):
    from django.contrib.contenttypes.models import ContentType

    from gfmd.curation.models import ProblemReport, Proposal
    from practices.models import Practice
    from tests.factories import make_practice

    fields = {"title": BOTH, "description": BOTH, "where": BOTH, "implementers": BOTH,
              "passage": BOTH, "name": BOTH}  # fmt: skip
    visitor = Client()
    refused = visitor.post("/propose/", {**fields, "email": "bad", "source_url": JS_URL})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert unescaped(body) == [] and any(text in body for text in ESCAPED)

    accepted = visitor.post(
        "/propose/",
        {
            **fields,
            "email": "v@example.org",
            "scope": "national",
            "type": "programme",
            "source_url": "https://example.org/x",
        },  # fmt: skip
    )
    assert accepted.status_code == 302
    practice = make_practice()
    report_url = f"/report/{ContentType.objects.get_for_model(Practice).pk}/{practice.pk}/"
    sent = visitor.post(
        report_url,
        {"problem": BOTH, "correction": BOTH, "source": BOTH, "name": BOTH, "email": "v@e.org"},
    )
    assert sent.status_code == 302
    proposal, report = Proposal.objects.get(), ProblemReport.objects.get()
    for url in [
        "/admin/curation/proposal/",
        f"/admin/curation/proposal/{proposal.pk}/change/",
        f"/admin/curation/problemreport/{report.pk}/change/",
        sent["Location"],
    ]:
        page = staff_client.get(url)
        assert page.status_code == 200, url
        assert unescaped(page.content.decode()) == [], url


def test_a_change_reason_is_escaped_on_the_public_page(client):
    from gfmd.lib.history import record_snapshot
    from tests.factories import make_practice

    practice = make_practice()
    record_snapshot(practice, reason=BOTH[:100])
    body = Client().get(practice.get_absolute_url()).content.decode()
    assert unescaped(body) == [] and "&lt;script&gt;alert(1)" in body
