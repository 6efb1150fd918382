from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


def _install_data_version(sender, using="default", **kwargs):
    from gfmd.lib import data_version

    data_version.install(using)


class GfmdConfig(AppConfig):
    verbose_name = "Reference data"
    name = "gfmd"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # After every migrate: the data version's counter and its triggers on every table.
        post_migrate.connect(_install_data_version, sender=self, dispatch_uid="gfmd-data-version")
        from django.contrib.auth import get_user_model

        from gfmd.lib.tokens import revoke_on_password_change

        # A changed password ends the user's API tokens too.
        pre_save.connect(
            revoke_on_password_change, sender=get_user_model(), dispatch_uid="gfmd-revoke-tokens"
        )
