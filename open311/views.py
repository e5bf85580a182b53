"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): other systems file appeals
and follow them. Writes go through the same service as the public form (appeal_submit); a
key names the client system and bounds where it may file; searches need a key and see its
scope; a request is read by its tracking code, as on the public tracking page."""

import functools

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db.models import Q
from django.shortcuts import render as render_page
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from branches.models import Estate
from branches.places import nearest_place, place_by_address, place_by_building_id
from governance.db_router import found_on_primary_if_missing
from meetings import ratelimit
from meetings.api_keys import estates_of_key, key_named
from meetings.models import ApiKey, Source
from meetings.moves import MoveRefused
from meetings.services import appeal_submit
from meetings.tracking import normalize_code

from . import params, queries
from .formats import errors, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The date this API's behaviour last changed, for discovery's changeset.
CHANGESET = "2026-12-05T00:00:00+08:00"
HOUR = 60 * 60
LOOKUP_WINDOW = 10 * 60  # the public tracking page's window (meetings.views.TRACK_WINDOW)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _api(view):
    """Every API view: the format from the URL, never cached, no CSRF (no cookies: a key),
    and a refusal or unreadable request as the specification's error list, never a 500."""

    @csrf_exempt
    @never_cache
    def wrapped(request, fmt, **kwargs):
        try:
            return view(request, fmt, **kwargs)
        except params.Refused as refused:
            response = errors(
                fmt, refused.status, refused.description, retry_after=refused.retry_after
            )
            for name, value in refused.headers.items():
                response[name] = value
            return response
        except MoveRefused as refused:
            return errors(fmt, refused.kind.value, refused.message)
        except (RequestDataTooBig, TooManyFieldsSent):
            return errors(fmt, 400, _("The request is too large."))
        except SuspiciousOperation:
            return errors(fmt, 400, _("The request could not be read."))

    return wrapped


def _method(request, *allowed: str):
    if request.method not in allowed:
        raise params.Refused(
            405,
            _("Use %(methods)s here.") % {"methods": ", ".join(allowed)},
            headers={"Allow": ", ".join(allowed)},  # a 405 names what is allowed (RFC 9110)
        )


def _key(request, data, *, required: bool) -> ApiKey | None:
    text = data.get("api_key", "") if hasattr(data, "get") else ""
    if not text:
        if required:
            raise params.Refused(403, _("api_key is required. Ask the county for a key."))
        return None
    key = key_named(text)
    if key is None:
        raise params.Refused(403, _("This api_key is not valid."))
    if key.revoked_at is not None:
        raise params.Refused(403, _("This api_key was revoked."))
    return key


def _limit(request, bucket: str, *, key: ApiKey | None, limit: int, window: int, uses=1):
    """Claim `uses` of a limit counted per key, or per client address without one; all of
    them or none (the count stays the number of uses that went ahead)."""
    if not ratelimit.claim(
        bucket, request, limit=limit, window_seconds=window, who=_who(key), uses=uses
    ):
        raise params.Refused(
            429,
            _("Too many requests: at most %(limit)d in %(minutes)d minutes. Try again later.")
            % {"limit": limit, "minutes": window // 60},
            retry_after=window,
        )


def _who(key: ApiKey | None) -> str:
    return f"key{key.pk}" if key else ""


@_api
def discovery(request, fmt):
    _method(request, "GET", "HEAD")
    base = request.build_absolute_uri(reverse("open311_root"))
    return render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _(settings.OPEN311_CONTACT),
            "key_service": _(settings.OPEN311_KEY_SERVICE),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rstrip("/"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@_api
def service_list(request, fmt):
    _method(request, "GET", "HEAD")
    return render(fmt, "services", [queries.service_json(c) for c in queries.services()])


@_api
def service_definition(request, fmt, code):
    _method(request, "GET", "HEAD")
    category = queries.service_by_code(code)
    if category is None:
        raise params.Refused(404, _("There is no service with this service_code."))
    return render(fmt, "service_definition", queries.definition(category))


@_api
def requests(request, fmt):
    _method(request, "GET", "HEAD", "POST")
    if request.method == "POST":
        return _file(request, fmt)
    data = request.GET
    search = params.search(data)
    key = _key(request, data, required=not search.codes)
    found = queries.requests_with_status()
    if search.codes:
        if key is not None:
            _limit(request, "open311-read", key=key, limit=settings.OPEN311_KEY_READS, window=HOUR)
        else:  # each code a look-up, counted as the tracking page counts them
            _limit(
                request,
                "track",
                key=None,
                limit=settings.APPEAL_TRACK_LIMIT,
                window=LOOKUP_WINDOW,
                uses=len(search.codes),
            )
        found = found_on_primary_if_missing(
            found.filter(code__in=search.codes).order_by("-created_at", "-pk"),
            wanted=len(set(search.codes)),
        )
    else:
        _limit(request, "open311-read", key=key, limit=settings.OPEN311_KEY_READS, window=HOUR)
        found = found.filter(
            estate__in=estates_of_key(key),
            created_at__gte=search.start,
            created_at__lte=search.end,
        )
        if search.service_codes:
            found = found.filter(category_id__in=[int(c) for c in search.service_codes])
        found = found.filter(queries.open_or_closed(search.statuses) or Q())
        found = found.order_by("-created_at", "-pk")[: settings.OPEN311_MAX_RESULTS]
    return render(fmt, "service_requests", [queries.request_json(a) for a in found])


@_api
def request_detail(request, fmt, code):
    _method(request, "GET", "HEAD")
    key = _key(request, request.GET, required=False)
    if key is not None:
        _limit(request, "open311-read", key=key, limit=settings.OPEN311_KEY_READS, window=HOUR)
    else:
        _limit(request, "track", key=None, limit=settings.APPEAL_TRACK_LIMIT, window=LOOKUP_WINDOW)
    stored = normalize_code(code)
    found = (
        found_on_primary_if_missing(queries.requests_with_status().filter(code=stored), wanted=1)
        if stored
        else []
    )
    if not found:
        raise params.Refused(404, _("There is no service request with this id."))
    return render(fmt, "service_requests", [queries.request_json(found[0])])


def _place(location: params.Location):
    estates = Estate.objects.all()
    if location.latitude is not None:
        place = nearest_place(
            location.latitude,
            location.longitude,
            estates=estates,
            within_m=settings.OPEN311_NEAREST_METRES,
        )
        if place is None:
            raise params.Refused(
                400,
                _("No estate or building is within %(metres)d metres of this point.")
                % {"metres": settings.OPEN311_NEAREST_METRES},
            )
        return place
    if location.address_id:
        place = place_by_building_id(location.address_id, estates=estates)
        if place is None:
            raise params.Refused(400, _("There is no building with this address_id."))
        return place
    place = place_by_address(location.address_string, estates=estates)
    if place is None:
        raise params.Refused(
            400, _("No estate's name is in address_string: give the estate and the building.")
        )
    return place


def _file(request, fmt):
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise params.Refused(
            400,
            _("Send the fields as application/x-www-form-urlencoded (GeoReport v2), not %(type)s.")
            % {"type": content_type[:60] or _("no content type")},
        )
    data = request.POST
    key = _key(request, data, required=True)
    report = params.report(data)
    category = queries.service_by_code(report.service_code)
    if category is None:
        raise params.Refused(404, _("There is no service with this service_code."))
    place = _place(params.location(data))
    _limit(request, "open311-write", key=key, limit=settings.OPEN311_KEY_WRITES, window=HOUR)
    try:
        appeal = appeal_submit(
            estate=place.estate,
            building=place.building,
            category=category,
            title=report.title,
            description=report.description,
            source=Source.API,
            api_key=key,
            contact_name=report.contact_name,
            contact_phone=report.contact_phone,
            # The client system collected the contact and the resident's agreement (the terms
            # it accepted with its key).
            consent=bool(report.contact_phone),
            language=get_language(),
        )
    except MoveRefused:
        # refused (a place outside the key's scope): not a filing, so not one of its writes
        ratelimit.give_back("open311-write", request, who=_who(key))
        raise
    track = request.build_absolute_uri(reverse("track_detail", args=[appeal.display_code]))
    return render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": appeal.display_code,
                "service_notice": _("Tracking code %(code)s: %(url)s")
                % {"code": appeal.display_code, "url": track},
                "account_id": None,
            }
        ],
    )


def developers(request):
    """The page for developers: what the API offers, how to get a key, and the guide."""
    return render_page(request, "open311/developers.html", {"guide": _guide()})


@functools.cache
def _guide() -> str:
    """Read once per process: the guide changes only with a deploy."""
    return (settings.BASE_DIR / "docs" / "open311.md").read_text(encoding="utf-8")
