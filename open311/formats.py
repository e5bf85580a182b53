"""GeoReport v2's two formats, chosen by the URL's extension: JSON and XML, with the element
names of the specification's examples (a list's items are named for its parent: services →
service, service_requests → request, errors → error, …)."""

import json
import re
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def w3c(moment: datetime | None) -> str | None:
    """A moment as the specification writes it (W3C, ISO 8601 with its offset), in local
    time: 2026-12-05T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


# Characters XML 1.0 has no place for, even escaped: the C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF. A text holding one (a content type a
# client sent, echoed in an error) would make the whole document unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _element(name: str, value) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list | tuple):
        for child in value:
            element.append(_element(ITEM_NAMES[name], child))
    else:
        element.text = _text(value)
    return element


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` (a dict or a list) as JSON, or as XML under the element `root`."""
    if fmt == "xml":
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
            _element(root, data), encoding="utf-8", xml_declaration=False
        )
    else:
        body = json.dumps(data, ensure_ascii=False, default=_json_default).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def format_of(path: str) -> str:
    """The format a path asks for (its extension), JSON when it names none we serve."""
    return "xml" if path.endswith(".xml") else "json"


def errors(fmt: str, status: int, *descriptions: str, retry_after: int | None = None):
    """The specification's error list: each error its code (the HTTP status) and a
    description that says what to change."""
    response = render(
        fmt,
        "errors",
        [{"code": status, "description": str(text)} for text in descriptions],
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
