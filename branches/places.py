"""Where a report is: the estate, and the building if one is named, that a position, a typed
address or a building's number points to, among the estates a caller may file in. The
Open311 API (issue 13) calls these; each runs the same few queries whatever the number of
estates and buildings.

A position (`nearest_place`): the database keeps the rows inside a box around the point (on
the coordinates' indexes) and orders them by the squared distance on a plane whose longitude
is shrunk by the cosine of the point's latitude (at a few hundred metres this orders as the
true distance does); Python then computes the great-circle distance (haversine) of the one
row found. Coordinates are WGS 84, as GPS gives them. Near the poles and across the 180th
meridian the box is cut short: no estate is there.

An address (`place_by_address`): the estate whose name, or address, is the longest part of
the text, then the building of that estate whose name is the longest part of what remains.
A number in a name only matches a whole number in the text ("3栋" is not in "13栋").

A building's number (`place_by_building_id`): its id, the one the public appeal form and the
QR posters use."""

import math
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Greatest, Length, Replace, StrIndex

from .models import Building, Estate

EARTH_RADIUS_M = 6_371_008.8  # the mean radius
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180  # of latitude, about 111 km

ADDRESS_MAX = 200  # characters of a typed address looked at
ESTATE_CANDIDATES = 20  # estates whose name is in the text, checked for whole numbers
ID = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() takes "²" and "٣"
ID_MAX = 2**63 - 1  # what a database integer holds (SQLite, PostgreSQL bigint)


@dataclass(frozen=True)
class Place:
    estate: Estate
    building: Building | None
    metres: float  # from the position asked about; 0.0 for an address or a building id


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _point(latitude, longitude) -> tuple[float, float]:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValueError("latitude and longitude must be numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise ValueError("latitude is within -90..90 and longitude within -180..180")
    return lat, lon


def _nearest(rows, lat: float, lon: float, within_m: float):
    """The row of `rows` (estates or buildings) nearest to the point and within `within_m`
    metres, with its distance; (None, None) if there is none. One query."""
    shrink = math.cos(math.radians(lat))
    # The box holds the circle; the margin covers the six decimals the columns keep.
    dlat = within_m / METRES_PER_DEGREE * 1.01 + 1e-5
    box = Q(latitude__gte=max(-90.0, lat - dlat), latitude__lte=min(90.0, lat + dlat))
    if shrink * 180 > dlat:  # else the circle reaches a pole: every longitude is near
        dlon = dlat / shrink
        box &= Q(longitude__gte=max(-180.0, lon - dlon), longitude__lte=min(180.0, lon + dlon))
    north = Cast("latitude", FloatField()) - Value(lat)
    east = (Cast("longitude", FloatField()) - Value(lon)) * Value(shrink)
    row = (
        rows.filter(box)
        .alias(plane_distance=north * north + east * east)
        .order_by("plane_distance", "pk")
        .first()
    )
    if row is None:
        return None, None
    metres = haversine_m(lat, lon, float(row.latitude), float(row.longitude))
    return (row, metres) if metres <= within_m else (None, None)


def nearest_place(latitude, longitude, *, estates, within_m: float | None = None) -> Place | None:
    """The nearest building with coordinates of `estates` (a queryset of the estates the
    caller may file in) within `within_m` metres (default: OPEN311_NEAREST_METRES); if no
    building is that close, the nearest such estate (building None); else None. Two queries
    at most. A position off the globe (or not a number) is a ValueError."""
    lat, lon = _point(latitude, longitude)
    within_m = float(settings.OPEN311_NEAREST_METRES if within_m is None else within_m)
    if not (math.isfinite(within_m) and within_m > 0):
        raise ValueError("within_m must be a positive number of metres")
    scope = estates.values("pk")
    buildings = Building.objects.filter(estate__in=scope).select_related("estate")
    building, metres = _nearest(buildings, lat, lon, within_m)
    if building is not None:
        return Place(estate=building.estate, building=building, metres=metres)
    estate, metres = _nearest(Estate.objects.filter(pk__in=scope), lat, lon, within_m)
    if estate is not None:
        return Place(estate=estate, building=None, metres=metres)
    return None


def _squeezed(text: str) -> str:
    """Compatibility forms folded (fullwidth "３" is "3") and every space taken out."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _find(part: str, text: str) -> int:
    """Where `part` first stands in `text` with no digit glued to a number at either of its
    ends ("3栋" is in "1号3栋" but not in "13栋"); -1 if nowhere."""
    if not part:
        return -1
    start = text.find(part)
    while start != -1:
        end = start + len(part)
        glued_before = part[0].isdigit() and start > 0 and text[start - 1].isdigit()
        glued_after = part[-1].isdigit() and end < len(text) and text[end].isdigit()
        if not (glued_before or glued_after):
            return start
        start = text.find(part, start + 1)
    return -1


def _estate_in(text: str, estates):
    """The estate of `estates` whose name or address is the longest part of `text`, and
    where that part stands ((None, -1, 0) when there is none). One query: the database finds
    the estates whose name or address is in the text, longest first; Python checks the
    numbers' ends. Two estates of one name (in two communities): the one whose community is
    named in the text too, else the first made."""
    typed = Value(text, output_field=CharField())
    name = Replace(F("name"), Value(" "), Value(""))
    address = Replace(F("address"), Value(" "), Value(""))
    rows = (
        Estate.objects.filter(pk__in=estates.values("pk"))
        .alias(
            name_at=StrIndex(typed, name),
            address_at=StrIndex(typed, address),
            name_length=Length(name),
            address_length=Length(address),
        )
        .alias(
            matched=Greatest(
                Case(When(name_length__gt=0, name_at__gt=0, then="name_length"), default=0),
                Case(
                    When(address_length__gt=0, address_at__gt=0, then="address_length"),
                    default=0,
                ),
            )
        )
        .filter(matched__gt=0)
        .select_related("community")
        .order_by("-matched", "pk")[:ESTATE_CANDIDATES]
    )
    best, best_key, found = None, None, (-1, 0)
    for estate in rows:
        for part in (_squeezed(estate.name), _squeezed(estate.address)):
            at = _find(part, text)
            if at == -1:
                continue
            key = (len(part), _find(_squeezed(estate.community.name), text) != -1, -estate.pk)
            if best_key is None or key > best_key:
                best, best_key, found = estate, key, (at, len(part))
    return best, *found


def place_by_address(text: str, *, estates) -> Place | None:
    """The estate of `estates` named in a typed address ("新城景苑3栋", "光达社区 新城景苑
    3栋"; its name or its address field), with the building of that estate named in the rest
    of the text, or None (metres 0.0). Two queries at most; only the first ADDRESS_MAX
    characters are read."""
    typed = _squeezed(str(text or ""))[:ADDRESS_MAX]
    if not typed:
        return None
    estate, at, length = _estate_in(typed, estates)
    if estate is None:
        return None
    # The rest of the text, cut where the estate's name stood: no building's name may run
    # across it.
    rest = typed[:at] + "\n" + typed[at + length :]
    building, best = None, None
    for candidate in Building.objects.filter(estate=estate).order_by("pk"):
        name = _squeezed(candidate.name)
        if _find(name, rest) != -1 and (best is None or len(name) > best):
            building, best = candidate, len(name)
    if building is not None:
        building.estate = estate  # the same object: no query to read it again
    return Place(estate=estate, building=building, metres=0.0)


def _row_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and ID.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= ID_MAX else None


def place_by_building_id(value, *, estates) -> Place | None:
    """The building whose id (the number on its QR poster and in the appeal form's links)
    is `value`, if it is in one of `estates`; None for anything that is not a positive whole
    number a database integer holds, or no such building there (metres 0.0). One query at
    most."""
    number = _row_id(value)
    if number is None:
        return None
    building = (
        Building.objects.filter(pk=number, estate__in=estates.values("pk"))
        .select_related("estate")
        .first()
    )
    if building is None:
        return None
    return Place(estate=building.estate, building=building, metres=0.0)
