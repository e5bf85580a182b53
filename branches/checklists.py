"""The five-standards checklist (五化 standards) of a branch for a year: every write.

A checklist moves draft → submitted → reviewed, and never back:

- **open** (`checklist_open`): the estate's secretary or its community's staff open the
  checklist of a year; it gets one entry per *active* template item (`StandardItem`), so a
  later change to the template leaves the checklists already opened as they were (an item
  is never deleted, only put out of use). A branch has at most one checklist a year.
- **the automatic items** (`checklist_refresh_auto`): an item whose `auto_check` is set is
  filled in from the data (`auto_met`: met, not met, or None while nothing is due yet, and
  `auto_note` saying what was found). They are refreshed when the checklist is opened, on
  demand while it is a draft, and once more at submission; then they stay as submitted.
  The finding never sets the branch's score: an item's text asks more than the system sees
  (a "full branch committee" is more than a secretary; meetings held are not yet meetings
  that were any good), so the finding stands beside the score as a fact the branch scores
  against and the community reviews against.
- **self-assessment** (`checklist_entry_assess`): evidence (text, and a file or photo kept
  in private storage), and the branch's score 0..the item's full score; only while a draft.
- **submit** (`checklist_submit`): the secretary or community staff, every item scored;
  the entries are then read-only for the branch.
- **review** (`checklist_entry_review`, `checklist_review`): community staff only (the
  branch does not grade itself; the town committee reads), a score 0..full per item while
  submitted; the review is finished when every item has its score.

Who may do what now is answered by `checklist_moves_open`, which the admin asks.

**Meetings held as expected** (AutoCheck.MEETINGS_HELD), exactly: for every kind of
organisational meeting with an expected frequency (`OrgMeetingKind.every_months` = n), the
year is cut into periods of n months from January (monthly: 12 periods; quarterly: Jan–Mar,
Apr–Jun, …; yearly: one). A period is *expected* once it has ended (in local time,
Asia/Shanghai) by the day of the check, and not before the branch was founded. A branch-level
kind needs, in every expected period, at least one meeting of that kind by the branch (no
group); a group-level kind needs one by *each* building group the estate has now. A meeting
counts in the period of its local date. Met when no expected period lacks its meeting;
not met names the missing ones by kind (and group) and months ("党小组会 1栋党小组 03, 07";
a quarter "07–09"), cut at the note's 300 characters; None while no period has ended yet
(early January of the year itself).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import ExtractMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import (
    AutoCheck,
    BuildingGroup,
    Checklist,
    ChecklistEntry,
    Estate,
    Member,
    OrgMeeting,
    OrgMeetingKind,
    ServiceStation,
    StaffRole,
    StaffScope,
    StandardItem,
)
from .scope import ADD, CHANGE, checklists_for, estates_for, may, staff_scope

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx")
NOTE_MAX = 300  # ChecklistEntry.auto_note


class ChecklistRefused(Exception):
    """A move the user may not make now, with the reason shown to them."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- who may -----------------------------------------------------------------------------


def _is_community_staff(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    scope = staff_scope(user)
    return scope is not None and scope.role == StaffRole.COMMUNITY_STAFF


def _sees(user, checklist: Checklist) -> bool:
    return checklists_for(user).filter(pk=checklist.pk).exists()


MOVES = ("refresh", "assess", "submit", "review_scores", "review")


def checklist_moves_open(*, checklist: Checklist, user) -> dict[str, bool]:
    """Which moves `user` may make on `checklist` now: refresh the automatic items, assess
    (evidence and the branch's scores), submit, enter review scores, finish the review.
    One answer for the admin page and the services alike."""
    if not (may(user, CHANGE, ChecklistEntry) and _sees(user, checklist)):
        return dict.fromkeys(MOVES, False)
    draft = checklist.status == Checklist.Status.DRAFT
    submitted = checklist.status == Checklist.Status.SUBMITTED
    reviewer = _is_community_staff(user)
    return {
        "refresh": draft,
        "assess": draft,
        "submit": draft,
        "review_scores": submitted and reviewer,
        "review": submitted and reviewer,
    }


def _check(move: str, checklist: Checklist, user) -> None:
    if not checklist_moves_open(checklist=checklist, user=user)[move]:
        if not _sees(user, checklist):
            raise ChecklistRefused(_("No checklist you can see has this number."))
        status = checklist.get_status_display()
        if move in ("review_scores", "review") and checklist.status == "submitted":
            raise ChecklistRefused(_("Only the community's staff review a branch's checklist."))
        if not may(user, CHANGE, ChecklistEntry):
            raise ChecklistRefused(_("You may read this checklist, not change it."))
        raise ChecklistRefused(
            _("Not possible while the checklist is “%(status)s”.") % {"status": status}
        )


def _locked(checklist: Checklist) -> Checklist:
    """The checklist's row, locked for the move (two clerks: one after the other)."""
    return Checklist.objects.select_for_update().get(pk=checklist.pk)


# --- open -------------------------------------------------------------------------------


def checklist_open(*, estate: Estate, year: int, by) -> Checklist:
    """Open `estate`'s checklist for `year` with an entry per active template item, and
    fill in the automatic items. Refused outside the user's scope, for a role that may not
    add checklists, for a year far off, or when the branch has this year's already."""
    if not (may(by, ADD, Checklist) and estates_for(by).filter(pk=estate.pk).exists()):
        raise ChecklistRefused(_("You may not open a checklist for this branch."))
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year + 1:
        raise ChecklistRefused(
            _("Choose a year between 2000 and %(year)d.") % {"year": this_year + 1}
        )
    items = list(StandardItem.objects.filter(active=True))
    if not items:
        raise ChecklistRefused(_("The five-standards template has no item in use."))
    with transaction.atomic():
        if Checklist.objects.filter(estate=estate, year=year).exists():
            raise ChecklistRefused(
                _("%(estate)s already has its checklist for %(year)d.")
                % {"estate": estate.name, "year": year}
            )
        checklist = Checklist.objects.create(estate=estate, year=year)
        ChecklistEntry.objects.bulk_create(
            ChecklistEntry(checklist=checklist, item=item) for item in items
        )
        _refresh(checklist)
    return checklist


# --- the automatic items ------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    met: bool | None
    note: str


def _clip(text: str) -> str:
    return text if len(text) <= NOTE_MAX else text[: NOTE_MAX - 1] + "…"


def _periods(year: int, every: int, *, today: date, founded: date | None):
    """The expected periods of a year, as (first month, last month): ended by `today` and
    not before the branch was founded."""
    for first in range(1, 13, every):
        last = first + every - 1
        ends = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
        if ends > today:
            continue  # not over yet: not yet due
        if founded is not None and ends <= founded:
            continue  # before the branch existed
        yield first, last


def _period_label(first: int, last: int) -> str:
    """Months of the year: "03" (a month), "07–09" (a quarter), "01–12" (the year)."""
    return f"{first:02d}" if first == last else f"{first:02d}–{last:02d}"


def find_meetings_held(*, estate: Estate, year: int, today: date) -> Finding:
    """AutoCheck.MEETINGS_HELD (the module's docstring says exactly what counts): three
    queries, whatever the number of meetings."""
    kinds = list(OrgMeetingKind.objects.filter(every_months__isnull=False))
    groups = list(BuildingGroup.objects.filter(estate=estate).order_by("name"))
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    held = set(
        OrgMeeting.objects.filter(
            estate=estate, held_at__gte=start, held_at__lt=end, kind__in=kinds
        )
        .annotate(month=ExtractMonth("held_at"))  # in the current (local) time zone
        .values_list("kind_id", "group_id", "month")
        .distinct()
    )
    missing: dict[str, list[str]] = {}  # "kind group" -> its missing periods
    expected = 0
    for kind in kinds:
        units = [None] if kind.level == OrgMeetingKind.Level.BRANCH else groups
        for first, last in _periods(
            year, kind.every_months, today=today, founded=estate.branch_founded
        ):
            for group in units:
                expected += 1
                group_id = group.pk if group else None
                if not any((kind.pk, group_id, m) in held for m in range(first, last + 1)):
                    unit = f"{kind} {group.name}" if group else str(kind)
                    missing.setdefault(unit, []).append(_period_label(first, last))
    if not expected:
        return Finding(None, _("No period has ended yet."))
    if not missing:
        return Finding(
            True, _("Every expected meeting was held (%(count)d periods).") % {"count": expected}
        )
    count = sum(len(periods) for periods in missing.values())
    listed = "; ".join(f"{unit} {', '.join(periods)}" for unit, periods in missing.items())
    return Finding(
        False,
        _clip(
            _("%(year)d: missing %(count)d of %(expected)d: %(list)s")
            % {"year": year, "count": count, "expected": expected, "list": listed}
        ),
    )


def find_station_open(*, estate: Estate) -> Finding:
    station = ServiceStation.objects.filter(estate=estate).first()
    if station is None:
        return Finding(False, _("No service station is recorded."))
    facilities = list(station.facilities.all())
    open_ = [str(f) for f in facilities if f.is_open]
    closed = [str(f) for f in facilities if not f.is_open]
    if not open_:
        return Finding(False, _("The station has no open facility."))
    note = _("%(open)d of %(all)d facilities open.") % {
        "open": len(open_),
        "all": len(facilities),
    }
    if closed:
        note += " " + _("Closed: %(list)s.") % {"list": "、".join(closed)}
    return Finding(True, _clip(note))


def find_group_leaders(*, estate: Estate) -> Finding:
    leaders = Member.objects.filter(group=OuterRef("pk"), is_leader=True, active=True)
    groups = list(
        BuildingGroup.objects.filter(estate=estate)
        .annotate(has_leader=Exists(leaders))
        .order_by("name")
        .values_list("name", "has_leader")
    )
    if not groups:
        return Finding(False, _("The branch has no building group."))
    without = [name for name, has_leader in groups if not has_leader]
    if without:
        return Finding(
            False, _clip(_("Groups without a leader: %(list)s.") % {"list": "、".join(without)})
        )
    return Finding(True, _("All %(count)d groups have their leader.") % {"count": len(groups)})


def find_secretary(*, estate: Estate) -> Finding:
    named = (
        Estate.objects.filter(pk=estate.pk, secretary__is_active=True)
        .values_list("secretary__first_name", "secretary__username")
        .first()
    )
    if named is None:
        named = (
            StaffScope.objects.filter(
                role=StaffRole.BRANCH_SECRETARY, estate=estate, user__is_active=True
            )
            .values_list("user__first_name", "user__username")
            .first()
        )
    if named is None:
        return Finding(False, _("No branch secretary is named."))
    return Finding(True, _("Secretary: %(name)s.") % {"name": named[0] or named[1]})


def find(check: str, *, estate: Estate, year: int, today: date) -> Finding:
    if check == AutoCheck.MEETINGS_HELD:
        return find_meetings_held(estate=estate, year=year, today=today)
    if check == AutoCheck.STATION_OPEN:
        return find_station_open(estate=estate)
    if check == AutoCheck.GROUP_LEADERS:
        return find_group_leaders(estate=estate)
    if check == AutoCheck.SECRETARY:
        return find_secretary(estate=estate)
    raise ValueError(check)


def _refresh(checklist: Checklist, *, today: date | None = None) -> int:
    """Fill in the automatic entries; their notes are written in Chinese, the document
    language, whoever's page asked (they are stored, and read by both languages)."""
    today = today or timezone.localdate()
    entries = list(
        checklist.entries.exclude(item__auto_check="").select_related("item", "checklist__estate")
    )
    found: dict[str, Finding] = {}
    for entry in entries:
        check = entry.item.auto_check
        if check not in found:
            with translation.override(settings.LANGUAGE_CODE):
                found[check] = find(
                    check, estate=checklist.estate, year=checklist.year, today=today
                )
        entry.auto_met, entry.auto_note = found[check].met, found[check].note
    ChecklistEntry.objects.bulk_update(entries, ["auto_met", "auto_note"])
    return len(entries)


def checklist_refresh_auto(*, checklist: Checklist, by, today: date | None = None) -> int:
    """Fill in the automatic items from the data now (while a draft); returns how many."""
    with transaction.atomic():
        checklist = _locked(checklist)
        _check("refresh", checklist, by)
        return _refresh(checklist, today=today)


# --- the branch's self-assessment ---------------------------------------------------------


def _bounded(score, item: StandardItem, field: str) -> None:
    if score is not None and not 0 <= score <= item.max_score:
        raise ValidationError(
            {field: _("Give 0 to %(max)d points.") % {"max": item.max_score}}, code="bounds"
        )


def evidence_file_check(file) -> None:
    """A file of evidence: one of the kinds people scan or photograph, and not too big."""
    if file is None:
        return
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("Send a PDF, a photo (JPEG, PNG) or an Office document (%(kinds)s).")
            % {"kinds": ", ".join(EVIDENCE_EXTENSIONS)},
            code="kind",
        )
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="size")


def checklist_entry_assess(
    *,
    entry: ChecklistEntry,
    by,
    self_score: int | None,
    evidence: str = "",
    evidence_file=None,
    clear_file: bool = False,
) -> ChecklistEntry:
    """The branch's evidence and score for one item, while the checklist is a draft."""
    with transaction.atomic():
        checklist = _locked(entry.checklist)
        _check("assess", checklist, by)
        entry = ChecklistEntry.objects.select_related("item").get(pk=entry.pk)
        _bounded(self_score, entry.item, "self_score")
        evidence_file_check(evidence_file)
        entry.self_score = self_score
        entry.evidence = evidence.strip()
        fields = ["self_score", "evidence"]
        if evidence_file is not None:
            entry.evidence_file = evidence_file
            fields.append("evidence_file")
        elif clear_file and entry.evidence_file:
            entry.evidence_file = ""
            fields.append("evidence_file")
        entry.save(update_fields=fields)
    return entry


def checklist_submit(*, checklist: Checklist, by, at=None) -> Checklist:
    """Send the self-assessment for review: every item scored; the automatic items are
    refreshed one last time. From then on the branch's part is read-only."""
    with transaction.atomic():
        checklist = _locked(checklist)
        _check("submit", checklist, by)
        unscored = checklist.entries.filter(self_score__isnull=True).count()
        if unscored:
            raise ChecklistRefused(
                _("%(count)d items have no self-assessment score yet.") % {"count": unscored}
            )
        _refresh(checklist, today=timezone.localdate(at) if at else None)
        checklist.status = Checklist.Status.SUBMITTED
        checklist.submitted_at = at or timezone.now()
        checklist.save(update_fields=["status", "submitted_at"])
    return checklist


# --- the community's review -----------------------------------------------------------------


def checklist_entry_review(*, entry: ChecklistEntry, by, review_score: int | None):
    """The community's score for one item, while the checklist is submitted."""
    with transaction.atomic():
        checklist = _locked(entry.checklist)
        _check("review_scores", checklist, by)
        entry = ChecklistEntry.objects.select_related("item").get(pk=entry.pk)
        _bounded(review_score, entry.item, "review_score")
        entry.review_score = review_score
        entry.save(update_fields=["review_score"])
    return entry


def checklist_review(*, checklist: Checklist, by, at=None) -> Checklist:
    """Finish the review: every item has the community's score. Final."""
    with transaction.atomic():
        checklist = _locked(checklist)
        _check("review", checklist, by)
        unscored = checklist.entries.filter(review_score__isnull=True).count()
        if unscored:
            raise ChecklistRefused(
                _("%(count)d items have no review score yet.") % {"count": unscored}
            )
        checklist.status = Checklist.Status.REVIEWED
        checklist.reviewed_by = by
        checklist.reviewed_at = at or timezone.now()
        checklist.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return checklist
