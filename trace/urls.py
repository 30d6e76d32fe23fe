from django.urls import path

from trace import views

app_name = "trace"

urlpatterns = [
    path("", views.landing, name="landing"),
]
