"""Write buffered scans to the database (SUYUAN_SCAN_WRITE_MODE=buffered)."""

import time

from django.core.management.base import BaseCommand

from labels.scans import scan_buffer_flush


class Command(BaseCommand):
    help = "把 Redis 中缓冲的扫码记录写入数据库；--every N 则每 N 秒写一次，直到中断。"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="seconds")

    def handle(self, *args, every: float = 0, **options):
        while True:
            written = scan_buffer_flush()
            self.stdout.write(f"{written} scans written")
            if not every:
                return
            time.sleep(every)
