"""Every write to the Five Zeros' records, one function per move. The admin, the seed, tasks
and tests call these; each checks who may, guards the current status with a conditional
UPDATE (of two clerks verifying and dismissing at once, exactly one wins) and writes its
event in the same transaction.

Refusals are `meetings.moves.MoveRefused`, as for appeals: a message for the person who
tried and a kind (not allowed, not found, conflict, invalid)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Building, Estate, StaffRole
from branches.scope import ADD, CHANGE, estates_for, in_scope, may, staff_scope
from meetings.models import Appeal, AppealCategory, Notification, Source
from meetings.moves import MoveRefused, Refusal
from meetings.services import appeal_submit

from . import tracked_work
from .models import (
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentEventKind,
    IncidentSource,
    IncidentStatus,
    RecordsStart,
    RecordsStartChange,
    Suggestion,
    SurveyRound,
    SurveyTask,
    SurveyTaskEvent,
    TaskStatus,
)

# How far ahead of the server's clock an incident may be dated (clocks of phones differ).
CLOCK_SLACK = timedelta(minutes=5)
# The earliest year an incident may be dated or records may start: the boards' first
# (queries.Period.FIRST_YEAR). A year-1 incident would be stored before year 1 in UTC, which
# no page could read back; a year-1 start would send the streaks back past year 1.
EARLIEST_YEAR = 2000


def too_early(occurred_at: datetime) -> bool:
    return timezone.localtime(occurred_at).year < EARLIEST_YEAR


def too_early_message() -> str:
    return _("An incident cannot be dated before %(year)d.") % {"year": EARLIEST_YEAR}


def start_too_early_message() -> str:
    return _("Records cannot start before %(year)d.") % {"year": EARLIEST_YEAR}


def _require(by, action: str, model, estate: Estate, *, out_of_scope: str) -> None:
    if by is None:  # the seed and data loads
        return
    if not in_scope(estates_for, by, estate):
        raise MoveRefused(out_of_scope, Refusal.NOT_FOUND)
    if not may(by, action, model):
        raise MoveRefused(_("You can read these records but not change them."), Refusal.NOT_ALLOWED)


def may_verify(user) -> bool:
    """Community staff (and superusers) verify and dismiss; the estate's own secretary
    records but does not judge its own zero."""
    if not may(user, CHANGE, Incident):
        return False
    if user.is_superuser:
        return True
    scope = staff_scope(user)
    return scope is not None and scope.role == StaffRole.COMMUNITY_STAFF


@transaction.atomic
def incident_record(
    *,
    estate: Estate,
    category: str,
    occurred_at: datetime,
    description: str,
    source: str = IncidentSource.STAFF,
    building: Building | None = None,
    appeal: Appeal | None = None,
    by=None,
    at: datetime | None = None,
) -> Incident:
    """Record an incident (awaiting verification). `at` backdates the record (seed only)."""
    _require(
        by, ADD, Incident, estate, out_of_scope=_("You cannot record incidents for this estate.")
    )
    now = at or timezone.now()
    if category not in IncidentCategory.values:
        raise MoveRefused(_("Choose one of the five categories."), Refusal.INVALID)
    if source not in IncidentSource.values:
        raise MoveRefused(_("Choose where the report came from."), Refusal.INVALID)
    if building is not None and building.estate_id != estate.pk:
        raise MoveRefused(_("This building is not in the chosen estate."), Refusal.INVALID)
    if appeal is not None and appeal.estate_id != estate.pk:
        raise MoveRefused(_("The linked appeal is of another estate."), Refusal.INVALID)
    if occurred_at > now + CLOCK_SLACK:
        raise MoveRefused(_("An incident cannot be in the future."), Refusal.INVALID)
    if too_early(occurred_at):
        raise MoveRefused(too_early_message(), Refusal.INVALID)
    if not description.strip():
        raise MoveRefused(_("Say what happened."), Refusal.INVALID)
    incident = Incident.objects.create(
        estate=estate,
        building=building,
        category=category,
        occurred_at=occurred_at,
        description=description.strip(),
        source=source,
        appeal=appeal,
        recorded_by=by,
        recorded_at=now,
    )
    IncidentEvent.objects.create(
        incident=incident,
        kind=IncidentEventKind.RECORDED,
        actor=by,
        created_at=now,
        data={
            "category": category,
            "estate": estate.pk,
            "building": building.pk if building else None,
            "occurred_at": occurred_at.isoformat(),
            "source": source,
            "appeal": appeal.pk if appeal else None,
        },
    )
    return incident


def _judge(incident: Incident, by, *, to: str, fields: dict, now, data: dict) -> Incident:
    if by is not None:
        _require(
            by,
            CHANGE,
            Incident,
            incident.estate,
            out_of_scope=_("This incident is not in your area."),
        )
        if not may_verify(by):
            raise MoveRefused(
                _("Community staff verify or dismiss incidents; a branch only records them."),
                Refusal.NOT_ALLOWED,
            )
    won = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.PENDING).update(
        status=to, **fields
    )
    if not won:
        incident.refresh_from_db()
        raise MoveRefused(
            _("This incident is already %(status)s.") % {"status": incident.get_status_display()},
            Refusal.CONFLICT,
        )
    IncidentEvent.objects.create(incident=incident, kind=to, actor=by, created_at=now, data=data)
    incident.refresh_from_db()
    return incident


@transaction.atomic
def incident_verify(*, incident: Incident, by=None, at: datetime | None = None) -> Incident:
    """Confirm an incident: from now on it breaks its estate's (and building's) zero."""
    now = at or timezone.now()
    return _judge(
        incident,
        by,
        to=IncidentStatus.VERIFIED,
        fields={"verified_by": by, "verified_at": now},
        now=now,
        data={},
    )


@transaction.atomic
def incident_dismiss(
    *, incident: Incident, reason: str, by=None, at: datetime | None = None
) -> Incident:
    """Set an incident aside (a false report, a duplicate, outside the estate), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise MoveRefused(_("Say why the incident is dismissed."), Refusal.INVALID)
    now = at or timezone.now()
    return _judge(
        incident,
        by,
        to=IncidentStatus.DISMISSED,
        fields={"dismissed_by": by, "dismissed_at": now, "dismissal_reason": reason},
        now=now,
        data={"reason": reason},
    )


@transaction.atomic
def records_start_set(*, estate: Estate, month: date, by=None) -> RecordsStart:
    """Set the first month of an estate's five-zero records (earlier months are unknown)."""
    _require(
        by,
        CHANGE,
        RecordsStart,
        estate,
        out_of_scope=_("You cannot set the records start of this estate."),
    )
    first = month.replace(day=1)
    if first > timezone.localdate():
        raise MoveRefused(_("Records cannot start in a future month."), Refusal.INVALID)
    if first.year < EARLIEST_YEAR:
        raise MoveRefused(start_too_early_message(), Refusal.INVALID)
    before = RecordsStart.objects.select_for_update().filter(estate=estate).first()
    if before is not None and before.month == first:
        return before  # nothing changes, nothing to record
    start, _created = RecordsStart.objects.update_or_create(
        estate=estate, defaults={"month": first}
    )
    RecordsStartChange.objects.create(
        estate=estate, from_month=before.month if before else None, to_month=first, actor=by
    )
    return start


# --- survey task lists ---------------------------------------------------------------------
#
# A survey round's suggestions become tasks; each task move guards the current status with a
# conditional UPDATE (of two clerks finishing and dropping a task at once, one wins) and
# writes a SurveyTaskEvent saying what changed. A task's owner is reminded
# SURVEY_TASK_REMINDER_DAYS before its due date at 09:00 (`remind_at`, swept by
# zeroindex.reminders); a finished task has no reminder, a new owner or due date sets it
# afresh.

MAX_SUGGESTIONS_AT_ONCE = 1000
TASK_TITLE_LENGTH = SurveyTask._meta.get_field("title").max_length
SUGGESTION_TEXT_LENGTH = Suggestion._meta.get_field("text").max_length
UNFINISHED = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class SuggestionInput:
    """One suggestion to add: its text, and if known its category and building."""

    text: str
    category: AppealCategory | None = None
    building: Building | None = None


def _check_round_dates(started_on: date, ended_on: date) -> None:
    if ended_on < started_on:
        raise MoveRefused(_("A survey cannot end before it starts."), Refusal.INVALID)


@transaction.atomic
def survey_round_create(
    *,
    estate: Estate,
    title: str,
    started_on: date,
    ended_on: date,
    residents_asked: int = 0,
    by=None,
    at: datetime | None = None,
) -> SurveyRound:
    """Open a survey round of an estate's residents (its suggestions come after)."""
    _require(by, ADD, SurveyRound, estate, out_of_scope=_("You cannot run surveys in this estate."))
    title = (title or "").strip()
    if not title:
        raise MoveRefused(_("Give the survey a title."), Refusal.INVALID)
    _check_round_dates(started_on, ended_on)
    if residents_asked < 0:
        raise MoveRefused(_("The number of residents asked cannot be negative."), Refusal.INVALID)
    return SurveyRound.objects.create(
        estate=estate,
        title=title,
        started_on=started_on,
        ended_on=ended_on,
        residents_asked=residents_asked,
        created_at=at or timezone.now(),
    )


def suggestion_problems(item: SuggestionInput, *, estate: Estate) -> list[str]:
    """What is wrong with one suggestion for a round of this estate (the import's preview
    shows the same messages per row)."""
    problems = []
    text = item.text.strip()
    if not text:
        problems.append(_("The suggestion is empty."))
    elif len(text) > SUGGESTION_TEXT_LENGTH:
        problems.append(
            _("The suggestion is too long: %(length)d characters, at most %(max)d.")
            % {"length": len(text), "max": SUGGESTION_TEXT_LENGTH}
        )
    if item.building is not None and item.building.estate_id != estate.pk:
        problems.append(_("This building is not in the survey's estate."))
    return problems


@transaction.atomic
def suggestions_add(
    *, round: SurveyRound, items: list[SuggestionInput], by=None
) -> list[Suggestion]:
    """Add suggestions to a round, numbered after its last, all or none: one bad item
    refuses the lot (saying which), so a pasted list is never half saved."""
    _require(
        by,
        ADD,
        Suggestion,
        round.estate,
        out_of_scope=_("You cannot add suggestions to this survey."),
    )
    items = list(items)
    if not items:
        raise MoveRefused(_("There are no suggestions to add."), Refusal.INVALID)
    if len(items) > MAX_SUGGESTIONS_AT_ONCE:
        raise MoveRefused(
            _("At most %(max)d suggestions can be added at once.")
            % {"max": MAX_SUGGESTIONS_AT_ONCE},
            Refusal.INVALID,
        )
    for position, item in enumerate(items, start=1):
        problems = suggestion_problems(item, estate=round.estate)
        if problems:
            raise MoveRefused(
                _("Suggestion %(n)d: %(problems)s")
                % {"n": position, "problems": " ".join(problems)},
                Refusal.INVALID,
            )
    # The round's row is locked while numbering: two clerks adding at once take turns.
    SurveyRound.objects.select_for_update().filter(pk=round.pk).first()
    last = round.suggestions.aggregate(last=Max("number"))["last"] or 0
    return Suggestion.objects.bulk_create(
        [
            Suggestion(
                round=round,
                number=last + position,
                text=item.text.strip(),
                category=item.category,
                building=item.building,
            )
            for position, item in enumerate(items, start=1)
        ]
    )


def task_remind_at(due_on: date) -> datetime:
    """When the owner is reminded (tracked_work.remind_at)."""
    return tracked_work.remind_at(due_on)


def task_title(text: str) -> str:
    """A task's title from a suggestion: its first line, cut to fit."""
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    if len(first) > TASK_TITLE_LENGTH:
        first = first[: TASK_TITLE_LENGTH - 1] + "…"
    return first


_check_owner = tracked_work.check_owner
_check_due = tracked_work.check_due


def _task_may(by, task_estate: Estate, action=CHANGE) -> None:
    _require(by, action, SurveyTask, task_estate, out_of_scope=_("This task is not in your area."))


# Survey tasks as tracked work (zeroindex.tracked_work): their moves and reminders.
SURVEY_TASKS = tracked_work.TrackedKind(
    model=SurveyTask,
    event_model=SurveyTaskEvent,
    event_field="task",
    open=TaskStatus.OPEN,
    in_progress=TaskStatus.IN_PROGRESS,
    done=TaskStatus.DONE,
    dropped=TaskStatus.DROPPED,
    may=lambda by, task: _task_may(by, task.estate),
    words=tracked_work.Words(
        already=gettext_lazy("This task is already %(status)s."),
        changed=gettext_lazy("Someone changed this task meanwhile; try again."),
        drop_reason=gettext_lazy("Say why the task is dropped."),
        same_owner=gettext_lazy("The task is already theirs."),
        same_due=gettext_lazy("The task is already due on that day."),
    ),
    notification=Notification.Kind.TASK_REMINDER,
    key="task",
    related=("estate", "suggestion__round"),
)


@transaction.atomic
def task_create_from_suggestions(
    *, suggestions, owner, due_on: date, by=None, at: datetime | None = None
) -> list[SurveyTask]:
    """Make a task of each suggestion that has none yet (those that have one are left as
    they are), all of one estate, with one owner and due date. Returns the new tasks."""
    suggestions = list(suggestions)
    if not suggestions:
        raise MoveRefused(_("Choose at least one suggestion."), Refusal.INVALID)
    rounds = {s.round_id for s in suggestions}
    estates = set(
        SurveyRound.objects.filter(pk__in=rounds).values_list("estate_id", flat=True).distinct()
    )
    if len(estates) != 1:
        raise MoveRefused(_("Choose suggestions of one estate at a time."), Refusal.INVALID)
    estate = Estate.objects.get(pk=estates.pop())
    _task_may(by, estate, ADD)
    now = at or timezone.now()
    _check_owner(owner, estate)
    _check_due(due_on, now)
    taken = set(
        SurveyTask.objects.filter(suggestion__in=suggestions).values_list(
            "suggestion_id", flat=True
        )
    )
    fresh = [s for s in suggestions if s.pk not in taken]
    try:
        with transaction.atomic():
            tasks = SurveyTask.objects.bulk_create(
                [
                    SurveyTask(
                        suggestion=s,
                        estate=estate,
                        title=task_title(s.text),
                        owner=owner,
                        due_on=due_on,
                        created_at=now,
                        remind_at=task_remind_at(due_on),
                    )
                    for s in fresh
                ]
            )
    except IntegrityError:  # another clerk made a task of one of them meanwhile
        raise MoveRefused(
            _("Some of these suggestions were just made into tasks by someone else."),
            Refusal.CONFLICT,
        ) from None
    if tasks and tasks[0].pk is None:  # backends that do not return ids of a bulk insert
        tasks = list(SurveyTask.objects.filter(suggestion__in=fresh).order_by("pk"))
    SurveyTaskEvent.objects.bulk_create(
        [
            SurveyTaskEvent(
                task=task,
                actor=by,
                created_at=now,
                from_status="",
                to_status=TaskStatus.OPEN,
                data={
                    "suggestion": task.suggestion_id,
                    "owner": owner.pk,
                    "due_on": due_on.isoformat(),
                },
            )
            for task in tasks
        ]
    )
    return tasks


def task_create_from_suggestion(
    *, suggestion: Suggestion, owner, due_on: date, by=None, at: datetime | None = None
) -> SurveyTask:
    """One suggestion's task (refused if it has one already)."""
    tasks = task_create_from_suggestions(
        suggestions=[suggestion], owner=owner, due_on=due_on, by=by, at=at
    )
    if not tasks:
        raise MoveRefused(_("This suggestion already has a task."), Refusal.CONFLICT)
    return tasks[0]


def _task_move(task: SurveyTask, by, **move) -> SurveyTask:
    return tracked_work.move(SURVEY_TASKS, task, by, **move)


def task_start(*, task: SurveyTask, by=None, at: datetime | None = None) -> SurveyTask:
    """Work has begun on an open task."""
    return tracked_work.start(SURVEY_TASKS, task, by=by, at=at)


def task_done(
    *, task: SurveyTask, note: str = "", by=None, at: datetime | None = None
) -> SurveyTask:
    """The task is done (no more reminders)."""
    return tracked_work.done(SURVEY_TASKS, task, note=note, by=by, at=at)


def task_drop(*, task: SurveyTask, reason: str, by=None, at: datetime | None = None) -> SurveyTask:
    """The task will not be done, and why (told to the residents at the next meeting)."""
    return tracked_work.drop(SURVEY_TASKS, task, reason=reason, by=by, at=at)


def task_reassign(*, task: SurveyTask, owner, by=None, at: datetime | None = None) -> SurveyTask:
    """Give the task to another owner, who is reminded afresh before the due date."""
    return tracked_work.reassign(SURVEY_TASKS, task, owner=owner, estate=task.estate, by=by, at=at)


def task_set_due(
    *, task: SurveyTask, due_on: date, by=None, at: datetime | None = None
) -> SurveyTask:
    """A new due date; the reminder moves with it."""
    return tracked_work.set_due(SURVEY_TASKS, task, due_on=due_on, by=by, at=at)


@transaction.atomic
def task_to_appeal(
    *,
    task: SurveyTask,
    category: AppealCategory | None = None,
    by=None,
    at: datetime | None = None,
) -> SurveyTask:
    """File the task's suggestion as an appeal in the Five Meetings (source: survey), with its
    text, category (the suggestion's, or the one given when it has none) and building, and
    link it on the task. The task becomes "in progress": the appeal is how it is being done,
    and its owner still answers for it (and is reminded) until someone marks it done."""
    now = at or timezone.now()
    _task_may(by, task.estate)
    suggestion = task.suggestion
    category = category or suggestion.category
    if category is None:
        raise MoveRefused(
            _("Choose a category: the suggestion has none, and an appeal needs one."),
            Refusal.INVALID,
        )
    if task.appeal_id:
        raise MoveRefused(_("This task is already an appeal."), Refusal.CONFLICT)
    appeal = appeal_submit(
        estate=task.estate,
        category=category,
        title=task.title[: Appeal._meta.get_field("title").max_length],
        description=suggestion.text,
        source=Source.SURVEY,
        building=suggestion.building,
        by=by,
        at=at,
    )
    return _task_move(
        task,
        by,
        now=now,
        to=TaskStatus.IN_PROGRESS,
        fields={"appeal": appeal},
        data={"appeal": appeal.pk, "code": appeal.code},
        extra_filter={"appeal": None},
    )
