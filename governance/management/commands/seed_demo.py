from django.core.management.base import BaseCommand

from branches.demo import DEMO_PASSWORD, USERS, seed_branches_demo


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
        names = ", ".join(username for username, _role, _name in USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo users ({names}) all have the password: {DEMO_PASSWORD}")
        )
