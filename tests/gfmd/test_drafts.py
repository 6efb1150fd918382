"""Drafts and review of every kind a curator adds: a new record is a draft, visitors never see
it (its page, the lists, the pages of the records it links to, search, facets, feeds, the
sitemap, the API, the change log, the data package), curators see it with a banner, and where
review is required a second curator publishes it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gfmd.curation.datapackage import export_datapackage
from gfmd.lib import review
from gfmd.lib.review import Status
from gfmd.models import Organisation
from roundtables.models import Topic
from tests import factories as f

pytestmark = pytest.mark.django_db

MARK = "Zyxwvdraftmarker"  # one word no real record uses


def _context():
    """Published records a draft links to, or that link to it."""
    theme = f.make_theme()
    meeting = f.make_meeting()
    roundtable = f.make_roundtable(meeting)
    session = f.make_session(roundtable, themes=[theme])
    organisation = f.make_organisation()
    rcp = f.make_rcp()
    practice = f.make_practice(
        themes=[theme], sessions=[session], organisations=[organisation], rcps=[rcp]
    )
    return {
        "theme": theme,
        "meeting": meeting,
        "roundtable": roundtable,
        "session": session,
        "organisation": organisation,
        "rcp": rcp,
        "practice": practice,
    }


def _draft(kind: str, ctx: dict):
    """A draft of `kind` named with the marker, linked to the published records of `ctx`."""
    draft = {"status": Status.DRAFT}
    name = f"{MARK} {kind}"
    if kind == "recommendation":
        record = f.make_recommendation(
            ctx["session"], themes=[ctx["theme"]], title=name, review_status=Status.DRAFT
        )
    elif kind == "session":
        record = f.make_session(ctx["roundtable"], themes=[ctx["theme"]], title=name, **draft)
        ctx["practice"].sessions.add(record)
    elif kind == "roundtable":
        record = f.make_roundtable(ctx["meeting"], title=name, **draft)
    elif kind == "meeting":
        record = f.make_meeting(title=name, **draft)
    elif kind == "topic":
        record = Topic.objects.create(
            meeting=ctx["meeting"], slug="draft-topic", title=name, summary="A topic.", **draft
        )
    elif kind == "horizontal_issue":
        record = f.make_horizontal_issue(ctx["meeting"], title=name, **draft)
    elif kind == "rcp":
        record = f.make_rcp(name=name, acronym="ZYXW", **draft)
        ctx["practice"].rcps.add(record)
    elif kind == "organisation":
        record = f.make_organisation(name=name, acronym="ZYXWO", **draft)
        ctx["practice"].organisations.add(record)
    elif kind == "theme":
        record = f.make_theme(name=name, parent=ctx["theme"], **draft)
        ctx["practice"].themes.add(record)
    elif kind == "practice":
        record = f.make_practice(
            themes=[ctx["theme"]], sessions=[ctx["session"]], title=name, **draft
        )
    else:
        raise AssertionError(kind)
    return record


KINDS = [
    "recommendation",
    "session",
    "roundtable",
    "meeting",
    "topic",
    "horizontal_issue",
    "rcp",
    "organisation",
    "theme",
    "practice",
]

PUBLIC_PAGES = [
    "/",
    "/practices/",
    "/recommendations/",
    "/rcps/",
    "/meetings/",
    "/themes/",
    "/organisations/",
    "/overview/",
    f"/search/?q={MARK}",
    "/feeds/practices/",
    "/feeds/recommendations/",
    "/feeds/rcps/",
    f"/feeds/search/?q={MARK}",
    "/sitemap.xml",
    "/feeds/organisations/",
    "/feeds/meetings/",
    "/feeds/themes/",
    "/api/v1/practices/",
    "/api/v1/practices/facets/",
    "/api/v1/recommendations/",
    "/api/v1/sessions/",
    "/api/v1/roundtables/",
    "/api/v1/meetings/",
    "/api/v1/rcps/",
    "/api/v1/organisations/",
    "/api/v1/themes/",
    f"/api/v1/search/?q={MARK}",
    "/api/v1/changes/",
    "/api/v1/practices/?format=csv",
    "/api/v1/recommendations/?format=csv",
]


def _api_detail(record) -> str:
    name = record._meta.model_name
    return f"/api/v1/{name}s/{record.slug}/"


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_of_every_kind_is_hidden_from_visitors(kind, tmp_path):
    ctx = _context()
    record = _draft(kind, ctx)
    visitor = Client()
    assert visitor.get(record.get_absolute_url()).status_code == 404
    if kind not in {"topic", "horizontal_issue"}:  # no API resource of their own
        assert visitor.get(_api_detail(record)).status_code == 404
    related = [ctx[name].get_absolute_url() for name in ctx]
    if kind in {"theme", "rcp", "meeting", "session"}:  # a draft is no value to filter by
        filtered = visitor.get(f"/practices/?{kind}={record.slug}")
        assert filtered.status_code == 400 and MARK not in filtered.content.decode()
    related += [_api_detail(ctx[name]) for name in ctx]
    for url in PUBLIC_PAGES + related:
        response = visitor.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert record.get_absolute_url() not in text, f"{kind} draft linked at {url}"
        if MARK not in url:  # a search page repeats its query
            assert MARK not in text, f"{kind} draft shown at {url}"
    export_datapackage(tmp_path)
    for path in tmp_path.glob("*.csv"):
        assert MARK not in path.read_text(), f"{kind} draft exported in {path.name}"


@pytest.mark.parametrize("kind", KINDS)
def test_curators_see_a_draft_with_a_banner(kind, staff_client):
    record = _draft(kind, _context())
    page = staff_client.get(record.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert MARK in body and "only curators see this page" in body


@pytest.fixture
def curators():
    users = get_user_model().objects
    return (
        users.create_superuser("first", "first@example.org", "pw"),
        users.create_superuser("second", "second@example.org", "pw"),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_publishing_a_draft_takes_a_second_curator(kind, settings, curators):
    settings.GFMD_REVIEW_REQUIRED = True
    first, second = curators
    record = _draft(kind, _context())
    record = review.record_submit(record=record, user=first)
    with pytest.raises(review.ReviewRefused, match="another curator must approve"):
        review.record_publish(record=record, user=first)
    record = review.record_publish(record=record, user=second)
    assert record.is_published
    assert Client().get(record.get_absolute_url()).status_code == 200


ADMIN_ADD = {
    "organisation": (
        "/admin/gfmd/organisation/add/",
        {"name": f"{MARK} body", "slug": "draft-body", "kind": "igo"},
    ),
    "rcp": (
        "/admin/rcps/rcp/add/",
        {
            "name": f"{MARK} process",
            "slug": "draft-process",
            "region": "africa",
            "md_engagement": "priority",
            "questionnaire": "returned",
            "narrative": "A process.",
        },
    ),
    "meeting": (
        "/admin/roundtables/meeting/add/",
        {
            "title": f"{MARK} meeting",
            "slug": "draft-meeting",
            "kind": "gfmd",
            "summary": "A meeting.",
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(ADMIN_ADD))
def test_a_record_added_in_the_admin_starts_as_a_draft(kind, staff_client):
    url, data = ADMIN_ADD[kind]
    form = staff_client.get(url).context["adminform"].form
    post = {}
    post.update(data)
    for prefix in ("gfmd-citation-content_type-object_id", "participations"):
        post[f"{prefix}-TOTAL_FORMS"] = "0"
        post[f"{prefix}-INITIAL_FORMS"] = "0"
    response = staff_client.post(url, post)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model = form._meta.model
    record = model.objects.get(slug=data["slug"])
    assert record.review_state == Status.DRAFT
    assert not model.objects.published().filter(pk=record.pk).exists()


def test_a_record_created_through_the_api_is_a_draft(django_user_model):
    user = django_user_model.objects.create_user("api", password="pw", is_staff=True)
    user.user_permissions.set(f.curator_permissions())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = api.post(
        "/api/v1/organisations/",
        {"name": "From the API", "slug": "from-the-api", "kind": "igo", "status": "published"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Organisation.objects.get(slug="from-the-api").status == Status.DRAFT
    assert APIClient().get("/api/v1/organisations/from-the-api/").status_code == 404
    assert api.get("/api/v1/organisations/from-the-api/").status_code == 200


def test_the_admin_index_lists_the_review_queue_of_every_kind(staff_client):
    ctx = _context()
    for kind in ("recommendation", "rcp", "organisation"):
        _draft(kind, ctx)
    body = staff_client.get("/admin/").content.decode()
    queue = body[body.index('id="review-queue"') :]
    queue = queue[: queue.index("</table>")]
    for name in ("Recommendations", "Rcps", "Organisations", "Practices", "Sessions"):
        assert name.lower() in queue.lower(), name
    assert "?review_status__exact=draft" in queue


def test_reverting_to_a_published_version_keeps_a_draft_a_draft(curators):
    from gfmd.lib.history import revert_record

    first, _ = curators
    record = f.make_rcp(name="Reverted process")  # version 1: published
    record = review.record_unpublish(record=record, user=first)  # version 2: a draft
    outcome = revert_record(
        type(record), record.pk, to_version=1, loaded_version=record.version, user=first
    )
    outcome.instance.refresh_from_db()
    assert outcome.instance.version == 3 and outcome.instance.status == Status.DRAFT
