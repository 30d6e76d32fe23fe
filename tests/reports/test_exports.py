import csv
import io
from decimal import Decimal

import openpyxl

from reports.exports import recall_trace_xlsx, report_csv, report_xlsx
from reports.formatting import XLSX_AMOUNT_FORMAT

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
    assert sheet["B4"].number_format == XLSX_AMOUNT_FORMAT
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
