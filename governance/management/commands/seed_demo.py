from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from branches.demo import DEMO_PASSWORD, USERS, seed_branches_demo
from governance.demo import seed_yearend_demo
from meetings.demo import seed_meetings_demo
from zeroindex.demo import seed_incidents_demo, seed_survey_demo

NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "Build the demo world (Huangxing Town, Guangda Community) and demo users. Safe to re-run. "
        f"The demo users, a superuser among them, share a published password, so with DEBUG off "
        f"the command refuses to run unless {NOT_PRODUCTION_FLAG} is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            NOT_PRODUCTION_FLAG,
            action="store_true",
            dest="not_production",
            help="Run with DEBUG off, on a demo or staging site that is not production.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo refused: DEBUG is off, and the demo creates a superuser 'admin' and "
                f"staff users with the published password {DEMO_PASSWORD}. Nothing was created. "
                f"For local development set DEBUG=true; on a demo site that is not production, "
                f"run it again with {NOT_PRODUCTION_FLAG}."
            )
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
        survey = seed_survey_demo()
        self.stdout.write(
            "Survey {round}: {suggestions} suggestions, {tasks} tasks ({done} done, "
            "{in_progress} in progress, {dropped} dropped, {overdue} overdue), "
            "completion {percent}%.".format(**survey)
        )
        zeros = seed_incidents_demo()
        self.stdout.write(
            "Five Zeros: records start in {starts} estates; {incidents} incidents "
            "({verified} verified, {pending} awaiting verification, {dismissed} dismissed).".format(
                **zeros
            )
        )
        self.stdout.write(f"Year-end recipients: {seed_yearend_demo()}.")
        # The Five Modernizations (issue 12), in this order: credits from sessions and
        # meetings first, the ledger's awards, the ranking's tie, last year's checklist.
        from branches.demo_stations import seed_stations_demo

        stations = seed_stations_demo()
        self.stdout.write(
            "Service stations: {stations}, {volunteers} volunteers; the last year "
            "{sessions} sessions, {people} residents served ({people_this_year} this "
            "year).".format(**stations)
        )
        from branches.demo_orglife import seed_orglife_demo

        orglife = seed_orglife_demo()
        self.stdout.write(
            "Organisational life: {meetings} meetings, {attendance} attendances "
            "({absences} absent with a reason); overdue: {branches}.".format(
                branches=", ".join(orglife["overdue"]) or "none", **orglife
            )
        )
        from branches.demo_ledger import seed_ledger_demo
        from meetings.demo_credits import seed_credit_demo

        ledger = seed_ledger_demo()
        ledger["appeal_credits"] = seed_credit_demo()
        self.stdout.write(
            "Commitments this year: {commitments} ({verified} verified); members consenting "
            "to a public card: {consenting} ({withdrawn} withdrawals on record); manual "
            "awards: {awards}; members credited for appeals now: {appeal_credits}.".format(**ledger)
        )
        from branches.demo_rankings import seed_rankings_demo

        ranks = seed_rankings_demo()
        self.stdout.write(
            "Rankings: {branch}, {first} and {second} tied at {points} points; "
            "{cards} public cards.".format(**ranks)
        )
        from branches.demo_checklists import seed_checklists_demo

        checklists = seed_checklists_demo()
        self.stdout.write(
            "Five standards: {reviewed} checklists of {year} reviewed ({totals}); "
            "{this_year}'s of {draft} open as a draft.".format(**checklists)
        )
        names = ", ".join(username for username, _role, _name in USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo users ({names}) all have the password: {DEMO_PASSWORD}")
        )
