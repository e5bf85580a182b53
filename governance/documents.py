"""A department's evaluation as a document: printable HTML and the PDF delivered on approval.

Both come from one template (`templates/yearend/evaluation_document.html`) and one print
stylesheet (`static/css/document.css`), always in Chinese, the document language, whatever
the reader's language. The PDF is drawn by WeasyPrint with the system's CJK font
(fonts-wqy-microhei on Debian), so no font file or CDN is fetched; the stylesheet is handed
to WeasyPrint as a file.
"""

import contextlib
import hashlib
import threading
from decimal import Decimal

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from branches.models import Checklist
from branches.queries import checklist_result

from .models import DepartmentEvaluation, EvaluationStatus

TEMPLATE = "yearend/evaluation_document.html"
STYLESHEET = "css/document.css"
NO_DATA = "—"


def _number(value) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 85.50 → 85.5, 90.00 → 90
    return str(value)


def _share(part: int, whole: int) -> str:
    """'12 / 15（80%）', or '0' when there is nothing to share out."""
    if not whole:
        return "0"
    return f"{part} / {whole}（{round(100 * part / whole)}%）"


def _figures(evaluation: DepartmentEvaluation) -> list[tuple[str, str]]:
    """The figures table's rows, labelled with the model's own (translated) field names."""

    def label(field: str) -> str:
        return str(DepartmentEvaluation._meta.get_field(field).verbose_name)

    e = evaluation
    return [
        # the field's own label ("review scores") reads like a score beside a count
        (str(_("Review scores given")), str(e.review_count)),
        (label("review_mean"), _number(e.review_mean)),
        (label("referrals"), str(e.referrals)),
        (label("solved_on_time"), _share(e.solved_on_time, e.referrals)),
        (label("visits"), str(e.visits)),
        (label("satisfied"), _share(e.satisfied, e.visits)),
        (label("appeal_result"), _number(e.appeal_result)),
    ]


def _approver(evaluation: DepartmentEvaluation) -> str:
    user = evaluation.approved_by
    if user is None:
        return NO_DATA
    return user.get_full_name() or user.get_username()


def evaluation_html(evaluation: DepartmentEvaluation, *, served: bool = False) -> str:
    """The evaluation as a whole A4 HTML document in Chinese. `served` (the staff page) links
    the print stylesheet, the screen one and the print button's script; without it the page
    links nothing (the PDF gets the print stylesheet as a file)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            TEMPLATE,
            {
                "evaluation": evaluation,
                "department": evaluation.department.localized_name,
                "figures": _figures(evaluation),
                "score": _number(evaluation.score),
                "is_draft": evaluation.status == EvaluationStatus.DRAFT,
                "is_revision": evaluation.version > 1,
                "approver": _approver(evaluation),
                "served": served,
            },
        )


def stylesheet_path() -> str:
    path = finders.find(STYLESHEET)
    if not path:  # pragma: no cover - the file is in the repository
        raise ImproperlyConfigured(f"{STYLESHEET} is missing from the static files.")
    return path


_writer = threading.local()


def html_pdf(html: str) -> bytes:
    """An HTML document of ours as an A4 PDF (WeasyPrint), with the print stylesheet and the
    system's CJK font: the one PDF writer of the site (evaluations, reports)."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except OSError as error:  # Pango missing: say what to install, not a bare traceback
        raise ImproperlyConfigured(
            "WeasyPrint needs Pango and a CJK font from the system "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei): "
            f"{error}"
        ) from error
    kept = getattr(_writer, "kept", None)
    if kept is None:
        # The font set-up and the parsed stylesheet are the same for every document: kept
        # per thread (WeasyPrint's objects are not shared between threads), a fifth off each
        # PDF (91 → 73 ms an evaluation, measured), which counts when the year end delivers
        # hundreds.
        fonts = FontConfiguration()
        kept = _writer.kept = (fonts, CSS(filename=stylesheet_path(), font_config=fonts))
    fonts, stylesheet = kept
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def evaluation_pdf(evaluation: DepartmentEvaluation) -> bytes:
    """The evaluation as an A4 PDF, text in the system's CJK font."""
    return html_pdf(evaluation_html(evaluation))


# --- a branch's annual report (the public page and the notice board's A4 PDF) -------------

REPORT_TEMPLATE = "reports/report_document.html"


def _rate(value: int | None) -> str:
    return NO_DATA if value is None else f"{value}%"


def five_standards_rows(result: dict | None) -> list[tuple[str, str]]:
    """The branch's five-standards checklist of the report's year (branches.queries
    .checklist_result, read live: the checklist's status says how final it is, and a
    reviewed one never changes): status, self-assessment and review score of the full
    score; empty when the branch has no checklist that year. A total shows only once it is
    final: the self-assessment from submission on, the review score once reviewed (the
    scores typed meanwhile are work in progress, not the branch's result)."""
    if result is None:
        return []
    full = result["full_score"] or 0
    status = result["status"]

    def of_full(value, final):
        return f"{value} / {full}" if final and value is not None else NO_DATA

    return [
        (_("Checklist status"), str(Checklist.Status(status).label)),
        (_("Self-assessment"), of_full(result["self_total"], status != Checklist.Status.DRAFT)),
        (
            _("Community's review score"),
            of_full(result["review_total"], status == Checklist.Status.REVIEWED),
        ),
    ]


def report_context(report, measures) -> dict:
    """What the report's page and its PDF show: figures as (label, value) rows, the
    problems, the measures (text, due date, status: no owner names, no residents)."""
    from meetings.models import MeetingType
    from zeroindex.models import IncidentCategory

    r = report
    performance = [
        (_("Appeals received"), str(r.received)),
        (_("Appeals solved"), str(r.solved)),
        (_("Resolution rate"), _rate(r.resolution_rate)),
        (_("Satisfaction rate"), _rate(r.satisfaction_rate)),
        (_("Response rate"), _rate(r.response_rate)),
        (_("Return visits done"), str(r.visits)),
        (_("Five-zero months"), f"{r.five_zero_months} / 12"),
        (_("Five-zero for the whole year"), _("yes") if r.five_zero_year else _("no")),
        (_("Survey tasks done"), _share(r.tasks_done, r.tasks_total)),
    ]
    meetings = [(label, r.meetings.get(value, 0)) for value, label in MeetingType.choices]
    categories = dict(IncidentCategory.choices)
    problems = [
        (_("Overdue appeals"), str(r.overdue)),
        (_("Unsolved appeals"), str(r.unsolved)),
        (_("Dissatisfied appeals"), str(r.dissatisfied)),
    ]
    broken = [(categories.get(c, c), n) for c, n in r.categories.items()]
    return {
        "five_standards": five_standards_rows(checklist_result(estate_id=r.estate_id, year=r.year)),
        "report": r,
        "estate": r.estate,
        "performance": performance,
        "meetings": meetings,
        "problems": problems,
        "broken": broken,
        "measures": measures,
    }


def report_html(report, measures, *, served: bool = False) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            REPORT_TEMPLATE, {**report_context(report, measures), "served": served}
        )


# A published report's PDF is drawn once per version of its page: WeasyPrint takes a
# noticeable fraction of a second of CPU, and the PDF is public. The key is the digest of the
# HTML it is drawn from, so any change (a measure done, a day that makes one overdue) draws a
# new one and a stale PDF is never served.
REPORT_PDF_CACHE_SECONDS = 7 * 24 * 3600


def report_pdf(report, measures) -> bytes:
    """The report as an A4 PDF in Chinese for the notice board (WeasyPrint, CJK font)."""
    html = report_html(report, measures)
    key = "report-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    try:
        pdf = cache.get(key)
    except Exception:  # a cache that is down costs a drawing, not the page
        pdf = None
    if pdf is None:
        pdf = html_pdf(html)
        with contextlib.suppress(Exception):
            cache.set(key, pdf, REPORT_PDF_CACHE_SECONDS)
    return pdf
