"""Drafts and review: new practices start as drafts, only published ones are public, and where
review is required a second curator publishes."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gfmd.lib import review
from practices.models import Practice, Status
from tests.factories import curator_permissions, make_practice, make_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def curators():
    users = get_user_model().objects
    return (
        users.create_superuser("first", "first@example.org", "pw"),
        users.create_superuser("second", "second@example.org", "pw"),
    )


def test_new_practice_in_the_admin_starts_as_a_draft(staff_client):
    theme = make_theme()
    response = staff_client.post(
        "/admin/practices/practice/add/",
        {
            "title": "Drafted practice",
            "slug": "drafted-practice",
            "summary": "A summary.",
            "scope": "national",
            "type": "programme",
            "themes": [theme.pk],
            "gfmd-citation-content_type-object_id-TOTAL_FORMS": "0",
            "gfmd-citation-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    practice = Practice.objects.get(slug="drafted-practice")
    assert practice.status == Status.DRAFT
    assert not Practice.objects.published().filter(pk=practice.pk).exists()


def test_api_create_makes_a_draft_and_cannot_publish(django_user_model):
    user = django_user_model.objects.create_user("api", password="pw", is_staff=True)
    user.user_permissions.set(curator_permissions())  # the API asks for model permissions
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    theme = make_theme()
    response = api.post(
        "/api/v1/practices/",
        {
            "title": "From the API",
            "slug": "from-the-api",
            "summary": "A summary.",
            "scope": "national",
            "type": "programme",
            "themes": [theme.slug],
            "status": "published",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Practice.objects.get(slug="from-the-api").status == Status.DRAFT
    assert APIClient().get("/api/v1/practices/from-the-api/").status_code == 404


def test_draft_is_hidden_from_visitors_and_shown_to_curators_with_a_banner(staff_client):
    client = Client()  # a visitor: `client` is the fixture staff_client signs in
    practice = make_practice(status=Status.DRAFT, title="Hidden draft")
    assert client.get(practice.get_absolute_url()).status_code == 404
    assert "Hidden draft" not in client.get("/practices/?q=Hidden").content.decode()
    page = staff_client.get(practice.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "only curators see this page" in body and "Edit in admin" in body


def test_visitors_see_no_edit_link(client):
    practice = make_practice()
    body = client.get(practice.get_absolute_url()).content.decode()
    assert "Edit in admin" not in body and "curator-bar" not in body


def test_publishing_needs_a_second_curator_where_review_is_required(settings, curators):
    settings.GFMD_REVIEW_REQUIRED = True
    first, second = curators
    practice = make_practice(status=Status.DRAFT)
    with pytest.raises(review.ReviewRefused, match="sent for review"):
        review.record_publish(record=practice, user=first)
    practice = review.record_submit(record=practice, user=first)
    assert practice.status == Status.REVIEW
    with pytest.raises(review.ReviewRefused, match="another curator must approve"):
        review.record_publish(record=practice, user=first)
    practice = review.record_publish(record=practice, user=second)
    assert practice.status == Status.PUBLISHED
    assert Practice.objects.published().filter(pk=practice.pk).exists()
    reasons = list(practice.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Approved", "Sent for review"]


def test_without_review_a_curator_publishes_a_draft(settings, curators):
    settings.GFMD_REVIEW_REQUIRED = False
    practice = make_practice(status=Status.DRAFT)
    assert review.record_publish(record=practice, user=curators[0]).status == Status.PUBLISHED


def test_review_queue_counts_and_actions_in_the_admin(settings, client, curators):
    settings.GFMD_REVIEW_REQUIRED = True
    first, second = curators
    practice = make_practice(status=Status.DRAFT)
    client.force_login(first)
    url = "/admin/practices/practice/"
    client.post(url, {"action": "submit_for_review", "_selected_action": [practice.pk]})
    page = client.get(url + "?status__exact=review")
    assert "1 in review" in page.content.decode()
    client.post(url, {"action": "approve_and_publish", "_selected_action": [practice.pk]})
    practice.refresh_from_db()
    assert practice.status == Status.REVIEW  # the sender cannot approve
    client.force_login(second)
    client.post(url, {"action": "approve_and_publish", "_selected_action": [practice.pk]})
    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED
