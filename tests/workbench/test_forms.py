"""Workbench forms: choices from scoped selectors, GS1 lot help, fingerprints."""

import pytest
from django.http import QueryDict

from tests.factories import BatchFactory
from trace.validators import validate_gs1_lot
from workbench.forms import (
    BatchForm,
    InspectionForm,
    PrintForm,
    county_of,
    request_fingerprint,
    village_choices,
)

pytestmark = pytest.mark.django_db


def test_villages_are_grouped_by_town(world):
    choices = village_choices()
    groups = {label: options for label, options in choices[1:]}
    options = groups["湖南省 邵阳市 洞口县 古楼乡"]
    assert [name for _, name in options][1:] == ["古楼村"]
    assert "全乡镇" in str(options[0][1])


def test_villages_within_the_producers_county(world):
    labels = [label for label, _ in village_choices(within=world.dongkou)[1:]]
    assert labels == ["湖南省 邵阳市 洞口县 古楼乡"]
    assert county_of(world.gulou_village) == world.dongkou


def _batch_form(world, lot_code: str) -> BatchForm:
    return BatchForm(
        {
            "product_line": world.batch_a.product_line_id,
            "lot_code": lot_code,
            "origin": world.gulou_village.pk,
            "harvest_date": "2026-12-03",
            "quantity": "100",
            "unit": "kg",
        },
        producer=world.producer_a,
    )


def test_lot_code_suggestion_for_chinese_words_is_date_and_sequence(world):
    form = _batch_form(world, "橘子 批次1")
    assert not form.is_valid()
    assert form.lot_suggestion == "20261203-01"
    assert "建议改为：20261203-01" in form.errors["lot_code"][0]


def test_lot_code_suggestion_skips_codes_the_line_already_has(world):
    BatchFactory(product_line=world.batch_a.product_line, lot_code="20261203-01")
    form = _batch_form(world, "橘子 批次1")
    assert not form.is_valid()
    assert form.lot_suggestion == "20261203-02"


def test_lot_code_suggestion_keeps_a_code_with_a_stray_space(world):
    form = _batch_form(world, "lot 1")
    assert not form.is_valid()
    assert form.lot_suggestion == "LOT1"
    validate_gs1_lot(form.lot_suggestion)


def test_fingerprint_ignores_the_csrf_token_only():
    first = QueryDict("a=1&b=2&csrfmiddlewaretoken=x")
    again = QueryDict("b=2&a=1&csrfmiddlewaretoken=y")
    other = QueryDict("a=1&b=3&csrfmiddlewaretoken=x")
    assert request_fingerprint(first) == request_fingerprint(again)
    assert request_fingerprint(first) != request_fingerprint(other)


def test_inspection_form_makes_a_key_and_offers_inspector_kinds(world):
    form = InspectionForm(user=world.inspector)
    assert len(form.initial["idempotency_key"]) == 36
    assert "self_check" not in dict(form.fields["kind"].choices)
    batches = list(form.fields["batch"].queryset)
    assert world.batch_a in batches and world.batch_b not in batches


def test_print_form_offers_released_batches_of_the_operator(world):
    form = PrintForm(user=world.operator_a)
    assert list(form.fields["batch"].queryset) == [world.batch_a]
    assert form.template_key() == "a4-3x8"
