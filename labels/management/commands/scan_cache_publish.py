"""Put labels' scan facts into Redis, e.g. after Redis restarted empty."""

from django.core.management.base import BaseCommand, CommandError

from labels import scans
from labels.models import Label


class Command(BaseCommand):
    help = (
        "把标签的扫码信息写入 Redis（缓冲扫码模式；Redis 重启后运行）。"
        "默认全部标签，--batch 只写一个批次。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, help="batch id")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="也覆盖 Redis 中已有的标签（含实时扫码次数）；从同步写入模式切回缓冲模式后使用。",
        )

    def handle(self, *args, batch=None, replace=False, **options):
        labels = Label.objects.order_by().only("serial", *scans.FIELDS)
        if batch is not None:
            labels = labels.filter(batch_id=batch)
        published = scans.labels_publish(
            labels.iterator(chunk_size=scans.PUBLISH_CHUNK), replace=replace
        )
        if not published and labels.exists():
            raise CommandError(
                "Scan facts live in Redis only with SUYUAN_SCAN_WRITE_MODE=buffered "
                "and the cache in Redis (SUYUAN_CACHE_URL)."
            )
        self.stdout.write(f"{published} labels published")
