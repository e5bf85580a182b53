from django.urls import path

from . import posters, views

urlpatterns = [
    path("new/", views.appeal_new, name="appeal_new"),
    path("new/kept/<int:position>/", views.kept_photo, name="appeal_kept_photo"),
    path("submitted/<str:code>/", views.appeal_submitted, name="appeal_submitted"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track_detail, name="track_detail"),
    path("posters/estate/<int:estate_id>/", posters.estate_poster, name="poster_estate"),
    path("posters/building/<int:building_id>/", posters.building_poster, name="poster_building"),
]
