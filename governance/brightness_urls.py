"""The public Three Brightness page of a branch (mounted at the site's root by governance.urls,
by name, so that file needs no import of ours)."""

from django.urls import path

from . import brightness_views

urlpatterns = [
    path(
        "stations/<int:estate_id>/brightness/",
        brightness_views.branch_brightness,
        name="branch_brightness",
    ),
]
