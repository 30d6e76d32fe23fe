"""Who may: every writing service, called by every role, against one table.

DESIGN.md: "Who may do a write is decided in its service, from
`trace/access.py`, so every face gets the same answer". Each service below is
called once per role, in a savepoint rolled back after the call, with
arguments that are valid for an allowed user: an allowed role must succeed,
every other role must be refused (a ValidationError or PermissionDenied that
writes nothing). One world is built per service.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image

from inspections.choices import InspectionKind
from inspections.services.holds import batch_hold_release_sign
from inspections.services.inspections import inspection_create
from labels.cabinets import cabinet_device_issue
from labels.services import print_job_create
from reports.bulletin import bulletin_issue
from reports.choices import PeriodFrequency, SubmissionStatus
from reports.models import ReportPeriod, Submission
from reports.reconciliation import waybills_import
from reports.services import authorised_store_review, sales_event_record
from reports.submissions import (
    report_period_create,
    report_period_update,
    submission_accept,
    submission_return,
    submission_update,
)
from reports.targets import hunan_targets_set
from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    BrandFactory,
    BrandLicenseFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    RegionFactory,
    make_administrator,
    make_id_number,
    make_operator,
    make_user,
)
from tests.inspections.factories import quantitative
from tests.reports.factories import OutletFactory, SaleFactory
from trace.access import Refused
from trace.choices import (
    BatchStatus,
    CatalogueStatus,
    DeliveryMethod,
    OutletKind,
    RegionLevel,
    Role,
    Season,
)
from trace.models import CatalogueEntry, CertificationReview, Outlet, UserRole
from trace.services.batches import (
    batch_create,
    batch_transition,
    batch_update,
    slow_selling_mark,
    slow_selling_mark_clear,
)
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_entry_update,
    catalogue_entry_withdraw,
    catalogue_objection_lodge,
    catalogue_objection_review,
    catalogue_objections_dismiss,
    township_notice_publish,
)
from trace.services.catalogue_files import catalogue_evidence_add, catalogue_photo_add
from trace.services.certification import (
    certification_policy_set,
    certification_reinstate,
    certification_review_dismiss,
    certification_revoke,
    certification_suspend,
    certification_update,
    producer_certify,
)
from trace.services.channels import region_channels_adopt
from trace.services.events import (
    guidance_visit_record,
    purchase_record,
    sale_evidence_add,
    sale_record,
    trace_event_record,
)
from trace.services.households import (
    benefit_link_create,
    benefit_link_end,
    benefit_link_update,
    household_create,
    household_member_add,
    household_member_remove,
    household_member_update,
    household_record_public_name_consent,
    household_update,
)
from trace.services.imports import sales_import_create
from trace.services.licences import brand_license_grant, brand_license_revoke
from trace.services.payments import (
    benefit_evidence_add,
    benefit_watch_close,
    household_payment_add,
    household_payment_confirm_on_visit,
    household_payment_record,
)
from trace.services.registry import (
    brand_create,
    brand_update,
    outlet_authorisation_revoke,
    outlet_create,
    outlet_update,
    producer_create,
    producer_update,
    product_line_create,
    product_line_update,
    region_create,
)

ROLES = (
    "administrator",
    "office_county",  # 洞口县
    "office_city",  # 邵阳市
    "office_province",  # 湖南省
    "operator",  # of the producer in 古楼村
    "operator_other",  # of a producer in 邵东市
    "inspector",  # 洞口县
    "inspector_other",  # 邵东市
    "informant",  # 古楼村
    "informant_other",  # 茶铺村, the same township
    "supervisor",  # 古楼乡
    "technician",  # 古楼乡
    "purchase_point",  # 古楼村
)


def _only(*roles: str) -> dict[str, bool]:
    assert set(roles) <= set(ROLES), set(roles) - set(ROLES)
    return {role: role in roles for role in ROLES}


ADMIN = ("administrator",)
PRODUCER = (*ADMIN, "operator")
SELLER = (*PRODUCER, "informant")  # access.may_record_sale
OFFICES = ("office_county", "office_city", "office_province")  # over the entry
# The county office keeps its county's registers; 市州 and province offices
# read and sum them (DESIGN, "Roles"; trace.access.may_manage_register).
KEEPER = (*ADMIN, "office_county")

# The one table of who may: service → role → allowed.
WHO_MAY: dict[str, dict[str, bool]] = {
    "batch_create": _only(*PRODUCER),
    "batch_update": _only(*PRODUCER),
    "batch_transition: release a draft": _only(*PRODUCER),
    "batch_transition: hold": _only(*PRODUCER, "inspector"),
    "batch_transition: recall": _only(*PRODUCER, "inspector"),
    "slow_selling_mark": _only(*KEEPER, "informant"),  # 古楼村's own goods
    "slow_selling_mark_clear": _only(*KEEPER),
    "sales_event_record": _only(*KEEPER),
    "report_period_create": _only(*KEEPER),
    "report_period_update": _only(*KEEPER),
    "region_create": _only(*ADMIN),
    "region_channels_adopt": _only(*ADMIN),
    "cabinet_device_issue": _only(*ADMIN),
    "waybills_import": _only(*ADMIN, *OFFICES),
    "bulletin_issue": _only(*ADMIN, *OFFICES),
    "hunan_targets_set": _only(*ADMIN, "office_province"),
    "sales_import_create": _only(*PRODUCER, "operator_other", *OFFICES),
    "producer_create": _only(*KEEPER),
    "producer_update": _only(*KEEPER),
    "brand_create": _only(*ADMIN),
    "brand_update": _only(*ADMIN),
    "product_line_create": _only(*ADMIN),
    "product_line_update": _only(*ADMIN),
    "outlet_create": _only(*KEEPER),
    "outlet_update": _only(*KEEPER),
    "outlet_authorisation_revoke": _only(*KEEPER),
    "household_create": _only(*KEEPER),
    "household_update": _only(*KEEPER),
    "household_record_public_name_consent": _only(*KEEPER),
    "household_member_add": _only(*KEEPER),
    "household_member_update": _only(*KEEPER),
    "household_member_remove": _only(*KEEPER),
    "benefit_link_create": _only(*KEEPER),
    "benefit_link_update": _only(*KEEPER),
    "benefit_link_end": _only(*KEEPER),
    "brand_license_grant": _only(*ADMIN),
    "brand_license_revoke": _only(*ADMIN),
    "certification_policy_set": _only(*ADMIN),
    "producer_certify": _only(*KEEPER),
    "certification_update": _only(*KEEPER),
    "certification_suspend": _only(*KEEPER),
    "certification_reinstate": _only(*KEEPER),
    "certification_revoke": _only(*KEEPER),
    "certification_review_dismiss": _only(*KEEPER),
    "trace_event_record": _only(*PRODUCER),
    "sale_record": _only(*SELLER),
    "sale_evidence_add": _only(*SELLER),
    "guidance_visit_record": _only(*ADMIN, "technician"),
    "purchase_record": _only(*ADMIN, "purchase_point"),
    "household_payment_confirm_on_visit": _only(*KEEPER, "informant"),
    "benefit_evidence_add": _only(*KEEPER),
    "household_payment_record": _only(*PRODUCER, "office_county"),
    "benefit_watch_close": _only(*ADMIN, *OFFICES, "supervisor"),
    "catalogue_entry_create": _only(*SELLER),
    "catalogue_entry_update": _only(*SELLER),
    "catalogue_entry_apply": _only(*SELLER),
    "catalogue_photo_add": _only(*SELLER),
    "catalogue_evidence_add": _only(*SELLER),
    "catalogue_entry_check": _only(*ADMIN, "supervisor"),
    "catalogue_entry_decide": _only(*ADMIN, *OFFICES),
    "catalogue_objection_review": _only(*ADMIN, *OFFICES),
    "catalogue_objections_dismiss": _only(*ADMIN, *OFFICES),
    "catalogue_entry_withdraw": _only(*ADMIN, *OFFICES, "operator"),
    "catalogue_availability_set": _only(*ADMIN, "informant"),
    "print_job_create": _only(*PRODUCER),
    "inspection_create: spot check": _only(*ADMIN, "inspector"),
    "batch_hold_release_sign": _only(*ADMIN, "inspector"),
    "authorised_store_review": _only(*KEEPER),
    # A form is reviewed by the level it is addressed to, and by no one above.
    "submission_accept: 古楼乡's form to 洞口县": _only(*ADMIN, "office_county"),
    "submission_return: 古楼乡's form to 洞口县": _only(*ADMIN, "office_county"),
    "submission_accept: 古楼村's form to 古楼乡": _only(*ADMIN, "supervisor"),
    "submission_update: 古楼乡's 工作小结": _only(*ADMIN, "supervisor"),
    "township_notice_publish": _only(*ADMIN, "supervisor"),  # 古楼乡's 监督员
}

TODAY = timezone.localdate()


class World:
    """洞口县 (古楼乡: 古楼村, 茶铺村) and 邵东市 in 邵阳市, 湖南省; one user a role."""

    def __init__(self):
        province = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE)
        city = RegionFactory(name="邵阳市", level=RegionLevel.CITY, parent=province)
        county = RegionFactory(name="洞口县", level=RegionLevel.COUNTY, parent=city)
        town = RegionFactory(name="古楼乡", level=RegionLevel.TOWN, parent=county)
        self.village = RegionFactory(
            name="古楼村", level=RegionLevel.VILLAGE, parent=town
        )
        other_village = RegionFactory(
            name="茶铺村", level=RegionLevel.VILLAGE, parent=town
        )
        other_county = RegionFactory(
            name="邵东市", level=RegionLevel.COUNTY, parent=city
        )
        self.county = county
        self.town = town
        self.producer = ProducerFactory(
            name="洞口县古楼茶业专业合作社", region=self.village
        )
        other_producer = ProducerFactory(name="邵东市廉桥药材公司", region=other_county)
        self.certification = CertificationFactory(producer=self.producer)
        self.household = HouseholdFactory(village=self.village)
        BenefitLinkFactory(producer=self.producer, household=self.household)
        self.line = ProductLineFactory(name="古楼云雾茶", unit="盒")
        outlet = OutletFactory(
            name="古楼村收购点", kind=OutletKind.PURCHASE_POINT, region=self.village
        )
        self.users = {
            "administrator": make_administrator("who_admin"),
            "office_county": make_user("who_county", Role.OFFICE, regions=[county]),
            "office_city": make_user("who_city", Role.OFFICE, regions=[city]),
            "office_province": make_user(
                "who_province", Role.OFFICE, regions=[province]
            ),
            "operator": make_operator("who_operator", self.producer),
            "operator_other": make_operator("who_operator_other", other_producer),
            "inspector": make_user("who_inspector", Role.INSPECTOR, regions=[county]),
            "inspector_other": make_user(
                "who_inspector_other", Role.INSPECTOR, regions=[other_county]
            ),
            "informant": make_user(
                "who_informant", Role.INFORMANT, regions=[self.village]
            ),
            "informant_other": make_user(
                "who_informant_other", Role.INFORMANT, regions=[other_village]
            ),
            "supervisor": make_user("who_supervisor", Role.SUPERVISOR, regions=[town]),
            "technician": make_user("who_technician", Role.TECHNICIAN, regions=[town]),
            "purchase_point": make_user(
                "who_purchase_point", Role.PURCHASE_POINT, regions=[self.village]
            ),
        }
        UserRole.objects.filter(user=self.users["purchase_point"]).update(outlet=outlet)
        self.admin = self.users["administrator"]

    def batch(self, status: str = BatchStatus.RELEASED):
        return BatchFactory(
            producer=self.producer,
            product_line=self.line,
            origin=self.village,
            status=status,
            quantity=Decimal("100"),
            unit="盒",
        )

    def held_batch(self):
        batch = self.batch()
        batch_transition(
            batch=batch,
            to_status=BatchStatus.ON_HOLD,
            changed_by=self.admin,
            reason="抽检可疑",
        )
        return batch

    def member(self):
        return household_member_add(
            household=self.household,
            added_by=self.admin,
            name="赵小芳",
            relation="女儿",
            id_number=make_id_number(),
        )

    def suspended(self):
        certification_suspend(
            certification=self.certification, reason="整改", changed_by=self.admin
        )
        return self.certification

    def review(self):
        return CertificationReview.objects.create(
            certification=self.certification,
            producer=self.producer,
            trigger="利益联结终止",
            reason="带贫户数不足",
        )

    def entry(self, status: str = CatalogueStatus.DRAFT, **dates):
        entry = catalogue_entry_create(
            producer=self.producer,
            created_by=self.admin,
            product_line=self.line,
            region=self.village,
            name="古楼云雾茶",
            category="茶叶",
            unit="盒",
            price=Decimal("88.00"),
            delivery_method=DeliveryMethod.COURIER,
            season=Season.SPRING,
            planned_quantity=Decimal("300"),
        )
        CatalogueEntry.objects.filter(pk=entry.pk).update(status=status, **dates)
        entry.refresh_from_db()
        return entry

    def form(self, *, addressee, sender, status=SubmissionStatus.SUBMITTED):
        """Return `sender`'s form of this quarter to `addressee`, in `status`."""
        period = ReportPeriod.objects.create(
            form_key="township_sales",
            region=addressee,
            submitter_level=sender.level,
            frequency=PeriodFrequency.QUARTERLY,
            name="本季度",
            starts_on=TODAY - datetime.timedelta(days=80),
            ends_on=TODAY,
            due_on=TODAY,
            recipient="县扶贫办" if addressee == self.county else "",
        )
        return Submission.objects.create(
            period=period,
            region=sender,
            status=status,
            created_by=self.admin,
            snapshot={} if status == SubmissionStatus.SUBMITTED else None,
        )

    def entry_in_notice(self):
        return self.entry(
            CatalogueStatus.NOTICE,
            notice_starts_on=TODAY,
            notice_ends_on=TODAY + datetime.timedelta(days=6),
        )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 180, 120)).save(out, format="PNG")
    return out.getvalue()


def sale_fields() -> dict:
    return {
        "buyer": "洞口县第一中学",
        "channel": "school",
        "quantity": Decimal("1"),
        "unit": "盒",
        "amount": Decimal("88"),
        "sold_at": timezone.now(),
    }


# service → (world, user) → the call. Each builds what it needs as the admin.
CALLS = {
    "batch_create": lambda w, user: batch_create(
        producer=w.producer,
        product_line=w.line,
        lot_code="WHO2026",
        origin=w.village,
        harvest_date=TODAY,
        quantity=Decimal("10"),
        unit="盒",
        created_by=user,
    ),
    "batch_update": lambda w, user: batch_update(
        batch=w.batch(BatchStatus.DRAFT), changed_by=user, quantity=Decimal("5")
    ),
    "batch_transition: release a draft": lambda w, user: batch_transition(
        batch=w.batch(BatchStatus.DRAFT),
        to_status=BatchStatus.RELEASED,
        changed_by=user,
    ),
    "batch_transition: hold": lambda w, user: batch_transition(
        batch=w.batch(), to_status=BatchStatus.ON_HOLD, changed_by=user, reason="可疑"
    ),
    "batch_transition: recall": lambda w, user: batch_transition(
        batch=w.batch(), to_status=BatchStatus.RECALLED, changed_by=user, reason="召回"
    ),
    "slow_selling_mark": lambda w, user: slow_selling_mark(
        region=w.village,
        product_line=w.line,
        valid_from=TODAY,
        valid_until=TODAY + datetime.timedelta(days=30),
        marked_by=user,
    ),
    "slow_selling_mark_clear": lambda w, user: slow_selling_mark_clear(
        mark=slow_selling_mark(
            region=w.county,
            product_line=w.line,
            valid_from=TODAY,
            valid_until=TODAY + datetime.timedelta(days=30),
            marked_by=w.admin,
        ),
        ended_on=TODAY,
        reason="已售出",
        cleared_by=user,
    ),
    "sales_event_record": lambda w, user: sales_event_record(
        name="洞口县消费扶贫月产销对接会",
        region=w.county,
        held_on=TODAY,
        recorded_by=user,
    ),
    "report_period_create": lambda w, user: report_period_create(
        form_key="township_sales",
        region=w.county,
        submitter_level=RegionLevel.TOWN,
        frequency="quarterly",
        name="2026年第3季度",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 9, 30),
        created_by=user,
    ),
    "report_period_update": lambda w, user: report_period_update(
        period=report_period_create(
            form_key="township_sales",
            region=w.county,
            submitter_level=RegionLevel.TOWN,
            frequency="quarterly",
            name="2026年第3季度",
            starts_on=datetime.date(2026, 7, 1),
            ends_on=datetime.date(2026, 9, 30),
            due_on=datetime.date(2026, 9, 30),
            created_by=w.admin,
        ),
        changed_by=user,
        reason="县商务委要求提前",
        due_on=datetime.date(2026, 9, 25),
    ),
    "region_create": lambda w, user: region_create(
        name="醪田村",
        level=RegionLevel.VILLAGE,
        parent=w.village.parent,
        created_by=user,
    ),
    "region_channels_adopt": lambda w, user: region_channels_adopt(
        region=w.county, list_key="dongkou_shijin", changed_by=user
    ),
    "cabinet_device_issue": lambda w, user: cabinet_device_issue(
        outlet=Outlet.objects.create(
            name="古楼乡专柜", kind=OutletKind.SMART_CABINET, region=w.village
        ),
        key_id="WHO-CABINET",
        created_by=user,
    ),
    "sales_import_create": lambda w, user: sales_import_create(
        platform="扶贫832",
        file=io.BytesIO("订单编号,下单时间,商品名称,购买数量,实付金额\n".encode()),
        name="orders.csv",
        columns={
            "order_number": "订单编号",
            "sold_at": "下单时间",
            "product": "商品名称",
            "quantity": "购买数量",
            "amount": "实付金额",
        },
        uploaded_by=user,
    ),
    "waybills_import": lambda w, user: waybills_import(
        county=w.county,
        courier="中国邮政",
        file=io.BytesIO("运单号,寄件日期,始发乡镇,件数,重量\n".encode()),
        name="ems.csv",
        columns={
            "number": "运单号",
            "shipped_on": "寄件日期",
            "township": "始发乡镇",
            "pieces": "件数",
            "weight_kg": "重量",
        },
        imported_by=user,
    ),
    "bulletin_issue": lambda w, user: bulletin_issue(
        county=w.county, quarter_start=datetime.date(2026, 7, 1), issued_by=user
    ),
    "hunan_targets_set": lambda w, user: hunan_targets_set(
        province=w.county.parent.parent, year=2026, changed_by=user
    ),
    "producer_create": lambda w, user: producer_create(
        created_by=user,
        name="洞口县古楼家庭农场",
        kind="family_farm",
        region=w.village,
        address="古楼村",
    ),
    "producer_update": lambda w, user: producer_update(
        producer=w.producer, changed_by=user, address="古楼村三组"
    ),
    "brand_create": lambda w, user: brand_create(
        created_by=user, name="洞乡好物", kind="regional_public", owner="洞口县扶贫办"
    ),
    "brand_update": lambda w, user: brand_update(
        brand=BrandFactory(), changed_by=user, owner="洞口县农业农村局"
    ),
    "product_line_create": lambda w, user: product_line_create(
        created_by=user, name="古楼红茶", category="茶叶", unit="盒"
    ),
    "product_line_update": lambda w, user: product_line_update(
        product_line=w.line, changed_by=user, standard="GB/T 14456.1"
    ),
    "outlet_create": lambda w, user: outlet_create(
        created_by=user,
        name="洞口县消费扶贫专柜",
        kind=OutletKind.SMART_CABINET,
        region=w.county,
    ),
    "outlet_update": lambda w, user: outlet_update(
        outlet=OutletFactory(region=w.county), changed_by=user, operator_name="县供销社"
    ),
    "outlet_authorisation_revoke": lambda w, user: outlet_authorisation_revoke(
        outlet=OutletFactory(kind=OutletKind.AUTHORISED_STORE, region=w.village),
        revoked_on=TODAY,
        reason="不再经营扶贫产品",
        changed_by=user,
    ),
    "household_create": lambda w, user: household_create(
        created_by=user,
        id_number=make_id_number(),
        village=w.village,
        head_name="赵大妈",
        members=2,
    ),
    "household_update": lambda w, user: household_update(
        household=w.household, changed_by=user, members=4
    ),
    "household_record_public_name_consent": lambda w, user: (
        household_record_public_name_consent(
            household=w.household, recorded_by=user, consented=True
        )
    ),
    "household_member_add": lambda w, user: household_member_add(
        household=w.household,
        added_by=user,
        name="赵小芳",
        relation="女儿",
        id_number=make_id_number(),
    ),
    "household_member_update": lambda w, user: household_member_update(
        member=w.member(), changed_by=user, phone="13973911111", reason="换号"
    ),
    "household_member_remove": lambda w, user: household_member_remove(
        member=w.member(), removed_by=user, reason="迁出"
    ),
    "benefit_link_create": lambda w, user: benefit_link_create(
        created_by=user,
        producer=w.producer,
        household=HouseholdFactory(village=w.village),
        kind="employment",
        since=TODAY - datetime.timedelta(days=100),
        annual_income=Decimal("8000"),
    ),
    "benefit_link_update": lambda w, user: benefit_link_update(
        benefit_link=w.producer.benefit_links.get(),
        changed_by=user,
        annual_income=Decimal("9000"),
    ),
    "benefit_link_end": lambda w, user: benefit_link_end(
        benefit_link=w.producer.benefit_links.get(), ended_on=TODAY, changed_by=user
    ),
    "brand_license_grant": lambda w, user: brand_license_grant(
        brand=BrandFactory(),
        producer=w.producer,
        product_lines=[],
        valid_from=TODAY,
        valid_until=TODAY + datetime.timedelta(days=365),
        created_by=user,
    ),
    "brand_license_revoke": lambda w, user: brand_license_revoke(
        license_=BrandLicenseFactory(producer=w.producer),
        reason="质量问题",
        changed_by=user,
    ),
    "certification_policy_set": lambda w, user: certification_policy_set(
        region=w.county,
        changed_by=user,
        eligible_producer_kinds=["cooperative"],
        qualifying_benefit_kinds=["employment"],
        min_annual_income=Decimal("6000"),
        min_households=1,
        source_document="洞口县扶贫产品认定办法",
    ),
    "producer_certify": lambda w, user: producer_certify(
        producer=BenefitLinkFactory(
            producer=ProducerFactory(region=w.village),
            household=w.household,
            annual_income=Decimal("8000"),
        ).producer,
        number="HN-DK-WHO-0001",
        issuer="洞口县扶贫开发办公室",
        valid_from=TODAY,
        valid_until=TODAY + datetime.timedelta(days=365),
        certified_by=user,
    ),
    "certification_update": lambda w, user: certification_update(
        certification=w.certification, changed_by=user, issuer="洞口县扶贫办"
    ),
    "certification_suspend": lambda w, user: certification_suspend(
        certification=w.certification, reason="抽检不合格", changed_by=user
    ),
    "certification_reinstate": lambda w, user: certification_reinstate(
        certification=w.suspended(), reason="整改完成", changed_by=user
    ),
    "certification_revoke": lambda w, user: certification_revoke(
        certification=w.certification, reason="弄虚作假", changed_by=user
    ),
    "certification_review_dismiss": lambda w, user: certification_review_dismiss(
        review=w.review(), note="已核实新务工合同", resolved_by=user
    ),
    "trace_event_record": lambda w, user: trace_event_record(
        batch=w.batch(),
        recorded_by=user,
        kind="harvest",
        occurred_at=timezone.now(),
    ),
    "sale_record": lambda w, user: sale_record(
        batch=w.batch(), recorded_by=user, **sale_fields()
    ),
    "sale_evidence_add": lambda w, user: sale_evidence_add(
        sale=SaleFactory(batch=w.batch()),
        uploaded_by=user,
        file=io.BytesIO(png()),
        name="发票.png",
    ),
    "guidance_visit_record": lambda w, user: guidance_visit_record(
        batch=w.batch(),
        recorded_by=user,
        occurred_at=timezone.now(),
        topic="春茶修剪",
    ),
    "purchase_record": lambda w, user: purchase_record(
        batch=w.batch(),
        household=w.household,
        quantity=Decimal("5"),
        amount_paid=Decimal("50"),
        purchased_at=timezone.now(),
        recorded_by=user,
    ),
    "household_payment_confirm_on_visit": lambda w, user: (
        household_payment_confirm_on_visit(
            payment=household_payment_add(
                household=w.household,
                producer=w.producer,
                kind="wage",
                amount=Decimal("500"),
                paid_on=TODAY,
                recorded_by=None,
            )[0],
            confirmed_by=user,
            note="到户收益确认单已签字",
        )
    ),
    "benefit_evidence_add": lambda w, user: benefit_evidence_add(
        uploaded_by=user,
        benefit_link=w.producer.benefit_links.get(),
        file=io.BytesIO(png()),
        name="劳动合同.png",
        caption="劳动合同",
    ),
    "household_payment_record": lambda w, user: household_payment_record(
        recorded_by=user,
        household=w.household,
        producer=w.producer,
        kind="wage",
        amount=Decimal("800"),
        paid_on=TODAY,
    ),
    "benefit_watch_close": lambda w, user: benefit_watch_close(
        reason="link_without_evidence",
        record_id=w.producer.benefit_links.get().pk,
        note="已补交劳动合同",
        closed_by=user,
    ),
    "catalogue_entry_create": lambda w, user: catalogue_entry_create(
        producer=w.producer,
        created_by=user,
        product_line=w.line,
        region=w.village,
        name="古楼红茶",
        category="茶叶",
        unit="盒",
        price=Decimal("68.00"),
        delivery_method=DeliveryMethod.COURIER,
        season=Season.SPRING,
        planned_quantity=Decimal("100"),
    ),
    "catalogue_entry_update": lambda w, user: catalogue_entry_update(
        entry=w.entry(), changed_by=user, price=Decimal("79.00")
    ),
    "catalogue_entry_apply": lambda w, user: catalogue_entry_apply(
        entry=w.entry(), applied_by=user
    ),
    "catalogue_photo_add": lambda w, user: catalogue_photo_add(
        entry=w.entry(), content=png(), suffix=".png", uploaded_by=user
    ),
    "catalogue_evidence_add": lambda w, user: catalogue_evidence_add(
        entry=w.entry(), uploaded_by=user, file=io.BytesIO(png()), name="协议.png"
    ),
    "catalogue_entry_check": lambda w, user: catalogue_entry_check(
        entry=w.entry(CatalogueStatus.APPLIED),
        checked_by=user,
        passed=False,
        reason="利益联结材料不全",
    ),
    "catalogue_entry_decide": lambda w, user: catalogue_entry_decide(
        entry=w.entry(CatalogueStatus.CHECKED),
        decided_by=user,
        approved=False,
        reason="不符合认定政策",
    ),
    "catalogue_objection_review": lambda w, user: catalogue_objection_review(
        objection=catalogue_objection_lodge(entry=w.entry_in_notice(), text="价格偏高"),
        reviewed_by=user,
        upheld=False,
        note="价格合理",
    ),
    "catalogue_objections_dismiss": lambda w, user: (
        lambda entry: catalogue_objections_dismiss(
            objections=[
                catalogue_objection_lodge(entry=entry, text="价格偏高"),
                catalogue_objection_lodge(entry=entry, text="价格偏高"),
            ],
            reviewed_by=user,
            note="重复提交",
        )
    )(w.entry_in_notice()),
    "catalogue_entry_withdraw": lambda w, user: catalogue_entry_withdraw(
        entry=w.entry(CatalogueStatus.APPLIED), withdrawn_by=user, reason="停产"
    ),
    "catalogue_availability_set": lambda w, user: catalogue_availability_set(
        entry=w.entry(CatalogueStatus.LISTED, listed_on=TODAY),
        month=TODAY,
        available=True,
        quantity=Decimal("10"),
        recorded_by=user,
    ),
    "print_job_create": lambda w, user: print_job_create(
        batch=w.batch(), template="a4-3x8", count=1, requested_by=user, enqueue=False
    ),
    "inspection_create: spot check": lambda w, user: inspection_create(
        created_by=user,
        batch=w.batch(),
        kind=InspectionKind.SPOT_CHECK,
        sampled_at=timezone.now(),
        items=[quantitative("0.1")],
    ),
    "batch_hold_release_sign": lambda w, user: batch_hold_release_sign(
        batch=w.held_batch(), released_by=user, reason="现场复核无异常"
    ),
    "submission_accept: 古楼乡's form to 洞口县": lambda w, user: submission_accept(
        submission=w.form(addressee=w.county, sender=w.town), user=user
    ),
    "submission_return: 古楼乡's form to 洞口县": lambda w, user: submission_return(
        submission=w.form(addressee=w.county, sender=w.town), user=user, reason="缺"
    ),
    "submission_accept: 古楼村's form to 古楼乡": lambda w, user: submission_accept(
        submission=w.form(addressee=w.town, sender=w.village), user=user
    ),
    "submission_update: 古楼乡's 工作小结": lambda w, user: submission_update(
        submission=w.form(
            addressee=w.county, sender=w.town, status=SubmissionStatus.DRAFT
        ),
        user=user,
        summary="本季度销售平稳。",
    ),
    "township_notice_publish": lambda w, user: township_notice_publish(
        township=w.town,
        title="春茶收购",
        body="古楼乡春茶 4 月 10 日起收购。",
        published_by=user,
    ),
    "authorised_store_review": lambda w, user: authorised_store_review(
        outlet=OutletFactory(kind=OutletKind.AUTHORISED_STORE, region=w.village),
        year=TODAY.year - 1,
        decided_by=user,
    ),
}


def test_the_table_covers_every_call_and_role():
    assert set(CALLS) == set(WHO_MAY)
    for service, roles in WHO_MAY.items():
        assert tuple(roles) == ROLES, service


def _outcome(world: World, service: str, role: str) -> bool | str:
    """Return True if the call succeeded, False if refused, else what went wrong."""
    with transaction.atomic():
        try:
            CALLS[service](world, world.users[role])
        except (ValidationError, PermissionDenied) as error:
            outcome = False
            if isinstance(error, ValidationError) and not isinstance(error, Refused):
                # Not a refusal of someone who sees the object: then it must
                # be the "does not exist" of someone who does not, or a
                # service still refusing in its own words.
                outcome = False if _is_refusal(error) else f"ValidationError: {error}"
        else:
            outcome = True
        transaction.set_rollback(True)
    return outcome


# The words of refusals that predate trace.access.require (field messages).
LEGACY_REFUSALS = (
    "只有本乡镇的技术指导员",
    "只有本村的收购点",
    "可以上传销售凭证",
    "可以上传申报材料",
    "批次不存在",
    "生产经营主体只能登记自检记录",
)


def _is_refusal(error: ValidationError) -> bool:
    return any(
        message == "对象不存在。" or any(words in message for words in LEGACY_REFUSALS)
        for message in error.messages
    )


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(WHO_MAY))
def test_who_may(service):
    world = World()
    outcomes = {role: _outcome(world, service, role) for role in ROLES}
    assert outcomes == WHO_MAY[service]


# Outside one's scope a refusal reads as a 404; inside, as "may not".


@pytest.mark.django_db
def test_a_refusal_does_not_leak_what_the_user_cannot_see():
    world = World()
    batch = world.batch(BatchStatus.DRAFT)
    with pytest.raises(ValidationError) as unseen:
        batch_update(
            batch=batch, changed_by=world.users["operator_other"], quantity=Decimal(1)
        )
    assert not isinstance(unseen.value, Refused)
    assert unseen.value.messages == ["对象不存在。"]
    with pytest.raises(Refused) as seen:
        batch_update(batch=batch, changed_by=world.users["inspector"], quantity=1)
    assert seen.value.messages == ["只有本主体的操作员或管理员可以修改批次。"]


# Issue 33: the workbench's 申报 form offered a village 信息员 every product
# line and region of every county, and saved a draft for 大通湖大闸蟹 under a
# 洞口 cooperative.


@pytest.fixture
def crab(db):
    world = World()
    province = world.county.parent.parent
    lake = RegionFactory(name="大通湖区", level=RegionLevel.COUNTY, parent=province)
    lake_village = RegionFactory(
        name="新华村",
        level=RegionLevel.VILLAGE,
        parent=RegionFactory(name="北洲子镇", level=RegionLevel.TOWN, parent=lake),
    )
    lake_producer = ProducerFactory(name="大通湖区蟹业合作社", region=lake_village)
    line = ProductLineFactory(
        name="大通湖大闸蟹",
        unit="只",
        geographical_indication=True,
        producer=lake_producer,
    )
    line.protected_regions.set([lake])
    return world, line, lake_village


def crab_fields(line, region) -> dict:
    return {
        "product_line": line,
        "region": region,
        "name": "大通湖大闸蟹",
        "category": "水产",
        "unit": "只",
        "price": Decimal("58.00"),
        "delivery_method": DeliveryMethod.COURIER,
        "season": Season.AUTUMN,
        "planned_quantity": Decimal("2000"),
    }


@pytest.mark.parametrize("region", ["own village", "the lake's village"])
def test_the_crab_under_a_dongkou_cooperative_is_refused(crab, region):
    world, line, lake_village = crab
    origin = world.village if region == "own village" else lake_village
    for role in ("informant", "operator", "administrator"):
        with pytest.raises(ValidationError) as refused:
            catalogue_entry_create(
                producer=world.producer,
                created_by=world.users[role],
                **crab_fields(line, origin),
            )
        assert {"product_line", "region"} & set(refused.value.message_dict)
    assert not CatalogueEntry.objects.exists()


def test_the_workbench_form_offers_only_the_informants_own(crab, client):
    world, line, lake_village = crab
    client.force_login(world.users["informant"])
    form = client.get("/w/catalogue/new/").context["form"]
    assert list(form.fields["producer"].queryset) == [world.producer]
    assert line not in form.fields["product_line"].queryset
    assert world.line in form.fields["product_line"].queryset
    assert list(form.fields["region"].queryset) == [world.village]
    posted = client.post(
        "/w/catalogue/new/",
        {
            "producer": world.producer.pk,
            "product_line": line.pk,
            "region": lake_village.pk,
            "name": "大通湖大闸蟹",
            "unit": "只",
            "price": "58",
            "delivery_method": "courier",
            "season": "autumn",
            "planned_quantity": "2000",
            "planned_period": "month",
            "contact_kind": "producer",
        },
    )
    assert posted.status_code == 400
    assert {"product_line", "region"} <= set(posted.context["form"].errors)
    assert not CatalogueEntry.objects.exists()


def test_the_api_refuses_the_crab_too(crab, client_for):
    world, line, lake_village = crab
    for region in (lake_village, world.village):
        response = client_for(world.users["informant"]).post(
            "/api/v1/catalogue-entries/",
            {
                "producer": world.producer.pk,
                "product_line": line.pk,
                "region": region.pk,
                "name": "大通湖大闸蟹",
                "category": "水产",
                "unit": "只",
                "price": "58.00",
                "delivery_method": "courier",
                "season": "autumn",
                "planned_quantity": "2000",
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert {"product_line", "region"} & set(response.json())
    assert not CatalogueEntry.objects.exists()
