"""Draw label sheets: a print job and its serials in, PDF bytes out; no rows written.

Method "h" of research/performance-anchors.md: zxing-cpp (C++) encodes each
QR code, horizontal runs of dark modules become one PDF `re` operator each in
unit-module coordinates under a single `cm` transform, and the whole symbol is
one `f` fill. The text shared by every label of a job is drawn once into a
form XObject that each label references, so a label costs one transform, one
run list and the serial's string. Pages are finished (compressed) as soon as
they are full; only the running PDF object list stays in memory, about 0.5 KB
per label.
"""

import collections
import functools
import io
import itertools
import logging
import multiprocessing
import os
import re
import signal
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

import zxingcpp
from django.conf import settings
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from labels.codes import serial_display
from labels.templates import LabelTemplate, Rect, layout, slot_rect

CID_FONT = "STSong-Light"
SERIAL_FONT = "Courier-Bold"
QUIET_ZONE = 4  # modules, ISO/IEC 18004
MIN_FONT_SIZE = 3.5
LOGO_PIXELS = 600
_DARK_RUN = re.compile(b"\x00+")
# Below this many labels a process pool costs more to start than it saves.
POOL_MIN_LABELS = 1000
POOL_CHUNK = 128  # labels per task
POOL_LOOKAHEAD = 4  # tasks in flight per worker: bounds memory, keeps workers busy

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelContent:
    """What every label of one job says, apart from its serial."""

    brand_line: str
    unified_brand: bool
    producer: str
    lot: str
    harvest_date: str
    logo: bytes | None = None  # normalised PNG (logo_normalize)
    date_word: str = "采收"  # "生产" for a processed product


@dataclass(frozen=True)
class SheetOptions:
    """Where labels go: template, first position and printer calibration."""

    template: LabelTemplate
    start_position: int = 1
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    crop_marks: bool = False


@functools.cache
def _register_font(path: str) -> str:
    if path and os.path.isfile(path):
        name = "SuyuanLabelFont"
        # reportlab embeds a subset of a TrueType font; .ttc holds several faces.
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        return name
    if path:
        # Logged once per process (cached): every PDF until a restart lacks it.
        logger.warning(
            "label font %s not found; using the non-embedded CID font %s, "
            "which readers without Chinese fonts cannot show",
            path,
            CID_FONT,
        )
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def text_font() -> str:
    """Return the font for Chinese text: SUYUAN_LABEL_FONT embedded as a subset.

    An empty setting, or a file that is not there (then with a warning),
    gives STSong-Light, which PDF readers without Chinese fonts cannot show.
    """
    return _register_font(getattr(settings, "SUYUAN_LABEL_FONT", "") or "")


def qr_runs(data: str) -> tuple[int, str]:
    """Return (modules per side, PDF fill operators) of the QR code for data.

    Coordinates are in modules with the origin at the bottom-left corner of
    the quiet zone, so the caller scales by one module and translates.
    """
    barcode = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    raw = bytes(memoryview(image))  # one byte per module, 0 = dark, row 0 on top
    parts = []
    for row in range(size):
        y = size - 1 - row + QUIET_ZONE
        for run in _DARK_RUN.finditer(raw, row * size, (row + 1) * size):
            start = run.start() - row * size
            parts.append(f"{start + QUIET_ZONE} {y} {run.end() - run.start()} 1 re")
    parts.append("f")
    return size, "\n".join(parts)


def _qr_runs_many(urls: list[str]) -> list[tuple[int, str]]:
    return [qr_runs(url) for url in urls]


def _encoder_process_init() -> None:
    """Give an encoder process the default SIGTERM and SIGINT handlers.

    Forked from a Celery worker, it inherits the worker's handlers (warm
    shutdown), so `Pool.terminate()` after an error (the database went away
    mid-job) could not stop it while it waited to hand back a result, and
    the job hung in `running` (tests/labels/test_worker_faults.py).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _encoded(
    labels: Iterable[tuple[str, str]], *, workers: int, count: int
) -> Iterator[tuple[str, int, str]]:
    """Yield (serial, modules, operators) in order, encoding in `workers` processes.

    QR encoding is about half of a label's cost (zxing-cpp ~0.2 ms, the run
    list ~0.1 ms); a pool of 2 on 2 cores overlaps it with the PDF drawing
    (research/performance-anchors.md, method j). Only a few chunks are in
    flight at once, so memory stays flat whatever the job's size. A daemonic
    process (a Celery prefork child) may not start processes: it encodes
    in-process.
    """
    if (
        workers <= 1
        or count < POOL_MIN_LABELS
        or multiprocessing.current_process().daemon
    ):
        for serial, url in labels:
            yield (serial, *qr_runs(url))
        return
    source = iter(labels)
    pending: collections.deque = collections.deque()
    with multiprocessing.get_context("fork").Pool(
        workers, initializer=_encoder_process_init
    ) as pool:

        def submit() -> None:
            chunk = list(itertools.islice(source, POOL_CHUNK))
            if chunk:
                urls = [url for _serial, url in chunk]
                pending.append((chunk, pool.apply_async(_qr_runs_many, (urls,))))

        for _ in range(workers * POOL_LOOKAHEAD):
            submit()
        while pending:
            chunk, result = pending.popleft()
            submit()
            for (serial, _url), (size, ops) in zip(chunk, result.get(), strict=True):
                yield serial, size, ops


def logo_normalize(data: bytes) -> bytes | None:
    """Return the logo as a small RGB PNG on white, or None if pillow cannot read it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    image.thumbnail((LOGO_PIXELS, LOGO_PIXELS))
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))  # transparency onto label white
    output = io.BytesIO()
    flat.save(output, format="PNG", optimize=True)
    return output.getvalue()


@dataclass(frozen=True)
class _LabelGeometry:
    """Positions inside one label, in points relative to its bottom-left corner."""

    qr_x: float
    qr_y: float
    qr_side: float
    serial_x: float
    serial_y: float
    serial_size: float


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink the font until the text fits, then cut it with an ellipsis."""
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural <= width:
        return text, size
    size = max(MIN_FONT_SIZE, size * width / natural * 0.999)  # float rounding
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text, size


# A run of Latin letters and digits with the marks inside codes (serials, lot
# and certificate numbers, 2026-12-03) is one word; Chinese breaks anywhere.
_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_./:]*|.", re.DOTALL)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width, never inside a Latin word.

    A word wider than a whole line is the one thing broken mid-word.
    """
    lines, line = [], ""
    for word in _WORD.findall(text):
        fits = pdfmetrics.stringWidth(word, font, size) <= width
        for piece in [word] if fits else list(word):
            if line and pdfmetrics.stringWidth(line + piece, font, size) > width:
                lines.append(line)
                line = piece.lstrip()
            else:
                line += piece
    if line:
        lines.append(line)
    return lines or [""]


def _draw_static(
    c: canvas.Canvas, template: LabelTemplate, content: LabelContent
) -> _LabelGeometry:
    """Draw the job-wide text of a label at the origin; return QR and serial places."""
    font = text_font()
    width, height = template.label_width * mm, template.label_height * mm
    pad = template.padding * mm
    box = Rect(pad, pad, width - 2 * pad, height - 2 * pad)
    qr_side = min(box.height, box.width * 0.5)
    qr_x, qr_y = box.x, box.y + (box.height - qr_side) / 2
    text_x = box.x + qr_side + 0.8 * mm
    text_width = box.right - text_x

    lines = [
        ("brand", content.brand_line),
        ("text", content.producer),
        ("text", f"批次 {content.lot}"),
        ("text", f"{content.date_word} {content.harvest_date}"),
        ("serial", ""),
        ("call", "扫码溯源"),
    ]
    slots = len(lines) + 0.6  # the call to action is larger
    base = min(11.0, box.height / (slots * 1.2))
    # Centre the text block beside the QR code on labels taller than it needs.
    y = box.top - (box.height - slots * base * 1.2) / 2
    serial_y = serial_size = 0.0
    c.setFillColorRGB(0, 0, 0)
    for kind, text in lines:
        size = base * 1.6 if kind == "call" else base
        y -= size * 1.2
        if kind == "serial":
            serial_size = base
            sample = serial_display("0" * 20)
            _, serial_size = _fit(sample, SERIAL_FONT, base, text_width)
            serial_y = y + (base - serial_size) / 2
            continue
        x = text_x
        available = text_width
        if kind == "brand":
            if content.logo:
                logo_side = size * 1.1
                c.drawImage(
                    ImageReader(io.BytesIO(content.logo)),
                    x,
                    y - size * 0.15,
                    logo_side,
                    logo_side,
                    preserveAspectRatio=True,
                    anchor="sw",
                    mask=None,
                )
                x += logo_side + size * 0.3
                available -= logo_side + size * 0.3
        tag = "统一品牌"
        tag_size = base
        tag_width = pdfmetrics.stringWidth(tag, font, tag_size) + tag_size * 0.6
        if (
            pdfmetrics.stringWidth(text, font, size) + size * 0.4 + tag_width
            > available
        ):
            tag_size *= 0.7  # small labels: a smaller mark, so 扫码溯源 stays large
            tag_width *= 0.7
        marked = kind == "call" and content.unified_brand
        if marked:
            # The call to action gives way so the mark always fits beside it.
            available -= tag_width + size * 0.4
        text, fitted = _fit(text, font, size, available)
        c.setFont(font, fitted)
        c.drawString(x, y, text)
        if marked:
            # The 统一品牌 mark: the producer holds the brand's license for this line.
            x += pdfmetrics.stringWidth(text, font, fitted) + size * 0.4
            c.setLineWidth(0.5)
            c.rect(x, y - tag_size * 0.25, tag_width, tag_size * 1.3, stroke=1, fill=0)
            c.setFont(font, tag_size)
            c.drawString(x + tag_size * 0.3, y, tag)
    return _LabelGeometry(qr_x, qr_y, qr_side, text_x, serial_y, serial_size)


def _draw_crop_marks(c: canvas.Canvas, options: SheetOptions) -> None:
    """Draw trim lines in the sheet margins, 1 mm clear of the label grid."""
    template = options.template
    cells = [
        slot_rect(
            template, slot, offset_x=options.offset_x_mm, offset_y=options.offset_y_mm
        )
        for slot in range(template.per_page)
    ]
    left, right = min(r.x for r in cells), max(r.right for r in cells)
    bottom, top = min(r.y for r in cells), max(r.top for r in cells)
    page_w, page_h, clear = template.page_width, template.page_height, 1.0
    c.saveState()
    c.setLineWidth(0.25)
    c.setStrokeColorRGB(0.3, 0.3, 0.3)
    for x in sorted({round(v, 3) for r in cells for v in (r.x, r.right)}):
        if top + clear < page_h:
            c.line(x * mm, (top + clear) * mm, x * mm, page_h * mm)
        if bottom - clear > 0:
            c.line(x * mm, 0, x * mm, (bottom - clear) * mm)
    for y in sorted({round(v, 3) for r in cells for v in (r.y, r.top)}):
        if left - clear > 0:
            c.line(0, y * mm, (left - clear) * mm, y * mm)
        if right + clear < page_w:
            c.line((right + clear) * mm, y * mm, page_w * mm, y * mm)
    c.restoreState()


def _compress_finished_page(c: canvas.Canvas) -> None:
    """Deflate the page just finished now instead of at save().

    reportlab keeps every page's content stream as text until `save()`
    (about 4 KB per label here); compressing each page as it is finished
    keeps memory near the final file size (about 0.5 KB per label), so
    100,000 labels stay flat. Binary Flate without ASCII85 is also 20 %
    smaller (research/performance-anchors.md, method h').
    """
    page = c._doc.Pages.pages[-1]
    content = page.stream
    if not content or page.Contents is not None:
        return
    stream = pdfdoc.PDFStream(content=zlib.compress(content.encode("utf8")), filters=[])
    stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")  # already applied
    stream.__Comment__ = "page stream"
    page.Contents = stream
    page.stream = None


def render_labels(
    *,
    output: BinaryIO | str,
    options: SheetOptions,
    content: LabelContent,
    labels: Iterable[tuple[str, str]],
    count: int,
    title: str = "",
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write a label-sheet PDF for (serial, url) pairs; return the number of pages.

    `labels` is consumed lazily (a queryset iterator is fine), `count` of
    them; `on_progress(done)` is called after each finished page. QR codes
    are encoded in `workers` processes (SUYUAN_LABEL_RENDER_WORKERS).
    """
    if workers is None:
        workers = getattr(settings, "SUYUAN_LABEL_RENDER_WORKERS", 1)
    template = options.template
    c = canvas.Canvas(
        output,
        pagesize=(template.page_width * mm, template.page_height * mm),
        pageCompression=1,
    )
    c.setTitle(title or "溯源标签")
    # Who the labels are for, and what they are, in any PDF reader's
    # document properties (not "anonymous" / "unspecified").
    c.setAuthor(content.producer or "Suyuan")
    c.setSubject(f"{content.brand_line} 追溯标签 批次 {content.lot}".strip())
    c.setCreator("Suyuan")
    c.beginForm("label", 0, 0, template.label_width * mm, template.label_height * mm)
    geometry = _draw_static(c, template, content)
    c.endForm()

    positions = layout(
        template,
        count=count,
        start_position=options.start_position,
        offset_x=options.offset_x_mm,
        offset_y=options.offset_y_mm,
    )
    current_page = -1
    done = 0
    encoded = _encoded(labels, workers=workers, count=count)
    for (page, _slot, rect), (serial, size, ops) in zip(
        positions, encoded, strict=False
    ):
        if page != current_page:
            if current_page >= 0:
                c.showPage()
                _compress_finished_page(c)
                if on_progress:
                    on_progress(done)
            current_page = page
            if options.crop_marks:
                _draw_crop_marks(c, options)
        x, y = rect.x * mm, rect.y * mm
        c.saveState()
        c.translate(x, y)
        c.doForm("label")
        module = geometry.qr_side / (size + 2 * QUIET_ZONE)
        c.saveState()
        c.transform(module, 0, 0, module, geometry.qr_x, geometry.qr_y)
        c.addLiteral(ops)
        c.restoreState()
        c.setFont(SERIAL_FONT, geometry.serial_size)
        c.drawString(geometry.serial_x, geometry.serial_y, serial_display(serial))
        c.restoreState()
        done += 1
    encoded.close()  # stops the pool now if `labels` had more than `count`
    c.showPage()
    _compress_finished_page(c)
    c.save()
    if on_progress:
        on_progress(done)
    return max(current_page + 1, 1)


def part_sizes(*, count: int, part_size: int, per_page: int, start_position: int = 1):
    """Return the label count of each part: whole sheets, the first after used slots."""
    size = max(per_page, -(-part_size // per_page) * per_page)  # whole sheets
    sizes, left = [], count
    first = size - (start_position - 1)
    while left > 0:
        take = min(first if not sizes else size, left)
        sizes.append(take)
        left -= take
    return sizes


def render_label_parts(
    *,
    output: BinaryIO | str,
    options: SheetOptions,
    content: LabelContent,
    labels: Iterable[tuple[str, str]],
    count: int,
    part_size: int,
    title: str = "",
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write a zip of label-sheet PDFs of at most `part_size` labels each; return parts.

    reportlab holds a document's page objects until `save()`, so one PDF of
    100,000 labels peaks at about 2.5x the memory of 10,000; parts keep a
    large job flat (bench/labels.py). Each part is whole sheets in print
    order (labels-001.pdf, ...); the zip stores them without recompressing.
    """
    source = iter(labels)
    sizes = part_sizes(
        count=count,
        part_size=part_size,
        per_page=options.template.per_page,
        start_position=options.start_position,
    )
    done = 0
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, size in enumerate(sizes, start=1):
            part_options = (
                options if number == 1 else replace(options, start_position=1)
            )

            def progress(part_done: int, before: int = done) -> None:
                if on_progress:
                    on_progress(before + part_done)

            with archive.open(
                f"labels-{number:03d}.pdf", "w", force_zip64=True
            ) as member:
                render_labels(
                    output=member,
                    options=part_options,
                    content=content,
                    labels=itertools.islice(source, size),
                    count=size,
                    title=f"{title} ({number}/{len(sizes)})" if title else "",
                    on_progress=progress,
                    workers=workers,
                )
            done += size
    return len(sizes)
