"""What the Five Zeros boards write: a period's name, a streak, a share, a mark's symbol."""

from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..queries import Mark, Period

register = template.Library()

# The symbol beside each mark's colour, so a board reads in black and white and for people
# who cannot tell red from green.
SYMBOLS = {Mark.ZERO: "✓", Mark.NOT_ZERO: "✗", Mark.UNKNOWN: "?", Mark.FUTURE: ""}


@register.filter
def mark_symbol(mark) -> str:
    return SYMBOLS.get(mark, "")


@register.filter
def period_name(period: Period) -> str:
    """'2026年11月' / 'November 2026'; '2026年' / '2026' for a year."""
    if period.month:
        return date_format(date(period.year, period.month, 1), "YEAR_MONTH_FORMAT")
    return _("%(year)s (whole year)") % {"year": period.year}


@register.filter
def months_in_a_row(months: int) -> str:
    return ngettext("%(n)s month in a row", "%(n)s months in a row", months) % {"n": months}


@register.filter
def percent(share: float | None) -> str:
    return "" if share is None else f"{round(share * 100)}%"


@register.inclusion_tag("admin/zeroindex/dashboard_link.html", takes_context=True)
def zero_dashboard_link(context):
    """On the staff home: the Five Zeros dashboard, for those who may read incidents."""
    from branches.scope import VIEW, may

    from ..models import Incident

    return {"shown": may(context["request"].user, VIEW, Incident)}
