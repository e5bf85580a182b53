"""The staff's comparison of branches, mounted under `dashboard/` by governance.urls."""

from django.urls import path

from . import brightness_views

urlpatterns = [
    path("branches/", brightness_views.dashboard_branches, name="dashboard_branches"),
    path("branches.csv", brightness_views.dashboard_branches_csv, name="dashboard_branches_csv"),
    path("branches/<int:estate_id>/", brightness_views.dashboard_branch, name="dashboard_branch"),
]
