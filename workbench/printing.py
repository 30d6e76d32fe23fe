"""The workbench's door to labels: print jobs, sheet pictures, calibration sheets.

Reads go through labels.selectors (scoped by trace.access), writes through
labels.services; this module only shapes them for pages and draws the two
things only the workbench shows: the sheet picture (SVG) and the calibration
test sheet (PDF).
"""

import io
import re
from decimal import Decimal
from html import escape
from urllib.parse import unquote

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from labels import rendering
from labels.choices import LabelStatus, PrintJobStatus
from labels.codes import label_url
from labels.models import Label, PrintJob
from labels.selectors import label_find, print_job_list_visible_to
from labels.templates import LabelTemplate, slot_rect
from trace.choices import BatchStatus
from trace.models import Batch
from trace.selectors.batches import batch_list_visible_to
from workbench.models import PrinterSettings

RUNNING = (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)


def batches_without_gtin(*, batches) -> dict[str, str]:
    """Return {batch id: product name} of the batches whose product has no GTIN.

    The print screen warns for the batch chosen, not for every batch the
    operator has (雪峰蜜橘 has a GTIN even when 豆腐乳 has none).
    """
    return {
        str(pk): name
        for pk, name in batches.filter(
            Q(product_line__gtin__isnull=True) | Q(product_line__gtin="")
        ).values_list("pk", "product_line__name")
    }


def recent_jobs(*, user, limit: int = 10) -> list[PrintJob]:
    return list(print_job_list_visible_to(user=user)[:limit])


def job_progress(job: PrintJob) -> dict:
    """Return what the progress bar needs; the same for the page and its JSON."""
    finished = job.status not in RUNNING
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": job.get_status_display(),
        "percent": 100 if job.status == PrintJobStatus.DONE else job.progress,
        "finished": finished,
        "error": job.error_message,
    }


# A pasted label URL: /t/{serial} or a Digital Link's /21/{serial}.
_SERIAL_IN_URL = re.compile(r"/(?:t|21)/([^/?#]+)")


def serial_batch(*, user, serial: str) -> Batch | None:
    """Return the batch of a scanned, typed or pasted serial, if the user checks it.

    Unknown, malformed and out-of-scope serials all answer None, so the
    answer says nothing about batches outside the user's regions.
    """
    match = _SERIAL_IN_URL.search(serial)
    label = label_find(serial=unquote(match[1]) if match else serial.strip())
    if label is None:
        return None
    return (
        batch_list_visible_to(user=user)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("product_line__brand", "producer")
        .filter(pk=label.batch_id)
        .first()
    )


def serial_resolver(*, user):
    """Return a function from a scanned or typed serial to its batch, or None."""

    def resolve(serial: str) -> Batch | None:
        return serial_batch(user=user, serial=serial)

    return resolve


def public_scan_url(*, batch: Batch) -> str | None:
    """Return the public page of one of the batch's active labels, if any."""
    serial = (
        Label.objects.filter(batch=batch, status=LabelStatus.ACTIVE)
        .order_by("id")
        .values_list("serial", flat=True)
        .first()
    )
    return label_url(serial=serial, base_url="") if serial else None


def demo_label() -> Label | None:
    """Return the label the demo shows: the first active one."""
    return Label.objects.filter(status=LabelStatus.ACTIVE).order_by("id").first()


def printer_settings_for(user) -> PrinterSettings:
    """Return the user's remembered offsets (unsaved zeros for a new user)."""
    return PrinterSettings.objects.filter(user=user).first() or PrinterSettings(
        user=user
    )


def printer_settings_remember(
    *, user, offset_x_mm: Decimal, offset_y_mm: Decimal
) -> PrinterSettings:
    """Store the offsets the user printed with, for the next job."""
    settings_row = printer_settings_for(user)
    settings_row.offset_x_mm = offset_x_mm
    settings_row.offset_y_mm = offset_y_mm
    settings_row.full_clean()
    settings_row.save()
    return settings_row


def sheet_svg(template: LabelTemplate, *, start_position: int = 1) -> SafeString:
    """Draw the sheet as an SVG, one clickable rectangle per label position.

    Positions before the start are shown as used; the start is filled.
    Drawn from the template's own geometry, in millimetres.
    """
    width, height = template.page_width, template.page_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(str(template.name))}">'
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#fff" '
        'stroke="#8a9a8a" stroke-width=".8"/>'
    ]
    for slot in range(template.per_page):
        rect = slot_rect(template, slot)
        position = slot + 1
        top = height - rect.top  # SVG's y axis points down
        state = (
            " used"
            if position < start_position
            else " first"
            if position == start_position
            else ""
        )
        parts.append(
            f'<g><rect class="slot{state}" data-position="{position}" '
            f'x="{rect.x:.2f}" y="{top:.2f}" width="{rect.width:.2f}" '
            f'height="{rect.height:.2f}" rx="1.5">'
            f"<title>{escape(_('第 %(n)d 枚') % {'n': position})}</title></rect>"
            f'<text x="{rect.x + 2:.2f}" y="{top + 5:.2f}">{position}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def calibration_pdf(
    template: LabelTemplate, *, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0
) -> bytes:
    """Return a one-page test sheet: label outlines and millimetre scales.

    Printed on the label stock, the outlines should lie on the die cuts. The
    scales across a label's left and top edges read the correction
    directly: where the real edge crosses the scale is the offset to enter.
    The 100 mm ruler checks that the printer prints at 100 %, not "fit to page".
    """
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer, pagesize=(template.page_width * mm, template.page_height * mm)
    )
    pdf.setTitle(f"Suyuan calibration {template.key}")
    font = rendering.text_font()
    pdf.setLineWidth(0.3)
    pdf.setStrokeColorRGB(0.18, 0.42, 0.18)
    for slot in range(template.per_page):
        rect = slot_rect(template, slot, offset_x=offset_x_mm, offset_y=offset_y_mm)
        pdf.rect(rect.x * mm, rect.y * mm, rect.width * mm, rect.height * mm)
    pdf.setStrokeColorRGB(0, 0, 0)
    # The scales sit on edges inside the sheet, where a printer can print on
    # both sides: the left edge of the second column, the top of the second row.
    across = slot_rect(
        template,
        1 if template.columns > 1 else 0,
        offset_x=offset_x_mm,
        offset_y=offset_y_mm,
    )
    _scale(pdf, x=across.x, y=across.y + across.height / 2, horizontal=True, font=font)
    down = slot_rect(
        template,
        template.columns if template.rows > 1 else 0,
        offset_x=offset_x_mm,
        offset_y=offset_y_mm,
    )
    _scale(pdf, x=down.x + down.width / 2, y=down.top, horizontal=False, font=font)
    _instructions(pdf, template, font=font, offsets=(offset_x_mm, offset_y_mm))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _instructions(pdf, template: LabelTemplate, *, font: str, offsets) -> None:
    """Draw the ruler and the instructions on a white panel in the lower half.

    The panel covers the label outlines behind it, so no outline runs through
    the text; the two scales sit on edges in the upper half of the sheet. The
    text is wrapped to the panel and shrinks until it fits (a roll label is
    only 30 mm tall); below the smallest size the last lines are left out.
    """
    pad, margin = 2.0, template.printable_margin
    width = min(100 + 2 * pad, template.page_width - 2 * margin)
    length = int(width - 2 * pad)  # whole millimetres, so the ticks say true
    left = (template.page_width - width) / 2
    top = template.page_height / 2 - 4  # clear of a scale at the middle height
    bottom = margin
    base = top - pad - 7  # the ruler: 4 mm ticks and numbers above them
    x = left + pad
    lines = [
        _("打印机校准测试页：%(name)s") % {"name": template.name},
        _("当前偏移：水平 %(x)s 毫米，垂直 %(y)s 毫米。")
        % {"x": offsets[0], "y": offsets[1]},
        _("请按 100%% 实际大小打印（不要“适合页面”）；上方刻度应正好 %(n)d 毫米。")
        % {"n": length},
        _("标签真实边缘落在刻度的哪个数字，就把该数字加到偏移上。"),
    ]
    size = 8.0 if template.page_width > 60 else 5.0
    while True:
        leading = size * 1.3 / mm
        wrapped = [
            piece
            for line in lines
            for piece in rendering.wrap_text(line, font, size, (width - 2 * pad) * mm)
        ]
        first = base - 3 - size / mm  # the first baseline
        room = int((first - bottom - pad) // leading) + 1
        if len(wrapped) <= room or size <= rendering.MIN_FONT_SIZE:
            break
        size = max(rendering.MIN_FONT_SIZE, size * 0.9)
    wrapped = wrapped[: max(room, 0)]
    panel_bottom = max(bottom, first - (len(wrapped) - 1) * leading - pad)
    pdf.saveState()
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
    pdf.rect(
        left * mm,
        panel_bottom * mm,
        width * mm,
        (top - panel_bottom) * mm,
        stroke=1,
        fill=1,
    )
    pdf.restoreState()
    pdf.setFillColorRGB(0, 0, 0)
    pdf.line(x * mm, base * mm, (x + length) * mm, base * mm)
    for tick in range(length + 1):
        tall = 4 if tick % 10 == 0 else 2.5 if tick % 5 == 0 else 1.5
        pdf.line((x + tick) * mm, base * mm, (x + tick) * mm, (base + tall) * mm)
        if tick % 10 == 0:
            pdf.setFont(font, 6 if length > 60 else 4)
            pdf.drawCentredString((x + tick) * mm, (base + 4.6) * mm, str(tick))
    pdf.setFont(font, size)
    for index, line in enumerate(wrapped):
        pdf.drawString(x * mm, (first - index * leading) * mm, line)


def _scale(pdf, *, x: float, y: float, horizontal: bool, font: str) -> None:
    """Draw a -5..+5 mm scale centred on (x, y) mm, across an edge."""
    pdf.setFont(font, 5)
    for tick in range(-5, 6):
        size = 2.5 if tick == 0 else 1.8 if tick % 5 == 0 else 1.1
        if horizontal:
            pdf.line((x + tick) * mm, (y - size) * mm, (x + tick) * mm, (y + size) * mm)
            if tick % 5 == 0:
                pdf.drawCentredString(
                    (x + tick) * mm, (y + 3) * mm, f"{tick:+d}" if tick else "0"
                )
        else:
            # Positive offsets move the print down: +n lies n mm below the edge.
            pdf.line((x - size) * mm, (y - tick) * mm, (x + size) * mm, (y - tick) * mm)
            if tick % 5 == 0:
                pdf.drawString(
                    (x + 3) * mm, (y - tick - 0.6) * mm, f"{tick:+d}" if tick else "0"
                )
    if horizontal:
        pdf.line((x - 5) * mm, y * mm, (x + 5) * mm, y * mm)
    else:
        pdf.line(x * mm, (y - 5) * mm, x * mm, (y + 5) * mm)
