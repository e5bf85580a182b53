from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZeroindexConfig(AppConfig):
    name = "zeroindex"
    verbose_name = _("Five Zeros")

    def ready(self):
        # the gates of this app's models, and its periodic sweep for Celery, register
        from . import scope, tasks  # noqa: F401
