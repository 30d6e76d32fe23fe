"""Re-check every current 扶贫产品认定 against its region's policy (run daily)."""

from django.core.management.base import BaseCommand

from trace.models import CertificationReview
from trace.services.certification import certifications_recheck_all


class Command(BaseCommand):
    help = (
        "按各地认定政策重新审核全部有效认定；不再符合条件的进入认定复核队列。"
        "建议每日运行一次（如 cron），以发现到期结束的利益联结。"
    )

    def handle(self, *args, **options) -> None:
        checked = certifications_recheck_all(trigger="定期复核")
        open_reviews = CertificationReview.objects.filter(status="open").count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已复核 {checked} 个主体的认定；待管理员处理的复核 {open_reviews} 件。"
            )
        )
