from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from api.labels import LabelViewSet
from api.print_jobs import PrintJobViewSet

router = DefaultRouter()
router.register("print-jobs", PrintJobViewSet, basename="print-job")
router.register("labels", LabelViewSet, basename="label")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("", include(router.urls)),
]
