from django.conf import settings
from django.utils import translation

from .views import bad_request


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
