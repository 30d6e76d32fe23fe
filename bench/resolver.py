#!/usr/bin/env python
"""Benchmark the GS1 resolver's hop: what a Digital Link adds to a scan.

usage: DATABASE_URL=postgres://... python bench/resolver.py [--duration 10]
       [--rounds 3] [--connections 16] [--port 8024] [--workers N]

A phone that scans a GTIN label asks the resolver (`/01/…/21/{serial}`, a
307 to `/t/{serial}`) and then the page: one more round trip than a `/t/`
label. This runs, under wrk like bench/scan.py (its server settings, its
bench/scan.lua), the bare view, the scan page and the resolver's 307 in
turn, so all three see the same machine load, and reports each one's
throughput and latency; the phone's extra cost is the resolver's server time
plus one network round trip. It also times parsing an uncompressed and
decompressing a compressed Digital Link in-process, and checks that the
resolver's answers recorded no scan (only the page counts one).

Needs bench/load.py's labels (any number; a modest --labels 50000 will do)
and wrk. The labels of the batch with the most labels get a GTIN if they
have none, and a sample of their active serials goes to
bench/data/resolver-serials.txt (bench/scan.py's sample stays as it is).
"""

import argparse
import os
import statistics
import sys
import timeit
import urllib.request

from common import ROOT, gunicorn, setup
from scan import server_env, wrk

SAMPLE = 20_000
SERIALS = ROOT / "bench" / "data" / "resolver-serials.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8024)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    env = server_env("buffered")
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k.startswith(("SUYUAN_CACHE", "SUYUAN_SCAN_WRITE_MODE"))
        }
    )
    setup()
    import redis
    from django.db.models import Count
    from stdnum import ean

    from labels import digital_link
    from labels.choices import LabelStatus
    from labels.models import Label, ScanEvent
    from labels.scans import scan_buffer_flush
    from trace.models import Batch

    batch = (
        Batch.objects.annotate(label_count=Count("labels"))
        .order_by("-label_count")
        .select_related("product_line")
        .first()
    )
    if batch is None or batch.label_count == 0:
        sys.exit("run bench/load.py first")
    line = batch.product_line
    if not line.gtin:
        body = f"0690{line.pk:09d}"
        line.gtin = body + ean.calc_check_digit(body)
        line.save(update_fields=["gtin"])
    serials = list(
        Label.objects.filter(batch=batch, status=LabelStatus.ACTIVE).values_list(
            "serial", flat=True
        )[:SAMPLE]
    )
    SERIALS.parent.mkdir(exist_ok=True)
    SERIALS.write_text("\n".join(serials) + "\n")
    key = digital_link.ItemKey(line.gtin, batch.lot_code, serials[0])
    endpoints = {
        "bare view": ("/bench/bare", ""),
        "scan page /t/": ("/", "/t/"),
        "resolver 307": (
            "/",
            digital_link.ItemKey(line.gtin, batch.lot_code).path() + "/21/",
        ),
    }
    print(
        f"{len(serials):,} serials of lot {batch.lot_code}, GTIN {line.gtin}; "
        f"e.g. {key.path()} = /{digital_link.compress(key)}",
        flush=True,
    )
    in_process(digital_link, key)

    redis.Redis.from_url(env["SUYUAN_CACHE_URL"]).flushdb()  # the benches' own database
    scans_before = ScanEvent.objects.count()
    results = {name: [] for name in endpoints}
    answered = {name: 0 for name in endpoints}
    with gunicorn(port=args.port, workers=args.workers, env=env) as base:
        check_hop(base, key)
        for name, (path, prefix) in endpoints.items():  # warm-up
            answered[name] += wrk(
                base + path, prefix, args.warmup, args.connections, str(SERIALS)
            )["requests"]
        for round_ in range(args.rounds):
            for name, (path, prefix) in endpoints.items():
                result = wrk(
                    base + path, prefix, args.duration, args.connections, str(SERIALS)
                )
                results[name].append(result)
                answered[name] += result["requests"]
                print(
                    f"round {round_ + 1} {name:>14}: {result['rps']:7.0f} req/s  "
                    f"p50 {result['p50']:5.2f} ms  p99 {result['p99']:6.2f} ms  "
                    f"non-2xx/3xx {result['non2xx']} {result['errors']}",
                    flush=True,
                )
    scan_buffer_flush()
    recorded = ScanEvent.objects.count() - scans_before

    bare = statistics.median(r["rps"] for r in results["bare view"])
    print(
        f"\n{args.rounds} rounds of {args.duration} s, {args.connections} "
        f"connections, {args.workers} sync gunicorn workers\n"
    )
    print("| endpoint | req/s (median) | of bare view | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name in endpoints:
        rps = statistics.median(r["rps"] for r in results[name])
        p50 = statistics.median(r["p50"] for r in results[name])
        p99 = statistics.median(r["p99"] for r in results[name])
        print(f"| {name} | {rps:,.0f} | {rps / bare:.0%} | {p50:.2f} | {p99:.2f} |")
    page_answered = answered["scan page /t/"] + 1  # check_hop's one scan
    print(
        f"\nscan pages answered {page_answered:,}, resolver hops answered "
        f"{answered['resolver 307']:,}; new ScanEvent rows {recorded:,} "
        f"(the pages', plus requests in flight when wrk stopped: at most "
        f"{(1 + args.rounds) * args.connections})"
    )


def in_process(digital_link, key) -> None:
    """Time what the resolver does to a URI before any lookup, per URI."""
    path, segment = key.path(), digital_link.compress(key)
    number = 5000
    for name, call in (
        ("parse an uncompressed path", lambda: digital_link.parse_path(path)),
        ("decompress + check", lambda: digital_link.decompress_key(segment)),
    ):
        seconds = min(timeit.repeat(call, number=number, repeat=3)) / number
        print(f"{name}: {seconds * 1e6:.0f} µs", flush=True)


def check_hop(base: str, key) -> None:
    """The resolver answers 307 to the scan page, and the page 200."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(base + key.path(), timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 307, error.code
        location = error.headers["Location"]
        assert location.endswith(f"/t/{key.serial}"), location
    else:
        sys.exit("the resolver did not redirect")
    with urllib.request.urlopen(location, timeout=5) as page:
        assert page.status == 200


if __name__ == "__main__":
    main()
