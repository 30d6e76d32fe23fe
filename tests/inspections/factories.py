"""Factories of the inspections domain; inspections go through the service."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from inspections.choices import AnalyteKind, InspectionKind
from inspections.models import Analyte
from inspections.services.inspections import inspection_create


class AnalyteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Analyte

    name = factory.Sequence(lambda n: f"检测项目{n}")
    method = "GB 23200.113"
    unit = "mg/kg"
    kind = AnalyteKind.QUANTITATIVE
    limit = Decimal("0.5")


def quantitative(value, limit="1.0", item="毒死蜱", method="GB 23200.113") -> dict:
    return {
        "item": item,
        "method": method,
        "limit": Decimal(limit),
        "measured_value": Decimal(str(value)),
        "unit": "mg/kg",
    }


def enzyme(inhibition) -> dict:
    return {
        "item": "有机磷和氨基甲酸酯类农药",
        "method": "GB/T 5009.199-2003",
        "measured_value": Decimal(str(inhibition)),
        "unit": "%",
    }


def qualitative(outcome: str, item="标签标识") -> dict:
    return {"item": item, "kind": AnalyteKind.QUALITATIVE, "outcome": outcome}


def record_inspection(
    *, batch, user, kind=InspectionKind.SPOT_CHECK, items=None, **fields
):
    """Record an inspection through the service (verdict and consequences apply)."""
    fields.setdefault("sampled_at", timezone.now() - datetime.timedelta(hours=1))
    inspection, _created = inspection_create(
        created_by=user,
        batch=batch,
        kind=kind,
        items=items or [quantitative("0.1")],
        **fields,
    )
    return inspection


def catalogued(analyte, value=None, *, outcome="", limit=None) -> dict:
    """Return a result item chosen from the analyte catalogue."""
    item: dict = {"analyte": analyte}
    if value is not None:
        item["measured_value"] = Decimal(str(value))
    if outcome:
        item["outcome"] = outcome
    if limit is not None:
        item["limit"] = Decimal(str(limit))
    return item
