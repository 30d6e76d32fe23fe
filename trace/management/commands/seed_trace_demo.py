"""Load the demo county: 洞口县's 雪峰蜜橘 and 洞乡源味, plus 邵东, 大通湖 and 云阳.

Idempotent: every row is found by its natural key before anything is created,
so a second run changes nothing. Names and identifiers are invented (the ID
numbers and credit codes are only well-formed); place names, brands and
products follow the seed documents (seeds/000–004). The data is in
trace.demo, one NamedTuple a row; this command loads it.
"""

import datetime
import io
from decimal import Decimal

import tablib
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from trace.choices import (
    BatchStatus,
    BenefitKind,
    PaymentKind,
    ReferenceDocumentType,
    Role,
    TraceEventKind,
    WatchReason,
)
from trace.demo.batches import BATCHES, SALES, SLOW_SELLING
from trace.demo.certification import CERTIFICATIONS, POLICIES
from trace.demo.households import BENEFIT_LINKS, ENDED_LINKS, HOUSEHOLDS, MEMBERS
from trace.demo.lots import demo_batches, demo_lot_code
from trace.demo.registry import (
    BRANDS,
    LICENSES,
    OUTLETS,
    PRODUCERS,
    PRODUCT_LINES,
    REGIONS,
)
from trace.demo.shapes import (
    DemoBatch,
    DemoBrand,
    DemoHousehold,
    DemoHouseholdMember,
    DemoOutlet,
    DemoProducer,
    DemoProductLine,
    DemoRegion,
)
from trace.demo.users import DEMO_PASSWORD, USERS
from trace.management.commands.seed_catalogue_demo import demo_photo
from trace.models import (
    Batch,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    CertificationPolicy,
    Household,
    HouseholdMember,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    SalesChannel,
    SalesImport,
    SlowSellingMark,
    TraceEvent,
    UserRole,
    WatchClosure,
)
from trace.personal_data import id_number_blind_index
from trace.selectors.watch import benefit_watch_list
from trace.services.batches import batch_create, batch_release, slow_selling_mark
from trace.services.certification import certification_policy_set, producer_certify
from trace.services.channels import region_channels_adopt
from trace.services.events import (
    guidance_visit_record,
    purchase_record,
    sale_record,
    trace_event_record,
)
from trace.services.households import (
    benefit_link_end,
    household_create,
    household_member_add,
    household_record_public_name_consent,
)
from trace.services.imports import sales_import_check, sales_import_create
from trace.services.licences import brand_license_grant
from trace.services.payments import (
    benefit_evidence_add,
    benefit_watch_close,
    household_payment_confirm_on_visit,
    household_payment_record,
)
from trace.services.registry import (
    outlet_create,
    producer_create,
    product_line_create,
    product_line_update,
    region_create,
)


class Command(BaseCommand):
    help = "载入追溯部分的演示数据（seed_demo 调用；可重复执行）。"

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self.today = timezone.localdate()
            # Accounts first: the registers are written as the demo admin.
            self.users = self._users_without_roles()
            self.regions: dict[str, Region] = {}
            for item in REGIONS:
                self._region(item)
            self.households = {item.key: self._household(item) for item in HOUSEHOLDS}
            for member in MEMBERS:
                self._member(member)
            self.producers = {
                key: self._producer(item) for key, item in PRODUCERS.items()
            }
            self._benefit_links()
            self._benefit_evidence()
            self._policies()
            self._certifications()
            self.brands = {key: self._brand(item) for key, item in BRANDS.items()}
            self.product_lines = {
                key: self._product_line(item) for key, item in PRODUCT_LINES.items()
            }
            self._licenses()
            self.outlets = {key: self._outlet(item) for key, item in OUTLETS.items()}
            self._roles()
            self._channels()
            self.batches = {item.lot_code: self._batch(item) for item in BATCHES}
            self._sales()
            self._platform_import()
            self._four_officers()
            self._slow_selling()
            self._ended_links()
            self._household_payments()
        self._print_summary()

    # Registers.

    def _region(self, item: DemoRegion) -> None:
        *ancestors, name = item.path.split("/")
        parent = self.regions[ancestors[-1]] if ancestors else None
        region = Region.objects.filter(parent=parent, name=name).first()
        if region is None:
            region = region_create(
                name=name,
                level=item.level,
                parent=parent,
                code=item.code,
                supply_contact_name=item.supply_contact[0],
                supply_contact_phone=item.supply_contact[1],
                created_by=self.users["admin"],
            )
        elif item.supply_contact[0] and not region.supply_contact_name:
            # A database seeded before townships named their supply contact.
            Region.objects.filter(pk=region.pk).update(
                supply_contact_name=item.supply_contact[0],
                supply_contact_phone=item.supply_contact[1],
            )
        self.regions[name] = region

    def _household(self, item: DemoHousehold) -> Household:
        household = Household.objects.filter(
            id_number_index=id_number_blind_index(item.id_number)
        ).first()
        if household is None:
            household = household_create(
                created_by=self.users["admin"],
                id_number=item.id_number,
                village=self.regions[item.village],
                head_name=item.head_name,
                phone="",
                members=item.members,
                registered_year=2016,
            )
        if item.consent and not household.has_public_name_consent:
            household = household_record_public_name_consent(
                household=household, recorded_by=self.users["admin"], consented=True
            )
        return household

    def _member(self, item: DemoHouseholdMember) -> None:
        if HouseholdMember.objects.filter(
            id_number_index=id_number_blind_index(item.id_number)
        ).exists():
            return
        household_member_add(
            household=self.households[item.household],
            added_by=self.users["admin"],
            id_number=item.id_number,
            name=item.name,
            relation=item.relation,
        )

    def _producer(self, item: DemoProducer) -> Producer:
        fields = {
            "name": item.name,
            "kind": item.kind,
            "region": self.regions[item.village],
            "address": item.address,
            "contact_person": item.contact_person,
            "contact_phone": item.contact_phone,
        }
        producer = Producer.objects.filter(uscc=item.uscc).first()
        if producer is None:
            return producer_create(
                created_by=self.users["admin"], uscc=item.uscc, **fields
            )
        return producer

    def _benefit_links(self) -> None:
        for link in BENEFIT_LINKS:
            BenefitLink.objects.get_or_create(
                producer=self.producers[link.producer],
                household=self.households[link.household],
                kind=link.kind,
                defaults={
                    "since": link.since,
                    "annual_income": Decimal(link.annual_income),
                },
            )

    def _peach_link(self) -> BenefitLink:
        """The 邵东 enterprise's best-paid 务工 link: the demo's vouched case."""
        return (
            BenefitLink.objects.filter(
                producer=self.producers["peach"], kind=BenefitKind.EMPLOYMENT
            )
            .order_by("-annual_income", "pk")
            .first()
        )

    def _benefit_evidence(self) -> None:
        """A labour contract behind one link, before 认定 counts it."""
        link = self._peach_link()
        if not link.evidence.exists():
            benefit_evidence_add(
                uploaded_by=self.users["admin"],
                benefit_link=link,
                file=io.BytesIO(demo_photo()),
                name="劳动合同.png",
                caption="劳动合同（演示图片）",
            )

    def _household_payments(self) -> None:
        """A year's wage on that link, confirmed on the 信息员's visit, and a
        watch-list line closed with its reason."""
        link = self._peach_link()
        if not link.payments.exists():
            payment, _code = household_payment_record(
                recorded_by=self.users["admin"],
                household=link.household,
                producer=link.producer,
                benefit_link=link,
                kind=PaymentKind.WAGE,
                amount=link.annual_income,
                paid_on=self.today - datetime.timedelta(days=30),
            )
            household_payment_confirm_on_visit(
                payment=payment,
                confirmed_by=self.users["admin"],
                note="到户收益确认单已签字（演示）",
                photo=io.BytesIO(demo_photo()),
                photo_name="确认单.png",
            )
        if not WatchClosure.objects.exists():
            line = next(
                (
                    line
                    for line in benefit_watch_list(user=self.users["admin"])
                    if line.reason == WatchReason.LINK_WITHOUT_EVIDENCE
                ),
                None,
            )
            if line is not None:
                benefit_watch_close(
                    reason=line.reason,
                    record_id=line.record_id,
                    note="已核实：劳动合同原件在村委会存档（演示）",
                    closed_by=self.users["admin"],
                )

    def _policies(self) -> None:
        for region, policy in POLICIES.items():
            if CertificationPolicy.objects.filter(region=self.regions[region]).exists():
                continue
            certification_policy_set(
                region=self.regions[region],
                changed_by=self.users["admin"],
                eligible_producer_kinds=[str(kind) for kind in policy.producer_kinds],
                qualifying_benefit_kinds=[str(kind) for kind in policy.benefit_kinds],
                min_annual_income=Decimal(policy.min_annual_income)
                if policy.min_annual_income is not None
                else None,
                min_households=policy.min_households,
                source_document=policy.source_document,
                source_clause=policy.source_clause,
                note=policy.note,
            )

    def _certifications(self) -> None:
        for producer, certification in CERTIFICATIONS.items():
            if Certification.objects.filter(number=certification.number).exists():
                continue
            producer_certify(
                producer=self.producers[producer],
                number=certification.number,
                issuer=certification.issuer,
                valid_from=datetime.date(self.today.year - 1, 1, 1),
                valid_until=datetime.date(self.today.year + 1, 12, 31),
                certified_by=self.users["admin"],
            )

    def _brand(self, item: DemoBrand) -> Brand:
        brand, _ = Brand.objects.get_or_create(
            name=item.name,
            defaults={
                "kind": item.kind,
                "owner": item.owner,
                "description": item.description,
            },
        )
        return brand

    def _product_line(self, item: DemoProductLine) -> ProductLine:
        brand = self.brands[item.brand] if item.brand else None
        line = ProductLine.objects.filter(brand=brand, name=item.name).first()
        fields = {
            "producer": self.producers[item.owner] if item.owner else None,
            "protected_regions": [
                self.regions[region] for region in item.protected_regions
            ],
        }
        if line is None:
            return product_line_create(
                created_by=self.users["admin"],
                brand=brand,
                name=item.name,
                category=item.category,
                standard=item.standard,
                geographical_indication=item.geographical_indication,
                gtin=item.gtin,
                unit=item.unit,
                processed=item.processed,
                **fields,
            )
        # A database seeded before owners and protected regions existed.
        if (
            line.producer_id is None
            and item.owner
            or (item.geographical_indication and not line.protected_regions.exists())
            or line.processed != item.processed
        ):
            line = product_line_update(
                product_line=line,
                changed_by=self.users["admin"],
                processed=item.processed,
                **fields,
            )
        return line

    def _licenses(self) -> None:
        for item in LICENSES:
            product_lines = [self.product_lines[key] for key in item.product_lines]
            license_ = BrandLicense.objects.filter(
                brand=self.brands[item.brand],
                producer=self.producers[item.producer],
                revoked_at__isnull=True,
            ).first()
            if license_ is None:
                brand_license_grant(
                    brand=self.brands[item.brand],
                    producer=self.producers[item.producer],
                    product_lines=product_lines,
                    valid_from=datetime.date(self.today.year - 1, 1, 1),
                    valid_until=datetime.date(self.today.year + 1, 12, 31),
                    created_by=self.users["admin"],
                )

    def _outlet(self, item: DemoOutlet) -> Outlet:
        outlet = Outlet.objects.filter(name=item.name).first()
        if outlet is None:
            outlet = outlet_create(
                created_by=self.users["admin"],
                name=item.name,
                kind=item.kind,
                region=self.regions[item.region],
                operator_name=item.operator_name,
                url=item.url,
            )
        return outlet

    # Users: accounts first (consent and certification record who did it),
    # roles once the producers exist.

    def _users_without_roles(self) -> dict:
        user_model = get_user_model()
        users = {}
        for item in USERS:
            username, staff = item.username, item.staff
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": staff, "is_superuser": staff}
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if (user.is_staff, user.is_superuser, user.is_active) != (
                staff,
                staff,
                True,
            ):
                user.is_staff = user.is_superuser = staff
                user.is_active = True
                user.save(update_fields=["is_staff", "is_superuser", "is_active"])
            users[username] = user
        return users

    def _roles(self) -> None:
        for item in USERS:
            binding, _ = UserRole.objects.update_or_create(
                user=self.users[item.username],
                defaults={
                    "role": item.role,
                    "producer": self.producers[item.producer]
                    if item.producer
                    else None,
                    "outlet": self.outlets[item.outlet] if item.outlet else None,
                    "organisation": item.organisation,
                    "real_name": item.real_name,
                    "phone": item.phone,
                },
            )
            binding.regions.set([self.regions[name] for name in item.regions])

    # Batches, their events and sales.

    def _batch(self, item: DemoBatch) -> Batch:
        producer = self.producers[item.producer]
        product_line = self.product_lines[item.product_line]
        operator = next(
            (
                self.users[user.username]
                for user in USERS
                if user.producer == item.producer
            ),
            self.users["admin"],
        )
        # Found by its stable demo key, not its year: a database seeded in an
        # earlier year keeps its batch (whose lot code names its own harvest).
        batch = (
            demo_batches(item.lot_code)
            .filter(producer=producer, product_line=product_line)
            .order_by("pk")
            .first()
        )
        if batch is None:
            harvest_date = self.today - datetime.timedelta(days=item.days_ago)
            batch = batch_create(
                producer=producer,
                product_line=product_line,
                lot_code=demo_lot_code(item.lot_code, harvest_date),
                name=item.name,
                origin=self.regions[item.origin],
                harvest_date=harvest_date,
                quantity=Decimal(item.quantity),
                unit=product_line.unit,
                created_by=operator,
                contributions=[
                    {
                        "household": self.households[contribution.household],
                        "quantity": Decimal(contribution.quantity),
                        "amount_paid": Decimal(contribution.amount_paid),
                    }
                    for contribution in item.contributions
                ],
            )
        if item.release and batch.status == BatchStatus.DRAFT:
            batch = batch_release(batch=batch, changed_by=operator)
        if batch.status != BatchStatus.DRAFT:
            self._events(batch, producer, operator)
        return batch

    def _events(self, batch: Batch, producer: Producer, operator) -> None:
        harvest = datetime.datetime.combine(
            batch.harvest_date,
            datetime.time(8, 0),
            tzinfo=timezone.get_current_timezone(),
        )
        steps = [
            (
                TraceEventKind.HARVEST,
                0,
                batch.origin,
                f"{batch.origin.name}基地",
                ReferenceDocumentType.PRODUCTION_LOG,
            ),
            (
                TraceEventKind.PACK,
                1,
                producer.region,
                producer.address,
                ReferenceDocumentType.CERTIFICATE,
            ),
            (
                TraceEventKind.SHIP,
                2,
                producer.region,
                producer.address,
                ReferenceDocumentType.BILL_OF_LADING,
            ),
        ]
        for kind, day, location, place, document in steps:
            if TraceEvent.objects.filter(batch=batch, kind=kind).exists():
                continue
            trace_event_record(
                batch=batch,
                recorded_by=operator,
                kind=kind,
                occurred_at=harvest + datetime.timedelta(days=day, hours=2 * day),
                location=location,
                place=place,
                actor=producer.name,
                quantity=batch.quantity,
                unit=batch.unit,
                reference_document_type=document,
                reference_document_number=f"{batch.lot_code}-{day + 1:02d}",
            )

    def _sales(self) -> None:
        for item in SALES:
            batch = self.batches[item.lot_code]
            if Sale.objects.filter(batch=batch, buyer=item.buyer).exists():
                continue
            sold_at = datetime.datetime.combine(
                batch.harvest_date + datetime.timedelta(days=item.days_after_harvest),
                datetime.time(10, 30),
                tzinfo=timezone.get_current_timezone(),
            )
            sale_record(
                batch=batch,
                recorded_by=self.users["admin"],
                buyer=item.buyer,
                outlet=self.outlets[item.outlet] if item.outlet else None,
                buyer_outlet=(
                    self.outlets[item.buyer_outlet] if item.buyer_outlet else None
                ),
                channel=item.channel,
                channel_reason=item.channel_reason,
                quantity=Decimal(item.quantity),
                unit=batch.unit,
                amount=Decimal(item.amount),
                sold_at=sold_at,
                note=item.note,
            )

    def _channels(self) -> None:
        """Each county's channels in its own words: 洞口's 十进, 邵东's 五进."""
        for county, list_key in (
            ("洞口县", "dongkou_shijin"),
            ("邵东市", "shaodong_wujin"),
        ):
            if not SalesChannel.objects.filter(region=self.regions[county]).exists():
                region_channels_adopt(
                    region=self.regions[county],
                    list_key=list_key,
                    changed_by=self.users["admin"],
                )

    def _platform_import(self) -> None:
        """A small 扶贫832 export, checked (the dry run) and left for the clerk."""
        if SalesImport.objects.exists():
            return
        export = tablib.Dataset(
            headers=[
                "订单编号",
                "下单时间",
                "商品名称",
                "购买数量",
                "实付金额",
                "采购单位",
            ]
        )
        sold = timezone.localtime() - datetime.timedelta(days=1)
        for number, product in enumerate(("古楼云雾茶", "古楼云雾茶", "不明商品"), 1):
            export.append(
                [
                    f"832-DEMO-{number:04d}",
                    f"{sold:%Y-%m-%d %H:%M:%S}",
                    product,
                    "1",
                    "168.00",
                    "洞口县第一中学",
                ]
            )
        demo_import = sales_import_create(
            platform="扶贫832",
            file=io.BytesIO(export.export("csv").encode()),
            name="832-orders.csv",
            columns={
                "order_number": "订单编号",
                "sold_at": "下单时间",
                "product": "商品名称",
                "quantity": "购买数量",
                "amount": "实付金额",
                "buyer": "采购单位",
            },
            uploaded_by=self.users["admin"],
        )
        # Now, not after the seed's commit: the demo shows the rows at once
        # (the queued task then finds the job checked and does nothing).
        sales_import_check(sales_import_id=demo_import.pk)

    def _four_officers(self) -> None:
        """A guidance visit and a purchase from a household, once each.

        Both belong before the batch's 包装 and 发货 (`_events`: harvest day
        08:00, packed the next day at 10:00, shipped the day after at 12:00):
        the visit on the morning of the picking, the purchase the next
        morning. trace.rules refuses either after the shipment or before the
        batch's harvest date.
        """
        batch = self.batches["GLYW{year}S01"]
        visited = datetime.datetime.combine(
            batch.harvest_date,
            datetime.time(7, 30),
            tzinfo=timezone.get_current_timezone(),
        )
        purchased = datetime.datetime.combine(
            batch.harvest_date + datetime.timedelta(days=1),
            datetime.time(9, 30),
            tzinfo=timezone.get_current_timezone(),
        )
        if not TraceEvent.objects.filter(
            batch=batch, kind=TraceEventKind.GUIDANCE
        ).exists():
            guidance_visit_record(
                batch=batch,
                recorded_by=self.users["technician"],
                occurred_at=visited,
                topic="秋茶采摘标准与病虫害绿色防控",
                organisation="古楼乡农业综合服务站",
            )
        if not TraceEvent.objects.filter(
            batch=batch, kind=TraceEventKind.PURCHASE
        ).exists():
            purchase_record(
                batch=batch,
                household=self.households["xiao"],
                quantity=Decimal("20"),
                amount_paid=Decimal("600.00"),
                purchased_at=purchased,
                recorded_by=self.users["purchase_point"],
                reference_document_number="GLGXS-SG-001",
            )

    def _slow_selling(self) -> None:
        for item in SLOW_SELLING:
            product_line = self.product_lines[item.product_line]
            if SlowSellingMark.objects.filter(product_line=product_line).exists():
                continue
            valid_from = self.today - datetime.timedelta(days=item.starts_days_ago)
            slow_selling_mark(
                product_line=product_line,
                region=self.regions[item.region],
                valid_from=valid_from,
                valid_until=valid_from + datetime.timedelta(days=item.days),
                reason=item.reason,
                marked_by=self.users["admin"],
            )

    def _ended_links(self) -> None:
        for item in ENDED_LINKS:
            link = BenefitLink.objects.get(
                producer=self.producers[item.producer],
                household=self.households[item.household],
                kind=item.kind,
            )
            if link.ended_on is None:
                benefit_link_end(
                    benefit_link=link,
                    ended_on=self.today - datetime.timedelta(days=item.days_ago),
                    changed_by=self.users["admin"],
                )

    def _print_summary(self) -> None:
        counts = (
            f"{Region.objects.count()} 个区域，{Producer.objects.count()} 个主体，"
            f"{Household.objects.count()} 户贫困户，{Batch.objects.count()} 个批次，"
            f"{Sale.objects.count()} 笔销售"
        )
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{counts}。"))
        self.stdout.write(f"演示账号（仅供演示，密码均为 {DEMO_PASSWORD}）：")
        for user in USERS:
            scope = (
                PRODUCERS[user.producer].name
                if user.producer
                else "、".join(user.regions) or "全部"
            )
            self.stdout.write(
                f"  {user.username:<10} {DEMO_PASSWORD}  {Role(user.role).label}（{scope}）"
            )
