"""Demo certifications (扶贫产品认定) and the county policies they follow."""

from trace.choices import BenefitKind, ProducerKind
from trace.demo.shapes import DemoCertification, DemoPolicy

CERTIFICATIONS = {
    "orange": DemoCertification(
        number="HN-DK-FPCP-2025-0001", issuer="洞口县扶贫开发办公室"
    ),
    "tea": DemoCertification(
        number="HN-DK-FPCP-2025-0002", issuer="洞口县扶贫开发办公室"
    ),
    "farm": DemoCertification(
        number="HN-DK-FPCP-2025-0003", issuer="洞口县扶贫开发办公室"
    ),
    "lake": DemoCertification(
        number="HN-DTH-FPCP-2025-0001", issuer="益阳市大通湖区扶贫开发办公室"
    ),
    "peach": DemoCertification(
        number="HN-SD-FPCP-2025-0001", issuer="邵东市扶贫开发办公室"
    ),
}

# 认定 policies, each in its own document's words.
SHAODONG_RULE = (
    "凡是带动 1 名以上贫困户务工、且年收入不低于 6000 元的企业（专业合作社）"
    "生产的产品可纳入邵东市扶贫产品目录"
)
NO_AMOUNT_NOTE = (
    "文件未写明每户最低年收益：不设数额，带来收益的联结即计入；"
    "县里另定数额的，须在此写明其依据文件。文件未写明带动户数：至少 1 户。"
)
# region: policy
POLICIES = {
    # seeds/002_9163a51b4e7803d4.txt, line 43: no condition is named.
    "湖南省": DemoPolicy(
        producer_kinds=list(ProducerKind),
        benefit_kinds=list(BenefitKind),
        min_annual_income=None,
        min_households=1,
        source_document="湘扶领办发〔2020〕4号《湖南省2020年消费扶贫月活动方案》（seeds/002，第 43 行）",
        source_clause="持续开展扶贫产品认定工作，把符合条件的农产品纳入扶贫产品目录。",
        note="方案只要求“符合条件”，未列主体类型、联结方式或数额：各类主体、各种联结方式均可，"
        + NO_AMOUNT_NOTE,
    ),
    # seeds/000_9fc936ce6709e860.txt, lines 74-76 and 94-95; the title is the
    # article's headline, lines 167-168.
    "洞口县": DemoPolicy(
        producer_kinds=[
            ProducerKind.ENTERPRISE,
            ProducerKind.COOPERATIVE,
            ProducerKind.FAMILY_FARM,
        ],
        benefit_kinds=[BenefitKind.EMPLOYMENT, BenefitKind.ORDER_PURCHASE],
        min_annual_income=None,
        min_households=1,
        source_document="《坚持政府主导，大力度推动消费扶贫》（洞口县）",
        source_clause="县内企业通过订单农业、技术指导、劳务聘用等方式，与贫困户保持稳定的生产合作关系；"
        "有74家企业（合作社、家庭农场）的473种扶贫产品入驻国务院扶贫832平台",
        note="主体类型取“企业（合作社、家庭农场）”；联结方式取“订单农业”（订单收购）和"
        "“劳务聘用”（务工就业），“技术指导”不带来收益，不计。" + NO_AMOUNT_NOTE,
    ),
    # seeds/001_baf9327039a84779.txt, lines 112-118; the title is the
    # article's headline, lines 221-222.
    "邵东市": DemoPolicy(
        producer_kinds=[ProducerKind.ENTERPRISE, ProducerKind.COOPERATIVE],
        benefit_kinds=[BenefitKind.EMPLOYMENT],
        min_annual_income="6000",
        min_households=1,
        source_document="《产销两旺“活水”来——邵东市扎实推进消费扶贫工作综述》",
        source_clause=SHAODONG_RULE,
        note="“务工”只计务工就业一种联结方式；“年收入不低于 6000 元”按每户每年计，"
        "含 6000 元，不同方式的收益不相加。",
    ),
    # seeds/003_eac4151f958b09b3.txt, lines 27, 49 and 68.
    "大通湖区": DemoPolicy(
        producer_kinds=list(ProducerKind),
        benefit_kinds=list(BenefitKind),
        min_annual_income=None,
        min_households=1,
        source_document="大扶办发〔2020〕10号《关于深入开展消费扶贫助力打赢脱贫攻坚战的实施方案》"
        "（seeds/003，第 27、49、68 行）",
        source_clause="贫困地区企业、农民专业合作社、家庭农场等生产的农副产品和贫困村、贫困户自产的农特产品；"
        "区扶贫办会同相关行业单位进行审定，确定消费扶贫产品目录；"
        "获取劳务报酬和经营性收入……获取财产性收入",
        note="主体含企业、合作社、家庭农场和贫困户自产；联结方式含劳务报酬（务工）、"
        "经营性收入（订单收购、来料加工）和财产性收入（土地流转、入股分红）。"
        + NO_AMOUNT_NOTE,
    ),
    # seeds/004_e2569fb525a9ad4f.txt, lines 21, 24 and 114.
    "云阳县": DemoPolicy(
        producer_kinds=[ProducerKind.HOUSEHOLD, ProducerKind.COOPERATIVE],
        benefit_kinds=list(BenefitKind),
        min_annual_income=None,
        min_households=1,
        source_document="云阳府办发〔2019〕95号《云阳县深入开展消费扶贫助力打赢脱贫攻坚战实施方案》"
        "（seeds/004，第 21、24、114 行）",
        source_clause="以建档立卡贫困户为主要对象，以直接购买贫困群众产品为主要手段；"
        "各村对贫困户可销售的农特产品进行清理摸底；"
        "如采购的是合作社的产品填写合作社涉及的贫困户",
        note="主体取贫困户和合作社（方案只写这两类卖方）：贫困户可自产自销，本户即计 1 户；"
        "合作社“涉及的贫困户”不限联结方式。" + NO_AMOUNT_NOTE,
    ),
}
