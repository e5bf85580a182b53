"""What the dashboard's templates write: a table's cells by their column's kind, a figure
and its change, the printable report's bar charts (SVG drawn here, so the printer and the
PDF, which run no script, have them too), and the staff home's link."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ..dashboard import COUNT, DAYS, NUMBER, RANK, RATE, Figure
from ..dashboard_files import cell_text

register = template.Library()

NUMERIC = {COUNT, DAYS, NUMBER, RANK, RATE}
# Okabe–Ito: colours that people with any colour vision tell apart (static/js/dashboard.js
# uses the same, in the same order).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


@register.filter
def cells(row, columns) -> list[dict]:
    """A row's cells with their text and whether they are numbers (right-aligned)."""
    return [
        {"text": cell_text(value, column.kind), "numeric": column.kind in NUMERIC}
        for value, column in zip(row.cells, columns, strict=True)
    ]


@register.filter
def figure_value(figure: Figure, which: str = "value") -> str:
    return cell_text(getattr(figure, which), figure.kind)


@register.filter
def figure_change(figure: Figure) -> str:
    """'+3', '−2', '+4.5 pts' (percentage points for a rate), '±0'; '' when there is no
    comparison."""
    change = figure.change
    if change is None:
        return ""
    if change == 0:
        return "±0"
    number = f"{abs(change):g}"
    sign = "+" if change > 0 else "−"
    if figure.kind == RATE:
        return _("%(sign)s%(n)s pts") % {"sign": sign, "n": number}
    return f"{sign}{number}"


@register.filter
def change_direction(figure: Figure) -> str:
    change = figure.change
    if not change:
        return "same"
    return "up" if change > 0 else "down"


def _clipped(label: str, room: int = 38) -> str:
    """The label cut to fit beside its bar: a Chinese character takes two places, others
    one."""
    used = 0
    for i, ch in enumerate(label):
        used += 2 if ord(ch) > 0x2E7F else 1
        if used > room:
            return label[:i] + "…"
    return label


@register.simple_tag
def bar_chart(chart: dict, title: str = ""):
    """A horizontal bar chart of a chart's first series as inline SVG: a label, a bar and the
    value per row. For paper: the page's own charts are drawn by Chart.js."""
    labels = [str(label) for label in chart["labels"]]
    values = [v or 0 for v in chart["series"][0]["data"]]
    if not labels:
        return ""
    top = max(values) or 1
    row, label_w, bar_w, value_w = 18, 230, 330, 50
    height = row * len(labels) + 4
    width = label_w + bar_w + value_w
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="svg-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" class="svg-value">{}</text>',
        (
            (
                label_w - 6,
                i * row + 13,
                _clipped(label),
                label_w,
                i * row + 3,
                round(bar_w * value / top, 1),
                row - 6,
                OKABE_ITO[0],
                label_w + round(bar_w * value / top, 1) + 4,
                i * row + 13,
                value,
            )
            for i, (label, value) in enumerate(zip(labels, values, strict=True))
        ),
    )
    return format_html(
        '<svg class="bar-chart" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        title,
        bars,
    )


@register.inclusion_tag("admin/governance/dashboard_link.html", takes_context=True)
def committee_dashboard_link(context):
    """On the staff home: the dashboard, for staff with a place (a scope, or a superuser)."""
    from branches.scope import staff_scope

    user = context["request"].user
    return {"shown": user.is_superuser or staff_scope(user) is not None}
