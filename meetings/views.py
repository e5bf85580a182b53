"""The residents' pages: file an appeal, follow it, withdraw it, answer the return visit."""

import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from branches.models import Building
from branches.phones import mask_phone
from branches.queries import communities_to_call

from . import ratelimit, resident_session
from .forms.public import AppealForm, ResidentAnswerForm, TrackLookupForm
from .kept_photos import (
    kept_photos_as_clean,
    kept_photos_discard,
    kept_photos_of,
    kept_photos_store,
)
from .moves import resident_moves_open
from .queries import NEXT_STEP, appeal_by_code, public_status, public_timeline
from .services import MoveRefused, appeal_record_return_visit, appeal_submit, appeal_withdraw
from .tracking import format_code, normalize_code

ID = re.compile(r"[0-9]{1,9}")
SUBMIT_WINDOW = 60 * 60
TRACK_WINDOW = 10 * 60
KEEP_WINDOW = 60 * 60


def _preselected(request) -> dict:
    """?estate=<id>&building=<id> from a poster's QR code; anything else is ignored."""
    initial = {}
    estate, building = request.GET.get("estate", ""), request.GET.get("building", "")
    if ID.fullmatch(estate):
        initial["estate"] = int(estate)
    if ID.fullmatch(building):
        found = (
            Building.objects.filter(pk=int(building)).values_list("estate_id", flat=True).first()
        )
        if found is not None:
            initial["building"] = int(building)
            initial["estate"] = found
    return initial


def _kept_photos(request) -> list:
    """The photos this browser kept from an earlier try, in order; the session's list is
    brought in line when some are gone (filed, expired)."""
    ids = resident_session.kept_ids(request.session)
    kept = kept_photos_of(session_key=request.session.session_key, ids=ids)
    if len(kept) != len(ids):
        resident_session.set_kept_ids(request.session, [p.pk for p in kept])
    return kept


def _keep(request, photos, kept) -> list | None:
    """Keep a failed try's valid photos for the retry; None when they cannot be kept (too
    many already, or this network kept too many lately): the page asks to choose again."""
    if len(kept) + len(photos) > 2 * settings.APPEAL_PHOTOS_MAX:
        return None
    if not ratelimit.claim(
        "keep", request, limit=settings.APPEAL_KEEP_PHOTOS_LIMIT, window_seconds=KEEP_WINDOW
    ):
        return None
    return kept_photos_store(
        session_key=resident_session.session_key(request.session), photos=photos
    )


# never_cache (Cache-Control: no-store) on every page that shows a resident's own appeal or
# what they typed: Back or a cache on a shared phone must not show it to the next person.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request):
    kept = _kept_photos(request)
    photos_dropped = False
    if request.method == "POST":
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > settings.APPEAL_MAX_REQUEST_BYTES:
            return render(request, "meetings/too_large.html", status=413)
        # The slot is claimed before the work, so appeals sent together cannot all slip in.
        if not ratelimit.claim(
            "submit", request, limit=settings.APPEAL_SUBMIT_LIMIT, window_seconds=SUBMIT_WINDOW
        ):
            return _rate_limited(request, "submit")
        form = AppealForm(request.POST, request.FILES, kept=len(kept))
        valid = form.is_valid()
        if not valid:
            ratelimit.give_back("submit", request)  # fixing typos is not filing again
        removed = set(form.cleaned_data.get("remove_kept", []))
        if removed:
            kept_photos_discard(photos=[p for n, p in enumerate(kept, 1) if n in removed])
            kept = [p for n, p in enumerate(kept, 1) if n not in removed]
        if valid:
            data = form.cleaned_data
            appeal = appeal_submit(
                estate=data["estate"],
                building=data["building"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                consent=data["consent"],
                photos=kept_photos_as_clean(kept) + data["photos"],
                language=request.LANGUAGE_CODE,
            )
            kept_photos_discard(photos=kept)
            resident_session.set_kept_ids(request.session, [])
            resident_session.remember_filed(request.session, appeal.code)
            return redirect("appeal_submitted", code=appeal.display_code)
        if form.chosen_photos and not form.has_error("website"):  # nothing kept for bots
            newly_kept = _keep(request, form.chosen_photos, kept)
            kept += newly_kept or []
            photos_dropped = newly_kept is None
        else:
            photos_dropped = bool(request.FILES)
        resident_session.set_kept_ids(request.session, [p.pk for p in kept])
    else:
        form = AppealForm(initial=_preselected(request), kept=len(kept))
    context = {
        "form": form,
        "options": form.select_options(),
        "photos_dropped": photos_dropped,
        "kept_photos": kept,
    }
    return render(request, "meetings/appeal_form.html", context)


@require_safe
def kept_photo(request, position):
    """A small picture of a kept photo, for the form page of the browser that kept it."""
    kept = _kept_photos(request)
    if not 1 <= position <= len(kept):
        raise Http404
    response = HttpResponse(bytes(kept[position - 1].thumbnail), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def appeal_submitted(request, code):
    """The tracking code, for the browser that filed the appeal: never limited, so a resident
    whose network used up its look-ups still gets the code. Any other browser is sent to the
    tracking page, which counts look-ups, whether the code exists or not."""
    if not resident_session.filed_here(request.session, normalize_code(code)):
        return redirect("track_detail", code=code)
    appeal = appeal_by_code(code)
    if appeal is None:
        raise Http404
    community = appeal.estate.community
    context = {
        "appeal": appeal,
        "masked_phone": mask_phone(appeal.contact_phone),
        "communities": [community] if community.phone else [],
    }
    return render(request, "meetings/appeal_submitted.html", context)


def _track_limited(request, code=None):
    """The look-up limit of the caller's network; a code this browser filed is not a guess
    and is never limited."""
    if code is not None and resident_session.filed_here(request.session, normalize_code(code)):
        return None
    if not ratelimit.claim(
        "track", request, limit=settings.APPEAL_TRACK_LIMIT, window_seconds=TRACK_WINDOW
    ):
        return _rate_limited(request, "track")
    return None


def _rate_limited(request, what: str):
    """429, with the community phones: the way out that needs no look-up."""
    context = {"what": what, "communities": communities_to_call()}
    return render(request, "meetings/rate_limited.html", context, status=429)


def _lookup_page(request, form, *, status=200, **context):
    context = {"form": form, "communities": communities_to_call(), **context}
    return render(request, "meetings/track_lookup.html", context, status=status)


@require_safe
def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        limited = _track_limited(request)
        if limited:
            return limited
        code = normalize_code(form.cleaned_data["code"])
        if code and appeal_by_code(code):
            return redirect("track_detail", code=format_code(code))
        form.add_error(
            "code", _("No appeal has this code. Check it against the text message we sent you.")
        )
    return _lookup_page(request, form)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track_detail(request, code):
    limited = _track_limited(request, code)
    if limited:
        return limited
    appeal = appeal_by_code(code)
    if appeal is None:
        return _lookup_page(
            request, TrackLookupForm(initial={"code": code}), status=404, not_found=True
        )
    answer_form = ResidentAnswerForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                note = request.POST.get("note", "").replace("\x00", "")[:500]
                appeal_withdraw(appeal=appeal, note=note)
                messages.success(request, _("Your appeal is withdrawn."))
                return redirect(reverse("track_detail", args=[appeal.display_code]))
            if action == "answer":
                answer_form = ResidentAnswerForm(request.POST)
                if answer_form.is_valid():
                    appeal_record_return_visit(
                        appeal=appeal,
                        by=None,
                        channel="resident_online",
                        reached=True,
                        solved=answer_form.cleaned_data["solved"],
                        satisfaction=answer_form.cleaned_data["satisfaction"],
                        note=answer_form.cleaned_data["comment"],
                    )
                    messages.success(request, _("Thank you: your answer is recorded."))
                    return redirect(reverse("track_detail", args=[appeal.display_code]))
        except MoveRefused as refused:
            messages.error(request, refused.message)
            appeal.refresh_from_db()
    open_to_resident = resident_moves_open(appeal=appeal)
    context = {
        "appeal": appeal,
        "status_text": public_status(appeal),
        "timeline": public_timeline(appeal),
        "next_step": NEXT_STEP.get(appeal.status),
        "answer_form": answer_form,
        "can_answer": open_to_resident["return_visit"] is None,
        "can_withdraw": open_to_resident["withdraw"] is None,
    }
    return render(request, "meetings/track_detail.html", context)
