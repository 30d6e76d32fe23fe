from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateBasis(models.TextChoices):
    """What a 承诺达标合格证's commitment rests on (the form's 承诺依据 boxes)."""

    COMMISSIONED_TEST = "commissioned_test", _("委托检测")
    SELF_CHECK = "self_check", _("自检")
    INTERNAL_CONTROL = "internal_control", _("内部质量控制")
