"""API writes: each needs the model's permission, as in the admin; each is one transaction, so a
write the database refuses halfway leaves nothing behind and answers with a clear JSON error."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.test import APIClient

from practices.models import Practice
from tests.factories import curator_permissions, make_practice, make_theme

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def practice():
    return make_practice(themes=[make_theme()])


def test_staff_without_model_permissions_cannot_write(django_user_model, practice):
    user = django_user_model.objects.create_user("bare-staff", password="pw", is_staff=True)
    api = client_for(user)
    url = f"/api/v1/practices/{practice.slug}/"
    version = api.get(url).json()["version"]  # reads stay open
    patch = api.patch(url, {"title": "Changed", "version": version}, format="json")
    assert patch.status_code == 403 and "permission" in patch.json()["detail"]
    assert api.delete(url).status_code == 403
    assert api.post("/api/v1/practices/", {"title": "New"}, format="json").status_code == 403
    practice.refresh_from_db()
    assert practice.title != "Changed"
    assert Practice.objects.filter(pk=practice.pk).exists()


def test_each_write_needs_its_own_permission(django_user_model, practice):
    user = django_user_model.objects.create_user("changer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_practice"))
    api = client_for(user)
    url = f"/api/v1/practices/{practice.slug}/"
    version = api.get(url).json()["version"]
    assert (
        api.patch(url, {"title": "Changed", "version": version}, format="json").status_code == 200
    )
    assert api.delete(url).status_code == 403


def test_permissions_without_staff_status_cannot_write(django_user_model, practice):
    user = django_user_model.objects.create_user("not-staff", password="pw")
    user.user_permissions.set(curator_permissions())
    api = client_for(user)
    url = f"/api/v1/practices/{practice.slug}/"
    assert api.patch(url, {"title": "Changed", "version": 1}, format="json").status_code == 403


def test_a_write_refused_halfway_leaves_nothing_behind(django_user_model, practice):
    """A trigger makes the theme insert fail after the practice's row was updated."""
    user = django_user_model.objects.create_user("curator", password="pw", is_staff=True)
    user.user_permissions.set(curator_permissions())
    api = client_for(user)
    extra = make_theme()
    url = f"/api/v1/practices/{practice.slug}/"
    before = api.get(url).json()
    history = practice.history.count()
    table = Practice.themes.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
        )
    themes = [t["slug"] for t in before["themes"]] + [extra.slug]
    answer = api.patch(
        url,
        {"title": "Half-written", "themes": themes, "version": before["version"]},
        format="json",
    )
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("application/json")
    assert "Nothing of this request was saved" in answer.json()["detail"]
    practice.refresh_from_db()
    assert practice.title == before["title"]
    assert practice.version == before["version"]
    assert sorted(practice.themes.values_list("slug", flat=True)) == sorted(
        t["slug"] for t in before["themes"]
    )
    assert practice.history.count() == history
    assert api.get(url).json()["version"] == before["version"]


def test_staff_read_change_and_delete_unpublished_records(client, django_user_model):
    draft = make_practice(published=False)
    url = f"/api/v1/practices/{draft.slug}/"
    assert client.get(url).status_code == 404  # the public never sees it
    user = django_user_model.objects.create_user("draft-editor", password="pw", is_staff=True)
    user.user_permissions.set(curator_permissions())
    api = client_for(user)
    read = api.get(url)
    assert read.status_code == 200
    patch = api.patch(
        url, {"title": "Draft, edited", "version": read.json()["version"]}, format="json"
    )
    assert patch.status_code == 200, patch.content
    assert api.delete(url).status_code == 204
    assert not Practice.objects.filter(pk=draft.pk).exists()


def test_the_csv_of_a_practice_holds_the_practice(client, practice):
    practice.results = "Fewer health workers left."
    practice.save()
    answer = client.get(f"/api/v1/practices/{practice.slug}/?format=csv")
    assert answer.status_code == 200
    lines = answer.content.decode().splitlines()
    assert len(lines) == 2 and "slug" in lines[0]
    assert practice.slug in lines[1] and "Fewer health workers left." in lines[1]
