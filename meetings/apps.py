from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Five Meetings: appeals")

    def ready(self):
        # scope registers the gates of this app's models; tasks lets the web process find
        # the tasks it nudges by name.
        from . import scope, tasks  # noqa: F401
