import csv
import datetime
import io
import subprocess
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from openpyxl.utils import get_column_letter

from reports.exports import recall_trace_xlsx, report_csv, report_xlsx
from reports.forms import FORMS
from reports.selectors.common import ReportFilters
from reports.tables import report_build
from tests.catalogue import listed_entry, make_officers
from tests.conftest import require_tool

DATA = {
    "key": "township_sales",
    "title": "乡镇（街道）贫困户产品销售情况表",
    "header_fields": [
        {"label": "填报单位", "value": "洞口县"},
        {"label": "填报时间", "value": "2026-10-01"},
    ],
    "columns": ["序号", "销售金额", "备注"],
    "money_columns": ["销售金额"],
    "rows": [[1, Decimal("90.00"), ""], [2, Decimal("10.5"), "含,逗号"]],
}


def test_csv_has_bom_title_header_fields_columns_rows():
    content = report_csv(DATA)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        ["乡镇（街道）贫困户产品销售情况表"],
        ["填报单位：洞口县", "填报时间：2026-10-01"],
        ["序号", "销售金额", "备注"],
        ["1", "90.00", ""],
        ["2", "10.50", "含,逗号"],
    ]


def test_xlsx_layout_bold_headers_numbers_and_widths():
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(DATA))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == DATA["title"]
    assert rows[2] == ("序号", "销售金额", "备注")
    assert [row[1] for row in rows[3:]] == [90, 10.5]
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet["B4"].number_format == 'General"元"'  # 附件2 prints 90元
    assert sheet.column_dimensions["B"].width >= 10


def test_xlsx_without_header_fields():
    data = DATA | {"header_fields": []}
    rows = list(
        openpyxl.load_workbook(io.BytesIO(report_xlsx(data))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[1] == ("序号", "销售金额", "备注")


def test_recall_trace_workbook_has_a_sheet_per_section():
    trace = {
        "batch": {
            "lot_code": "GL2026A",
            "product": "古楼云雾茶",
            "status_display": "已放行",
        },
        "sales": [
            {
                "buyer": "张女士",
                "outlet": {"name": "专柜", "region": "古楼村"},
                "amount": "1.00",
            }
        ],
    }
    workbook = openpyxl.load_workbook(io.BytesIO(recall_trace_xlsx(trace)))
    assert workbook.sheetnames == [
        "批次",
        "状态变更",
        "追溯事件",
        "销售",
        "带贫贡献",
        "检测",
        "打印任务",
        "扫码城市",
    ]
    assert workbook["销售"]["E3"].value == "专柜（古楼村）"


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_form_prints_a4_landscape_one_page_wide_with_titles_and_borders(
    sales, key
):
    if key == "products_for_sale":  # its rows come from the catalogue
        listed_entry(sales.world, make_officers(sales.world))
    report = report_build(key=key, user=sales.world.admin, filters=ReportFilters())
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report.as_data())))
    sheet = workbook.active
    columns = len(report.spec.columns)
    header_row = 3 if report.spec.header_fields else 2

    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4 in OOXML's numbering
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"$1:${header_row}"
    assert f"A1:{get_column_letter(columns)}1" in {
        str(merged) for merged in sheet.merged_cells.ranges
    }
    assert len(report.rows) > 0
    for row in sheet.iter_rows(min_row=header_row, max_col=columns):
        for cell in row:
            assert cell.border.left.style == "thin", cell.coordinate
            assert cell.border.bottom.style == "thin", cell.coordinate
    for index, name in enumerate(report.spec.columns, start=1):
        # Wide enough for the header on two lines, never wider than the cap.
        width = sheet.column_dimensions[get_column_letter(index)].width
        assert len(name) <= width <= 42, name


def test_every_xlsx_prints_on_one_page_wide_through_libreoffice(sales, tmp_path):
    soffice = require_tool("soffice")
    pdfinfo = require_tool("pdfinfo")
    report = report_build(
        key="township_sales", user=sales.world.admin, filters=ReportFilters()
    )
    source = tmp_path / "form.xlsx"
    source.write_bytes(report_xlsx(report.as_data()))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    info = subprocess.run(
        [pdfinfo, str(tmp_path / "form.pdf")], capture_output=True, check=True
    ).stdout.decode()
    width, height = (
        float(part) for part in info.split("Page size:")[1].split("pts")[0].split("x")
    )
    assert width > height  # landscape
    assert "Pages:           1" in info  # a few rows: one page, not 3-5


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_shaped_text_is_written_as_text(text):
    data = DATA | {"rows": [[1, Decimal("90.00"), text], [2, Decimal("1"), "普通备注"]]}
    rows = list(csv.reader(io.StringIO(report_csv(data).decode("utf-8-sig"))))
    assert rows[3] == ["1", "90.00", "'" + text]  # OWASP: a leading apostrophe
    assert rows[4] == ["2", "1.00", "普通备注"]
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(data))).active
    cell = sheet["C4"]
    # XML turns a carriage return into a line feed; the cell is text either way.
    assert cell.value in (text, text.replace("\r", "\n"))
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert sheet["B4"].value == 90  # numbers stay numbers
    assert not sheet["C5"].quotePrefix


def crossings(pdf_path) -> list[str]:
    """Return the characters a horizontal border runs through, with their page."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            rules = [
                edge
                for edge in page.edges
                if edge["orientation"] == "h" and edge["x1"] - edge["x0"] > 2
            ]
            for char in page.chars:
                if not char["text"].strip():
                    continue
                middle = (char["x0"] + char["x1"]) / 2
                # A rule inside the glyph's box, beyond a point's slack.
                top, bottom = char["top"] + 1, char["bottom"] - 1
                if any(
                    rule["x0"] <= middle <= rule["x1"] and top < rule["top"] < bottom
                    for rule in rules
                ):
                    found.append(f"p{page.page_number} {char['text']}")
    return found


def test_no_printed_line_of_any_form_crosses_a_border(sales, tmp_path):
    # Two-line headers (统计表 「(个)」, 授权店 「金额（元）」) and long notes
    # printed over the row's border in LibreOffice when the row kept its
    # one-line height.
    soffice = require_tool("soffice")
    listed_entry(sales.world, make_officers(sales.world))
    sources = []
    for key in sorted(FORMS):
        report = report_build(key=key, user=sales.world.admin, filters=ReportFilters())
        data = report.as_data()
        if data["rows"]:  # a long note wraps in its capped column
            data["rows"][0][-1] = f"{data['rows'][0][-1] or ''}{'，备注' * 30}"
            data["rows"][0][1] = f"{data['rows'][0][1]}{'，名称' * 12}"
        source = tmp_path / f"{key}.xlsx"
        source.write_bytes(report_xlsx(data))
        sources.append(str(source))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # 附件2 prints a sale as the seed does, from date and number cells.
    with pdfplumber.open(tmp_path / "township_sales.pdf") as pdf:
        printed = pdf.pages[0].extract_text()
    assert "2026.9.1" in printed and "1200元" in printed
    assert "345.5元" in printed
    crossed = {
        key: found
        for key in sorted(FORMS)
        if (found := crossings(tmp_path / f"{key}.pdf"))
    }
    assert crossed == {}, {key: found[:8] for key, found in crossed.items()}


def test_township_sales_xlsx_keeps_dates_and_amounts_as_data(sales):
    report = report_build(
        key="township_sales", user=sales.world.admin, filters=ReportFilters()
    )
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(report.as_data()))).active
    first = 4  # title, 填报单位 line, headers
    date_cell, amount_cell = sheet.cell(first, 3), sheet.cell(first, 8)
    assert date_cell.is_date and date_cell.value.date() == datetime.date(2026, 9, 1)
    assert date_cell.number_format == "yyyy.m.d"
    assert amount_cell.value == 1200
    assert amount_cell.number_format == 'General"元"'
