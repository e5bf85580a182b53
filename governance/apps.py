from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Year end and reports")

    def ready(self):
        # tasks lets the web process find the tasks it queues by name (an approval's delivery)
        from . import addresses, tasks  # noqa: F401

        addresses.connect()
