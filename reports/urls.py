from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/dashboard/", views.dashboard, name="dashboard"),
]
