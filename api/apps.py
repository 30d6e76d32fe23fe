from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from api.fields import use_project_fields

        use_project_fields()  # datetimes that overflow are a 400, not a 500
        from django.db.models.signals import post_delete, post_save

        from inspections.models import Inspection
        from trace import models as trace_models
        from trace.public_cache import public_story_changed

        # Everything the public scan story shows (api/scan_story.py caches it).
        shown = [
            trace_models.Region,
            trace_models.Producer,
            trace_models.Certification,
            trace_models.Household,
            trace_models.BenefitLink,
            trace_models.Brand,
            trace_models.ProductLine,
            trace_models.BrandLicense,
            trace_models.Batch,
            trace_models.BatchStatusChange,
            trace_models.BatchContribution,
            trace_models.TraceEvent,
            Inspection,
        ]

        def changed(sender, **kwargs) -> None:
            public_story_changed()

        for model in shown:
            post_save.connect(changed, sender=model, dispatch_uid=f"story-{model}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"story-d-{model}")
