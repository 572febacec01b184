from django.urls import include, path, re_path

from web import accounts, agent, authorities, console, dashboard, tracking, views, wizard

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("calculator/", views.calculator, name="calculator"),
    path("map/", views.capacity_map, name="map"),
    path("accounts/", include(accounts.urlpatterns)),
    path("accounts/authorities/", authorities.authority_list, name="authorities"),
    path("agent/", agent.agent_page, name="agent"),
    re_path(r"^agent/export\.(?P<export>csv|jsonl)$", agent.agent_export, name="agent_export"),
    path("accounts/authorities/<int:pk>/revoke/", authorities.revoke_authority, name="revoke_authority"),
    path(
        "accounts/authorities/confirm/<str:token>/", authorities.confirm_authority, name="confirm_authority"
    ),
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
]
