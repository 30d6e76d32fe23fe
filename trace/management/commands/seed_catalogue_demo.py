"""`seed_catalogue_demo`: the 扶贫产品目录 of the demo county (seed_demo calls it).

Runs after `seed_trace_demo`. Adds the people of the 认定 procedure (a village
信息员, a township 监督员, the county office), and walks products through the
real services: five listed (their 公示 placed in the past), one in 公示 now
with an objection awaiting review, one applied and waiting for the 古楼乡
监督员. Idempotent: an entry is found by producer and name first.
"""

import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from trace import access
from trace.choices import (
    BenefitKind,
    CatalogueContactKind,
    CatalogueStatus,
    DeliveryMethod,
    ProducerKind,
    Role,
    SalePeriod,
    Season,
)
from trace.demo.shapes import make_uscc
from trace.models import (
    BenefitLink,
    CatalogueAvailability,
    CatalogueEntry,
    Certification,
    Household,
    Producer,
    ProductLine,
    Region,
    TownshipNotice,
    UserRole,
)
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_notices_close,
    catalogue_objection_lodge,
    township_notice_publish,
)
from trace.services.catalogue_files import catalogue_evidence_add, catalogue_photo_add
from trace.services.certification import producer_certify
from trace.services.registry import producer_create

# The 四员 and the county office seed_trace_demo made (it runs first).
OFFICERS = ["informant", "supervisor", "office"]

# 云阳 附件1's own case: a village collective gathers a household's potatoes
# (seed 004 line 28) and its head is the 供货联系人.
YUNYANG_COLLECTIVE = (
    "云阳县龙角镇青山村股份经济合作联合社",
    make_uscc("93", "500235", "MA5YY0055"),
    "青山村",
    "李德全",
    "13983400055",
)

# (status, producer name, product line or None, region, fields)
ENTRIES = [
    (
        CatalogueStatus.LISTED,
        "洞口县雪峰蜜橘果业有限公司",
        "雪峰蜜橘",
        "金塘村",
        {
            "name": "雪峰蜜橘",
            "category": "水果",
            "specification": "10斤装",
            "unit": "箱",
            "price": Decimal("58"),
            "delivery_method": DeliveryMethod.COURIER,
            "season": Season.AUTUMN,
            "planned_quantity": Decimal("2000"),
            "shop_url": "https://www.fupin832.com/",
        },
    ),
    (
        CatalogueStatus.LISTED,
        "洞口县古楼云雾茶专业合作社",
        "古楼云雾茶",
        "古楼村",
        {
            "name": "古楼云雾茶",
            "category": "茶叶",
            "specification": "250克/盒",
            "unit": "盒",
            "price": Decimal("88"),
            "delivery_method": DeliveryMethod.PICKUP,
            "season": Season.SPRING,
            "planned_quantity": Decimal("300"),
            "contact_kind": CatalogueContactKind.INFORMANT,
        },
    ),
    (
        CatalogueStatus.LISTED,
        "洞口县醪田五彩米家庭农场",
        "五彩米",
        "醪田村",
        {
            "name": "五彩米",
            "category": "大米",
            "specification": "5斤/袋",
            "unit": "斤",
            "price": Decimal("6.5"),
            "delivery_method": DeliveryMethod.DOORSTEP,
            "season": Season.ALL_YEAR,
            "planned_quantity": Decimal("1500"),
        },
    ),
    (
        CatalogueStatus.LISTED,
        YUNYANG_COLLECTIVE[0],
        None,
        "青山村",
        {
            "name": "土豆",
            "category": "蔬菜",
            "unit": "斤",
            "price": Decimal("3"),
            "delivery_method": DeliveryMethod.DOORSTEP,
            "season": Season.SUMMER,
            "planned_quantity": Decimal("30"),
        },
    ),
    (
        CatalogueStatus.NOTICE,
        "洞口县醪田五彩米家庭农场",
        "土鸡蛋",
        "醪田村",
        {
            "name": "土鸡蛋",
            "category": "禽蛋",
            "specification": "30枚/盒",
            "unit": "盒",
            "price": Decimal("45"),
            "delivery_method": DeliveryMethod.DOORSTEP,
            "season": Season.ALL_YEAR,
            "planned_quantity": Decimal("200"),
        },
    ),
    (
        CatalogueStatus.LISTED,
        "益阳市大通湖区北洲子水产专业合作社",
        "大通湖大闸蟹",
        "新华村",
        {
            "name": "大通湖大闸蟹",
            "category": "水产",
            "specification": "公蟹4两/只",
            "unit": "只",
            "price": Decimal("35"),
            "delivery_method": DeliveryMethod.FREIGHT,
            "season": Season.AUTUMN,
            "planned_quantity": Decimal("5000"),
            "planned_period": SalePeriod.SEASON,
        },
    ),
    (
        CatalogueStatus.APPLIED,
        "洞口县古楼云雾茶专业合作社",
        None,
        "茶铺村",
        {
            "name": "古楼红茶",
            "category": "茶叶",
            "specification": "200克/罐",
            "unit": "罐",
            "price": Decimal("68"),
            "delivery_method": DeliveryMethod.COURIER,
            "season": Season.SUMMER,
            "planned_quantity": Decimal("150"),
        },
    ),
]


def demo_photo() -> bytes:
    """Draw a plain picture of oranges (no camera, so no metadata to strip)."""
    image = Image.new("RGB", (480, 320), (245, 238, 214))
    draw = ImageDraw.Draw(image)
    for x, y in ((120, 170), (240, 150), (360, 175), (180, 240), (300, 245)):
        draw.ellipse((x - 55, y - 55, x + 55, y + 55), fill=(236, 128, 20))
        draw.ellipse((x - 8, y - 58, x + 8, y - 46), fill=(40, 110, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "载入扶贫产品目录的演示数据（seed_demo 调用；可重复执行）。"

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self.today = timezone.localdate()
            self.admin = get_user_model().objects.get(username="admin")
            self.users = {
                user.username: user
                for user in get_user_model().objects.filter(username__in=OFFICERS)
            }
            self._yunyang_collective()
            for status, producer, line, region, fields in ENTRIES:
                self._entry(status, producer, line, region, dict(fields))
            self._extras()
            self._township_notice()
        listed = CatalogueEntry.objects.filter(status=CatalogueStatus.LISTED).count()
        self.stdout.write(
            self.style.SUCCESS(f"扶贫产品目录：{listed} 个产品已入目录。")
        )

    def _township_notice(self) -> None:
        """古楼乡's 监督员 announces the spring tea purchase (信息发布, 001:193-195)."""
        supervisor = self.users["supervisor"]
        township = Region.objects.get(name="古楼乡")
        title = "古楼云雾茶春茶收购"
        if TownshipNotice.objects.filter(township=township, title=title).exists():
            return
        township_notice_publish(
            township=township,
            title=title,
            body="古楼乡各村收购点收购春茶鲜叶，欢迎机关、学校、企业到乡扶贫站联系采购。",
            published_by=supervisor,
        )

    def _yunyang_collective(self) -> None:
        name, uscc, village, person, phone = YUNYANG_COLLECTIVE
        producer = Producer.objects.filter(uscc=uscc).first()
        if producer is None:
            producer = producer_create(
                created_by=self.admin,
                name=name,
                kind=ProducerKind.COOPERATIVE,
                uscc=uscc,
                region=Region.objects.get(name=village),
                contact_person=person,
                contact_phone=phone,
            )
        household = Household.objects.get(head_name="冉启富")
        BenefitLink.objects.get_or_create(
            producer=producer,
            household=household,
            kind=BenefitKind.ORDER_PURCHASE,
            defaults={
                "since": datetime.date(2020, 3, 1),
                "annual_income": Decimal("6800"),
            },
        )
        if not Certification.objects.filter(producer=producer).exists():
            producer_certify(
                producer=producer,
                number="CQ-YY-FPCP-2025-0001",
                issuer="云阳县扶贫开发办公室",
                valid_from=datetime.date(self.today.year - 1, 1, 1),
                valid_until=datetime.date(self.today.year + 1, 12, 31),
                certified_by=self.admin,
            )

    def _extras(self) -> None:
        """A photo, this month's availability, and an objection awaiting review."""
        orange = CatalogueEntry.objects.get(name="雪峰蜜橘")
        if not orange.photos.exists():
            catalogue_photo_add(
                entry=orange,
                content=demo_photo(),
                suffix=".png",
                caption="演示图片",
                uploaded_by=self.admin,
            )
        tea = CatalogueEntry.objects.get(name="古楼云雾茶")
        if not CatalogueAvailability.objects.filter(entry=tea).exists():
            catalogue_availability_set(
                entry=tea,
                month=self.today,
                available=True,
                quantity=Decimal("120"),
                recorded_by=self.users["informant"],
                note="冬茶少量",
            )
        applied = CatalogueEntry.objects.filter(status=CatalogueStatus.APPLIED).first()
        if applied is not None and not applied.evidence.exists():
            document = io.BytesIO(demo_photo())
            catalogue_evidence_add(
                entry=applied,
                uploaded_by=self.admin,
                file=document,
                name="带贫情况说明.png",
                caption="演示：带贫情况说明（务工名册照片）",
            )
        eggs = CatalogueEntry.objects.get(name="土鸡蛋")
        if not eggs.objections.exists():
            catalogue_objection_lodge(
                entry=eggs, text="演示数据：听说部分鸡蛋是从外地收购的，请核实。"
            )

    def _entry(self, status, producer_name, line_name, region, fields) -> None:
        producer = Producer.objects.get(name=producer_name)
        if CatalogueEntry.objects.filter(
            producer=producer, name=fields["name"]
        ).exists():
            return
        if fields.get("contact_kind") == CatalogueContactKind.INFORMANT:
            fields["informant"] = self.users["informant"]
        operator = (
            UserRole.objects.filter(producer=producer, role=Role.OPERATOR)
            .select_related("user")
            .first()
        )
        applicant = operator.user if operator else self.admin
        entry = catalogue_entry_create(
            producer=producer,
            created_by=applicant,
            product_line=ProductLine.objects.filter(name=line_name).first()
            if line_name
            else None,
            region=Region.objects.get(name=region),
            households=[
                link.household for link in BenefitLink.objects.filter(producer=producer)
            ],
            **fields,
        )
        entry = catalogue_entry_apply(
            entry=entry,
            applied_by=applicant,
            statement="演示数据：带贫情况见利益联结。",
        )
        if status == CatalogueStatus.APPLIED:
            return
        supervisor = (
            self.users["supervisor"] if region in ("古楼村", "茶铺村") else self.admin
        )
        # 洞口县's office decides its own county's products; the admin the rest.
        office = self.users["office"]
        if not access.may_decide_catalogue_entry(office, entry):
            office = self.admin
        catalogue_entry_check(entry=entry, checked_by=supervisor, passed=True)
        entry = catalogue_entry_decide(
            entry=entry, decided_by=office, approved=True, reason="符合认定政策"
        )
        if status == CatalogueStatus.LISTED:
            # Demo only: the 公示 ran in the past, so the product is listed now.
            ended = self.today - datetime.timedelta(days=3)
            CatalogueEntry.objects.filter(pk=entry.pk).update(
                notice_starts_on=ended - datetime.timedelta(days=6),
                notice_ends_on=ended,
            )
            catalogue_notices_close()
