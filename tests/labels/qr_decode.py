"""Decode the QR codes of a label-sheet PDF with an independent decoder (zbar)."""

import subprocess
from pathlib import Path

from PIL import Image

from labels.templates import LabelTemplate, layout
from tests.conftest import missing, require_tool

DPI = 300


def zbar_texts(image: Image.Image) -> list[str]:
    """Return the texts of the QR codes zbar finds in an image.

    pyzbar loads the zbar library when imported: without it the tests that
    decode skip with a reason (fail in CI) instead of breaking collection.
    """
    try:
        from pyzbar.pyzbar import ZBarSymbol, decode
    except ImportError:
        missing("the zbar library is not installed (Debian: libzbar0, see .ci/run)")
    return [
        symbol.data.decode() for symbol in decode(image, symbols=[ZBarSymbol.QRCODE])
    ]


def rasterize(pdf: Path, out_dir: Path, dpi: int = DPI) -> list[Path]:
    """Return one PNG per page of the PDF."""
    subprocess.run(
        [
            require_tool("pdftoppm"),
            "-r",
            str(dpi),
            "-png",
            str(pdf),
            str(out_dir / "page"),
        ],
        check=True,
    )
    return sorted(out_dir.glob("page-*.png"))


def decode_cells(
    pdf: Path,
    out_dir: Path,
    template: LabelTemplate,
    *,
    count: int,
    start_position: int = 1,
    offset_x: float = 0.0,
    offset_y: float = 0.0,
) -> list[list[str]]:
    """Return, per label in print order, what zbar reads in that label's cell alone.

    Cropping per cell: zbar's whole-page finder misses codes when many share
    one image (research/performance-anchors.md).
    """
    pages = rasterize(pdf, out_dir)
    scale = DPI / 25.4
    images: dict[int, Image.Image] = {}
    found = []
    for page, _slot, rect in layout(
        template,
        count=count,
        start_position=start_position,
        offset_x=offset_x,
        offset_y=offset_y,
    ):
        if page not in images:
            images[page] = Image.open(pages[page]).convert("L")
        image = images[page]
        box = (
            round(rect.x * scale),
            round((template.page_height - rect.top) * scale),
            round(rect.right * scale),
            round((template.page_height - rect.y) * scale),
        )
        cell = image.crop(box)
        found.append(zbar_texts(cell))
    return found
