from trace import views

from django.urls import path

app_name = "trace"

urlpatterns = [
    path("", views.landing, name="landing"),
]
