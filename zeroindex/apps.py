from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZeroindexConfig(AppConfig):
    name = "zeroindex"
    verbose_name = _("Five Zeros")

    def ready(self):
        from . import scope  # noqa: F401  (registers the gates of this app's models)
