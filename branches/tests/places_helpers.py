"""What the places tests share: points given in metres east and north of one spot in
Huangxing Town, and a way to put an estate or a building there."""

import math
from decimal import Decimal

from branches.places import METRES_PER_DEGREE

ORIGIN = (28.18, 113.13)


def point(east_m: float = 0, north_m: float = 0) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) `east_m` and `north_m` metres from ORIGIN, to six decimals."""
    lat, lon = ORIGIN
    north = lat + north_m / METRES_PER_DEGREE
    east = lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return Decimal(f"{north:.6f}"), Decimal(f"{east:.6f}")


def locate(place, east_m: float = 0, north_m: float = 0):
    """Give an estate or a building its coordinates, saved."""
    place.latitude, place.longitude = point(east_m, north_m)
    place.save(update_fields=["latitude", "longitude"])
    return place
