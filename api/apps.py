from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from api.fields import use_project_fields

        use_project_fields()  # datetimes that overflow are a 400, not a 500
