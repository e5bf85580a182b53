"""Error pages: 400, 403 (and the expired-form page of a CSRF failure), 404, 429, 500, and
the 503 of a database that cannot be reached. Each answers with its status through the real
handlers (DEBUG off), in Chinese first and in English through the language switch, with the
site's look, and without the database: the database is blocked in these tests and the
browser sends a session cookie, so a page that read the user, the session or the unread
count would fail here instead of rendering."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("governance.tests.error_urls")

HEADINGS = {  # what the visitor reads first, per language
    "400": ("请求有误", "Something was wrong with the request"),
    "403": ("您无权打开此页面", "You may not open this page"),
    "csrf": ("表单已过期", "This form has expired"),
    "404": ("找不到此页面", "Page not found"),
    "429": ("请求过于频繁", "Too many requests"),
    "500": ("系统出错了", "Something went wrong on our side"),
    "503": ("服务暂时不可用", "The service is briefly unavailable"),
}


def visit(path, language, method="get", **client_options):
    client = Client(raise_request_exception=False, **client_options)
    # A staff browser's session: reading the user or the session would need the database.
    client.cookies["sessionid"] = "s" * 32
    if language == "en":
        client.cookies["django_language"] = "en"
    return getattr(client, method)(path)


def assert_error_page(response, page, language):
    html = response.content.decode()
    chinese, english = HEADINGS[page]
    heading = english if language == "en" else chinese
    assert f'<h1 class="h4">{heading}</h1>' in html
    assert f'<html lang="{"en" if language == "en" else "zh-hans"}">' in html
    # the site's look: its stylesheet, its navbar with the way home, the language switch
    assert "vendor/bootstrap/css/bootstrap.min.css" in html
    assert ("Three Fives" if language == "en" else "“三个五”社区治理") in html
    assert 'action="/i18n/setlang/"' in html
    assert ('value="zh-hans"' if language == "en" else 'value="en"') in html
    return html


@pytest.fixture(params=["zh-hans", "en"])
def language(request, settings):
    settings.DEBUG = False
    return request.param


def test_an_unknown_address_answers_404(language):
    response = visit("/no-such-page/", language)
    assert response.status_code == 404
    html = assert_error_page(response, "404", language)
    assert 'href="/appeals/new/"' in html and 'href="/appeals/track/"' in html


def test_a_request_for_another_host_answers_400(language):
    response = visit("/", language, HTTP_HOST="scanner.example")
    assert response.status_code == 400
    assert_error_page(response, "400", language)


def test_a_forbidden_page_answers_403(language):
    response = visit("/test/forbidden/", language)
    assert response.status_code == 403
    assert_error_page(response, "403", language)


def test_a_form_sent_without_its_csrf_token_says_it_expired_and_how_to_keep_the_typing(
    language,
):
    response = visit("/appeals/new/", language, method="post", enforce_csrf_checks=True)
    assert response.status_code == 403
    html = assert_error_page(response, "csrf", language)
    if language == "en":
        assert "Back" in html and "reload" in html
    else:
        assert "返回" in html and "刷新" in html


def test_too_many_requests_answers_429_with_the_wait(language):
    response = visit("/test/too-fast/", language)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = assert_error_page(response, "429", language)
    assert ("10 minutes" if language == "en" else "10 分钟") in html


def test_too_many_requests_without_a_known_wait_says_a_little(language):
    response = visit("/test/too-fast-unknown-wait/", language)
    assert response.status_code == 429
    assert "Retry-After" not in response
    assert_error_page(response, "429", language)


@pytest.mark.parametrize(
    "path", ["/test/broken/", "/test/database-lock-refused/", "/test/database-constraint/"]
)
def test_an_error_in_a_view_answers_500(language, path):
    response = visit(path, language)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert_error_page(response, "500", language)


@pytest.mark.parametrize("path", ["/test/database-refused/", "/test/database-statement-timeout/"])
def test_a_database_that_cannot_be_reached_answers_503_with_retry_after(language, path):
    response = visit(path, language)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = assert_error_page(response, "503", language)
    if language == "en":
        assert "Nothing you typed was saved" in html and "community office" in html
    else:
        assert "您填写的内容没有保存" in html and "社区办公室" in html


def test_the_language_switch_of_an_error_page_works_without_the_database(settings):
    settings.DEBUG = False
    resident = Client(raise_request_exception=False)  # no session: nothing to remember
    response = resident.post("/i18n/setlang/", {"language": "en", "next": "/appeals/new/"})
    assert response.status_code == 302 and response["Location"] == "/appeals/new/"
    assert response.cookies["django_language"].value == "en"
