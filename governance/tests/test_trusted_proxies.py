"""X-Forwarded-For and X-Forwarded-Proto are believed only from TRUSTED_PROXIES. A client
that reaches gunicorn directly cannot choose the address the limits count (filing appeals,
log-in lockouts) nor pass for HTTPS; behind the proxy, each resident is counted by the
address the proxy saw."""

import pytest
from django.conf import settings

from governance.tests.test_settings_from_environment import run_settings
from meetings.models import Appeal, AppealCategory

PROXY = "127.0.0.1"
DIRECT = "203.0.113.7"  # a client that reached gunicorn itself


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.0/8"]
    # the old switch, which believed the header from any client: set too, so that these
    # tests fail wherever it is still believed
    settings.USE_X_FORWARDED_FOR = True


@pytest.fixture
def form(world):
    category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    return {
        "estate": world.a_estate.pk,
        "category": category.pk,
        "title": "路灯不亮",
        "description": "小区东门路灯坏了",
        "contact_name": "王先生",
        "contact_phone": "13700001111",
        "consent": "on",
    }


def file(client, form, n, **headers):
    return client.post("/appeals/new/", {**form, "title": f"第{n}件"}, **headers).status_code


def test_a_direct_client_forging_forwarded_for_is_limited_by_its_own_address(
    client, behind_proxy, form
):
    limit = settings.APPEAL_SUBMIT_LIMIT
    codes = [
        file(client, form, n, REMOTE_ADDR=DIRECT, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(limit + 1)
    ]
    assert codes == [302] * limit + [429]
    assert Appeal.objects.count() == limit


def test_behind_the_proxy_each_resident_is_counted_by_the_address_the_proxy_saw(
    client, behind_proxy, form
):
    limit = settings.APPEAL_SUBMIT_LIMIT
    # residents behind our two proxies (a load balancer at 10.1.2.3, then nginx): each their
    # own count, not the load balancer's
    for n in range(limit + 1):
        hops = f"198.51.100.{n}, 10.1.2.3"
        assert file(client, form, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=hops) == 302
    assert Appeal.objects.count() == limit + 1
    # one resident who puts made-up addresses in front of the one the proxy appends: counted
    # by the address the first proxy saw
    codes = [
        file(
            client,
            form,
            n,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 192.0.2.9, 10.1.2.3",
        )
        for n in range(limit + 1)
    ]
    assert codes == [302] * limit + [429]


def test_log_in_lockouts_count_the_real_address(client, world, behind_proxy):
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR=DIRECT,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    right = {"username": "guangda", "password": "pw-for-tests"}
    locked = client.post(
        "/accounts/login/", right, REMOTE_ADDR=DIRECT, HTTP_X_FORWARDED_FOR="198.51.100.200"
    )
    assert locked.status_code == 429
    # behind the proxy, the guesser's address is locked, not everyone's
    for n in range(limit):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="192.0.2.66",
        )
    other = client.post(
        "/accounts/login/", right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert other.status_code == 302


def test_a_forged_forwarded_proto_does_not_pass_for_https(client, db, behind_proxy, settings):
    settings.SECURE_SSL_REDIRECT = True
    direct = client.get("/", REMOTE_ADDR=DIRECT, HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301
    assert direct["Location"].startswith("https://")
    proxied = client.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_without_trusted_proxies_no_client_passes_for_https(client, settings):
    settings.TRUSTED_PROXIES = []
    settings.SECURE_SSL_REDIRECT = True
    forged = client.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301


def test_the_old_switch_without_trusted_proxies_refuses_to_start():
    result = run_settings(SECRET_KEY="x" * 50, USE_X_FORWARDED_FOR="true")
    assert result.returncode != 0
    assert "USE_X_FORWARDED_FOR" in result.stderr and "TRUSTED_PROXIES" in result.stderr


def test_a_trusted_proxy_that_is_no_address_refuses_to_start():
    result = run_settings(SECRET_KEY="x" * 50, TRUSTED_PROXIES="127.0.0.1,proxy.example")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "proxy.example" in result.stderr


def test_trusted_proxies_as_addresses_and_networks_start():
    result = run_settings(
        SECRET_KEY="x" * 50,
        TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8, ::1",
        USE_X_FORWARDED_FOR="true",
    )
    assert result.returncode == 0, result.stderr
