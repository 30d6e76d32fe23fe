"""The OpenAPI schema as clients read it: Chinese, one tag per resource, errors listed.

drf-spectacular builds the schema from the views. This AutoSchema adds what
the views do not say themselves: a Chinese summary for every operation that
has none of its own (the docstrings are English notes for developers and are
left out), and the error answers every operation can give, with their body.
The tags (one per resource, the path's first segment under /api/v1/) carry
the Chinese description of the resource (add_tags).
"""

import re

from django.utils.functional import Promise
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import inline_serializer
from rest_framework import permissions, serializers

# Resource tags and what they hold, in the order Swagger UI shows them.
RESOURCES = {
    "auth": "登录：用户名和密码换取令牌。",
    "scan": "公开扫码查询：标签的真伪、产品和带贫信息（不含个人信息）。",
    "regions": "行政区划：省、市、县、乡镇、村。",
    "producers": "生产经营主体：带贫企业、合作社、家庭农场。",
    "certifications": "扶贫产品认定证书。",
    "households": "建档立卡贫困户（管理员和扶贫办可见，县扶贫办登记本县的）。",
    "benefit-links": "利益联结：主体与贫困户之间的带贫关系及其凭证。",
    "household-payments": "到户收益：工资、收购款、分成，按支付日期计，经本户确认。",
    "benefit-watch": "虚假带贫关注清单：监督员和扶贫办核查、处理。",
    "brands": "品牌：“1+1+N”品牌体系。",
    "brand-licenses": "统一许可授权：品牌方授权主体使用品牌。",
    "product-lines": "产品：品牌下的产品及其标准、GTIN。",
    "batches": "批次：登记、放行、暂停销售、召回，合格证、EPCIS 与召回追溯。",
    "trace-events": "追溯事件：采收、包装、发运、收货、销售、加工。",
    "sales": "消费扶贫销售记录。",
    "sales-imports": "平台订单导入：上传、列对应、逐行核对（试导入）、确认导入。",
    "cabinet-sales": "智能专柜上传销售：设备密钥签名，按交易号去重。",
    "bulletins": "季度通报：分乡镇、渠道、牵头单位的销售与目标进度，签发后冻结。",
    "logistics-imports": "快递物流运单导入：按运单号去重。",
    "unit-purchases": "牵头单位采购数据（附件3）。",
    "reconciliation": "三方数据核对：附件2、附件3 与物流数据，超出允许差异的列出明细。",
    "outlets": "销售网点：专柜、专馆、专区、授权店、电商平台。",
    "print-jobs": "标签打印任务：生成二维码标签纸 PDF。",
    "labels": "二维码标签：查询、作废、疑似仿冒。",
    "inspections": "检测记录：抽检、快检、自检、实验室检测及其附件。",
    "analytes": "检测项目及其限量。",
    "control-points": "抽检计划的控制点。",
    "quality-alerts": "质量预警：不合格检测引起的整改。",
    "reports": "报表导出：扶贫办的统计表格。",
    "report-periods": "报表周期：各表的统计期、上报截止日期与汇总。",
    "submissions": "报表上报：填报、上报（冻结快照）、退回、通过，盖章扫描件与凭证。",
    "certification-policies": "认定政策：各地区扶贫产品认定的条件及其文件依据。",
    "certification-reviews": "认定复核：不再符合认定条件的主体，待管理员处理。",
    "slow-selling-marks": "滞销标记：扶贫办标记某产品或批次在某期间滞销。",
    "catalogue-entries": "扶贫产品目录申报：申报、核查、审定、公示、入目录。",
    "objections": "公示异议：任何人可对公示中的产品提出异议。",
    "catalogue": "公开的扶贫产品目录与公示名单（无需登录，不含个人信息）。",
    "audit": "审计记录：谁在何时改了什么（仅管理员）。",
}

# What a custom action does, by its name.
ACTIONS = {
    "hold": "暂停销售",
    "release": "放行",
    "recall": "召回",
    "revoke": "撤销",
    "reinstate": "恢复",
    "suspend": "暂停",
    "consent": "记录或撤回公开姓名的同意",
    "sign": "签字确认",
    "supersede": "更正（生成新记录取代原记录）",
    "attachments": "上传附件（照片或检测报告 PDF）",
    "close": "关闭",
    "void": "作废",
    "suspicious": "列出疑似仿冒的标签",
    "pdf": "下载标签纸（PDF，超过一个分卷时为 ZIP）",
    "submit": "上报（冻结快照）",
    "return_": "退回（须说明原因）",
    "accept": "审核通过",
    "difference": "与上报快照的差异",
    "evidence": "凭证",
    "evidence_file": "下载凭证文件",
    "stamped_scan": "盖章扫描件",
    "schedule": "按月或按季设置统计期",
    "status": "缺报、逾期与待审核",
    "rollup": "汇总下级已通过的上报",
    "guidance": "记录技术指导",
    "purchase": "记录收购点收购",
    "apply": "申报",
    "check": "核查",
    "approve": "审定通过并公示",
    "reject": "审定不通过",
    "withdraw": "移出目录",
    "steps": "办理记录",
    "eligibility": "对照认定政策的核查结果",
    "availability": "每月可供数量",
    "photos": "上传产品照片",
    "review": "处理异议",
    "dismiss": "维持认定，关闭复核",
}

# Chinese names of the resources in summaries ("列出批次").
NAMES = {
    "auth": "令牌",
    "scan": "扫码结果",
    "regions": "行政区划",
    "producers": "生产经营主体",
    "certifications": "认定证书",
    "households": "贫困户",
    "benefit-links": "利益联结",
    "household-payments": "到户收益",
    "benefit-watch": "虚假带贫关注",
    "brands": "品牌",
    "brand-licenses": "品牌授权",
    "product-lines": "产品",
    "batches": "批次",
    "trace-events": "追溯事件",
    "sales": "销售记录",
    "sales-imports": "平台订单导入",
    "cabinet-sales": "智能专柜销售",
    "bulletins": "季度通报",
    "logistics-imports": "物流运单导入",
    "unit-purchases": "附件3",
    "reconciliation": "三方数据核对",
    "outlets": "销售网点",
    "print-jobs": "打印任务",
    "labels": "标签",
    "inspections": "检测记录",
    "analytes": "检测项目",
    "control-points": "控制点",
    "quality-alerts": "质量预警",
    "reports": "报表",
    "report-periods": "报表周期",
    "submissions": "报表上报",
    "certification-policies": "认定政策",
    "certification-reviews": "认定复核",
    "slow-selling-marks": "滞销标记",
    "catalogue-entries": "目录申报",
    "objections": "公示异议",
    "catalogue": "扶贫产品目录",
    "audit": "审计记录",
}

VERBS = {
    "list": "列出",
    "retrieve": "查看",
    "create": "新建",
    "update": "修改",
    "partial_update": "部分修改",
    "destroy": "删除",
}

ERROR_DETAIL = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField(help_text="错误说明（中文）。")},
)


def add_tags(result, generator, request, public):
    """List the resource tags with their Chinese descriptions (a postprocessing hook)."""
    used = {
        tag
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }
    result["tags"] = [
        {"name": name, "description": text}
        for name, text in RESOURCES.items()
        if name in used
    ] + [{"name": name} for name in sorted(used - RESOURCES.keys())]
    return result


HAN = re.compile(r"[\u4e00-\u9fff]")
# What drf-spectacular and DRF write in English, in the schema's language.
KNOWN_DESCRIPTIONS = {
    "No response body": "无响应内容。",
    'Token-based authentication with required prefix "Token"': (
        "令牌认证：请求头 Authorization: Token <令牌>（令牌由 POST /api/v1/auth/token/ 取得）。"
    ),
}


def chinese_descriptions(result, generator, request, public):
    """Keep the schema's descriptions Chinese (a postprocessing hook).

    A serializer's English docstring is a note for developers, as an
    operation's is (AutoSchema.get_description): it is dropped; the few
    English sentences drf-spectacular writes itself are translated.
    """

    def visit(node, *, response=False):
        if isinstance(node, dict):
            text = node.get("description")
            if isinstance(text, Promise):  # drf-spectacular's lazy strings
                text = node["description"] = str(text)
            if isinstance(text, str) and not HAN.search(text):
                if text in KNOWN_DESCRIPTIONS:
                    node["description"] = KNOWN_DESCRIPTIONS[text]
                elif response:  # OpenAPI requires a response's description
                    node["description"] = "响应。"
                else:
                    del node["description"]
            for key, value in node.items():
                if key == "responses" and isinstance(value, dict):
                    for answer in value.values():
                        visit(answer, response=True)
                else:
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    visit(result.get("paths", {}))
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with Chinese summaries and documented errors."""

    def get_description(self) -> str:
        # English docstrings are notes for developers; an operation that
        # needs a description says so with extend_schema(description=...).
        return ""

    def get_summary(self) -> str | None:
        tag = (self.get_tags() or [""])[0]
        name = NAMES.get(tag, tag)
        action = getattr(self.view, "action", None)
        if tag == "auth":
            return "登录：用用户名和密码换取令牌"
        if action in ACTIONS:
            return f"{name}：{ACTIONS[action]}"
        if action in VERBS:
            return f"{VERBS[action]}{name}"
        return name or None

    def _may_answer_400(self) -> bool:
        """Return True if bad input can reach this operation: a body or a query."""
        return (
            self.method != "GET"
            or getattr(self.view, "action", None) == "list"
            or bool(self._get_filter_parameters())
            or bool(self.get_override_parameters())
        )

    def _is_public(self) -> bool:
        return all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {}
        if self._may_answer_400():
            errors["400"] = (
                "请求有误：字段错误以字段名为键，其余在 detail 或 non_field_errors 中。"
            )
        if not self._is_public():
            errors["401"] = "未登录或令牌无效。"
            errors["403"] = "无权执行此操作。"
        # Objects outside one's scope (in the path or referenced in the
        # body) do not exist for the user; a page past the end neither.
        errors["404"] = "对象不存在、不在可见范围内，或页码超出范围。"
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = "请求内容过大。"
        errors["429"] = "请求过于频繁，请稍后再试。"
        for code, description in errors.items():
            if code in responses:
                continue
            body = (
                openapi.build_basic_type(OpenApiTypes.OBJECT)
                if code == "400"
                else ERROR_DETAIL
            )
            response = self._get_response_for_code(body, code, ["application/json"])
            response["description"] = description
            responses[code] = response
        return responses
