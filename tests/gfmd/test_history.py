"""Complete history: relations, citations and reasons in every version; revert in the admin and
the API; deleted records listed and restored with their relations and citations."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gfmd.lib.history import record_snapshot
from gfmd.models import Citation
from practices.models import Practice
from tests.factories import (
    curator_permissions,
    make_citation,
    make_country,
    make_practice,
    make_theme,
)
from tests.gfmd.test_locking import change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    """A practice written the way every write path leaves it: its history row knows its
    relations and its citation."""
    practice = make_practice(title="Original title", themes=[make_theme(name="Old theme")])
    practice.countries.set([make_country(name="Oldland")])
    make_citation(practice, locator="Original locator")
    record_snapshot(practice)
    return practice


def admin_url(practice, view="change"):
    return f"/admin/practices/practice/{practice.pk}/{view}/"


def edit_in_admin(client, practice, reason="", **changes):
    """Post the admin change form with `changes`; themes and countries as lists of ids."""
    data = change_form(client, practice)
    for name, value in changes.items():
        data[name] = value
    data["change_reason"] = reason
    response = client.post(admin_url(practice), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    practice.refresh_from_db()
    return practice


def citation_key(data, field, index=0):
    """The name of a field of the inline citation form (a generic inline has a long prefix)."""
    return next(k for k in data if k.endswith(f"-{index}-{field}"))


def history_row(practice, version):
    return practice.history.filter(version=version).order_by("-history_date").first()


def test_relation_and_citation_changes_are_in_the_history_with_the_reason(staff_client, practice):
    new_theme = make_theme(name="New theme")
    data = change_form(staff_client, practice)
    data["themes"] = [new_theme.pk]
    data[citation_key(data, "locator")] = "Corrected locator"
    data["change_reason"] = "Theme and locator corrected from the report"
    response = staff_client.post(admin_url(practice), data)
    assert response.status_code == 302
    row = history_row(practice, 2)
    assert row.history_change_reason == "Theme and locator corrected from the report"
    assert row.history_user.username == "curator"
    assert row.relations["themes"] == [new_theme.pk]
    assert row.relations["citations"][0]["locator"] == "Corrected locator"

    body = staff_client.get(admin_url(practice, "history")).content.decode()
    assert "Theme and locator corrected from the report" in body
    assert "added New theme" in body and "removed Old theme" in body
    assert "added Corrected locator" in body and "removed Original locator" in body


def test_admin_form_has_title_and_summary_first_and_a_change_reason(staff_client, practice):
    form = staff_client.get(admin_url(practice)).context["adminform"].form
    names = list(staff_client.get(admin_url(practice)).context["adminform"].form.fields)
    fieldset = staff_client.get(admin_url(practice)).context["adminform"].fieldsets[0][1]
    assert fieldset["fields"][:2] == ["title", "slug"]
    assert fieldset["fields"][2] == "summary"
    assert fieldset["fields"][-2:] == ["curator_note", "change_reason"]
    assert "change_reason" in names and form.fields["change_reason"].required is False


def test_admin_revert_restores_fields_relations_and_citations_as_a_new_version(
    staff_client, practice
):
    old_theme = practice.themes.get()
    old_country = practice.countries.get()
    data = change_form(staff_client, practice)
    data.update(title="Edited title", themes=[make_theme().pk], countries=[make_country().pk])
    data[citation_key(data, "id").replace("-id", "-DELETE")] = "on"
    assert staff_client.post(admin_url(practice), data).status_code == 302
    practice.refresh_from_db()
    assert practice.version == 2 and not practice.citations.exists()

    revert_url = admin_url(practice, f"history/{history_row(practice, 1).history_id}")
    page = staff_client.get(revert_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Edited title" in body and "Original title" in body  # what the revert changes
    data = {"loaded_version": page.context["form"]["loaded_version"].value()}
    data["change_reason"] = "The edit was wrong"
    response = staff_client.post(revert_url, data)
    assert response.status_code == 302

    practice.refresh_from_db()
    assert practice.version == 3
    assert practice.title == "Original title"
    assert list(practice.themes.all()) == [old_theme]
    assert list(practice.countries.all()) == [old_country]
    assert list(practice.citations.values_list("locator", flat=True)) == ["Original locator"]
    row = history_row(practice, 3)
    assert row.history_change_reason == "The edit was wrong"
    assert row.relations["themes"] == [old_theme.pk]


def test_admin_revert_is_refused_when_someone_else_saved_in_between(staff_client, practice):
    edit_in_admin(staff_client, practice, title="Second version")
    revert_url = admin_url(practice, f"history/{history_row(practice, 1).history_id}")
    page = staff_client.get(revert_url)
    loaded = page.context["form"]["loaded_version"].value()
    assert loaded == 2

    practice.title = "Saved by another curator meanwhile"
    practice.save()

    response = staff_client.post(revert_url, {"loaded_version": loaded})
    assert response.status_code == 409
    body = response.content.decode()
    assert "while you were editing it" in body and "version 2 is now 3" in body
    practice.refresh_from_db()
    assert practice.title == "Saved by another curator meanwhile" and practice.version == 3


@pytest.fixture
def staff_api(django_user_model):
    user = django_user_model.objects.create_user("api-curator", password="pw", is_staff=True)
    user.user_permissions.set(curator_permissions())  # the API asks for model permissions
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_write_keeps_its_reason_and_user(staff_api, practice):
    url = f"/api/v1/practices/{practice.slug}/"
    response = staff_api.patch(
        url, {"title": "Via the API", "version": 1, "change_reason": "Typo"}, format="json"
    )
    assert response.status_code == 200, response.json()
    row = history_row(practice, 2)
    assert (row.history_change_reason, row.history_user.username) == ("Typo", "api-curator")
    too_long = staff_api.patch(
        url, {"title": "X", "version": 2, "change_reason": "x" * 101}, format="json"
    )
    assert too_long.status_code == 400 and "change_reason" in too_long.json()


def test_api_revert_restores_the_old_version_and_refuses_a_stale_one(staff_api, practice):
    url = f"/api/v1/practices/{practice.slug}/"
    theme = practice.themes.get()
    other = make_theme()
    response = staff_api.patch(
        url, {"title": "Changed", "themes": [other.slug], "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()

    stale = staff_api.post(url + "revert/", {"to_version": 1, "version": 1}, format="json")
    assert stale.status_code == 409
    assert "version 1 is now 2" in stale.json()["detail"]

    missing = staff_api.post(url + "revert/", {"to_version": 9, "version": 2}, format="json")
    assert missing.status_code == 400 and "no version 9" in missing.json()["detail"]

    ok = staff_api.post(
        url + "revert/", {"to_version": 1, "version": 2, "change_reason": "Undo"}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == 3
    practice.refresh_from_db()
    assert practice.title == "Original title" and list(practice.themes.all()) == [theme]
    assert history_row(practice, 3).history_change_reason == "Undo"

    anonymous = APIClient().post(url + "revert/", {"to_version": 1, "version": 3}, format="json")
    assert anonymous.status_code in (401, 403)


def test_delete_page_names_the_links_it_removes(staff_client, practice):
    body = staff_client.get(admin_url(practice, "delete")).content.decode()
    assert "Country link: Oldland" in body
    assert "Theme link: Old theme" in body
    assert "_countries object" not in body


def test_deleted_practice_is_restored_with_its_relations_and_citations(staff_client, practice):
    pk, themes, countries = practice.pk, list(practice.themes.all()), list(practice.countries.all())
    response = staff_client.post(admin_url(practice, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Practice.objects.filter(pk=pk).exists()
    assert not Citation.objects.filter(object_id=pk, locator="Original locator").exists()

    listing = staff_client.get("/admin/practices/practice/deleted/")
    assert "Original title" in listing.content.decode()
    row = Practice.history.get(id=pk, history_type="-")
    response = staff_client.post(f"/admin/practices/practice/deleted/{row.history_id}/restore/")
    assert response.status_code == 302

    restored = Practice.objects.get(pk=pk)
    assert restored.title == "Original title" and restored.version == 2
    assert list(restored.themes.all()) == themes
    assert list(restored.countries.all()) == countries
    assert list(restored.citations.values_list("locator", flat=True)) == ["Original locator"]
    assert not staff_client.get("/admin/practices/practice/deleted/").context["rows"]
    again = staff_client.post(f"/admin/practices/practice/deleted/{row.history_id}/restore/")
    assert again.status_code == 302  # refused with a message: it exists already
    assert Practice.objects.filter(pk=pk).count() == 1


def test_start_year_cannot_be_in_the_future(staff_client, practice):
    data = change_form(staff_client, practice)
    data["start_year"] = timezone.now().year + 1
    response = staff_client.post(admin_url(practice), data)
    assert response.status_code == 200
    assert "cannot be after this year" in response.content.decode()
