from django.apps import AppConfig


class RcpsConfig(AppConfig):
    verbose_name = "Regional consultative processes"
    name = "rcps"
    default_auto_field = "django.db.models.BigAutoField"
