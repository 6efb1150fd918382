from django.apps import AppConfig


class CurationConfig(AppConfig):
    """Proposals of practices and reports of problems from the public, for curators to review."""

    name = "gfmd.curation"
    label = "curation"
    verbose_name = "Proposals and reports from the public"
    default_auto_field = "django.db.models.BigAutoField"
