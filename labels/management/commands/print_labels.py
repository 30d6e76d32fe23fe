"""`manage.py print_labels BATCH_ID --count N [--template T] [--start N]
[--link-form compressed] -o FILE`."""

import shutil
import sys
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from labels.choices import PrintJobStatus
from labels.services import print_job_create, print_job_render
from labels.templates import DEFAULT_LINK_FORM, DEFAULT_TEMPLATE, LINK_FORMS, TEMPLATES
from trace.choices import Role
from trace.models import Batch


class Command(BaseCommand):
    help = (
        "为一个已放行批次生成二维码标签 PDF"
        "（创建打印任务并立即生成，进度显示在标准错误输出）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument(
            "--template", default=DEFAULT_TEMPLATE, choices=sorted(TEMPLATES)
        )
        parser.add_argument(
            "--start", type=int, default=1, help="第一页从第几枚标签开始"
        )
        parser.add_argument(
            "--offset-x",
            type=Decimal,
            default=Decimal("0"),
            help="水平偏移（毫米，正数向右）",
        )
        parser.add_argument(
            "--offset-y",
            type=Decimal,
            default=Decimal("0"),
            help="垂直偏移（毫米，正数向下）",
        )
        parser.add_argument("--crop-marks", action="store_true")
        parser.add_argument(
            "--link-form",
            default=DEFAULT_LINK_FORM,
            choices=sorted(LINK_FORMS),
            help="有 GTIN 的产品：二维码写标准或压缩的 GS1 数字链接",
        )
        parser.add_argument("--user", help="以此用户名申请（默认：第一个管理员）")
        parser.add_argument("-o", "--output", required=True, help="输出 PDF 文件")

    def handle(self, *args, **options):
        user = self._user(options["user"])
        try:
            batch = Batch.objects.get(pk=options["batch_id"])
        except Batch.DoesNotExist as error:
            raise CommandError(f"批次 {options['batch_id']} 不存在。") from error
        try:
            print_job = print_job_create(
                batch=batch,
                template=options["template"],
                count=options["count"],
                start_position=options["start"],
                offset_x_mm=options["offset_x"],
                offset_y_mm=options["offset_y"],
                crop_marks=options["crop_marks"],
                link_form=options["link_form"],
                requested_by=user,
                enqueue=False,  # rendered right here, with a progress bar
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(
                "；".join(getattr(error, "messages", [str(error)]))
            ) from error
        started = time.monotonic()
        print_job = print_job_render(
            print_job_id=print_job.pk, on_progress=self._progress(started)
        )
        sys.stderr.write("\n")
        if print_job.status != PrintJobStatus.DONE:
            raise CommandError(print_job.error_message)
        with (
            print_job.pdf.open("rb") as source,
            open(options["output"], "wb") as target,
        ):
            shutil.copyfileobj(source, target)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"打印任务 #{print_job.pk}：{print_job.count} 枚标签，"
            f"用时 {elapsed:.1f} 秒，已写入 {options['output']}"
        )

    def _user(self, username: str | None):
        users = get_user_model().objects
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist as error:
                raise CommandError(f"用户 {username} 不存在。") from error
        user = (
            users.filter(
                Q(is_superuser=True) | Q(suyuan_role__role=Role.ADMINISTRATOR),
                is_active=True,
            )
            .order_by("id")
            .first()
        )
        if user is None:
            raise CommandError("没有管理员用户；请用 --user 指定申请人。")
        return user

    @staticmethod
    def _progress(started: float):
        def show(done: int, count: int) -> None:
            width = 30
            filled = width * done // count
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] "
                f"{done * 100 // count:3d}% {done}/{count} {rate:,.0f} 枚/秒"
            )
            sys.stderr.flush()

        return show
