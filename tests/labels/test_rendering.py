import io
import shutil

import pytest
from PIL import Image

from labels import codes, rendering
from labels.templates import TEMPLATES
from tests.labels.qr_decode import decode_cells, rasterize

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


def test_ttf_font_is_embedded_when_configured(settings, tmp_path):
    font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    if not shutil.os.path.exists(font):
        pytest.skip("WenQuanYi Micro Hei is not installed")
    settings.SUYUAN_LABEL_FONT = font
    output = io.BytesIO()
    rendering.render_labels(
        output=output,
        options=rendering.SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=CONTENT,
        labels=iter(_pairs(3)),
        count=3,
    )
    pdf = output.getvalue()
    assert b"/FontFile2" in pdf and b"STSong-Light" not in pdf
    pdf_path = tmp_path / "ttf.pdf"
    pdf_path.write_bytes(pdf)
    assert len(rasterize(pdf_path, tmp_path, dpi=50)) == 1


def test_cid_font_is_the_default(settings):
    settings.SUYUAN_LABEL_FONT = ""
    output = io.BytesIO()
    rendering.render_labels(
        output=output,
        options=rendering.SheetOptions(template=TEMPLATES["roll-50x30"]),
        content=CONTENT,
        labels=iter(_pairs(1)),
        count=1,
    )
    assert b"STSong-Light" in output.getvalue()
