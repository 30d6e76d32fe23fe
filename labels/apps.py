from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = _("二维码标签")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from labels.models import Label
        from labels.scans import label_changed

        post_save.connect(label_changed, sender=Label, dispatch_uid="scan-cache-label")
        post_delete.connect(
            label_changed, sender=Label, dispatch_uid="scan-cache-label-d"
        )
