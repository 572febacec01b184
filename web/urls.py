from django.urls import include, path

from web import accounts, console, dashboard, report_console, reports, tracking, views, wizard

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("calculator/", views.calculator, name="calculator"),
    path("map/", views.capacity_map, name="map"),
    path("accounts/", include(accounts.urlpatterns)),
    path("console/", console.console, name="console"),
    path("console/dashboard/", dashboard.dashboard, name="dashboard"),
    path("console/export.csv", dashboard.export_csv, name="queue_export"),
    path("console/applications/<int:pk>/", tracking.staff_application_page, name="console_application"),
    path("applications/", tracking.application_list, name="applications"),
    path("applications/new/", wizard.new_application, name="new_application"),
    path("applications/<int:pk>/", tracking.application_detail, name="application"),
    path("applications/<int:pk>/actions/<str:name>/", tracking.run_action, name="run_action"),
    path("applications/<int:pk>/take/", console.take, name="take_application"),
    path("applications/<int:pk>/assign/", console.assign, name="assign_application"),
    path("applications/<int:pk>/messages/", tracking.post_message, name="post_message"),
    path("applications/<int:pk>/documents/", wizard.upload_document, name="upload_document"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        wizard.delete_document,
        name="delete_document",
    ),
    path("applications/<int:pk>/edit/<str:step>/", wizard.wizard, name="wizard"),
    # Consumers' reports (appeals)
    path("reports/new/", reports.new_report, name="new_report"),
    path("reports/confirm/<uuid:token>/", reports.confirm_report, name="report_confirm"),
    path("reports/on-time/", reports.on_time, name="reports_on_time"),
    path("reports/<str:token>/", reports.report_status, name="report_status"),
    path("reports/<str:token>/photos/<int:photo_id>/", reports.report_photo, name="report_photo"),
    path("incidents/", reports.incident_map, name="incident_map"),
    path("console/reports/", report_console.queue, name="report_queue"),
    path("console/reports/dashboard/", report_console.dashboard, name="report_dashboard"),
    path("console/reports/dashboard.csv", report_console.dashboard_csv, name="report_dashboard_csv"),
    path("console/reports/photos/<int:photo_id>/", report_console.staff_photo, name="report_staff_photo"),
    path("console/incidents/<int:pk>/", report_console.incident_page, name="incident"),
    path("console/incidents/<int:pk>/status/", report_console.change_status, name="incident_status"),
    path("console/incidents/<int:pk>/assign/", report_console.assign, name="incident_assign"),
    path("console/incidents/<int:pk>/merge/", report_console.merge, name="incident_merge"),
    path("console/incidents/<int:pk>/split/<int:report_pk>/", report_console.split, name="incident_split"),
]
