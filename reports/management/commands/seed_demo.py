"""`seed_demo`: the whole demo county, idempotent.

The trace part comes from `seed_trace_demo`; this command, which sits above
every domain like the rest of reports/, adds what needs labels and
inspections: printed label sheets, inspections (one suspect rapid test, so a
demo scan shows a warning) and a sales event for the 统计表.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.choices import InspectionKind
from inspections.services import (
    analyte_seed_examples,
    inspection_create,
    inspection_sign,
)
from labels.choices import LabelStatus
from labels.models import Label, PrintJob
from labels.scans import labels_scans_reset
from labels.services import print_job_create, print_job_render
from reports.services import sales_event_record
from trace.models import Batch, Region

# (lot code, operator, label count)
LABEL_SHEETS = [("XFMJ2025A01", "operator", 24), ("GLYW2025S01", "operator2", 24)]


class Command(BaseCommand):
    help = "载入完整演示数据：追溯、标签、检测（可重复执行，不会产生重复数据）。"

    def handle(self, *args, **options) -> None:
        call_command("seed_trace_demo", stdout=self.stdout)
        users = {user.username: user for user in get_user_model().objects.all()}
        with transaction.atomic():
            analyte_seed_examples()
            self._inspections(users["inspector"])
            sales_event_record(
                name="洞口县消费扶贫月产销对接会",
                region=Region.objects.get(name="洞口县"),
                held_on=datetime.date(timezone.localdate().year, 9, 20),
                organiser="洞口县扶贫开发办公室",
            )
            jobs = [
                self._label_sheet(lot, users[operator], count)
                for lot, operator, count in LABEL_SHEETS
            ]
        for job in jobs:
            print_job_render(print_job_id=job.pk)
        # Demo scans start from zero each time: a demo opened all day must
        # not show as a cloned label (issue 23).
        labels_scans_reset(
            labels=Label.objects.filter(
                batch__lot_code__in=[lot for lot, _operator, _count in LABEL_SHEETS]
            )
        )
        self._print_demo_scans()

    def _label_sheet(self, lot_code: str, operator, count: int) -> PrintJob:
        batch = Batch.objects.get(lot_code=lot_code)
        existing = PrintJob.objects.filter(batch=batch).order_by("pk").first()
        if existing is not None:
            return existing
        return print_job_create(
            batch=batch,
            template="a4-3x8",
            count=count,
            requested_by=operator,
            enqueue=False,
        )

    def _inspections(self, inspector) -> None:
        """A passing spot check on the oranges; a suspect rapid test on the eggs."""
        now = timezone.now()
        passing, _created = inspection_create(
            created_by=inspector,
            batch=Batch.objects.get(lot_code="XFMJ2025A01"),
            kind=InspectionKind.SPOT_CHECK,
            sampled_at=now - datetime.timedelta(days=20),
            organisation="洞口县市场监督管理局",
            items=[
                {
                    "item": "毒死蜱",
                    "method": "GB 23200.113",
                    "limit": Decimal("0.5"),
                    "measured_value": Decimal("0.02"),
                    "unit": "mg/kg",
                },
                {"item": "外观与标签标识", "kind": "qualitative", "outcome": "pass"},
            ],
            idempotency_key="demo-spot-check-XFMJ2025A01",
        )
        if passing.signed_at is None:
            inspection_sign(inspection=passing, signed_by=inspector)
        suspect, _created = inspection_create(
            created_by=inspector,
            batch=Batch.objects.get(lot_code="TJD2025C01"),
            kind=InspectionKind.RAPID_TEST,
            sampled_at=now - datetime.timedelta(days=2),
            organisation="洞口县农产品质量安全检测站",
            notes="演示数据：集市快检抑制率偏高，待实验室复检。",
            items=[
                {
                    "item": "有机磷和氨基甲酸酯类农药（酶抑制率）",
                    "method": "GB/T 5009.199-2003",
                    "measured_value": Decimal("56.0"),
                    "unit": "%",
                }
            ],
            idempotency_key="demo-rapid-test-TJD2025C01",
        )
        if suspect.signed_at is None:
            inspection_sign(inspection=suspect, signed_by=inspector)

    def _print_demo_scans(self) -> None:
        self.stdout.write("演示扫码（在浏览器中打开）：")
        for lot_code, _operator, _count in LABEL_SHEETS:
            label = (
                Label.objects.filter(
                    batch__lot_code=lot_code, status=LabelStatus.ACTIVE
                )
                .select_related("batch__product_line")
                .order_by("print_job", "sequence")
                .first()
            )
            if label is not None:
                self.stdout.write(f"  {label.batch.product_line.name:<8} {label.url()}")
