from django.urls import path

from workbench import (
    catalogue,
    imports,
    inspections,
    payments,
    registers,
    submissions,
    views,
)

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/release/", views.batch_release_view, name="batch_release"),
    path(
        "batches/<int:pk>/certificate/",
        views.batch_certificate_issue,
        name="batch_certificate_issue",
    ),
    path("sales/", views.sales, name="sales"),
    path("sales/imports/", imports.sales_imports, name="sales_imports"),
    path("sales/imports/<int:pk>/", imports.sales_import, name="sales_import"),
    path("benefits/", views.benefits, name="benefits"),
    path("reviews/", views.reviews, name="reviews"),
    path("guidance/", views.guidance, name="guidance"),
    path("purchases/", views.purchases, name="purchases"),
    path("village/", views.village, name="village"),
    path("notices/", views.township_notices, name="township_notices"),
    path("inspect/", inspections.inspect, name="inspect"),
    path("inspect/new/", inspections.inspection_new, name="inspection_new"),
    path("inspect/serial.json", inspections.serial_lookup, name="serial_lookup"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/attachments/<int:attachment_pk>/<str:variant>/",
        inspections.inspection_attachment,
        name="inspection_attachment",
    ),
    path("print/", views.print_new, name="print"),
    path("print/calibration/", views.print_calibration, name="print_calibration"),
    path("print/<int:pk>/", views.print_job_detail, name="print_job"),
    path(
        "print/<int:pk>/progress.json",
        views.print_job_progress,
        name="print_job_progress",
    ),
    path("print/<int:pk>/pdf/", views.print_job_pdf, name="print_job_pdf"),
    path("reports/", submissions.submissions, name="submissions"),
    path(
        "reports/start/<int:period_pk>/<int:region_pk>/",
        submissions.submission_start,
        name="submission_start",
    ),
    path(
        "reports/informants/",
        submissions.informant_assessment_page,
        name="informant_assessment",
    ),
    path(
        "reports/periods/<int:pk>/",
        submissions.period_detail,
        name="report_period",
    ),
    path(
        "reports/periods/<int:pk>/status.<slug:fmt>",
        submissions.period_status_download,
        name="report_period_status",
    ),
    path(
        "reports/periods/<int:pk>/rollup.<slug:fmt>",
        submissions.period_rollup_download,
        name="report_period_rollup",
    ),
    path(
        "reports/<int:pk>/summary/",
        submissions.submission_summary,
        name="submission_summary",
    ),
    path(
        "reports/<int:pk>/preview.<slug:fmt>",
        submissions.submission_preview,
        name="submission_preview",
    ),
    path(
        "reports/<int:pk>/<slug:verb>/",
        submissions.submission_act,
        name="submission_act",
    ),
]
urlpatterns += catalogue.urlpatterns
urlpatterns += registers.urlpatterns
urlpatterns += payments.urlpatterns
