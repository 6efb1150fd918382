"""API tokens (DRF's authtoken): revoked when their user's password changes, and never shown
whole after they are made.

A curator's token is created, rotated and revoked in the admin (Auth Token > Tokens) or with
`manage.py drf_create_token USER` (`-r` to rotate); see docs/deploy.md."""

from __future__ import annotations


def masked(key: str) -> str:
    """Enough of a key to tell tokens apart, not enough to use one."""
    return f"{key[:4]}…{key[-2:]}" if key else ""


def revoke_on_password_change(sender, instance, **kwargs) -> None:
    """pre_save of the user model: a new password (set_password, not the hasher's own upgrade of
    the stored hash at login) deletes the user's API tokens."""
    if instance.pk is None or getattr(instance, "_password", None) is None:
        return
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user_id=instance.pk).delete()
