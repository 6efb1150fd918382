from django.apps import AppConfig


class RoundtablesConfig(AppConfig):
    name = "roundtables"
    default_auto_field = "django.db.models.BigAutoField"
