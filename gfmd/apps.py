from django.apps import AppConfig


class GfmdConfig(AppConfig):
    verbose_name = "Reference data"
    name = "gfmd"
    default_auto_field = "django.db.models.BigAutoField"
