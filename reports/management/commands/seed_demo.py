"""`seed_demo`: the whole demo county, idempotent.

The trace part comes from `seed_trace_demo`; this command, which sits above
every domain like the rest of reports/, adds what needs labels and
inspections: printed label sheets, inspections (one suspect rapid test, so a
demo scan shows a warning), a sales event for the 统计表, the offices'
reporting periods with the seed documents' own deadlines, a township's
submitted form and a receipt attached to a sale.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.choices import InspectionKind
from inspections.services.analytes import analyte_seed_examples
from inspections.services.inspections import inspection_create, inspection_sign
from labels.choices import LabelStatus
from labels.models import Label, PrintJob
from labels.scans import labels_scans_reset
from labels.services import print_job_create, print_job_render
from reports.bulletin import yunyang_targets_set
from reports.choices import PeriodFrequency, SubmissionStatus
from reports.form_pdf import form_pdf
from reports.models import ReportPeriod, Submission
from reports.services import sales_event_record
from reports.submissions import (
    report_period_create,
    report_periods_schedule,
    submission_create,
    submission_submit,
)
from reports.targets import hunan_targets_set
from trace.choices import RegionLevel
from trace.demo.lots import demo_batch
from trace.models import Region, Sale
from trace.services.events import sale_evidence_add

# The seed documents' own deadlines: (form, region, submitting level,
# frequency, due day of the month, recipient, source).
SCHEDULES = [
    # 云阳: 乡镇 sales (附件2) to 县商务委 by the 30th of each quarter's last
    # month; the product list (附件1) to 县农业农村委 at least monthly (no day
    # given: by the month's end).
    (
        "township_sales",
        "云阳县",
        RegionLevel.TOWN,
        PeriodFrequency.QUARTERLY,
        30,
        "县商务委",
        "004_e2569fb525a9ad4f.txt 第33、162行",
    ),
    (
        "products_for_sale",
        "云阳县",
        RegionLevel.TOWN,
        PeriodFrequency.MONTHLY,
        31,
        "县农业农村委",
        "004_e2569fb525a9ad4f.txt 第114行",
    ),
    # 大通湖: 各镇 hand in 附件2 with the invoices by the 29th of every month.
    # (附件1, the 带贫人员名册, carries whole ID numbers: only administrators
    # may build it, so it is not a township's form here.)
    (
        "sales_evidence",
        "大通湖区",
        RegionLevel.TOWN,
        PeriodFrequency.MONTHLY,
        29,
        "区扶贫办",
        "003_eac4151f958b09b3.txt 第74行",
    ),
    # Demo of the whole chain in 洞口县: townships report quarterly to the county.
    (
        "township_sales",
        "洞口县",
        RegionLevel.TOWN,
        PeriodFrequency.QUARTERLY,
        30,
        "县扶贫办",
        "演示：参照 004_e2569fb525a9ad4f.txt 第162行",
    ),
]

# (lot code, operator, label count)
LABEL_SHEETS = [
    ("XFMJ{year}A01", "operator", 24),
    ("GLYW{year}S01", "operator2", 24),
]


class Command(BaseCommand):
    help = "载入完整演示数据：追溯、标签、检测（可重复执行，不会产生重复数据）。"

    def handle(self, *args, **options) -> None:
        call_command("seed_trace_demo", stdout=self.stdout)
        call_command("seed_catalogue_demo", stdout=self.stdout)
        users = {user.username: user for user in get_user_model().objects.all()}
        with transaction.atomic():
            analyte_seed_examples()
            self._inspections(users["inspector"])
            sales_event_record(
                name="洞口县消费扶贫月产销对接会",
                region=Region.objects.get(name="洞口县"),
                held_on=datetime.date(timezone.localdate().year, 9, 20),
                organiser="洞口县扶贫开发办公室",
                recorded_by=users["admin"],
            )
            jobs = [
                self._label_sheet(lot, users[operator], count)
                for lot, operator, count in LABEL_SHEETS
            ]
            self._periods(users["admin"])
            self._targets(users["admin"])
            self._sale_receipt(users["operator2"])
            self._township_submission(users["supervisor"])
        for job in jobs:
            print_job_render(print_job_id=job.pk)
        # Demo scans start from zero each time: a demo opened all day must
        # not show as a cloned label (issue 23).
        labels_scans_reset(
            labels=Label.objects.filter(
                batch__in=[demo_batch(lot) for lot, _operator, _count in LABEL_SHEETS]
            )
        )
        self._print_demo_scans()

    def _periods(self, admin) -> None:
        year = timezone.localdate().year
        for form_key, region, level, frequency, day, recipient, source in SCHEDULES:
            report_periods_schedule(
                form_key=form_key,
                region=Region.objects.get(name=region),
                submitter_level=level,
                frequency=frequency,
                year=year,
                due_day=day,
                recipient=recipient,
                source=source,
                created_by=admin,
                # The demo starts now: the windows already over are not owed.
                since=timezone.localdate(),
            )
        # 湖南省's 消费扶贫月: September (002, line 31); each 市州 sums, stamps and
        # sends the 统计表 with its 工作小结 by 9 October (002, lines 63 and 89).
        province = Region.objects.get(name="湖南省")
        if not ReportPeriod.objects.filter(
            form_key="campaign_statistics",
            region=province,
            starts_on=datetime.date(year, 9, 1),
        ).exists():
            report_period_create(
                form_key="campaign_statistics",
                region=province,
                submitter_level=RegionLevel.CITY,
                frequency=PeriodFrequency.CAMPAIGN,
                name=f"{year}年消费扶贫月",
                starts_on=datetime.date(year, 9, 1),
                ends_on=datetime.date(year, 9, 30),
                due_on=datetime.date(year, 10, 9),
                recipient="省扶贫办",
                source="002_9163a51b4e7803d4.txt 第31、63、89行",
                created_by=admin,
            )

    def _targets(self, admin) -> None:
        """This year's targets as the seeds write them: 湖南省's (002) and 云阳县's (004)."""
        year = timezone.localdate().year
        hunan_targets_set(
            province=Region.objects.get(name="湖南省"), year=year, changed_by=admin
        )
        yunyang = Region.objects.filter(name="云阳县").first()
        if yunyang is not None:
            yunyang_targets_set(county=yunyang, year=year, changed_by=admin)

    def _sale_receipt(self, operator) -> None:
        """A receipt stamped by the village and signed by the household (003:74)."""
        sale = (
            Sale.objects.filter(batch=demo_batch("GLYW{year}S01"))
            .order_by("pk")
            .first()
        )
        if sale is None or sale.evidence.exists():
            return
        receipt = form_pdf(
            {
                "key": "receipt",
                "title": "消费扶贫产品销售凭证（演示）",
                "columns": [
                    "买方",
                    "产品",
                    "数量",
                    "金额（元）",
                    "行政村盖章",
                    "贫困户签字",
                ],
                "money_columns": ["金额（元）"],
                "rows": [
                    [
                        sale.buyer,
                        str(sale.batch.product_line),
                        f"{sale.quantity.normalize():f}{sale.unit}",
                        sale.amount,
                        "古楼村村民委员会（章）",
                        "杨桂花",
                    ]
                ],
            }
        )
        sale_evidence_add(
            sale=sale,
            uploaded_by=operator,
            file=ContentFile(receipt, name="receipt.pdf"),
            name="receipt.pdf",
            caption="销售凭证（行政村盖章、贫困户签字）",
        )

    def _township_submission(self, supervisor) -> None:
        """古楼乡's form of the current quarter, submitted to 洞口县 for review."""
        today = timezone.localdate()
        period = ReportPeriod.objects.get(
            form_key="township_sales",
            region__name="洞口县",
            starts_on__lte=today,
            ends_on__gte=today,
        )
        town = Region.objects.get(name="古楼乡")
        submission = Submission.objects.filter(period=period, region=town).first()
        if submission is None:
            submission = submission_create(
                period=period,
                region=town,
                created_by=supervisor,
                summary="本季度古楼乡通过专馆、机关食堂销售古楼云雾茶，带动贫困户增收。",
            )
        if submission.status == SubmissionStatus.DRAFT:
            submission_submit(submission=submission, user=supervisor)

    def _label_sheet(self, lot_code: str, operator, count: int) -> PrintJob:
        batch = demo_batch(lot_code)
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
            batch=demo_batch("XFMJ{year}A01"),
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
            # A stable key, not the lot's year: a reseed finds it again.
            idempotency_key="demo-spot-check-XFMJ2025A01",
        )
        if passing.signed_at is None:
            inspection_sign(inspection=passing, signed_by=inspector)
        suspect, _created = inspection_create(
            created_by=inspector,
            batch=demo_batch("TJD{year}C01"),
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
                    batch=demo_batch(lot_code), status=LabelStatus.ACTIVE
                )
                .select_related("batch__product_line")
                .order_by("print_job", "sequence")
                .first()
            )
            if label is not None:
                self.stdout.write(f"  {label.batch.product_line.name:<8} {label.url()}")
