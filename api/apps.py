from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from api.fields import use_project_fields
        from api.logins import log_lockout

        use_project_fields()  # datetimes and numbers held to the input policy
        user_locked_out.connect(log_lockout, dispatch_uid="suyuan-log-lockout")
