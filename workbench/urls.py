from django.urls import path

from workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/release/", views.batch_release_view, name="batch_release"),
    path("sales/", views.sales, name="sales"),
    path("benefits/", views.benefits, name="benefits"),
    path("inspect/", views.inspect, name="inspect"),
    path("inspect/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("demo-scan/", views.demo_scan, name="demo_scan"),
]
