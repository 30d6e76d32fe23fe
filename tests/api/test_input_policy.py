"""The input policy (trace/validators.py): no 500 on any input, and nothing
stored that is not what was typed (issue 34).

Through the real stack: the API's parsers and fields, the workbench's forms.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.api.test_catalogue_entries import new_entry
from tests.catalogue import make_officers
from trace.models import Batch, CatalogueEntry, Sale, TraceEvent

API = "/api/v1"
POLICY = "不能包含控制字符或双向文本控制符，请删除后重新填写。"
DIGITS = "数字请使用 0–9 填写。"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def sale(world, **fields):
    return {
        "batch": world.batch_a.pk,
        "buyer": "洞口县第一中学",
        "channel": "school",
        "quantity": "2",
        "unit": world.batch_a.unit,
        "amount": "60.00",
        "sold_at": timezone.now().isoformat(),
        **fields,
    }


@pytest.mark.parametrize(
    "unsafe",
    [
        "仓\u001c库",  # the file separator that broke the recall-trace XLSX
        "仓\x00库",
        "仓\x7f库",
        "仓\u0085库",  # C1 control (NEL)
        "\u202e库仓",  # right-to-left override (Trojan Source)
        "仓\u2066库\u2069",  # left-to-right isolate
    ],
)
def test_control_and_bidi_characters_are_a_400_naming_the_field(
    world, client_for, unsafe
):
    response = client_for(world.operator_a).post(
        f"{API}/sales/", sale(world, buyer=unsafe), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"buyer": [POLICY]}
    assert not Sale.objects.exists()


def test_the_policy_holds_for_forms_and_nested_values_too(world, client_for):
    client = client_for(world.operator_a)
    form = client.post(f"{API}/sales/", sale(world, buyer="仓\u001c库"))  # multipart
    assert form.status_code == 400 and form.json() == {"buyer": [POLICY]}
    nested = client.post(
        f"{API}/catalogue-entries/",
        {"name": "茶", "households": ["\u202e1"]},
        format="json",
    )
    assert nested.status_code == 400 and nested.json() == {"households": [POLICY]}
    assert not Sale.objects.exists() and not CatalogueEntry.objects.exists()


def test_tab_and_newline_are_text_not_control(world, client_for):
    response = client_for(world.operator_a).post(
        f"{API}/sales/", sale(world, buyer="洞口县\t第一中学\n食堂"), format="json"
    )
    assert response.status_code == 201, response.content
    assert Sale.objects.get().buyer == "洞口县\t第一中学\n食堂"


def test_full_width_digits_are_the_same_number(world, client_for):
    response = client_for(world.operator_a).post(
        f"{API}/sales/",
        sale(world, quantity="２", amount="６０．５０"),
        format="json",
    )
    assert response.status_code == 201, response.content
    stored = Sale.objects.get()
    assert (str(stored.quantity), str(stored.amount)) == ("2.000", "60.50")


@pytest.mark.parametrize("number", ["٢", "२", "2²", "١٢٫٥"])
def test_other_digits_in_a_number_field_are_refused(world, client_for, number):
    response = client_for(world.operator_a).post(
        f"{API}/sales/", sale(world, quantity=number), format="json"
    )
    assert response.status_code == 400
    assert response.json()["quantity"] == [DIGITS]
    assert not Sale.objects.exists()


@pytest.mark.parametrize("wrong", ["١", "٢", "²"])
def test_a_non_ascii_digit_in_a_nested_evidence_id_is_404(world, client_for, wrong):
    client = client_for(world.admin)
    assert client.get(f"{API}/sales/1/evidence/{wrong}/").status_code == 404


def test_a_deeply_nested_body_to_catalogue_entries_is_a_400(world, client_for):
    response = client_for(world.operator_a).post(
        f"{API}/catalogue-entries/",
        data="[" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


def test_availability_without_available_is_a_400(world, client_for):
    officers = make_officers(world)
    entry = new_entry(client_for(world.operator_a), world).json()
    response = client_for(officers.informant).post(
        f"{API}/catalogue-entries/{entry['id']}/availability/",
        {"month": "2026-12-01", "quantity": "40"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"available": ["该字段是必填项。"]}


def test_a_naive_year_one_time_is_a_400_on_guidance_and_purchase(cycle, client_for):
    technician = client_for(cycle.users["technician_t1"])
    guidance = technician.post(
        f"{API}/trace-events/guidance/",
        {
            "batch": cycle.batches["v1b"].pk,
            "occurred_at": "0001-01-01T00:00:00",
            "topic": "修剪",
        },
        format="json",
    )
    assert guidance.status_code == 400
    assert guidance.json() == {"occurred_at": ["时间超出可表示的范围。"]}
    purchase = client_for(cycle.users["purchase_point_v1"]).post(
        f"{API}/trace-events/purchase/",
        {
            "batch": cycle.batches["v1"].pk,
            "household": cycle.households["v1"].pk,
            "quantity": "30",
            "amount_paid": "450.00",
            "purchased_at": "0001-01-01T00:00:00",
        },
        format="json",
    )
    assert purchase.status_code == 400
    assert purchase.json() == {"purchased_at": ["时间超出可表示的范围。"]}
    assert not TraceEvent.objects.exists()


@pytest.mark.parametrize(
    "path", ["/p/%00", "/p/%E2%80%AE", "/p/０６９０１２３４５６７８９"]
)
def test_a_malformed_gtin_on_the_product_page_is_a_400(db, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert "GTIN" in response.content.decode()


def test_the_workbench_refuses_control_characters_with_a_field_message(world):
    browser = Client()
    browser.force_login(world.operator_a)
    batch = world.batch_a
    response = browser.post(
        "/w/sales/",
        {
            "batch": batch.pk,
            "unit": batch.unit,
            "buyer": "仓\u001c库",
            "channel": "school",
            "quantity": "١",
            "amount": "30",
            "sold_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400  # the form again, with its errors
    errors = response.context["form"].errors
    assert errors["buyer"] == [POLICY]
    assert errors["quantity"] == [DIGITS]
    assert not Sale.objects.exists()
    assert Batch.objects.get(pk=batch.pk).status == batch.status


def test_api_modules_declare_numbers_and_times_with_the_project_fields():
    """One way: a DRF number or datetime field would skip the policy."""
    import pathlib
    import re

    api = pathlib.Path(__file__).resolve().parents[2] / "api"
    offenders = [
        f"{path.relative_to(api.parent)}:{number}"
        for path in api.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(
            r"serializers\.(Integer|Decimal|Float|DateTime)Field\(|"
            r"rest_framework\.parsers import",
            line,
        )
    ]
    assert offenders == []
