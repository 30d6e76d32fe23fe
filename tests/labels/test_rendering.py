import io
import logging
import os
import re
import subprocess
from dataclasses import replace

import pdfplumber
import pytest
from PIL import Image

from labels import codes, rendering
from labels.services import label_content
from labels.templates import TEMPLATES
from tests.conftest import missing, require_tool
from tests.labels.qr_decode import decode_cells, rasterize
from trace.models import ProductLine

CONTENT = rendering.LabelContent(
    brand_line="雪峰蜜橘 古楼云雾茶",
    unified_brand=True,
    producer="洞口县古楼茶业专业合作社",
    lot="GL2026A",
    harvest_date="2026-11-20",
)


def _pairs(count: int, gtin: str | None = "06901234567892"):
    serials = codes.serials_new(count)
    return [
        (serial, codes.label_url(serial=serial, gtin=gtin, lot="GL2026A"))
        for serial in serials
    ]


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=lambda t: t.key)
def test_every_code_on_every_template_decodes_to_its_url(template, tmp_path):
    count = (
        min(template.per_page + 3, 6)
        if template.per_page == 1
        else template.per_page + 3
    )
    start = 2 if template.per_page > 1 else 1
    pairs = _pairs(count)
    pdf = tmp_path / "labels.pdf"
    pages = rendering.render_labels(
        output=str(pdf),
        options=rendering.SheetOptions(template=template, start_position=start),
        content=CONTENT,
        labels=iter(pairs),
        count=count,
    )
    assert pages == (start - 1 + count + template.per_page - 1) // template.per_page
    decoded = decode_cells(pdf, tmp_path, template, count=count, start_position=start)
    assert decoded == [[url] for _, url in pairs]


def test_start_position_leaves_the_used_slots_blank(tmp_path):
    template = TEMPLATES["a4-3x8"]
    pdf = tmp_path / "labels.pdf"
    rendering.render_labels(
        output=str(pdf),
        options=rendering.SheetOptions(template=template, start_position=4),
        content=CONTENT,
        labels=iter(_pairs(2, gtin=None)),
        count=2,
    )
    skipped = decode_cells(pdf, tmp_path, template, count=3, start_position=1)
    assert skipped == [[], [], []]


def test_offsets_move_the_codes_with_their_cells(tmp_path):
    template = TEMPLATES["a4-2x4"]
    pairs = _pairs(8)
    pdf = tmp_path / "labels.pdf"
    rendering.render_labels(
        output=str(pdf),
        options=rendering.SheetOptions(
            template=template, offset_x_mm=3.0, offset_y_mm=4.0, crop_marks=True
        ),
        content=CONTENT,
        labels=iter(pairs),
        count=8,
    )
    moved = decode_cells(pdf, tmp_path, template, count=8, offset_x=3.0, offset_y=4.0)
    assert moved == [[url] for _, url in pairs]


def test_qr_runs_cover_exactly_the_dark_modules():
    size, ops = rendering.qr_runs("https://x.cn/t/" + codes.serial_new())
    assert size in (25, 29)  # version 2 or 3 for a short URL at level M
    assert ops.endswith("\nf")
    dark = 0
    for line in ops.splitlines()[:-1]:
        x, y, width, height, operator = line.split()
        assert operator == "re" and height == "1"
        assert (
            4 <= int(x) and int(x) + int(width) <= size + 4 and 4 <= int(y) < size + 4
        )
        dark += int(width)
    assert 0.3 * size * size < dark < 0.7 * size * size


def test_output_is_small_per_label(tmp_path):
    output = io.BytesIO()
    rendering.render_labels(
        output=output,
        options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=CONTENT,
        labels=iter(_pairs(240)),
        count=240,
    )
    assert len(output.getvalue()) / 240 < 1500


def test_logo_is_normalised_and_drawn(tmp_path):
    source = io.BytesIO()
    Image.new("RGBA", (2000, 1000), (200, 30, 30, 128)).save(source, format="PNG")
    logo = rendering.logo_normalize(source.getvalue())
    with Image.open(io.BytesIO(logo)) as image:
        assert image.mode == "RGB" and max(image.size) <= rendering.LOGO_PIXELS
    content = rendering.LabelContent(**{**CONTENT.__dict__, "logo": logo})
    output = io.BytesIO()
    rendering.render_labels(
        output=output,
        options=rendering.SheetOptions(template=TEMPLATES["a4-2x4"]),
        content=content,
        labels=iter(_pairs(8)),
        count=8,
    )
    assert (
        output.getvalue().count(b"/Subtype /Image") == 1
    )  # one XObject shared by every label


def test_unreadable_logo_is_ignored():
    assert rendering.logo_normalize(b"not an image") is None


def _render(template: str = "a4-3x8", content=CONTENT) -> bytes:
    output = io.BytesIO()
    rendering.render_labels(
        output=output,
        options=rendering.SheetOptions(template=TEMPLATES[template]),
        content=content,
        labels=iter(_pairs(3)),
        count=3,
    )
    return output.getvalue()


def _fonts(tmp_path, pdf: bytes) -> list[list[str]]:
    """Return pdffonts' rows: name, type, encoding, emb, sub, uni, object, generation."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [require_tool("pdffonts"), str(path)], check=True, capture_output=True
    )
    return [line.split() for line in result.stdout.decode().splitlines()[2:]]


def test_default_font_is_an_embedded_cjk_subset(settings, tmp_path):
    if not os.path.isfile(settings.SUYUAN_LABEL_FONT):
        missing("fonts-wqy-microhei is not installed (.ci/run installs it)")
    pdf = _render()
    fonts = {row[0]: row for row in _fonts(tmp_path, pdf)}
    [name] = [name for name in fonts if "WenQuanYi" in name]
    assert re.fullmatch(r"[A-Z]{6}\+WenQuanYiMicroHei.*", name)  # a subset
    assert fonts[name][-5:-3] == ["yes", "yes"]  # embedded, subset
    assert b"STSong-Light" not in pdf
    pdf_path = tmp_path / "ttf.pdf"
    pdf_path.write_bytes(pdf)
    assert len(rasterize(pdf_path, tmp_path, dpi=50)) == 1


def test_latin_text_keeps_its_own_spacing(settings, tmp_path):
    """The lot code reads as one word, not as spaced-out letters (pdftotext)."""
    if not os.path.isfile(settings.SUYUAN_LABEL_FONT):
        missing("fonts-wqy-microhei is not installed (.ci/run installs it)")
    content = replace(CONTENT, brand_line="雪峰蜜橘", lot="XFMJ2026U")
    path = tmp_path / "latin.pdf"
    path.write_bytes(_render("roll-50x30", content))
    text = subprocess.run(
        [require_tool("pdftotext"), str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    assert "批次 XFMJ2026U" in text
    assert "雪峰蜜橘 雪峰蜜橘" not in text


def test_cid_font_when_configured_empty(settings):
    settings.SUYUAN_LABEL_FONT = ""
    assert b"STSong-Light" in _render("roll-50x30")


def test_missing_font_file_falls_back_with_a_warning(settings, tmp_path, caplog):
    settings.SUYUAN_LABEL_FONT = str(tmp_path / "no-such-font.ttc")
    with caplog.at_level(logging.WARNING, logger="labels.rendering"):
        pdf = _render("roll-50x30")
    assert b"STSong-Light" in pdf
    assert "no-such-font.ttc not found" in caplog.text


def test_process_pool_draws_the_same_pdf_as_one_process(monkeypatch):
    """The pool only moves QR encoding; order and bytes stay the same."""
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random ids
    monkeypatch.setattr(rendering, "POOL_MIN_LABELS", 10)
    monkeypatch.setattr(rendering, "POOL_CHUNK", 7)  # many small tasks
    pairs = _pairs(100)
    outputs = {}
    for workers in (1, 2):
        output = io.BytesIO()
        rendering.render_labels(
            output=output,
            options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
            content=CONTENT,
            # More pairs than count: the pool must stop at count.
            labels=iter(pairs + _pairs(50)),
            count=100,
            workers=workers,
        )
        outputs[workers] = output.getvalue()
    assert outputs[1] == outputs[2]


def test_parts_are_whole_sheets_in_print_order(tmp_path):
    import zipfile

    assert rendering.part_sizes(count=60, part_size=30, per_page=24) == [48, 12]
    assert rendering.part_sizes(
        count=60, part_size=30, per_page=24, start_position=5
    ) == [44, 16]
    pairs = _pairs(60)
    archive_path = tmp_path / "labels.zip"
    parts = rendering.render_label_parts(
        output=str(archive_path),
        options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=CONTENT,
        labels=iter(pairs),
        count=60,
        part_size=30,
        workers=1,
    )
    assert parts == 2
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.namelist() == ["labels-001.pdf", "labels-002.pdf"]
        archive.extractall(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = decode_cells(
        tmp_path / "labels-001.pdf", tmp_path / "a", TEMPLATES["a4-3x8"], count=48
    )
    second = decode_cells(
        tmp_path / "labels-002.pdf", tmp_path / "b", TEMPLATES["a4-3x8"], count=12
    )
    assert first + second == [[url] for _, url in pairs]


def test_a_label_sheet_says_what_and_whose_it_is_in_its_properties(tmp_path):
    pdf = tmp_path / "labels.pdf"
    rendering.render_labels(
        output=str(pdf),
        options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=CONTENT,
        labels=iter(_pairs(2)),
        count=2,
        title="古楼云雾茶 GL2026A 标签 #7",
    )
    with pdfplumber.open(pdf) as document:
        metadata = document.metadata
    assert metadata["Title"] == "古楼云雾茶 GL2026A 标签 #7"
    assert metadata["Author"] == "洞口县古楼茶业专业合作社"
    assert "GL2026A" in metadata["Subject"] and "标签" in metadata["Subject"]


@pytest.mark.django_db
def test_a_processed_products_label_says_production_not_harvest(world, tmp_path):
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(processed=True)
    world.batch_a.refresh_from_db()
    content = label_content(batch=world.batch_a)  # 古楼云雾茶: tea is made
    pdf = tmp_path / "labels.pdf"
    rendering.render_labels(
        output=str(pdf),
        options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=content,
        labels=iter(_pairs(1)),
        count=1,
    )
    with pdfplumber.open(pdf) as document:
        text = document.pages[0].extract_text()
    assert f"生产 {world.batch_a.harvest_date.isoformat()}" in text
    assert "采收" not in text
