"""Print the year-end five-zero titles: the estates (with their community) and the buildings
with no verified incident in the whole of a year that has ended and whose records cover it."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zeroindex.queries import Period, five_zero_year


class Command(BaseCommand):
    help = (
        "Print the estates and buildings five-zero for a whole year (the year-end title), "
        "in the active language. Without --year: the year just ended."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", help="The year, four digits (for example 2025). Default: last year."
        )

    def handle(self, *args, **options):
        year = self._year(options["year"])
        titles = five_zero_year(year=year)
        write = self.stdout.write
        if not titles.ended:
            write(
                _("%(year)s has not ended yet: the five-zero titles are given once it is over.")
                % {"year": year}
            )
            return
        write(_("Five-zero for the whole of %(year)s") % {"year": year})
        if titles.estates:
            write(
                ngettext("%(n)d estate:", "%(n)d estates:", len(titles.estates))
                % {"n": len(titles.estates)}
            )
            for estate in titles.estates:
                write(f"  {estate.community.name} · {estate.name}")
        if titles.buildings:
            write(
                ngettext("%(n)d building:", "%(n)d buildings:", len(titles.buildings))
                % {"n": len(titles.buildings)}
            )
            for building in titles.buildings:
                write(
                    f"  {building.estate.community.name} · {building.estate.name} {building.name}"
                )
        if not titles.estates and not titles.buildings:
            write(
                _("No estate or building was five-zero for the whole of %(year)s.") % {"year": year}
            )
        if titles.not_known:
            write(
                ngettext(
                    "%(n)d estate gets no title because its records do not cover the whole "
                    "year (they start later or are not set): %(names)s.",
                    "%(n)d estates get no title because their records do not cover the whole "
                    "year (they start later or are not set): %(names)s.",
                    len(titles.not_known),
                )
                % {
                    "n": len(titles.not_known),
                    "names": ", ".join(f"{e.community.name} · {e.name}" for e in titles.not_known),
                }
            )

    @staticmethod
    def _year(text: str | None) -> int:
        if text is None:
            return timezone.localdate().year - 1
        if not re.fullmatch(r"\s*\d{4}\s*", text) or not (
            Period.FIRST_YEAR <= int(text) <= Period.LAST_YEAR
        ):
            raise CommandError(
                _(
                    "Give the year as four digits between %(first)s and %(last)s, "
                    "for example --year 2025."
                )
                % {"first": Period.FIRST_YEAR, "last": Period.LAST_YEAR}
            )
        return int(text)
