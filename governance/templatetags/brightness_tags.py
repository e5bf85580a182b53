"""What the Three Brightness templates write: a rate as the dashboard writes it."""

from django import template

from ..dashboard import RATE
from ..dashboard_files import cell_text

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.875 → "87.5%"; None (nothing to divide) → "—"."""
    return cell_text(value, RATE)
