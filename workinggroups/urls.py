from django.urls import path

from workinggroups import views

app_name = "reminders"
urlpatterns = [
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
