"""The sheet picture, the calibration sheet, job progress and remembered offsets."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from labels.choices import PrintJobStatus
from labels.services import print_job_create
from labels.templates import TEMPLATES, template_get
from tests.conftest import require_tool
from workbench import printing


def test_sheet_svg_has_one_clickable_slot_per_label():
    for template in TEMPLATES.values():
        svg = printing.sheet_svg(template)
        assert svg.count('class="slot') == template.per_page
        assert f'data-position="{template.per_page}"' in svg


def test_sheet_svg_marks_used_positions_and_the_start():
    svg = printing.sheet_svg(template_get("a4-3x8"), start_position=4)
    assert svg.count('class="slot used"') == 3
    assert 'class="slot first" data-position="4"' in svg


def test_sheet_svg_draws_the_template_geometry_in_millimetres():
    template = template_get("a4-3x7")
    svg = printing.sheet_svg(template)
    assert 'viewBox="0 0 210 297"' in svg
    # First label: 7.21 mm from the left, 15.15 mm from the top, 63.5 × 38.1.
    assert 'x="7.21" y="15.15" width="63.50" height="38.10"' in svg


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_calibration_sheet_is_one_page_of_the_template_size(key):
    template = template_get(key)
    pdf = printing.calibration_pdf(template, offset_x_mm=1.5, offset_y_mm=-1)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1
    width = template.page_width / 25.4 * 72
    assert f"{width:.5g}".encode()[:5] in pdf  # MediaBox in points


@pytest.mark.django_db
def test_printer_settings_are_remembered_per_user(world):
    fresh = printing.printer_settings_for(world.operator_a)
    assert fresh.pk is None and fresh.offset_x_mm == 0
    printing.printer_settings_remember(
        user=world.operator_a, offset_x_mm=Decimal("2.5"), offset_y_mm=Decimal("-1")
    )
    printing.printer_settings_remember(
        user=world.operator_a, offset_x_mm=Decimal("3"), offset_y_mm=Decimal("0")
    )
    remembered = printing.printer_settings_for(world.operator_a)
    assert remembered.offset_x_mm == Decimal("3")
    assert printing.printer_settings_for(world.operator_b).pk is None


@pytest.mark.django_db
def test_printer_offsets_beyond_a_centimetre_are_refused(world):
    with pytest.raises(ValidationError):
        printing.printer_settings_remember(
            user=world.operator_a, offset_x_mm=Decimal("12"), offset_y_mm=Decimal("0")
        )


@pytest.mark.django_db
def test_job_progress_and_recent_jobs_are_scoped(world):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )
    progress = printing.job_progress(job)
    assert progress["status"] == PrintJobStatus.QUEUED and not progress["finished"]
    assert printing.recent_jobs(user=world.operator_a) == [job]
    assert printing.recent_jobs(user=world.operator_b) == []


@pytest.mark.django_db
def test_serial_resolver_and_public_scan_url(world):
    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    serial = job.labels.get().serial
    resolve = printing.serial_resolver(user=world.inspector)
    assert resolve(serial) == world.batch_a
    assert resolve("0000") is None
    assert printing.public_scan_url(batch=world.batch_a) == f"/t/{serial}"
    assert printing.public_scan_url(batch=world.batch_b) is None


@pytest.mark.parametrize("key", [key for key in sorted(TEMPLATES) if "a4" in key])
def test_calibration_outlines_stay_out_of_the_instructions(key, tmp_path):
    """No pixel of a (green) label outline lies inside a word of the instructions."""
    path = tmp_path / "calibration.pdf"
    path.write_bytes(printing.calibration_pdf(template_get(key), offset_x_mm=1.5))
    boxes = subprocess.run(
        [require_tool("pdftotext"), "-bbox", str(path), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    words = [
        (float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, word in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<',
            boxes,
        )
        if not word.isascii()  # the Chinese instructions, not the scale numbers
    ]
    assert len(words) >= 4
    subprocess.run(
        [require_tool("pdftoppm"), "-r", "100", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    [page] = sorted(tmp_path.glob("p*.png"))
    image = Image.open(page).convert("RGB")
    scale = 100 / 72
    green = [
        (x, y)
        for x0, y0, x1, y1 in words
        for x in range(int(x0 * scale), int(x1 * scale) + 1)
        for y in range(int(y0 * scale), int(y1 * scale) + 1)
        if (lambda r, g, b: g - r > 30 and g - b > 30)(*image.getpixel((x, y)))
    ]
    assert green == []
