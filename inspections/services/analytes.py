"""Writes of the analyte catalogue (administrators) and its 示例数据."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.choices import (
    AnalyteKind,
)
from inspections.models import (
    Analyte,
    AnalyteClass,
    AnalyteLimit,
)
from trace.services.common import validated_save

# The analyte catalogue (administrators).


@transaction.atomic
def analyte_create(
    *, limits: list[dict[str, Any]] | None = None, **fields: Any
) -> Analyte:
    analyte = validated_save(Analyte(), **fields)
    if limits is not None:
        analyte_set_limits(analyte=analyte, limits=limits)
    return analyte


@transaction.atomic
def analyte_update(
    *, analyte: Analyte, limits: list[dict[str, Any]] | None = None, **fields: Any
) -> Analyte:
    validated_save(analyte, **fields)
    if limits is not None:
        analyte_set_limits(analyte=analyte, limits=limits)
    return analyte


def analyte_set_limits(*, analyte: Analyte, limits: list[dict[str, Any]]) -> None:
    """Replace the analyte's per-category limits."""
    categories = [limit["category"] for limit in limits]
    if len(set(categories)) != len(categories):
        raise ValidationError({"limits": _("同一产品类别只能设置一个限量。")})
    analyte.limits.all().delete()
    for limit in limits:
        validated_save(
            AnalyteLimit(analyte=analyte),
            category=limit["category"],
            limit=limit["limit"],
        )


def analyte_delete(*, analyte: Analyte) -> None:
    """Delete a catalogue entry that no result refers to."""
    if analyte.results.exists():
        raise ValidationError({"analyte": _("该检测项目已被检测结果引用，不能删除。")})
    analyte.delete()


# Marked 示例数据: demo values to show the catalogue, not a legal reference.
ORGANOPHOSPHATE_CARBAMATE = "有机磷和氨基甲酸酯类农药"
EXAMPLE_ANALYTE_CLASSES: dict[str, str] = {
    ORGANOPHOSPHATE_CARBAMATE: (
        "示例数据。GB/T 5009.199 酶抑制法快检一次筛查这一类农药；"
        "可疑结果须以该类别的实验室检测项目确认或排除。"
    ),
}
EXAMPLE_ANALYTES: list[dict[str, Any]] = [
    {
        "name": "有机磷和氨基甲酸酯类农药（酶抑制率）",
        "method": "GB/T 5009.199-2003",
        "unit": "%",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": Decimal("50"),
        "description": "示例数据。快检：抑制率 ≥ 50% 为阳性，需实验室检测确认。",
        "screens": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [],
    },
    {
        "name": "敌敌畏",
        "method": "GB 23200.113-2018",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。有机磷类农药，限量参照 GB 2763，请以现行标准为准。",
        "analyte_class": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [{"category": "水果", "limit": Decimal("0.2")}],
    },
    {
        "name": "克百威",
        "method": "GB 23200.112-2018",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。氨基甲酸酯类农药，限量参照 GB 2763，请以现行标准为准。",
        "analyte_class": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [{"category": "水果", "limit": Decimal("0.02")}],
    },
    {
        "name": "铅（以 Pb 计）",
        "method": "GB 5009.12",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。限量参照 GB 2762，请以现行标准为准。",
        "limits": [
            {"category": "水果", "limit": Decimal("0.1")},
            {"category": "茶叶", "limit": Decimal("5.0")},
        ],
    },
    {
        "name": "感官（外观）",
        "method": "",
        "unit": "",
        "kind": AnalyteKind.QUALITATIVE,
        "limit": None,
        "description": "示例数据。色泽、气味、无霉变腐烂。",
        "limits": [],
    },
    {
        "name": "标签标识",
        "method": "GB 7718",
        "unit": "",
        "kind": AnalyteKind.QUALITATIVE,
        "limit": None,
        "description": "示例数据。品名、产地、生产者、日期、追溯码齐全。",
        "limits": [],
    },
]


@transaction.atomic
def analyte_seed_examples() -> list[Analyte]:
    """Create the example analytes (示例数据) once; running it again changes nothing.

    Examples made before analyte classes existed get their class links.
    """
    classes = {
        name: AnalyteClass.objects.get_or_create(
            name=name, defaults={"description": description}
        )[0]
        for name, description in EXAMPLE_ANALYTE_CLASSES.items()
    }
    analytes = []
    for example in EXAMPLE_ANALYTES:
        fields = dict(example)
        limits = fields.pop("limits")
        for link in ("screens", "analyte_class"):
            if link in fields:
                fields[link] = classes[fields[link]]
        analyte = Analyte.objects.filter(
            name=fields["name"], method=fields["method"]
        ).first()
        if analyte is None:
            analyte = analyte_create(is_example=True, limits=limits, **fields)
        elif analyte.is_example:
            links = {k: fields[k] for k in ("screens", "analyte_class") if k in fields}
            if any(getattr(analyte, k) != v for k, v in links.items()):
                analyte = validated_save(analyte, **links)
        analytes.append(analyte)
    return analytes
