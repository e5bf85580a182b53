from django.core.management.base import BaseCommand

from branches.demo import DEMO_PASSWORD, USERS, seed_branches_demo
from meetings.demo import seed_meetings_demo


class Command(BaseCommand):
    help = (
        "Build the demo world (Huangxing Town, Guangda Community) and demo users. Safe to re-run."
    )

    def handle(self, *args, **options):
        counts = seed_branches_demo()
        self.stdout.write(
            "Demo world: {towns} town, {communities} communities, {estates} estates, "
            "{buildings} buildings, {groups} building groups, {members} members "
            "(Guangda: {guangda_members} members, {guangda_groups} groups, "
            "{guangda_leaders} group leaders).".format(**counts)
        )
        appeals = seed_meetings_demo()
        self.stdout.write(
            "Appeals: {appeals} in all, in every status ({statuses}); {meetings} meetings.".format(
                appeals=appeals["appeals"],
                meetings=appeals["meetings"],
                statuses=", ".join(appeals["statuses"]),
            )
        )
        names = ", ".join(username for username, _role, _name in USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo users ({names}) all have the password: {DEMO_PASSWORD}")
        )
