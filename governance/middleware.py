import logging
import time

from django.conf import settings
from django.utils import translation

from meetings.ratelimit import is_trusted_proxy

from .errors import bad_request
from .logs import new_request_id, request_id_from_header, request_id_var, request_var, user_id_of

request_logger = logging.getLogger("governance.requests")

# What a proxy tells about the client. From anyone but our proxies it is whatever the client
# wrote, so it is dropped.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


class TrustedProxyMiddleware:
    """The one place that decides whether forwarded headers may be believed: only when the
    request comes from one of TRUSTED_PROXIES. First in the chain, so SecurityMiddleware
    (is_secure() through SECURE_PROXY_SSL_HEADER), the rate limits and the log-in lockouts
    (meetings.ratelimit.client_ip) only ever see a proxy's headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for name in FORWARDED_HEADERS:
                request.META.pop(name, None)
        return self.get_response(request)


class RequestLogMiddleware:
    """The request id and the request's one log line (docs/operations.md, "Logs").

    First in the chain, so every line logged while the request runs (and every task it
    enqueues) carries the id. The id is the proxy's X-Request-ID when a trusted proxy sent a
    well-formed one, else a new one; it goes back in the response's X-Request-ID. The line
    names the route pattern ("appeals/track/<str:code>/"), never the path (a path may hold a
    tracking code), and the user's id, never a name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        given = None
        if is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            given = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request_id = given or new_request_id()
        request.request_id = request_id
        tokens = (request_id_var.set(request_id), request_var.set(request))
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            user_id = user_id_of(request)
            match = getattr(request, "resolver_match", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                match.route if match else "-",
                response.status_code,
                extra={
                    "request_id": request_id,
                    "user_id": user_id,
                    "method": request.method,
                    "route": match.route if match else None,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(tokens[0])
            request_var.reset(tokens[1])


class CookieLanguageMiddleware:
    """Chinese unless the visitor chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language, so a phone
    set to English still opens the Chinese site first, and URLs carry no language prefix.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the browser features in PERMISSIONS_POLICY are off for every page
    (and any frame in it), so injected script could not reach a camera or a location."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, the query string (names or values), a cookie or a header
    answers 400.

    PostgreSQL cannot compare text holding one, so a list filter, an autocomplete or the
    session look-up given one failed with a 500; no browser sends one unasked. One place for
    every page. (In a form's POST a NUL reaches the fields, which refuse it with a message.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            return bad_request(request)
        return self.get_response(request)


def _holds_nul(request) -> bool:
    texts = [request.path]
    for name, values in request.GET.lists():
        texts += [name, *values]
    texts += [*request.COOKIES.keys(), *request.COOKIES.values()]
    # headers too: some are stored (the user agent of a login attempt)
    texts += [v for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str)]
    return any("\x00" in text for text in texts)
