"""Draw an office form as a printable PDF: filled form data in, PDF bytes out.

A4 landscape like the paper forms of the seeds: the title, the 填报单位 /
填报人 / 联系方式 / date line, the table (column headers repeated on every
page, columns scaled to fit one page wide, long text wrapping), then the
signature line and a stamp area (盖章) as the paper has. Chinese text uses
the labels' font (labels.rendering.text_font: SUYUAN_LABEL_FONT embedded as a
subset, or STSong-Light where that file is missing).
"""

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from labels.rendering import text_font
from reports.formatting import (
    FILLER_LABELS,
    SUMMARY_LABEL,
    format_amount,
    format_seed_amount,
    format_seed_date,
)
from reports.forms import form_for

PAGE = landscape(A4)
MARGIN = 12 * mm
TEXT_SIZE = 9
# Narrowest a column may get before its text wraps character by character.
MIN_COLUMN = 12 * mm
SEPARATOR = "&nbsp;" * 8


class StampArea(Flowable):
    """A dashed square labelled （盖章）, where the unit's seal goes."""

    def __init__(self, font: str, size: float = 34 * mm):
        super().__init__()
        self.font, self.size = font, size
        self.width = self.height = size

    def draw(self) -> None:
        canvas = self.canv
        canvas.setDash(3, 2)
        canvas.setStrokeColor(colors.grey)
        canvas.rect(0, 0, self.size, self.size)
        canvas.setFont(self.font, TEXT_SIZE)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(self.size / 2, self.size / 2, "（盖章）")


def _cell_text(value, *, money: bool, date: bool = False, unit: str = "") -> str:
    if value is None:
        return ""
    if money:
        return format_seed_amount(value, unit=unit) if unit else format_amount(value)
    return format_seed_date(value) if date else str(value)


def _column_widths(
    table: list[list[str]], font: str, size: float, available: float
) -> list[float]:
    """Return widths that fit `available`: natural widths, shrunk where long.

    Each column wants its longest text (capped at a third of the page); if the
    total is too wide, the widest columns give way first, never below
    MIN_COLUMN, so short columns such as 序号 keep their text on one line.
    """
    # The table's own cell padding (6 pt each side) plus a little slack.
    padding = 14
    wanted = []
    for column in zip(*table, strict=True):
        longest = max(pdfmetrics.stringWidth(text, font, size) for text in column)
        wanted.append(min(max(longest + padding, MIN_COLUMN), available / 3))
    total = sum(wanted)
    if total <= available:
        # Spread the spare width so the table spans the page like the paper form.
        return [width * available / total for width in wanted]
    widths = list(wanted)
    while sum(widths) > available + 0.01:
        excess = sum(widths) - available
        widest = max(widths)
        shrinkable = [i for i, width in enumerate(widths) if width == widest]
        others = [width for width in widths if width < widest]
        target = max(
            widest - excess / len(shrinkable), max(others, default=0), MIN_COLUMN
        )
        for index in shrinkable:
            widths[index] = target
        if target == MIN_COLUMN:
            scale = available / sum(widths)
            return [width * scale for width in widths]
    return widths


def form_pdf(data: dict) -> bytes:
    """Return the form (`Report.as_data()` or a frozen snapshot) as a PDF."""
    font = text_font()
    title_style = ParagraphStyle(
        "title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER
    )
    text_style = ParagraphStyle(
        "text", fontName=font, fontSize=TEXT_SIZE, leading=TEXT_SIZE * 1.3
    )
    cell_style = ParagraphStyle(
        "cell", parent=text_style, wordWrap="CJK", alignment=TA_CENTER
    )
    columns = [str(name) for name in data["columns"]]
    money = {
        index
        for index, name in enumerate(columns)
        if name in data.get("money_columns", [])
    }
    spec = form_for(data.get("key", ""))
    dates = {
        index
        for index, name in enumerate(columns)
        if spec and name in spec.date_columns
    }
    unit = spec.money_unit if spec else ""
    texts = [columns] + [
        [
            _cell_text(value, money=index in money, date=index in dates, unit=unit)
            for index, value in enumerate(row)
        ]
        for row in data["rows"]
    ]
    available = PAGE[0] - 2 * MARGIN
    widths = _column_widths(texts, font, TEXT_SIZE, available)
    table = Table(
        [[Paragraph(_escape(text), cell_style) for text in row] for row in texts],
        colWidths=widths,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    filler = _filler_line(data)
    story = [
        Paragraph(_escape(data["title"]), title_style),
        Spacer(0, 3 * mm),
        Paragraph(SEPARATOR.join(_escape(part) for part in filler), text_style),
        Spacer(0, 2 * mm),
        table,
        *_summary(data, text_style),
        Spacer(0, 6 * mm),
        KeepTogether(
            [
                Table(
                    [
                        [
                            Paragraph(
                                _escape(
                                    "填报单位（盖章）：________________    "
                                    "负责人签字：____________    "
                                    "审核人签字：____________"
                                ),
                                text_style,
                            ),
                            StampArea(font),
                        ]
                    ],
                    colWidths=[available - 40 * mm, 40 * mm],
                    style=[("VALIGN", (0, 0), (-1, -1), "BOTTOM")],
                )
            ]
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=data["title"],
        # The office (填报单位) the form is from, and what the form is.
        author=_filling_unit(data) or "Suyuan",
        subject=f"{data['title']}（{_filling_unit(data) or 'Suyuan'}）",
        creator="Suyuan",
    )

    def page_number(canvas, doc) -> None:
        canvas.setFont(font, 8)
        canvas.drawCentredString(PAGE[0] / 2, 6 * mm, f"第 {doc.page} 页")

    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _summary(data: dict, style: ParagraphStyle) -> list:
    """Return the 工作小结 printed under the table, if the filler wrote one."""
    summary = (data.get("summary") or "").strip()
    if not summary:
        return []
    text = "<br/>".join(_escape(line) for line in summary.splitlines())
    return [
        Spacer(0, 4 * mm),
        Paragraph(f"{SUMMARY_LABEL}：", style),
        Paragraph(text, ParagraphStyle("summary", parent=style, wordWrap="CJK")),
    ]


def _filling_unit(data: dict) -> str:
    """Return the form's 填报单位, from its filler block or header fields."""
    for field in [*data.get("filler", []), *data.get("header_fields", [])]:
        if field["label"] in ("填报单位", "填写单位") and field["value"]:
            return str(field["value"])
    return ""


def _filler_line(data: dict) -> list[str]:
    """Return the 填报单位 / 填报人 / 联系方式 / date line, labelled as the form does."""
    fields = data.get("header_fields") or []
    labels = [field["label"] for field in fields] or list(FILLER_LABELS)
    # A form's own header says what it asks (附件2's 供货联系人 is the
    # township's, not the filler's); the filler block fills the others.
    values = [field["value"] for field in fields] or [
        field["value"] for field in data.get("filler") or []
    ]
    values = (values + [""] * len(labels))[: len(labels)]
    return [
        f"{label}：{value or '__________'}"
        for label, value in zip(labels, values, strict=True)
    ]


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
