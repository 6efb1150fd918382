"""Production settings pass Django's deploy checks; headers, lockout and the CSP are in place."""

import pytest
from django.test import override_settings

from tests.gfmd.test_embedded_db import run_python

pytestmark = pytest.mark.django_db


def test_deploy_check_has_no_warning():
    result = run_python(
        "import sys, runpy; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', "
        "'WARNING']; runpy.run_path('manage.py', run_name='__main__')",
        DJANGO_SECRET_KEY="s" * 20 + "-secret-" + "k" * 30,
        DJANGO_ALLOWED_HOSTS="gfmd.example.org",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_brute_force_is_locked_out(client, django_user_model):
    django_user_model.objects.create_superuser("admin", "a@example.org", "right-password")
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    locked = client.post("/admin/login/", {"username": "admin", "password": "right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_api_docs_use_no_inline_script_or_cdn(client):
    for url in ("/api/docs/", "/api/redoc/"):
        body = client.get(url).content.decode()
        assert "<script>" not in body
        assert "googleapis" not in body and "cdn" not in body.lower()


def test_a_new_password_revokes_the_users_api_tokens(django_user_model):
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("token-owner", password="old", is_staff=True)
    Token.objects.create(user=user)
    user.last_name = "Renamed"
    user.save()  # not a password change
    assert Token.objects.filter(user=user).exists()
    user.set_password("new")
    user.save()
    assert not Token.objects.filter(user=user).exists()


def test_the_admin_token_list_does_not_show_whole_keys(staff_client, django_user_model):
    from rest_framework.authtoken.models import Token

    owner = django_user_model.objects.create_user("listed", password="pw", is_staff=True)
    token = Token.objects.create(user=owner)
    page = staff_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert "listed" in page
    assert token.key not in page
    assert token.key[:4] in page


def test_a_new_token_is_shown_once_in_the_admin(staff_client, django_user_model):
    from rest_framework.authtoken.models import Token

    owner = django_user_model.objects.create_user("new-token", password="pw", is_staff=True)
    answer = staff_client.post("/admin/authtoken/tokenproxy/add/", {"user": owner.pk}, follow=True)
    key = Token.objects.get(user=owner).key
    assert answer.content.decode().count(key) == 1  # in the message, once
    assert key not in staff_client.get("/admin/authtoken/tokenproxy/").content.decode()


def test_the_database_connection_fails_fast():
    from django.conf import settings

    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] <= 2
