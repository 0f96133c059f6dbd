"""The private calendar feed, at /calendar/<secret>.ics (workinggroups/calendar.py)."""

from django.urls import path

from workinggroups import views

app_name = "calendar"
urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="feed"),
]
