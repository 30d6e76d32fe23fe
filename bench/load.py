#!/usr/bin/env python
"""Load the 1,000,000-label data set the scan and recall benchmarks share.

usage: DATABASE_URL=postgres://... python bench/load.py [--labels 1000000]
       [--batches 500] [--sales 1000000] [--scans 1000000] [--force]

Batches, producers, households, inspections and trace events (a few
thousand rows) go through the factories and services; labels, scan events
and sales go in with COPY, so the whole set loads in minutes, not hours. A
sample of 100,000 serials is written to bench/data/serials.txt for the wrk
script. Nothing is loaded twice: with the labels already present it only
rewrites the serial sample (use --force to wipe and reload).
"""

import argparse
import datetime
import io
import random
import time
from pathlib import Path

from common import setup

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = 100_000


def copy(cursor, table: str, columns: str, rows) -> None:
    buffer = io.StringIO("".join(rows))
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from labels import codes
    from labels.models import Label, PrintJob, ScanEvent
    from trace.models import Batch, Sale

    DATA.mkdir(exist_ok=True)
    started = time.perf_counter()
    if Label.objects.count() >= args.labels and not args.force:
        print("labels already loaded; rewriting the serial sample only")
        _write_sample(Label)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE labels_scanevent, labels_label, labels_printjob, "
            "trace_sale RESTART IDENTITY CASCADE"
        )
    batches = _small_world(args.batches)
    print(
        f"{len(batches)} batches with households, inspections and events "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    now = timezone.now().isoformat()
    per_batch = args.labels // len(batches)
    key = None
    from django.conf import settings

    key = settings.SUYUAN_SERIAL_KEY
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        for number, batch in enumerate(batches):
            job = PrintJob.objects.create(batch=batch, count=per_batch)
            rest = f"\t{batch.pk}\t{job.pk}\t"
            copy(
                cursor,
                "labels_label",
                "serial, batch_id, print_job_id, sequence, status, void_reason, "
                "first_scanned_city, scan_count, suspicious_reason, created_at",
                (
                    f"{codes.serial_new(key=key)}{rest}{sequence}\t"
                    f"{'void' if sequence % 97 == 0 else 'active'}\t\t\t0\t\t{now}\n"
                    for sequence in range(1, per_batch + 1)
                ),
            )
            if number % 100 == 99:
                print(f"  {(number + 1) * per_batch:,} labels", flush=True)
    print(f"labels loaded at {time.perf_counter() - started:.0f} s", flush=True)

    low, high = (
        Label.objects.order_by("pk").values_list("pk", flat=True)[:1][0],
        (Label.objects.order_by("-pk").values_list("pk", flat=True)[:1][0]),
    )
    cities = ["邵阳市", "长沙市", "广州市", "深圳市", "上海市", "北京市", ""]
    rng = random.Random(9)
    base = timezone.now() - datetime.timedelta(days=60)
    with transaction.atomic(), connection.cursor() as django_cursor:
        copy(
            django_cursor.cursor,
            "labels_scanevent",
            "label_id, scanned_at, client_hash, user_agent, city",
            (
                f"{rng.randint(low, high)}\t"
                f"{(base + datetime.timedelta(seconds=i * 5)).isoformat()}\t"
                f"{rng.getrandbits(128):032x}\tMozilla/5.0 MicroMessenger\t"
                f"{rng.choice(cities)}\n"
                for i in range(args.scans)
            ),
        )
    print(f"scan events loaded at {time.perf_counter() - started:.0f} s", flush=True)

    from tests.reports.factories import OutletFactory

    outlet = OutletFactory()
    sellers = dict(Batch.objects.values_list("pk", "producer_id"))
    batch_ids = list(sellers)
    with transaction.atomic(), connection.cursor() as django_cursor:
        copy(
            django_cursor.cursor,
            "trace_sale",
            "batch_id, seller_id, buyer, outlet_id, channel, quantity, unit, amount, "
            "sold_at, note, recorded_at",
            (
                f"{b}\t{sellers[b]}\t洞口县机关食堂\t{outlet.pk}\tgovernment\t10\t箱\t"
                f"320.00\t{(base + datetime.timedelta(seconds=i * 5)).isoformat()}"
                f"\t\t{now}\n"
                for i in range(args.sales)
                for b in (batch_ids[rng.randrange(len(batch_ids))],)
            ),
        )
    print(f"sales loaded at {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        for table in ("labels_label", "labels_scanevent", "trace_sale"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    _write_sample(Label)
    print(
        f"done in {time.perf_counter() - started:.0f} s: "
        f"{Label.objects.count():,} labels, {ScanEvent.objects.count():,} scans, "
        f"{Sale.objects.count():,} sales"
    )


def _write_sample(Label) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT serial FROM labels_label TABLESAMPLE BERNOULLI (15) "
            "WHERE status = 'active' ORDER BY random() LIMIT %s",
            [SAMPLE],
        )
        serials = [row[0] for row in cursor.fetchall()]
    (DATA / "serials.txt").write_text("\n".join(serials) + "\n")
    print(f"wrote {len(serials):,} serials to {DATA / 'serials.txt'}")


def _small_world(count: int):
    """Create `count` released batches over 20 certified producers, via factories."""
    from django.db.models import Max

    from inspections.choices import InspectionKind
    from tests.factories import (
        BatchFactory,
        CertificationFactory,
        ProducerFactory,
        ProductLineFactory,
        continue_serials_after,
        make_inspector,
    )
    from tests.inspections.factories import AnalyteFactory, record_inspection
    from tests.reports.factories import ContributionFactory, TraceEventFactory
    from trace.models import Certification, Household, Producer

    # A rerun (--force) keeps the households, producers and certifications of
    # the run before: the generated identifiers continue past them.
    continue_serials_after(
        **{
            kind: (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
            for kind, model in (
                ("id_number", Household),
                ("uscc", Producer),
                ("certification", Certification),
            )
        }
    )
    producers = [ProducerFactory() for _ in range(20)]
    for producer in producers:
        CertificationFactory(producer=producer)
    lines = [ProductLineFactory() for _ in producers]
    inspector = make_inspector(
        f"bench_inspector_{random.randrange(10**9)}", [p.region for p in producers]
    )
    from inspections.models import Analyte

    if not Analyte.objects.filter(name="毒死蜱").exists():  # kept by a rerun
        AnalyteFactory(name="毒死蜱")
    batches = []
    inspections_ok = True
    for index in range(count):
        producer = producers[index % len(producers)]
        batch = BatchFactory(
            producer=producer, product_line=lines[index % len(lines)], name="雪峰蜜橘"
        )
        for _ in range(3):
            ContributionFactory(batch=batch)
        TraceEventFactory(batch=batch)
        if inspections_ok:
            try:
                record_inspection(
                    batch=batch, user=inspector, kind=InspectionKind.SPOT_CHECK
                )
            except Exception as error:  # noqa: BLE001 - the bench goes on without
                print(f"inspections skipped: {error!r}")
                inspections_ok = False
        batches.append(batch)
    return batches


if __name__ == "__main__":
    main()
