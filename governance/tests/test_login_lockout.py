"""Staff log-in is protected against guessing: after LOGIN_FAILURE_LIMIT wrong passwords for
one user, or from one address, both log-in pages answer 429 with a page that says what
happened and what to do, even to the right password, until the cool-off has passed or a
superuser deletes the lockout in the admin. Every failure and lockout stays on record for
superusers; community staff cannot see those pages."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F

PASSWORD = "pw-for-tests"
PAGES = ["/accounts/login/", "/admin/login/"]
AXES_PAGES = [
    "/admin/axes/accessattempt/",
    "/admin/axes/accessfailurelog/",
    "/admin/axes/accesslog/",
]


def limit() -> int:
    return getattr(settings, "AXES_FAILURE_LIMIT", 5)


def log_in(client, username, password, page="/accounts/login/", address="127.0.0.1"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in_as(client) -> str | None:
    """Who the workspace greets (None: it sends the visitor to the log-in page)."""
    page = client.get("/admin/")
    return page.context["user"].username if page.status_code == 200 else None


def guess(client, username, times, page="/accounts/login/", address="127.0.0.1"):
    return [log_in(client, username, f"wrong-{n}", page, address).status_code for n in range(times)]


@pytest.mark.parametrize("page", PAGES)
def test_wrong_passwords_lock_the_user_out_even_with_the_right_password(client, world, page):
    codes = guess(client, "guangda", limit(), page)
    assert codes[:-1] == [200] * (limit() - 1)  # the form again, with its message
    assert codes[-1] == 429

    right = log_in(client, "guangda", PASSWORD, page)
    assert right.status_code == 429
    assert logged_in_as(client) is None
    html = right.content.decode()
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert "登录失败次数过多" in html
    assert f"{minutes:.0f} 分钟" in html and "管理员" in html
    assert right["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


def test_the_lockout_page_speaks_english_through_the_language_switch(client, world):
    client.cookies["django_language"] = "en"
    guess(client, "guangda", limit())
    page = log_in(client, "guangda", PASSWORD)
    assert page.status_code == 429
    html = page.content.decode()
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert "Too many failed log-ins" in html
    assert f"{minutes:.0f} minutes" in html and "administrator" in html
    assert "登录失败次数过多" not in html


def test_other_users_from_other_addresses_still_log_in(client, world):
    guess(client, "guangda", limit(), address="10.0.0.1")
    assert log_in(client, "other", PASSWORD, address="10.0.0.2").status_code == 302
    assert logged_in_as(client) == "other"


def test_after_the_cool_off_the_user_logs_in_again(client, world):
    from axes.models import AccessAttempt

    guess(client, "guangda", limit())
    assert log_in(client, "guangda", PASSWORD).status_code == 429
    # the cool-off has passed since the last failure
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert log_in(client, "guangda", PASSWORD).status_code == 302
    assert logged_in_as(client) == "guangda"


def test_one_address_guessing_many_usernames_is_locked_out(client, world):
    for n in range(limit()):
        assert log_in(client, f"nobody{n}", "wrong", address="10.9.9.9").status_code in (200, 429)
    assert log_in(client, "guangda", PASSWORD, address="10.9.9.9").status_code == 429
    assert logged_in_as(client) is None
    # the user is not locked: from their own address they log in
    assert log_in(client, "guangda", PASSWORD, address="10.1.1.1").status_code == 302


def test_a_superuser_sees_the_lockout_and_unlocks_the_user(client, world):
    from axes.models import AccessAttempt

    guess(client, "guangda", limit())
    admin = type(client)()
    admin.force_login(world.superuser)
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200 and "guangda" in listed.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    deleted = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert deleted.status_code == 302
    assert log_in(client, "guangda", PASSWORD).status_code == 302
    assert logged_in_as(client) == "guangda"


def test_every_failure_and_lockout_stays_on_record_for_superusers(client, world):
    from axes.models import AccessAttempt

    guess(client, "guangda", limit() + 1)
    AccessAttempt.objects.all().delete()  # unlocked: the record of what happened remains
    admin = type(client)()
    admin.force_login(world.superuser)
    page = admin.get("/admin/axes/accessfailurelog/", {"locked_out__exact": "1"})
    assert page.status_code == 200
    assert "guangda" in page.content.decode()
    assert len(page.context["cl"].result_list) == 2  # the failure that locked, and one after


@pytest.mark.parametrize("url", AXES_PAGES)
def test_staff_cannot_see_the_lockout_pages(client, world, url):
    from django.contrib.auth.models import Permission

    client.force_login(world.staff_a)
    assert "axes" not in client.get("/admin/").content.decode().lower()
    assert client.get(url).status_code == 403
    # not even with Django's permission given: lockouts are for superusers only
    world.staff_a.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    client.force_login(world.staff_a)
    assert client.get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_failures_are_committed_with_the_request_transaction(client, world):
    """ATOMIC_REQUESTS: the record of a failed attempt is committed, not rolled back with
    the page that refused it (checked on a real commit, as PostgreSQL does in production)."""
    from axes.models import AccessAttempt, AccessFailureLog

    guess(client, "guangda", limit())
    assert AccessAttempt.objects.get(username="guangda").failures_since_start == limit()
    assert AccessFailureLog.objects.filter(username="guangda", locked_out=True).count() == 1
    assert log_in(client, "guangda", PASSWORD).status_code == 429


@pytest.mark.parametrize("username", ["a\x00b", "x" * 300, "  ", "管理员'; --"])
def test_odd_usernames_get_the_form_again_not_an_error(client, world, username):
    page = client.post(
        "/accounts/login/",
        {"username": username, "password": "wrong"},
        HTTP_USER_AGENT="U" * 2000,
    )
    assert page.status_code == 200
    assert "alert" in page.content.decode() or "invalid" in page.content.decode()
