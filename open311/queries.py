"""The reads of the Open311 API: services and service requests, each a fixed number of
queries whatever the number of appeals. What a request shows is what the public tracking
page shows (title, place, category, status, public notes, dates): never a name, a phone,
the resident's own text, internal notes or photos."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from branches.names import localized
from meetings.models import Appeal, AppealCategory, AppealEvent, Status
from meetings.queries import public_status

from .formats import w3c


def services() -> QuerySet[AppealCategory]:
    """The categories offered on the public form, as services; a service's code is the
    category's id, so it stays the same when the category is renamed."""
    return AppealCategory.objects.filter(active=True).order_by("position", "name")


def service_by_code(code: str) -> AppealCategory | None:
    if not isinstance(code, str) or not code.isascii() or not code.isdigit() or len(code) > 9:
        return None
    return services().filter(pk=int(code)).first()


def service_json(category: AppealCategory) -> dict:
    return {
        "service_code": str(category.pk),
        "service_name": localized(category.name, category.name_en),
        "description": localized(category.name, category.name_en),
        # Every service takes the appeal's one-line title as an attribute (GeoReport has
        # none): see definition().
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


TITLE_ATTRIBUTE = "title"


def definition(category: AppealCategory) -> dict:
    """The attributes a service takes beyond GeoReport's own fields."""
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": TITLE_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": _("At most 100 characters."),
                "order": 1,
                "description": _(
                    "The problem in one line, as residents and staff will see it. When it "
                    "is not given, the first line of the description is used."
                ),
            }
        ],
    }


def _latest(events: QuerySet, field: str) -> Subquery:
    return Subquery(events.order_by("-created_at", "-pk").values(field)[:1])


def requests_with_status() -> QuerySet[Appeal]:
    """Appeals with what a service request shows, in one query: the place, category and
    department joined; the time of the last event, of the last status change and of the
    last public note, with that note."""
    events = AppealEvent.objects.filter(appeal=OuterRef("pk"))
    noted = events.exclude(public_note="")
    moved = events.exclude(to_status="")
    return Appeal.objects.select_related(
        "estate__community", "building", "category", "department"
    ).annotate(
        updated_at=_latest(events, "created_at"),
        note=_latest(noted, "public_note"),
        noted_at=_latest(noted, "created_at"),
        moved_at=_latest(moved, "created_at"),
    )


def open_or_closed(values: set[str]) -> Q:
    if values == {"open"}:
        return ~Q(status=Status.CLOSED)
    if values == {"closed"}:
        return Q(status=Status.CLOSED)
    return Q()


@dataclass(frozen=True)
class Coordinates:
    latitude: float | None
    longitude: float | None


def _coordinates(appeal: Appeal) -> Coordinates:
    for place in (appeal.building, appeal.estate):
        if place is not None and place.latitude is not None:
            return Coordinates(float(place.latitude), float(place.longitude))
    return Coordinates(None, None)


def status_notes(appeal: Appeal, note: str | None, noted_at, moved_at) -> str:
    """Where the appeal stands, in the tracking page's words, and the note staff wrote for
    residents if it is not older than the last change of status."""
    text = public_status(appeal)
    if note and (moved_at is None or noted_at >= moved_at):
        return _("%(status)s. %(note)s") % {"status": text.rstrip(".。"), "note": note}
    return text


def address_of(appeal: Appeal) -> str:
    parts = [appeal.estate.community.name, appeal.estate.name]
    if appeal.building is not None:
        parts.append(appeal.building.name)
    return " ".join(parts)


def request_json(appeal: Appeal) -> dict:
    """One appeal as a GeoReport service request (from requests_with_status())."""
    where = _coordinates(appeal)
    department = appeal.department
    closed = appeal.status == Status.CLOSED
    updated: datetime | None = getattr(appeal, "updated_at", None) or appeal.created_at
    return {
        "service_request_id": appeal.display_code,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(
            appeal, appeal.note, getattr(appeal, "noted_at", None), appeal.moved_at
        ),
        "service_name": localized(appeal.category.name, appeal.category.name_en),
        "service_code": str(appeal.category_id),
        "description": appeal.title,
        "agency_responsible": (
            localized(department.name, department.name_en)
            if department is not None
            else appeal.estate.community.name
        ),
        "service_notice": "",
        "requested_datetime": w3c(appeal.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": None if closed else w3c(appeal.next_due_at),
        "address": address_of(appeal),
        "address_id": str(appeal.building_id) if appeal.building_id else None,
        "zipcode": None,
        "lat": where.latitude,
        "long": where.longitude,
        "media_url": None,
    }
