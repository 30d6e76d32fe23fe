#!/usr/bin/env python
"""Benchmark the recall trace of one batch among 1,000,000 sales and scans.

usage: DATABASE_URL=postgres://... python bench/recall.py [--trials 5]

Needs bench/load.py's data set. Times reports.selectors.recall_trace (the
batch, its status changes, events, every sale, contributions) and
labels.selectors.batch_label_summary (printed / void counts and scans per
city) for the batch with the most sales, prints the EXPLAIN ANALYZE plan of
each heavy query, and compares against the same queries with index scans
disabled (`SET enable_indexscan/bitmapscan = off`: the baseline a missing
index would give).
"""

import argparse
import statistics
import time

from common import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.db.models import Count

    from labels.models import Label, ScanEvent
    from labels.selectors import batch_label_summary
    from reports.selectors.recall import recall_trace
    from trace.models import Batch, Sale

    # Fresh statistics, as autovacuum keeps them: a scan bench run just added
    # 100,000+ scan events, and stale row estimates can tip the scans-per-city
    # join from the ScanEvent(label) index to a parallel sequential scan.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE labels_label, labels_scanevent, trace_sale")
    counts = {
        "sales": Sale.objects.count(),
        "scan events": ScanEvent.objects.count(),
        "labels": Label.objects.count(),
        "batches": Batch.objects.count(),
    }
    print(", ".join(f"{value:,} {name}" for name, value in counts.items()))
    batch_id = (
        Sale.objects.values("batch").annotate(n=Count("id")).order_by("-n")[0]["batch"]
    )
    batch = Batch.objects.select_related("producer", "product_line", "origin").get(
        pk=batch_id
    )

    def timed(function) -> float:
        times = []
        for _ in range(args.trials):
            started = time.perf_counter()
            function(batch=batch)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    trace = recall_trace(batch=batch)
    summary = batch_label_summary(batch=batch)
    print(
        f"batch {batch.lot_code}: {len(trace['sales']):,} sales, "
        f"{summary['labels']['printed']:,} labels ({summary['labels']['void']:,} void), "
        f"{summary['labels']['scans']:,} scans in {len(summary['scans_by_city'])} cities"
    )

    def explain(sql: str, params) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
            return "\n".join(f"    {row[0]}" for row in cursor.fetchall())

    sales_sql = batch.sales.order_by("sold_at", "id").query.sql_with_params()
    scans_sql = (
        ScanEvent.objects.filter(label__batch=batch)
        .values("city")
        .annotate(n=Count("id"))
        .order_by("-n", "city")
        .query.sql_with_params()
    )
    labels_sql = (
        Label.objects.filter(batch=batch)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .query.sql_with_params()
    )
    for name, (sql, params) in (
        ("sales of the batch", sales_sql),
        ("scans per city", scans_sql),
        ("labels by status", labels_sql),
    ):
        print(f"\nEXPLAIN ANALYZE {name}:\n{explain(sql, params)}")

    indexed = {
        "recall_trace": timed(recall_trace),
        "batch_label_summary": timed(batch_label_summary),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off")
        cursor.execute("SET enable_bitmapscan = off")
    no_index = {
        "recall_trace": timed(recall_trace),
        "batch_label_summary": timed(batch_label_summary),
    }
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_indexscan")
        cursor.execute("RESET enable_bitmapscan")

    print("\n| query | with indexes s | index scans off s | ratio |")
    print("|---|---|---|---|")
    for name in indexed:
        print(
            f"| {name} | {indexed[name]:.3f} | {no_index[name]:.3f} "
            f"| {no_index[name] / indexed[name]:.1f}x |"
        )
    total = indexed["recall_trace"] + indexed["batch_label_summary"]
    print(f"\nrecall trace + label summary: {total:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
