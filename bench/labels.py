#!/usr/bin/env python
"""Benchmark label-sheet rendering: the chosen renderer against the naive path.

usage: python bench/labels.py [--sizes 1000,10000] [--methods vector,naive] [--keep DIR]

Each (method, size) runs in a fresh subprocess, which reports its render time
and its own peak RSS (ru_maxrss), so one method's memory never inflates
another's. Both draw the same A4 3x8 sheet: a GS1 Digital Link QR code and the
same Chinese text per label.

  vector  the production renderer, labels.rendering: zxing-cpp, runs of dark
          modules as PDF `re` paths, shared text in a form XObject, pages
          compressed as they finish, QR encoding in SUYUAN_LABEL_RENDER_WORKERS
          (2) processes
  vector1 the same in one process (workers=1)
  naive   qrcode -> PIL image (box_size=10) -> canvas.drawImage, text drawn
          per label
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GTIN, LOT = "06901234567892", "GL2026A"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _content():
    from labels.rendering import LabelContent

    return LabelContent(
        brand_line="雪峰蜜橘 古楼云雾茶",
        unified_brand=True,
        producer="洞口县古楼茶业专业合作社",
        lot=LOT,
        harvest_date="2026-11-20",
    )


EXPECTED: dict[int, list[str]] = {}  # sample page -> URLs, for the decode check


def _labels(count: int):
    from labels.codes import label_url, serial_new

    pages = set(sample_pages(count))
    for index in range(count):
        serial = serial_new()
        url = label_url(serial=serial, gtin=GTIN, lot=LOT)
        if index // PER_PAGE in pages:
            EXPECTED.setdefault(index // PER_PAGE, []).append(url)
        yield serial, url


def run_vector(count: int, output: str, workers: int | None = None) -> None:
    """The production path: one PDF, or above SUYUAN_LABEL_PART_SIZE a zip of PDFs."""
    from django.conf import settings

    from labels.rendering import SheetOptions, render_label_parts, render_labels
    from labels.templates import TEMPLATES

    if count > settings.SUYUAN_LABEL_PART_SIZE:
        render_label_parts(
            output=output,
            options=SheetOptions(template=TEMPLATES["a4-3x8"]),
            content=_content(),
            labels=_labels(count),
            count=count,
            part_size=settings.SUYUAN_LABEL_PART_SIZE,
            workers=workers,
        )
        return
    render_labels(
        output=output,
        options=SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=_content(),
        labels=_labels(count),
        count=count,
        workers=workers,
    )


def run_vector1(count: int, output: str) -> None:
    run_vector(count, output, workers=1)


def run_naive(count: int, output: str) -> None:
    import qrcode
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from labels.codes import serial_display
    from labels.rendering import text_font
    from labels.templates import TEMPLATES, layout

    template = TEMPLATES["a4-3x8"]
    content = _content()
    font = text_font()
    c = canvas.Canvas(
        output, pagesize=(template.page_width * mm, template.page_height * mm)
    )
    placed = layout(template, count=count)
    current = 0
    for (page, _slot, rect), (serial, url) in zip(placed, _labels(count), strict=False):
        if page != current:
            c.showPage()
            current = page
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4
        )
        qr.add_data(url)
        qr.make(fit=True)
        image = qr.make_image().get_image()
        side = 29 * mm
        x, y = (rect.x + 4) * mm, (rect.y + 4) * mm
        c.drawImage(ImageReader(image), x, y, side, side)
        c.setFont(font, 7)
        lines = [
            content.brand_line,
            content.producer,
            f"批次 {content.lot}",
            f"采收 {content.harvest_date}",
            serial_display(serial),
            "扫码溯源",
        ]
        for index, line in enumerate(lines):
            c.drawString(x + side + 1 * mm, y + side - (index + 1) * 10, line)
    c.showPage()
    c.save()


def child(method: str, count: int, output: str) -> None:
    _setup()
    run = {"vector": run_vector, "vector1": run_vector1, "naive": run_naive}[method]
    started = time.perf_counter()
    run(count, output)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "worker_peak_mib": child_kib / 1024,
                "bytes": os.path.getsize(output),
                "expected": EXPECTED,
            }
        )
    )


PER_PAGE = 24  # a4-3x8


def sample_pages(count: int) -> list[int]:
    """Return the 0-based pages whose codes are decoded: first, middle, last."""
    last = (count - 1) // PER_PAGE
    return sorted({0, last // 2, last})


def _page_source(pdf: Path, count: int, page: int, folder: Path) -> tuple[Path, int]:
    """Return the PDF holding a sheet and its page there (a zip holds parts)."""
    import zipfile

    from django.conf import settings

    from labels.rendering import part_sizes

    if not zipfile.is_zipfile(pdf):
        return pdf, page
    with zipfile.ZipFile(pdf) as archive:
        names = sorted(archive.namelist())
        sizes = part_sizes(
            count=count, part_size=settings.SUYUAN_LABEL_PART_SIZE, per_page=PER_PAGE
        )
        for name, size in zip(names, sizes, strict=True):
            pages = -(-size // PER_PAGE)
            if page < pages:
                target = folder / name
                target.write_bytes(archive.read(name))
                return target, page
            page -= pages
    raise ValueError("page beyond the last part")


def verify(pdf: Path, count: int, expected: dict[str, list[str]]) -> str:
    """Decode every code of the sample pages with zbar (per cell) and zxing-cpp."""
    import zxingcpp
    from PIL import Image
    from pyzbar.pyzbar import ZBarSymbol, decode

    from labels.templates import TEMPLATES, layout

    template = TEMPLATES["a4-3x8"]
    scale = 300 / 25.4
    wanted = zbar_ok = zxing_ok = 0
    with tempfile.TemporaryDirectory() as folder:
        for page_text, urls in expected.items():
            page = int(page_text)
            prefix = Path(folder) / f"p{page}"
            source, local = _page_source(pdf, count, page, Path(folder))
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "300",
                    "-f",
                    str(local + 1),
                    "-l",
                    str(local + 1),
                    "-png",
                    "-singlefile",
                    str(source),
                    str(prefix),
                ],
                check=True,
            )
            image = Image.open(f"{prefix}.png").convert("L")
            read = {
                result.text
                for result in zxingcpp.read_barcodes(
                    image, formats=zxingcpp.BarcodeFormat.QRCode
                )
            }
            zxing_ok += len(read & set(urls))
            cells = [
                rect for p, _slot, rect in layout(template, count=count) if p == page
            ]
            for rect, url in zip(cells, urls, strict=True):
                box = (
                    round(rect.x * scale),
                    round((template.page_height - rect.top) * scale),
                    round(rect.right * scale),
                    round((template.page_height - rect.y) * scale),
                )
                found = [
                    symbol.data.decode()
                    for symbol in decode(image.crop(box), symbols=[ZBarSymbol.QRCODE])
                ]
                zbar_ok += found == [url]
            wanted += len(urls)
    return (
        f"pages {', '.join(str(int(p) + 1) for p in expected)}: {wanted} codes, "
        f"zbar per cell {zbar_ok}/{wanted}, zxing-cpp whole page {zxing_ok}/{wanted}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--methods", default="vector,vector1,naive")
    parser.add_argument(
        "--naive-max", type=int, default=10_000, help="largest size the naive path runs"
    )
    parser.add_argument("--keep", help="keep the PDFs in this folder")
    parser.add_argument(
        "--child",
        nargs=3,
        metavar=("METHOD", "COUNT", "OUTPUT"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    _setup()
    sizes = [int(size) for size in args.sizes.split(",")]
    methods = args.methods.split(",")
    folder = Path(args.keep or tempfile.mkdtemp(prefix="suyuan-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in sizes:
        for method in methods:
            if method == "naive" and size > args.naive_max:
                continue
            output = folder / f"{method}-{size}.pdf"
            done = subprocess.run(
                [sys.executable, __file__, "--child", method, str(size), str(output)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if method.startswith("vector"):
                result["verify"] = verify(output, size, result.pop("expected"))
            results[(method, size)] = result
            print(
                f"{method:>7} {size:>6} labels: {result['seconds']:7.2f} s  "
                f"{size / result['seconds']:8.0f} labels/s  "
                f"peak {result['peak_mib']:6.1f} MiB (+ workers "
                f"{result['worker_peak_mib']:5.1f} MiB each)  "
                f"{result['bytes'] / size:7.0f} PDF bytes/label"
                + (f"  decode {result['verify']}" if "verify" in result else ""),
                file=sys.stderr,
                flush=True,
            )
            if not args.keep:
                output.unlink()
    print()
    print(
        "| labels | method | labels/s | peak MiB (main) | peak MiB (one worker) "
        "| PDF bytes/label |"
    )
    print("|---|---|---|---|---|---|")
    for (method, size), result in results.items():
        print(
            f"| {size:,} | {method} | {size / result['seconds']:,.0f} "
            f"| {result['peak_mib']:.0f} | {result['worker_peak_mib']:.0f} "
            f"| {result['bytes'] / size:,.0f} |"
        )
    print()
    for (method, size), result in results.items():
        if "verify" in result:
            print(f"decode {method} {size:,}: {result['verify']}")
    for size in sizes:
        if ("naive", size) not in results:
            continue
        naive = results[("naive", size)]
        for method in methods:
            if method == "naive" or (method, size) not in results:
                continue
            vector = results[(method, size)]
            print(
                f"{size:,} labels: {method} is {naive['seconds'] / vector['seconds']:.1f}x "
                f"the naive path's labels/s (target >= 20x for vector), "
                f"{naive['peak_mib'] / vector['peak_mib']:.1f}x less peak memory, "
                f"{naive['bytes'] / vector['bytes']:.1f}x fewer PDF bytes"
            )
    for method in methods:
        small, large = results.get((method, 10_000)), results.get((method, 100_000))
        if small and large and method != "naive":
            print(
                f"{method}: peak memory at 100,000 labels is "
                f"{large['peak_mib'] / small['peak_mib']:.2f}x that at 10,000 "
                f"(main process; target <= 2x)"
            )


if __name__ == "__main__":
    main()
