"""A superuser adds a staff account with its scope on one page, and it can log in at once;
Django's groups are not offered, since roles (not per-model permissions) decide what staff
may do."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from branches.models import StaffRole
from branches.tests.html_forms import read_form

PASSWORD = "Kein-Passwort-2025"


def test_an_account_added_with_a_scope_logs_in_straight_away(client, world):
    client.force_login(world.superuser)
    url = reverse("admin:auth_user_add")
    form = read_form(client.get(url).content.decode(), "user_form")
    form.set("username", "newclerk")
    form.set("password1", PASSWORD)
    form.set("password2", PASSWORD)
    row = form.add_row("staff_scope")
    form.set(f"staff_scope-{row}-role", StaffRole.COMMUNITY_STAFF)
    form.set(f"staff_scope-{row}-community", world.a.pk)
    response = client.post(url, form.data(submit="_save"))
    assert response.status_code == 302
    clerk = get_user_model().objects.get(username="newclerk")
    assert clerk.is_staff and clerk.staff_scope.community == world.a
    client.logout()
    page = client.post(
        reverse("login"), {"username": "newclerk", "password": PASSWORD}, follow=True
    )
    assert page.status_code == 200 and page.wsgi_request.user.is_authenticated
    assert client.get(reverse("admin:meetings_appeal_changelist")).status_code == 200


def test_an_account_without_a_scope_stays_out_of_the_staff_pages(client, world):
    client.force_login(world.superuser)
    url = reverse("admin:auth_user_add")
    form = read_form(client.get(url).content.decode(), "user_form")
    form.set("username", "resident")
    form.set("password1", PASSWORD)
    form.set("password2", PASSWORD)
    assert client.post(url, form.data(submit="_save")).status_code == 302
    assert not get_user_model().objects.get(username="resident").is_staff


def test_django_groups_are_not_offered():
    assert Group not in admin.site._registry
