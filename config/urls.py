from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from api import catalogue, scan
from api.scan import gate, resolver
from api.throttling import SchemaThrottle
from config import health, metrics
from trace.demo.users import accounts_by_role as demo_accounts_by_role
from workbench import views as workbench_views

admin.site.site_header = _("溯源 · 消费扶贫产品追溯管理")
admin.site.site_title = _("溯源管理")
admin.site.index_title = _("管理首页")
# The admin index also leads to the dashboard, the exports and the workbench.
admin.site.index_template = "workbench/admin_index.html"


def demo_label_page(request, label):
    """Return the public page of `label` without counting a scan (the demo)."""
    return scan.label_page(request, gate.Passage(label=label))


urlpatterns = [
    # For the balancer and monitoring (config/health.py, config/metrics.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # The public scan first: it is most of the traffic, and Django tries
    # patterns in order (behind the includes below it cost 25 µs a request).
    path(scan.SCAN_PAGE_ROUTE, scan.scan_page, name="scan-page"),
    path(scan.SCAN_JSON_ROUTE, scan.ScanView.as_view(), name="scan"),
    path(scan.SCAN_CERTIFICATE_ROUTE, scan.label_certificate, name="scan-certificate"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    # The API's description is public; every endpoint it describes still checks access.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            permission_classes=[AllowAny], throttle_classes=[SchemaThrottle]
        ),
        name="schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(
            url_name="schema",
            permission_classes=[AllowAny],
            throttle_classes=[SchemaThrottle],
        ),
        name="swagger-ui",
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="workbench/login.html",
            extra_context={"demo_accounts": demo_accounts_by_role()},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # set_language: the one way to leave zh-hans (config.middleware).
    path("i18n/", include("django.conf.urls.i18n")),
    # The workbench's demo shows the scan wing's page: wired here, so that
    # the workbench does not import api (DESIGN.md, Packages).
    path(
        "w/demo-scan/",
        workbench_views.demo_scan,
        {"label_page": demo_label_page},
        name="demo-scan",
    ),
    path("w/", include("workbench.urls")),
    path("catalogue/", include(catalogue.page_urlpatterns)),
    path("", workbench_views.landing, name="landing"),
    path("", include("reports.urls")),
    # The GS1 resolver (api/scan/resolver.py): Digital Link URIs, its description
    # file, and the product and lot pages its links point to.
    path(".well-known/gs1resolver", resolver.description, name="gs1-resolver"),
    re_path(r"^01/", resolver.uncompressed_link, name="digital-link"),
    path("p/<str:gtin>", resolver.product_page, name="product-page"),
    re_path(
        r"^p/(?P<gtin>[0-9]{14})/(?P<lot>.+)/certificate$",
        scan.digital_link_certificate,
        name="digital-link-certificate",
    ),
    re_path(
        r"^p/(?P<gtin>[0-9]{14})/(?P<lot>.+)$",
        scan.digital_link_lot_page,
        name="lot-page",
    ),
    # Last: a compressed Digital Link is one base64 segment at the root,
    # starting with an AI's first nibble (0-9: A-n) or a hex pair of GS1's
    # optimisation table (up to CD: x), labels/digital_link.py.
    re_path(
        r"^(?P<segment>[A-Za-x][A-Za-z0-9_-]{9,})/?$",
        resolver.compressed_link,
        name="digital-link-compressed",
    ),
]
handler404 = "api.exceptions.not_found"

# No public media, not even in development: evidence, label sheets and
# certificates are sent by views that check access first (trace/files.py).
