"""What a client sends, read and checked: each problem a `Refused` with the HTTP status and
a description the client's developer can act on (GeoReport's error list)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from branches.phones import MAINLAND_MOBILE, normalize_mobile
from meetings.tracking import normalize_code


class Refused(Exception):
    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(description)
        self.status = status
        self.description = str(description)
        self.retry_after = retry_after
        self.headers = headers or {}


def _one(data, name: str) -> str:
    """A parameter's value, '' when absent; control characters (a NUL among them) refused."""
    value = data.get(name, "")
    if not isinstance(value, str):
        return ""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise Refused(400, _("%(name)s holds control characters.") % {"name": name})
    return value.strip()


def _list(data, name: str, *, most: int) -> list[str]:
    values = [v.strip() for v in _one(data, name).split(",") if v.strip()]
    if len(values) > most:
        raise Refused(
            400, _("At most %(most)d values of %(name)s at once.") % {"most": most, "name": name}
        )
    return values


def _moment(data, name: str) -> datetime | None:
    text = _one(data, name)
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "+", 1) if " " in text else text)
    except ValueError:
        moment = None
    if moment is None or not 1900 <= moment.year <= 9000:
        raise Refused(
            400,
            _("%(name)s is not a W3C date and time such as 2026-12-01T00:00:00+08:00.")
            % {"name": name},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # In UTC: PostgreSQL takes no offset beyond ±15:59, which Python's datetimes allow.
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Search:
    codes: list[str]  # tracking codes, as stored; when given the other filters do not apply
    service_codes: list[str]
    start: datetime
    end: datetime
    statuses: set[str]


def search(data) -> Search:
    """GET requests' filters, with the specification's defaults: the last 90 days (setting
    OPEN311_SEARCH_DAYS) and every status and service."""
    codes = []
    for text in _list(data, "service_request_id", most=settings.OPEN311_MAX_IDS):
        code = normalize_code(text)
        if code is None:
            raise Refused(
                400,
                _("%(value)s is not a service_request_id (a tracking code such as K7QF-93MX).")
                % {"value": text[:40]},
            )
        codes.append(code)
    service_codes = _list(data, "service_code", most=100)
    for code in service_codes:
        if not (code.isascii() and code.isdigit() and len(code) <= 9):
            raise Refused(400, _("%(value)s is not a service_code.") % {"value": code[:40]})
    statuses = {s.lower() for s in _list(data, "status", most=2)}
    if not statuses <= {"open", "closed"}:
        raise Refused(400, _("status is open, closed or both (open,closed)."))
    days = timedelta(days=settings.OPEN311_SEARCH_DAYS)
    start, end = _moment(data, "start_date"), _moment(data, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - days
    if end is None:
        end = start + days
    if start > end:
        raise Refused(400, _("start_date is after end_date."))
    if end - start > days:
        raise Refused(
            400,
            _("start_date and end_date may be at most %(days)d days apart.")
            % {"days": settings.OPEN311_SEARCH_DAYS},
        )
    return Search(codes, service_codes, start, end, statuses)


@dataclass(frozen=True)
class Location:
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_string: str = ""
    address_id: str = ""


def _coordinate(text: str, name: str, bound: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not -bound <= value <= bound:
        raise Refused(
            400,
            _("%(name)s is a number of degrees between -%(bound)d and %(bound)d.")
            % {"name": name, "bound": bound},
        )
    return value.quantize(Decimal("0.000001"))


def location(data) -> Location:
    lat, long = _one(data, "lat"), _one(data, "long")
    if lat or long:
        if not (lat and long):
            raise Refused(400, _("Give both lat and long, or neither."))
        return Location(
            latitude=_coordinate(lat, "lat", 90), longitude=_coordinate(long, "long", 180)
        )
    address_id = _one(data, "address_id")
    if address_id:
        # A building's id: ASCII digits ("²" and "१" are digits to str.isdigit, not to int)
        if not (address_id.isascii() and address_id.isdigit()):
            raise Refused(400, _("There is no building with this address_id."))
        return Location(address_id=address_id[:40])
    address = _one(data, "address_string")
    if address:
        return Location(address_string=address[:300])
    raise Refused(
        400,
        _("A location is required: lat and long, address_id (a building's id) or address_string."),
    )


@dataclass(frozen=True)
class Report:
    service_code: str
    description: str
    title: str
    contact_name: str
    contact_phone: str


def report(data) -> Report:
    """A new service request's text and contact; the contact is kept for staff only."""
    service_code = _one(data, "service_code")
    if not service_code:
        raise Refused(400, _("service_code is required."))
    description = _one(data, "description")
    if not description:
        raise Refused(400, _("description is required: what happened, and where."))
    if len(description) > 2000:
        raise Refused(422, _("description is at most 2000 characters."))
    title = _one(data, "attribute[title]")
    if len(title) > 100:
        raise Refused(422, _("attribute[title] is at most 100 characters."))
    if not title:
        title = description.splitlines()[0].strip()[:100]
    name = (_one(data, "last_name") + _one(data, "first_name")).strip()
    if len(name) > 50:
        raise Refused(422, _("first_name and last_name together are at most 50 characters."))
    phone = _one(data, "phone")
    if phone:
        phone = normalize_mobile(phone)
        if not MAINLAND_MOBILE.match(phone):
            raise Refused(
                422, _("phone is an 11-digit mainland mobile number, such as 13812345678.")
            )
    return Report(service_code, description, title, name, phone)
