"""The year end's department evaluation (issue 10, item 2): each department's figures for a
year, its score and grade by the formula in settings, and a written opinion in Chinese,
kept as a draft the town committee reviews.

The formula (settings, `.env.example`):

    score = REVIEW_WEIGHT × mean review score + APPEAL_WEIGHT × referred-appeal result
    referred-appeal result = 100 × (½ × share of referrals solved by their due date
                                    + ½ × share of answered return visits satisfied)

- No review scores in the year: the referred-appeal result alone is the score.
- No referrals in the year: the mean review score alone is the score.
- Neither: "not evaluated", no score.
- Referrals but no answered return visit yet (all fixed late in December, or none fixed):
  the satisfaction half is unknown, not zero, so the on-time share stands alone
  (result = 100 × share solved by the due date). Counting it as zero would grade a
  department down for visits nobody has made yet.

Arithmetic is in Decimal at full precision (the mean review score is the exact sum ÷ count);
the mean, the appeal result and the score are each rounded once, at the end, to 2 places
half up (89.995 → 90.00), and the grade is read from the rounded score, so the figure shown
and the grade always agree. Grades: excellent at EXCELLENT or above, qualified at QUALIFIED
or above, else unqualified.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from branches.scope import CHANGE, may
from meetings.messaging import attachment_store, deliver_after_commit, message_named_recipient
from meetings.models import Department, Notification
from meetings.queries import referral_outcomes, review_means

from .documents import evaluation_pdf
from .models import (
    DepartmentEvaluation,
    EvaluationEvent,
    EvaluationStatus,
    Grade,
    YearEndRecipient,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
HALF = Decimal("0.5")
# The document language: opinions are written in Chinese whatever the reader's language.
DOCUMENT_LANGUAGE = "zh-hans"


def _setting(name: str) -> Decimal:
    return Decimal(str(getattr(settings, name)))


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """What the year's records say of one department."""

    review_count: int = 0
    review_total: int = 0  # the sum of every reviewer's three scores
    referrals: int = 0
    solved_on_time: int = 0
    visits: int = 0
    satisfied: int = 0

    @property
    def review_mean(self) -> Decimal | None:
        """The mean of the reviewers' means, exactly (each reviewer's three scores ÷ 3)."""
        if not self.review_count:
            return None
        return Decimal(self.review_total) / (3 * self.review_count)

    @property
    def on_time_share(self) -> Decimal | None:
        return Decimal(self.solved_on_time) / self.referrals if self.referrals else None

    @property
    def satisfaction_share(self) -> Decimal | None:
        return Decimal(self.satisfied) / self.visits if self.visits else None

    @property
    def appeal_result(self) -> Decimal | None:
        if not self.referrals:
            return None
        if self.satisfaction_share is None:  # no answered visit yet: the on-time share alone
            return HUNDRED * self.on_time_share
        return HUNDRED * (HALF * self.on_time_share + HALF * self.satisfaction_share)


@dataclass(frozen=True)
class Result:
    review_mean: Decimal | None
    appeal_result: Decimal | None
    score: Decimal | None
    grade: str


def grade_of(score: Decimal | None) -> str:
    if score is None:
        return Grade.NOT_EVALUATED
    if score >= _setting("EVALUATION_EXCELLENT"):
        return Grade.EXCELLENT
    if score >= _setting("EVALUATION_QUALIFIED"):
        return Grade.QUALIFIED
    return Grade.UNQUALIFIED


def evaluate(figures: Figures) -> Result:
    """The formula (module docstring): rounded once at the end."""
    review, appeals = figures.review_mean, figures.appeal_result
    if review is not None and appeals is not None:
        score = (
            _setting("EVALUATION_REVIEW_WEIGHT") * review
            + _setting("EVALUATION_APPEAL_WEIGHT") * appeals
        )
    else:
        score = review if review is not None else appeals
    score = _round(score)
    return Result(_round(review), _round(appeals), score, grade_of(score))


# --- The figures of every department, from grouped queries ------------------------------


def review_totals(*, year: int) -> dict[int, tuple[int, int]]:
    """(count, sum of the three scores) of each department's review scores at department
    review meetings held in `year` (local time), from meetings' yearly review figures (one
    grouped query); the sum keeps the mean exact in Decimal."""
    return {d: (m.reviewers, m.total) for d, m in review_means(year=year).items()}


def figures_for_year(*, year: int) -> dict[Department, Figures]:
    """Every active department, and any inactive one with records in the year, with its
    figures (three queries whatever the number of departments or appeals)."""
    reviews = review_totals(year=year)
    outcomes = referral_outcomes(year=year)
    departments = Department.objects.filter(
        Q(active=True) | Q(pk__in=set(reviews) | set(outcomes))
    ).order_by("level", "name")
    figures = {}
    for department in departments:
        count, total = reviews.get(department.pk, (0, 0))
        outcome = outcomes.get(department.pk)
        figures[department] = Figures(
            review_count=count,
            review_total=total,
            referrals=outcome.referrals if outcome else 0,
            solved_on_time=outcome.solved_on_time if outcome else 0,
            visits=outcome.visits if outcome else 0,
            satisfied=outcome.satisfied if outcome else 0,
        )
    return figures


# --- The written opinion ----------------------------------------------------------------

# What the opinion names as a strength or a problem, from the figures (shares in percent).
STRENGTH_AT = Decimal(90)
PROBLEM_BELOW = {"on_time": Decimal(80), "satisfaction": Decimal(80), "review": Decimal(70)}


def _percent(share: Decimal | None) -> Decimal | None:
    return _round(HUNDRED * share) if share is not None else None


def _strengths_and_problems(figures: Figures, result: Result) -> tuple[list, list]:
    """Chosen from the counts and the rounded mean review score (what the draft keeps)."""
    on_time = _percent(figures.on_time_share)
    satisfaction = _percent(figures.satisfaction_share)
    review = result.review_mean
    strengths, problems = [], []
    checks = (
        (
            on_time,
            "on_time",
            _("Referred appeals were solved by their due dates."),
            _("Some referred appeals were solved late or not at all."),
        ),
        (
            satisfaction,
            "satisfaction",
            _("Residents were satisfied with the solutions."),
            _("Residents' satisfaction with the solutions is low."),
        ),
        (
            review,
            "review",
            _("Reviewers rated the department's service highly."),
            _("Reviewers rated the department's service poorly."),
        ),
    )
    for value, name, strength, problem in checks:
        if value is None:
            continue
        if value >= STRENGTH_AT:
            strengths.append(strength)
        elif value < PROBLEM_BELOW[name]:
            problems.append(problem)
    return strengths, problems


def opinion_text(*, department: Department, year: int, figures: Figures, result: Result) -> str:
    """The written opinion, from templates/yearend/opinion.txt, in the document language."""
    strengths, problems = _strengths_and_problems(figures, result)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "yearend/opinion.txt",
            {
                "department": department,
                "year": year,
                "figures": figures,
                "result": result,
                "grade": Grade(result.grade).label,
                "on_time": _percent(figures.on_time_share),
                "satisfaction": _percent(figures.satisfaction_share),
                "strengths": strengths,
                "problems": problems,
            },
        ).strip()


# --- Drafts -----------------------------------------------------------------------------


def _figures_of(evaluation: DepartmentEvaluation) -> tuple[Figures, Result]:
    """The figures and result a draft holds (the review total is not kept: the rounded
    mean stands for it)."""
    figures = Figures(
        review_count=evaluation.review_count,
        referrals=evaluation.referrals,
        solved_on_time=evaluation.solved_on_time,
        visits=evaluation.visits,
        satisfied=evaluation.satisfied,
    )
    result = Result(
        evaluation.review_mean, evaluation.appeal_result, evaluation.score, evaluation.grade
    )
    return figures, result


def _counts(figures: Figures) -> tuple:
    return (
        figures.review_count,
        figures.referrals,
        figures.solved_on_time,
        figures.visits,
        figures.satisfied,
    )


def _edited(evaluation: DepartmentEvaluation) -> bool:
    """Has someone edited this draft's opinion? It differs from what the template writes
    for the figures and result the draft holds. (If the template itself changed since, an
    untouched opinion looks edited and is kept: the safe side.)"""
    figures, result = _figures_of(evaluation)
    written = opinion_text(
        department=evaluation.department, year=evaluation.year, figures=figures, result=result
    )
    return evaluation.opinion.strip() != written


FIGURE_FIELDS = [
    "review_count",
    "review_mean",
    "referrals",
    "solved_on_time",
    "visits",
    "satisfied",
    "appeal_result",
    "score",
    "grade",
    "opinion",
    "opinion_outdated",
    "drafted_at",
]


def _fill(evaluation: DepartmentEvaluation, figures: Figures, at) -> None:
    """Write the figures, score, grade and opinion into a draft. The opinion is rewritten
    only while nobody has edited it (a committee member's words are kept on a refresh)."""
    keep_opinion = evaluation.pk is not None and evaluation.opinion and _edited(evaluation)
    result = evaluate(figures)
    held, held_result = _figures_of(evaluation)
    if keep_opinion and (_counts(held), held_result) != (_counts(figures), result):
        # a person's words are kept, but they speak of the old figures: the page says so
        # until someone saves the opinion again
        evaluation.opinion_outdated = True
    evaluation.review_count = figures.review_count
    evaluation.review_mean = result.review_mean
    evaluation.referrals = figures.referrals
    evaluation.solved_on_time = figures.solved_on_time
    evaluation.visits = figures.visits
    evaluation.satisfied = figures.satisfied
    evaluation.appeal_result = result.appeal_result
    evaluation.score = result.score
    evaluation.grade = result.grade
    evaluation.drafted_at = at
    if not keep_opinion:
        evaluation.opinion_outdated = False
        evaluation.opinion = opinion_text(
            department=evaluation.department, year=evaluation.year, figures=figures, result=result
        )


def evaluations_draft(*, year: int, at=None) -> list[DepartmentEvaluation]:
    """Draft or refresh every department's evaluation for `year`: once per (department,
    year), approved ones untouched. A constant number of queries at any size: the figures
    (three), the existing evaluations (one, locked), one insert and one update."""
    return evaluations_write(year=year, figures=figures_for_year(year=year), at=at)


def evaluations_write(
    *, year: int, figures: dict[Department, Figures], at=None
) -> list[DepartmentEvaluation]:
    """Draft or refresh the evaluations of these departments (some or all of them: the
    year-end run writes them a chunk at a time) from figures already computed."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return _evaluations_write(year=year, figures=figures, at=at)
    except IntegrityError:
        # Another run created some of them between our look and our insert (the same chunk
        # delivered twice at once): they exist now, so this time they are refreshed.
        with transaction.atomic():
            return _evaluations_write(year=year, figures=figures, at=at)


def _evaluations_write(*, year, figures, at) -> list[DepartmentEvaluation]:
    existing = {
        e.department_id: e
        for e in DepartmentEvaluation.objects.select_for_update().filter(
            year=year, department__in=[d.pk for d in figures]
        )
    }
    new, refreshed, result = [], [], []
    for department, its_figures in figures.items():
        evaluation = existing.get(department.pk)
        if evaluation is not None and evaluation.status != EvaluationStatus.DRAFT:
            result.append(evaluation)  # approved: never touched by a run
            continue
        if evaluation is None:
            evaluation = DepartmentEvaluation(department=department, year=year)
            new.append(evaluation)
        else:
            evaluation.department = department  # no query for its name
            refreshed.append(evaluation)
        _fill(evaluation, its_figures, at)
        result.append(evaluation)
    DepartmentEvaluation.objects.bulk_create(new)
    DepartmentEvaluation.objects.bulk_update(refreshed, FIGURE_FIELDS, batch_size=500)
    return result


def evaluation_shown(evaluation: DepartmentEvaluation) -> str:
    """What a page of the evaluation showed: its version, when its figures were drafted and
    its opinion. A page sends it back with a decision; a decision on a page that no longer
    matches (a re-run changed the figures, someone else edited the opinion or reopened and
    re-approved it) is refused rather than taken on what the person never saw. A re-run
    that finds the same figures changes nothing a page showed."""
    held = [evaluation.status, evaluation.version, evaluation.opinion]
    held += [getattr(evaluation, name) for name in FIGURE_FIELDS if name != "drafted_at"]
    return hashlib.sha256(repr(held).encode()).hexdigest()[:32]


def _locked(evaluation: DepartmentEvaluation, shown: str | None) -> DepartmentEvaluation | None:
    """The evaluation's row, locked for the caller's transaction; refuses when `shown` is
    given and the row is no longer what the page showed. None when it is gone."""
    current = DepartmentEvaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
    if current is not None and shown is not None and shown != evaluation_shown(current):
        raise EvaluationRefused(CHANGED_SINCE_SHOWN)
    return current


def evaluation_opinion_set(
    *, evaluation: DepartmentEvaluation, opinion: str, shown: str | None = None
) -> bool:
    """A committee member's words for a draft's opinion; False when it is no longer a draft
    (approved meanwhile), refused when the page it was typed on is stale (`shown`). Saving
    the opinion is reading the figures again: it clears the "figures changed" warning."""
    with transaction.atomic():
        current = _locked(evaluation, shown)
        if current is None or current.status != EvaluationStatus.DRAFT:
            return False
        DepartmentEvaluation.objects.filter(pk=current.pk).update(
            opinion=opinion, opinion_outdated=False
        )
    evaluation.opinion, evaluation.opinion_outdated = opinion, False
    return True


# --- Approval and delivery --------------------------------------------------------------


CHANGED_SINCE_SHOWN = _(
    "This evaluation has changed since you opened it (new figures, or someone else's "
    "decision or edit): read it again on the page shown now."
)


class EvaluationRefused(Exception):
    """A move the service refuses, with a message for the person who tried."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Delivery:
    """What a delivery recorded (`sent`) or an approval queued (`queued`): recipients' names;
    `missing`, those with no address."""

    sent: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    queued: tuple[str, ...] = ()


def may_decide(user) -> bool:
    """The town committee (the role may change evaluations) or a superuser."""
    return may(user, CHANGE, DepartmentEvaluation)


def evaluation_recipients(evaluation: DepartmentEvaluation) -> list[tuple[str, str, str]]:
    """(key, name, e-mail addresses) of the three recipients: the department, the county
    performance office and the town committee (named in the admin; "" when not named)."""
    named = {r.kind: r for r in YearEndRecipient.objects.all()}
    result = [("department", evaluation.department.name, evaluation.department.emails.strip())]
    for kind in YearEndRecipient.Kind:
        recipient = named.get(kind.value)
        name = recipient.name if recipient else str(kind.label)
        result.append((kind.value, name, recipient.emails.strip() if recipient else ""))
    return result


def dedupe_prefix(evaluation: DepartmentEvaluation) -> str:
    """Every message about this evaluation has a key starting so (the admin lists them)."""
    return f"evaluation:{evaluation.pk}:"


def _undelivered(evaluation: DepartmentEvaluation, prefix: str):
    """(recipients with an address still to get this version, names with no address)."""
    done = set(
        Notification.objects.filter(dedupe_key__startswith=prefix).values_list(
            "dedupe_key", flat=True
        )
    )
    recipients = evaluation_recipients(evaluation)
    missing = tuple(name for _key, name, emails in recipients if not emails)
    return [r for r in recipients if r[2] and prefix + r[0] not in done], missing


def evaluation_deliver(*, evaluation: DepartmentEvaluation, by=None) -> Delivery:
    """Record the approved version's e-mail, with its PDF, to each recipient that has an
    address and has not got it yet: once per (evaluation, version, recipient), whatever
    runs twice or at once. The PDF is drawn only when some message is new, outside the
    transaction; the messages are recorded under the evaluation's row lock, for the version
    still approved. Sent after commit."""
    if evaluation.status != EvaluationStatus.APPROVED:
        return Delivery()
    prefix = f"{dedupe_prefix(evaluation)}v{evaluation.version}:"
    todo, missing = _undelivered(evaluation, prefix)
    if not todo:
        return Delivery(missing=missing)
    revision = evaluation.version > 1
    name = f"evaluation-{evaluation.year}-{evaluation.department_id}-v{evaluation.version}.pdf"
    stored = attachment_store(content=evaluation_pdf(evaluation), name=name)
    context = {
        "evaluation": evaluation,
        "department": evaluation.department.name,
        "grade": Grade(evaluation.grade).label,
        "revision": revision,
    }
    sent, ids = [], []
    with transaction.atomic():
        still = (
            DepartmentEvaluation.objects.select_for_update()
            .filter(pk=evaluation.pk, status=EvaluationStatus.APPROVED, version=evaluation.version)
            .exists()
        )
        if not still:  # reopened while the PDF was drawn: its next approval sends the next one
            return Delivery()
        todo, missing = _undelivered(evaluation, prefix)  # another delivery may have won
        if not todo:
            return Delivery(missing=missing)
        for key, recipient, emails in todo:
            message = message_named_recipient(
                Notification.Kind.EVALUATION,
                name=recipient,
                emails=emails,
                dedupe_key=prefix + key,
                context={**context, "recipient": recipient},
                attachment=stored,
                attachment_name=name,
            )
            if message is not None:
                sent.append(recipient)
                ids.append(message.pk)
        note = _("Sent to: %(sent)s.") % {"sent": "、".join(sent) or "—"}
        if missing:
            note += " " + _("No e-mail address, not sent: %(missing)s.") % {
                "missing": "、".join(missing)
            }
        EvaluationEvent.objects.create(
            evaluation=evaluation,
            kind=EvaluationEvent.Kind.DELIVERED,
            version=evaluation.version,
            by=by,
            note=note,
        )
        deliver_after_commit(ids)  # from here: it runs on a worker, beside the PDF it drew
    return Delivery(sent=tuple(sent), missing=missing)


# Approval queues the delivery (drawing the PDF is most of its cost: the workers draw the
# year's hundreds side by side); the sweep below picks up what a broker outage dropped.
DELIVER_TASK = "governance.tasks.evaluation_deliver_approved"
DELIVERY_GRACE = timedelta(minutes=5)


def _queue_delivery(evaluation_id: int, version: int) -> None:
    try:
        current_app.tasks[DELIVER_TASK].apply_async((evaluation_id, version), retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: evaluations_deliver_pending sends it
        logger.warning(
            "could not queue the delivery of evaluation %s; the sweep will send it",
            evaluation_id,
            exc_info=True,
        )


def evaluation_deliver_approved(*, evaluation_id: int, version: int) -> int:
    """The queued delivery of an approval: that version, if it is still the approved one.
    Returns how many messages were recorded."""
    evaluation = (
        DepartmentEvaluation.objects.select_related("department", "approved_by")
        .filter(pk=evaluation_id, version=version, status=EvaluationStatus.APPROVED)
        .first()
    )
    if evaluation is None:  # reopened (or deleted) since
        return 0
    return len(evaluation_deliver(evaluation=evaluation, by=evaluation.approved_by).sent)


def evaluations_deliver_pending(*, now=None) -> int:
    """The sweep: approved evaluations whose version has no delivery recorded some minutes
    after approval (the queued task was lost), delivered now. Returns messages recorded."""
    now = now or timezone.now()
    delivered = EvaluationEvent.objects.filter(
        evaluation=OuterRef("pk"), kind=EvaluationEvent.Kind.DELIVERED, version=OuterRef("version")
    )
    pending = DepartmentEvaluation.objects.filter(
        status=EvaluationStatus.APPROVED, approved_at__lt=now - DELIVERY_GRACE
    ).exclude(Exists(delivered))
    sent = 0
    for evaluation in pending.select_related("department", "approved_by").iterator():
        sent += len(evaluation_deliver(evaluation=evaluation, by=evaluation.approved_by).sent)
    return sent


def evaluations_deliver_missed(*, department_id: int | None = None) -> int:
    """Send each approved evaluation's current version to the recipients it missed for want
    of an address that they have now (a department's address added after approval); once
    each, as on approval. Returns how many messages were recorded."""
    approved = DepartmentEvaluation.objects.filter(status=EvaluationStatus.APPROVED)
    if department_id is not None:
        approved = approved.filter(department_id=department_id)
    sent = 0
    for evaluation in approved.select_related("department", "approved_by").iterator():
        sent += len(evaluation_deliver(evaluation=evaluation).sent)
    return sent


def evaluation_approve(
    *, evaluation: DepartmentEvaluation, by, shown: str | None = None
) -> Delivery:
    """The town committee approves a draft: it is frozen, recorded as approved by `by`, and
    its document delivered once to the department, the county performance office and the
    town committee, queued to be drawn and sent after commit (`queued` names who will get
    it). Of two approvals at once, one wins (a conditional UPDATE); the other is refused."""
    if not may_decide(by):
        raise EvaluationRefused(_("Only the town committee approves evaluations."))
    now = timezone.now()
    with transaction.atomic():
        _locked(evaluation, shown)
        won = DepartmentEvaluation.objects.filter(
            pk=evaluation.pk, status=EvaluationStatus.DRAFT, version=evaluation.version
        ).update(status=EvaluationStatus.APPROVED, approved_by=by, approved_at=now)
        if not won:
            raise EvaluationRefused(
                _("This evaluation is no longer the draft you saw: reload the page.")
            )
        evaluation.refresh_from_db()
        EvaluationEvent.objects.create(
            evaluation=evaluation,
            kind=EvaluationEvent.Kind.APPROVED,
            version=evaluation.version,
            by=by,
            at=now,
        )
        recipients = evaluation_recipients(evaluation)
        version = evaluation.version
        transaction.on_commit(lambda: _queue_delivery(evaluation.pk, version), robust=True)
    return Delivery(
        queued=tuple(name for _key, name, emails in recipients if emails),
        missing=tuple(name for _key, name, emails in recipients if not emails),
    )


def evaluation_reopen(
    *, evaluation: DepartmentEvaluation, by, reason: str, shown: str | None = None
) -> None:
    """A committee member reopens an approved evaluation, saying why (recorded): it is a
    draft again as the next version, and its re-approval delivers that version once."""
    if not may_decide(by):
        raise EvaluationRefused(_("Only the town committee reopens evaluations."))
    reason = (reason or "").strip()
    if not reason:
        raise EvaluationRefused(_("Say why the evaluation is reopened."))
    with transaction.atomic():
        _locked(evaluation, shown)
        reopened = DepartmentEvaluation.objects.filter(
            pk=evaluation.pk, status=EvaluationStatus.APPROVED, version=evaluation.version
        ).update(
            status=EvaluationStatus.DRAFT,
            version=F("version") + 1,
            approved_by=None,
            approved_at=None,
        )
        if not reopened:
            raise EvaluationRefused(
                _("This evaluation is no longer the approved one you saw: reload the page.")
            )
        EvaluationEvent.objects.create(
            evaluation=evaluation,
            kind=EvaluationEvent.Kind.REOPENED,
            version=evaluation.version,
            by=by,
            note=reason,
        )
        evaluation.refresh_from_db()
