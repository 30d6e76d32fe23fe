from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/区")
    TOWN = "town", _("乡镇/街道")
    VILLAGE = "village", _("村/社区")


class ProducerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("带贫企业")
    COOPERATIVE = "cooperative", _("专业合作社")
    FAMILY_FARM = "family_farm", _("家庭农场")
    HOUSEHOLD = "household", _("农户")


class CertificationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")


class CertificationReviewStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    DISMISSED = "dismissed", _("已复核，维持认定")
    SUSPENDED = "suspended", _("已暂停认定")
    REVOKED = "revoked", _("已撤销认定")
    REQUALIFIED = "requalified", _("重新符合条件，自动关闭")


class BenefitKind(models.TextChoices):
    EMPLOYMENT = "employment", _("务工就业")
    ORDER_PURCHASE = "order_purchase", _("订单收购")
    LAND_LEASE = "land_lease", _("土地流转")
    DIVIDEND = "dividend", _("入股分红")
    PROCESSING = "processing", _("来料加工")


class BrandKind(models.TextChoices):
    FLAGSHIP = "flagship", _("主导产品品牌")
    REGIONAL_PUBLIC = "regional_public", _("区域公用品牌")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RELEASED = "released", _("已放行")
    ON_HOLD = "on_hold", _("暂停销售")
    RECALLED = "recalled", _("已召回")


class TraceEventKind(models.TextChoices):
    """Critical tracking events; `BIZ_STEPS` maps them to GS1 CBV business steps."""

    HARVEST = "harvest", _("采收")
    PACK = "pack", _("包装")
    SHIP = "ship", _("发货")
    RECEIVE = "receive", _("收货")
    SELL = "sell", _("销售")
    TRANSFORM = "transform", _("加工")
    # 邵东's 四员 (seed 001, lines 190-205): a village purchase point buys from
    # households; a township 技术指导员 visits and advises.
    PURCHASE = "purchase", _("收购")
    GUIDANCE = "guidance", _("技术指导")


# GS1 CBV 2.0 business steps for EPCIS export.
BIZ_STEPS = {
    TraceEventKind.HARVEST: "commissioning",
    TraceEventKind.PACK: "packing",
    TraceEventKind.SHIP: "shipping",
    TraceEventKind.RECEIVE: "receiving",
    TraceEventKind.SELL: "retail_selling",
    TraceEventKind.TRANSFORM: "transforming",
    TraceEventKind.PURCHASE: "receiving",
    # No CBV step for advice: EPCIS writes it as an extension URI.
    TraceEventKind.GUIDANCE: "guidance",
}


class ReferenceDocumentType(models.TextChoices):
    """FSMA 204 reference document types, and the Chinese ones in use."""

    INVOICE = "invoice", _("发票")
    BILL_OF_LADING = "bill_of_lading", _("运单")
    PURCHASE_ORDER = "purchase_order", _("采购单")
    CERTIFICATE = "certificate", _("承诺达标合格证")
    PRODUCTION_LOG = "production_log", _("生产记录")
    OTHER = "other", _("其他")


class OutletKind(models.TextChoices):
    SMART_CABINET = "smart_cabinet", _("专柜")
    PAVILION = "pavilion", _("专馆")
    ONLINE_ZONE = "online_zone", _("线上专区")
    OFFLINE_ZONE = "offline_zone", _("线下专区")
    AUTHORISED_STORE = "authorised_store", _("授权店")
    ECOMMERCE_PLATFORM = "ecommerce_platform", _("电商平台")
    LIVESTREAM_BASE = "livestream_base", _("直播基地")
    # 邵东's 579 village 供销合作社 platforms (seed 001, lines 199-203).
    PURCHASE_POINT = "purchase_point", _("村级收购点")


class SaleChannel(models.TextChoices):
    """消费扶贫 "五进" channels and the outlets of the seed documents."""

    GOVERNMENT = "government", _("进机关")
    SCHOOL = "school", _("进学校")
    HOSPITAL = "hospital", _("进医院")
    ENTERPRISE = "enterprise", _("进企业")
    MARKET = "market", _("进市场")
    ECOMMERCE = "ecommerce", _("电商平台")
    SMART_CABINET = "smart_cabinet", _("专柜")
    PAVILION = "pavilion", _("专馆")
    ZONE = "zone", _("专区")
    OTHER = "other", _("其他")


class SaleSource(models.TextChoices):
    """How a sale reached Suyuan; imported and pushed ones carry their key."""

    HAND = "hand", _("手工登记")
    PLATFORM = "platform", _("平台订单导入")
    CABINET = "cabinet", _("智能专柜上传")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("核对中")
    CHECKED = "checked", _("已核对，待确认导入")
    COMMITTING = "committing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")


class ImportRowStatus(models.TextChoices):
    MATCHED = "matched", _("已匹配")
    UNMATCHED = "unmatched", _("未匹配，待人工处理")
    INVALID = "invalid", _("有错误")
    DUPLICATE = "duplicate", _("已导入过")
    IMPORTED = "imported", _("已导入")


class LogisticsFeePayer(models.TextChoices):
    """Who bears a sale's logistics fee (seed 004, line 31)."""

    BUYER = "buyer", _("采购单位（个人）")
    SELLER = "seller", _("卖方")
    HOUSEHOLD = "household", _("贫困户")


class Role(models.TextChoices):
    """Who a user is in Suyuan; every role but operator and administrator is
    scoped to the regions of its `UserRole`.

    The 四员 are 邵东's (seed 001, lines 190-205): 信息员 in a village,
    监督员 and 技术指导员 in a township, and the village purchase point.
    The inspector is the 市场监管 spot-check role, kept apart from them.
    """

    OPERATOR = "operator", _("生产经营主体操作员")
    INSPECTOR = "inspector", _("市场监管检查员")
    INFORMANT = "informant", _("信息员")
    SUPERVISOR = "supervisor", _("监督员")
    TECHNICIAN = "technician", _("技术指导员")
    PURCHASE_POINT = "purchase_point", _("村级收购点")
    OFFICE = "office", _("扶贫办（县/市州/省）")
    ADMINISTRATOR = "administrator", _("扶贫办管理员")


# The 扶贫产品目录 (catalogue) and its 认定 procedure (DESIGN.md: trace owns it).


class CatalogueStatus(models.TextChoices):
    """Where a catalogue entry stands in 申报 → 核查 → 审定 → 公示 → 目录."""

    DRAFT = "draft", _("草稿")
    APPLIED = "applied", _("申报中")
    CHECKED = "checked", _("已核查，待审定")
    NOTICE = "notice", _("公示中")
    LISTED = "listed", _("已入目录")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已移出")


class CatalogueStepKind(models.TextChoices):
    """One recorded step of the procedure (who, when, why)."""

    APPLY = "apply", _("申报")
    CHECK_PASSED = "check_passed", _("核查通过")
    CHECK_FAILED = "check_failed", _("核查未通过")
    APPROVE = "approve", _("审定通过，开始公示")
    REJECT = "reject", _("审定不通过")
    OBJECTION_UPHELD = "objection_upheld", _("公示异议成立")
    LIST = "list", _("公示期满，列入目录")
    WITHDRAW = "withdraw", _("移出目录")


class DeliveryMethod(models.TextChoices):
    """供货方式 (seed 004 附件1, 备注 3: 电商、送货上门、上门自提等).

    云阳 (seed 004, line 29): "一是线下直采 … 二是线上采购 … 三是电话订购".
    """

    ECOMMERCE = "ecommerce", _("电商")
    OFFLINE_DIRECT = "offline_direct", _("线下直采")
    ONLINE_PURCHASE = "online_purchase", _("线上采购")
    PHONE_ORDER = "phone_order", _("电话订购")
    DOORSTEP = "doorstep", _("送货上门")
    PICKUP = "pickup", _("自提")
    COURIER = "courier", _("快递")
    FREIGHT = "freight", _("物流")


class Season(models.TextChoices):
    ALL_YEAR = "all_year", _("全年")
    SPRING = "spring", _("春季")
    SUMMER = "summer", _("夏季")
    AUTUMN = "autumn", _("秋季")
    WINTER = "winter", _("冬季")


class SalePeriod(models.TextChoices):
    """The period the planned sale quantity (计划销量) is counted over."""

    MONTH = "month", _("每月")
    SEASON = "season", _("每季")
    YEAR = "year", _("每年")


class CatalogueContactKind(models.TextChoices):
    """Who buyers call: never a household, whose phone is personal data."""

    PRODUCER = "producer", _("生产经营主体联系人")
    INFORMANT = "informant", _("村信息员")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class PaymentKind(models.TextChoices):
    """What a payment to a household is for (到户收益)."""

    WAGE = "wage", _("务工工资")
    PURCHASE = "purchase", _("收购货款")
    SALE_SHARE = "sale_share", _("销售分成")
    LEASE = "lease", _("土地流转租金")
    DIVIDEND = "dividend", _("入股分红")
    PROCESSING = "processing", _("来料加工费")


class PaymentConfirmation(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("待本户确认")
    CONFIRMED = "confirmed", _("本户已确认")
    DISPUTED = "disputed", _("本户有异议，待县里复核")


class WatchReason(models.TextChoices):
    """Why a record is on the 虚假带贫 watch list (trace.selectors.watch)."""

    MANY_LINKS = "many_links", _("一户利益联结过多")
    LINK_WITHOUT_EVIDENCE = "link_without_evidence", _("利益联结无凭证")
    UNCONFIRMED_OVERDUE = "unconfirmed_overdue", _("到户收益逾期未确认")
    DISPUTED = "disputed", _("本户对收益有异议")
    PURCHASE_WITHOUT_MOVEMENT = "purchase_without_movement", _("收购款无对应批次记录")
    PRICE_FAR = "price_far", _("收购价偏离目录价")
    ONE_HOUSEHOLD = "one_household", _("认定仅依靠一户")
