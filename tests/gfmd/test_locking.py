"""No lost updates: the second of two concurrent edits is refused, with what changed."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from practices.models import Practice
from tests.factories import curator_permissions, make_citation, make_country, make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    """A practice with what the admin form shows inline: countries, themes and a citation."""
    practice = make_practice(countries=[make_country()])
    make_citation(practice)
    return practice


def change_form(client, practice):
    response = client.get(f"/admin/practices/practice/{practice.pk}/change/")
    """The data the admin change form would post back unchanged."""
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        forms.append(formset.formset.management_form)
        forms.extend(formset.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_second_admin_save_is_refused_and_nothing_overwritten(staff_client, practice):
    first = change_form(staff_client, practice)
    second = dict(first)

    first["title"] = "Edited by the first curator"
    response = staff_client.post(f"/admin/practices/practice/{practice.pk}/change/", first)
    assert response.status_code == 302

    second["summary"] = "Edited by the second curator from a stale copy"
    response = staff_client.post(f"/admin/practices/practice/{practice.pk}/change/", second)
    assert response.status_code == 200
    body = response.content.decode()
    assert "while you were editing it" in body
    assert "title" in body
    practice.refresh_from_db()
    assert practice.title == "Edited by the first curator"
    assert practice.summary == "A practice made for a test."


def test_edit_history_is_kept_and_visible(staff_client, practice):
    original = practice.title
    practice.title = "A new title"
    practice.save()
    assert list(practice.history.values_list("version", "title")) == [
        (2, "A new title"),
        (1, original),
    ]
    response = staff_client.get(f"/admin/practices/practice/{practice.pk}/history/")
    assert response.status_code == 200
    assert "A new title" in response.content.decode()


@pytest.fixture
def staff_api(django_user_model):
    user = django_user_model.objects.create_user("api-editor", password="pw", is_staff=True)
    # A curator: staff, with the model permissions of the curated records (as the admin needs).
    user.user_permissions.set(curator_permissions())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_update_needs_the_version_and_refuses_a_stale_one(staff_api, practice):
    url = f"/api/v1/practices/{practice.slug}/"
    version = staff_api.get(url).json()["version"]
    missing = staff_api.patch(url, {"title": "No version"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    ok = staff_api.patch(url, {"title": "First", "version": version}, format="json")
    assert ok.status_code == 200, ok.json()
    stale = staff_api.patch(url, {"title": "Second", "version": version}, format="json")
    assert stale.status_code == 409
    assert "while you were editing it" in stale.json()["detail"]
    assert Practice.objects.get(pk=practice.pk).title == "First"
