from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.appeal_new, name="appeal_new"),
    path("submitted/<str:code>/", views.appeal_submitted, name="appeal_submitted"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track_detail, name="track_detail"),
]
