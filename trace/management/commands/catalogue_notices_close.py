"""`catalogue_notices_close`: list the entries whose 公示 ended (idempotent)."""

from django.core.management.base import BaseCommand

from trace.services.catalogue import catalogue_notices_close


class Command(BaseCommand):
    help = "公示期满且无异议的产品列入扶贫产品目录（可重复执行）。"

    def handle(self, *args, **options) -> None:
        moved = catalogue_notices_close()
        self.stdout.write(f"列入目录：{moved} 个产品。")
