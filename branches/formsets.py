"""Formsets whose size the page decides, never the request.

Django builds as many forms as a POST's TOTAL_FORMS says, up to `absolute_max` (by default
max_num + 1,000): a forged count made one request build and render thousands of rows.
These build at most what their page offers, and a count beyond it is a formset error that
says so (the page comes back with the rows it had)."""

from django.forms import BaseFormSet, BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

TOO_MANY_ROWS = _(
    "The page was sent with more rows than it offers (at most %(num)d). Reload the page "
    "and enter them again."
)
# Rows someone else removed since the page was given still come back in its count.
ROWS_GONE_MEANWHILE = 10


class BoundedFormSet(BaseFormSet):
    """Made with formset_factory(..., max_num=n, absolute_max=n): n rows and no more."""

    default_error_messages = {"too_many_forms": TOO_MANY_ROWS}


class BoundedInlineFormSet(BaseInlineFormSet):
    """An object's rows: those it has and `max_new` new ones (what the page's "Add another"
    offers), plus a few for rows removed meanwhile, never more than the inline's max_num;
    `max_new` is set by branches.scoped_admin.BoundedInline."""

    default_error_messages = {"too_many_forms": TOO_MANY_ROWS}
    max_new = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        declared = self.max_num  # the inline's max_num (Django's default: 1,000)
        # The queryset is read here once; the forms use the same rows.
        self.max_num = min(declared, len(self.get_queryset()) + self.max_new)
        self.absolute_max = min(declared, self.max_num + ROWS_GONE_MEANWHILE)
