from django.urls import path, re_path

from . import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.developers, name="open311_developers"),
    path("v2/", views.developers, name="open311_root"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="open311_services"),
    re_path(
        r"^v2/services/(?P<code>[^/]{1,40})" + FMT,
        views.service_definition,
        name="open311_service",
    ),
    re_path(r"^v2/requests" + FMT, views.requests, name="open311_requests"),
    re_path(
        r"^v2/requests/(?P<code>[^/]{1,40})" + FMT,
        views.request_detail,
        name="open311_request",
    ),
]
