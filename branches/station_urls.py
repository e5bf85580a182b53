"""The public service-station pages (mounted at /stations/ by governance.urls)."""

from django.urls import path

from . import station_views

urlpatterns = [
    path("", station_views.station_list, name="stations"),
    path("<int:estate_id>/", station_views.station_detail, name="station_detail"),
]
