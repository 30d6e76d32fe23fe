from django.urls import include, path
from rest_framework.settings import api_settings

from api.analytes import AnalyteViewSet
from api.audit import AuditViewSet
from api.batches import BatchViewSet
from api.benefit_links import BenefitLinkViewSet
from api.benefit_watch import BenefitWatchView
from api.brand_licenses import BrandLicenseViewSet
from api.brands import BrandViewSet
from api.bulletins import BulletinFileView, BulletinPreviewView
from api.cabinet_sales import CabinetSalesView
from api.catalogue import CatalogueViewSet, NoticeViewSet
from api.catalogue_entries import CatalogueEntryViewSet
from api.certification_policies import CertificationPolicyViewSet
from api.certification_reviews import CertificationReviewViewSet
from api.certifications import CertificationViewSet
from api.conformity_certificates import BatchCertificateView
from api.control_points import ControlPointViewSet
from api.epcis import BatchEPCISView
from api.household_payments import HouseholdPaymentViewSet
from api.households import HouseholdViewSet
from api.inspection_plan import DueInspectionsView
from api.inspections import InspectionViewSet
from api.labels import LabelViewSet
from api.logins import TokenLoginView
from api.objections import ObjectionViewSet
from api.outlets import OutletViewSet
from api.print_jobs import PrintJobViewSet
from api.producers import ProducerViewSet
from api.product_lines import ProductLineViewSet
from api.quality_alerts import QualityAlertViewSet
from api.reconciliation import (
    LogisticsImportView,
    ReconciliationView,
    UnitPurchaseView,
)
from api.regions import RegionViewSet
from api.report_periods import ReportPeriodViewSet
from api.reports import RecallTraceView, ReportView
from api.routers import NumericIdRouter
from api.sales import SaleViewSet
from api.sales_imports import SalesImportViewSet
from api.slow_selling_marks import SlowSellingMarkViewSet
from api.submissions import SubmissionViewSet
from api.throttling import AnonymousThrottle
from api.trace_events import TraceEventViewSet

router = NumericIdRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("producers", ProducerViewSet, basename="producer")
router.register("certifications", CertificationViewSet, basename="certification")
router.register(
    "certification-policies",
    CertificationPolicyViewSet,
    basename="certification-policy",
)
router.register(
    "certification-reviews",
    CertificationReviewViewSet,
    basename="certification-review",
)
router.register("households", HouseholdViewSet, basename="household")
router.register("benefit-links", BenefitLinkViewSet, basename="benefit-link")
router.register(
    "household-payments", HouseholdPaymentViewSet, basename="household-payment"
)
router.register("brands", BrandViewSet, basename="brand")
router.register("brand-licenses", BrandLicenseViewSet, basename="brand-license")
router.register("product-lines", ProductLineViewSet, basename="product-line")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("batches", BatchViewSet, basename="batch")
router.register("trace-events", TraceEventViewSet, basename="trace-event")
router.register("sales", SaleViewSet, basename="sale")
router.register("sales-imports", SalesImportViewSet, basename="sales-import")
router.register(
    "slow-selling-marks", SlowSellingMarkViewSet, basename="slow-selling-mark"
)
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("analytes", AnalyteViewSet, basename="analyte")
router.register("control-points", ControlPointViewSet, basename="control-point")
router.register("quality-alerts", QualityAlertViewSet, basename="quality-alert")
router.register("print-jobs", PrintJobViewSet, basename="print-job")
router.register("labels", LabelViewSet, basename="label")
router.register("audit", AuditViewSet, basename="audit")
router.register("report-periods", ReportPeriodViewSet, basename="report-period")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("catalogue-entries", CatalogueEntryViewSet, basename="catalogue-entry")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("catalogue/notices", NoticeViewSet, basename="catalogue-notice")
router.register("catalogue", CatalogueViewSet, basename="catalogue")

urlpatterns = [
    # DRF's token view has no throttle of its own: limit password guessing.
    # It names its own parsers; the project's default bounds JSON nesting.
    path(
        "auth/token/",
        TokenLoginView.as_view(
            throttle_classes=[AnonymousThrottle],
            parser_classes=api_settings.DEFAULT_PARSER_CLASSES,
        ),
        name="auth-token",
    ),
    path(
        "batches/<int:pk>/recall-trace/",
        RecallTraceView.as_view(),
        name="batch-recall-trace",
    ),
    path("batches/<int:pk>/epcis/", BatchEPCISView.as_view(), name="batch-epcis"),
    path(
        "batches/<int:pk>/certificate/",
        BatchCertificateView.as_view(),
        name="batch-certificate",
    ),
    path("reports/<slug:key>/", ReportView.as_view(), name="report"),
    path("cabinet-sales/", CabinetSalesView.as_view(), name="cabinet-sales"),
    path("bulletins/", BulletinPreviewView.as_view(), name="bulletins"),
    path("logistics-imports/", LogisticsImportView.as_view(), name="logistics-imports"),
    path("unit-purchases/", UnitPurchaseView.as_view(), name="unit-purchases"),
    path("reconciliation/", ReconciliationView.as_view(), name="reconciliation"),
    path("bulletins/<int:pk>/file/", BulletinFileView.as_view(), name="bulletin-file"),
    # Before the router, whose inspections/{pk}/ would take "due" for an id.
    path("inspections/due/", DueInspectionsView.as_view(), name="inspections-due"),
    path("benefit-watch/", BenefitWatchView.as_view(), name="benefit-watch"),
    path("", include(router.urls)),
]
