"""Render a filled form as CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX.

Layout of both: the title row, the header-fields row where the form has one
("填报单位：…"), the column headers, then the rows. Input is `Report.as_data()`
or a submission's frozen snapshot (money there is text such as "12.50").

XLSX sheets print like the paper forms: A4 landscape, one page wide, the
title merged across the columns, the rows above the data repeated on every
page (print titles), thin borders, columns as wide as their Chinese text.
"""

import csv
import io
import math
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from reports.form_pdf import form_pdf
from reports.formatting import (
    SEED_AMOUNT_XLSX_FORMAT,
    SEED_DATE_XLSX_FORMAT,
    SUMMARY_LABEL,
    XLSX_AMOUNT_FORMAT,
    as_amount,
    as_date,
)
from reports.forms import form_for

BOM = "\ufeff"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Column width limits in Excel character units: longer text wraps.
MIN_WIDTH, MAX_WIDTH = 6, 40
AMOUNT_WIDTH = 12  # 9,999,999.99
ONE_LINE_HEADER = 24  # a header ending in a unit up to this width stays on one line
LINE_HEIGHT = 15  # points per line of 11-point text, CJK included


# OWASP "CSV Injection": a cell whose text starts with one of these is a
# formula (or its start) to Excel, LibreOffice and other spreadsheets, so an
# operator's typed buyer =HYPERLINK(...) would run in the office's Excel.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_is_formula_shaped(text: str) -> bool:
    """Return True if a spreadsheet would read this text as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_safe(value: str) -> str:
    """Return text a spreadsheet shows as text: a leading apostrophe (OWASP)."""
    return "'" + value if text_is_formula_shaped(value) else value


def header_fields_line(data: dict) -> list[str]:
    return [
        f"{field['label']}：{field['value']}" for field in data.get("header_fields", [])
    ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv_cell(value) -> str:
    # Only text can carry a formula; numbers (a Decimal, an int) stay numbers.
    return csv_safe(value) if isinstance(value, str) else _text(value)


def report_csv(data: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(data["title"])])
    if data.get("header_fields"):
        writer.writerow([_csv_cell(text) for text in header_fields_line(data)])
    writer.writerow([_csv_cell(name) for name in data["columns"]])
    for row in data["rows"]:
        writer.writerow([_csv_cell(value) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _blank(value):
    """Return the cell's value: "" for None, text without what XLSX forbids.

    The input policy (trace.validators) refuses control characters since
    issue 34; a row stored before it may still hold one, which openpyxl
    refuses with an error (a 500 for the whole export). It is shown as U+FFFD
    in the sheet; the record keeps what was stored.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def _width(value) -> int:
    # CJK characters take two columns in Excel's default font.
    text = _text(value)
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _header_width(name: str) -> int:
    """Return a header's width: on two lines, or one when a unit such as
    （万元） ends it and the whole fits, so the unit is never cut."""
    for bracket in ("（", "("):
        before, found, unit = name.partition(bracket)
        if found and before:
            if _width(name) <= ONE_LINE_HEADER:
                return _width(name)
            return max(_width(before), _width(found + unit))
    return (_width(name) + 1) // 2 + 1


def _lines(value, width: float) -> int:
    """Return how many lines a wrapped cell's text takes in a column."""
    # A bold or CJK glyph runs a little wider than Excel's width unit.
    usable = max(width - 1, 1) / 1.1
    return sum(
        max(1, math.ceil(_width(part) / usable)) for part in _text(value).split("\n")
    )


def _fit_row_heights(sheet, *, first_row: int, columns: int) -> None:
    """Give each wrapped row the height of its lines.

    Neither openpyxl nor LibreOffice sizes a row to its wrapped text, so a
    two-line header or a long note printed over the row's bottom border.
    """
    widths = [
        sheet.column_dimensions[get_column_letter(index)].width
        for index in range(1, columns + 1)
    ]
    for row in sheet.iter_rows(min_row=first_row, max_col=columns):
        lines = max(
            _lines(cell.value, width) for cell, width in zip(row, widths, strict=False)
        )
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT + 4


def _print_setup(sheet, *, header_row: int) -> None:
    """Print like the paper form: A4 landscape, one page wide, titles repeated."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_title_rows = f"1:{header_row}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _write_sheet(
    sheet,
    *,
    title: str,
    columns: list[str],
    rows: list[list],
    header_fields: list[str] = (),
    money_columns: list[str] = (),
    summary: str = "",
    date_columns: list[str] = (),
    money_unit: str = "",
) -> None:
    bold = Font(bold=True)
    sheet.append([title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    if len(columns) > 1:
        sheet.merge_cells(
            start_row=1, start_column=1, end_row=1, end_column=len(columns)
        )
    sheet.cell(row=1, column=1).alignment = Alignment(
        horizontal="center", vertical="center", wrap_text=True
    )
    sheet.row_dimensions[1].height = 28
    if header_fields:
        sheet.append(list(header_fields))
    sheet.append(list(columns))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
    money = {index for index, name in enumerate(columns) if name in money_columns}
    dates = {index for index, name in enumerate(columns) if name in date_columns}
    money_format = (
        SEED_AMOUNT_XLSX_FORMAT.format(unit=money_unit)
        if money_unit
        else XLSX_AMOUNT_FORMAT
    )
    # A header word wraps at most onto two lines; data sets the rest.
    widths = [
        max(AMOUNT_WIDTH, _header_width(name))
        if index in money
        else _header_width(name)
        for index, name in enumerate(columns)
    ]
    for row in rows:
        values = []
        for index, value in enumerate(row):
            amount = as_amount(value) if index in money else None
            day = as_date(value) if index in dates else None
            values.append(
                amount if amount is not None else day if day else _blank(value)
            )
        sheet.append(values)
        for index, value in enumerate(row):
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if index in money:
                cell.number_format = money_format
            elif index in dates and as_date(value):
                cell.number_format = SEED_DATE_XLSX_FORMAT
            if index < len(widths):
                widths[index] = max(widths[index], _width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    _fit_row_heights(sheet, first_row=header_row, columns=len(columns))
    for table_row in sheet.iter_rows(
        min_row=header_row, max_row=sheet.max_row, max_col=len(columns)
    ):
        for cell in table_row:
            cell.border = BORDER
    if header_fields and len(columns) > 1:
        # The unit, person, phone and date line spans the table, like the paper.
        row = header_row - 1
        sheet.cell(row=row, column=1).value = "    ".join(header_fields)
        for column in range(2, len(header_fields) + 1):
            sheet.cell(row=row, column=column).value = None
        sheet.merge_cells(
            start_row=row, start_column=1, end_row=row, end_column=len(columns)
        )
    if summary:
        _write_summary(sheet, summary=summary, width=len(columns))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _print_setup(sheet, header_row=header_row)
    _keep_text_as_text(sheet)


def _write_summary(sheet, *, summary: str, width: int) -> None:
    """Write the 工作小结 below the table, across it, as the paper form has it."""
    sheet.append([])
    sheet.append([SUMMARY_LABEL])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([summary])
    row = sheet.max_row
    sheet.cell(row=row, column=1).alignment = Alignment(vertical="top", wrap_text=True)
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    lines = sum(1 + len(line) // 60 for line in summary.splitlines() or [""])
    sheet.row_dimensions[row].height = min(15 * lines + 6, 409)  # Excel's maximum


def _keep_text_as_text(sheet) -> None:
    """Store formula-shaped text as text, shown as typed (Excel's quote prefix).

    openpyxl makes any string starting with "=" a formula; nothing here is
    one, so every such cell is a string, marked as Excel marks text typed
    after an apostrophe. The value stays exactly what was entered.
    """
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and text_is_formula_shaped(value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(data: dict) -> bytes:
    spec = form_for(data.get("key", ""))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = data["title"][:31]  # Excel's limit for sheet names
    _write_sheet(
        sheet,
        title=data["title"],
        columns=data["columns"],
        rows=data["rows"],
        header_fields=header_fields_line(data),
        money_columns=data.get("money_columns", []),
        summary=data.get("summary") or "",
        date_columns=spec.date_columns if spec else (),
        money_unit=spec.money_unit if spec else "",
    )
    return _workbook_bytes(workbook)


RECALL_SHEETS = (
    (
        "状态变更",
        "status_changes",
        (
            ("原状态", "from_status"),
            ("新状态", "to_status_display"),
            ("原因", "reason"),
            ("操作人", "changed_by"),
            ("时间", "changed_at"),
        ),
    ),
    (
        "追溯事件",
        "trace_events",
        (
            ("环节", "kind_display"),
            ("发生时间", "occurred_at"),
            ("地点（区域）", "location"),
            ("地点", "place"),
            ("经办单位", "actor"),
            ("数量", "quantity"),
            ("单位", "unit"),
            ("单据类型", "reference_document_type"),
            ("单据编号", "reference_document_number"),
        ),
    ),
    (
        "销售",
        "sales",
        (
            ("交易时间", "sold_at"),
            ("卖方", "seller"),
            ("买方", "buyer"),
            ("销售渠道", "channel_display"),
            ("销售网点", "outlet"),
            ("数量", "quantity"),
            ("单位", "unit"),
            ("金额（元）", "amount"),
            ("备注", "note"),
        ),
    ),
    (
        "带贫贡献",
        "contributions",
        (
            ("贫困户", "household"),
            ("所在村", "village"),
            ("供货数量", "quantity"),
            ("支付金额（元）", "amount_paid"),
        ),
    ),
    (
        "检测",
        "inspections",
        (
            ("类型", "kind_display"),
            ("抽样时间", "sampled_at"),
            ("检测单位", "organisation"),
            ("结论", "verdict_display"),
            ("已签名", "signed"),
            ("已被更正", "superseded"),
            ("检测项目", "items"),
        ),
    ),
    (
        "打印任务",
        "print_jobs",
        (
            ("任务编号", "id"),
            ("创建时间", "created_at"),
            ("模板", "template"),
            ("数量", "count"),
            ("状态", "status"),
        ),
    ),
    (
        "扫码城市",
        "scans_by_city",
        (("城市", "city"), ("扫码次数", "scans"), ("标签数", "labels")),
    ),
)
BATCH_FIELDS = (
    ("批次号", "lot_code"),
    ("批次名称", "name"),
    ("产品", "product"),
    ("GTIN", "gtin"),
    ("生产经营主体", "producer"),
    ("产地", "origin"),
    ("采收/生产日期", "harvest_date"),
    ("数量", "quantity"),
    ("单位", "unit"),
    ("状态", "status_display"),
)


def _cell(value):
    if isinstance(value, dict):  # an outlet
        return f"{value['name']}（{value['region']}）"
    return value


def recall_trace_xlsx(trace: dict) -> bytes:
    """One sheet for the batch and one per section of the recall trace."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "批次"
    batch = trace["batch"]
    _write_sheet(
        sheet,
        title=f"召回追溯：{batch['product']} {batch['lot_code']}",
        columns=["项目", "内容"],
        rows=[[label, batch.get(key)] for label, key in BATCH_FIELDS],
    )
    for title, key, fields in RECALL_SHEETS:
        _write_sheet(
            workbook.create_sheet(title),
            title=title,
            columns=[label for label, _ in fields],
            rows=[
                [_cell(item.get(name)) for _, name in fields]
                for item in trace.get(key, [])
            ],
        )
    return _workbook_bytes(workbook)


def evidence_zip(*, data: dict, files: list[tuple[str, object]]) -> bytes:
    """Return a submission as a zip: the form (PDF, XLSX), 工作小结, evidence."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{data['title']}.pdf", form_pdf(data))
        archive.writestr(f"{data['title']}.xlsx", report_xlsx(data))
        if data.get("summary"):
            archive.writestr("工作小结.txt", data["summary"])
        for name, stored in files:
            with stored.open("rb") as handle:
                archive.writestr(name, handle.read())
    return buffer.getvalue()
