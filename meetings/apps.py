from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Five Meetings: appeals")

    def ready(self):
        from . import scope  # noqa: F401  registers the gates of this app's models
