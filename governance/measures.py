"""A branch report's rectification measures as tracked work (zeroindex.tracked_work, the
mechanism of the survey tasks): every write is a function here, each move guarded by a
conditional UPDATE and written as a `MeasureEvent`; the owner is reminded
SURVEY_TASK_REMINDER_DAYS before the due date (`sweep_measure_reminders`).

Who may: staff of the estate's community and the estate's branch secretary (the role table
lets them change measures; the scope gate says the estate is theirs); the town committee
only reads. Refusals are `meetings.moves.MoveRefused`, as for survey tasks.

While the report is a draft, staff add measures, correct their text and delete them. Once it
is published the report, its measures' text and their number are what residents read and are
frozen; the moves (start, done, drop, another owner, another due date) stay open, since the
measures are what the branch then does."""

from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.scope import ADD, CHANGE, DELETE, estates_for, in_scope, may
from meetings.messaging import site_url
from meetings.models import Notification
from meetings.moves import MoveRefused, Refusal
from zeroindex import tracked_work

from .models import BranchReport, MeasureEvent, MeasureStatus, RectificationMeasure, ReportStatus

TEXT_LENGTH = RectificationMeasure._meta.get_field("text").max_length


def _may(by, estate, action=CHANGE) -> None:
    if by is None:  # the seed and data loads
        return
    if not in_scope(estates_for, by, estate):
        raise MoveRefused(_("This measure is not in your area."), Refusal.NOT_FOUND)
    if not may(by, action, RectificationMeasure):
        raise MoveRefused(
            _("You can read these measures but not change them."), Refusal.NOT_ALLOWED
        )


MEASURES = tracked_work.TrackedKind(
    model=RectificationMeasure,
    event_model=MeasureEvent,
    event_field="measure",
    open=MeasureStatus.OPEN,
    in_progress=MeasureStatus.IN_PROGRESS,
    done=MeasureStatus.DONE,
    dropped=MeasureStatus.DROPPED,
    may=lambda by, measure: _may(by, measure.estate),
    words=tracked_work.Words(
        already=gettext_lazy("This measure is already %(status)s."),
        changed=gettext_lazy("Someone changed this measure meanwhile; try again."),
        drop_reason=gettext_lazy("Say why the measure is dropped."),
        same_owner=gettext_lazy("The measure is already theirs."),
        same_due=gettext_lazy("The measure is already due on that day."),
    ),
    notification=Notification.Kind.MEASURE_REMINDER,
    key="measure",
    related=("report__estate",),
)


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise MoveRefused(_("Say what the measure is."), Refusal.INVALID)
    if len(text) > TEXT_LENGTH:
        raise MoveRefused(
            _("The measure is too long: at most %(max)d characters.") % {"max": TEXT_LENGTH},
            Refusal.INVALID,
        )
    return text


def _draft_locked(report: BranchReport) -> BranchReport:
    """The report's row, locked (publishing locks it too: a measure added while another
    clerk publishes waits, then is refused), and refused once published."""
    report = BranchReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise MoveRefused(
            _("The report is published: its measures can be moved, not added or rewritten."),
            Refusal.CONFLICT,
        )
    return report


@transaction.atomic
def measure_add(
    *, report: BranchReport, text: str, owner, due_on: date, by=None, at: datetime | None = None
) -> RectificationMeasure:
    """A new measure of a draft report, with its owner and due date (and its reminder)."""
    _may(by, report.estate, ADD)
    now = at or timezone.now()
    text = _clean_text(text)
    tracked_work.check_owner(owner, report.estate)
    tracked_work.check_due(due_on, now)
    report = _draft_locked(report)
    measure = RectificationMeasure.objects.create(
        report=report,
        text=text,
        owner=owner,
        due_on=due_on,
        created_at=now,
        remind_at=tracked_work.remind_at(due_on),
    )
    tracked_work.record(
        MEASURES,
        measure,
        by,
        now=now,
        from_status="",
        to_status=MeasureStatus.OPEN,
        data={"owner": owner.pk, "due_on": due_on.isoformat()},
    )
    return measure


@transaction.atomic
def measure_set_text(
    *, measure: RectificationMeasure, text: str, by=None, at: datetime | None = None
) -> RectificationMeasure:
    """Correct a measure's text while its report is a draft."""
    _may(by, measure.estate)
    text = _clean_text(text)
    if text == measure.text:
        raise MoveRefused(_("The measure already says that."), Refusal.INVALID)
    _draft_locked(measure.report)
    return tracked_work.move(
        MEASURES,
        measure,
        by,
        now=at or timezone.now(),
        fields={"text": text},
        data={"text": text, "previous_text": measure.text},
        extra_filter={"text": measure.text},
    )


@transaction.atomic
def measure_delete(*, measure: RectificationMeasure, by=None) -> None:
    """Take a measure out of a draft report (a mistake; once published it is dropped with a
    reason instead)."""
    _may(by, measure.estate, DELETE)
    _draft_locked(measure.report)
    RectificationMeasure.objects.filter(pk=measure.pk).delete()


def measure_start(*, measure: RectificationMeasure, by=None, at=None) -> RectificationMeasure:
    """Work on an open measure has begun."""
    return tracked_work.start(MEASURES, measure, by=by, at=at)


def measure_done(
    *, measure: RectificationMeasure, note: str = "", by=None, at=None
) -> RectificationMeasure:
    """The measure is done (no more reminders)."""
    return tracked_work.done(MEASURES, measure, note=note, by=by, at=at)


def measure_drop(
    *, measure: RectificationMeasure, reason: str, by=None, at=None
) -> RectificationMeasure:
    """The measure will not be carried out, and why (residents see it dropped)."""
    return tracked_work.drop(MEASURES, measure, reason=reason, by=by, at=at)


def measure_reassign(*, measure: RectificationMeasure, owner, by=None, at=None):
    """Another owner, reminded afresh before the due date."""
    return tracked_work.reassign(
        MEASURES, measure, owner=owner, estate=measure.estate, by=by, at=at
    )


def measure_set_due(*, measure: RectificationMeasure, due_on: date, by=None, at=None):
    """A new due date; the reminder is set again for it."""
    return tracked_work.set_due(MEASURES, measure, due_on=due_on, by=by, at=at)


# --- reminders --------------------------------------------------------------------------


def _reminder_context(measure: RectificationMeasure, now: datetime) -> dict:
    report = measure.report
    return {
        "measure": measure,
        "due": measure.due_on,
        "days_left": (measure.due_on - timezone.localdate(now)).days,
        "estate": report.estate.name,
        "year": report.year,
        "url": site_url(reverse("admin:governance_rectificationmeasure_change", args=[measure.pk])),
    }


def sweep_measure_reminders(now: datetime | None = None, limit: int = 500) -> int:
    """Remind owners of the measures coming due (tracked work's sweep, as for survey tasks:
    once per measure, due date and owner); returns how many this sweep claimed."""
    return tracked_work.sweep_reminders(MEASURES, context=_reminder_context, now=now, limit=limit)
