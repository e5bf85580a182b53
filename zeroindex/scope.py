"""The scope gate for the Five Zeros' records (see branches.scope): all by their estate."""

from django.db.models import QuerySet

from branches.scope import estate_scoped, register_gate

from .models import Incident, RecordsStart, Suggestion, SurveyRound, SurveyTask


def incidents_for(user) -> QuerySet[Incident]:
    return estate_scoped(Incident.objects.all(), user)


def records_starts_for(user) -> QuerySet[RecordsStart]:
    return estate_scoped(RecordsStart.objects.all(), user)


def survey_rounds_for(user) -> QuerySet[SurveyRound]:
    return estate_scoped(SurveyRound.objects.all(), user)


def suggestions_for(user) -> QuerySet[Suggestion]:
    return estate_scoped(Suggestion.objects.all(), user, estate_field="round__estate")


def survey_tasks_for(user) -> QuerySet[SurveyTask]:
    return estate_scoped(SurveyTask.objects.all(), user)


register_gate(Incident, incidents_for)
register_gate(RecordsStart, records_starts_for)
register_gate(SurveyRound, survey_rounds_for)
register_gate(Suggestion, suggestions_for)
register_gate(SurveyTask, survey_tasks_for)
