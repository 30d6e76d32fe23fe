"""The offices' reporting forms, column for column as printed in the seed documents.

The same forms are listed in ../shared/forms/seed-forms.json, which the tests
compare against; they are repeated here so that the running system does not
depend on a file outside the repository.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormSpec:
    """One reporting form: its key, title, header fields and columns."""

    key: str
    title: str
    columns: tuple[str, ...]
    header_fields: tuple[str, ...] = ()
    source: str = ""
    # Only administrators and the offices request it: it prints personal data.
    offices_only: bool = False
    # Columns holding money, summed by the tests and formatted with two decimals.
    money_columns: tuple[str, ...] = field(default=())
    # Printed as the seed prints them while staying data (XLSX number
    # formats): dates 2019.9.1, money with its unit, 90元.
    date_columns: tuple[str, ...] = field(default=())
    money_unit: str = ""


BENEFICIARY_ROSTER = FormSpec(
    key="beneficiary_roster",
    title="带贫人员名册",
    columns=("姓名", "身份证", "联系方式", "受益金额"),
    source="003_eac4151f958b09b3.txt, 附件1 (益阳市大通湖区)",
    offices_only=True,
    money_columns=("受益金额",),
)
SALES_EVIDENCE = FormSpec(
    key="sales_evidence",
    title="消费扶贫证明材料",
    columns=("序号", "产品名称", "卖方", "买方", "数量", "金额", "交易时间", "备注"),
    source="003_eac4151f958b09b3.txt, 附件2 (益阳市大通湖区)",
    money_columns=("金额",),
)
PRODUCTS_FOR_SALE = FormSpec(
    key="products_for_sale",
    title="乡镇（街道）贫困户农特产品待销目录",
    header_fields=("填写单位", "填写人", "联系电话", "填写日期"),
    columns=(
        "序号",
        "地区",
        "贫困户姓名",
        "产品品种",
        "计划销量",
        "销售价格（元）",
        "供货方式",
        "网店网址",
        "供货联系人及联系方式",
        "备注",
    ),
    source="004_e2569fb525a9ad4f.txt, 附件1 (云阳县)",
)
TOWNSHIP_SALES = FormSpec(
    key="township_sales",
    title="乡镇（街道）贫困户产品销售情况表",
    header_fields=("填报单位", "供货联系人姓名", "联系方式", "填报时间"),
    columns=(
        "序号",
        "采购单位",
        "销售时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        "销售数量",
        "销售金额",
        "备注",
    ),
    source="004_e2569fb525a9ad4f.txt, 附件2 (云阳县)",
    money_columns=("销售金额",),
    date_columns=("销售时间",),
    money_unit="元",
)
SECTOR_PURCHASES = FormSpec(
    key="sector_purchases",
    title="牵头单位系统（行业）购买贫困户产品采购情况表",
    header_fields=("填报单位", "供货联系人姓名", "联系方式", "填报时间"),
    columns=(
        "序号",
        "采购单位",
        "采购时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        "采购数量",
        "采购金额",
        "备注",
    ),
    source="004_e2569fb525a9ad4f.txt, 附件3 (云阳县)",
    money_columns=("采购金额",),
    date_columns=("采购时间",),
    money_unit="元",
)
CAMPAIGN_STATISTICS = FormSpec(
    key="campaign_statistics",
    title="湖南省2020年消费扶贫月活动开展情况统计表",
    columns=(
        "序号",
        "市县",
        "设立线上专区数(个)",
        "设立线下专区数(个)",
        "设立专馆数(个)",
        "设立专柜数(个)",
        "开设直播基地(个)",
        "举办大型产销活动(场)",
        "销售扶贫产品(万元)",
        "覆盖贫困人口(人)",
        "备注",
    ),
    source="002_9163a51b4e7803d4.txt, 附件",
    money_columns=("销售扶贫产品(万元)",),
)
# Not a seed form: the 邵东 reward and revocation rule applied to authorised stores.
OUTLET_REWARDS = FormSpec(
    key="outlet_rewards",
    title="消费扶贫授权店年度销售及奖补情况",
    columns=(
        "序号",
        "授权店",
        "所在地区",
        "运营单位",
        "年度",
        "全年销售扶贫产品金额（元）",
        "其中滞销扶贫产品（元）",
        "本地扶贫产品占比",
        "本地产品不足70%",
        "取消授权资格",
        "奖补金额（元）",
        "授权状态",
    ),
    source="001_baf9327039a84779.txt, 推行消费扶贫奖惩机制 (邵东市)",
    money_columns=(
        "全年销售扶贫产品金额（元）",
        "其中滞销扶贫产品（元）",
        "奖补金额（元）",
    ),
)

SEED_FORMS = (
    BENEFICIARY_ROSTER,
    SALES_EVIDENCE,
    PRODUCTS_FOR_SALE,
    TOWNSHIP_SALES,
    SECTOR_PURCHASES,
    CAMPAIGN_STATISTICS,
)
FORMS = {spec.key: spec for spec in (*SEED_FORMS, OUTLET_REWARDS)}


def form_title(key: str, *, year: int, province: str = "") -> str:
    """Return a form's title for a year: the 统计表 names its province and year.

    Seed 002 prints "湖南省2020年消费扶贫月活动开展情况统计表" for its year;
    the table of another year or province says its own, never a fixed 2020.
    """
    spec = form_for(key)
    if spec is None:
        return ""
    if key == CAMPAIGN_STATISTICS.key:
        return f"{province}{year}年消费扶贫月活动开展情况统计表"
    if key == OUTLET_REWARDS.key:
        return f"{year}年{spec.title}"
    return spec.title


def form_for(key: str) -> FormSpec | None:
    """Return the form for a key; URLs may spell it with hyphens (outlet-rewards)."""
    return FORMS.get(key.replace("-", "_"))
