"""Staff log in at /accounts/login/ as well as /admin/login/ and land in their workspace."""

import pytest


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/"])
def test_staff_logs_in_and_sees_only_their_estates(client, world, login_url):
    page = client.post(
        login_url,
        {"username": "guangda", "password": "pw-for-tests", "next": "/admin/branches/estate/"},
        follow=True,
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "新都城" in html and "新城景苑" in html
    assert "金星花园" not in html


def test_wrong_password_gets_a_message_and_keeps_the_username(client, world):
    page = client.post("/accounts/login/", {"username": "guangda", "password": "wrong"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="guangda"' in html
    assert "alert" in html


def test_login_page_redirects_staff_to_the_admin(client, world):
    page = client.post("/accounts/login/", {"username": "guangda", "password": "pw-for-tests"})
    assert page.status_code == 302
    assert page.url == "/admin/"
