"""The roll-up tables behind the committee's figures (meetings.rollups keeps them and says
what each count means): daily ones, and month ones that sum them at the level the
dashboard's reads group by, so a long period reads a few rows per place and month whatever
the number of appeals. Imported by meetings.models; nothing writes these but
meetings.rollups."""

from django.db import models
from django.db.models import Q

from branches.models import Community, Estate


def _count():
    # The database refuses a count below zero (a CHECK) and fills in 0 for a count an
    # UPSERT does not name.
    return models.PositiveIntegerField(default=0, db_default=0)


def _estate():
    # The unique key and the (estate, day) index cover every look-up; no index of its own.
    return models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+", db_index=False)


def _community():
    # The month tables' keys lead with the month; the (community, month) index serves a
    # community's page.
    return models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", db_index=False)


def _category():
    return models.ForeignKey(
        "meetings.AppealCategory", on_delete=models.PROTECT, related_name="+", db_index=False
    )


class AppealCounts(models.Model):
    """The appeals' counts, the same in every table that keeps them (by day or month)."""

    # Cohort: keyed by the day (month) the appeal was received.
    received = _count()
    acknowledged = _count()
    acknowledged_in_time = _count()
    repeat = _count()
    # Flow: keyed by the day (month) of the event.
    declined = _count()
    closed_duplicate = _count()
    withdrawn = _count()
    closed_solved = _count()
    closed_unreachable = _count()
    closed = _count()
    reopened = _count()
    resolved = _count()
    referred = _count()
    extended = _count()

    class Meta:
        abstract = True


class VisitCounts(models.Model):
    """The return visits' counts, the same in every table that keeps them."""

    visits = _count()
    reached = _count()
    not_reached = _count()
    solved = _count()
    satisfaction_answered = _count()
    satisfied = _count()
    basically_satisfied = _count()
    dissatisfied = _count()
    on_time = _count()

    class Meta:
        abstract = True


class AppealDay(AppealCounts):
    """Per local day, estate, category and source: the appeals received that day (and what
    became of their acknowledgement) and the outcomes recorded that day."""

    day = models.DateField()
    estate = _estate()
    category = models.ForeignKey(
        "meetings.AppealCategory", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "estate", "category", "source"], name="appealday_key"
            ),
        ]
        indexes = [models.Index(fields=["estate", "day"], name="appealday_estate_idx")]

    def __str__(self):
        return f"{self.day} {self.estate_id} {self.category_id} {self.source}"


class VisitDay(VisitCounts):
    """Per local day, estate, category and source: the return visits recorded that day."""

    day = models.DateField()
    estate = _estate()
    category = models.ForeignKey(
        "meetings.AppealCategory", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "estate", "category", "source"], name="visitday_key"
            ),
        ]
        indexes = [models.Index(fields=["estate", "day"], name="visitday_estate_idx")]

    def __str__(self):
        return f"{self.day} {self.estate_id} {self.category_id} {self.source}"


class StatusDay(models.Model):
    """Per local day and estate: status changes (and hearing votes) by move and by the type of
    meeting that decided them ("" without one). `move` is the move's name, or "submitted" or
    "hearing_vote"; `from_status` is "" for a submission."""

    day = models.DateField()
    estate = _estate()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    move = models.CharField(max_length=30)
    meeting_type = models.CharField(max_length=20, blank=True)
    n = _count()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "estate", "from_status", "to_status", "move", "meeting_type"],
                name="statusday_key",
            ),
        ]
        indexes = [models.Index(fields=["estate", "day"], name="statusday_estate_idx")]

    def __str__(self):
        return f"{self.day} {self.estate_id} {self.move} {self.n}"


class StatusDuration(models.Model):
    """Per local day and estate: how many appeals left `status` that day after `days` local
    calendar days in it (a histogram: the medians come from it)."""

    day = models.DateField()
    estate = _estate()
    status = models.CharField(max_length=20)
    days = models.IntegerField()
    n = _count()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "estate", "status", "days"], name="statusduration_key"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=0), name="statusduration_days_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["estate", "day"], name="statusduration_estate_idx")]

    def __str__(self):
        return f"{self.day} {self.estate_id} {self.status} {self.days}: {self.n}"


# --- The month level: each row the sum of the daily rows of its local month (the first day
# names it) folded to its key. The estates' own rows serve the per-place figures; the
# breakdowns (category and source, status changes, durations) are kept per community, the
# finest place a town's or a community's page groups them by, so a town's year reads
# 20 communities × 12 months × the breakdown's values. An estate's page reads the daily
# tables (a few hundred rows a year).


class AppealMonth(AppealCounts):
    """Per local month and estate: AppealDay's counts of the month."""

    month = models.DateField()
    estate = _estate()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "estate"], name="appealmonth_key"),
        ]
        indexes = [models.Index(fields=["estate", "month"], name="appealmonth_estate_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.estate_id}"


class VisitMonth(VisitCounts):
    """Per local month and estate: VisitDay's counts of the month."""

    month = models.DateField()
    estate = _estate()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "estate"], name="visitmonth_key"),
        ]
        indexes = [models.Index(fields=["estate", "month"], name="visitmonth_estate_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.estate_id}"


class CategoryMonth(AppealCounts):
    """Per local month, community, category and source: AppealDay's counts of the month."""

    month = models.DateField()
    community = _community()
    category = _category()
    source = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "community", "category", "source"], name="categorymonth_key"
            ),
        ]
        indexes = [models.Index(fields=["community", "month"], name="categorymonth_community_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.community_id} {self.category_id} {self.source}"


class StatusMonth(models.Model):
    """Per local month and community: StatusDay's counts of the month."""

    month = models.DateField()
    community = _community()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    move = models.CharField(max_length=30)
    meeting_type = models.CharField(max_length=20, blank=True)
    n = _count()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "community", "from_status", "to_status", "move", "meeting_type"],
                name="statusmonth_key",
            ),
        ]
        indexes = [models.Index(fields=["community", "month"], name="statusmonth_community_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.community_id} {self.move} {self.n}"


class StatusDurationMonth(models.Model):
    """Per local month and community: StatusDuration's histogram of the month (summing
    histograms keeps the medians exact)."""

    month = models.DateField()
    community = _community()
    status = models.CharField(max_length=20)
    days = models.IntegerField()
    n = _count()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "community", "status", "days"], name="durationmonth_key"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=0), name="durationmonth_days_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["community", "month"], name="durationmonth_community_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.community_id} {self.status} {self.days}: {self.n}"
