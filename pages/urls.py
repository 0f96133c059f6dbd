from django.urls import path

from pages import second_factor, views

app_name = "pages"
urlpatterns = [
    path("", views.home, name="home"),
    path("work/", views.my_work, name="my-work"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("working-groups/<int:pk>/", views.working_group_detail, name="working-group"),
    path("working-groups/<int:pk>/tasks.csv", views.working_group_export, name="working-group-csv"),
    path(
        "working-groups/<int:pk>/import/", views.working_group_import, name="working-group-import"
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/report/", views.meeting_report, name="meeting-report"),
    path("meetings/<int:pk>/summary/", views.meeting_summary, name="meeting-summary"),
    path(
        "meetings/<int:pk>/reports/<int:report_pk>/sent/",
        views.report_sent,
        name="report-sent",
    ),
    # Citation codes contain slashes ("JHOPS/4/16"): the address reads as the code.
    path("outcomes/<path:code>/", views.outcome_detail, name="outcome"),
    path("forums/<str:acronym>/", views.forum_public, name="forum"),
    path(
        "forums/<str:acronym>/implementation/",
        views.forum_implementation,
        name="forum-implementation",
    ),
    path(
        "forums/<str:acronym>/implementation.csv",
        views.forum_implementation_export,
        name="forum-implementation-csv",
    ),
    path("me/", views.my_settings, name="settings"),
    path("me/calendar/", views.calendar_address, name="calendar-address"),
    path("me/tokens/<int:token_id>/revoke/", views.api_token_revoke_mine, name="token-revoke"),
    path("me/second-factor/", second_factor.verify, name="second-factor"),
    path("me/second-factor/set-up/", second_factor.enrol, name="second-factor-enrol"),
    path(
        "me/second-factor/recovery-codes/",
        second_factor.renew_recovery_codes,
        name="second-factor-recovery-codes",
    ),
    path("me/second-factor/remove/", second_factor.remove, name="second-factor-remove"),
    path("language/", views.set_language, name="language"),
]
