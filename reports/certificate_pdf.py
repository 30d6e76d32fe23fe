"""Draw a 承诺达标合格证: a certificate record in, PDF bytes out; no rows written.

Two sizes: A6 (105 x 148 mm) to hand over with a delivery, and a 70 x 50 mm
label to stick on a box. The text flows down the page, beside the QR code
while level with it and across the full width below it; if it does not fit,
the font shrinks until it does. Chinese text uses labels.rendering's font
(SUYUAN_LABEL_FONT embedded) and the QR code its vector
runs, so certificates and labels print alike.
"""

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from labels.rendering import QUIET_ZONE, qr_runs, text_font, wrap_text
from reports.certificates import COMMITMENT_INTRO, COMMITMENTS
from reports.choices import CertificateBasis
from reports.models import Certificate

CHECKED, UNCHECKED = "■", "□"  # both in GB 2312, so STSong-Light has them


@dataclass(frozen=True)
class PageSize:
    """Geometry of one certificate size, in millimetres and points."""

    width_mm: float
    height_mm: float
    margin_mm: float
    qr_mm: float
    title_size: float
    text_size: float
    min_text_size: float


SIZES = {
    "a6": PageSize(105, 148, 7, 30, 16, 10, 6),
    "label": PageSize(70, 50, 3, 19, 8.5, 5.2, 3.2),
}
SIGNATURE = "生产者盖章或签名："
# Room left blank beside and below 生产者盖章或签名 for a seal or a signature,
# in lines of text (a round seal is about 4 lines of 10-point text on A6).
SIGNATURE_LINES = 4


def certificate_lines(certificate: Certificate) -> list[str]:
    """Return the certificate's paragraphs, in print order."""
    issued = timezone.localtime(certificate.issued_at)
    bases = set(certificate.basis)
    basis_line = "  ".join(
        f"{CHECKED if value in bases else UNCHECKED}{label}"
        for value, label in CertificateBasis.choices
    )
    quantity = f"{certificate.quantity.normalize():f} {certificate.unit}"
    return [
        f"编号：{certificate.number}",
        f"食用农产品名称：{certificate.product_name}",
        f"数量（重量）：{quantity}",
        f"产地：{certificate.origin}",
        f"生产者（开具主体）：{certificate.issuing_entity}",
        f"联系方式：{certificate.contact}",
        f"开具日期：{issued:%Y年%m月%d日}",
        COMMITMENT_INTRO,
        *(f"{CHECKED}{commitment}" for commitment in COMMITMENTS),
        f"承诺依据：{basis_line}",
        SIGNATURE,
    ]


def _layout(
    lines: list[str], font: str, size: float, page: PageSize, qr_bottom: float
) -> tuple[list[tuple[str, float]], float]:
    """Return (line, baseline y) pairs and the lowest baseline, from the top."""
    width = page.width_mm * mm - 2 * page.margin_mm * mm
    narrow = width - page.qr_mm * mm - 2 * mm
    leading = size * 1.35
    y = page.height_mm * mm - page.margin_mm * mm - page.title_size * 1.6
    placed = []
    for paragraph in lines:
        # Wrap as if the line starts where it stands; recheck width per line.
        remaining = paragraph
        while remaining:
            available = narrow if y - size > qr_bottom else width
            line = _first_line(remaining, font, size, available, width)
            placed.append((line, y - size))
            y -= leading
            remaining = remaining[len(line) :].lstrip()
        if paragraph == SIGNATURE:
            y -= leading * (SIGNATURE_LINES - 1)  # room to sign or stamp
    return placed, y


def _first_line(
    text: str, font: str, size: float, available: float, full_width: float
) -> str:
    """Return the first line of a paragraph, never cutting a name in two.

    A "label：value" line whose value does not fit after its label but fits
    on a line of its own breaks after the label, so that a producer's name
    (洞口县古楼茶业专业合作社) is printed whole.
    """
    line = wrap_text(text, font, size, available)[0]
    label, colon, value = text.partition("：")
    if (
        colon
        and value
        and len(line) < len(text)
        and len(line) > len(label) + 1
        and len(wrap_text(value, font, size, full_width)) == 1
    ):
        return label + colon
    return line


def certificate_pdf(
    certificate: Certificate, *, size: str = "a6", sheet_notes: list[str] | None = None
) -> bytes:
    """Return the certificate as a PDF in the given size ("a6" or "label").

    One page, or with `sheet_notes` one page per note: a certificate to go
    with each printed label sheet, naming the labels on that sheet.
    """
    page = SIZES[size]
    buffer = io.BytesIO()
    c = canvas.Canvas(
        buffer, pagesize=(page.width_mm * mm, page.height_mm * mm), pageCompression=1
    )
    c.setTitle(f"承诺达标合格证 {certificate.number}")
    c.setAuthor(certificate.issuing_entity)
    c.setSubject(f"{certificate.product_name} 食用农产品承诺达标合格证")
    c.setCreator("Suyuan")
    for note in sheet_notes or [None]:
        _draw_certificate(c, certificate, page, note)
    c.save()
    return buffer.getvalue()


def _draw_certificate(
    c, certificate: Certificate, page: PageSize, note: str | None
) -> None:
    """Draw one certificate page; `note` names the label sheet it goes with."""
    font = text_font()
    top = page.height_mm * mm - page.margin_mm * mm
    left = page.margin_mm * mm
    qr_side = page.qr_mm * mm
    qr_x = page.width_mm * mm - page.margin_mm * mm - qr_side
    qr_y = top - page.title_size * 1.6 - qr_side
    caption_size = max(page.min_text_size, page.text_size * 0.8)
    qr_bottom = qr_y - caption_size * 1.6

    lines = certificate_lines(certificate)
    if note:
        lines.append(note)
    text_size = page.text_size
    while True:
        placed, lowest = _layout(lines, font, text_size, page, qr_bottom)
        if lowest >= page.margin_mm * mm or text_size <= page.min_text_size:
            break
        text_size = max(page.min_text_size, text_size * 0.93)

    # The frame the paper certificate has, inside the margin.
    inset = page.margin_mm * mm / 2
    c.setLineWidth(0.8)
    c.rect(
        inset,
        inset,
        page.width_mm * mm - 2 * inset,
        page.height_mm * mm - 2 * inset,
        stroke=1,
        fill=0,
    )
    c.setFont(font, page.title_size)
    c.drawCentredString(page.width_mm * mm / 2, top - page.title_size, "承诺达标合格证")
    c.setFont(font, text_size)
    for line, baseline in placed:
        c.drawString(left, baseline, line)

    c.setFont(font, caption_size)
    caption_x = qr_x + qr_side / 2
    if certificate.qr_url:
        modules, operators = qr_runs(certificate.qr_url)
        module = qr_side / (modules + 2 * QUIET_ZONE)
        c.saveState()
        c.transform(module, 0, 0, module, qr_x, qr_y)
        c.addLiteral(operators)
        c.restoreState()
        c.drawCentredString(caption_x, qr_y - caption_size * 1.1, "扫码查看追溯信息")
    else:
        c.rect(qr_x, qr_y, qr_side, qr_side, stroke=1, fill=0)
        for number, note in enumerate(("本批次暂无", "追溯码")):
            c.drawCentredString(
                caption_x,
                qr_y + qr_side / 2 - number * caption_size * 1.3,
                note,
            )
    c.showPage()
