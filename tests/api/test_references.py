"""Uniform references: every nested record carries its key and its API URL; a participation has
a stable URL of its own; search hits are plain text with the highlight apart; filters take the
keys the API hands out; CSV is one row per value, with a file name."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from roundtables.models import Participation
from tests.factories import (
    curator_permissions,
    make_participation,
    make_practice,
    make_roundtable,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def nested_records(value, path=""):
    """Every dict nested below the top level of an API record, with where it was found."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield f"{path}.{key}", item
            yield from nested_records(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield path, item
            yield from nested_records(item, path)


# Nested records with no API resource of their own: keyed, with a page (or no page at all).
WITHOUT_RESOURCE = {".actors", ".topics", ".horizontal_issues", ".horizontal_issue"}

DETAILS = [
    "/api/v1/practices/malawi-health-worker-retention/",
    "/api/v1/sessions/gfmd-2007-session-1-1/",
    "/api/v1/roundtables/gfmd-2007-roundtable-1/",
    "/api/v1/meetings/gfmd-2007/",
    "/api/v1/recommendations/gfmd-2007-1-1-rec-1/",
    "/api/v1/organisations/iom/",
    "/api/v1/countries/phl/",
    "/api/v1/rcps/colombo-process/",
    "/api/v1/themes/gender/",
]


@pytest.mark.parametrize("url", DETAILS)
def test_every_nested_record_has_a_key_and_an_api_url(api, url):
    data = api.get(url).json()
    for path, record in nested_records(data):
        if path.endswith(".citations"):
            continue  # a citation is a place in a document: its `document` is checked here
        assert {"slug", "iso3", "key"} & set(record), (path, record)
        if path in WITHOUT_RESOURCE:
            continue
        assert record["url"].startswith("http://testserver/api/v1/"), (path, record)
        assert api.get(record["url"]).status_code == 200, record["url"]


def test_citation_document_is_a_reference(api):
    data = api.get("/api/v1/practices/malawi-health-worker-retention/").json()
    document = data["citations"][0]["document"]
    assert document["slug"] == "brussels-report"
    assert api.get(document["url"]).json()["slug"] == "brussels-report"


def test_participation_has_a_stable_url_from_its_natural_key(api):
    session = make_session(make_roundtable(number=7), code="7.1")
    person = make_participation(session, role="chair", name="Dr Zoë Example-Smith")
    data = api.get("/api/v1/participations/", {"session": "7.1"}).json()["results"][0]
    assert data["key"] == f"{session.slug}/chair/dr-zoe-example-smith"
    assert data["url"] == f"http://testserver/api/v1/participations/{data['key']}/"
    assert "id" not in data
    assert api.get(data["url"]).json()["name"] == "Dr Zoë Example-Smith"
    # The old URL by database id redirects to the key's URL.
    old = api.get(f"/api/v1/participations/{person.pk}/")
    assert old.status_code == 301
    assert old["Location"] == data["url"]
    gone = api.get("/api/v1/participations/99999999/")
    assert gone.status_code == 404
    assert "keyed by" in gone.json()["detail"]
    assert api.get(f"/api/v1/participations/{session.slug}/chair/nobody/").status_code == 404


def test_curated_participation_keys_are_unique():
    people = Participation.objects.select_related("session", "roundtable", "meeting")
    keys = [p.key for p in people]
    assert len(keys) == len(set(keys))


def test_a_role_in_a_part_of_a_meeting_is_keyed_by_the_meeting_and_the_part(api):
    person = (
        Participation.objects.select_related("meeting")
        .filter(meeting__isnull=False)
        .exclude(part="")
        .first()
    )
    part = person.part.lower().replace(" ", "-")
    assert person.key.startswith(f"{person.meeting.slug}/{part}/{person.role}/")
    data = api.get(f"/api/v1/participations/{person.key}/").json()
    assert data["key"] == person.key
    assert data["meeting"]["slug"] == person.meeting.slug and data["part"] == person.part
    assert data["session"] is None and data["roundtable"] is None
    # The same person under another part of the meeting is not found.
    other = f"{person.meeting.slug}/no-such-part/{person.role}/{person.key.rsplit('/', 1)[1]}"
    assert api.get(f"/api/v1/participations/{other}/").status_code == 404
    # The change log names it by the same key.
    changes = api.get("/api/v1/changes/", {"kind": "participation", "page_size": 100}).json()
    keys = {row["key"] for row in changes["results"]}
    while changes["next"]:
        changes = api.get(changes["next"]).json()
        keys |= {row["key"] for row in changes["results"]}
    assert person.key in keys


def test_search_hits_are_plain_text_with_the_highlight_apart(api):
    make_practice(title="Zyxq pilot for RCPs' <b>members</b>")
    data = api.get("/api/v1/search/", {"q": "zyxq", "kind": "practice"}).json()
    hit = data["groups"][0]["hits"][0]
    assert hit["kind"] == "practice"
    assert hit["title"] == "Zyxq pilot for RCPs' <b>members</b>"  # plain text, as entered
    assert "&#x27;" not in hit["title"] and "<mark>" not in hit["snippet"]
    assert hit["title_highlight"].startswith("<mark>Zyxq</mark> pilot for RCPs&#x27; &lt;b&gt;")
    assert hit["url"] == f"http://testserver/api/v1/practices/{hit['slug']}/"
    assert hit["web_url"] == f"http://testserver/practices/{hit['slug']}/"


def test_search_hits_of_every_kind_link_to_their_resource(api):
    data = api.get("/api/v1/search/", {"q": "philippines", "per_kind": 1}).json()
    kinds = set()
    for group in data["groups"]:
        for hit in group["hits"]:
            kinds.add(hit["kind"])
            assert api.get(hit["url"]).json().get("slug") == hit["slug"]
    assert {"practice", "country"} <= kinds


@pytest.mark.parametrize("value", ["1", "gfmd-2007-roundtable-1"])
def test_roundtable_filter_takes_number_or_slug(api, value):
    data = api.get("/api/v1/sessions/", {"roundtable": value, "page_size": 100}).json()
    assert data["count"] > 0
    assert {s["roundtable"]["slug"] for s in data["results"]} == {"gfmd-2007-roundtable-1"}


@pytest.mark.parametrize("value", ["2.1", "gfmd-2007:2.1", "gfmd-2007-session-2-1"])
def test_session_filter_takes_code_meeting_and_code_or_slug(api, value):
    data = api.get("/api/v1/recommendations/", {"session": value, "page_size": 100}).json()
    assert data["count"] > 0
    assert {r["session"]["slug"] for r in data["results"]} == {"gfmd-2007-session-2-1"}


def test_session_filter_names_an_unknown_meeting(api):
    response = api.get("/api/v1/practices/", {"session": "gfmd-2099:2.1"})
    assert response.status_code == 400
    assert "gfmd-2007:1.1" in response.json()["session"][0]


def test_practice_outcomes_not_results(api):
    practice = make_practice(results="Zyxq outcome text.")
    data = api.get(f"/api/v1/practices/{practice.slug}/").json()
    assert data["outcomes"] == "Zyxq outcome text."
    assert "results" not in data


def test_practice_outcomes_are_written_under_their_api_name(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.set(curator_permissions())
    client = APIClient()
    client.force_authenticate(user)
    practice = make_practice()
    response = client.patch(
        f"/api/v1/practices/{practice.slug}/",
        {"outcomes": "Zyxq new outcome.", "version": practice.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    practice.refresh_from_db()
    assert practice.results == "Zyxq new outcome."


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_downloads_have_a_filename(api):
    response = api.get("/api/v1/practices/", {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'
    response = api.get("/api/v1/practices/facets/", {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="practices-facets.csv"'


def test_facets_csv_is_one_row_per_value(api):
    rows = csv_rows(api.get("/api/v1/practices/facets/", {"format": "csv", "scope": "bilateral"}))
    facets = api.get("/api/v1/practices/facets/", {"scope": "bilateral"}).json()
    assert len(rows) == sum(len(facet["values"]) for facet in facets)
    # The facets are disjunctive: the scope facet still lists every scope, the chosen one
    # selected, each value with the count of the JSON answer.
    scope = [row for row in rows if row["facet"] == "scope"]
    values = facets[[f["name"] for f in facets].index("scope")]["values"]
    assert scope == [
        {
            "facet": "scope",
            "facet_label": "Scope",
            "value": value["value"],
            "label": value["label"],
            "count": str(value["count"]),
            "selected": str(value["selected"]),
        }
        for value in values
    ]
    assert [row["value"] for row in scope if row["selected"] == "True"] == ["bilateral"]


def test_search_csv_is_one_row_per_hit(api):
    data = api.get("/api/v1/search/", {"q": "remittances", "per_kind": 3}).json()
    rows = csv_rows(
        api.get("/api/v1/search/", {"q": "remittances", "per_kind": 3, "format": "csv"})
    )
    assert len(rows) == sum(len(group["hits"]) for group in data["groups"])
    assert {"kind", "slug", "title", "url", "web_url"} <= set(rows[0])


def test_bilateral_practices_in_asia_as_csv(api):
    """A newcomer's journey from the README: bilateral practices in Asia, as a spreadsheet."""
    response = api.get(
        "/api/v1/practices/", {"scope": "bilateral", "region": "asia", "format": "csv"}
    )
    rows = csv_rows(response)
    count = api.get("/api/v1/practices/", {"scope": "bilateral", "region": "asia"}).json()["count"]
    assert len(rows) == count > 0
    for row in rows:
        assert row["scope"] == "bilateral"
        assert "asia" in row["regions"].split("; ")
        assert int(row["citation_count"]) >= 1
    assert "organisations" in rows[0]
