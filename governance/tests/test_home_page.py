"""The home page says what the service is for, in Chinese first and English on request."""

from django.conf import settings


def test_home_is_chinese_by_default_even_for_an_english_browser(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in html  # BCP 47's spelling, as screen readers expect
    assert "居民" in html and "工作人员登录" in html
    assert "For residents" not in html


def test_language_switch_turns_the_site_english_and_back(client, db):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "For residents" in html and "Staff log in" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "居民" in client.get("/").content.decode()


def test_home_page_uses_no_cdn(client, db):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_bootstrap_is_served_from_static(client, db):
    response = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200


def test_admin_is_titled_for_the_product(client, world):
    client.force_login(world.staff_a)
    html = client.get("/admin/").content.decode()
    assert "三个五" in html or "Three Fives" in html
    assert "Django" not in html.split("<body")[1].split("</header>")[0]


def test_home_leads_residents_to_the_form_and_the_tracking_page(client, db):
    html = client.get("/").content.decode()
    assert 'href="/appeals/new/"' in html and 'href="/appeals/track/"' in html
