"""The Five Zeros pages: the public scoreboard (`/scoreboard/`) and, for staff and the
committee, its dashboard (`/dashboard/zeros/`, mounted under `dashboard/` by governance)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.scoreboard, name="scoreboard"),
    path("estates/<int:estate_id>/", views.scoreboard_estate, name="scoreboard_estate"),
]

dashboard_urlpatterns = [
    path("", views.zero_dashboard, name="zero_dashboard"),
    path("export.csv", views.zero_dashboard_export, name="zero_dashboard_export"),
    path("estates/<int:estate_id>/", views.zero_dashboard_estate, name="zero_dashboard_estate"),
]
