#!/usr/bin/env python
"""Benchmark label-sheet rendering: the chosen renderer against the naive path.

usage: python bench/labels.py [--sizes 1000,10000] [--methods vector,naive] [--keep DIR]

Each (method, size) runs in a fresh subprocess, which reports its render time
and its own peak RSS (ru_maxrss), so one method's memory never inflates
another's. Both draw the same A4 3x8 sheet: a GS1 Digital Link QR code and the
same Chinese text per label.

  vector  labels.rendering: zxing-cpp, runs of dark modules as PDF `re` paths,
          shared text in a form XObject, pages streamed
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


def _labels(count: int):
    from labels.codes import label_url, serial_new

    for _ in range(count):
        serial = serial_new()
        yield serial, label_url(serial=serial, gtin=GTIN, lot=LOT)


def run_vector(count: int, output: str) -> None:
    from labels.rendering import SheetOptions, render_labels
    from labels.templates import TEMPLATES

    render_labels(
        output=output,
        options=SheetOptions(template=TEMPLATES["a4-3x8"]),
        content=_content(),
        labels=_labels(count),
        count=count,
    )


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
    run = {"vector": run_vector, "naive": run_naive}[method]
    started = time.perf_counter()
    run(count, output)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "bytes": os.path.getsize(output),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--methods", default="vector,naive")
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
    sizes = [int(size) for size in args.sizes.split(",")]
    methods = args.methods.split(",")
    folder = Path(args.keep or tempfile.mkdtemp(prefix="suyuan-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in sizes:
        for method in methods:
            output = folder / f"{method}-{size}.pdf"
            done = subprocess.run(
                [sys.executable, __file__, "--child", method, str(size), str(output)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results[(method, size)] = result
            print(
                f"{method:>6} {size:>6} labels: {result['seconds']:7.2f} s  "
                f"{size / result['seconds']:8.0f} labels/s  "
                f"peak {result['peak_mib']:6.1f} MiB  "
                f"{result['bytes'] / size:7.0f} PDF bytes/label",
                file=sys.stderr,
                flush=True,
            )
            if not args.keep:
                output.unlink()
    print()
    header = "| labels | method | labels/s | peak MiB | PDF bytes/label |"
    print(header)
    print("|---|---|---|---|---|")
    for size in sizes:
        for method in methods:
            result = results[(method, size)]
            print(
                f"| {size:,} | {method} | {size / result['seconds']:,.0f} "
                f"| {result['peak_mib']:.0f} "
                f"| {result['bytes'] / size:,.0f} |"
            )
    if "vector" in methods and "naive" in methods:
        print()
        for size in sizes:
            vector, naive = results[("vector", size)], results[("naive", size)]
            speed = naive["seconds"] / vector["seconds"]
            memory = naive["peak_mib"] / vector["peak_mib"]
            print(
                f"{size:,} labels: vector is {speed:.1f}x faster, "
                f"uses {memory:.1f}x less peak memory and "
                f"{naive['bytes'] / vector['bytes']:.1f}x fewer PDF bytes than naive"
            )


if __name__ == "__main__":
    main()
