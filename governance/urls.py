from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from zeroindex import urls as zeroindex_urls

from . import dashboard_views, evaluation_views, export_views, report_views, views

admin.site.site_header = _("Three Fives community governance")
admin.site.site_title = _("Community governance")
admin.site.index_title = _("Staff workspace")

# Error pages render without the database (governance/errors.py); the 500 handler answers
# 503 when the database cannot be reached.
handler400 = "governance.errors.bad_request"
handler403 = "governance.errors.permission_denied"
handler404 = "governance.errors.page_not_found"
handler500 = "governance.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("appeals/", include("meetings.urls")),
    path("scoreboard/", include("zeroindex.urls")),
    # the committee's and staff's figures for a period and a place in their scope, each
    # table as CSV and XLSX, the printable report and its PDF; the Five Zeros' own beside
    path(
        "dashboard/",
        include(
            [
                path("", dashboard_views.dashboard, name="dashboard"),
                path(
                    "table/<slug:name>.<str:extension>",
                    dashboard_views.dashboard_table,
                    name="dashboard_table",
                ),
                path("report/", dashboard_views.dashboard_report, name="dashboard_report"),
                path(
                    "report.pdf", dashboard_views.dashboard_report_pdf, name="dashboard_report_pdf"
                ),
                path("zeros/", include(zeroindex_urls.dashboard_urlpatterns)),
                path("", include("governance.brightness_dashboard_urls")),
                # the appeals of the dashboard's period and unit, masked (meetings.exports)
                path(
                    "exports/appeals.csv",
                    export_views.appeals_export_csv,
                    name="appeals_export_csv",
                ),
                path(
                    "exports/appeals.xlsx",
                    export_views.appeals_export_xlsx,
                    name="appeals_export_xlsx",
                ),
            ]
        ),
    ),
    # the year end: an evaluation as a printable document and as a PDF (the committee's)
    path(
        "yearend/evaluations/<int:evaluation_id>/document/",
        evaluation_views.evaluation_document,
        name="evaluation_document",
    ),
    path(
        "yearend/evaluations/<int:evaluation_id>/document.pdf",
        evaluation_views.evaluation_document_pdf,
        name="evaluation_document_pdf",
    ),
    # each branch's published annual report, for residents
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:year>/<int:estate_id>/", report_views.report_detail, name="report_detail"),
    path(
        "reports/<int:year>/<int:estate_id>/report.pdf",
        report_views.report_document_pdf,
        name="report_pdf",
    ),
    # the Five Modernizations' public pages (issue 12)
    path("stations/", include("branches.station_urls")),
    path("open311/", include("open311.urls")),
    path("", include("governance.brightness_urls")),
    # the language switch; it also remembers a staff user's choice (for their messages)
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # the superusers' health page, in the admin's look (what /healthz says, and why)
    path("admin/health/", admin.site.admin_view(views.health_page), name="admin_health"),
    path("admin/", admin.site.urls),
]
